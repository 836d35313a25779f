// Roster's web UI: hash routes, one page at a time; every page keeps itself current through
// blocking queries and stops them when the route changes.
import { get, watch, token, setToken, ApiError, pause } from './api.js';
import { h, badge, tags, notice, table, worst, pager } from './dom.js';
import { kvPage } from './kv.js';
import { aclPage } from './acl.js';

const main = document.getElementById('main');
let current = null;

function route() {
  if (current) current.abort();
  current = new AbortController();
  const signal = current.signal;
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || 'services';
  const [section, ...rest] = hash.split('/');
  const arg = rest.join('/');
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  const pages = {
    services: () => (arg ? servicePage(arg, signal) : servicesPage(signal)),
    nodes: () => (arg ? nodePage(arg, signal) : nodesPage(signal)),
    kv: () => kvPage(main, arg, signal),
    cluster: () => clusterPage(signal),
    acl: () => aclPage(main, signal),
  };
  (pages[section] || (() => main.append(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/services' }, 'Services')))))();
  document.title = (section === 'kv' ? 'Key/Value' : section[0].toUpperCase() + section.slice(1)) + (arg ? ' · ' + arg : '') + ' · Roster';
}

/** Moves focus to the page's heading after a navigation, so keyboard and screen-reader users land there. */
function focusHeading() {
  const h1 = main.querySelector('h1');
  if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
}

function errorBox(where) {
  const box = h('div');
  where.append(box);
  return {
    show: (e) => box.replaceChildren(notice('error', e instanceof ApiError && e.status === 403
      ? 'Permission denied: set an ACL token with the Token button.' : 'Could not load: ' + e.message)),
    clear: () => box.replaceChildren(),
  };
}

function liveHeading(text, ...extra) {
  return h('h1', {}, text, ...extra, h('span', { class: 'live', title: 'Updates live through blocking queries' }, 'live'));
}

// ---------------------------------------------------------------- services

function servicesPage(signal) {
  const filter = h('input', { type: 'search', placeholder: 'Filter by name or tag', 'aria-label': 'Filter services' });
  const list = pager(['Service', 'Health checks', 'Instances', 'Tags'], 'No services registered.');
  main.append(liveHeading('Services'));
  const err = errorBox(main);
  main.append(h('div', { class: 'toolbar' }, filter), list);
  let all = [];
  const draw = (reset) => {
    const q = filter.value.trim().toLowerCase();
    const rows = all.filter((s) => !q || s.Name.toLowerCase().includes(q) || (s.Tags || []).some((t) => t.toLowerCase().includes(q)))
      .map((s) => h('tr', { 'data-service': s.Name },
        h('td', {}, h('a', { href: '#/services/' + encodeURIComponent(s.Name) }, s.Name)),
        h('td', {}, healthCounts(s)),
        h('td', { class: 'num' }, String(s.InstanceCount)),
        h('td', {}, tags(s.Tags))));
    list.update(rows, reset);
  };
  filter.addEventListener('input', () => draw(true));
  focusHeading();
  watch('/v1/internal/ui/services', (body) => { err.clear(); all = body; draw(false); }, { signal, onError: err.show });
}

function healthCounts(s) {
  const out = [];
  if (s.ChecksPassing) out.push(badge('passing', s.ChecksPassing + ' passing'));
  if (s.ChecksWarning) out.push(badge('warning', s.ChecksWarning + ' warning'));
  if (s.ChecksCritical) out.push(badge('critical', s.ChecksCritical + ' critical'));
  if (!out.length) out.push(h('span', { class: 'meta' }, 'no checks'));
  return out;
}

function servicePage(name, signal) {
  const body = h('div');
  main.append(h('div', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Services'), ' / ', name), liveHeading(name));
  const err = errorBox(main);
  main.append(body);
  focusHeading();
  watch('/v1/health/service/' + encodeURIComponent(name), (entries) => {
    err.clear();
    const instances = entries.map((e) => {
      const st = worst(e.Checks);
      return h('tr', { 'data-instance': e.Service.ID },
        h('td', {}, h('div', {}, h('strong', {}, e.Service.ID)), badge(st)),
        h('td', {}, h('a', { href: '#/nodes/' + encodeURIComponent(e.Node.Node) }, e.Node.Node)),
        h('td', { class: 'num' }, (e.Service.Address || e.Node.Address) + ':' + e.Service.Port),
        h('td', {}, tags(e.Service.Tags), metaList(e.Service.Meta)),
        h('td', {}, checkList(e.Checks)));
    });
    body.replaceChildren(
      h('p', { class: 'meta' }, entries.length + (entries.length === 1 ? ' instance' : ' instances')),
      h('div', { class: 'panel' }, table(['Instance', 'Node', 'Address', 'Tags and meta', 'Checks'], instances,
        'This service has no instances.')));
  }, { signal, onError: err.show });
}

function metaList(meta) {
  const entries = Object.entries(meta || {});
  if (!entries.length) return null;
  return h('div', { class: 'meta' }, entries.map(([k, v]) => h('div', {}, k + ' = ' + v)));
}

function checkList(checks) {
  if (!checks || !checks.length) return h('span', { class: 'meta' }, 'no checks');
  return checks.map((c) => h('div', { class: 'check', 'data-check': c.CheckID, 'data-status': c.Status },
    badge(c.Status), h('strong', {}, c.Name), ' ', h('span', { class: 'meta' }, c.CheckID),
    c.Output ? h('pre', { class: 'output' }, c.Output) : null));
}

// ---------------------------------------------------------------- nodes

function nodesPage(signal) {
  const filter = h('input', { type: 'search', placeholder: 'Filter by name or address', 'aria-label': 'Filter nodes' });
  const list = pager(['Node', 'Address', 'Health', 'Services'], 'No nodes.');
  main.append(liveHeading('Nodes'));
  const err = errorBox(main);
  main.append(h('div', { class: 'toolbar' }, filter), list);
  let all = [];
  let leaderAddr = '';
  const draw = (reset) => {
    const q = filter.value.trim().toLowerCase();
    list.update(all.filter((n) => !q || n.Node.toLowerCase().includes(q) || n.Address.includes(q)).map((n) => {
      const isLeader = leaderAddr && leaderAddr.split(':')[0] === n.Address;
      return h('tr', { 'data-node': n.Node },
        h('td', {}, h('a', { href: '#/nodes/' + encodeURIComponent(n.Node) }, n.Node), ' ',
          isLeader ? h('span', { class: 'badge leader', title: 'Raft leader' }, '★ leader') : null),
        h('td', { class: 'num' }, n.Address),
        h('td', {}, badge(worst(n.Checks)), h('span', { class: 'meta' }, n.Checks.length + ' checks')),
        h('td', {}, tags([...new Set(n.Services.map((s) => s.Service))])));
    }), reset);
  };
  filter.addEventListener('input', () => draw(true));
  focusHeading();
  get('/v1/status/leader', { signal }).then((r) => { leaderAddr = r.body || ''; draw(false); }).catch(() => {});
  watch('/v1/internal/ui/nodes', (body) => { err.clear(); all = body; draw(false); }, { signal, onError: err.show });
}

function nodePage(name, signal) {
  const body = h('div');
  main.append(h('div', { class: 'crumbs' }, h('a', { href: '#/nodes' }, 'Nodes'), ' / ', name), liveHeading(name));
  const err = errorBox(main);
  main.append(body);
  focusHeading();
  watch('/v1/internal/ui/node/' + encodeURIComponent(name), (n) => {
    err.clear();
    if (!n) { body.replaceChildren(notice('info', 'No node named ' + name + ' in the catalog.')); return; }
    const nodeChecks = n.Checks.filter((c) => !c.ServiceID);
    body.replaceChildren(
      h('div', { class: 'cards' },
        card('Address', n.Address), card('Health', badge(worst(n.Checks))),
        card('Services', String(n.Services.length)), card('Checks', String(n.Checks.length))),
      metaList(n.Meta) ? h('div', { class: 'panel form' }, h('strong', {}, 'Metadata'), metaList(n.Meta)) : '',
      h('h2', {}, 'Node checks'),
      h('div', { class: 'panel' }, table(['Check', 'Status', 'Output'], nodeChecks.map(checkRow), 'No node checks.')),
      h('h2', {}, 'Services'),
      h('div', { class: 'panel' }, table(['Service', 'ID', 'Port', 'Tags', 'Checks'], n.Services.map((s) =>
        h('tr', {},
          h('td', {}, h('a', { href: '#/services/' + encodeURIComponent(s.Service) }, s.Service)),
          h('td', {}, s.ID), h('td', { class: 'num' }, String(s.Port)), h('td', {}, tags(s.Tags)),
          h('td', {}, checkList(n.Checks.filter((c) => c.ServiceID === s.ID))))), 'No services on this node.')));
  }, { signal, onError: err.show, allow404: true });
}

function checkRow(c) {
  return h('tr', { 'data-check': c.CheckID },
    h('td', {}, h('strong', {}, c.Name), h('div', { class: 'meta' }, c.CheckID)),
    h('td', {}, badge(c.Status)), h('td', {}, c.Output ? h('pre', {}, c.Output) : h('span', { class: 'meta' }, '—')));
}

function card(label, value) {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'big' }, value));
}

// ---------------------------------------------------------------- cluster

async function clusterPage(signal) {
  const body = h('div');
  main.append(liveHeading('Cluster'));
  const err = errorBox(main);
  main.append(body);
  focusHeading();
  while (!signal.aborted) {
    try {
      const [self, leader, raft, members] = await Promise.all([
        get('/v1/agent/self', { signal }), get('/v1/status/leader', { signal }),
        get('/v1/operator/raft/configuration', { signal }), get('/v1/agent/members', { signal })]);
      err.clear();
      const servers = raft.body.Servers || [];
      // Raft names a peer by its server address; gossip knows the node's name for it.
      const byRpc = new Map(members.body.map((m) => [m.Addr + ':' + (m.Tags && m.Tags.port), m.Name]));
      const peerName = (s) => byRpc.get(s.Address) || s.Node;
      body.replaceChildren(
        h('div', { class: 'cards' },
          card('Datacenter', self.body.Config.Datacenter), card('Raft leader', servers.filter((x) => x.Leader).map(peerName)[0] || leader.body || 'none'),
          card('Servers', String(servers.length)), card('Members', String(members.body.length))),
        h('h2', {}, 'Raft peers'),
        h('div', { class: 'panel' }, table(['Node', 'Address', 'State', 'Voter'], servers.map((s) =>
          h('tr', { 'data-peer': peerName(s) },
            h('td', {}, peerName(s)), h('td', { class: 'num' }, s.Address),
            h('td', {}, s.Leader ? h('span', { class: 'badge leader' }, '★ leader') : badge('passing', 'follower')),
            h('td', {}, s.Voter ? 'yes' : 'no'))), 'No Raft configuration.')),
        h('h2', {}, 'Gossip members'),
        h('div', { class: 'panel' }, table(['Member', 'Address', 'Status', 'Role'], members.body.map((m) =>
          h('tr', { 'data-member': m.Name },
            h('td', {}, m.Name), h('td', { class: 'num' }, m.Addr + ':' + m.Port),
            h('td', {}, badge(m.Status === 1 ? 'passing' : m.Status === 2 || m.Status === 3 ? 'warning' : 'critical',
              ['none', 'alive', 'leaving', 'left', 'failed'][m.Status] || String(m.Status))),
            h('td', {}, (m.Tags && m.Tags.role) === 'consul' ? 'server' : 'client'))), 'No members.')));
    } catch (e) {
      if (signal.aborted) return;
      err.show(e);
    }
    await pause(3000, signal);
  }
}

// ---------------------------------------------------------------- chrome

async function header() {
  try {
    const self = await get('/v1/agent/self');
    document.getElementById('dc').textContent = self.body.Config.Datacenter;
  } catch (e) {
    document.getElementById('dc').textContent = '';
  }
}

const dialog = document.getElementById('token-dialog');
document.getElementById('token-button').addEventListener('click', () => {
  document.getElementById('token-input').value = token();
  dialog.showModal();
});
// A 403 to a browser that has no token yet: ask for one, once per page load (the ACL system is on
// and the anonymous token may not read what the page needs).
let askedForToken = false;
window.addEventListener('roster-token-needed', () => {
  if (askedForToken || dialog.open) return;
  askedForToken = true;
  document.getElementById('token-input').value = '';
  document.getElementById('token-why').hidden = false;
  dialog.showModal();
});
dialog.addEventListener('close', () => {
  document.getElementById('token-why').hidden = true;
  if (dialog.returnValue === 'save') { setToken(document.getElementById('token-input').value.trim()); route(); header(); }
});

// The skip link moves focus to the page; it must not change the hash, which is the route.
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
window.addEventListener('hashchange', route);
if (!location.hash) history.replaceState(null, '', '#/services');
header();
route();

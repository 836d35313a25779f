// ACL: tokens, policies and roles through Consul's /v1/acl/* endpoints. When the agent answers that
// the ACL system is off (Consul: 401 "ACL support disabled"; an agent without the endpoints: 404),
// the page says so instead of failing.
import { get, call, ApiError } from './api.js';
import { h, notice, table, tags } from './dom.js';

const KINDS = {
  tokens: { title: 'Tokens', list: '/v1/acl/tokens', one: '/v1/acl/token', id: 'AccessorID',
    cols: ['Description', 'Accessor ID', 'Policies', 'Roles'],
    row: (t) => [t.Description || '—', t.AccessorID, tags((t.Policies || []).map((p) => p.Name)), tags((t.Roles || []).map((r) => r.Name))],
    fields: [['Description', 'text'], ['Policies', 'names'], ['Roles', 'names']] },
  policies: { title: 'Policies', list: '/v1/acl/policies', one: '/v1/acl/policy', id: 'ID',
    cols: ['Name', 'Description', 'ID'], row: (p) => [p.Name, p.Description || '—', p.ID],
    fields: [['Name', 'text'], ['Description', 'text'], ['Rules', 'area']] },
  roles: { title: 'Roles', list: '/v1/acl/roles', one: '/v1/acl/role', id: 'ID',
    cols: ['Name', 'Description', 'Policies'], row: (r) => [r.Name, r.Description || '—', tags((r.Policies || []).map((p) => p.Name))],
    fields: [['Name', 'text'], ['Description', 'text'], ['Policies', 'names']] },
};

export function isAclDisabled(e) {
  return e instanceof ApiError && (e.status === 404 || /ACL support disabled|ACL system.*(not|disabled)/i.test(e.message));
}

export async function aclPage(main, signal) {
  const tabs = h('div', { class: 'toolbar', role: 'tablist', 'aria-label': 'ACL objects' });
  const body = h('div');
  main.append(h('h1', {}, 'Access control'), tabs, body);
  main.querySelector('h1').tabIndex = -1;
  main.querySelector('h1').focus({ preventScroll: true });
  let kind = 'tokens';
  const buttons = Object.entries(KINDS).map(([k, v]) => h('button', { type: 'button', role: 'tab', 'data-kind': k,
    onclick: () => { kind = k; draw(); } }, v.title));
  tabs.append(...buttons);

  async function draw(message) {
    buttons.forEach((b) => b.setAttribute('aria-selected', String(b.dataset.kind === kind)));
    const k = KINDS[kind];
    try {
      const r = await get(k.list, { signal });
      const rows = (r.body || []).map((item) => h('tr', { 'data-id': item[k.id], 'data-name': item.Name || item.Description || '' },
        k.row(item).map((c) => h('td', {}, c)),
        h('td', {}, h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => edit(item) }, 'Edit'),
          h('button', { type: 'button', class: 'danger', onclick: () => remove(item) }, 'Delete')))));
      body.replaceChildren(message || '', h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'primary', onclick: () => edit(null) }, 'New ' + k.title.replace(/ies$/, 'y').replace(/s$/, '').toLowerCase())),
        h('div', { class: 'panel' }, table([...k.cols, ''], rows, 'None yet.')));
    } catch (e) {
      if (signal.aborted) return;
      if (isAclDisabled(e)) {
        body.replaceChildren(h('div', { id: 'acl-disabled' }, notice('info', 'ACL system not enabled on this cluster. '
          + 'Turn it on with acl { enabled = true } in the servers\' configuration, bootstrap it, then set a token here with the Token button.')));
      } else if (e instanceof ApiError && e.status === 403) {
        body.replaceChildren(notice('error', 'Permission denied: this page needs a token with acl = "read" (Token button).'));
      } else {
        body.replaceChildren(notice('error', 'Could not load: ' + e.message));
      }
    }
  }

  async function remove(item) {
    const k = KINDS[kind];
    if (!confirm('Delete ' + (item.Name || item.Description || item[k.id]) + '?')) return;
    try {
      await call('DELETE', k.one + '/' + encodeURIComponent(item[k.id]));
      draw(notice('ok', 'Deleted.'));
    } catch (e) { draw(notice('error', 'Delete failed: ' + e.message)); }
  }

  // The lists leave fields out (Consul's policy list has no Rules): an edit starts from the whole object.
  async function edit(listed) {
    const k = KINDS[kind];
    let item = listed;
    if (listed) {
      try {
        item = (await get(k.one + '/' + encodeURIComponent(listed[k.id]), { signal })).body;
      } catch (e) {
        if (!signal.aborted) draw(notice('error', 'Could not load: ' + e.message));
        return;
      }
    }
    const inputs = {};
    const form = h('form', { class: 'panel form' },
      k.fields.map(([name, type]) => {
        const id = 'acl-' + name.toLowerCase();
        let v = item ? item[name] : '';
        if (type === 'names') v = (v || []).map((x) => x.Name).join(', ');
        const input = type === 'area' ? h('textarea', { id }, v || '') : h('input', { type: 'text', id, value: v || '' });
        inputs[name] = [input, type];
        return h('div', {}, h('label', { for: id }, name + (type === 'names' ? ' (names, comma-separated)' : '')), input);
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'),
        h('button', { type: 'button', onclick: () => draw() }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const out = {};
      for (const [name, [input, type]] of Object.entries(inputs)) {
        out[name] = type === 'names'
          ? input.value.split(',').map((s) => s.trim()).filter(Boolean).map((Name) => ({ Name })) : input.value;
      }
      try {
        await call('PUT', item ? k.one + '/' + encodeURIComponent(item[k.id]) : k.one, { body: JSON.stringify(out) });
        draw(notice('ok', 'Saved.'));
      } catch (e) { form.prepend(notice('error', 'Not saved: ' + e.message)); }
    });
    body.replaceChildren(h('h2', {}, (item ? 'Edit ' : 'New ') + k.title.toLowerCase()), form);
    form.querySelector('input, textarea').focus();
  }

  draw();
}

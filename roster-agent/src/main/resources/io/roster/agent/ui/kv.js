// Key/Value: folders, keys, create, edit (text or JSON), delete, delete folder, flags, lock holder,
// and Roster's history with diff and restore. Every write of an existing key is a CAS write on the
// ModifyIndex the page showed, so a concurrent edit is refused instead of lost.
import { get, call, watch, keyPath, decode, ApiError } from './api.js';
import { h, notice, table } from './dom.js';

export function kvPage(main, path, signal) {
  if (path === '' || path.endsWith('/')) folderPage(main, path, signal);
  else keyPage(main, path, signal);
}

function crumbs(path) {
  const parts = path.split('/').filter(Boolean);
  const out = [h('a', { href: '#/kv/' }, 'Key/Value')];
  let acc = '';
  parts.forEach((p, i) => {
    acc += p + (i < parts.length - 1 || path.endsWith('/') ? '/' : '');
    out.push(' / ', i === parts.length - 1 ? p : h('a', { href: '#/kv/' + acc }, p));
  });
  return h('div', { class: 'crumbs' }, out);
}

function folderPage(main, prefix, signal) {
  const msg = h('div');
  const list = h('div', { class: 'panel' });
  const create = h('a', { class: 'button primary', href: '#/kv/' + prefix + '?new' }, 'Create');
  const delFolder = prefix ? h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!confirm('Delete the folder ' + prefix + ' and every key in it?')) return;
    try {
      await call('DELETE', '/v1/kv/' + keyPath(prefix) + '?recurse');
      location.hash = '#/kv/' + parentOf(prefix);
    } catch (e) { msg.replaceChildren(notice('error', 'Delete failed: ' + e.message)); }
  } }, 'Delete folder') : null;
  main.append(crumbs(prefix), h('h1', {}, prefix || 'Key/Value', h('span', { class: 'live' }, 'live')), msg,
    h('div', { class: 'toolbar' }, create, delFolder), list);
  main.querySelector('h1').tabIndex = -1;
  main.querySelector('h1').focus({ preventScroll: true });
  watch('/v1/kv/' + keyPath(prefix) + '?keys&separator=/', (keys) => {
    const rows = (keys || []).filter((k) => k !== prefix).map((k) => {
      const name = k.slice(prefix.length);
      const folder = k.endsWith('/');
      return h('tr', { 'data-key': k },
        h('td', {}, h('a', { class: folder ? 'folder' : 'key', href: '#/kv/' + k }, name)),
        h('td', { class: 'meta' }, folder ? 'folder' : 'key'));
    });
    list.replaceChildren(table(['Name', 'Kind'], rows, prefix ? 'This folder is empty.' : 'No keys yet. Create one.'));
  }, { signal, allow404: true, onError: (e) => msg.replaceChildren(notice('error', 'Could not load: ' + e.message)) });
}

function parentOf(key) {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const at = trimmed.lastIndexOf('/');
  return at < 0 ? '' : trimmed.slice(0, at + 1);
}

function keyPage(main, rawPath, signal) {
  const isNew = rawPath.endsWith('?new');
  const path = isNew ? rawPath.slice(0, -4) : rawPath;
  if (isNew || path.endsWith('?new')) return editor(main, null, path.replace(/\?new$/, ''), signal);
  editor(main, path, parentOf(path), signal);
}

/** Creates (key null, folder given) or edits a key, with its history beside it. */
async function editor(main, key, folder, signal) {
  const msg = h('div', { 'aria-live': 'polite' });
  const nameInput = h('input', { type: 'text', id: 'kv-name', value: folder, spellcheck: 'false', 'aria-describedby': 'kv-name-help' });
  const value = h('textarea', { id: 'kv-value', spellcheck: 'false' });
  const flags = h('input', { type: 'number', id: 'kv-flags', min: '0', value: '0' });
  const json = h('input', { type: 'checkbox', id: 'kv-json' });
  const jsonState = h('span', { class: 'meta', id: 'kv-json-state', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'kv-save' }, key ? 'Save' : 'Create');
  const del = key ? h('button', { type: 'button', class: 'danger', id: 'kv-delete' }, 'Delete') : null;
  const lock = h('div');
  const history = h('div', { class: 'panel', id: 'kv-history' });
  const diffBox = h('div', { id: 'kv-diff' });
  let shown = null; // the entry as loaded: its ModifyIndex is the CAS index of the next save
  let dirty = false; // an edit in progress: a live update must not overwrite it
  const changed = h('div', { 'aria-live': 'polite' });

  const form = h('form', { class: 'panel form', id: 'kv-form' },
    key ? null : h('div', {}, h('label', { for: 'kv-name' }, 'Key'), nameInput,
      h('div', { class: 'meta', id: 'kv-name-help' }, 'End with / to create a folder.')),
    h('div', {}, h('label', { for: 'kv-value' }, 'Value'), value),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'kv-flags' }, 'Flags'), flags),
      h('div', {}, h('label', { for: 'kv-json' }, json, ' Validate as JSON'), jsonState)),
    lock, changed,
    h('div', { class: 'actions' }, save, del));

  main.append(crumbs(key || folder), h('h1', {}, key || 'New key'), msg);
  main.append(key ? h('div', { class: 'split' }, form, h('div', {}, h('h2', {}, 'History'), history, diffBox)) : form);
  if (key) { const title = main.querySelector('h1'); title.tabIndex = -1; title.focus({ preventScroll: true }); }
  else { nameInput.focus({ preventScroll: true }); nameInput.setSelectionRange(folder.length, folder.length); }

  const checkJson = () => {
    if (!json.checked) { jsonState.textContent = ''; value.removeAttribute('aria-invalid'); return true; }
    try {
      JSON.parse(value.value);
      jsonState.textContent = 'Valid JSON';
      value.removeAttribute('aria-invalid');
      return true;
    } catch (e) {
      jsonState.textContent = 'Invalid JSON: ' + e.message;
      value.setAttribute('aria-invalid', 'true');
      return false;
    }
  };
  json.addEventListener('change', checkJson);
  value.addEventListener('input', () => { dirty = true; checkJson(); });
  flags.addEventListener('input', () => { dirty = true; });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!checkJson()) { msg.replaceChildren(notice('error', 'The value is not valid JSON; fix it or untick "Validate as JSON".')); return; }
    const target = key || nameInput.value.trim();
    if (!target) { msg.replaceChildren(notice('error', 'A key needs a name.')); return; }
    const cas = key ? (shown ? shown.ModifyIndex : 0) : 0;
    const params = new URLSearchParams({ cas: String(cas), flags: String(Number(flags.value) || 0) });
    try {
      const r = await call('PUT', '/v1/kv/' + keyPath(target) + '?' + params, { body: target.endsWith('/') ? '' : value.value });
      if (r.body === false) {
        msg.replaceChildren(notice('error', key
          ? 'Not saved: someone else changed this key since you opened it. The page now shows their version; re-apply your edit.'
          : 'Not created: the key ' + target + ' already exists.'));
        if (key) await load(true);
        return;
      }
      if (!key) { location.hash = '#/kv/' + target; return; }
      msg.replaceChildren(notice('ok', 'Saved.'));
      await load(true);
    } catch (e) { msg.replaceChildren(notice('error', 'Not saved: ' + e.message)); }
  });

  if (!key) return;

  del.addEventListener('click', async () => {
    if (!confirm('Delete ' + key + '?')) return;
    try {
      const r = await call('DELETE', '/v1/kv/' + keyPath(key) + '?cas=' + (shown ? shown.ModifyIndex : 0));
      if (r.body === false) { msg.replaceChildren(notice('error', 'Not deleted: the key changed since you opened it.')); await load(true); return; }
      location.hash = '#/kv/' + parentOf(key);
    } catch (e) { msg.replaceChildren(notice('error', 'Delete failed: ' + e.message)); }
  });

  async function load(force) {
    const r = await get('/v1/kv/' + keyPath(key), { allow404: true, signal });
    const entry = r.body ? r.body[0] : null;
    if (!force && shown && entry && entry.ModifyIndex === shown.ModifyIndex) return;
    if (!force && dirty) {
      changed.replaceChildren(notice('error', 'This key was changed by someone else (index ' + (entry ? entry.ModifyIndex : 'deleted')
        + ') while you were editing: saving will be refused. Copy your edit, then reload the page.'));
      return;
    }
    shown = entry;
    dirty = false;
    changed.replaceChildren();
    if (entry) {
      value.value = decode(entry.Value);
      flags.value = String(entry.Flags);
      lock.replaceChildren(entry.Session
        ? notice('info', 'Locked by session ' + entry.Session + ' (lock index ' + entry.LockIndex + ').')
        : h('div', { class: 'meta' }, 'Not locked · modify index ' + entry.ModifyIndex + ' · lock index ' + entry.LockIndex));
      try { JSON.parse(value.value); json.checked = /^\s*[[{]/.test(value.value); } catch (e) { json.checked = false; }
      checkJson();
    } else {
      lock.replaceChildren(notice('info', 'This key does not exist (it was deleted). Its history is below; restore a version to bring it back.'));
      value.value = '';
    }
  }

  function restoreButton(v) {
    return h('button', { type: 'button', 'data-restore': String(v.ModifyIndex), onclick: async () => {
      const cas = shown ? shown.ModifyIndex : 0;
      try {
        const r = await call('PUT', '/v1/kv/' + keyPath(key) + '?cas=' + cas + '&flags=' + v.Flags, { body: decode(v.Value) });
        if (r.body === false) { msg.replaceChildren(notice('error', 'Not restored: the key changed meanwhile. Look again and retry.')); await load(true); return; }
        msg.replaceChildren(notice('ok', 'Restored the version of index ' + v.ModifyIndex + '.'));
        await load(true);
      } catch (e) { msg.replaceChildren(notice('error', 'Not restored: ' + e.message)); }
    } }, 'Restore');
  }

  let versions = [];
  function drawHistory() {
    const rows = versions.map((v, i) => h('tr', { 'data-version': String(v.ModifyIndex) },
      h('td', { class: 'num' }, String(v.ModifyIndex)),
      h('td', {}, v.Time ? h('time', { datetime: v.Time, title: v.Time }, shortTime(v.Time)) : '—'),
      h('td', {}, v.Deleted ? h('span', { class: 'badge critical' }, 'deleted') : v.Size + ' B'),
      h('td', { class: 'num' }, String(v.Flags)),
      h('td', {}, h('div', { class: 'actions' },
        i < versions.length - 1 ? h('button', { type: 'button', 'data-diff': String(v.ModifyIndex),
          onclick: () => showDiff(versions[i + 1], v) }, 'Diff') : null,
        i > 0 && !v.Deleted ? restoreButton(v) : null))));
    history.replaceChildren(table(['Index', 'Time', 'Size', 'Flags', ''], rows, 'No history kept for this key.'));
  }

  function showDiff(older, newer) {
    diffBox.replaceChildren(h('h2', {}, 'Index ' + older.ModifyIndex + ' → ' + newer.ModifyIndex),
      h('div', { class: 'panel diff' }, h('pre', {}, diffLines(decode(older.Value), decode(newer.Value)))));
  }

  await load(true).catch((e) => msg.replaceChildren(notice('error', 'Could not load: ' + e.message)));
  watch('/v1/kv/' + keyPath(key) + '?history', (body) => {
    versions = body || [];
    drawHistory();
    load(false).catch(() => {});
  }, { signal, allow404: true, onError: (e) => history.replaceChildren(notice('error', e instanceof ApiError ? e.message : String(e))) });
}

/** A line diff (longest common subsequence): removed lines, then added, in order. */
export function diffLines(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > 250000) return [h('span', { class: 'same' }, 'Too large to compare line by line.')];
  const n = x.length;
  const m = y.length;
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push(h('span', { class: 'same' }, '  ' + x[i])); i++; j++; }
    else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { out.push(h('span', { class: 'add' }, '+ ' + y[j])); j++; }
    else { out.push(h('span', { class: 'del' }, '- ' + x[i])); i++; }
  }
  return out;
}

/** A history time in the browser's zone, to the second: "2026-12-02 06:55:01". */
function shortTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
}

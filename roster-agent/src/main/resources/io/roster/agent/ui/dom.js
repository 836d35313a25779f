// Small DOM helpers: elements are built with textContent only (no HTML strings), so names, tags and
// values from the cluster can never inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function badge(status, text) {
  return h('span', { class: 'badge ' + status }, text ?? status);
}

export function tags(list) {
  return (list || []).map((t) => h('span', { class: 'tag' }, t));
}

export function notice(kind, text) {
  return h('div', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function table(headers, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('div', { class: 'empty' }, empty);
  return h('table', {},
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

/** The worst status of a list of checks: critical, warning or passing. */
export function worst(checks) {
  let w = 'passing';
  for (const c of checks || []) {
    if (c.Status === 'critical') return 'critical';
    if (c.Status === 'warning') w = 'warning';
  }
  return w;
}

/**
 * A paged list: 50 rows a page, so 1,000 services or nodes stay quick to render and to read with
 * a screen reader. Returns the element; call update(rows) with new rows (the page is kept).
 */
export function pager(headers, emptyText) {
  const size = 50;
  let page = 0;
  let rows = [];
  const body = h('div');
  const info = h('span', { class: 'meta', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', onclick: () => { page--; draw(); } }, 'Previous');
  const next = h('button', { type: 'button', onclick: () => { page++; draw(); } }, 'Next');
  const foot = h('div', { class: 'pager' }, info, prev, next);
  const el = h('div', { class: 'panel' }, body, foot);
  function draw() {
    const pages = Math.max(1, Math.ceil(rows.length / size));
    page = Math.min(Math.max(0, page), pages - 1);
    body.replaceChildren(table(headers, rows.slice(page * size, (page + 1) * size), emptyText));
    info.textContent = rows.length
      ? `${page * size + 1}–${Math.min(rows.length, (page + 1) * size)} of ${rows.length}` : '';
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    foot.hidden = rows.length <= size;
  }
  el.update = (r, reset = false) => { rows = r; if (reset) page = 0; draw(); };
  return el;
}

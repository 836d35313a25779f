// The HTTP API as the UI uses it: Consul's endpoints, the token from this browser, blocking queries.

const TOKEN_KEY = 'roster-token';

export function token() {
  return localStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(t) {
  if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY);
}

/** An answer that is not 2xx: the status and the agent's one-line message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message || ('HTTP ' + status));
    this.status = status;
  }
}

/** Encodes a KV key path segment by segment, so that '/' stays a separator. */
export function keyPath(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * One request. Returns {status, index, body} where body is parsed JSON (or text). 404 is not an
 * error when allow404 is set (an empty KV folder, a missing key).
 */
export async function call(method, path, { body, signal, allow404 = false, raw = false } = {}) {
  const headers = {};
  const t = token();
  if (t) headers['X-Consul-Token'] = t;
  const res = await fetch(path, { method, headers, body, signal, cache: 'no-store' });
  const index = Number(res.headers.get('X-Consul-Index') || 0);
  const text = await res.text();
  if (res.status === 404 && allow404) return { status: 404, index, body: null };
  if (res.status === 403 && !t) window.dispatchEvent(new CustomEvent('roster-token-needed'));
  if (!res.ok) throw new ApiError(res.status, text.trim());
  let parsed = text;
  if (!raw && text.length && (res.headers.get('Content-Type') || '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, index, body: parsed };
}

export const get = (path, opts) => call('GET', path, opts);

/**
 * Calls render(body) with the first answer, then again each time the answer changes, through
 * Consul's blocking queries (?index=N&wait=). Stops when signal aborts. Errors go to onError and
 * the loop retries after a pause. The wait is short (15s): over HTTP/1.1 a browser opens at most 6
 * connections to the agent, and a long poll of a page left behind can hold one until its wait ends.
 */
export async function watch(path, render, { signal, onError, allow404 = false, wait = '15s' } = {}) {
  let index = 0;
  while (!signal.aborted) {
    const sep = path.includes('?') ? '&' : '?';
    const url = index ? `${path}${sep}index=${index}&wait=${wait}` : path;
    try {
      const r = await get(url, { signal, allow404 });
      if (signal.aborted) return;
      // An index that went backwards (a restore, another server) starts over, as Consul advises.
      const next = r.index < index ? 0 : r.index;
      if (!index || next !== index) render(r.body, r);
      index = next || 1;
    } catch (e) {
      if (signal.aborted || e.name === 'AbortError') return;
      if (onError) onError(e);
      await pause(2000, signal);
      index = 0;
    }
  }
}

export function pause(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/** UTF-8 text of a base64 KV value; null stays null. */
export function decode(b64) {
  if (b64 == null) return '';
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

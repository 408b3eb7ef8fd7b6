// A small fetch wrapper shared by the console and the member pages.
//
// - The bearer token lives in localStorage, one key per app, so a staff
//   session and a member session in the same browser do not collide.
// - Failures become an ApiError built from the server's RFC 9457
//   problem+json answer: `code`, `detail`, and `errors[{field, code, message}]`
//   for validation (shown under the form field the error names).
// - A 401 on any call but login clears the token and calls onUnauthorized
//   (the apps send the user back to their login page).
import { i18n, lookup } from './i18n.js';

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code || (status ? `http.${status}` : 'network');
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
  }

  // { field: readable message } — the first problem of each field.
  fieldErrors() {
    const out = {};
    for (const e of this.errors) {
      if (e && e.field && !(e.field in out)) out[e.field] = translateFieldError(e);
    }
    return out;
  }
}

function tr(key, params) {
  const g = i18n.global;
  return g.te(key) ? g.t(key, params || {}) : null;
}

// A field problem in the UI language: a known code gets our own wording,
// anything else keeps the server's message.
export function translateFieldError(e) {
  const code = String(e.code || '');
  const own = lookup('apiErrors', code);
  if (own) return own;
  // Generic checks (`<field>.required`, `.too_long` …) share one wording;
  // the server's English message is kept in English mode (it names limits).
  const suffix = code.slice(code.lastIndexOf('.') + 1);
  if (i18n.global.locale.value !== 'en') {
    const generic = (i18n.global.getLocaleMessage('zh-CN').apiErrors.generic || {})[suffix];
    if (generic) return generic;
  }
  return e.message || code;
}

// One readable sentence for an error of any kind (network, problem+json, JS).
export function errorMessage(err) {
  if (!err) return '';
  if (!(err instanceof ApiError)) return String(err.message || err);
  if (err.code === 'network') return lookup('apiErrors', 'network', { fallback: true });
  if (err.code === 'validation' && err.errors.length) {
    return err.errors.map((e) => `${tr(`fields.${e.field}`) || e.field}: ${translateFieldError(e)}`).join('；');
  }
  const known = lookup('apiErrors', err.code);
  if (known) return err.code === 'auth.locked' && err.detail ? `${known}（${err.detail}）` : known;
  if (err.errors.length) return translateFieldError(err.errors[0]);
  return err.detail || err.title || lookup('apiErrors', 'unknown', { fallback: true });
}

export function createApi({ tokenKey, onUnauthorized }) {
  const getToken = () => localStorage.getItem(tokenKey) || '';
  const setToken = (t) => (t ? localStorage.setItem(tokenKey, t) : localStorage.removeItem(tokenKey));

  async function request(method, path, { body, query, headers = {}, noAuthRedirect = false, signal } = {}) {
    let url = '/api/v1' + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v === undefined || v === null || v === '') continue;
        qs.set(k, String(v));
      }
      const s = qs.toString();
      if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    const h = { Accept: 'application/json, application/problem+json', ...headers };
    const token = getToken();
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, { method, headers: h, body: payload, signal, cache: 'no-store' });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, { code: 'network', detail: String(e && e.message) });
    }
    const text = res.status === 204 ? '' : await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (res.ok) return data;
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : { detail: text.slice(0, 200) });
    if (res.status === 401 && !noAuthRedirect) {
      setToken('');
      if (onUnauthorized) onUnauthorized(err);
    }
    throw err;
  }

  return {
    request,
    get: (p, query, opts) => request('GET', p, { ...opts, query }),
    post: (p, body, opts) => request('POST', p, { ...opts, body }),
    patch: (p, body, opts) => request('PATCH', p, { ...opts, body }),
    put: (p, body, opts) => request('PUT', p, { ...opts, body }),
    getToken,
    setToken,
  };
}

// Fetch every page of a list call (for exports); stops at `limit` items.
export async function fetchAll(api, path, query, { pageSize = 200, limit = 20000, onProgress } = {}) {
  const items = [];
  for (let page = 1; ; page++) {
    const r = await api.get(path, { ...query, page, page_size: pageSize });
    items.push(...r.items);
    if (onProgress) onProgress(items.length, r.total);
    if (items.length >= r.total || r.items.length === 0 || items.length >= limit) return { items, total: r.total };
  }
}

export function idempotencyKey() {
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

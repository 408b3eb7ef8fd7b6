// The member pages' session: bearer token in localStorage `gh_member_token`
// (separate from the console's), the member's own record from GET /me.
import { reactive } from 'vue';
import { createApi, ApiError } from '@/shared/api.js';

let unauthorizedHandler = () => {};
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export const api = createApi({
  tokenKey: 'gh_member_token',
  onUnauthorized: (err) => {
    me.record = null;
    unauthorizedHandler(err);
  },
});

export const me = reactive({ record: null });

export async function login(phone, password) {
  const r = await api.post('/auth/login', { username: phone, password }, { noAuthRedirect: true });
  if (!r.account || r.account.kind !== 'member') {
    await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${r.token}` } }).catch(() => {});
    throw new ApiError(403, { code: 'login.staff_account' });
  }
  api.setToken(r.token);
  me.record = null;
  return r.account;
}

export async function loadMe(force = false) {
  if (me.record && !force) return me.record;
  me.record = await api.get('/me');
  return me.record;
}

export async function logout() {
  try {
    if (api.getToken()) await api.post('/auth/logout', undefined, { noAuthRedirect: true });
  } catch {
    /* gone already */
  }
  api.setToken('');
  me.record = null;
}

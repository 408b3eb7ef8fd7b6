// The console's session: the bearer token (localStorage `gh_admin_token`),
// the logged-in staff account with its permissions (GET /auth/me) and the
// org it is bound to (the root of everything it may see).
import { reactive } from 'vue';
import { createApi, ApiError } from '@/shared/api.js';

let unauthorizedHandler = () => {};
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export const api = createApi({
  tokenKey: 'gh_admin_token',
  onUnauthorized: (err) => {
    session.account = null;
    unauthorizedHandler(err);
  },
});

export const session = reactive({ account: null, org: null, perms: [] });

export function can(perm) {
  if (!perm) return true;
  return session.perms.includes(perm);
}

export async function loadSession() {
  const { account } = await api.get('/auth/me');
  if (account.kind !== 'staff') {
    api.setToken('');
    throw new ApiError(403, { code: 'forbidden', detail: 'member accounts use the member pages' });
  }
  session.perms = account.permissions || [];
  session.org = account.org_id ? await api.get(`/orgs/${account.org_id}`).catch(() => null) : null;
  session.account = account;
  return account;
}

export async function login(username, password) {
  const r = await api.post('/auth/login', { username, password }, { noAuthRedirect: true });
  if (!r.account || r.account.kind !== 'staff') {
    // A member's phone and password: the console is for staff only.
    await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${r.token}` } }).catch(() => {});
    throw new ApiError(403, { code: 'login.member_account' });
  }
  api.setToken(r.token);
  await loadSession();
  return r.account;
}

export async function logout() {
  try {
    if (api.getToken()) await api.post('/auth/logout', undefined, { noAuthRedirect: true });
  } catch {
    /* the session may be gone already */
  }
  api.setToken('');
  session.account = null;
  session.org = null;
  session.perms = [];
}

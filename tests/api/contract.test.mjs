// The fixed contract (docs/API.md "Fixed"): health, metrics, login, lockout,
// logout, tokens, and the audit trail of logins.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, assertProblem, sha256Hex, ADMIN_PASSWORD } from './harness.mjs';
import { STAFF_PASSWORD } from './fixtures.mjs';

let srv;
let admin;
let adminAccount;

before(async () => {
  srv = await startServer();
  const r = await srv.loginRaw('admin', ADMIN_PASSWORD);
  assert.equal(r.status, 200, r.text);
  admin = r.json.token;
  adminAccount = r.json.account;
});

after(async () => {
  if (srv) await srv.stop();
});

// Each test logs in from its own loopback address, so a per-address login
// rate limit in one test never spills into the next.
let addrCounter = 10;
let from;
beforeEach(() => {
  from = `127.0.${Math.floor(addrCounter / 250)}.${(addrCounter % 250) + 2}`;
  addrCounter++;
});
const loginRaw = (u, p) => srv.loginRaw(u, p, { from });
const login = (u, p) => srv.login(u, p, { from });

async function createStaff(username, roles = ['case_officer'], orgId = adminAccount.org_id) {
  const r = await srv.api('POST', '/api/v1/staff', {
    token: admin,
    body: { username, password: STAFF_PASSWORD, org_id: orgId, roles },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('GET /healthz answers exactly {"status":"ok"}', async () => {
  const r = await srv.api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(JSON.parse(r.text), { status: 'ok' });
  assert.deepEqual(JSON.parse(srv.healthzBody), { status: 'ok' });
});

test('GET /metrics is Prometheus text with request counts, latency and store commit metrics', async () => {
  await srv.api('GET', '/healthz');
  await srv.api('GET', '/api/v1/orgs/1', { token: admin });
  const r = await srv.api('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  const t = r.text;
  assert.match(t, /^# TYPE gonghui_http_requests_total counter$/m);
  assert.match(t, /^gonghui_http_requests_total\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} [1-9]\d*$/m);
  assert.match(t, /^gonghui_http_requests_total\{[^}]*route="\/api\/v1\/orgs\/\{id\}"[^}]*\} [1-9]\d*$/m);
  assert.match(t, /^gonghui_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]\d*$/m);
  assert.match(t, /^gonghui_store_commit_duration_seconds_(bucket|count|sum)/m);
  assert.match(t, /^gonghui_store_group_commit_batch_size_(bucket|count|sum)/m);
  // The admin login committed at least one write.
  const commits = /^gonghui_store_commits_total (\d+)$/m.exec(t);
  assert.ok(commits, 'gonghui_store_commits_total present');
  assert.ok(Number(commits[1]) >= 1, 'at least one commit counted');
  // Every sample line is "name{labels} value" or "name value".
  for (const line of t.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+Inf-]+$/, `sample line: ${line}`);
  }
});

test('login answers {token, expires_at, account:{id, username, kind, org_id, roles}}', async () => {
  const r = await loginRaw('admin', ADMIN_PASSWORD);
  assert.equal(r.status, 200);
  const b = r.json;
  assert.equal(typeof b.token, 'string');
  assert.ok(b.token.length >= 20, 'token long enough');
  assert.equal(typeof b.expires_at, 'string');
  const exp = Date.parse(b.expires_at);
  assert.ok(Number.isFinite(exp), `expires_at parses as a date: ${b.expires_at}`);
  assert.ok(exp > Date.now(), 'expires_at lies in the future');
  const a = b.account;
  assert.equal(typeof a.id, 'number');
  assert.equal(a.username, 'admin');
  assert.equal(a.kind, 'staff');
  assert.equal(typeof a.org_id, 'number');
  assert.ok(Array.isArray(a.roles));
  assert.ok(a.roles.includes('admin'));
  // The new token works.
  const me = await srv.api('GET', '/api/v1/auth/me', { token: b.token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.account.username, 'admin');
  // Two logins give two different tokens.
  assert.notEqual(b.token, admin);
});

test('wrong password and unknown user → 401 problem, no token', async () => {
  const wrong = await loginRaw('admin', 'WrongPw2026x');
  assertProblem(wrong, 401);
  assert.equal(wrong.json.token, undefined);
  const unknown = await loginRaw('nobody_here', 'WrongPw2026x');
  assertProblem(unknown, 401);
  // Same answer for both: no user enumeration.
  assert.equal(wrong.json.code, unknown.json.code);
  // The real admin is not locked by one failure.
  const ok = await loginRaw('admin', ADMIN_PASSWORD);
  assert.equal(ok.status, 200);
});

test('login with missing or mistyped fields → 422 naming the field', async () => {
  assertProblem(await srv.api('POST', '/api/v1/auth/login', { body: { username: 'admin' } }), 422, { field: 'password' });
  assertProblem(await srv.api('POST', '/api/v1/auth/login', { body: { username: 42, password: 'x' } }), 422, {
    field: 'username',
  });
});

test('repeated failures lock the account (423/429); then even the right password is refused', async () => {
  const acc = await createStaff('lock_target');
  // Sanity: the right password works before the lock.
  const first = await loginRaw('lock_target', STAFF_PASSWORD);
  assert.equal(first.status, 200, first.text);

  const statuses = [];
  for (let i = 0; i < 8; i++) {
    const r = await loginRaw('lock_target', `Wrong${i}pw2026`);
    statuses.push(r.status);
    if (r.status === 423 || r.status === 429) break;
  }
  assert.ok(
    statuses.at(-1) === 423 || statuses.at(-1) === 429,
    `a lock after repeated failures: ${statuses.join(',')}`,
  );
  assert.ok(statuses.slice(0, -1).every((s) => s === 401), `failures before the lock are 401: ${statuses}`);
  assert.ok(statuses.length <= 10);

  const right = await loginRaw('lock_target', STAFF_PASSWORD);
  assertProblem(right, [423, 429]);
  assert.equal(right.json.token, undefined, 'no token while locked');

  // The account shows as locked to an administrator; unlocking lets it in again.
  const get = await srv.api('GET', `/api/v1/staff/${acc.id}`, { token: admin });
  assert.equal(get.status, 200, get.text);
  assert.equal(get.json.locked, true);
  const unlock = await srv.api('PATCH', `/api/v1/staff/${acc.id}`, { token: admin, body: { unlock: true } });
  assert.equal(unlock.status, 200, unlock.text);
  const again = await loginRaw('lock_target', STAFF_PASSWORD);
  assert.equal(again.status, 200, again.text);
});

test('a lock on one account does not lock another', async () => {
  await createStaff('lock_a');
  await createStaff('lock_b');
  for (let i = 0; i < 6; i++) await loginRaw('lock_a', `Wrong${i}pw2026`);
  assertProblem(await loginRaw('lock_a', STAFF_PASSWORD), [423, 429]);
  const b = await loginRaw('lock_b', STAFF_PASSWORD);
  assert.equal(b.status, 200, b.text);
});

test('logout ends the session: the token is then refused with 401', async () => {
  const token = await login('admin', ADMIN_PASSWORD);
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token })).status, 200);
  const out = await srv.api('POST', '/api/v1/auth/logout', { token });
  assert.ok(out.status === 204 || out.status === 200, `logout status ${out.status}`);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token }), 401);
  assertProblem(await srv.api('GET', '/api/v1/orgs', { token }), 401);
  assertProblem(await srv.api('POST', '/api/v1/auth/logout', { token }), 401);
  // Other sessions of the same account live on.
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token: admin })).status, 200);
});

test('forged, malformed and missing tokens → 401 with WWW-Authenticate', async () => {
  const cases = [
    { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
    { authorization: `Bearer ${admin.slice(0, -2)}xx` },
    { authorization: 'Bearer short' },
    { authorization: `Basic ${Buffer.from('admin:' + ADMIN_PASSWORD).toString('base64')}` },
    { authorization: admin },
    {},
  ];
  for (const headers of cases) {
    const r = await srv.api('GET', '/api/v1/orgs', { headers });
    assertProblem(r, 401);
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
  }
});

test('an expired session is refused with 401 (and stays refused)', async () => {
  const token = await login('admin', ADMIN_PASSWORD);
  // Expire it in the store before its first use (nothing cached yet).
  await srv.sql(`UPDATE sessions SET expires_at = 1 WHERE token_hash = '${sha256Hex(token)}'`);
  const r = await srv.api('GET', '/api/v1/auth/me', { token });
  assertProblem(r, 401);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token }), 401);
});

test('a disabled account loses its sessions and cannot log in', async () => {
  const acc = await createStaff('to_disable');
  const token = await login('to_disable', STAFF_PASSWORD);
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token })).status, 200);
  const d = await srv.api('PATCH', `/api/v1/staff/${acc.id}`, { token: admin, body: { status: 'disabled' } });
  assert.equal(d.status, 200, d.text);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token }), 401);
  assertProblem(await loginRaw('to_disable', STAFF_PASSWORD), 401);
});

test('login failures appear in /audit; the audit chain verifies', async () => {
  await createStaff('audited_user');
  const before = await srv.api('GET', '/api/v1/audit?action=auth.login&result=failed&page_size=200', { token: admin });
  assert.equal(before.status, 200, before.text);
  const n0 = before.json.total;
  assert.equal((await loginRaw('audited_user', 'Wrong1pw2026')).status, 401);
  assert.equal((await loginRaw('audited_user', 'Wrong2pw2026')).status, 401);
  assert.equal((await loginRaw('ghost_user', 'Wrong3pw2026')).status, 401);
  const afterR = await srv.api('GET', '/api/v1/audit?action=auth.login&result=failed&page_size=200', { token: admin });
  assert.equal(afterR.status, 200);
  assert.equal(afterR.json.total, n0 + 3, 'three more failed logins audited');
  const items = afterR.json.items;
  assert.ok(items.some((e) => e.actor_name === 'audited_user' && e.action === 'auth.login' && e.result === 'failed'));
  assert.ok(items.some((e) => e.actor_name === 'ghost_user' || e.detail === 'unknown user'));
  // Passwords never land in the trail.
  assert.ok(!afterR.text.includes('Wrong1pw2026'));

  const v = await srv.api('GET', '/api/v1/audit/verify', { token: admin });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, v.text);
  assert.ok(v.json.rows > 0);
});

test('GET /audit needs the audit permission', async () => {
  await createStaff('no_audit', ['case_officer']);
  const token = await login('no_audit', STAFF_PASSWORD);
  assertProblem(await srv.api('GET', '/api/v1/audit', { token }), 403);
  assertProblem(await srv.api('GET', '/api/v1/audit/verify', { token }), 403);
  assertProblem(await srv.api('GET', '/api/v1/audit'), 401);
  // The denial itself is audited.
  const d = await srv.api('GET', '/api/v1/audit?action=access.denied', { token: admin });
  assert.equal(d.status, 200);
  assert.ok(d.json.total >= 1);
});

test('responses carry X-Request-Id; unknown routes → 404 problem; wrong method → 405 with Allow', async () => {
  const r = await srv.api('GET', '/api/v1/no-such-thing', { token: admin });
  assertProblem(r, 404);
  assert.ok(r.headers.get('x-request-id'));
  const m = await srv.api('DELETE', '/api/v1/auth/login');
  assertProblem(m, 405);
  assert.match(m.headers.get('allow') || '', /POST/);
});

test('many login attempts from one address → 429; other addresses are unaffected', async () => {
  await createStaff('rate_target');
  const statuses = [];
  for (let i = 0; i < 150; i++) {
    const r = await loginRaw(`nobody_${i}`, 'Wrong1pw2026');
    statuses.push(r.status);
    if (r.status === 429) {
      assertProblem(r, 429);
      break;
    }
    assert.equal(r.status, 401, `attempt ${i}: ${r.text}`);
  }
  assert.equal(statuses.at(-1), 429, `rate limited after ${statuses.length} attempts`);
  const limitedAt = Date.now();
  // Even the right password is refused from that address for now … The
  // bucket refills one attempt a second, so on a slow machine a second or
  // two may pass before these arrive: of five at once, at most that many
  // get through and the rest are refused.
  const right = await Promise.all(Array.from({ length: 5 }, () => loginRaw('rate_target', STAFF_PASSWORD)));
  const refilled = Math.ceil((Date.now() - limitedAt) / 1000);
  const refused = right.filter((r) => r.status === 429);
  assert.ok(refused.length >= 5 - refilled, `${refused.length} of 5 refused after ${refilled} s`);
  for (const r of refused) assertProblem(r, 429);
  for (const r of right.filter((x) => x.status !== 429)) assert.equal(r.status, 200, r.text);
  // … but not from another one, and the account itself is not locked.
  const other = await srv.loginRaw('rate_target', STAFF_PASSWORD, { from: '127.1.0.77' });
  assert.equal(other.status, 200, other.text);
});

test('changing the password ends every session of the account; the new one works', async () => {
  await createStaff('pw_changer');
  const t1 = await login('pw_changer', STAFF_PASSWORD);
  const t2 = await login('pw_changer', STAFF_PASSWORD);
  assertProblem(
    await srv.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: 'Wrong1pw2026', new_password: 'Changed2026pw' } }),
    422,
    { field: 'old_password' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: STAFF_PASSWORD, new_password: 'weak' } }),
    422,
    { field: 'new_password' },
  );
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token: t2 })).status, 200, 'refused changes ended nothing');
  const ok = await srv.api('POST', '/api/v1/auth/password', {
    token: t1,
    body: { old_password: STAFF_PASSWORD, new_password: 'Changed2026pw' },
  });
  assert.ok(ok.status === 204 || ok.status === 200, `${ok.status} ${ok.text}`);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: t2 }), 401);
  assertProblem(await loginRaw('pw_changer', STAFF_PASSWORD), 401);
  assert.equal((await loginRaw('pw_changer', 'Changed2026pw')).status, 200);
});

test('a role change applies to live sessions at once', async () => {
  const acc = await createStaff('role_changer', ['org_manager']);
  const token = await login('role_changer', STAFF_PASSWORD);
  assert.equal((await srv.api('GET', '/api/v1/staff', { token })).status, 200);
  const p = await srv.api('PATCH', `/api/v1/staff/${acc.id}`, { token: admin, body: { roles: ['reviewer'] } });
  assert.equal(p.status, 200, p.text);
  assertProblem(await srv.api('GET', '/api/v1/staff', { token }), 403);
  const me = await srv.api('GET', '/api/v1/auth/me', { token });
  assert.deepEqual(me.json.account.roles, ['reviewer']);
});

test('an idle session past the idle timeout is refused with 401', async () => {
  const token = await login('admin', ADMIN_PASSWORD);
  // Last seen two hours ago (the staff idle timeout is far shorter).
  const twoHoursAgo = Date.now() - 2 * 3600 * 1000;
  await srv.sql(`UPDATE sessions SET last_seen_at = ${twoHoursAgo}, created_at = ${twoHoursAgo} WHERE token_hash = '${sha256Hex(token)}'`);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token }), 401);
});

test('the binary serves its web app (/admin/, /m/) whatever directory it runs from', async () => {
  // The harness starts the server in its temp data dir, far from the repo.
  assert.notEqual(srv.cwd, process.cwd());
  for (const p of ['/admin/', '/m/']) {
    const r = await srv.api('GET', p);
    assert.equal(r.status, 200, `${p}: ${r.status} (is the web app built next to the binary?)`);
    assert.match(r.headers.get('content-type') || '', /^text\/html/);
    assert.match(r.text, /<html|<!doctype html/i);
  }
  const root = await srv.raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.ok([200, 301, 302, 307, 308].includes(root.status), `GET / → ${root.status}`);
});

// Member self-registration (real-name match), member access, and staff
// account creation — on the `serve --demo` data set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem, DEMO_PASSWORD, ADMIN_PASSWORD } from './harness.mjs';
import { memberBody, countOf } from './fixtures.mjs';
import { makeCitizenId, maskOf, freshCitizenId, freshPhone } from './gen.mjs';

let srv;
const tok = {};
const acct = {};
let wangFang; // {cid, phone, name, id}
let liMing;

before(async () => {
  srv = await startServer({ demo: true });
  tok.admin = await srv.login('admin', ADMIN_PASSWORD);
  const names = ['yn_admin', 'km_manager', 'county_officer', 'other_county_officer', 'grassroots_officer', 'yn_auditor', 'yn_reviewer'];
  await Promise.all(
    names.map(async (n) => {
      const r = await srv.loginRaw(n, DEMO_PASSWORD);
      assert.equal(r.status, 200, `demo login ${n}: ${r.text}`);
      tok[n] = r.json.token;
      acct[n] = r.json.account;
    }),
  );
  // The demo's two fixed members: their IDs come from the first unit's region.
  const find = async (phone) => {
    const r = await srv.api('GET', `/api/v1/members?q=${phone}`, { token: tok.yn_admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 1, `demo member with phone ${phone}`);
    return r.json.items[0];
  };
  const wf = await find('13900139000');
  const lm = await find('13800138000');
  const unit = await srv.api('GET', `/api/v1/units/${wf.unit_id}`, { token: tok.yn_admin });
  assert.equal(unit.status, 200, unit.text);
  const region = unit.json.region_code;
  wangFang = { id: wf.id, name: '王芳', phone: '13900139000', cid: makeCitizenId(region, '1992-08-08', 246), unit_id: wf.unit_id };
  liMing = { id: lm.id, name: '李明', phone: '13800138000', cid: makeCitizenId(region, '1990-05-17', 123) };
  assert.equal(wf.name, '王芳');
  assert.equal(wf.citizen_id_masked, maskOf(wangFang.cid), 'computed 王芳 citizen ID matches the demo');
  assert.equal(lm.citizen_id_masked, maskOf(liMing.cid));
});

after(async () => {
  if (srv) await srv.stop();
});

// Each registration from its own loopback address, so the per-address
// registration rate limit (tested on its own below) never interferes.
let regAddr = 0;
const register = (body) => {
  regAddr++;
  return srv.api('POST', '/api/v1/auth/register', { body, from: `127.0.${100 + Math.floor(regAddr / 250)}.${(regAddr % 250) + 2}` });
};
const memberAccounts = async () =>
  (await srv.api('GET', '/api/v1/audit?action=auth.register&result=ok', { token: tok.yn_admin })).json.total;

test('register with data that does not match the roster → 422; nothing created', async () => {
  const before = await memberAccounts();
  const good = { citizen_id: wangFang.cid, name: wangFang.name, phone: wangFang.phone, password: 'Member2026pw' };
  const bad = [
    { ...good, name: '王方' },
    { ...good, phone: '13900139001' },
    { ...good, citizen_id: makeCitizenId(wangFang.cid.slice(0, 6), '1992-08-08', 248) }, // a sister's ID
    { ...good, citizen_id: freshCitizenId() },
  ];
  for (const body of bad) {
    const r = await register(body);
    assertProblem(r, 422);
    assert.equal(r.json.token, undefined);
  }
  // Format problems name their fields.
  assertProblem(await register({ ...good, citizen_id: wangFang.cid.slice(0, 17) + (wangFang.cid[17] === '0' ? '1' : '0') }), 422, {
    field: 'citizen_id',
  });
  assertProblem(await register({ ...good, phone: '12345' }), 422, { field: 'phone' });
  assertProblem(await register({ ...good, password: 'short' }), 422, { field: 'password' });
  assertProblem(await register({ name: good.name }), 422);
  // No account came into being: the phone cannot log in.
  assertProblem(await srv.loginRaw(wangFang.phone, 'Member2026pw'), 401);
  assert.equal(await memberAccounts(), before);
  // Failed matches are audited (tied to no org: the top org's admin sees them).
  const a = await srv.api('GET', '/api/v1/audit?action=auth.register&result=failed', { token: tok.admin });
  assert.equal(a.status, 200, a.text);
  assert.ok(a.json.total >= 4, `failed registrations audited: ${a.json.total}`);
});

test('register with matching ID, name and phone → 201; login by phone → kind member; /me works', async () => {
  const r = await register({ citizen_id: wangFang.cid, name: wangFang.name, phone: wangFang.phone, password: 'Member2026pw' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'member');
  assert.ok(!r.text.includes(wangFang.cid), 'no plain ID in the answer');
  assert.ok(!r.text.includes(wangFang.phone), 'no plain phone in the answer');

  const login = await srv.loginRaw(wangFang.phone, 'Member2026pw');
  assert.equal(login.status, 200, login.text);
  assert.equal(login.json.account.kind, 'member');
  assert.ok('org_id' in login.json.account && 'roles' in login.json.account && 'id' in login.json.account);
  assert.ok(!login.text.includes(wangFang.phone), 'the login answer masks the phone');
  tok.wangfang = login.json.token;
  // Phone spellings are normalised (+86, spaces).
  const alt = await srv.loginRaw('+86 139 0013 9000', 'Member2026pw');
  assert.equal(alt.status, 200, alt.text);

  const me = await srv.api('GET', '/api/v1/me', { token: tok.wangfang });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.id, wangFang.id);
  assert.equal(me.json.name, '王芳');
  assert.equal(me.json.citizen_id_masked, maskOf(wangFang.cid));
  assert.ok(!me.text.includes(wangFang.cid));
  const am = await srv.api('GET', '/api/v1/auth/me', { token: tok.wangfang });
  assert.equal(am.status, 200);
  assert.equal(am.json.account.kind, 'member');
});

test('registering twice → 409', async () => {
  const r = await register({ citizen_id: wangFang.cid, name: wangFang.name, phone: wangFang.phone, password: 'Another2026pw' });
  assertProblem(r, 409);
  // The first password still works, the second does not.
  assertProblem(await srv.loginRaw(wangFang.phone, 'Another2026pw'), 401);
  // 李明 is registered by the demo already.
  assertProblem(await register({ citizen_id: liMing.cid, name: liMing.name, phone: liMing.phone, password: 'Another2026pw' }), 409);
  const lm = await srv.loginRaw(liMing.phone, DEMO_PASSWORD);
  assert.equal(lm.status, 200, lm.text);
  assert.equal(lm.json.account.kind, 'member');
  tok.liming = lm.json.token;
});

test('a member reads its own record, never another member’s, and no staff routes', async () => {
  const own = await srv.api('GET', `/api/v1/members/${wangFang.id}`, { token: tok.wangfang });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.name, '王芳');
  assert.ok(!own.text.includes(wangFang.cid));
  assert.equal((await srv.api('GET', `/api/v1/members/${wangFang.id}/history`, { token: tok.wangfang })).status, 200);

  const other = await srv.api('GET', `/api/v1/members/${liMing.id}`, { token: tok.wangfang });
  assertProblem(other, [403, 404]);
  assert.ok(!other.text.includes('李明'));
  assertProblem(await srv.api('GET', `/api/v1/members/${liMing.id}/history`, { token: tok.wangfang }), [403, 404]);
  const back = await srv.api('GET', `/api/v1/members/${wangFang.id}`, { token: tok.liming });
  assertProblem(back, [403, 404]);
  assert.ok(!back.text.includes('王芳'));

  for (const [method, p, body] of [
    ['GET', '/api/v1/members', undefined],
    ['GET', '/api/v1/orgs', undefined],
    ['POST', '/api/v1/members', memberBody(wangFang.unit_id)],
    ['POST', `/api/v1/members/${liMing.id}/reveal`, { reason: '想看看' }],
    ['PATCH', `/api/v1/members/${wangFang.id}`, { name: '自己改名' }],
    ['GET', '/api/v1/audit', undefined],
    ['POST', '/api/v1/staff', { username: 'sneaky', password: 'Sneaky2026pw', org_id: 1, roles: ['admin'] }],
  ]) {
    const r = await srv.api(method, p, { token: tok.wangfang, body });
    assertProblem(r, [403, 404]);
  }
  const still = await srv.api('GET', `/api/v1/members/${wangFang.id}`, { token: tok.yn_admin });
  assert.equal(still.json.name, '王芳');
  // Staff cannot use the member-only /me.
  assertProblem(await srv.api('GET', '/api/v1/me', { token: tok.county_officer }), [403, 404]);
});

test('demo scope: county staff cannot see another county’s members', async () => {
  // 李明 belongs to county_officer's county (first county of the first city).
  const own = await srv.api('GET', `/api/v1/members/${liMing.id}`, { token: tok.county_officer });
  assert.equal(own.status, 200, own.text);
  const foreign = await srv.api('GET', `/api/v1/members/${liMing.id}`, { token: tok.other_county_officer });
  assertProblem(foreign, [403, 404]);
  assert.ok(!foreign.text.includes('李明'));
  const l = await srv.api('GET', `/api/v1/members?q=${liMing.phone}`, { token: tok.other_county_officer });
  assert.equal(l.json.total, 0);
  // Both counties have members of their own; the totals are disjoint parts of the province's.
  const a = await countOf(srv, tok.county_officer, '/api/v1/members?page_size=1');
  const b = await countOf(srv, tok.other_county_officer, '/api/v1/members?page_size=1');
  const all = await countOf(srv, tok.yn_admin, '/api/v1/members?page_size=1');
  assert.ok(a > 0 && b > 0);
  assert.ok(a + b < all);
  const km = await countOf(srv, tok.km_manager, '/api/v1/members?page_size=1');
  assert.ok(km >= a && km < all);
  // Reviewer reads, cannot write.
  assert.equal((await srv.api('GET', `/api/v1/members/${liMing.id}`, { token: tok.yn_reviewer })).status, 200);
  assertProblem(
    await srv.api('PATCH', `/api/v1/members/${liMing.id}`, { token: tok.yn_reviewer, body: { name: '改名' } }),
    403,
  );
});

const staffCount = () => countOf(srv, tok.yn_admin, '/api/v1/staff?page_size=1');

test('POST /staff creates an account inside the caller’s subtree; it can log in', async () => {
  const before = await staffCount();
  const countyOrg = acct.county_officer.org_id;
  // km_manager holds org_manager, so it may grant org_manager below itself.
  const r = await srv.api('POST', '/api/v1/staff', {
    token: tok.km_manager,
    body: { username: 'km_new_manager', password: 'NewStaff2026', org_id: countyOrg, roles: ['org_manager'] },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.json.id, 'number');
  assert.equal(r.json.username, 'km_new_manager');
  assert.equal(r.json.kind, 'staff');
  assert.equal(r.json.org_id, countyOrg);
  assert.deepEqual(r.json.roles, ['org_manager']);
  assert.ok(!r.text.includes('NewStaff2026'), 'password not echoed');
  assert.equal(await staffCount(), before + 1);

  const login = await srv.loginRaw('km_new_manager', 'NewStaff2026');
  assert.equal(login.status, 200, login.text);
  assert.equal(login.json.account.kind, 'staff');
  assert.equal(login.json.account.org_id, countyOrg);
  assert.deepEqual(login.json.account.roles, ['org_manager']);
  const newTok = login.json.token;
  // Its scope is the county: 李明 visible, the other county's officer not.
  assert.equal((await srv.api('GET', `/api/v1/members/${liMing.id}`, { token: newTok })).status, 200);
  assertProblem(await srv.api('GET', `/api/v1/staff/${acct.other_county_officer.id}`, { token: newTok }), [403, 404]);
  // The creator can read it back; another subtree cannot.
  assert.equal((await srv.api('GET', `/api/v1/staff/${r.json.id}`, { token: tok.km_manager })).status, 200);
  // The bootstrap/province admin may grant any role.
  const byAdmin = await srv.api('POST', '/api/v1/staff', {
    token: tok.yn_admin,
    body: { username: 'yn_new_officer', password: 'NewStaff2026', org_id: countyOrg, roles: ['case_officer'] },
  });
  assert.equal(byAdmin.status, 201, byAdmin.text);
  assert.equal((await srv.loginRaw('yn_new_officer', 'NewStaff2026')).status, 200);
});

test('an org_manager may create a case_officer (a role whose permissions it holds)', async () => {
  // org_manager's permissions are a superset of case_officer's; refusing this
  // leaves a city manager able to create managers but not officers.
  const r = await srv.api('POST', '/api/v1/staff', {
    token: tok.km_manager,
    body: { username: 'km_new_officer', password: 'NewStaff2026', org_id: acct.county_officer.org_id, roles: ['case_officer'] },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal((await srv.loginRaw('km_new_officer', 'NewStaff2026')).status, 200);
});

test('POST /staff refuses roles the caller does not hold (422), other subtrees (403/404), no permission (403)', async () => {
  const before = await staffCount();
  const countyOrg = acct.county_officer.org_id;
  for (const roles of [['admin'], ['auditor'], ['org_manager', 'auditor'], ['org_manager', 'admin']]) {
    const r = await srv.api('POST', '/api/v1/staff', {
      token: tok.km_manager,
      body: { username: 'km_escalate', password: 'NewStaff2026', org_id: countyOrg, roles },
    });
    assertProblem(r, 422, { field: 'roles' });
  }
  assertProblem(
    await srv.api('POST', '/api/v1/staff', {
      token: tok.km_manager,
      body: { username: 'km_badrole', password: 'NewStaff2026', org_id: countyOrg, roles: ['superuser'] },
    }),
    422,
    { field: 'roles' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/staff', {
      token: tok.km_manager,
      body: { username: 'km_noroles', password: 'NewStaff2026', org_id: countyOrg, roles: [] },
    }),
    422,
    { field: 'roles' },
  );
  const outside = await srv.api('POST', '/api/v1/staff', {
    token: tok.km_manager,
    body: { username: 'km_outside', password: 'NewStaff2026', org_id: acct.other_county_officer.org_id, roles: ['org_manager'] },
  });
  assertProblem(outside, [403, 404]);
  const above = await srv.api('POST', '/api/v1/staff', {
    token: tok.km_manager,
    body: { username: 'km_above', password: 'NewStaff2026', org_id: acct.yn_admin.org_id, roles: ['org_manager'] },
  });
  assertProblem(above, [403, 404]);
  const unknownOrg = await srv.api('POST', '/api/v1/staff', {
    token: tok.km_manager,
    body: { username: 'km_nowhere', password: 'NewStaff2026', org_id: 9_999_999, roles: ['org_manager'] },
  });
  assertProblem(unknownOrg, [403, 404, 422]);
  const noPerm = await srv.api('POST', '/api/v1/staff', {
    token: tok.county_officer,
    body: { username: 'co_new', password: 'NewStaff2026', org_id: countyOrg, roles: ['case_officer'] },
  });
  assertProblem(noPerm, 403);
  // Bad usernames / passwords, duplicates.
  assertProblem(
    await srv.api('POST', '/api/v1/staff', {
      token: tok.km_manager,
      body: { username: '1bad name', password: 'NewStaff2026', org_id: countyOrg, roles: ['org_manager'] },
    }),
    422,
    { field: 'username' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/staff', {
      token: tok.km_manager,
      body: { username: 'km_weak', password: 'password', org_id: countyOrg, roles: ['org_manager'] },
    }),
    422,
    { field: 'password' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/staff', {
      token: tok.km_manager,
      body: { username: 'county_officer', password: 'NewStaff2026', org_id: countyOrg, roles: ['org_manager'] },
    }),
    409,
  );
  assert.equal(await staffCount(), before);
  for (const u of ['km_escalate', 'km_badrole', 'km_noroles', 'km_outside', 'km_above', 'km_nowhere', 'co_new', 'km_weak'])
    assertProblem(await srv.loginRaw(u, 'NewStaff2026'), 401);
  // The existing account was not overwritten by the duplicate.
  assert.equal((await srv.loginRaw('county_officer', DEMO_PASSWORD)).status, 200);
  // Reading staff of another subtree is refused too.
  const other = await srv.api('GET', `/api/v1/staff/${acct.other_county_officer.id}`, { token: tok.km_manager });
  assertProblem(other, [403, 404]);
  assert.ok(!other.text.includes('other_county_officer'));
  const list = await srv.api('GET', '/api/v1/staff?page_size=200', { token: tok.km_manager });
  assert.ok(!list.json.items.some((a) => a.username === 'other_county_officer' || a.username === 'yn_admin'));
  // Raising one's own roles via PATCH is refused.
  const esc = await srv.api('PATCH', `/api/v1/staff/${acct.km_manager.id}`, { token: tok.km_manager, body: { roles: ['admin'] } });
  assertProblem(esc, [403, 404, 422]);
  const kmNow = await srv.api('GET', `/api/v1/staff/${acct.km_manager.id}`, { token: tok.yn_admin });
  assert.deepEqual(kmNow.json.roles, ['org_manager']);
});

test('a staff member created by admin with a fresh member can register the new member', async () => {
  // End to end: staff creates a member, the worker registers and logs in.
  const body = memberBody(wangFang.unit_id, { name: '赵新会员', citizen_id: freshCitizenId(), phone: freshPhone() });
  const c = await srv.api('POST', '/api/v1/members', { token: tok.county_officer, body });
  assert.equal(c.status, 201, c.text);
  const r = await register({ citizen_id: body.citizen_id, name: body.name, phone: body.phone, password: 'Worker2026pw' });
  assert.equal(r.status, 201, r.text);
  const login = await srv.loginRaw(body.phone, 'Worker2026pw');
  assert.equal(login.status, 200);
  const me = await srv.api('GET', '/api/v1/me', { token: login.json.token });
  assert.equal(me.json.id, c.json.id);
  // An ended membership cannot register.
  const body2 = memberBody(wangFang.unit_id, { name: '钱离职', citizen_id: freshCitizenId(), phone: freshPhone() });
  const c2 = await srv.api('POST', '/api/v1/members', { token: tok.county_officer, body: body2 });
  assert.equal(c2.status, 201);
  await srv.api('POST', `/api/v1/members/${c2.json.id}/status`, { token: tok.county_officer, body: { status: 'ended', reason: '离职' } });
  assertProblem(await register({ citizen_id: body2.citizen_id, name: body2.name, phone: body2.phone, password: 'Worker2026pw' }), 422);
});

test('a member account follows its roster entry: new phone logs in, ended membership cannot', async () => {
  const body = memberBody(wangFang.unit_id, { name: '孙换号', citizen_id: freshCitizenId(), phone: freshPhone() });
  const c = await srv.api('POST', '/api/v1/members', { token: tok.county_officer, body });
  assert.equal(c.status, 201, c.text);
  assert.equal((await register({ citizen_id: body.citizen_id, name: body.name, phone: body.phone, password: 'Worker2026pw' })).status, 201);
  const session = await srv.login(body.phone, 'Worker2026pw');

  // Staff change the phone on the roster: the login name follows.
  const newPhone = freshPhone();
  const p = await srv.api('PATCH', `/api/v1/members/${c.json.id}`, { token: tok.county_officer, body: { phone: newPhone } });
  assert.equal(p.status, 200, p.text);
  assertProblem(await srv.loginRaw(body.phone, 'Worker2026pw'), 401);
  const byNew = await srv.loginRaw(newPhone, 'Worker2026pw');
  assert.equal(byNew.status, 200, byNew.text);
  // Another member's account phone cannot be taken over.
  const clash = await srv.api('PATCH', `/api/v1/members/${c.json.id}`, { token: tok.county_officer, body: { phone: wangFang.phone } });
  assertProblem(clash, 409);
  assert.equal((await srv.loginRaw(newPhone, 'Worker2026pw')).status, 200);

  // Suspended: live sessions end and login is refused; reactivated: it works again.
  const s = await srv.api('POST', `/api/v1/members/${c.json.id}/status`, {
    token: tok.county_officer,
    body: { status: 'suspended', reason: '暂停会籍' },
  });
  assert.equal(s.status, 200, s.text);
  assertProblem(await srv.api('GET', '/api/v1/me', { token: session }), 401);
  assertProblem(await srv.api('GET', '/api/v1/me', { token: byNew.json.token }), 401);
  assertProblem(await srv.loginRaw(newPhone, 'Worker2026pw'), 401);
  const back = await srv.api('POST', `/api/v1/members/${c.json.id}/status`, {
    token: tok.county_officer,
    body: { status: 'active', reason: '恢复会籍' },
  });
  assert.equal(back.status, 200, back.text);
  assert.equal((await srv.loginRaw(newPhone, 'Worker2026pw')).status, 200);
});

test('staff cannot reset the password of, or change, an account holding roles they lack', async () => {
  const countyOrg = acct.county_officer.org_id;
  const aud = await srv.api('POST', '/api/v1/staff', {
    token: tok.yn_admin,
    body: { username: 'county_auditor', password: 'Auditor2026pw', org_id: countyOrg, roles: ['auditor'] },
  });
  assert.equal(aud.status, 201, aud.text);
  const reset = await srv.api('POST', `/api/v1/staff/${aud.json.id}/password`, {
    token: tok.km_manager,
    body: { password: 'Hijacked2026pw' },
  });
  assertProblem(reset, [403, 404, 422]);
  assertProblem(await srv.loginRaw('county_auditor', 'Hijacked2026pw'), 401);
  const disable = await srv.api('PATCH', `/api/v1/staff/${aud.json.id}`, { token: tok.km_manager, body: { status: 'disabled' } });
  assertProblem(disable, [403, 404, 422]);
  const demote = await srv.api('PATCH', `/api/v1/staff/${aud.json.id}`, { token: tok.km_manager, body: { roles: ['reviewer'] } });
  assertProblem(demote, [403, 404, 422]);
  const login = await srv.loginRaw('county_auditor', 'Auditor2026pw');
  assert.equal(login.status, 200, login.text);
  assert.deepEqual(login.json.account.roles, ['auditor']);
  // An account with a subset of the manager's roles can be reset by it.
  const officer = await srv.api('POST', '/api/v1/staff', {
    token: tok.yn_admin,
    body: { username: 'county_officer2', password: 'Officer2026pw', org_id: countyOrg, roles: ['case_officer'] },
  });
  assert.equal(officer.status, 201, officer.text);
  const ok = await srv.api('POST', `/api/v1/staff/${officer.json.id}/password`, { token: tok.km_manager, body: { password: 'Reset2026pw' } });
  assert.ok(ok.status === 204 || ok.status === 200, ok.text);
  assert.equal((await srv.loginRaw('county_officer2', 'Reset2026pw')).status, 200);
  assertProblem(await srv.loginRaw('county_officer2', 'Officer2026pw'), 401);
});

test('only the top org may verify the whole audit chain; auditors below read their subtree', async () => {
  const top = await srv.api('GET', '/api/v1/audit/verify', { token: tok.admin });
  assert.equal(top.status, 200, top.text);
  assert.equal(top.json.ok, true, top.text);
  assertProblem(await srv.api('GET', '/api/v1/audit/verify', { token: tok.yn_auditor }), [403, 404]);
  const list = await srv.api('GET', '/api/v1/audit?page_size=200', { token: tok.yn_auditor });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.total > 0);
  // Failed registrations (tied to no org) are not shown below the top org.
  const reg = await srv.api('GET', '/api/v1/audit?action=auth.register&result=failed', { token: tok.yn_auditor });
  assert.equal(reg.json.total, 0);
  assertProblem(await srv.api('GET', '/api/v1/audit', { token: tok.km_manager }), 403);
});

test('concurrent registrations of one worker: one 201, the rest 409 (never 500)', async () => {
  const body = memberBody(wangFang.unit_id, { name: '周并发', citizen_id: freshCitizenId(), phone: freshPhone() });
  const c = await srv.api('POST', '/api/v1/members', { token: tok.county_officer, body });
  assert.equal(c.status, 201, c.text);
  const rs = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      register({ citizen_id: body.citizen_id, name: body.name, phone: body.phone, password: `Parallel${i}pw2026` }),
    ),
  );
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
  assert.ok(statuses.every((s) => s === 201 || s === 409), statuses.join(','));
  // Exactly one of the passwords works.
  let ok = 0;
  for (let i = 0; i < 5; i++) if ((await srv.loginRaw(body.phone, `Parallel${i}pw2026`)).status === 200) ok++;
  assert.equal(ok, 1);
});

test('registration attempts are rate-limited per address: bursts of 30, then 429', async () => {
  const from = '127.0.99.9';
  const body = { citizen_id: freshCitizenId(), name: '限流测试', phone: freshPhone(), password: 'Member2026pw' };
  // 36 at once: the burst of 30 passes, the rest are refused. The bucket refills one every 2 s
  // and queued requests reach the check a little later (each attempt hashes with Argon2id), so
  // up to 3 more may pass on a slow machine.
  const rs = await Promise.all(
    Array.from({ length: 36 }, () => srv.api('POST', '/api/v1/auth/register', { body, from })),
  );
  const statuses = rs.map((r) => r.status);
  const passed = statuses.filter((s) => s === 422).length;
  assert.ok(passed >= 30 && passed <= 33, statuses.join(','));
  const limited = rs.filter((r) => r.status === 429);
  assert.equal(limited.length, 36 - passed, statuses.join(','));
  assertProblem(limited[0], 429, { code: 'register.rate_limited' });
  // Another address is not affected.
  const other = await srv.api('POST', '/api/v1/auth/register', { body, from: '127.0.99.10' });
  assertProblem(other, 422, { code: 'register.no_match' });
});

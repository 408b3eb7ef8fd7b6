// Members: creation and masking, citizen ID validation, uniqueness, search
// and paging, data scope, reveal (permission + audit), status, transfers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, memberBody, countOf } from './fixtures.mjs';
import {
  freshCitizenId,
  citizenIdEndingInX,
  withBadChecksum,
  withBadDate,
  withBadRegion,
  sexOf,
  birthOf,
  maskOf,
  freshPhone,
} from './gen.mjs';

let srv;
let t;
let admin;
let tok;

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['citya_mgr', 'cityA', ['org_manager']],
      ['a1_officer', 'countyA1', ['case_officer']],
      ['a2_officer', 'countyA2', ['case_officer']],
      ['b1_officer', 'countyB1', ['case_officer']],
      ['prov_auditor', 'prov', ['auditor']],
    ],
  });
  admin = t.admin;
  tok = t.tokens;
});

after(async () => {
  if (srv) await srv.stop();
});

const memberCount = (token = admin) => countOf(srv, token, '/api/v1/members?page_size=1');

async function createMember(token, unitId, extra = {}) {
  const body = memberBody(unitId, extra);
  const r = await srv.api('POST', '/api/v1/members', { token, body });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, _body: body };
}

test('create → 201 with id, card_no, sex, birth_date, citizen_id_masked and never the plain ID', async () => {
  const before = await memberCount();
  const cidM = freshCitizenId({ male: true });
  const cidF = freshCitizenId({ male: false, region: '530103' });
  for (const cid of [cidM, cidF, citizenIdEndingInX()]) {
    const body = memberBody(t.units.unitA1, { citizen_id: cid, name: '张建国' });
    const r = await srv.api('POST', '/api/v1/members', { token: tok.a1_officer, body });
    assert.equal(r.status, 201, r.text);
    const m = r.json;
    assert.equal(typeof m.id, 'number');
    assert.match(String(m.card_no), /^\d{16}$/, `card_no ${m.card_no}`);
    assert.equal(m.sex, sexOf(cid));
    assert.equal(m.birth_date, birthOf(cid));
    assert.equal(m.citizen_id_masked, maskOf(cid));
    assert.ok(!r.text.includes(cid), 'plain citizen ID absent from the response');
    assert.ok(!r.text.includes(cid.slice(6, 14)), 'the birth digits are not shown inside another field');
    assert.ok(!r.text.includes(body.phone), 'plain phone absent from the response');
    assert.equal(m.phone_masked, body.phone.slice(0, 3) + '****' + body.phone.slice(-4));
    assert.equal(m.status, 'active');
    assert.equal(m.unit_id, t.units.unitA1);
    assert.equal(m.org_id, t.orgs.grassA1);
    assert.equal(m.citizen_id, undefined);
    assert.equal(m.phone, undefined);

    const g = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.citizen_id_masked, maskOf(cid));
    assert.equal(g.json.card_no, m.card_no);
    assert.ok(!g.text.includes(cid), 'GET shows masked values only');
    assert.ok(!g.text.includes(body.phone));
    // Lists show masks only as well.
    const l = await srv.api('GET', `/api/v1/members?q=${cid}`, { token: tok.a1_officer });
    assert.equal(l.json.total, 1);
    assert.ok(!l.text.includes(cid));
  }
  assert.equal(await memberCount(), before + 3);
});

test('a 15-digit (pre-1999) citizen ID is converted to 18 characters', async () => {
  // 530102 + 850315 + 123: born 1985-03-15, male.
  const r = await srv.api('POST', '/api/v1/members', {
    token: tok.a1_officer,
    body: memberBody(t.units.unitA1, { citizen_id: '530102850315123' }),
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.birth_date, '1985-03-15');
  assert.equal(r.json.sex, 'M');
  assert.match(r.json.citizen_id_masked, /^530102\*{8}123[0-9X]$/);
});

test('invalid citizen IDs → 422 field citizen_id, nothing created', async () => {
  const before = await memberCount();
  const xId = citizenIdEndingInX('530111');
  const bad = [
    withBadChecksum(freshCitizenId()),
    withBadDate(),
    xId.slice(0, 17) + 'x', // lowercase x
    withBadRegion(),
    freshCitizenId().slice(0, 17), // too short
    '5301021990010112345', // too long
    '53010219900101123A', // a letter other than X
    '530102209901011234', // born in the future
  ];
  for (const citizen_id of bad) {
    const r = await srv.api('POST', '/api/v1/members', {
      token: tok.a1_officer,
      body: memberBody(t.units.unitA1, { citizen_id }),
    });
    assertProblem(r, 422, { field: 'citizen_id' });
  }
  assert.equal(await memberCount(), before);
  // The uppercase form of the X id is fine.
  const ok = await srv.api('POST', '/api/v1/members', {
    token: tok.a1_officer,
    body: memberBody(t.units.unitA1, { citizen_id: xId }),
  });
  assert.equal(ok.status, 201, ok.text);
});

test('other member fields are validated: phone, unit, dictionaries, types', async () => {
  const before = await memberCount();
  const cases = [
    [{ phone: '12345' }, 'phone'],
    [{ phone: '02012345678' }, 'phone'],
    [{ unit_id: 'x' }, 'unit_id'],
    [{ household: 'suburban' }, 'household'],
    [{ employment_form: 'astronaut' }, 'employment_form'],
    [{ employment_status: 'sleeping' }, 'employment_status'],
    [{ name: '' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ ethnic_group: '99' }, 'ethnic_group'],
  ];
  for (const [extra, field] of cases) {
    const r = await srv.api('POST', '/api/v1/members', { token: tok.a1_officer, body: memberBody(t.units.unitA1, extra) });
    assertProblem(r, 422, { field });
  }
  const unknownUnit = await srv.api('POST', '/api/v1/members', {
    token: tok.a1_officer,
    body: memberBody(9_999_999),
  });
  assertProblem(unknownUnit, [422, 404]);
  assert.equal(await memberCount(), before);
});

test('an ID already active → 409 (even from another subtree); after ending, it may join again', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const cid = m._body.citizen_id;
  const before = await memberCount();
  const dup = await srv.api('POST', '/api/v1/members', {
    token: tok.a1_officer,
    body: memberBody(t.units.unitA1b, { citizen_id: cid }),
  });
  assertProblem(dup, 409);
  assert.ok(!dup.text.includes(cid));
  const dupOther = await srv.api('POST', '/api/v1/members', {
    token: tok.b1_officer,
    body: memberBody(t.units.unitB1, { citizen_id: cid }),
  });
  assertProblem(dupOther, 409);
  assert.equal(await memberCount(), before);

  const end = await srv.api('POST', `/api/v1/members/${m.id}/status`, {
    token: tok.a1_officer,
    body: { status: 'ended', reason: '离职终止会籍' },
  });
  assert.equal(end.status, 200, end.text);
  const again = await srv.api('POST', '/api/v1/members', {
    token: tok.b1_officer,
    body: memberBody(t.units.unitB1, { citizen_id: cid }),
  });
  assert.equal(again.status, 201, again.text);
  // Reactivating the ended one now clashes.
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/status`, {
      token: tok.a1_officer,
      body: { status: 'active', reason: '恢复会籍' },
    }),
    409,
  );
  const still = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer });
  assert.equal(still.json.status, 'ended');
});

test('list: q by name prefix, full citizen ID, phone; paging; page_size cap', async () => {
  const prefix = '欧阳检索';
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await createMember(tok.a1_officer, t.units.unitA1b, { name: `${prefix}${i}号` }));
  const byName = await srv.api('GET', `/api/v1/members?q=${encodeURIComponent(prefix)}&page_size=50`, { token: tok.a1_officer });
  assert.equal(byName.status, 200);
  assert.equal(byName.json.total, 5);
  assert.deepEqual(byName.json.items.map((m) => m.id).sort((a, b) => a - b), made.map((m) => m.id).sort((a, b) => a - b));
  // The prefix does not match in the middle of a name.
  const mid = await srv.api('GET', `/api/v1/members?q=${encodeURIComponent('检索')}`, { token: tok.a1_officer });
  assert.equal(mid.json.total, 0);
  // LIKE wildcards are literal.
  const wild = await srv.api('GET', `/api/v1/members?q=${encodeURIComponent('%')}`, { token: tok.a1_officer });
  assert.equal(wild.json.total, 0);

  const target = made[2];
  const byId = await srv.api('GET', `/api/v1/members?q=${target._body.citizen_id}`, { token: tok.a1_officer });
  assert.equal(byId.json.total, 1);
  assert.equal(byId.json.items[0].id, target.id);
  const byPhone = await srv.api('GET', `/api/v1/members?q=${target._body.phone}`, { token: tok.a1_officer });
  assert.equal(byPhone.json.total, 1);
  assert.equal(byPhone.json.items[0].id, target.id);
  const byCard = await srv.api('GET', `/api/v1/members?q=${target.card_no}`, { token: tok.a1_officer });
  assert.equal(byCard.json.total, 1);
  // A partial ID is no ID search and finds nothing.
  const partial = await srv.api('GET', `/api/v1/members?q=${target._body.citizen_id.slice(0, 10)}`, { token: tok.a1_officer });
  assert.equal(partial.json.total, 0);

  // Paging over the five.
  const q = `q=${encodeURIComponent(prefix)}`;
  const p1 = await srv.api('GET', `/api/v1/members?${q}&page=1&page_size=2`, { token: tok.a1_officer });
  const p2 = await srv.api('GET', `/api/v1/members?${q}&page=2&page_size=2`, { token: tok.a1_officer });
  const p3 = await srv.api('GET', `/api/v1/members?${q}&page=3&page_size=2`, { token: tok.a1_officer });
  const p4 = await srv.api('GET', `/api/v1/members?${q}&page=4&page_size=2`, { token: tok.a1_officer });
  assert.deepEqual([p1.json.items.length, p2.json.items.length, p3.json.items.length, p4.json.items.length], [2, 2, 1, 0]);
  for (const p of [p1, p2, p3, p4]) {
    assert.equal(p.json.total, 5);
    assert.equal(p.json.page_size, 2);
  }
  const seen = [...p1.json.items, ...p2.json.items, ...p3.json.items].map((m) => m.id);
  assert.equal(new Set(seen).size, 5, 'pages are disjoint and cover all');

  // Bad paging parameters.
  assertProblem(await srv.api('GET', '/api/v1/members?page=0', { token: tok.a1_officer }), 422, { field: 'page' });
  assertProblem(await srv.api('GET', '/api/v1/members?page=abc', { token: tok.a1_officer }), 422, { field: 'page' });
  assertProblem(await srv.api('GET', '/api/v1/members?page_size=-1', { token: tok.a1_officer }), 422, { field: 'page_size' });
});

test('page_size is capped (never more than 200 items)', async () => {
  // Put > 200 members in one unit through the import path.
  const rows = [];
  for (let i = 0; i < 230; i++) rows.push(memberBody(t.units.unitA2, { name: `分页${i}` }));
  const imp = await srv.api('POST', '/api/v1/members/import', { token: tok.a2_officer, body: { dry_run: false, rows } });
  assert.equal(imp.status, 200, imp.text);
  assert.equal(imp.json.created, 230);
  const ok = await srv.api('GET', `/api/v1/members?unit_id=${t.units.unitA2}&page_size=200`, { token: tok.a2_officer });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.items.length, 200);
  assert.ok(ok.json.total >= 230);
  const big = await srv.api('GET', `/api/v1/members?unit_id=${t.units.unitA2}&page_size=1000`, { token: tok.a2_officer });
  if (big.status === 200) {
    assert.ok(big.json.items.length <= 200, `items ${big.json.items.length} capped at 200`);
    assert.ok(big.json.page_size <= 200);
  } else {
    assertProblem(big, 422, { field: 'page_size' });
  }
});

test('a member is invisible to staff of another county (list excludes it, GET/PATCH/history → 403/404)', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1, { name: '隐私保护' });
  const cid = m._body.citizen_id;
  for (const other of ['a2_officer', 'b1_officer']) {
    const l = await srv.api('GET', `/api/v1/members?q=${cid}`, { token: tok[other] });
    assert.equal(l.status, 200);
    assert.equal(l.json.total, 0, `${other} cannot find it by ID`);
    const ln = await srv.api('GET', `/api/v1/members?q=${encodeURIComponent('隐私保护')}`, { token: tok[other] });
    assert.equal(ln.json.total, 0, `${other} cannot find it by name`);
    const all = await srv.api('GET', '/api/v1/members?page_size=200', { token: tok[other] });
    assert.ok(!all.json.items.some((x) => x.id === m.id));
    const g = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok[other] });
    assertProblem(g, [403, 404]);
    assert.ok(!g.text.includes('隐私保护'));
    assert.ok(!g.text.includes(m.citizen_id_masked));
    assertProblem(await srv.api('GET', `/api/v1/members/${m.id}/history`, { token: tok[other] }), [403, 404]);
    assertProblem(
      await srv.api('PATCH', `/api/v1/members/${m.id}`, { token: tok[other], body: { name: '被改' } }),
      [403, 404],
    );
    assertProblem(
      await srv.api('POST', `/api/v1/members/${m.id}/status`, {
        token: tok[other],
        body: { status: 'suspended', reason: '越权操作' },
      }),
      [403, 404],
    );
    // Listing under a foreign org root is refused.
    assertProblem(await srv.api('GET', `/api/v1/members?org_id=${t.orgs.grassA1}`, { token: tok[other] }), [403, 404]);
  }
  const still = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer });
  assert.equal(still.json.name, '隐私保护');
  assert.equal(still.json.status, 'active');
  // The city above sees it; a staff member can't create into a foreign unit either.
  assert.equal((await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.citya_mgr })).status, 200);
  const before = await memberCount();
  assertProblem(
    await srv.api('POST', '/api/v1/members', { token: tok.b1_officer, body: memberBody(t.units.unitA1) }),
    [403, 404, 422],
  );
  assert.equal(await memberCount(), before);
});

test('reveal needs member.reveal (case_officer → 403) and is audited', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const denied = await srv.api('POST', `/api/v1/members/${m.id}/reveal`, {
    token: tok.a1_officer,
    body: { reason: '核对身份信息' },
  });
  assertProblem(denied, 403);
  assert.ok(!denied.text.includes(m._body.citizen_id));

  // Another subtree's manager with the permission still can't (scope).
  const foreign = await srv.api('POST', `/api/v1/members/${m.id}/reveal`, {
    token: tok.b1_officer,
    body: { reason: '核对身份信息' },
  });
  assertProblem(foreign, [403, 404]);

  // Reason is required.
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/reveal`, { token: tok.citya_mgr, body: {} }),
    422,
    { field: 'reason' },
  );

  const ok = await srv.api('POST', `/api/v1/members/${m.id}/reveal`, {
    token: tok.citya_mgr,
    body: { reason: '核对身份信息', fields: ['citizen_id', 'phone'] },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.citizen_id, m._body.citizen_id);
  assert.equal(ok.json.phone, m._body.phone);
  assert.match(ok.headers.get('cache-control') || '', /no-store/);

  for (const token of [tok.prov_auditor, admin]) {
    const a = await srv.api('GET', `/api/v1/audit?action=member.reveal&object_id=${m.id}`, { token });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.total, 1, 'exactly one reveal audited');
    const e = a.json.items[0];
    assert.equal(e.action, 'member.reveal');
    assert.equal(e.object_type, 'member');
    assert.equal(e.object_id, String(m.id));
    assert.equal(e.actor_name, 'citya_mgr');
    assert.match(e.detail, /核对身份信息/);
    assert.ok(!a.text.includes(m._body.citizen_id), 'the audit trail does not hold the revealed ID');
  }
  // The refused attempt is audited as a denial.
  const d = await srv.api('GET', '/api/v1/audit?action=access.denied', { token: admin });
  assert.ok(d.json.items.some((e) => e.actor_name === 'a1_officer'));
});

test('status change is recorded in the history; unchanged or unknown status refused', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const s = await srv.api('POST', `/api/v1/members/${m.id}/status`, {
    token: tok.a1_officer,
    body: { status: 'suspended', reason: '停薪留职' },
  });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.status, 'suspended');
  assert.equal((await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer })).json.status, 'suspended');
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/status`, {
      token: tok.a1_officer,
      body: { status: 'suspended', reason: '再次暂停' },
    }),
    409,
  );
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/status`, {
      token: tok.a1_officer,
      body: { status: 'vanished', reason: '未知状态' },
    }),
    422,
    { field: 'status' },
  );
  const back = await srv.api('POST', `/api/v1/members/${m.id}/status`, {
    token: tok.a1_officer,
    body: { status: 'active', reason: '恢复正常' },
  });
  assert.equal(back.status, 200, back.text);
  const h = await srv.api('GET', `/api/v1/members/${m.id}/history`, { token: tok.a1_officer });
  assert.equal(h.status, 200, h.text);
  const events = h.json.history;
  assert.equal(events[0].event, 'joined');
  const statuses = events.filter((e) => e.event === 'status').map((e) => [e.status, e.reason]);
  assert.deepEqual(statuses, [
    ['suspended', '停薪留职'],
    ['active', '恢复正常'],
  ]);
  for (const e of events) assert.ok(Number.isFinite(Date.parse(e.at)), `dated event ${e.at}`);
});

test('transfer: request → accept by the receiving side → member moves', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1, { name: '转会接收' });
  const req = await srv.api('POST', `/api/v1/members/${m.id}/transfers`, {
    token: tok.a1_officer,
    body: { to_unit_id: t.units.unitA2, reason: '工作调动' },
  });
  assert.equal(req.status, 201, req.text);
  const tr = req.json;
  assert.equal(tr.status, 'requested');
  assert.equal(tr.member_id, m.id);
  assert.equal(tr.to_unit_id, t.units.unitA2);

  // A second open request is refused.
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/transfers`, { token: tok.a1_officer, body: { to_unit_id: t.units.unitA2 } }),
    409,
  );
  // The receiving side sees it as incoming; the sender as outgoing.
  const inc = await srv.api('GET', '/api/v1/transfers?direction=incoming&status=requested', { token: tok.a2_officer });
  assert.ok(inc.json.items.some((x) => x.id === tr.id));
  const out = await srv.api('GET', '/api/v1/transfers?direction=outgoing', { token: tok.a1_officer });
  assert.ok(out.json.items.some((x) => x.id === tr.id));
  // Nobody else sees it.
  const other = await srv.api('GET', '/api/v1/transfers?direction=incoming', { token: tok.b1_officer });
  assert.ok(!other.json.items.some((x) => x.id === tr.id));
  // The sending side cannot accept its own request; a third party cannot either.
  assertProblem(await srv.api('POST', `/api/v1/transfers/${tr.id}/accept`, { token: tok.a1_officer }), [403, 404]);
  assertProblem(await srv.api('POST', `/api/v1/transfers/${tr.id}/accept`, { token: tok.b1_officer }), [403, 404]);
  assert.equal((await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer })).json.unit_id, t.units.unitA1);

  const acc = await srv.api('POST', `/api/v1/transfers/${tr.id}/accept`, { token: tok.a2_officer, body: { note: '同意接收' } });
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.json.status, 'accepted');

  const asReceiver = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a2_officer });
  assert.equal(asReceiver.status, 200, asReceiver.text);
  assert.equal(asReceiver.json.unit_id, t.units.unitA2);
  assert.equal(asReceiver.json.org_id, t.orgs.grassA2);
  assert.equal(asReceiver.json.status, 'active');
  assertProblem(await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer }), [403, 404]);
  const senderList = await srv.api('GET', `/api/v1/members?q=${m._body.citizen_id}`, { token: tok.a1_officer });
  assert.equal(senderList.json.total, 0);
  const receiverList = await srv.api('GET', `/api/v1/members?q=${m._body.citizen_id}`, { token: tok.a2_officer });
  assert.equal(receiverList.json.total, 1);

  // Decided once only.
  assertProblem(await srv.api('POST', `/api/v1/transfers/${tr.id}/accept`, { token: tok.a2_officer }), 409);
  assertProblem(await srv.api('POST', `/api/v1/transfers/${tr.id}/refuse`, { token: tok.a2_officer }), 409);

  const h = await srv.api('GET', `/api/v1/members/${m.id}/history`, { token: tok.a2_officer });
  assert.ok(h.json.history.some((e) => e.event === 'transfer' && e.unit_id === t.units.unitA2));
  assert.ok(h.json.transfers.some((x) => x.id === tr.id && x.status === 'accepted'));
});

test('transfer: refused by the receiving side → member stays', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const req = await srv.api('POST', `/api/v1/members/${m.id}/transfers`, {
    token: tok.a1_officer,
    body: { to_unit_id: t.units.unitA2 },
  });
  assert.equal(req.status, 201, req.text);
  const ref = await srv.api('POST', `/api/v1/transfers/${req.json.id}/refuse`, { token: tok.a2_officer, body: { note: '不符合条件' } });
  assert.equal(ref.status, 200, ref.text);
  assert.equal(ref.json.status, 'refused');
  const g = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer });
  assert.equal(g.status, 200);
  assert.equal(g.json.unit_id, t.units.unitA1);
  assertProblem(await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a2_officer }), [403, 404]);
  assertProblem(await srv.api('POST', `/api/v1/transfers/${req.json.id}/accept`, { token: tok.a2_officer }), 409);
  assert.equal((await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer })).json.unit_id, t.units.unitA1);
});

test('transfer: cancelled by the sending side → member stays; receiver cannot cancel', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const req = await srv.api('POST', `/api/v1/members/${m.id}/transfers`, {
    token: tok.a1_officer,
    body: { to_unit_id: t.units.unitB1 },
  });
  assert.equal(req.status, 201, req.text);
  assertProblem(await srv.api('POST', `/api/v1/transfers/${req.json.id}/cancel`, { token: tok.b1_officer }), [403, 404]);
  const c = await srv.api('POST', `/api/v1/transfers/${req.json.id}/cancel`, { token: tok.a1_officer });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'cancelled');
  assertProblem(await srv.api('POST', `/api/v1/transfers/${req.json.id}/accept`, { token: tok.b1_officer }), 409);
  const g = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer });
  assert.equal(g.json.unit_id, t.units.unitA1);
  assertProblem(await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.b1_officer }), [403, 404]);
  // A new request is possible after the cancel.
  const again = await srv.api('POST', `/api/v1/members/${m.id}/transfers`, {
    token: tok.a1_officer,
    body: { to_unit_id: t.units.unitB1 },
  });
  assert.equal(again.status, 201, again.text);
});

test('transfer: same union, unknown unit, inactive member → refused', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/transfers`, { token: tok.a1_officer, body: { to_unit_id: t.units.unitA1b } }),
    422,
    { field: 'to_unit_id' },
  );
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/transfers`, { token: tok.a1_officer, body: { to_unit_id: 9_999_999 } }),
    [422, 404],
  );
  await srv.api('POST', `/api/v1/members/${m.id}/status`, { token: tok.a1_officer, body: { status: 'suspended', reason: '暂停会籍' } });
  assertProblem(
    await srv.api('POST', `/api/v1/members/${m.id}/transfers`, { token: tok.a1_officer, body: { to_unit_id: t.units.unitA2 } }),
    409,
  );
  const h = await srv.api('GET', `/api/v1/members/${m.id}/history`, { token: tok.a1_officer });
  assert.equal(h.json.transfers.length, 0);
});

test('PATCH updates allowed fields; the citizen ID is immutable', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const newPhone = freshPhone();
  const p = await srv.api('PATCH', `/api/v1/members/${m.id}`, { token: tok.a1_officer, body: { phone: newPhone, education: '20' } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.phone_masked, newPhone.slice(0, 3) + '****' + newPhone.slice(-4));
  assert.ok(!p.text.includes(newPhone));
  const imm = await srv.api('PATCH', `/api/v1/members/${m.id}`, {
    token: tok.a1_officer,
    body: { citizen_id: freshCitizenId() },
  });
  assertProblem(imm, 422, { field: 'citizen_id' });
  const g = await srv.api('GET', `/api/v1/members/${m.id}`, { token: tok.a1_officer });
  assert.equal(g.json.citizen_id_masked, maskOf(m._body.citizen_id));
});

test('concurrent creates of one citizen ID: exactly one 201, the rest 409 (never 500)', async () => {
  const cid = freshCitizenId();
  const before = await memberCount();
  const rs = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      srv.api('POST', '/api/v1/members', {
        token: i % 2 ? tok.a1_officer : tok.citya_mgr,
        body: memberBody(i % 2 ? t.units.unitA1 : t.units.unitA1b, { citizen_id: cid }),
      }),
    ),
  );
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 409).length, 7, statuses.join(','));
  assert.equal(await memberCount(), before + 1);
});

test('concurrent transfer requests for one member: one opens, the rest 409', async () => {
  const m = await createMember(tok.a1_officer, t.units.unitA1);
  const rs = await Promise.all(
    Array.from({ length: 6 }, () =>
      srv.api('POST', `/api/v1/members/${m.id}/transfers`, { token: tok.a1_officer, body: { to_unit_id: t.units.unitA2 } }),
    ),
  );
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
  assert.ok(statuses.every((s) => s === 201 || s === 409), statuses.join(','));
  const h = await srv.api('GET', `/api/v1/members/${m.id}/history`, { token: tok.a1_officer });
  assert.equal(h.json.transfers.length, 1);
});

test('the audit chain still verifies after everything above', async () => {
  const v = await srv.api('GET', '/api/v1/audit/verify', { token: t.admin });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, v.text);
});

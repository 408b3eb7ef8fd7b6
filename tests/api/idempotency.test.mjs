// Idempotency-Key on the creating POSTs (orgs, units, members, transfers):
// a retry returns the first answer and creates nothing new.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, memberBody, countOf } from './fixtures.mjs';
import { freshCreditCode } from './gen.mjs';

let srv;
let t;
let tok;

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['a1_officer', 'countyA1', ['case_officer']],
      ['a1_officer2', 'countyA1', ['case_officer']],
      ['citya_mgr', 'cityA', ['org_manager']],
    ],
  });
  tok = t.tokens;
});

after(async () => {
  if (srv) await srv.stop();
});

const orgCount = () => countOf(srv, t.admin, '/api/v1/orgs?page_size=1');
const unitCount = () => countOf(srv, t.admin, '/api/v1/units?page_size=1');
const memberCount = () => countOf(srv, t.admin, '/api/v1/members?page_size=1');
const post = (p, token, body, key) =>
  srv.api('POST', p, { token, body, headers: key === undefined ? {} : { 'Idempotency-Key': key } });

test('POST /orgs: a retry with the same key returns the first answer and creates once', async () => {
  const key = randomUUID();
  const body = { name: '幂等测试工会', level: 'grassroots', parent_id: t.orgs.countyA1, region_code: '530102' };
  const before = await orgCount();
  const first = await post('/api/v1/orgs', tok.citya_mgr, body, key);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const again = await post('/api/v1/orgs', tok.citya_mgr, body, key);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, first.json.id, 'the same org is returned');
  assert.deepEqual(again.json, first.json);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(await orgCount(), before + 1);
  // Without a key the same body creates a second org (names need not be unique).
  const nokey = await post('/api/v1/orgs', tok.citya_mgr, body);
  assert.equal(nokey.status, 201);
  assert.notEqual(nokey.json.id, first.json.id);
  assert.equal(await orgCount(), before + 2);
});

test('the same key with a different body → 422, nothing created', async () => {
  const key = randomUUID();
  const body = { name: '幂等二号工会', level: 'grassroots', parent_id: t.orgs.countyA1, region_code: '530102' };
  assert.equal((await post('/api/v1/orgs', tok.citya_mgr, body, key)).status, 201);
  const before = await orgCount();
  const other = await post('/api/v1/orgs', tok.citya_mgr, { ...body, name: '幂等三号工会' }, key);
  assertProblem(other, 422, { code: 'idempotency.key_reused' });
  assert.equal(await orgCount(), before);
  // Same key on another idempotent route is also a different request.
  const unit = await post(
    '/api/v1/units',
    tok.citya_mgr,
    { name: '幂等有限公司', credit_code: freshCreditCode(), region_code: '530102', org_id: t.orgs.grassA1 },
    key,
  );
  assertProblem(unit, 422, { code: 'idempotency.key_reused' });
});

test('keys are per caller: another account may use the same key', async () => {
  const key = randomUUID();
  const b1 = memberBody(t.units.unitA1);
  const b2 = memberBody(t.units.unitA1);
  const before = await memberCount();
  const r1 = await post('/api/v1/members', tok.a1_officer, b1, key);
  const r2 = await post('/api/v1/members', tok.a1_officer2, b2, key);
  assert.equal(r1.status, 201, r1.text);
  assert.equal(r2.status, 201, r2.text);
  assert.notEqual(r1.json.id, r2.json.id);
  assert.equal(await memberCount(), before + 2);
});

test('POST /members: a retry replays (no 409 duplicate), a keyless repeat is a 409', async () => {
  const key = randomUUID();
  const body = memberBody(t.units.unitA1);
  const before = await memberCount();
  const first = await post('/api/v1/members', tok.a1_officer, body, key);
  assert.equal(first.status, 201, first.text);
  const again = await post('/api/v1/members', tok.a1_officer, body, key);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.json.card_no, first.json.card_no);
  assert.ok(!again.text.includes(body.citizen_id), 'the replay is masked too');
  assertProblem(await post('/api/v1/members', tok.a1_officer, body), 409);
  assert.equal(await memberCount(), before + 1);
});

test('a failed attempt is not stored: the corrected retry with the same key succeeds', async () => {
  const key = randomUUID();
  const before = await unitCount();
  const good = { name: '重试有限公司', credit_code: freshCreditCode(), region_code: '530102', org_id: t.orgs.grassA1 };
  const bad = await post('/api/v1/units', tok.citya_mgr, { ...good, credit_code: good.credit_code.slice(0, 17) + '!' }, key);
  assertProblem(bad, 422, { field: 'credit_code' });
  const ok = await post('/api/v1/units', tok.citya_mgr, good, key);
  assert.equal(ok.status, 201, ok.text);
  const replay = await post('/api/v1/units', tok.citya_mgr, good, key);
  assert.equal(replay.status, 201);
  assert.equal(replay.json.id, ok.json.id);
  assert.equal(await unitCount(), before + 1);
});

test('concurrent requests with the same key create once', async () => {
  const key = randomUUID();
  const body = memberBody(t.units.unitA1b);
  const before = await memberCount();
  const rs = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/members', tok.a1_officer, body, key)));
  const ok = rs.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1, rs.map((r) => r.status).join(','));
  for (const r of rs) assert.ok(r.status === 201 || r.status === 409, `status ${r.status}: ${r.text}`);
  assert.equal(new Set(ok.map((r) => r.json.id)).size, 1, 'every success names the same member');
  assert.equal(await memberCount(), before + 1);
});

test('POST /members/{id}/transfers: a retry does not open a second request', async () => {
  const m = await post('/api/v1/members', tok.a1_officer, memberBody(t.units.unitA1));
  assert.equal(m.status, 201);
  const key = randomUUID();
  const body = { to_unit_id: t.units.unitA2, reason: '调动' };
  const first = await post(`/api/v1/members/${m.json.id}/transfers`, tok.a1_officer, body, key);
  assert.equal(first.status, 201, first.text);
  const again = await post(`/api/v1/members/${m.json.id}/transfers`, tok.a1_officer, body, key);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, first.json.id);
  const h = await srv.api('GET', `/api/v1/members/${m.json.id}/history`, { token: tok.a1_officer });
  assert.equal(h.json.transfers.length, 1);
});

test('a malformed Idempotency-Key → 400; nothing created', async () => {
  const before = await orgCount();
  const body = { name: '坏键工会', level: 'grassroots', parent_id: t.orgs.countyA1, region_code: '530102' };
  for (const key of ['x'.repeat(256), 'has space', '中文键']) {
    let r;
    try {
      r = await post('/api/v1/orgs', tok.citya_mgr, body, key);
    } catch {
      continue; // fetch refuses non-Latin-1 header values itself
    }
    assertProblem(r, 400, { code: 'idempotency.key_invalid' });
  }
  const raw = await srv.raw(
    `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok.citya_mgr}\r\nContent-Type: application/json\r\n` +
      `Idempotency-Key: bad\x01key\r\nContent-Length: ${Buffer.byteLength(JSON.stringify(body))}\r\nConnection: close\r\n\r\n` +
      JSON.stringify(body),
  );
  assert.ok([400].includes(raw.status), `control character in key: ${raw.status}`);
  assert.equal(await orgCount(), before);
});

test('the audit chain still verifies after everything above', async () => {
  const v = await srv.api('GET', '/api/v1/audit/verify', { token: t.admin });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, v.text);
});

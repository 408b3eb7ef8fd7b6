// POST /api/v1/members/import: dry runs, per-row errors (0-based rows),
// duplicates inside a file, 1,000 rows per call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, memberBody, countOf } from './fixtures.mjs';
import { freshCitizenId, withBadChecksum, withBadDate } from './gen.mjs';

let srv;
let t;
let tok;

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['a1_officer', 'countyA1', ['case_officer']],
      ['a1_reviewer', 'countyA1', ['reviewer']],
    ],
  });
  tok = t.tokens;
});

after(async () => {
  if (srv) await srv.stop();
});

const total = () => countOf(srv, t.admin, '/api/v1/members?page_size=1');
const found = async (cid) => (await srv.api('GET', `/api/v1/members?q=${cid}`, { token: t.admin })).json.total;

function mixedRows() {
  const unit = t.units.unitA1;
  return [
    memberBody(unit, { name: '导入甲' }), // 0 valid
    memberBody(unit, { citizen_id: withBadChecksum(freshCitizenId()) }), // 1 bad checksum
    (({ name, ...rest }) => rest)(memberBody(unit)), // 2 missing name
    memberBody(t.units.unitB1), // 3 unit outside the caller's subtree
    memberBody(unit, { name: '导入乙' }), // 4 valid
    memberBody(unit, { phone: '123' }), // 5 bad phone
    memberBody(unit, { citizen_id: withBadDate() }), // 6 bad date
    42, // 7 not an object
  ];
}

function failedRows(body) {
  return body.failed.map((f) => f.row).sort((a, b) => a - b);
}

function errorFields(body, row) {
  return body.failed.find((f) => f.row === row).errors.map((e) => e.field);
}

test('dry_run reports per-row errors with 0-based indexes and writes nothing', async () => {
  const rows = mixedRows();
  const before = await total();
  const r = await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: true, rows } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, 0, 'a dry run creates nothing');
  assert.deepEqual(failedRows(r.json), [1, 2, 3, 5, 6, 7]);
  assert.ok(errorFields(r.json, 1).includes('citizen_id'));
  assert.ok(errorFields(r.json, 2).includes('name'));
  assert.ok(errorFields(r.json, 3).includes('unit_id'));
  assert.ok(errorFields(r.json, 5).includes('phone'));
  assert.ok(errorFields(r.json, 6).includes('citizen_id'));
  for (const f of r.json.failed)
    for (const e of f.errors) {
      assert.equal(typeof e.code, 'string');
      assert.equal(typeof e.message, 'string');
    }
  assert.equal(await total(), before, 'member count unchanged');
  assert.equal(await found(rows[0].citizen_id), 0);
  assert.equal(await found(rows[4].citizen_id), 0);
  // The audit trail has no import entry from a dry run.
  const a = await srv.api('GET', '/api/v1/audit?action=member.import', { token: t.admin });
  assert.equal(a.json.total, 0);

  // The same valid rows import for real afterwards (nothing was reserved).
  const real = await srv.api('POST', '/api/v1/members/import', {
    token: tok.a1_officer,
    body: { dry_run: false, rows: [rows[0], rows[4]] },
  });
  assert.equal(real.status, 200, real.text);
  assert.equal(real.json.created, 2);
  assert.deepEqual(real.json.failed, []);
});

test('a real import creates the valid rows and reports the invalid ones', async () => {
  const rows = mixedRows();
  const before = await total();
  const r = await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: false, rows } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, 2);
  assert.deepEqual(failedRows(r.json), [1, 2, 3, 5, 6, 7]);
  assert.equal(await total(), before + 2);
  assert.equal(await found(rows[0].citizen_id), 1);
  assert.equal(await found(rows[4].citizen_id), 1);
  assert.equal(await found(rows[3].citizen_id), 0, 'the out-of-scope row was not created');
  // The imported members are masked like created ones.
  const l = await srv.api('GET', `/api/v1/members?q=${rows[0].citizen_id}`, { token: tok.a1_officer });
  assert.equal(l.json.items[0].name, '导入甲');
  assert.ok(!l.text.includes(rows[0].citizen_id));
  assert.match(l.json.items[0].card_no, /^\d{16}$/);

  // Re-importing the same file: the two are now duplicates of active members.
  const again = await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: false, rows } });
  assert.equal(again.status, 200);
  assert.equal(again.json.created, 0);
  assert.deepEqual(failedRows(again.json), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(errorFields(again.json, 0).includes('citizen_id'));
  assert.equal(await total(), before + 2);
});

test('a citizen ID twice in the same file: the second occurrence fails', async () => {
  const a = memberBody(t.units.unitA1, { name: '同号一' });
  const b = memberBody(t.units.unitA1b, { name: '同号二', citizen_id: a.citizen_id });
  const c = memberBody(t.units.unitA1, { name: '另一人' });
  const before = await total();
  for (const dry_run of [true, false]) {
    const r = await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run, rows: [a, c, b] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(failedRows(r.json), [2]);
    assert.ok(errorFields(r.json, 2).includes('citizen_id'));
    assert.equal(r.json.created, dry_run ? 0 : 2);
  }
  assert.equal(await total(), before + 2);
  const l = await srv.api('GET', `/api/v1/members?q=${a.citizen_id}`, { token: t.admin });
  assert.equal(l.json.total, 1);
  assert.equal(l.json.items[0].name, '同号一');
});

test('1,000 rows in one call are accepted and all created', async () => {
  const rows = [];
  for (let i = 0; i < 1000; i++) rows.push(memberBody(i % 2 ? t.units.unitA1 : t.units.unitA1b, { name: `批量${i}` }));
  const before = await total();
  const dry = await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: true, rows } });
  assert.equal(dry.status, 200, dry.text.slice(0, 500));
  assert.deepEqual(dry.json.failed, []);
  assert.equal(dry.json.created, 0);
  assert.equal(await total(), before);
  const r = await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: false, rows } });
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assert.equal(r.json.created, 1000);
  assert.deepEqual(r.json.failed, []);
  assert.equal(await total(), before + 1000);
  assert.equal(await found(rows[999].citizen_id), 1);
  assert.equal(await found(rows[0].citizen_id), 1);
  // Card numbers are unique.
  const page = await srv.api('GET', `/api/v1/members?unit_id=${t.units.unitA1b}&page_size=200`, { token: tok.a1_officer });
  const cards = page.json.items.map((m) => m.card_no);
  assert.equal(new Set(cards).size, cards.length);
});

test('malformed import bodies → 422 and nothing written; import needs the permission', async () => {
  const before = await total();
  assertProblem(await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: false } }), 422, {
    field: 'rows',
  });
  assertProblem(
    await srv.api('POST', '/api/v1/members/import', { token: tok.a1_officer, body: { dry_run: false, rows: {} } }),
    422,
    { field: 'rows' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/members/import', {
      token: tok.a1_officer,
      body: { dry_run: 'yes', rows: [memberBody(t.units.unitA1)] },
    }),
    422,
    { field: 'dry_run' },
  );
  const denied = await srv.api('POST', '/api/v1/members/import', {
    token: tok.a1_reviewer,
    body: { dry_run: false, rows: [memberBody(t.units.unitA1)] },
  });
  assertProblem(denied, 403);
  assert.equal(await total(), before);
});

test('the audit chain still verifies after everything above', async () => {
  const v = await srv.api('GET', '/api/v1/audit/verify', { token: t.admin });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, v.text);
});

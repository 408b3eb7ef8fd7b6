// Critical-illness relief (大病救助, docs/funds.md): tier tables, filing with
// the tier decision at every band edge, eligibility, one grant per member and
// year, the three review stages with four eyes and the district level,
// data scope, payment batches (idempotent), the yearly report and the ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, memberBody } from './fixtures.mjs';

let srv;
let t;
let tok;
let acct;

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['a1_officer', 'countyA1', ['case_officer']], // files
      ['grass_rev', 'grassA1', ['reviewer']], // grassroots-level reviewer
      ['county_rev', 'countyA1', ['reviewer']], // county-level reviewer
      ['city_rev', 'cityA', ['reviewer']],
      ['a2_rev', 'countyA2', ['reviewer']],
      ['citya_mgr', 'cityA', ['org_manager']], // tiers, pays
      ['b1_officer', 'countyB1', ['case_officer']], // another subtree
      ['b1_rev', 'countyB1', ['reviewer']],
      ['b1_mgr', 'countyB1', ['org_manager']],
    ],
  });
  tok = t.tokens;
  acct = t.accounts;
});

after(async () => {
  if (srv) await srv.stop();
});

async function newMember(unitKey = 'unitA1', extra = {}) {
  const r = await srv.api('POST', '/api/v1/members', { token: t.admin, body: memberBody(t.units[unitKey], extra) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// An application body whose out of pocket is `oop` fen.
function appBody(year, memberId, oop, extra = {}) {
  return {
    year,
    member_id: memberId,
    hospital: '昆明医科大学第一附属医院',
    diagnosis: '急性髓系白血病',
    total_cost_fen: oop + 13_000_000,
    basic_fen: 10_000_000,
    commercial_fen: 2_000_000,
    secondary_fen: 1_000_000,
    ...extra,
  };
}

const file = (body, token = tok.a1_officer, headers = {}) =>
  srv.api('POST', '/api/v1/relief/applications', { token, body, headers });
const review = (id, token, decision = 'pass', note) =>
  srv.api('POST', `/api/v1/relief/applications/${id}/review`, {
    token,
    body: note === undefined ? { decision } : { decision, note },
  });

async function fileOk(year, oop, unitKey = 'unitA1', token = tok.a1_officer) {
  const m = await newMember(unitKey);
  const r = await file(appBody(year, m.id, oop), token);
  assert.equal(r.status, 201, r.text);
  return { app: r.json, member: m };
}

// grassroots → district → approval by three accounts other than the filer.
async function approve(id) {
  for (const [token, status] of [
    [tok.grass_rev, 'grassroots_reviewed'],
    [tok.county_rev, 'district_reviewed'],
    [tok.city_rev, 'approved'],
  ]) {
    const r = await review(id, token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, status);
  }
}

async function sqlCount(query) {
  return Number((await srv.sql(query)).trim());
}
const appRows = () => sqlCount('SELECT COUNT(*) FROM relief_applications');

async function ledgerSum(fund, kind, account, side) {
  return sqlCount(
    `SELECT COALESCE(SUM(e.${side}_fen), 0) FROM ledger_entries e JOIN ledger_txns x ON x.id = e.txn_id ` +
      `WHERE e.fund = '${fund}' AND x.kind = '${kind}' AND e.account = '${account}'`,
  );
}

test('tiers: the default table, saving a custom one, invalid tables refused, fund.manage needed', async () => {
  const d = await srv.api('GET', '/api/v1/relief/years/2030/tiers', { token: tok.a1_officer });
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(d.json, {
    year: 2030,
    is_default: true,
    threshold_fen: 6_000_000,
    tiers: [
      { up_to_fen: 7_000_000, aid_fen: 1_000_000 },
      { up_to_fen: 8_000_000, aid_fen: 2_000_000 },
      { up_to_fen: 9_000_000, aid_fen: 3_000_000 },
      { up_to_fen: 10_000_000, aid_fen: 4_000_000 },
      { up_to_fen: null, aid_fen: 5_000_000 },
    ],
  });

  const custom = {
    threshold_fen: 5_000_000,
    tiers: [
      { up_to_fen: 6_000_000, aid_fen: 500_000 },
      { up_to_fen: null, aid_fen: 800_000 },
    ],
  };
  // The table applies to every union, so only the top org's staff may change it.
  const city = await srv.api('PUT', '/api/v1/relief/years/2030/tiers', { token: tok.citya_mgr, body: custom });
  assertProblem(city, 403, { code: 'relief.tiers_top_org' });
  const p = await srv.api('PUT', '/api/v1/relief/years/2030/tiers', { token: tok.admin, body: custom });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.json, { year: 2030, is_default: false, ...custom });
  const g = await srv.api('GET', '/api/v1/relief/years/2030/tiers', { token: tok.b1_officer });
  assert.deepEqual(g.json, { year: 2030, is_default: false, ...custom });

  // The custom table decides applications of that year.
  const low = await fileOk(2030, 5_000_001);
  assert.equal(low.app.tier, 1);
  assert.equal(low.app.aid_fen, 500_000);
  const high = await fileOk(2030, 6_000_001);
  assert.equal(high.app.tier, 2);
  assert.equal(high.app.aid_fen, 800_000);

  const bad = [
    [{ threshold_fen: -1, tiers: custom.tiers }, 'threshold_fen'],
    [{ threshold_fen: '5000000', tiers: custom.tiers }, 'threshold_fen'],
    [{ tiers: custom.tiers }, 'threshold_fen'],
    [{ threshold_fen: 5_000_000 }, 'tiers'],
    [{ threshold_fen: 5_000_000, tiers: [] }, 'tiers'],
    [{ threshold_fen: 5_000_000, tiers: [{ up_to_fen: 6_000_000, aid_fen: 1 }] }, 'tiers[0].up_to_fen'],
    [{ threshold_fen: 5_000_000, tiers: [{ up_to_fen: 5_000_000, aid_fen: 1 }, { up_to_fen: null, aid_fen: 2 }] }, 'tiers[0].up_to_fen'],
    [{ threshold_fen: 5_000_000, tiers: [{ up_to_fen: 6_000_000, aid_fen: 3 }, { up_to_fen: null, aid_fen: 2 }] }, 'tiers[1].aid_fen'],
    [{ threshold_fen: 5_000_000, tiers: [{ up_to_fen: 6_000_000, aid_fen: -3 }, { up_to_fen: null, aid_fen: 2 }] }, 'tiers[0].aid_fen'],
    [{ threshold_fen: 5_000_000, tiers: [{ up_to_fen: null, aid_fen: 1 }, { up_to_fen: null, aid_fen: 2 }] }, 'tiers[0].up_to_fen'],
  ];
  for (const [body, field] of bad) {
    const r = await srv.api('PUT', '/api/v1/relief/years/2030/tiers', { token: tok.admin, body });
    assertProblem(r, 422, { field });
  }
  const after = await srv.api('GET', '/api/v1/relief/years/2030/tiers', { token: tok.citya_mgr });
  assert.deepEqual(after.json, { year: 2030, is_default: false, ...custom }, 'refused tables change nothing');

  // Only fund.manage may change a table.
  assertProblem(await srv.api('PUT', '/api/v1/relief/years/2030/tiers', { token: tok.a1_officer, body: custom }), 403);
  assertProblem(await srv.api('PUT', '/api/v1/relief/years/2030/tiers', { token: tok.city_rev, body: custom }), 403);
  assertProblem(await srv.api('GET', '/api/v1/relief/years/1999/tiers', { token: tok.citya_mgr }), 422, { field: 'year' });
  assertProblem(await srv.api('GET', '/api/v1/relief/years/abc/tiers', { token: tok.citya_mgr }), 404);
});

test('tier edges through the API: 6,000,000 refused; 6,000,001 and 7,000,000 tier 1; 7,000,001 tier 2 … 10,000,001 tier 5', async () => {
  const m = await newMember();
  const before = await appRows();
  for (const oop of [0, 5_999_999, 6_000_000]) {
    const r = await file(appBody(2023, m.id, oop));
    assertProblem(r, 422, { field: 'total_cost_fen', code: 'relief.below_threshold' });
  }
  assert.equal(await appRows(), before, 'nothing written below the threshold');
  const cases = [
    [6_000_001, 1, 1_000_000],
    [7_000_000, 1, 1_000_000],
    [7_000_001, 2, 2_000_000],
    [8_000_000, 2, 2_000_000],
    [8_000_001, 3, 3_000_000],
    [9_000_000, 3, 3_000_000],
    [9_000_001, 4, 4_000_000],
    [10_000_000, 4, 4_000_000],
    [10_000_001, 5, 5_000_000],
    [123_456_789, 5, 5_000_000],
  ];
  for (const [oop, tier, aid] of cases) {
    const { app, member } = await fileOk(2023, oop);
    assert.equal(app.out_of_pocket_fen, oop);
    assert.equal(app.tier, tier, `out of pocket ${oop}`);
    assert.equal(app.aid_fen, aid, `out of pocket ${oop}`);
    assert.equal(app.status, 'submitted');
    assert.equal(app.member_id, member.id);
    assert.equal(app.region_code, '530102');
    assert.equal(app.filed_by, acct.a1_officer.id);
    const g = await srv.api('GET', `/api/v1/relief/applications/${app.id}`, { token: tok.a1_officer });
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json, app);
  }
  // Out of pocket subtracts each reimbursement: 20,000,000 − 10,000,000 − 3,000,000 − 1,000,000 = 6,000,000.
  const exact = await file({ ...appBody(2023, m.id, 0), total_cost_fen: 20_000_000, commercial_fen: 3_000_000 });
  assertProblem(exact, 422, { code: 'relief.below_threshold' });
});

test('whole workflow: file → grassroots → district → approve → batch pay → report, ledger balanced', async () => {
  const year = 2022;
  const a = await fileOk(year, 7_000_001); // tier 2: 2,000,000
  const b = await fileOk(year, 7_000_000, 'unitA2', tok.citya_mgr); // tier 1: 1,000,000, region 530103
  assert.equal(a.app.aid_fen, 2_000_000);
  assert.equal(b.app.aid_fen, 1_000_000);
  assert.equal(b.app.region_code, '530103');

  // Paying before approval pays nothing.
  assertProblem(
    await srv.api('POST', '/api/v1/relief/batches', { token: tok.citya_mgr, body: { year, name: '提前' } }),
    409,
    { code: 'relief.nothing_to_pay' },
  );

  let r = await review(a.app.id, tok.grass_rev, 'pass', '材料齐全');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'grassroots_reviewed');
  assert.equal(r.json.grassroots_by, acct.grass_rev.id);
  assert.equal(r.json.decision_note, '材料齐全');
  r = await review(a.app.id, tok.county_rev);
  assert.equal(r.json.status, 'district_reviewed', r.text);
  assert.equal(r.json.district_by, acct.county_rev.id);
  assert.equal(await ledgerSum(`relief:${year}`, 'relief.approve', 'relief_payable', 'credit'), 0, 'nothing posted before approval');
  r = await review(a.app.id, tok.city_rev);
  assert.equal(r.json.status, 'approved', r.text);
  assert.equal(r.json.approved_by, acct.city_rev.id);
  assert.equal(await ledgerSum(`relief:${year}`, 'relief.approve', 'relief_payable', 'credit'), 2_000_000);
  assert.equal(await ledgerSum(`relief:${year}`, 'relief.approve', 'relief_expense', 'debit'), 2_000_000);
  // The final stage may be taken by the grassroots reviewer again (it differs from the district one).
  // A reviewer outside A2 (county A1) does not see the A2 application.
  assertProblem(await review(b.app.id, tok.county_rev), 404);
  r = await review(b.app.id, tok.a2_rev);
  assert.equal(r.json.status, 'grassroots_reviewed', r.text);
  r = await review(b.app.id, tok.city_rev);
  assert.equal(r.json.status, 'district_reviewed', r.text);
  r = await review(b.app.id, tok.a2_rev);
  assert.equal(r.json.status, 'approved', r.text);

  // An approved application is not reviewed again.
  assertProblem(await review(a.app.id, tok.grass_rev), 409, { code: 'relief.state' });

  // Nothing paid yet: the report is empty.
  let rep = await srv.api('GET', `/api/v1/relief/report?year=${year}`, { token: tok.citya_mgr });
  assert.equal(rep.status, 200, rep.text);
  assert.deepEqual(rep.json, { year, people: 0, amount_fen: 0, applications: 0, by_region: [] });

  const pay = await srv.api('POST', '/api/v1/relief/batches', {
    token: tok.citya_mgr,
    body: { year, name: '2022年上半年' },
    headers: { 'Idempotency-Key': 'relief-2022-h1' },
  });
  assert.equal(pay.status, 201, pay.text);
  assert.equal(pay.json.count, 2);
  assert.equal(pay.json.amount_fen, 3_000_000);
  assert.equal(pay.json.name, '2022年上半年');
  assert.deepEqual([...pay.json.application_ids].sort((x, y) => x - y), [a.app.id, b.app.id].sort((x, y) => x - y));
  for (const id of [a.app.id, b.app.id]) {
    const g = await srv.api('GET', `/api/v1/relief/applications/${id}`, { token: tok.citya_mgr });
    assert.equal(g.json.status, 'paid');
    assert.equal(g.json.batch_id, pay.json.id);
  }

  rep = await srv.api('GET', `/api/v1/relief/report?year=${year}`, { token: tok.citya_mgr });
  assert.equal(rep.status, 200, rep.text);
  assert.equal(rep.json.year, year);
  assert.equal(rep.json.people, 2);
  assert.equal(rep.json.amount_fen, 3_000_000);
  assert.deepEqual(
    rep.json.by_region.map((x) => [x.region_code, x.people, x.amount_fen]),
    [
      ['530102', 1, 2_000_000],
      ['530103', 1, 1_000_000],
    ],
  );
  // A county sees only its own subtree; another subtree sees nothing.
  const county = await srv.api('GET', `/api/v1/relief/report?year=${year}`, { token: tok.county_rev });
  assert.equal(county.json.people, 1);
  assert.equal(county.json.amount_fen, 2_000_000);
  const other = await srv.api('GET', `/api/v1/relief/report?year=${year}`, { token: tok.b1_officer });
  assert.equal(other.json.people, 0);
  assert.equal(other.json.amount_fen, 0);

  // The ledger: payable fully paid out of the bank.
  const fund = `relief:${year}`;
  assert.equal(await ledgerSum(fund, 'relief.pay', 'bank', 'credit'), 3_000_000);
  assert.equal(await ledgerSum(fund, 'relief.pay', 'relief_payable', 'debit'), 3_000_000);
  const v = await srv.api('GET', '/api/v1/ledger/verify', { token: t.admin });
  if (v.status !== 404) {
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.ok, true, v.text);
    const f = v.json.funds.find((x) => x.fund === fund);
    assert.ok(f, v.text);
    assert.equal(f.paid_out_fen, 3_000_000);
    assert.equal(f.paid_records_fen, 3_000_000);
    assert.equal(f.ok, true);
  }
  const bal = await srv.api('GET', `/api/v1/ledger/funds/${encodeURIComponent(fund)}`, { token: t.admin });
  if (bal.status !== 404) {
    assert.equal(bal.status, 200, bal.text);
    const by = Object.fromEntries(bal.json.accounts.map((x) => [x.account, x.balance_fen]));
    assert.equal(by.relief_expense, 3_000_000);
    assert.equal(by.relief_payable, 0);
    assert.equal(by.bank, -3_000_000);
  }

  // Lists by year and status.
  const l = await srv.api('GET', `/api/v1/relief/applications?year=${year}&status=paid`, { token: tok.citya_mgr });
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.total, 2);
  assert.ok(l.json.items.every((x) => x.status === 'paid' && x.year === year));

  // Audited.
  const audit = await srv.sql(`SELECT action FROM audit_log WHERE object_type LIKE 'relief%' AND object_id = '${a.app.id}'`);
  for (const action of ['relief.file', 'relief.review', 'relief.pay']) assert.match(audit, new RegExp(action.replace('.', '\\.')));
});

test('batch payment with the same Idempotency-Key pays once; paying again finds nothing', async () => {
  const year = 2024;
  const apps = [await fileOk(year, 8_500_000), await fileOk(year, 9_500_000)];
  for (const { app } of apps) await approve(app.id);
  const send = (key) =>
    srv.api('POST', '/api/v1/relief/batches', {
      token: tok.citya_mgr,
      body: { year, name: '2024年第一批' },
      headers: { 'Idempotency-Key': key },
    });
  const first = await send('batch-2024-1');
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.count, 2);
  assert.equal(first.json.amount_fen, 7_000_000);
  const again = await send('batch-2024-1');
  assert.equal(again.status, 201, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  // Same key, another body → 422; a new key finds nothing left to pay.
  const other = await srv.api('POST', '/api/v1/relief/batches', {
    token: tok.citya_mgr,
    body: { year, name: '别的名字' },
    headers: { 'Idempotency-Key': 'batch-2024-1' },
  });
  assertProblem(other, 422);
  assertProblem(await send('batch-2024-2'), 409, { code: 'relief.nothing_to_pay' });

  assert.equal(await sqlCount(`SELECT COUNT(*) FROM relief_batches WHERE year = ${year}`), 1);
  assert.equal(await ledgerSum(`relief:${year}`, 'relief.pay', 'bank', 'credit'), 7_000_000);
  assert.equal(await sqlCount(`SELECT COUNT(*) FROM ledger_txns WHERE fund = 'relief:${year}' AND kind = 'relief.pay'`), 2);
  const rep = await srv.api('GET', `/api/v1/relief/report?year=${year}`, { token: tok.citya_mgr });
  assert.equal(rep.json.people, 2);
  assert.equal(rep.json.amount_fen, 7_000_000);
  const v = await srv.api('GET', '/api/v1/ledger/verify', { token: t.admin });
  if (v.status !== 404) assert.equal(v.json.ok, true, v.text);

  // fund.pay is needed; a batch only pays the caller's subtree.
  assertProblem(
    await srv.api('POST', '/api/v1/relief/batches', { token: tok.a1_officer, body: { year, name: 'x' } }),
    403,
  );
});

test('a member not active or not in service → 422 member_id.not_eligible; nothing written', async () => {
  const suspended = await newMember();
  const s = await srv.api('POST', `/api/v1/members/${suspended.id}/status`, {
    token: t.admin,
    body: { status: 'suspended', reason: '测试暂停' },
  });
  assert.equal(s.status, 200, s.text);
  const retired = await newMember('unitA1', { employment_status: 'retired' });
  const unemployed = await newMember('unitA1', { employment_status: 'unemployed' });
  const before = await appRows();
  for (const m of [suspended, retired, unemployed]) {
    const r = await file(appBody(2025, m.id, 8_000_000));
    assertProblem(r, 422, { field: 'member_id', code: 'member_id.not_eligible' });
  }
  assert.equal(await appRows(), before);
});

test('a second application in a year → 409 relief.already_granted; after a rejection the member may apply again', async () => {
  const year = 2026;
  const { app, member } = await fileOk(year, 8_000_000);
  const before = await appRows();
  const again = await file(appBody(year, member.id, 9_000_000));
  assertProblem(again, 409, { code: 'relief.already_granted' });
  assert.equal(await appRows(), before);
  // Another year is fine.
  const next = await file(appBody(year + 1, member.id, 9_000_000));
  assert.equal(next.status, 201, next.text);

  // A reject needs a note; then the member may apply again that year.
  assertProblem(await review(app.id, tok.grass_rev, 'reject'), 422, { field: 'note' });
  const rej = await review(app.id, tok.grass_rev, 'reject', '材料不全');
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.json.status, 'rejected');
  assert.equal(rej.json.decision_note, '材料不全');
  assertProblem(await review(app.id, tok.county_rev), 409, { code: 'relief.state' });
  const retry = await file(appBody(year, member.id, 9_000_000));
  assert.equal(retry.status, 201, retry.text);
  assertProblem(await file(appBody(year, member.id, 9_000_000)), 409, { code: 'relief.already_granted' });
});

test('four eyes: the filer cannot review, and one reviewer cannot take two stages in a row (403 claim.four_eyes)', async () => {
  const m = await newMember();
  // admin has both claim.file and claim.review.
  const r = await file(appBody(2027, m.id, 8_000_000), t.admin);
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assertProblem(await review(id, t.admin), 403, { code: 'claim.four_eyes' });
  assertProblem(await review(id, t.admin, 'reject', '自己驳回'), 403, { code: 'claim.four_eyes' });
  let g = await srv.api('GET', `/api/v1/relief/applications/${id}`, { token: t.admin });
  assert.equal(g.json.status, 'submitted');

  assert.equal((await review(id, tok.county_rev)).status, 200);
  assertProblem(await review(id, tok.county_rev), 403, { code: 'claim.four_eyes' });
  assertProblem(await review(id, t.admin), 403, { code: 'claim.four_eyes' });
  assert.equal((await review(id, tok.city_rev)).status, 200);
  assertProblem(await review(id, tok.city_rev), 403, { code: 'claim.four_eyes' });
  g = await srv.api('GET', `/api/v1/relief/applications/${id}`, { token: t.admin });
  assert.equal(g.json.status, 'district_reviewed');
  assert.equal(await ledgerSum('relief:2027', 'relief.approve', 'relief_payable', 'credit'), 0);
  assert.equal((await review(id, tok.county_rev)).status, 200);
  assert.equal(await ledgerSum('relief:2027', 'relief.approve', 'relief_payable', 'credit'), 2_000_000);
  // Four-eyes refusals are audited as denied accesses.
  const denied = await sqlCount("SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied' AND detail LIKE '%claim.four_eyes%'");
  assert.ok(denied >= 1, 'denied reviews are audited');
  // A case officer has no claim.review at all.
  const m2 = await fileOk(2027, 8_000_000);
  assertProblem(await review(m2.app.id, tok.a1_officer), 403);
});

test('the district stage needs a reviewer at a county union or higher', async () => {
  const { app } = await fileOk(2028, 8_000_000);
  assert.equal((await review(app.id, tok.county_rev)).status, 200);
  assertProblem(await review(app.id, tok.grass_rev), 403, { code: 'relief.reviewer_level' });
  assertProblem(await review(app.id, tok.grass_rev, 'reject', '基层驳回'), 403, { code: 'relief.reviewer_level' });
  const g = await srv.api('GET', `/api/v1/relief/applications/${app.id}`, { token: tok.a1_officer });
  assert.equal(g.json.status, 'grassroots_reviewed');
  assert.equal(g.json.district_by, null);
  const ok = await review(app.id, tok.city_rev);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'district_reviewed');
});

test('out of the subtree: reading, reviewing and filing answer 404; lists and reports leave it out', async () => {
  const { app, member } = await fileOk(2029, 8_000_000);
  assertProblem(await srv.api('GET', `/api/v1/relief/applications/${app.id}`, { token: tok.b1_officer }), 404);
  assertProblem(await srv.api('GET', '/api/v1/relief/applications/99999999', { token: tok.b1_officer }), 404);
  assertProblem(await review(app.id, tok.b1_rev), 404);
  assertProblem(await review(99999999, tok.b1_rev), 404);
  const g = await srv.api('GET', `/api/v1/relief/applications/${app.id}`, { token: tok.a1_officer });
  assert.equal(g.json.status, 'submitted', 'the refused review changed nothing');
  // Filing for a member of another subtree, or an unknown one, is the same 404.
  const before = await appRows();
  const m = await newMember();
  assertProblem(await file(appBody(2029, m.id, 8_000_000), tok.b1_officer), 404);
  assertProblem(await file(appBody(2029, 99999999, 8_000_000), tok.b1_officer), 404);
  assert.equal(await appRows(), before);
  const l = await srv.api('GET', '/api/v1/relief/applications?year=2029', { token: tok.b1_officer });
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.total, 0);
  const own = await srv.api('GET', `/api/v1/relief/applications?year=2029&member_id=${member.id}`, { token: tok.a1_officer });
  assert.equal(own.json.total, 1);
  assertProblem(
    await srv.api('GET', `/api/v1/relief/applications?org_id=${t.orgs.grassA1}`, { token: tok.b1_officer }),
    404,
  );
  // b1's manager pays its own subtree only: the approved A1 application stays unpaid.
  await approve(app.id);
  assertProblem(
    await srv.api('POST', '/api/v1/relief/batches', { token: tok.b1_mgr, body: { year: 2029, name: 'B1' } }),
    409,
    { code: 'relief.nothing_to_pay' },
  );
  const still = await srv.api('GET', `/api/v1/relief/applications/${app.id}`, { token: tok.a1_officer });
  assert.equal(still.json.status, 'approved');
});

test('bad input → 422 naming each field, nothing written', async () => {
  const m = await newMember();
  const good = appBody(2032, m.id, 8_000_000);
  const before = await appRows();
  const omit = (k) => {
    const b = { ...good };
    delete b[k];
    return b;
  };
  const cases = [
    [{ ...good, total_cost_fen: -1 }, 'total_cost_fen', 'total_cost_fen.range'],
    [{ ...good, basic_fen: -100 }, 'basic_fen', 'basic_fen.range'],
    [{ ...good, commercial_fen: 1.5 }, 'commercial_fen', 'commercial_fen.type'],
    [{ ...good, secondary_fen: '100' }, 'secondary_fen', 'secondary_fen.type'],
    [{ ...good, total_cost_fen: '21000000' }, 'total_cost_fen', 'total_cost_fen.type'],
    [{ ...good, basic_fen: null }, 'basic_fen', 'basic_fen.required'],
    [{ ...good, total_cost_fen: 1e20 }, 'total_cost_fen', undefined],
    [{ ...good, basic_fen: good.total_cost_fen, commercial_fen: 1 }, 'total_cost_fen', 'amounts.inconsistent'],
    [{ ...good, year: 1999 }, 'year', 'year.range'],
    [{ ...good, year: '2032' }, 'year', 'year.type'],
    [{ ...good, member_id: 0 }, 'member_id', 'member_id.range'],
    [{ ...good, member_id: 'x' }, 'member_id', 'member_id.type'],
    [{ ...good, hospital: '' }, 'hospital', 'hospital.required'],
    [{ ...good, diagnosis: 'x'.repeat(201) }, 'diagnosis', 'diagnosis.too_long'],
    ...['year', 'member_id', 'hospital', 'diagnosis', 'total_cost_fen', 'basic_fen', 'commercial_fen', 'secondary_fen'].map(
      (k) => [omit(k), k, `${k}.required`],
    ),
  ];
  for (const [body, field, code] of cases) {
    const r = await file(body);
    assertProblem(r, 422, { field, code });
  }
  // Every bad field is named at once.
  const many = await file({ year: 'x', member_id: -1, total_cost_fen: -1, basic_fen: 'a' });
  const fields = assertProblem(many, 422).errors.map((e) => e.field);
  for (const f of ['year', 'member_id', 'hospital', 'diagnosis', 'total_cost_fen', 'basic_fen', 'commercial_fen', 'secondary_fen'])
    assert.ok(fields.includes(f), `${f} in ${JSON.stringify(fields)}`);
  assertProblem(await file([good]), 422, { field: 'body' });
  assert.equal(await appRows(), before, 'nothing written');

  // Review and batch bodies.
  const { app } = await fileOk(2032, 8_000_000);
  assertProblem(await srv.api('POST', `/api/v1/relief/applications/${app.id}/review`, { token: tok.grass_rev, body: {} }), 422, {
    field: 'decision',
  });
  assertProblem(await review(app.id, tok.grass_rev, 'approve'), 422, { field: 'decision' });
  assertProblem(await review(app.id, tok.grass_rev, 'pass', 'x'.repeat(501)), 422, { field: 'note' });
  const g = await srv.api('GET', `/api/v1/relief/applications/${app.id}`, { token: tok.grass_rev });
  assert.equal(g.json.status, 'submitted');
  assertProblem(await srv.api('POST', '/api/v1/relief/batches', { token: tok.citya_mgr, body: { name: 'x' } }), 422, { field: 'year' });
  assertProblem(await srv.api('POST', '/api/v1/relief/batches', { token: tok.citya_mgr, body: { year: 2032 } }), 422, { field: 'name' });
  assertProblem(await srv.api('GET', '/api/v1/relief/report', { token: tok.citya_mgr }), 422, { field: 'year' });
  assertProblem(await srv.api('GET', '/api/v1/relief/report?year=20x2', { token: tok.citya_mgr }), 422, { field: 'year' });
  assertProblem(await srv.api('GET', '/api/v1/relief/applications?status=done', { token: tok.citya_mgr }), 422, { field: 'status' });
  assert.equal(await sqlCount('SELECT COUNT(*) FROM relief_batches WHERE year = 2032'), 0);
});

test('filing answers with an Idempotency-Key replay, never a second application', async () => {
  const m = await newMember();
  const body = appBody(2033, m.id, 9_000_001);
  const first = await file(body, tok.a1_officer, { 'Idempotency-Key': 'file-2033' });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.tier, 4);
  const again = await file(body, tok.a1_officer, { 'Idempotency-Key': 'file-2033' });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  assert.equal(await sqlCount(`SELECT COUNT(*) FROM relief_applications WHERE member_id = ${m.id}`), 1);
});

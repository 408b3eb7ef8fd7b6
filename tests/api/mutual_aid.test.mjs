// Medical mutual aid: periods and rule sets, enrolment, claims with their
// automatic assessment, four eyes, payment exactly once (also under races
// and a kill -9), the period report and the fund ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, memberBody } from './fixtures.mjs';

let srv;
let t;
let tok;
let period;
const members = {}; // unit key → [member ids]

function today(offsetDays = 0) {
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const RULES = {
  deductible_fen: 100000,
  bands: [
    { up_to_fen: 1000000, percent: 50 },
    { up_to_fen: null, percent: 70 },
  ],
  daily_allowance: { from_day: 4, fen_per_day: 5000, max_days: 60 },
  diseases: [{ code: 'C50', name: '乳腺恶性肿瘤', fen: 1000000 }],
  required_documents: ['invoice', 'discharge_summary'],
};
const DOCS = [
  { kind: 'invoice', name: '发票.pdf' },
  { kind: 'discharge_summary', name: '出院小结.pdf' },
];

function claimBody(memberId, extra = {}) {
  return {
    period_id: period.id,
    member_id: memberId,
    admission: today(-20),
    discharge: today(-10),
    hospital: '昆明医科大学第一附属医院',
    diagnosis: '肺炎',
    total_cost_fen: 3500000,
    basic_paid_fen: 2100000,
    critical_paid_fen: 0,
    assistance_fen: 0,
    self_paid_fen: 900000,
    documents: DOCS,
    ...extra,
  };
}

async function addMembers(unitKey, n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const r = await srv.api('POST', '/api/v1/members', { token: tok.admin, body: memberBody(t.units[unitKey]) });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  members[unitKey] = (members[unitKey] || []).concat(ids);
  return ids;
}

async function fileClaim(memberId, extra = {}, token = tok.a1_officer) {
  const r = await srv.api('POST', '/api/v1/mutual-aid/claims', { token, body: claimBody(memberId, extra) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function ledgerOk() {
  const v = await srv.api('GET', '/api/v1/ledger/verify', { token: tok.admin });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, JSON.stringify(v.json.problems));
  return v.json;
}

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['prov_mgr', 'prov', ['org_manager']],
      ['a1_officer', 'countyA1', ['case_officer']],
      ['b1_officer', 'countyB1', ['case_officer']],
      ['rev1', 'prov', ['reviewer']],
      ['rev2', 'prov', ['reviewer']],
      ['b1_reviewer', 'countyB1', ['reviewer']],
    ],
  });
  tok = t.tokens;
  const r = await srv.api('POST', '/api/v1/mutual-aid/periods', {
    token: tok.prov_mgr,
    body: {
      org_id: t.orgs.prov,
      number: 6,
      name: '第6期职工医疗互助保障',
      enrol_start: today(-30),
      enrol_end: today(30),
      cover_start: today(-60),
      cover_end: today(300),
      rules: RULES,
    },
  });
  assert.equal(r.status, 201, r.text);
  period = r.json;
  await addMembers('unitA1', 6);
  await addMembers('unitB1', 2);
});

after(async () => {
  if (srv) await srv.stop();
});

test('a period stores defaults, its rule set and readable rules; bad rule sets are refused', async () => {
  assert.equal(period.premium_fen, 10000);
  assert.equal(period.cap_fen, 20000000);
  assert.equal(period.rules_version, 1);
  assert.deepEqual(period.rules.bands, RULES.bands);
  assert.ok(period.rules_text.some((s) => s.includes('起付线 1000.00 元')), period.rules_text.join('\n'));
  assert.ok(period.rules_text.some((s) => s.includes('住院第 4 天起每天 50.00 元')), period.rules_text.join('\n'));

  const bad = await srv.api('POST', '/api/v1/mutual-aid/periods', {
    token: tok.prov_mgr,
    body: {
      org_id: t.orgs.prov, number: 7, name: 'x', enrol_start: today(), enrol_end: today(), cover_start: today(),
      cover_end: today(-1),
      rules: { bands: [{ up_to_fen: null, percent: 150 }, { up_to_fen: 5, percent: 10 }] },
    },
  });
  assertProblem(bad, 422, { field: 'cover_end' });
  const fields = bad.json.errors.map((e) => e.field);
  assert.ok(fields.includes('rules.bands[0].percent'), fields.join());
  assert.ok(fields.includes('rules.bands[1].up_to_fen'), fields.join());
  const dup = await srv.api('POST', '/api/v1/mutual-aid/periods', {
    token: tok.prov_mgr,
    body: { ...period, org_id: t.orgs.prov, rules: RULES },
  });
  assertProblem(dup, 409, { code: 'period.duplicate' });
  const list = await srv.api('GET', '/api/v1/mutual-aid/periods', { token: tok.a1_officer });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((p) => p.id), [period.id], 'a county officer sees the province period');

  // A new rule-set version; the old one stays listed.
  const v2 = await srv.api('PUT', `/api/v1/mutual-aid/periods/${period.id}/rules`, {
    token: tok.prov_mgr,
    body: { rules: RULES },
  });
  assert.equal(v2.status, 200, v2.text);
  assert.equal(v2.json.rules_version, 2);
  const got = await srv.api('GET', `/api/v1/mutual-aid/periods/${period.id}`, { token: tok.rev1 });
  assert.deepEqual(got.json.rule_versions.map((v) => v.version), [1, 2]);
  period = got.json;
});

test('enrolment by unit: premiums posted once, duplicates skipped, out-of-subtree units refused', async () => {
  const url = `/api/v1/mutual-aid/periods/${period.id}/enrollments`;
  const [m1, m2, m3, m4, m5] = members.unitA1;
  const first = await srv.api('POST', url, {
    token: tok.a1_officer,
    body: { unit_id: t.units.unitA1, member_ids: [m1, m2, m3, m4] },
  });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.enrolled, 4);
  assert.equal(first.json.premium_fen, 40000);
  const again = await srv.api('POST', url, {
    token: tok.a1_officer,
    body: { unit_id: t.units.unitA1, member_ids: [m1, m5, 999999] },
  });
  assert.equal(again.json.enrolled, 1);
  assert.deepEqual(
    again.json.skipped.map((s) => s.code).sort(),
    ['enrollment.exists', 'member.not_in_unit'],
  );
  const foreign = await srv.api('POST', url, { token: tok.a1_officer, body: { unit_id: t.units.unitB1 } });
  assertProblem(foreign, 422, { field: 'unit_id', code: 'unit_id.unknown' });
  const all = await srv.api('POST', url, { token: tok.b1_officer, body: { unit_id: t.units.unitB1 } });
  assert.equal(all.json.enrolled, 2, all.text);

  const list = await srv.api('GET', `${url}?unit_id=${t.units.unitA1}`, { token: tok.a1_officer });
  assert.equal(list.json.total, 5);
  const fund = await srv.api('GET', `/api/v1/ledger/funds/aid:${period.id}`, { token: tok.admin });
  const bank = fund.json.accounts.find((a) => a.account === 'bank');
  assert.equal(bank.balance_fen, 70000);
  await ledgerOk();
});

test('a claim is assessed with explained lines; four eyes; approve, pay once, report and ledger agree', async () => {
  const [m1] = members.unitA1;
  const c = await fileClaim(m1);
  // 9,000 self-paid − 1,000 deductible = 8,000 yuan at 50 % = 4,000; 10 days, from day 4: 7 × 50 = 350.
  assert.equal(c.status, 'submitted');
  assert.equal(c.assessment.outcome, 'pay');
  assert.deepEqual(c.assessment.lines.map((l) => [l.item, l.amount_fen]), [['medical', 400000], ['allowance', 35000]]);
  assert.equal(c.amount_fen, 435000);
  assert.ok(c.assessment.lines[0].text.includes('8000.00 元 × 50%'), c.assessment.lines[0].text);

  const self = await srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/approve`, { token: tok.admin, body: {} });
  assert.equal(self.status, 200, 'admin did not file it');
  const c2 = await fileClaim(members.unitA1[1], {}, tok.admin);
  const four = await srv.api('POST', `/api/v1/mutual-aid/claims/${c2.id}/approve`, { token: tok.admin, body: {} });
  assertProblem(four, 403, { code: 'claim.four_eyes' });
  const noNote = await srv.api('POST', `/api/v1/mutual-aid/claims/${c2.id}/reject`, { token: tok.rev1, body: {} });
  assertProblem(noNote, 422, { field: 'note' });

  const key = { 'Idempotency-Key': `pay-${c.id}` };
  const paid = await srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/pay`, { token: tok.prov_mgr, body: {}, headers: key });
  assert.equal(paid.status, 200, paid.text);
  assert.equal(paid.json.status, 'paid');
  const replay = await srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/pay`, { token: tok.prov_mgr, body: {}, headers: key });
  assert.equal(replay.status, 200);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  const twice = await srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/pay`, { token: tok.prov_mgr, body: {} });
  assertProblem(twice, 409, { code: 'claim.state' });

  const report = await srv.api('GET', `/api/v1/mutual-aid/periods/${period.id}/report`, { token: tok.rev1 });
  assert.equal(report.status, 200, report.text);
  assert.equal(report.json.settlements, 1);
  assert.equal(report.json.payout_fen, 435000);
  assert.equal(report.json.members, 7);
  assert.equal(report.json.premium_income_fen, 70000);
  assert.equal(report.json.usage_rate, '621.43'); // 435,000 / 70,000
  const cityA = report.json.by_region.find((r) => r.region_code === '530100');
  assert.equal(cityA.members, 5);
  const units = await srv.api('GET', `/api/v1/mutual-aid/periods/${period.id}/report/units`, { token: tok.rev1 });
  assert.equal(units.json.items.find((u) => u.unit_id === t.units.unitA1).payout_fen, 435000);
  const v = await ledgerOk();
  const f = v.funds.find((x) => x.fund === `aid:${period.id}`);
  assert.equal(f.paid_out_fen, 435000);
  assert.equal(f.paid_records_fen, 435000);
});

test('coded reasons: not enrolled, outside coverage, duplicate stay, missing documents; not payable', async () => {
  const notEnrolled = await fileClaim(members.unitA1[5]);
  assert.equal(notEnrolled.assessment.outcome, 'reject');
  assert.deepEqual(notEnrolled.assessment.reasons, ['claim.not_enrolled']);
  assert.equal(notEnrolled.amount_fen, 0);
  const refused = await srv.api('POST', `/api/v1/mutual-aid/claims/${notEnrolled.id}/approve`, { token: tok.rev1, body: {} });
  assertProblem(refused, 422, { code: 'claim.not_payable' });

  const m = members.unitA1[2];
  const outside = await fileClaim(m, { admission: today(-90), discharge: today(-80) });
  assert.deepEqual(outside.assessment.reasons, ['claim.outside_coverage']);
  const first = await fileClaim(m, { admission: today(-9), discharge: today(-5) });
  assert.equal(first.assessment.outcome, 'pay');
  const overlap = await fileClaim(m, { admission: today(-6), discharge: today(-2) });
  assert.deepEqual(overlap.assessment.reasons, ['claim.duplicate_stay']);
  const docs = await fileClaim(members.unitA1[3], { documents: [{ kind: 'invoice', name: 'a.pdf' }], disease_code: 'C50' });
  assert.equal(docs.assessment.outcome, 'return');
  assert.deepEqual(docs.assessment.reasons, ['claim.missing_documents']);
  assert.ok(docs.assessment.lines.some((l) => l.item === 'disease' && l.amount_fen === 1000000));

  // Returned for documents, corrected by the filer, then approvable.
  const ret = await srv.api('POST', `/api/v1/mutual-aid/claims/${docs.id}/return`, {
    token: tok.rev1, body: { note: '请补充出院小结' },
  });
  assert.equal(ret.json.status, 'returned');
  const fixed = await srv.api('PATCH', `/api/v1/mutual-aid/claims/${docs.id}`, {
    token: tok.a1_officer, body: claimBody(members.unitA1[3], { disease_code: 'C50', period_id: undefined }),
  });
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.json.status, 'submitted');
  assert.equal(fixed.json.assessment.outcome, 'pay');
});

test('bad input is refused naming the field, and nothing is written', async () => {
  const before = await srv.sql('SELECT COUNT(*) FROM aid_claims');
  const m = members.unitA1[0];
  const cases = [
    [{ total_cost_fen: -1 }, 'total_cost_fen'],
    [{ self_paid_fen: 12.5 }, 'self_paid_fen'],
    [{ basic_paid_fen: '100' }, 'basic_paid_fen'],
    [{ discharge: today(-30) }, 'discharge'],
    [{ self_paid_fen: 3000000 }, 'total_cost_fen'],
    [{ period_id: 999999 }, 'period_id'],
    [{ admission: '2022-02-30' }, 'admission'],
    [{ hospital: undefined }, 'hospital'],
  ];
  for (const [extra, field] of cases) {
    const r = await srv.api('POST', '/api/v1/mutual-aid/claims', { token: tok.a1_officer, body: claimBody(m, extra) });
    assertProblem(r, 422, { field });
  }
  const outside = await srv.api('POST', '/api/v1/mutual-aid/claims', {
    token: tok.a1_officer, body: claimBody(members.unitB1[0]),
  });
  assertProblem(outside, 422, { field: 'member_id' });
  assert.equal(await srv.sql('SELECT COUNT(*) FROM aid_claims'), before);
});

test('staff of another subtree cannot read or decide a claim', async () => {
  const c = await fileClaim(members.unitA1[4]);
  const read = await srv.api('GET', `/api/v1/mutual-aid/claims/${c.id}`, { token: tok.b1_officer });
  assert.equal(read.status, 404);
  const decide = await srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/approve`, { token: tok.b1_reviewer, body: {} });
  assert.equal(decide.status, 404);
  const list = await srv.api('GET', `/api/v1/mutual-aid/claims?period_id=${period.id}`, { token: tok.b1_officer });
  assert.equal(list.json.items.filter((x) => x.id === c.id).length, 0);
});

test('two reviewers approving and two payers paying the same claim at once: paid exactly once', async () => {
  const c = await fileClaim(members.unitA1[4], { admission: today(-40), discharge: today(-35) });
  const approvals = await Promise.all(
    [tok.rev1, tok.rev2].map((token) => srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/approve`, { token, body: {} })),
  );
  assert.deepEqual(approvals.map((r) => r.status).sort(), [200, 409]);
  const pays = await Promise.all(
    [tok.prov_mgr, tok.admin, tok.prov_mgr].map((token) =>
      srv.api('POST', `/api/v1/mutual-aid/claims/${c.id}/pay`, { token, body: {} })),
  );
  assert.deepEqual(pays.map((r) => r.status).sort(), [200, 409, 409]);
  const postings = await srv.sql(
    `SELECT COUNT(*) FROM ledger_txns WHERE kind = 'aid.claim.pay' AND ref_id = ${c.id}`,
  );
  assert.equal(postings.trim(), '1');
  await ledgerOk();
});

test('kill -9 during a batch payment: after restart the ledger balances and nothing is paid twice', async () => {
  // A second server of its own, so this test can kill it.
  const s = await startServer();
  const tree = await buildTree(s, { staff: [['mgr', 'prov', ['org_manager']], ['rev', 'prov', ['reviewer']]] });
  const p = await s.api('POST', '/api/v1/mutual-aid/periods', {
    token: tree.tokens.mgr,
    body: {
      org_id: tree.orgs.prov, number: 1, name: '第1期', enrol_start: today(-1), enrol_end: today(1),
      cover_start: today(-100), cover_end: today(100), rules: { bands: [{ up_to_fen: null, percent: 50 }] },
    },
  });
  assert.equal(p.status, 201, p.text);
  const rows = [];
  for (let i = 0; i < 120; i++) rows.push(memberBody(tree.units.unitA1));
  const imp = await s.api('POST', '/api/v1/members/import', { token: tree.admin, body: { rows } });
  assert.equal(imp.json.created, 120);
  const enrol = await s.api('POST', `/api/v1/mutual-aid/periods/${p.json.id}/enrollments`, {
    token: tree.tokens.mgr, body: { unit_id: tree.units.unitA1 },
  });
  assert.equal(enrol.json.enrolled, 120);
  const ids = (await s.sql('SELECT id FROM members ORDER BY id')).trim().split('\n').map(Number);
  const claims = await Promise.all(ids.map((id) => s.api('POST', '/api/v1/mutual-aid/claims', {
    token: tree.tokens.mgr,
    body: {
      period_id: p.json.id, member_id: id, admission: today(-5), discharge: today(-3), hospital: 'H', diagnosis: 'D',
      total_cost_fen: 100000, basic_paid_fen: 0, critical_paid_fen: 0, assistance_fen: 0, self_paid_fen: 100000 + 0,
      documents: [],
    },
  })));
  for (const c of claims) assert.equal(c.status, 201, c.text);
  for (const c of claims) {
    const a = await s.api('POST', `/api/v1/mutual-aid/claims/${c.json.id}/approve`, { token: tree.tokens.rev, body: {} });
    assert.equal(a.status, 200, a.text);
  }
  // Fire the batch and kill the server without waiting for the answer.
  const batch = s.api('POST', '/api/v1/mutual-aid/payments', {
    token: tree.tokens.mgr, body: { period_id: p.json.id }, headers: { 'Idempotency-Key': 'batch-1' },
  }).catch((e) => ({ error: e }));
  await new Promise((r) => setTimeout(r, 5));
  s.proc.kill('SIGKILL');
  await s.exitPromise;
  const answer = await batch;
  const s2 = await startServer({ reuse: s });
  try {
    const admin2 = await s2.login('admin', 'AdminPw2026x');
    const v = await s2.api('GET', '/api/v1/ledger/verify', { token: admin2 });
    assert.equal(v.json.ok, true, JSON.stringify(v.json.problems));
    const paidBefore = Number((await s2.sql("SELECT COUNT(*) FROM aid_claims WHERE status = 'paid'")).trim());
    assert.ok(paidBefore === 0 || paidBefore === 120, `the batch is one transaction: ${paidBefore} paid`);
    if (answer.status === 200) assert.equal(paidBefore, 120, 'an acknowledged batch survives the crash');
    // The clerk retries: whatever was paid is not paid again.
    const retry = await s2.api('POST', '/api/v1/mutual-aid/payments', {
      token: admin2, body: { period_id: p.json.id }, headers: { 'Idempotency-Key': 'batch-2' },
    });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json.paid, 120 - paidBefore);
    const v2 = await s2.api('GET', '/api/v1/ledger/verify', { token: admin2 });
    assert.equal(v2.json.ok, true, JSON.stringify(v2.json.problems));
    const f = v2.json.funds.find((x) => x.fund === `aid:${p.json.id}`);
    assert.equal(f.paid_out_fen, 120 * 50000);
    assert.equal(f.paid_records_fen, 120 * 50000);
  } finally {
    await s2.stop();
  }
});

test('members see their own enrolments and claims and may file for themselves only', async () => {
  const m = members.unitA1[0];
  const created = await srv.api('GET', `/api/v1/members/${m}`, { token: tok.admin });
  assert.equal(created.status, 200);
  // Register the member through the roster match, then log in with the phone.
  const phone = (await srv.api('POST', `/api/v1/members/${m}/reveal`, {
    token: tok.admin, body: { reason: '测试注册', fields: ['citizen_id', 'phone'] },
  })).json;
  const reg = await srv.api('POST', '/api/v1/auth/register', {
    body: { citizen_id: phone.citizen_id, name: created.json.name, phone: phone.phone, password: 'MemberPw2026x' },
  });
  assert.equal(reg.status, 201, reg.text);
  const mt = await srv.login(phone.phone, 'MemberPw2026x', { from: '127.0.0.77' });
  const mine = await srv.api('GET', '/api/v1/me/mutual-aid', { token: mt });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.enrollments[0].period_id, period.id);
  assert.ok(mine.json.claims.length >= 1);
  assert.ok(mine.json.claims.every((c) => c.member_id === m));
  const own = await srv.api('POST', '/api/v1/mutual-aid/claims', {
    token: mt, body: claimBody(undefined, { admission: today(-200), discharge: today(-199) }),
  });
  assert.equal(own.status, 201, own.text);
  assert.equal(own.json.member_id, m);
  const other = await srv.api('GET', `/api/v1/mutual-aid/claims/${own.json.id - 1}`, { token: mt });
  assert.ok([403, 404].includes(other.status) || other.json.member_id === m);
  const staffList = await srv.api('GET', '/api/v1/mutual-aid/claims', { token: mt });
  assert.equal(staffList.status, 403);
});

// Orgs (hierarchy rules, data scope) and units (credit codes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, countOf } from './fixtures.mjs';
import { freshCreditCode, creditWithBadCheck, creditWithBadOrgCode, makeCreditCode } from './gen.mjs';

let srv;
let t; // the tree
let admin;

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['citya_mgr', 'cityA', ['org_manager']],
      ['cityb_mgr', 'cityB', ['org_manager']],
      ['a1_officer', 'countyA1', ['case_officer']],
    ],
  });
  admin = t.admin;
});

after(async () => {
  if (srv) await srv.stop();
});

const orgCount = () => countOf(srv, admin, '/api/v1/orgs?page_size=1');
const unitCount = () => countOf(srv, admin, '/api/v1/units?page_size=1');

test('province, city, county and grassroots are created under each other (201 with id) and read back', async () => {
  const chain = [
    ['prov', 'province', '530000', t.orgs.national],
    ['cityA', 'city', '530100', t.orgs.prov],
    ['countyA1', 'county', '530102', t.orgs.cityA],
    ['grassA1', 'grassroots', '530102', t.orgs.countyA1],
  ];
  for (const [key, level, region, parent] of chain) {
    const id = t.orgs[key];
    assert.equal(typeof id, 'number');
    const r = await srv.api('GET', `/api/v1/orgs/${id}`, { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, id);
    assert.equal(r.json.level, level);
    assert.equal(r.json.region_code, region);
    assert.equal(r.json.parent_id, parent);
  }
  // A fresh create returns the object with its id.
  const before = await orgCount();
  const r = await srv.api('POST', '/api/v1/orgs', {
    token: admin,
    body: { name: '官渡区总工会', level: 'county', parent_id: t.orgs.cityA, region_code: '530111' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.json.id, 'number');
  assert.equal(r.json.name, '官渡区总工会');
  assert.equal(r.json.level, 'county');
  assert.equal(r.json.parent_id, t.orgs.cityA);
  assert.equal(await orgCount(), before + 1);
  const g = await srv.api('GET', `/api/v1/orgs/${r.json.id}`, { token: admin });
  assert.equal(g.status, 200);
  assert.equal(g.json.name, '官渡区总工会');
});

test('a level not below the parent → 422 field level, nothing created', async () => {
  const before = await orgCount();
  const bad = [
    { name: '错误市', level: 'city', parent_id: t.orgs.countyA1, region_code: '530102' },
    { name: '错误县', level: 'county', parent_id: t.orgs.countyA1, region_code: '530102' },
    { name: '错误省', level: 'province', parent_id: t.orgs.cityA, region_code: '530100' },
    { name: '错误全总', level: 'national', parent_id: t.orgs.prov, region_code: '530000' },
    { name: '基层下级', level: 'grassroots', parent_id: t.orgs.grassA1, region_code: '530102' },
  ];
  for (const body of bad) {
    const r = await srv.api('POST', '/api/v1/orgs', { token: admin, body });
    assertProblem(r, 422, { field: 'level' });
  }
  assert.equal(await orgCount(), before);
});

test('a region outside the parent → 422 field region_code, nothing created', async () => {
  const before = await orgCount();
  const bad = [
    // 麒麟区 (曲靖) under 昆明
    { name: '麒麟区总工会', level: 'county', parent_id: t.orgs.cityA, region_code: '530302' },
    // 北京 under 云南
    { name: '北京市总工会', level: 'city', parent_id: t.orgs.prov, region_code: '110100' },
    // unknown region code
    { name: '无名区总工会', level: 'county', parent_id: t.orgs.cityA, region_code: '539999' },
    // a province union needs a province-level code
    { name: '假省总工会', level: 'province', parent_id: t.orgs.national, region_code: '440100' },
  ];
  for (const body of bad) {
    const r = await srv.api('POST', '/api/v1/orgs', { token: admin, body });
    assertProblem(r, 422, { field: 'region_code' });
  }
  assert.equal(await orgCount(), before);
});

test('an unknown parent → 422 (parent_id), nothing created', async () => {
  const before = await orgCount();
  const r = await srv.api('POST', '/api/v1/orgs', {
    token: admin,
    body: { name: '孤儿县', level: 'county', parent_id: 9_999_999, region_code: '530102' },
  });
  assertProblem(r, [422, 404]);
  if (r.status === 422) assertProblem(r, 422, { field: 'parent_id' });
  assert.equal(await orgCount(), before);
});

test('missing and mistyped org fields → 422 naming each field', async () => {
  const before = await orgCount();
  const r = await srv.api('POST', '/api/v1/orgs', { token: admin, body: {} });
  const p = assertProblem(r, 422);
  const fields = p.errors.map((e) => e.field).sort();
  for (const f of ['level', 'name', 'parent_id', 'region_code']) assert.ok(fields.includes(f), `missing ${f} reported: ${fields}`);
  assertProblem(
    await srv.api('POST', '/api/v1/orgs', {
      token: admin,
      body: { name: 7, level: 'county', parent_id: t.orgs.cityA, region_code: '530111' },
    }),
    422,
    { field: 'name' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/orgs', {
      token: admin,
      body: { name: '类型错', level: 'county', parent_id: 'abc', region_code: '530111' },
    }),
    422,
    { field: 'parent_id' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/orgs', {
      token: admin,
      body: { name: '级别错', level: 'township', parent_id: t.orgs.cityA, region_code: '530111' },
    }),
    422,
    { field: 'level' },
  );
  assert.equal(await orgCount(), before);
});

test('staff of one subtree cannot read or create in another (403/404, never the object)', async () => {
  const mgrA = t.tokens.citya_mgr;
  // Inside its own subtree it may create.
  const ok = await srv.api('POST', '/api/v1/orgs', {
    token: mgrA,
    body: { name: '五华区测试二号工会委员会', level: 'grassroots', parent_id: t.orgs.countyA1, region_code: '530102' },
  });
  assert.equal(ok.status, 201, ok.text);

  const before = await orgCount();
  const create = await srv.api('POST', '/api/v1/orgs', {
    token: mgrA,
    body: { name: '越权基层工会', level: 'grassroots', parent_id: t.orgs.countyB1, region_code: '530302' },
  });
  assertProblem(create, [403, 404]);
  assert.ok(!create.text.includes('麒麟区总工会'));
  assert.equal(await orgCount(), before);

  for (const key of ['cityB', 'countyB1', 'grassB1', 'prov', 'national']) {
    const r = await srv.api('GET', `/api/v1/orgs/${t.orgs[key]}`, { token: mgrA });
    assertProblem(r, [403, 404]);
    assert.equal(r.json.region_code, undefined, `no object leaked for ${key}`);
    for (const sub of ['children', 'summary']) {
      const s = await srv.api('GET', `/api/v1/orgs/${t.orgs[key]}/${sub}`, { token: mgrA });
      assertProblem(s, [403, 404]);
    }
  }
  // Renaming another subtree's org is refused and changes nothing.
  const patch = await srv.api('PATCH', `/api/v1/orgs/${t.orgs.cityB}`, { token: mgrA, body: { name: '被改名' } });
  assertProblem(patch, [403, 404]);
  const cityB = await srv.api('GET', `/api/v1/orgs/${t.orgs.cityB}`, { token: admin });
  assert.equal(cityB.json.name, '曲靖市总工会');

  // The list holds only the caller's subtree.
  const list = await srv.api('GET', '/api/v1/orgs?page_size=200', { token: mgrA });
  assert.equal(list.status, 200);
  const ids = list.json.items.map((o) => o.id);
  assert.ok(ids.includes(t.orgs.cityA) && ids.includes(t.orgs.grassA1));
  for (const key of ['cityB', 'countyB1', 'grassB1', 'prov', 'national']) assert.ok(!ids.includes(t.orgs[key]), key);
  assert.equal(list.json.total, list.json.items.length);
  // Listing under a foreign root is refused too.
  assertProblem(await srv.api('GET', `/api/v1/orgs?org_id=${t.orgs.cityB}`, { token: mgrA }), [403, 404]);
  // And the other city manager sees its own only.
  const listB = await srv.api('GET', '/api/v1/orgs?page_size=200', { token: t.tokens.cityb_mgr });
  assert.ok(!listB.json.items.some((o) => o.id === t.orgs.cityA));
});

test('an account without org.write cannot create orgs (403)', async () => {
  const before = await orgCount();
  const r = await srv.api('POST', '/api/v1/orgs', {
    token: t.tokens.a1_officer,
    body: { name: '无权工会', level: 'grassroots', parent_id: t.orgs.countyA1, region_code: '530102' },
  });
  assertProblem(r, 403);
  assert.equal(await orgCount(), before);
});

test('units: a valid credit code → 201 with id; GET reads it back', async () => {
  const code = freshCreditCode('530102');
  const before = await unitCount();
  const r = await srv.api('POST', '/api/v1/units', {
    token: admin,
    body: { name: '五华区信用代码测试有限公司', credit_code: code, region_code: '530102', org_id: t.orgs.grassA1, industry: 'C', headcount: 12 },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.json.id, 'number');
  assert.equal(r.json.credit_code, code);
  assert.equal(r.json.org_id, t.orgs.grassA1);
  assert.equal(await unitCount(), before + 1);
  const g = await srv.api('GET', `/api/v1/units/${r.json.id}`, { token: admin });
  assert.equal(g.status, 200);
  assert.equal(g.json.credit_code, code);
  // Found by exact code search.
  const q = await srv.api('GET', `/api/v1/units?q=${code}`, { token: admin });
  assert.equal(q.json.total, 1);
  // A well-known real code (example from GB 32100 publicity material).
  const real = await srv.api('POST', '/api/v1/units', {
    token: admin,
    body: { name: '真实代码测试', credit_code: makeCreditCode('9', '1', '530102', 'M000100Y'), region_code: '530102', org_id: t.orgs.grassA1 },
  });
  assert.equal(real.status, 201, real.text);
});

test('units: an invalid credit code → 422 field credit_code, nothing created', async () => {
  const good = freshCreditCode('530102');
  const bad = [
    creditWithBadCheck(good),
    creditWithBadOrgCode(good),
    good.slice(0, 17), // too short
    good.toLowerCase(), // lowercase
    good.slice(0, 17) + 'I', // I is not in the charset
    '91530102MA' + 'ABCDEFG' + '1', // letters in wrong places
    '',
  ];
  const before = await unitCount();
  for (const credit_code of bad) {
    const r = await srv.api('POST', '/api/v1/units', {
      token: admin,
      body: { name: '坏代码有限公司', credit_code, region_code: '530102', org_id: t.orgs.grassA1 },
    });
    assertProblem(r, 422, { field: 'credit_code' });
  }
  assert.equal(await unitCount(), before);
  // The good code still goes in afterwards.
  const r = await srv.api('POST', '/api/v1/units', {
    token: admin,
    body: { name: '好代码有限公司', credit_code: good, region_code: '530102', org_id: t.orgs.grassA1 },
  });
  assert.equal(r.status, 201, r.text);
});

test('units: a duplicate credit code → 409, nothing created', async () => {
  const code = freshCreditCode('530103');
  const body = { name: '重复代码有限公司', credit_code: code, region_code: '530103', org_id: t.orgs.grassA2 };
  assert.equal((await srv.api('POST', '/api/v1/units', { token: admin, body })).status, 201);
  const before = await unitCount();
  assertProblem(await srv.api('POST', '/api/v1/units', { token: admin, body: { ...body, name: '另一家' } }), 409);
  // Also from a different org in a different subtree.
  assertProblem(
    await srv.api('POST', '/api/v1/units', {
      token: admin,
      body: { name: '第三家', credit_code: code, region_code: '530302', org_id: t.orgs.grassB1 },
    }),
    409,
  );
  assert.equal(await unitCount(), before);
});

test('units: region outside the org, unknown org, missing fields → 422; nothing created', async () => {
  const before = await unitCount();
  assertProblem(
    await srv.api('POST', '/api/v1/units', {
      token: admin,
      body: { name: '跨区有限公司', credit_code: freshCreditCode('530302'), region_code: '530302', org_id: t.orgs.grassA1 },
    }),
    422,
    { field: 'region_code' },
  );
  const unknown = await srv.api('POST', '/api/v1/units', {
    token: admin,
    body: { name: '无主有限公司', credit_code: freshCreditCode(), region_code: '530102', org_id: 9_999_999 },
  });
  assertProblem(unknown, [422, 404]);
  const missing = await srv.api('POST', '/api/v1/units', { token: admin, body: { name: '缺字段' } });
  const p = assertProblem(missing, 422);
  const fields = p.errors.map((e) => e.field);
  for (const f of ['credit_code', 'region_code', 'org_id']) assert.ok(fields.includes(f), `${f} in ${fields}`);
  assertProblem(
    await srv.api('POST', '/api/v1/units', {
      token: admin,
      body: { name: '行业错', credit_code: freshCreditCode(), region_code: '530102', org_id: t.orgs.grassA1, industry: 'Z' },
    }),
    422,
    { field: 'industry' },
  );
  assert.equal(await unitCount(), before);
});

test('units: another subtree cannot read or create units there (403/404)', async () => {
  const mgrA = t.tokens.citya_mgr;
  const before = await unitCount();
  const r = await srv.api('POST', '/api/v1/units', {
    token: mgrA,
    body: { name: '越权有限公司', credit_code: freshCreditCode('530302'), region_code: '530302', org_id: t.orgs.grassB1 },
  });
  assertProblem(r, [403, 404]);
  assert.equal(await unitCount(), before);
  const g = await srv.api('GET', `/api/v1/units/${t.units.unitB1}`, { token: mgrA });
  assertProblem(g, [403, 404]);
  assert.ok(!g.text.includes('麒麟区测试餐饮有限公司'));
  const p = await srv.api('PATCH', `/api/v1/units/${t.units.unitB1}`, { token: mgrA, body: { name: '改名' } });
  assertProblem(p, [403, 404]);
  const still = await srv.api('GET', `/api/v1/units/${t.units.unitB1}`, { token: admin });
  assert.equal(still.json.name, '麒麟区测试餐饮有限公司');
  const list = await srv.api('GET', '/api/v1/units?page_size=200', { token: mgrA });
  assert.ok(!list.json.items.some((u) => u.id === t.units.unitB1));
  assert.ok(list.json.items.some((u) => u.id === t.units.unitA1));
});

test('units: concurrent creates with one credit code → one 201, the rest 409', async () => {
  const code = freshCreditCode('530102');
  const before = await unitCount();
  const rs = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      srv.api('POST', '/api/v1/units', {
        token: admin,
        body: { name: `并发有限公司${i}`, credit_code: code, region_code: '530102', org_id: t.orgs.grassA1 },
      }),
    ),
  );
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 409).length, 5, statuses.join(','));
  assert.equal(await unitCount(), before + 1);
});

test('the audit chain still verifies after everything above', async () => {
  const v = await srv.api('GET', '/api/v1/audit/verify', { token: t.admin });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, v.text);
});

// A small org tree built through the API by `admin`, with units and staff,
// shared by the test files (each file builds its own on its own server).
//
//   national (bootstrap)
//   └─ prov   云南省总工会        province   530000
//      ├─ cityA  昆明市总工会     city       530100
//      │  ├─ countyA1 五华区总工会 county    530102
//      │  │  └─ grassA1          grassroots 530102   units: unitA1, unitA1b
//      │  └─ countyA2 盘龙区总工会 county    530103
//      │     └─ grassA2          grassroots 530103   units: unitA2
//      └─ cityB  曲靖市总工会     city       530300
//         └─ countyB1 麒麟区总工会 county    530302
//            └─ grassB1          grassroots 530302   units: unitB1
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD } from './harness.mjs';
import { freshCitizenId, freshCreditCode, freshPhone } from './gen.mjs';

export const STAFF_PASSWORD = 'StaffPw2026x';

const ORGS = [
  ['prov', null, '云南省总工会', 'province', '530000'],
  ['cityA', 'prov', '昆明市总工会', 'city', '530100'],
  ['countyA1', 'cityA', '五华区总工会', 'county', '530102'],
  ['grassA1', 'countyA1', '五华区测试建材有限公司工会委员会', 'grassroots', '530102'],
  ['countyA2', 'cityA', '盘龙区总工会', 'county', '530103'],
  ['grassA2', 'countyA2', '盘龙区测试物流有限公司工会委员会', 'grassroots', '530103'],
  ['cityB', 'prov', '曲靖市总工会', 'city', '530300'],
  ['countyB1', 'cityB', '麒麟区总工会', 'county', '530302'],
  ['grassB1', 'countyB1', '麒麟区测试餐饮有限公司工会委员会', 'grassroots', '530302'],
];

const UNITS = [
  ['unitA1', 'grassA1', '五华区测试建材有限公司', '530102'],
  ['unitA1b', 'grassA1', '五华区测试二号建材有限公司', '530102'],
  ['unitA2', 'grassA2', '盘龙区测试物流有限公司', '530103'],
  ['unitB1', 'grassB1', '麒麟区测试餐饮有限公司', '530302'],
];

// staff: [[username, orgKey, roles], ...] — created by admin and logged in.
export async function buildTree(srv, { staff = [] } = {}) {
  const adminLogin = await srv.loginRaw('admin', ADMIN_PASSWORD);
  assert.equal(adminLogin.status, 200, adminLogin.text);
  const admin = adminLogin.json.token;
  const orgs = { national: adminLogin.json.account.org_id };
  for (const [key, parent, name, level, region_code] of ORGS) {
    const r = await srv.api('POST', '/api/v1/orgs', {
      token: admin,
      body: { name, level, parent_id: orgs[parent ?? 'national'], region_code },
    });
    assert.equal(r.status, 201, `create org ${key}: ${r.text}`);
    orgs[key] = r.json.id;
  }
  const units = {};
  const unitRegion = {};
  for (const [key, org, name, region] of UNITS) {
    const r = await srv.api('POST', '/api/v1/units', {
      token: admin,
      body: { name, credit_code: freshCreditCode(region), region_code: region, org_id: orgs[org] },
    });
    assert.equal(r.status, 201, `create unit ${key}: ${r.text}`);
    units[key] = r.json.id;
    unitRegion[key] = region;
  }
  const tokens = { admin };
  const accounts = {};
  for (const [username, orgKey, roles] of staff) {
    const r = await srv.api('POST', '/api/v1/staff', {
      token: admin,
      body: { username, password: STAFF_PASSWORD, org_id: orgs[orgKey], roles },
    });
    assert.equal(r.status, 201, `create staff ${username}: ${r.text}`);
    accounts[username] = r.json;
  }
  // Logins in parallel: Argon2id verification dominates.
  await Promise.all(
    staff.map(async ([username]) => {
      tokens[username] = await srv.login(username, STAFF_PASSWORD);
    }),
  );
  return { orgs, units, unitRegion, tokens, accounts, admin };
}

export function memberBody(unitId, extra = {}) {
  return {
    name: '测试' + ['伟', '芳', '娜', '敏', '静', '强'][Math.floor(Math.random() * 6)],
    citizen_id: freshCitizenId(),
    phone: freshPhone(),
    unit_id: unitId,
    household: 'urban',
    employment_form: 'standard',
    employment_status: 'in_service',
    ...extra,
  };
}

// Total of a paged list endpoint.
export async function countOf(srv, token, p) {
  const r = await srv.api('GET', p, { token });
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  assert.equal(typeof r.json.total, 'number');
  return r.json.total;
}

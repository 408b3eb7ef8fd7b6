// Generators of valid (and deliberately broken) Chinese identifiers for the
// API tests: citizen IDs (GB 11643-1999, ISO 7064 MOD 11-2), unified social
// credit codes (GB 32100-2015 with the embedded GB 11714 organisation code)
// and mobile numbers. Every generator is deterministic per process and never
// repeats a value, so each test can mint fresh, unique identifiers.

const CID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CID_CHECK = '10X98765432';

export function citizenCheckChar(first17) {
  if (!/^\d{17}$/.test(first17)) throw new Error(`citizenCheckChar: bad input ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * CID_WEIGHTS[i];
  return CID_CHECK[sum % 11];
}

// make_citizen_id(region, birth, seq) as in src/core/citizen_id.cpp.
// birth: 'YYYY-MM-DD' or {y, m, d}; seq: 0–999 (odd = male).
export function makeCitizenId(region, birth, seq) {
  const b = typeof birth === 'string' ? birth.replaceAll('-', '') : `${birth.y}${String(birth.m).padStart(2, '0')}${String(birth.d).padStart(2, '0')}`;
  const first17 = `${region}${b}${String(seq).padStart(3, '0')}`;
  return first17 + citizenCheckChar(first17);
}

let cidCounter = 0;
const CID_REGIONS = ['530102', '530103', '530111', '530302', '110101', '440106'];
// Fresh, unique, valid citizen IDs. `region` defaults to a rotating set of
// current codes; the birth date and sequence walk deterministically.
export function freshCitizenId({ region, male } = {}) {
  for (;;) {
    const n = cidCounter++;
    const r = region ?? CID_REGIONS[n % CID_REGIONS.length];
    // Spread over 1965–2003 and all days; the sequence keeps them unique.
    const year = 1965 + (n % 39);
    const month = 1 + (Math.floor(n / 39) % 12);
    const day = 1 + (Math.floor(n / 468) % 28);
    let seq = (Math.floor(n / 13104) + (process.pid % 500)) % 1000;
    if (male !== undefined) seq = (seq & ~1) | (male ? 1 : 0);
    const id = makeCitizenId(r, { y: year, m: month, d: day }, seq);
    if (!issued.has(id)) {
      issued.add(id);
      return id;
    }
  }
}
const issued = new Set();

// A valid ID whose check character is 'X'.
export function citizenIdEndingInX(region = '530102') {
  for (let seq = 0; seq < 1000; seq++) {
    const id = makeCitizenId(region, '1988-03-12', seq);
    if (id.endsWith('X') && !issued.has(id)) {
      issued.add(id);
      return id;
    }
  }
  throw new Error('no X id found');
}

// Deliberately broken variants of a valid ID.
export function withBadChecksum(id) {
  const first17 = id.slice(0, 17);
  const good = id[17];
  const bad = CID_CHECK.split('').find((c) => c !== good && c !== 'X');
  return first17 + bad;
}

export function withBadDate(region = '530102') {
  // 30 February does not exist; the check character is computed correctly.
  return makeCitizenId(region, { y: 1990, m: 2, d: 30 }, 101);
}

export function withBadRegion() {
  // 990000 is no GB/T 2260 code; the checksum is right.
  return makeCitizenId('990101', '1990-01-01', 101);
}

// Sex and birth date the server should derive.
export function sexOf(id) {
  return Number(id[16]) % 2 === 1 ? 'M' : 'F';
}
export function birthOf(id) {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}
export function maskOf(id) {
  return id.slice(0, 6) + '********' + id.slice(-4);
}

// ---- unified social credit codes (GB 32100-2015) ----
const CC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

function orgValue(c) {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'Z') return c.charCodeAt(0) - 55;
  throw new Error(`orgValue: ${c}`);
}

export function orgCodeCheckChar(first8) {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgValue(first8[i]) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function creditCheckChar(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CC_CHARSET.indexOf(first17[i]);
    if (v < 0) throw new Error(`creditCheckChar: ${first17[i]}`);
    sum += v * CC_WEIGHTS[i];
  }
  return CC_CHARSET[(31 - (sum % 31)) % 31];
}

export function makeCreditCode(authority, category, region6, org8) {
  const body = authority + category + region6 + org8 + orgCodeCheckChar(org8);
  return body + creditCheckChar(body);
}

let ccCounter = 0;
export function freshCreditCode(region = '530102') {
  const n = ccCounter++;
  // "MA" + 6 digits, like freshly issued codes; pid keeps parallel files apart.
  const org8 = 'MA' + String((process.pid * 1000 + n) % 1000000).padStart(6, '0');
  return makeCreditCode('9', '1', region, org8);
}

export function creditWithBadCheck(code) {
  const good = code[17];
  const bad = CC_CHARSET.split('').find((c) => c !== good);
  return code.slice(0, 17) + bad;
}

// A code whose final check is right but whose embedded org code is wrong.
export function creditWithBadOrgCode(code) {
  const org8 = code.slice(8, 16);
  const goodOrg = code[16];
  const badOrg = '0123456789'.split('').find((c) => c !== goodOrg);
  const body = code.slice(0, 16) + badOrg;
  return body + creditCheckChar(body);
}

// ---- phones ----
let phoneCounter = 0;
export function freshPhone() {
  const n = phoneCounter++;
  const prefixes = ['135', '136', '137', '150', '151', '158', '187', '188', '199'];
  return prefixes[n % prefixes.length] + String((process.pid * 7919 + n * 104729) % 100000000).padStart(8, '0');
}

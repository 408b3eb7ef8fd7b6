// Hostile and broken input: malformed JSON, wrong types, missing fields,
// oversize bodies, deep nesting, invalid UTF-8, unknown ids, static-file path
// traversal. Every rejected request must leave the store unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, countOf } from './fixtures.mjs';
import { freshCreditCode } from './gen.mjs';

let srv;
let t;
let admin;
let webDir;
const INDEX_MARKER = 'GH-ADMIN-INDEX-7f3a';
const SECRET_MARKER = 'GH-SECRET-OUTSIDE-WEBROOT-91c2';

before(async () => {
  // A web root with an admin app, and a secret file right next to (outside) it.
  webDir = await mkdtemp(path.join(os.tmpdir(), 'gonghui-web-'));
  await mkdir(path.join(webDir, 'web', 'admin', 'assets'), { recursive: true });
  await mkdir(path.join(webDir, 'web', 'm'), { recursive: true });
  await writeFile(path.join(webDir, 'web', 'admin', 'index.html'), `<!doctype html><title>${INDEX_MARKER}</title>`);
  await writeFile(path.join(webDir, 'web', 'admin', 'assets', 'app-AbCdEfGh12.js'), 'console.log(1)');
  await writeFile(path.join(webDir, 'web', 'm', 'index.html'), `<!doctype html><title>m ${INDEX_MARKER}</title>`);
  await writeFile(path.join(webDir, 'secret.txt'), SECRET_MARKER);
  srv = await startServer({ webRoot: path.join(webDir, 'web') });
  t = await buildTree(srv);
  admin = t.admin;
});

after(async () => {
  try {
    if (srv) await srv.stop();
  } finally {
    if (webDir) await rm(webDir, { recursive: true, force: true });
  }
});

async function snapshot() {
  return {
    orgs: await countOf(srv, admin, '/api/v1/orgs?page_size=1'),
    units: await countOf(srv, admin, '/api/v1/units?page_size=1'),
    members: await countOf(srv, admin, '/api/v1/members?page_size=1'),
    staff: await countOf(srv, admin, '/api/v1/staff?page_size=1'),
  };
}

const goodOrg = () => ({ name: '坏输入测试工会', level: 'grassroots', parent_id: t.orgs.countyA1, region_code: '530102' });

test('malformed JSON → 400 problem; nothing written', async () => {
  const before = await snapshot();
  const bodies = [
    '{"name": "x",',
    '{name: "x"}',
    "{'name': 'x'}",
    '{"name":"x"} trailing',
    '{"name":"x",}',
    '[1,2',
    'NaN',
    '{"name":"\\q"}',
  ];
  for (const rawBody of bodies) {
    const r = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody, headers: { 'content-type': 'application/json' } });
    assertProblem(r, 400);
  }
  const empty = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody: '', headers: { 'content-type': 'application/json' } });
  assertProblem(empty, 400);
  // A declared non-JSON body is refused (400 or 415).
  const text = await srv.api('POST', '/api/v1/orgs', {
    token: admin,
    rawBody: JSON.stringify(goodOrg()),
    headers: { 'content-type': 'text/plain' },
  });
  assertProblem(text, [400, 415]);
  assert.deepEqual(await snapshot(), before);
  // The very same body as JSON is fine (so the refusals above were about the syntax),
  // with or without media-type parameters and in any letter case.
  const ok = await srv.api('POST', '/api/v1/orgs', { token: admin, body: goodOrg() });
  assert.equal(ok.status, 201, ok.text);
  for (const ct of ['application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json']) {
    const r = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody: JSON.stringify(goodOrg()), headers: { 'content-type': ct } });
    assert.equal(r.status, 201, `${ct}: ${r.text}`);
  }
});

test('wrong types → 422 naming the field; nothing written', async () => {
  const before = await snapshot();
  const cases = [
    ['/api/v1/orgs', { ...goodOrg(), name: 5 }, 'name'],
    ['/api/v1/orgs', { ...goodOrg(), name: ['a'] }, 'name'],
    ['/api/v1/orgs', { ...goodOrg(), parent_id: String(t.orgs.countyA1) }, 'parent_id'],
    ['/api/v1/orgs', { ...goodOrg(), parent_id: 1.5 }, 'parent_id'],
    ['/api/v1/orgs', { ...goodOrg(), parent_id: -3 }, 'parent_id'],
    ['/api/v1/orgs', { ...goodOrg(), parent_id: 1e30 }, 'parent_id'],
    ['/api/v1/orgs', { ...goodOrg(), parent_id: true }, 'parent_id'],
    ['/api/v1/orgs', { ...goodOrg(), region_code: 530102 }, 'region_code'],
    ['/api/v1/orgs', { ...goodOrg(), level: null }, 'level'],
    ['/api/v1/orgs', { ...goodOrg(), name: 'x'.repeat(101) }, 'name'],
    ['/api/v1/orgs', { ...goodOrg(), name: 'a\u0000b' }, 'name'],
    ['/api/v1/orgs', { ...goodOrg(), name: '   ' }, 'name'],
    [
      '/api/v1/units',
      { name: '类型错有限公司', credit_code: freshCreditCode(), region_code: '530102', org_id: t.orgs.grassA1, headcount: 'many' },
      'headcount',
    ],
    [
      '/api/v1/units',
      { name: '类型错有限公司', credit_code: freshCreditCode(), region_code: '530102', org_id: { id: 1 } },
      'org_id',
    ],
    ['/api/v1/staff', { username: 'typed', password: 'Typed2026pw', org_id: t.orgs.prov, roles: 'admin' }, 'roles'],
    ['/api/v1/staff', { username: 'typed', password: 'Typed2026pw', org_id: t.orgs.prov, roles: [1] }, 'roles[0]'],
  ];
  for (const [p, body, field] of cases) {
    const r = await srv.api('POST', p, { token: admin, body });
    assertProblem(r, 422, { field });
  }
  assert.deepEqual(await snapshot(), before);
});

test('missing fields and non-object bodies → 422 (or 400); nothing written', async () => {
  const before = await snapshot();
  for (const [p, fields] of [
    ['/api/v1/orgs', ['name', 'level', 'parent_id', 'region_code']],
    ['/api/v1/units', ['name', 'credit_code', 'region_code', 'org_id']],
    ['/api/v1/members', ['name', 'citizen_id', 'phone', 'unit_id', 'household', 'employment_form', 'employment_status']],
    ['/api/v1/staff', ['username', 'password', 'org_id']],
  ]) {
    const r = await srv.api('POST', p, { token: admin, body: {} });
    const prob = assertProblem(r, 422);
    const got = prob.errors.map((e) => e.field);
    for (const f of fields) assert.ok(got.includes(f), `${p}: ${f} reported missing (${got})`);
  }
  for (const rawBody of ['[]', '"text"', '42', 'null', 'true']) {
    const r = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody, headers: { 'content-type': 'application/json' } });
    assertProblem(r, [400, 422]);
  }
  assert.deepEqual(await snapshot(), before);
});

test('a body over 8 MiB → 413; nothing written', async () => {
  const before = await snapshot();
  const size = 8 * 1024 * 1024 + 1024;
  // A syntactically valid JSON object, padded with a long string.
  const prefix = '{"name":"大","level":"grassroots","parent_id":1,"region_code":"530102","pad":"';
  const suffix = '"}';
  const body = Buffer.alloc(size, 'a');
  body.write(prefix, 0);
  body.write(suffix, size - suffix.length);
  const head =
    `POST /api/v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;
  const r = await srv.raw([head, body], { pauseAfterHeadMs: 300 });
  assert.equal(r.status, 413, `status ${r.status}: ${r.text.slice(0, 300)}`);
  assert.match(r.headers['content-type'] || '', /^application\/problem\+json/);
  assert.equal(r.json?.status, 413);

  // Chunked, with no declared length: the limit holds while reading.
  const chunk = Buffer.alloc(1024 * 1024, 'b');
  const parts = [
    `POST /api/v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
      `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
  ];
  for (let i = 0; i < 9; i++) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
  parts.push('0\r\n\r\n');
  const c = await srv.raw(parts);
  assert.equal(c.status, 413, `chunked status ${c.status}: ${c.text.slice(0, 300)}`);

  // The server is still healthy and nothing changed.
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
  assert.deepEqual(await snapshot(), before);
});

test('deeply nested JSON → 400; nothing written', async () => {
  const before = await snapshot();
  const arrays = '['.repeat(100) + ']'.repeat(100);
  const r1 = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody: arrays, headers: { 'content-type': 'application/json' } });
  assertProblem(r1, 400);
  let obj = '1';
  for (let i = 0; i < 100; i++) obj = `{"a":${obj}}`;
  const r2 = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody: obj, headers: { 'content-type': 'application/json' } });
  assertProblem(r2, 400);
  // Deep nesting inside an otherwise valid body too.
  const inside = JSON.stringify(goodOrg()).replace(/}$/, `,"x":${'['.repeat(100)}${']'.repeat(100)}}`);
  const r3 = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody: inside, headers: { 'content-type': 'application/json' } });
  assertProblem(r3, 400);
  // Very deep (100k) nesting does not crash the server.
  const huge = '['.repeat(100_000) + ']'.repeat(100_000);
  const r4 = await srv.api('POST', '/api/v1/members/import', { token: admin, rawBody: huge, headers: { 'content-type': 'application/json' } });
  assertProblem(r4, 400);
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
  assert.deepEqual(await snapshot(), before);
});

test('invalid UTF-8 inside a JSON string → 400; nothing written', async () => {
  const before = await snapshot();
  const tail = Buffer.from(`","level":"grassroots","parent_id":${t.orgs.countyA1},"region_code":"530102"}`);
  const bad = [
    Buffer.from([0xff, 0xfe]), // never valid
    Buffer.from([0xc0, 0xaf]), // overlong '/'
    Buffer.from([0xed, 0xa0, 0x80]), // UTF-16 surrogate
    Buffer.from([0xe5, 0xb7]), // truncated 3-byte sequence
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    Buffer.from([0x80]), // lone continuation byte
  ];
  for (const b of bad) {
    const body = Buffer.concat([Buffer.from('{"name":"坏'), b, tail]);
    const r = await srv.api('POST', '/api/v1/orgs', { token: admin, rawBody: body, headers: { 'content-type': 'application/json' } });
    assertProblem(r, 400);
  }
  // In a login too (no auth needed, so the check cannot hide behind 401).
  const login = Buffer.concat([Buffer.from('{"username":"admin'), Buffer.from([0xff]), Buffer.from('","password":"x"}')]);
  assertProblem(
    await srv.api('POST', '/api/v1/auth/login', { rawBody: login, headers: { 'content-type': 'application/json' } }),
    400,
  );
  assert.deepEqual(await snapshot(), before);
});

test('unknown ids → 404 or 422; malformed ids and query strings refused', async () => {
  const before = await snapshot();
  for (const p of ['/api/v1/orgs/9999999', '/api/v1/units/9999999', '/api/v1/members/9999999', '/api/v1/staff/9999999']) {
    assertProblem(await srv.api('GET', p, { token: admin }), 404);
  }
  for (const p of ['/api/v1/orgs/abc', '/api/v1/orgs/-1', '/api/v1/orgs/0', '/api/v1/orgs/1.5', '/api/v1/orgs/99999999999999999999999']) {
    assertProblem(await srv.api('GET', p, { token: admin }), [400, 404]);
  }
  assertProblem(await srv.api('GET', '/api/v1/orgs?org_id=9999999', { token: admin }), [404, 422]);
  assertProblem(await srv.api('GET', '/api/v1/members?unit_id=abc', { token: admin }), [400, 422]);
  assertProblem(await srv.api('GET', '/api/v1/orgs?level=galaxy', { token: admin }), [400, 422]);
  const badQuery = await srv.raw(
    `GET /api/v1/orgs?q=%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nConnection: close\r\n\r\n`,
  );
  assert.ok([400, 422].includes(badQuery.status), `bad percent-encoding: ${badQuery.status}`);
  assertProblem(
    await srv.api('PATCH', '/api/v1/orgs/9999999', { token: admin, body: { name: '不存在' } }),
    404,
  );
  assertProblem(
    await srv.api('POST', '/api/v1/orgs', { token: admin, body: { ...goodOrg(), parent_id: 9999999 } }),
    [404, 422],
  );
  assert.deepEqual(await snapshot(), before);
});

test('oversized headers → 431 (or 400); the server keeps serving', async () => {
  const r = await srv.raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
  assert.ok([400, 431].includes(r.status), `status ${r.status}`);
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
});

test('static files are served from the web root (control for the traversal test)', async () => {
  const index = await srv.raw('GET /admin/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(index.status, 200);
  assert.ok(index.text.includes(INDEX_MARKER));
  const spa = await srv.raw('GET /admin/members/42 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(spa.status, 200);
  assert.ok(spa.text.includes(INDEX_MARKER));
  const asset = await srv.raw('GET /admin/assets/app-AbCdEfGh12.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(asset.status, 200);
  assert.equal(asset.text, 'console.log(1)');
  const missing = await srv.raw('GET /admin/assets/nope.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(missing.status, 404);
});

test('path traversal on static files → 404/400, never file content', async () => {
  const targets = [
    '/admin/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/admin/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/admin/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/admin/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
    '/../../../../etc/passwd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/admin/../../secret.txt',
    '/admin/%2e%2e/%2e%2e/secret.txt',
    '/admin/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/m/..%2f..%2fsecret.txt',
    '/%2e%2e/secret.txt',
    '/admin/..%5c..%5csecret.txt',
    '/admin/%5c..%5c..%5csecret.txt',
    '/admin/.%2e/.%2e/secret.txt',
    '/admin/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '//etc/passwd',
    '/admin//etc/passwd',
    '/admin/%00/../../etc/passwd',
    '/admin/./../../etc/passwd',
  ];
  for (const target of targets) {
    const r = await srv.raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 404].includes(r.status), `${target} → ${r.status}: ${r.text.slice(0, 200)}`);
    assert.ok(!r.text.includes('root:'), `${target} leaked /etc/passwd`);
    assert.ok(!r.text.includes(SECRET_MARKER), `${target} leaked a file outside the web root`);
    assert.ok(!r.text.includes(INDEX_MARKER), `${target} fell back to the app index`);
  }
  // fetch normalises dot segments itself, which must not leak either.
  const f = await srv.api('GET', '/admin/../../etc/passwd');
  assert.ok(!f.text.includes('root:'));
});

test('id query parameters with trailing garbage are refused (422), not read as a number prefix', async () => {
  // members already validates the whole value; orgs, units and audit must too.
  for (const p of [
    `/api/v1/members?org_id=${t.orgs.cityA}abc`,
    `/api/v1/orgs?org_id=${t.orgs.cityA}abc`,
    `/api/v1/units?org_id=${t.orgs.cityA}abc`,
    `/api/v1/orgs?org_id=${t.orgs.cityA}.5`,
    `/api/v1/audit?actor_id=1abc`,
  ]) {
    const r = await srv.api('GET', p, { token: admin });
    assertProblem(r, [400, 422]);
  }
});

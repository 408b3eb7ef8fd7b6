// The digital union card: a rotating Ed25519-signed token on the member's
// card, the published public keys, offline verification with the CLI
// (`gonghui card verify`, as a gate would), online verification by signed
// terminals, and a frozen membership that stops verifying online at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, assertProblem, BIN } from './harness.mjs';
import { buildTree, memberBody } from './fixtures.mjs';

let srv;
let t;
let member; // {id, token}
let term; // {id, secret}
let keysFile;

function signedHeaders(tm, body) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('base64url');
  const canonical = ['POST', '/api/v1/terminal/card/verify', timestamp, nonce,
    createHash('sha256').update(body).digest('hex')].join('\n');
  return {
    'content-type': 'application/json',
    'X-Terminal-Id': String(tm.id),
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature': createHmac('sha256', Buffer.from(tm.secret, 'hex')).update(canonical).digest('hex'),
  };
}

function verifyOnline(token) {
  const body = JSON.stringify({ token });
  return srv.api('POST', '/api/v1/terminal/card/verify', { headers: signedHeaders(term, body), rawBody: body });
}

function verifyOffline(token, extra = []) {
  return new Promise((resolve) => {
    execFile(BIN, ['card', 'verify', token, '--key', keysFile, ...extra], (err, stdout) => {
      resolve({ code: err ? err.code : 0, out: stdout.trim() });
    });
  });
}

before(async () => {
  srv = await startServer();
  t = await buildTree(srv);
  const body = memberBody(t.units.unitA1);
  const created = await srv.api('POST', '/api/v1/members', { token: t.admin, body });
  assert.equal(created.status, 201, created.text);
  const reg = await srv.api('POST', '/api/v1/auth/register', {
    body: { citizen_id: body.citizen_id, name: body.name, phone: body.phone, password: 'MemberPw2026x' },
  });
  assert.equal(reg.status, 201, reg.text);
  member = { id: created.json.id, card_no: created.json.card_no, token: await srv.login(body.phone, 'MemberPw2026x') };
  const tm = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin, body: { name: '地铁闸机1号', kind: 'gate', org_id: t.orgs.grassA1 },
  });
  assert.equal(tm.status, 201, tm.text);
  term = { id: tm.json.id, secret: tm.json.secret };
  const keys = await srv.api('GET', '/api/v1/card/public-key');
  assert.equal(keys.status, 200);
  keysFile = path.join(srv.dataDir, 'card-keys.json');
  await writeFile(keysFile, keys.text);
});

after(async () => {
  if (srv) await srv.stop();
});

test('the public key set names its current key and algorithm', async () => {
  const r = await srv.api('GET', '/api/v1/card/public-key');
  assert.equal(r.json.keys.length, 1);
  assert.equal(r.json.keys[0].alg, 'Ed25519');
  assert.equal(r.json.keys[0].current, true);
  assert.match(r.json.keys[0].public_key, /^[A-Za-z0-9_-]{43}$/);
});

test('the member card carries a short-lived token that verifies offline and online', async () => {
  const card = await srv.api('GET', '/api/v1/me/card', { token: member.token });
  assert.equal(card.status, 200, card.text);
  assert.equal(card.json.card_no, member.card_no);
  assert.equal(card.json.expires_at - card.json.issued_at, 60);
  assert.equal(card.headers.get('cache-control'), 'no-store');
  const token = card.json.token;
  assert.match(token, /^GH1\.c1\./);

  const off = await verifyOffline(token);
  assert.equal(off.code, 0, off.out);
  assert.match(off.out, new RegExp(`valid: card ${member.card_no}`));
  const late = await verifyOffline(token, ['--now', String(card.json.expires_at + 6)]);
  assert.equal(late.code, 1);
  assert.equal(late.out, 'invalid: token.expired');
  const tampered = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
  assert.equal((await verifyOffline(tampered)).code, 1);

  const on = await verifyOnline(token);
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.valid, true);
  assert.equal(on.json.card_no, member.card_no);
  assert.equal(on.json.union, '五华区测试建材有限公司工会委员会');
  const bad = await verifyOnline(tampered);
  assert.equal(bad.json.valid, false);
  assert.equal(bad.json.code, 'token.signature');
  const junk = await verifyOnline('not a token');
  assert.deepEqual(junk.json, { valid: false, code: 'token.format' });
});

test('a replayed verification request is refused (nonces are remembered in memory)', async () => {
  const card = await srv.api('GET', '/api/v1/me/card', { token: member.token });
  const body = JSON.stringify({ token: card.json.token });
  const headers = signedHeaders(term, body);
  const first = await srv.api('POST', '/api/v1/terminal/card/verify', { headers, rawBody: body });
  assert.equal(first.json.valid, true);
  const again = await srv.api('POST', '/api/v1/terminal/card/verify', { headers, rawBody: body });
  assertProblem(again, 401, { code: 'terminal.replay' });
});

test('online verification needs a signed terminal; staff and members are refused', async () => {
  const card = await srv.api('GET', '/api/v1/me/card', { token: member.token });
  const staff = await srv.api('POST', '/api/v1/terminal/card/verify', { token: t.admin, body: { token: card.json.token } });
  assert.equal(staff.status, 401);
  const noToken = JSON.stringify({});
  const missing = await srv.api('POST', '/api/v1/terminal/card/verify', { headers: signedHeaders(term, noToken), rawBody: noToken });
  assertProblem(missing, 422, { field: 'token' });
  const staffCard = await srv.api('GET', '/api/v1/me/card', { token: t.admin });
  assert.equal(staffCard.status, 403);
});

test('a suspended membership stops verifying online at once and gets no new token', async () => {
  const before = (await srv.api('GET', '/api/v1/me/card', { token: member.token })).json.token;
  assert.equal((await verifyOnline(before)).json.valid, true);
  const s = await srv.api('POST', `/api/v1/members/${member.id}/status`, {
    token: t.admin, body: { status: 'suspended', reason: '会费欠缴暂停' },
  });
  assert.equal(s.status, 200, s.text);
  const after = await verifyOnline(before);
  assert.equal(after.json.valid, false);
  assert.equal(after.json.code, 'card.inactive');
  // The suspension also ended the member's sessions: no new token.
  const card = await srv.api('GET', '/api/v1/me/card', { token: member.token });
  assert.equal(card.status, 401);
  // Offline, the last token still verifies until it expires (documented).
  assert.equal((await verifyOffline(before)).code, 0);
});

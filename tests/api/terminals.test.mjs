// Terminals: registration (secret shown once) and HMAC-signed requests per
// src/auth/terminal_sig.h — replay, bad signature and clock window refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { startServer, assertProblem, storeKind } from './harness.mjs';
import { buildTree, countOf } from './fixtures.mjs';

let srv;
let t;
let term; // {id, secret}

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['citya_mgr', 'cityA', ['org_manager']],
      ['a1_officer', 'countyA1', ['case_officer']],
    ],
  });
});

after(async () => {
  if (srv) await srv.stop();
});

// canonical = METHOD \n target \n timestamp \n nonce \n hex(sha256(body));
// signature = hex HMAC-SHA256(secret bytes, canonical).
function sign({ secret, method, target, timestamp, nonce, body = '' }) {
  const canonical = [method, target, timestamp, nonce, createHash('sha256').update(body).digest('hex')].join('\n');
  return createHmac('sha256', Buffer.from(secret, 'hex')).update(canonical).digest('hex');
}

const newNonce = () => randomBytes(16).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function signedHeaders(tm, { method = 'POST', target = '/api/v1/terminal/ping', body = '', timestamp = now(), nonce = newNonce() } = {}) {
  return {
    'X-Terminal-Id': String(tm.id),
    'X-Timestamp': String(timestamp),
    'X-Nonce': nonce,
    'X-Signature': sign({ secret: tm.secret, method, target, timestamp: String(timestamp), nonce, body }),
  };
}

const ping = (headers, rawBody) => srv.api('POST', '/api/v1/terminal/ping', { headers, rawBody });

test('POST /terminals returns the secret once; listing never shows it', async () => {
  const r = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '五华区自动售货机1号', kind: 'vending_machine', org_id: t.orgs.grassA1 },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.json.id, 'number');
  assert.match(r.json.secret, /^[0-9a-f]{64}$/);
  assert.equal(r.json.status, 'active');
  term = { id: r.json.id, secret: r.json.secret };
  const l = await srv.api('GET', '/api/v1/terminals', { token: t.admin });
  assert.equal(l.status, 200);
  assert.ok(l.json.items.some((x) => x.id === term.id));
  assert.ok(!l.text.includes(term.secret), 'the secret is not listed');
  // Bad kind, unknown org, foreign subtree, missing permission.
  const before = await countOf(srv, t.admin, '/api/v1/terminals');
  assertProblem(
    await srv.api('POST', '/api/v1/terminals', { token: t.admin, body: { name: 'x', kind: 'toaster', org_id: t.orgs.grassA1 } }),
    422,
    { field: 'kind' },
  );
  assertProblem(
    await srv.api('POST', '/api/v1/terminals', { token: t.admin, body: { name: 'x', kind: 'gate', org_id: 9_999_999 } }),
    [404, 422],
  );
  assertProblem(
    await srv.api('POST', '/api/v1/terminals', { token: t.tokens.citya_mgr, body: { name: 'x', kind: 'gate', org_id: t.orgs.grassB1 } }),
    [403, 404],
  );
  assertProblem(
    await srv.api('POST', '/api/v1/terminals', { token: t.tokens.a1_officer, body: { name: 'x', kind: 'gate', org_id: t.orgs.grassA1 } }),
    403,
  );
  assert.equal(await countOf(srv, t.admin, '/api/v1/terminals'), before);
});

test('a correctly signed ping → 200 naming the terminal', async () => {
  const r = await ping(signedHeaders(term));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.terminal_id, term.id);
  assert.equal(r.json.org_id, t.orgs.grassA1);
  assert.ok(Number.isFinite(Date.parse(r.json.server_time)));
  // With a body, signed over that body.
  const body = JSON.stringify({ hello: '世界' });
  const r2 = await ping({ ...signedHeaders(term, { body }), 'content-type': 'application/json' }, body);
  assert.equal(r2.status, 200, r2.text);
  // Lower-case header names work the same (HTTP headers are case-insensitive).
  const h = Object.fromEntries(Object.entries(signedHeaders(term)).map(([k, v]) => [k.toLowerCase(), v]));
  assert.equal((await ping(h)).status, 200);
  // Hex is case-insensitive: an upper-case signature is the same signature.
  const up = signedHeaders(term);
  up['X-Signature'] = up['X-Signature'].toUpperCase();
  assert.equal((await ping(up)).status, 200);
});

test('the list shows when each terminal last made a good request', async () => {
  const r = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '还没通信的闸机', kind: 'gate', org_id: t.orgs.grassA1 },
  });
  const silent = r.json.id;
  const listed = async (id) =>
    (await srv.api('GET', '/api/v1/terminals?page_size=200', { token: t.admin })).json.items.find((x) => x.id === id);
  assert.equal((await listed(silent)).last_seen_at, null);
  const before = Date.now();
  assert.equal((await ping(signedHeaders(term))).status, 200);
  // Written behind the answer: wait for it briefly.
  let seen = null;
  for (let i = 0; i < 50 && !seen; i++) {
    seen = (await listed(term.id)).last_seen_at;
    if (!seen) await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(seen, 'last_seen_at is set');
  assert.ok(Date.parse(seen) >= before - 1000 && Date.parse(seen) <= Date.now() + 1000, seen);
  // A refused request does not count as seen.
  assertProblem(await ping({ ...signedHeaders({ id: silent, secret: '00'.repeat(32) }) }), 401);
  assert.equal((await listed(silent)).last_seen_at, null);
});

test('the same nonce again → 401 (replay)', async () => {
  const headers = signedHeaders(term);
  assert.equal((await ping(headers)).status, 200);
  const again = await ping(headers);
  assertProblem(again, 401);
  // Even re-signed with a fresh timestamp, the nonce stays spent.
  const resigned = signedHeaders(term, { nonce: headers['X-Nonce'], timestamp: now() + 1 });
  assertProblem(await ping(resigned), 401);
});

test('a bad signature → 401 (and does not burn the nonce)', async () => {
  const nonce = newNonce();
  const good = signedHeaders(term, { nonce });
  const flipped = good['X-Signature'][0] === '0' ? '1' : '0';
  const cases = [
    { ...good, 'X-Signature': flipped + good['X-Signature'].slice(1) },
    { ...good, 'X-Signature': sign({ secret: randomBytes(32).toString('hex'), method: 'POST', target: '/api/v1/terminal/ping', timestamp: good['X-Timestamp'], nonce, body: '' }) },
    // Signed for another target / method / body.
    { ...good, 'X-Signature': signedHeaders(term, { nonce, target: '/api/v1/terminal/ping?x=1', timestamp: good['X-Timestamp'] })['X-Signature'] },
    { ...good, 'X-Signature': signedHeaders(term, { nonce, method: 'GET', timestamp: good['X-Timestamp'] })['X-Signature'] },
    // Signature with the hex secret string as key instead of its bytes.
    {
      ...good,
      'X-Signature': createHmac('sha256', term.secret)
        .update(['POST', '/api/v1/terminal/ping', good['X-Timestamp'], nonce, createHash('sha256').update('').digest('hex')].join('\n'))
        .digest('hex'),
    },
    // A body added after signing an empty one.
  ];
  for (const headers of cases) assertProblem(await ping(headers), 401);
  assertProblem(await ping(good, '{"tampered":true}'), 401);
  // Headers missing or malformed.
  for (const drop of ['X-Terminal-Id', 'X-Timestamp', 'X-Nonce', 'X-Signature']) {
    const h = { ...good };
    delete h[drop];
    assertProblem(await ping(h), 401);
  }
  assertProblem(await ping({ ...good, 'X-Nonce': 'short' }), 401);
  assertProblem(await ping({ ...good, 'X-Terminal-Id': '9999999' }), 401);
  assertProblem(await ping({ ...good, 'X-Signature': 'zz' + good['X-Signature'].slice(2) }), 401);
  // The nonce was never spent: the genuine request still goes through.
  assert.equal((await ping(good)).status, 200);
});

test('a timestamp outside the window → 401', async () => {
  for (const ts of [now() - 3600, now() + 3600, now() - 24 * 3600, 0]) {
    assertProblem(await ping(signedHeaders(term, { timestamp: ts })), 401);
  }
  assertProblem(await ping({ ...signedHeaders(term), 'X-Timestamp': 'yesterday' }), 401);
  // Near the clock is fine.
  assert.equal((await ping(signedHeaders(term, { timestamp: now() - 30 }))).status, 200);
});

test('sessions are not terminals and terminals are not sessions', async () => {
  assertProblem(await srv.api('POST', '/api/v1/terminal/ping', { token: t.admin }), 401);
  // Terminal headers on a staff route do not authenticate.
  assertProblem(await srv.api('GET', '/api/v1/orgs', { headers: signedHeaders(term, { method: 'GET', target: '/api/v1/orgs' }) }), 401);
});

test('a disabled terminal is refused', async () => {
  const r = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '闸机', kind: 'gate', org_id: t.orgs.grassA1 },
  });
  assert.equal(r.status, 201);
  const tm = { id: r.json.id, secret: r.json.secret };
  assert.equal((await ping(signedHeaders(tm))).status, 200);
  const d = await srv.api('POST', `/api/v1/terminals/${tm.id}/disable`, { token: t.admin });
  assert.equal(d.status, 200, d.text);
  assertProblem(await ping(signedHeaders(tm)), 401);
  // The other terminal is unaffected.
  assert.equal((await ping(signedHeaders(term))).status, 200);
});

// The audit entries of one terminal, oldest first.
async function auditOf(id) {
  const r = await srv.api('GET', `/api/v1/audit?object_type=terminal&object_id=${id}&page_size=50`, { token: t.admin });
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((x) => x.action).reverse();
}

test('a disabled terminal enabled again signs in with its old secret; repeats change nothing', async () => {
  const r = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '自助终端', kind: 'kiosk', org_id: t.orgs.grassA1 },
  });
  const tm = { id: r.json.id, secret: r.json.secret };
  assert.equal((await srv.api('POST', `/api/v1/terminals/${tm.id}/disable`, { token: t.admin })).status, 200);
  assert.equal((await srv.api('POST', `/api/v1/terminals/${tm.id}/disable`, { token: t.admin })).status, 200);
  assertProblem(await ping(signedHeaders(tm)), 401, { code: 'terminal.unknown' });
  const e = await srv.api('POST', `/api/v1/terminals/${tm.id}/enable`, { token: t.admin });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.status, 'active');
  assert.equal(e.json.secret, undefined, 'enabling shows no secret');
  assert.equal((await srv.api('POST', `/api/v1/terminals/${tm.id}/enable`, { token: t.admin })).status, 200);
  assert.equal((await ping(signedHeaders(tm))).status, 200);
  const listed = (await srv.api('GET', '/api/v1/terminals?page_size=200', { token: t.admin })).json.items.find((x) => x.id === tm.id);
  assert.equal(listed.status, 'active');
  // One entry per change, none for the repeats.
  assert.deepEqual(await auditOf(tm.id), ['terminal.create', 'terminal.disable', 'terminal.enable']);
});

test('a new secret is shown once; the old one is refused at once, the new one accepted', async () => {
  const r = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '收银台', kind: 'till', org_id: t.orgs.grassA1 },
  });
  const old = { id: r.json.id, secret: r.json.secret };
  assert.equal((await ping(signedHeaders(old))).status, 200, 'cached with the old secret');
  const k = await srv.api('POST', `/api/v1/terminals/${old.id}/secret`, { token: t.admin });
  assert.equal(k.status, 200, k.text);
  assert.equal(k.headers.get('cache-control'), 'no-store');
  assert.match(k.json.secret, /^[0-9a-f]{64}$/);
  assert.notEqual(k.json.secret, old.secret);
  assert.equal(k.json.id, old.id);
  assert.equal(k.json.status, 'active');
  const fresh = { id: old.id, secret: k.json.secret };
  assertProblem(await ping(signedHeaders(old)), 401, { code: 'terminal.signature' });
  const p = await ping(signedHeaders(fresh));
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.terminal_id, old.id);
  const l = await srv.api('GET', '/api/v1/terminals?page_size=200', { token: t.admin });
  assert.ok(!l.text.includes(fresh.secret), 'the new secret is not listed');
  assert.deepEqual(await auditOf(old.id), ['terminal.create', 'terminal.rekey']);

  // Someone else's terminal, no permission, no such terminal: refused, nothing changes.
  assertProblem(await srv.api('POST', `/api/v1/terminals/${old.id}/secret`, { token: t.tokens.a1_officer }), 403);
  const foreign = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '外区闸机', kind: 'gate', org_id: t.orgs.grassB1 },
  });
  for (const action of ['secret', 'enable', 'disable'])
    assertProblem(await srv.api('POST', `/api/v1/terminals/${foreign.json.id}/${action}`, { token: t.tokens.citya_mgr }), 404);
  assertProblem(await srv.api('POST', '/api/v1/terminals/9999999/secret', { token: t.admin }), 404);
  const f = { id: foreign.json.id, secret: foreign.json.secret };
  assert.equal((await ping(signedHeaders(f))).status, 200, 'the foreign terminal keeps its secret');
  assert.equal((await ping(signedHeaders(fresh))).status, 200);
});

// Two processes share a store only on PostgreSQL.
if (storeKind() === 'postgres') test('another server process accepts a new secret at its first use and drops the old one', async () => {
  const r = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin,
    body: { name: '二号进程的售货机', kind: 'vending_machine', org_id: t.orgs.grassA1 },
  });
  const old = { id: r.json.id, secret: r.json.secret };
  const second = await startServer({ reuse: srv });
  try {
    const ping2 = (h) => second.api('POST', '/api/v1/terminal/ping', { headers: h });
    assert.equal((await ping2(signedHeaders(old))).status, 200, 'the second process caches the old secret');
    const k = await srv.api('POST', `/api/v1/terminals/${old.id}/secret`, { token: t.admin });
    const fresh = { id: old.id, secret: k.json.secret };
    assert.equal((await ping2(signedHeaders(fresh))).status, 200, 'the new secret works there at once');
    assertProblem(await ping2(signedHeaders(old)), 401, { code: 'terminal.signature' });
  } finally {
    await second.stop({ cleanup: false });
  }
});

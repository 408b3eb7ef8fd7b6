// The seed's flash campaign at full scale: 100,000 members race for 15,000
// packs over many connections. Exactly 15,000 claims, no member twice, the
// stock at 0 — on this store, with two server processes on one PostgreSQL,
// and across a kill -9 in the middle of the race (every claim a client saw
// acknowledged survives, retries with the same Idempotency-Key never claim
// twice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, storeKind, BIN, ADMIN_PASSWORD } from './harness.mjs';
import { buildTree } from './fixtures.mjs';
import { loadtestMembers, claimRace } from './flash.mjs';

const execFileP = promisify(execFile);
const MEMBERS = 100_000;
const STOCK = 15_000;

let srv;
let t;
let members;
const extra = []; // servers to stop at the end

before(async () => {
  srv = await startServer({ args: ['--access-log', 'off'] });
  t = await buildTree(srv);
  members = await loadtestMembers(srv, t.units.unitA1, MEMBERS);
  assert.equal(members.length, MEMBERS);
});

after(async () => {
  for (const s of extra) await s.stop({ cleanup: false });
  await srv?.stop();
});

async function campaign(name) {
  const now = Date.now();
  const r = await srv.api('POST', '/api/v1/campaigns', {
    token: t.admin,
    body: { org_id: t.orgs.prov, name, stock: STOCK, starts_at: new Date(now - 60e3).toISOString(),
      ends_at: new Date(now + 3600e3).toISOString() },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

// The store's own account of a campaign.
async function stored(id) {
  const [count, distinct] = (await srv.sql(
    `SELECT COUNT(*), COUNT(DISTINCT member_id) FROM campaign_claims WHERE campaign_id = ${id}`)).trim().split('|').map(Number);
  const [stock, claimed] = (await srv.sql(`SELECT stock, claimed FROM campaigns WHERE id = ${id}`)).trim().split('|').map(Number);
  const ids = new Set((await srv.sql(`SELECT id FROM campaign_claims WHERE campaign_id = ${id}`)).trim().split('\n').map(Number));
  return { count, distinct, stock, claimed, ids };
}

function assertExhausted(s, acked) {
  assert.equal(s.count, STOCK, 'exactly the stock was claimed');
  assert.equal(s.distinct, STOCK, 'no member claimed twice');
  assert.equal(s.claimed, STOCK);
  assert.equal(s.stock - s.claimed, 0, 'nothing remains');
  for (const a of acked) assert.ok(s.ids.has(a.claim), `acknowledged claim ${a.claim} is in the store`);
  assert.equal(new Set(acked.map((a) => a.member)).size, acked.length, 'no member acknowledged twice');
  assert.equal(new Set(acked.map((a) => a.code)).size, acked.length, 'every pickup code differs');
}

async function auditIntact(s) {
  const args = ['audit', 'verify', '--data-dir', s.dataDir];
  if (s.dbUrl) args.push('--db', s.dbUrl);
  const { stdout } = await execFileP(BIN, args, { timeout: 120_000 });
  assert.match(stdout, /audit trail intact/);
}

test(`${MEMBERS.toLocaleString('en')} members race for ${STOCK.toLocaleString('en')} packs on ${storeKind()}`, async (tc) => {
  const id = await campaign('送清凉大礼包');
  const r = await claimRace({ servers: [srv], members, campaignId: id });
  assert.deepEqual(r.other, []);
  assert.equal(r.unknown.length, 0);
  assert.equal(r.acked.length, STOCK);
  assert.equal(r.soldOut, MEMBERS - STOCK);
  assert.equal(r.already.length, 0);
  assertExhausted(await stored(id), r.acked);
  tc.diagnostic(`sold out after ${(r.lastAckMs / 1000).toFixed(1)} s; all ${MEMBERS} answered in ${(r.ms / 1000).toFixed(1)} s`);
  // A winner trying again is told so; a late member is told it is sold out.
  const again = await claimRace({ servers: [srv], members: [members.find((m) => m.id === r.acked[0].member)], campaignId: id });
  assert.equal(again.acked.length, 1, 'the same Idempotency-Key replays the first answer');
  assert.equal(again.acked[0].claim, r.acked[0].claim);
  const fresh = await srv.api('POST', `/api/v1/campaigns/${id}/claims`, { token: members[again.acked[0].member === members[0].id ? 1 : 0].token, body: {} });
  assert.equal(fresh.status, 409);
  assert.match(fresh.json.code, /^campaign\.(sold_out|already_claimed)$/);
});

if (storeKind() === 'postgres') {
  test('two server processes on one PostgreSQL: the same race, one stock', async () => {
    const second = await startServer({ reuse: srv, args: ['--access-log', 'off'] });
    extra.push(second);
    const id = await campaign('两个进程的大礼包');
    const r = await claimRace({ servers: [srv, second], members, campaignId: id });
    assert.deepEqual(r.other, []);
    assert.equal(r.acked.length, STOCK);
    assert.equal(r.soldOut, MEMBERS - STOCK);
    assert.equal(new Set(r.acked.map((a) => a.member % 2)).size, 2, 'both processes handed out packs');
    assertExhausted(await stored(id), r.acked);
    // One audit chain, unbroken, although two processes appended to it.
    await auditIntact(srv);
  });

  test('two server processes: a logout on one ends the session on the other within seconds', async () => {
    const second = extra[0];
    const token = await srv.login('admin', ADMIN_PASSWORD);
    assert.equal((await second.api('GET', '/api/v1/auth/me', { token })).status, 200, 'cached on the second process');
    assert.equal((await srv.api('POST', '/api/v1/auth/logout', { token })).status, 204);
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 8000) {
      status = (await second.api('GET', '/api/v1/auth/me', { token })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 401, 'the second process refuses the ended session');
    assert.ok(Date.now() - t0 < 6500, `refused after ${Date.now() - t0} ms`);
  });
}

test('kill -9 in the middle of the race: every acknowledged claim survives, retries never claim twice', async () => {
  const id = await campaign('断电也不丢的大礼包');
  const killAt = 5_000;
  let killed = false;
  const first = await claimRace({
    servers: [srv], members, campaignId: id,
    onAck: (o) => {
      if (!killed && o.acked.length >= killAt) {
        killed = true;
        srv.proc.kill('SIGKILL');
      }
    },
  });
  await srv.exitPromise;
  for (const s of extra.splice(0)) await s.stop({ cleanup: false });
  assert.equal(srv.exited.signal, 'SIGKILL');
  assert.ok(first.acked.length >= killAt && first.acked.length < STOCK, `acked ${first.acked.length}`);
  srv = await startServer({ reuse: srv, args: ['--access-log', 'off'] });

  const after1 = await stored(id);
  for (const a of first.acked) assert.ok(after1.ids.has(a.claim), `acknowledged claim ${a.claim} survived`);
  assert.equal(after1.claimed, after1.count, 'the stock adds up after the crash');
  assert.ok(after1.count >= first.acked.length);

  // Everyone whose answer was lost, or who had not sent yet, tries (again).
  const second = await claimRace({ servers: [srv], members: [...first.unknown, ...first.unsent], campaignId: id });
  assert.deepEqual(second.other, []);
  assert.equal(second.unknown.length, 0);
  assert.equal(second.already.length, 0, 'a retry with the same key replays its claim instead of refusing it');
  const acked = [...first.acked, ...second.acked];
  assert.equal(acked.length, STOCK);
  assertExhausted(await stored(id), acked);
  await auditIntact(srv);
});

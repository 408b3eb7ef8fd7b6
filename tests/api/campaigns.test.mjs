// Limited campaigns: members claim packs first come, first served, never
// oversold and never twice; each claim gets a keypad pickup code that a
// vending machine redeems exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { startServer, assertProblem, sha256Hex } from './harness.mjs';
import { buildTree, memberBody } from './fixtures.mjs';

let srv;
let t;
let term;
const members = []; // {id, token}

const iso = (offsetMs) => new Date(Date.now() + offsetMs).toISOString();

function signed(body, machine = term) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('base64url');
  const canonical = ['POST', '/api/v1/terminal/pickups', timestamp, nonce, createHash('sha256').update(body).digest('hex')].join('\n');
  return {
    'content-type': 'application/json',
    'X-Terminal-Id': String(machine.id),
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature': createHmac('sha256', Buffer.from(machine.secret, 'hex')).update(canonical).digest('hex'),
  };
}
const pickup = (code, machine = term) => {
  const body = JSON.stringify({ code });
  return srv.api('POST', '/api/v1/terminal/pickups', { headers: signed(body, machine), rawBody: body });
};

async function campaign(extra = {}) {
  const r = await srv.api('POST', '/api/v1/campaigns', {
    token: t.admin,
    body: { org_id: t.orgs.prov, name: '夏送清凉大礼包', stock: 5, starts_at: iso(-3600e3), ends_at: iso(3600e3), ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const claim = (c, m) => srv.api('POST', `/api/v1/campaigns/${c.id}/claims`, { token: m.token, body: {} });

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, { staff: [['camp_mgr_b', 'cityB', ['org_manager']]] });
  const rows = Array.from({ length: 12 }, (_, i) => memberBody(t.units.unitA1, { name: `领取者${'甲乙丙丁戊己庚辛壬癸子丑'[i]}` }));
  const imp = await srv.api('POST', '/api/v1/members/import', { token: t.admin, body: { rows } });
  assert.equal(imp.json.created, 12, imp.text);
  const ids = (await srv.sql('SELECT id FROM members ORDER BY id')).trim().split('\n').map(Number);
  await Promise.all(rows.map(async (row, i) => {
    const reg = await srv.api('POST', '/api/v1/auth/register', {
      body: { citizen_id: row.citizen_id, name: row.name, phone: row.phone, password: 'MemberPw2026x' },
      from: `127.0.50.${i + 2}`,
    });
    assert.equal(reg.status, 201, reg.text);
    members[i] = { id: ids[i], token: await srv.login(row.phone, 'MemberPw2026x', { from: `127.0.51.${i + 2}` }) };
  }));
  const tm = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin, body: { name: '五华区自动售货机1号', kind: 'vending_machine', org_id: t.orgs.grassA1 },
  });
  assert.equal(tm.status, 201, tm.text);
  term = { id: tm.json.id, secret: tm.json.secret };
});

after(async () => {
  if (srv) await srv.stop();
});

test('12 members race for 5 packs: exactly 5 claims, the rest sold out, stock 0', async () => {
  const c = await campaign();
  const rs = await Promise.all(members.map((m) => claim(c, m)));
  const ok = rs.filter((r) => r.status === 201);
  assert.equal(ok.length, 5, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 201)) assertProblem(r, 409, { code: 'campaign.sold_out' });
  for (const r of ok) assert.match(r.json.pickup_code, /^\d{4} \d{4} \d{4}$/);
  assert.equal(new Set(ok.map((r) => r.json.pickup_code)).size, 5);
  const stats = await srv.api('GET', `/api/v1/campaigns/${c.id}/stats`, { token: t.admin });
  assert.deepEqual(
    { claimed: stats.json.claimed, remaining: stats.json.remaining, outstanding: stats.json.outstanding },
    { claimed: 5, remaining: 0, outstanding: 5 },
  );
  assert.equal((await srv.sql(`SELECT COUNT(*) FROM campaign_claims WHERE campaign_id = ${c.id}`)).trim(), '5');
});

test('one pack per member: a second claim, also a concurrent one, is refused', async () => {
  const c = await campaign({ stock: 100 });
  const m = members[0];
  const both = await Promise.all([claim(c, m), claim(c, m), claim(c, m)]);
  assert.deepEqual(both.map((r) => r.status).sort(), [201, 409, 409]);
  for (const r of both.filter((x) => x.status === 409)) assertProblem(r, 409, { code: 'campaign.already_claimed' });
  const two = await campaign({ stock: 100, per_member: 2 });
  assert.equal((await claim(two, m)).status, 201);
  assert.equal((await claim(two, m)).status, 201);
  assertProblem(await claim(two, m), 409, { code: 'campaign.already_claimed' });
});

test('a pickup code is redeemed exactly once, also under concurrency; typos and unknown codes refused', async () => {
  const c = await campaign({ stock: 3 });
  const [a, b] = [await claim(c, members[1]), await claim(c, members[2])];
  const first = await pickup(a.json.pickup_code);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.campaign, '夏送清凉大礼包');
  const again = await pickup(a.json.pickup_code.replaceAll(' ', ''));
  assertProblem(again, 409, { code: 'pickup.already_redeemed' });
  assert.ok(again.json.detail.includes(first.json.redeemed_at), again.json.detail);

  const race = await Promise.all([pickup(b.json.pickup_code), pickup(b.json.pickup_code), pickup(b.json.pickup_code)]);
  assert.deepEqual(race.map((r) => r.status).sort(), [200, 409, 409]);

  const digits = a.json.pickup_code.replaceAll(' ', '');
  const typo = digits.slice(0, 5) + ((Number(digits[5]) + 1) % 10) + digits.slice(6);
  assertProblem(await pickup(typo), 422, { field: 'code', code: 'pickup_code.checksum' });
  assertProblem(await pickup('1234'), 422, { field: 'code', code: 'pickup_code.format' });
  // A well-formed code nobody was given.
  const damm = (s) => {
    const T = [[0,3,1,7,5,9,8,6,4,2],[7,0,9,2,1,5,4,8,6,3],[4,2,0,6,8,7,1,3,5,9],[1,7,5,0,9,8,3,4,2,6],[6,1,2,3,0,4,5,9,7,8],
      [3,6,7,4,2,0,9,5,8,1],[5,8,6,9,7,2,0,1,3,4],[8,9,4,5,3,6,2,0,1,7],[9,4,3,8,6,1,7,2,0,5],[2,5,8,1,4,3,6,7,9,0]];
    let i = 0;
    for (const ch of s) i = T[i][Number(ch)];
    return String(i);
  };
  const nobody = '12345678901' + damm('12345678901');
  assertProblem(await pickup(nobody), 404, { code: 'pickup.unknown' });
  const stats = await srv.api('GET', `/api/v1/campaigns/${c.id}/stats`, { token: t.admin });
  assert.equal(stats.json.redeemed, 2);
});

test('an expired code is refused; members see their codes and states', async () => {
  const c = await campaign({ stock: 2 });
  const got = await claim(c, members[3]);
  await srv.sql(`UPDATE campaign_claims SET expires_at = 1000 WHERE id = ${got.json.id}`);
  assertProblem(await pickup(got.json.pickup_code), 409, { code: 'pickup.expired' });
  const mine = await srv.api('GET', '/api/v1/me/claims', { token: members[3].token });
  const item = mine.json.items.find((x) => x.id === got.json.id);
  assert.equal(item.status, 'expired');
  assert.equal(item.pickup_code, got.json.pickup_code);
  const stats = await srv.api('GET', `/api/v1/campaigns/${c.id}/stats`, { token: t.admin });
  assert.equal(stats.json.expired, 1);
});

test('staff list a campaign\'s claims: newest first, names masked, no codes, by state, within their subtree', async () => {
  const c = await campaign({ stock: 3 });
  const [a, b, x] = [await claim(c, members[5]), await claim(c, members[6]), await claim(c, members[7])];
  assert.equal((await pickup(a.json.pickup_code)).status, 200);
  await srv.sql(`UPDATE campaign_claims SET expires_at = 1000 WHERE id = ${x.json.id}`);
  const list = (q = '', token = t.admin) => srv.api('GET', `/api/v1/campaigns/${c.id}/claims${q}`, { token });
  const all = await list();
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.total, 3);
  assert.deepEqual(all.json.items.map((k) => k.id), [x.json.id, b.json.id, a.json.id]);
  assert.deepEqual(all.json.items.map((k) => k.status), ['expired', 'claimed', 'redeemed']);
  assert.deepEqual(all.json.items.map((k) => k.member_id), [members[7].id, members[6].id, members[5].id]);
  for (const k of all.json.items) {
    assert.match(k.member_name, /^领\*+$/, 'masked');
    assert.equal(k.pickup_code, undefined);
  }
  for (const code of [a, b, x].map((r) => r.json.pickup_code.replaceAll(' ', '')))
    assert.ok(!all.text.replaceAll(' ', '').includes(code), 'no pickup code in the list');
  const redeemed = all.json.items[2];
  assert.equal(redeemed.terminal_id, term.id);
  assert.equal(redeemed.terminal, '五华区自动售货机1号');
  assert.ok(Date.parse(redeemed.redeemed_at) > 0);
  assert.equal(all.json.items[1].terminal, null);
  // By state.
  for (const [status, id] of [['claimed', b.json.id], ['redeemed', a.json.id], ['expired', x.json.id]]) {
    const r = await list(`?status=${status}`);
    assert.deepEqual(r.json.items.map((k) => k.id), [id], status);
  }
  assertProblem(await list('?status=lost'), 422, { field: 'status' });
  assertProblem(await list('?page_size=0'), 422, { field: 'page_size' });
  // Another city's staff see the province's campaign but none of these members.
  const other = await list('', t.tokens.camp_mgr_b);
  assert.equal(other.status, 200, other.text);
  assert.equal(other.json.total, 0);
  // Members and unknown campaigns.
  assertProblem(await list('', members[5].token), [401, 403]);
  assertProblem(await srv.api('GET', '/api/v1/campaigns/999999/claims', { token: t.admin }), 404);
});

test('campaign windows and bad input', async () => {
  const later = await campaign({ starts_at: iso(3600e3), ends_at: iso(7200e3) });
  assertProblem(await claim(later, members[4]), 409, { code: 'campaign.not_started' });
  const before = (await srv.sql('SELECT COUNT(*) FROM campaigns')).trim();
  const bad = [
    [{ stock: 0 }, 'stock'],
    [{ stock: 1.5 }, 'stock'],
    [{ ends_at: iso(-7200e3) }, 'ends_at'],
    [{ starts_at: '2026-07-01 08:00' }, 'starts_at'],
    [{ name: '' }, 'name'],
    [{ per_member: 0 }, 'per_member'],
    [{ groups: ['retired'] }, 'groups'],
    [{ groups: ['all', 'needy'] }, 'groups'],
    [{ mode: 'auction' }, 'mode'],
  ];
  for (const [extra, field] of bad) {
    const r = await srv.api('POST', '/api/v1/campaigns', {
      token: t.admin,
      body: { org_id: t.orgs.prov, name: 'x', stock: 5, starts_at: iso(-3600e3), ends_at: iso(3600e3), ...extra },
    });
    assertProblem(r, 422, { field });
  }
  assert.equal((await srv.sql('SELECT COUNT(*) FROM campaigns')).trim(), before);
  // Members of another subtree do not see a campaign of cityB.
  const b = await srv.api('POST', '/api/v1/campaigns', {
    token: t.admin,
    body: { org_id: t.orgs.cityB, name: '曲靖专场', stock: 5, starts_at: iso(-3600e3), ends_at: iso(3600e3) },
  });
  assert.equal(b.status, 201);
  assert.equal((await claim(b.json, members[5])).status, 404);
});

// The draw as docs/campaigns.md describes it, computed here from the
// published record alone.
function redraw(seed, registrationIds, stock) {
  const digest = sha256Hex([...registrationIds].sort((a, b) => a - b).map((id) => `${id}\n`).join(''));
  const key = createHash('sha256').update(seed + digest).digest();
  const scored = registrationIds.map((id) => [createHmac('sha256', key).update(String(id)).digest('hex'), id]);
  scored.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return { digest, winners: scored.slice(0, Math.min(stock, scored.length)).map((x) => x[1]) };
}

test('lottery mode: members register in the window, one seeded draw picks winners that anyone can recompute', async () => {
  const c = await campaign({ mode: 'lottery', stock: 3, ends_at: iso(2500) });
  assert.equal(c.mode, 'lottery');
  assert.match(c.seed_commitment, /^[0-9a-f]{64}$/);
  const entrants = members.slice(0, 8);
  const regs = await Promise.all(entrants.map((m) =>
    srv.api('POST', `/api/v1/campaigns/${c.id}/registrations`, { token: m.token, body: {} })));
  for (const r of regs) assert.equal(r.status, 201, r.text);
  assertProblem(await srv.api('POST', `/api/v1/campaigns/${c.id}/registrations`, { token: entrants[0].token, body: {} }),
    409, { code: 'campaign.already_registered' });
  assertProblem(await claim(c, entrants[0]), 409, { code: 'campaign.lottery' });
  const firstCome = await campaign({ stock: 2 });
  assertProblem(await srv.api('POST', `/api/v1/campaigns/${firstCome.id}/registrations`, { token: entrants[0].token, body: {} }),
    409, { code: 'campaign.first_come' });
  assertProblem(await srv.api('POST', `/api/v1/campaigns/${c.id}/draw`, { token: t.admin, body: {} }),
    409, { code: 'campaign.registration_open' });
  const before = await srv.api('GET', `/api/v1/campaigns/${c.id}/draw`, { token: t.admin });
  assert.deepEqual({ drawn: before.json.drawn, registrations: before.json.registrations, seed: before.json.seed },
    { drawn: false, registrations: 8, seed: undefined });

  await new Promise((r) => setTimeout(r, 2600));
  assertProblem(await srv.api('POST', `/api/v1/campaigns/${c.id}/registrations`, { token: members[9].token, body: {} }),
    409, { code: 'campaign.ended' });
  const d = await srv.api('POST', `/api/v1/campaigns/${c.id}/draw`, { token: t.admin, body: {} });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.winners, 3);
  assert.equal(d.json.registrations, 8);
  assert.equal(sha256Hex(d.json.seed), c.seed_commitment, 'the revealed seed is the one committed to at creation');
  assertProblem(await srv.api('POST', `/api/v1/campaigns/${c.id}/draw`, { token: t.admin, body: {} }),
    409, { code: 'campaign.already_drawn' });

  // Anyone with the record gets the same winners.
  const record = (await srv.api('GET', `/api/v1/campaigns/${c.id}/draw`, { token: t.admin })).json;
  assert.equal(record.registration_ids.length, 8);
  const again = redraw(record.seed, record.registration_ids, record.stock);
  assert.equal(again.digest, record.registrations_digest);
  assert.deepEqual(again.winners, record.winner_registration_ids);
  assert.deepEqual(record.winner_registration_ids, d.json.winner_registration_ids);

  // Winners hold pickup codes; everyone sees their result.
  const winnerIds = new Set(record.winner_registration_ids);
  let won = 0;
  for (const [i, m] of entrants.entries()) {
    const mine = (await srv.api('GET', '/api/v1/me/registrations', { token: m.token })).json.items.find((x) => x.campaign_id === c.id);
    const claims = (await srv.api('GET', '/api/v1/me/claims', { token: m.token })).json.items.filter((x) => x.campaign_id === c.id);
    assert.equal(mine.id, regs[i].json.id);
    if (winnerIds.has(mine.id)) {
      won++;
      assert.equal(mine.result, 'won');
      assert.equal(claims.length, 1);
      assert.match(claims[0].pickup_code, /^\d{4} \d{4} \d{4}$/);
      assert.equal(mine.claim_id, claims[0].id);
    } else {
      assert.equal(mine.result, 'lost');
      assert.equal(claims.length, 0);
    }
  }
  assert.equal(won, 3);
  const stats = (await srv.api('GET', `/api/v1/campaigns/${c.id}/stats`, { token: t.admin })).json;
  assert.equal(stats.claimed, 3);
  assert.match(await srv.sql(`SELECT detail FROM audit_log WHERE action = 'campaign.draw'`), new RegExp(d.json.seed));
});

test('stock per machine: a loaded machine hands out at most its stock, others refuse; the code stays usable', async () => {
  const tm = await srv.api('POST', '/api/v1/terminals', {
    token: t.admin, body: { name: '五华区自动售货机2号', kind: 'vending_machine', org_id: t.orgs.grassA1 },
  });
  assert.equal(tm.status, 201, tm.text);
  const other = { id: tm.json.id, secret: tm.json.secret };
  const c = await campaign({ stock: 5 });
  const codes = [];
  for (const m of members.slice(3, 6)) codes.push((await claim(c, m)).json.pickup_code);
  const load = (machine, stock) => srv.api('PUT', `/api/v1/campaigns/${c.id}/machines/${machine.id}`, { token: t.admin, body: { stock } });
  const loaded = await load(term, 1);
  assert.equal(loaded.status, 200, loaded.text);
  assert.deepEqual({ stock: loaded.json.stock, handed_out: loaded.json.handed_out, left: loaded.json.left }, { stock: 1, handed_out: 0, left: 1 });

  assert.equal((await pickup(codes[0])).status, 200);
  assertProblem(await pickup(codes[1]), 409, { code: 'pickup.machine_empty' });
  assertProblem(await pickup(codes[1], other), 409, { code: 'pickup.wrong_machine' });
  assertProblem(await load(term, 0), 422, { field: 'stock', code: 'stock.below_handed_out' });
  assertProblem(await load(term, -1), 422, { field: 'stock', code: 'stock.range' });
  assert.equal((await load(term, 2)).status, 200);
  const ok = await pickup(codes[1]);
  assert.equal(ok.status, 200, 'the refused code was not used up');
  assert.equal((await load(other, 5)).status, 200);
  assert.equal((await pickup(codes[2], other)).status, 200);
  const list = (await srv.api('GET', `/api/v1/campaigns/${c.id}/machines`, { token: t.admin })).json.items;
  assert.deepEqual(list.map((x) => [x.terminal_id, x.stock, x.handed_out]), [[term.id, 2, 2], [other.id, 5, 1]]);
  const stats = (await srv.api('GET', `/api/v1/campaigns/${c.id}/stats`, { token: t.admin })).json;
  assert.equal(stats.redeemed, 3);
});

test('member groups: a campaign for rural workers (农民工) refuses others', async () => {
  const c = await campaign({ stock: 5, groups: ['rural'] });
  assert.deepEqual(c.groups, ['rural']);
  assertProblem(await claim(c, members[6]), 403, { code: 'campaign.not_eligible' });
  await srv.sql(`UPDATE members SET household = 'rural' WHERE id = ${members[7].id}`);
  assert.equal((await claim(c, members[7])).status, 201);
  const all = await campaign({ stock: 5 });
  assert.deepEqual(all.groups, ['all']);
  assert.equal((await claim(all, members[6])).status, 201);
});

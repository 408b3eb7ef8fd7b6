// Offers (惠工服务): merchants and their tills, offers with a price rule,
// eligible groups, per-member limits and a budget; redemptions by signed
// terminals, one at a time or in offline batches deduplicated by the
// terminal's redemption id; members' views; reports that add up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, assertProblem } from './harness.mjs';
import { buildTree, memberBody } from './fixtures.mjs';
import { freshCreditCode } from './gen.mjs';

const DAY = 86_400_000;
const iso = (ms) => new Date(ms).toISOString();
// Asia/Shanghai local midnight (UTC+8) of the day holding `ms`.
const localMidnight = (ms) => Math.floor((ms + 8 * 3600e3) / DAY) * DAY - 8 * 3600e3;
const localDay = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);

let srv;
let t;
let mgrA; // org_manager of cityA
let mgrB; // org_manager of cityB
let auditorA;
const m = {}; // members: {id, token, card_no, org}
let cardKey; // {kid, seed}
let tillA; // terminal bound to merchant A
let tillOther; // terminal bound to another merchant
let merchantA;
let merchantOther;
let seq = 0;
const accepted = []; // every first acceptance: {offer_id, member, subsidy, original, pays, day, merchant_id}

// ---- helpers ----

function signed(term, target, body) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('base64url');
  const canonical = ['POST', target, timestamp, nonce, createHash('sha256').update(body).digest('hex')].join('\n');
  return {
    'content-type': 'application/json',
    'X-Terminal-Id': String(term.id),
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature': createHmac('sha256', Buffer.from(term.secret, 'hex')).update(canonical).digest('hex'),
  };
}

// Sends one redemption or a batch ({items}); logs first acceptances for the report test.
async function submit(payload, term = tillA) {
  const body = JSON.stringify(payload);
  const r = await srv.api('POST', '/api/v1/terminal/redemptions', {
    headers: signed(term, '/api/v1/terminal/redemptions', body),
    rawBody: body,
  });
  const items = payload.items ?? [payload];
  const results = r.status === 200 && r.json?.results ? r.json.results : r.status === 201 ? [r.json] : [];
  for (const res of results) {
    if (res.status !== 'accepted' || res.duplicate) continue;
    const item = items.find((i) => i.redemption_id === res.redemption_id);
    accepted.push({
      offer_id: res.offer_id,
      member: item.member,
      subsidy: res.subsidy_fen,
      original: res.original_fen,
      pays: res.member_pays_fen,
      day: localDay(Date.parse(res.redeemed_at)),
    });
  }
  return r;
}

// A redemption item for member `who` (the `member` key is for the test's
// own bookkeeping; the server ignores unknown fields).
function item(offer, who, original_fen, extra = {}) {
  return {
    redemption_id: `R-${process.pid}-${++seq}`,
    offer_id: offer.id,
    card_token: who.cardToken(),
    original_fen,
    member: who.id,
    ...extra,
  };
}

// A card token as the member's phone shows it, signed with the server's
// card key (read from its secrets file) for any issue time.
function mintToken(cardNo, issuedS, { ttl = 60, key = cardKey } = {}) {
  const body = `${cardNo}.${issuedS}.${issuedS + ttl}`;
  const signedPart = `GH1.${key.kid}.${Buffer.from(body).toString('base64url')}`;
  const pk = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), key.seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return `${signedPart}.${sign(null, Buffer.from(signedPart), pk).toString('base64url')}`;
}

async function merchant(token, body) {
  const r = await srv.api('POST', '/api/v1/merchants', { token, body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function offer(extra = {}, token = mgrA) {
  const r = await srv.api('POST', '/api/v1/offers', {
    token,
    body: {
      merchant_id: merchantA.id,
      org_id: t.orgs.cityA,
      name: '测试优惠',
      kind: 'fixed',
      price_fen: 1,
      starts_at: iso(Date.now() - 10 * DAY),
      ends_at: iso(Date.now() + 30 * DAY),
      ...extra,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function terminal(orgKey, name) {
  const r = await srv.api('POST', '/api/v1/terminals', { token: t.admin, body: { name, kind: 'till', org_id: t.orgs[orgKey] } });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, secret: r.json.secret };
}

async function bind(merchantId, term, token = mgrA) {
  const r = await srv.api('POST', `/api/v1/merchants/${merchantId}/terminals`, { token, body: { terminal_id: term.id } });
  assert.equal(r.status, 200, r.text);
}

const count = async (sql) => Number((await srv.sql(sql)).trim());
const getOffer = async (o) => (await srv.api('GET', `/api/v1/offers/${o.id}`, { token: mgrA })).json;

// ---- setup ----

before(async () => {
  srv = await startServer();
  t = await buildTree(srv, {
    staff: [
      ['offers_mgr_a', 'cityA', ['org_manager']],
      ['offers_mgr_b', 'cityB', ['org_manager']],
      ['offers_auditor_a', 'cityA', ['auditor']],
    ],
  });
  mgrA = t.tokens.offers_mgr_a;
  mgrB = t.tokens.offers_mgr_b;
  auditorA = t.tokens.offers_auditor_a;

  const people = {
    plain: memberBody(t.units.unitA1, { name: '普通甲' }),
    plain2: memberBody(t.units.unitA1, { name: '普通乙' }),
    rider: memberBody(t.units.unitA2, { name: '骑手丙', employment_form: 'delivery_rider' }),
    needy: memberBody(t.units.unitA1, { name: '困难丁', needy_status: 'relative' }),
    rural: memberBody(t.units.unitA1b, { name: '农村戊', household: 'rural' }),
    cityB: memberBody(t.units.unitB1, { name: '曲靖己' }),
  };
  const keys = Object.keys(people);
  const imp = await srv.api('POST', '/api/v1/members/import', { token: t.admin, body: { rows: keys.map((k) => people[k]) } });
  assert.equal(imp.json.created, keys.length, imp.text);
  await Promise.all(
    keys.map(async (k, i) => {
      const row = people[k];
      const reg = await srv.api('POST', '/api/v1/auth/register', {
        body: { citizen_id: row.citizen_id, name: row.name, phone: row.phone, password: 'MemberPw2026x' },
        from: `127.0.60.${i + 2}`,
      });
      assert.equal(reg.status, 201, reg.text);
      const token = await srv.login(row.phone, 'MemberPw2026x', { from: `127.0.61.${i + 2}` });
      const card = await srv.api('GET', '/api/v1/me/card', { token });
      assert.equal(card.status, 200, card.text);
      const id = Number((await srv.sql(`SELECT id FROM members WHERE card_no = '${card.json.card_no}'`)).trim());
      m[k] = {
        id,
        token,
        card_no: card.json.card_no,
        cardToken: () => mintToken(card.json.card_no, Math.floor(Date.now() / 1000)),
        fetchToken: async () => (await srv.api('GET', '/api/v1/me/card', { token })).json.token,
      };
    }),
  );
  const secrets = JSON.parse(await readFile(path.join(srv.dataDir, 'keys.json'), 'utf8'));
  cardKey = { kid: secrets.current_card, seed: Buffer.from(secrets.card[secrets.current_card], 'base64url') };

  merchantA = await merchant(mgrA, {
    org_id: t.orgs.cityA, name: '昆明地铁运营有限公司', region_code: '530100', category: 'transport',
    credit_code: freshCreditCode('530100'), address: '昆明市五华区',
  });
  merchantOther = await merchant(mgrA, { org_id: t.orgs.countyA1, name: '五华区云岭网上超市', region_code: '530102', category: 'online_shop' });
  tillA = await terminal('cityA', '地铁1号线闸机');
  tillOther = await terminal('countyA1', '网上超市收银');
  await bind(merchantA.id, tillA);
  await bind(merchantOther.id, tillOther);
});

after(async () => {
  if (srv) await srv.stop();
});

// ---- merchants ----

test('merchants: create, read, list, bind tills; bad input names the field; another subtree gets 404', async () => {
  const got = await srv.api('GET', `/api/v1/merchants/${merchantA.id}`, { token: mgrA });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.name, '昆明地铁运营有限公司');
  assert.equal(got.json.category, 'transport');
  assert.deepEqual(got.json.terminals.map((x) => x.id), [tillA.id]);
  // A province-level staff (admin) sees it; an auditor of cityA reads it.
  assert.equal((await srv.api('GET', `/api/v1/merchants/${merchantA.id}`, { token: auditorA })).status, 200);
  // cityB sees neither the merchant nor its tills.
  assertProblem(await srv.api('GET', `/api/v1/merchants/${merchantA.id}`, { token: mgrB }), 404);
  const listB = await srv.api('GET', '/api/v1/merchants', { token: mgrB });
  assert.ok(!listB.json.items.some((x) => x.id === merchantA.id));
  const listA = await srv.api('GET', '/api/v1/merchants?category=transport', { token: mgrA });
  assert.ok(listA.json.items.some((x) => x.id === merchantA.id));
  assert.ok(!listA.json.items.some((x) => x.id === merchantOther.id));
  // An auditor cannot write.
  assertProblem(await srv.api('POST', '/api/v1/merchants', {
    token: auditorA, body: { org_id: t.orgs.cityA, name: 'x', region_code: '530100', category: 'other' },
  }), 403);

  const before = await count('SELECT COUNT(*) FROM merchants');
  const good = { org_id: t.orgs.cityA, name: '春城影城', region_code: '530102', category: 'cinema' };
  const code = freshCreditCode('530100');
  const badCode = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
  const bad = [
    [{ credit_code: badCode }, 'credit_code'],
    [{ category: 'casino' }, 'category'],
    [{ region_code: '530302' }, 'region_code'], // a Qujing district is outside Kunming
    [{ region_code: '5301' }, 'region_code'],
    [{ name: '' }, 'name'],
    [{ org_id: 'x' }, 'org_id'],
    [{ status: 'closed' }, 'status'],
  ];
  for (const [extra, field] of bad) {
    const r = await srv.api('POST', '/api/v1/merchants', { token: mgrA, body: { ...good, ...extra } });
    assertProblem(r, 422, { field });
  }
  // A merchant for an org of another subtree: 404.
  assertProblem(await srv.api('POST', '/api/v1/merchants', { token: mgrB, body: good }), 404);
  assert.equal(await count('SELECT COUNT(*) FROM merchants'), before);

  // A till serves one merchant.
  const r = await srv.api('POST', `/api/v1/merchants/${merchantOther.id}/terminals`, { token: mgrA, body: { terminal_id: tillA.id } });
  assertProblem(r, 409, { code: 'terminal.bound' });
  // cityB cannot bind its own till to a cityA merchant it cannot see.
  const tillB = await terminal('cityB', '曲靖收银');
  assertProblem(await srv.api('POST', `/api/v1/merchants/${merchantA.id}/terminals`, { token: mgrB, body: { terminal_id: tillB.id } }), 404);
  assertProblem(await srv.api('POST', `/api/v1/merchants/${merchantA.id}/terminals`, { token: mgrA, body: { terminal_id: 999999 } }), 422, { field: 'terminal_id' });
  // Bind, unbind again.
  await bind(merchantA.id, tillB, t.admin);
  const un = await srv.api('DELETE', `/api/v1/merchants/${merchantA.id}/terminals/${tillB.id}`, { token: t.admin });
  assert.equal(un.status, 204, un.text);
  assert.deepEqual((await srv.api('GET', `/api/v1/merchants/${merchantA.id}`, { token: t.admin })).json.terminals.map((x) => x.id), [tillA.id]);
});

// ---- offers and amounts ----

test('offers: bad input names the field and creates nothing; scope of reading and changing', async () => {
  const before = await count('SELECT COUNT(*) FROM offers');
  const bad = [
    [{ kind: 'discount' }, 'kind'],
    [{ kind: 'fixed', price_fen: undefined }, 'price_fen'],
    [{ kind: 'percent', price_fen: undefined, percent: 100 }, 'percent'],
    [{ kind: 'percent', price_fen: undefined, percent: 0 }, 'percent'],
    [{ kind: 'percent', price_fen: 1, percent: 40 }, 'price_fen'],
    [{ kind: 'free', price_fen: undefined, value_fen: 0 }, 'value_fen'],
    [{ price_fen: -1 }, 'price_fen'],
    [{ price_fen: 1.5 }, 'price_fen'],
    [{ groups: ['all', 'needy'] }, 'groups'],
    [{ groups: ['retired'] }, 'groups'],
    [{ groups: 'needy' }, 'groups'],
    [{ limit_per_day: 0 }, 'limit_per_day'],
    [{ limit_total: -2 }, 'limit_total'],
    [{ budget_fen: 0 }, 'budget_fen'],
    [{ ends_at: iso(Date.now() - 20 * DAY) }, 'ends_at'],
    [{ starts_at: '2026-07-01 08:00' }, 'starts_at'],
    [{ merchant_id: 999999 }, 'merchant_id'],
    [{ org_id: 999999 }, 'org_id'],
    [{ name: '' }, 'name'],
  ];
  for (const [extra, field] of bad) {
    const r = await srv.api('POST', '/api/v1/offers', {
      token: mgrA,
      body: {
        merchant_id: merchantA.id, org_id: t.orgs.cityA, name: '坏输入', kind: 'fixed', price_fen: 1,
        starts_at: iso(Date.now() - DAY), ends_at: iso(Date.now() + DAY), ...extra,
      },
    });
    assertProblem(r, 422, { field });
  }
  // cityB funding an offer at a merchant it cannot see: the merchant is unknown to it.
  const hidden = await srv.api('POST', '/api/v1/offers', {
    token: mgrB,
    body: { merchant_id: merchantA.id, org_id: t.orgs.cityB, name: 'x', kind: 'fixed', price_fen: 1, starts_at: iso(Date.now()), ends_at: iso(Date.now() + DAY) },
  });
  assertProblem(hidden, 422, { field: 'merchant_id' });
  assert.equal(await count('SELECT COUNT(*) FROM offers'), before);

  const o = await offer({ name: '地铁一分钱乘车', limit_per_day: 4 });
  assert.deepEqual(
    { kind: o.kind, price_fen: o.price_fen, percent: o.percent, groups: o.groups, limit_per_day: o.limit_per_day, limit_total: o.limit_total, budget_fen: o.budget_fen, status: o.status, merchant: o.merchant },
    { kind: 'fixed', price_fen: 1, percent: null, groups: ['all'], limit_per_day: 4, limit_total: null, budget_fen: null, status: 'active', merchant: '昆明地铁运营有限公司' },
  );
  assertProblem(await srv.api('GET', `/api/v1/offers/${o.id}`, { token: mgrB }), 404);
  assertProblem(await srv.api('PATCH', `/api/v1/offers/${o.id}`, { token: mgrB, body: { status: 'paused' } }), 404);
  assert.ok(!(await srv.api('GET', '/api/v1/offers', { token: mgrB })).json.items.some((x) => x.id === o.id));
  assert.ok((await srv.api('GET', `/api/v1/offers?merchant_id=${merchantA.id}`, { token: mgrA })).json.items.some((x) => x.id === o.id));
  assert.equal((await srv.api('GET', `/api/v1/offers/${o.id}`, { token: auditorA })).status, 200);
  assertProblem(await srv.api('PATCH', `/api/v1/offers/${o.id}`, { token: auditorA, body: { status: 'paused' } }), 403);
  assert.equal((await getOffer(o)).status, 'active');
});

test('amounts of each kind: fixed (never above the original), percent (half up), free (up to the value)', async () => {
  const subway = await offer({ name: '地铁一分钱乘车', price_fen: 1 });
  const pricey = await offer({ name: '定价高于原价', price_fen: 500 });
  const market = await offer({ name: '网上超市四折', kind: 'percent', price_fen: undefined, percent: 40 });
  const cinema = await offer({ name: '免费电影票', kind: 'free', price_fen: undefined, value_fen: 4000 });
  const cases = [
    [subway, 400, 1, 399],
    [pricey, 400, 400, 0],
    [market, 1001, 400, 601],
    [market, 10000, 4000, 6000],
    [cinema, 3500, 0, 3500],
    [cinema, 6000, 2000, 4000],
  ];
  for (const [o, original, pays, subsidy] of cases) {
    const r = await submit(item(o, m.plain, original));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(
      { status: r.json.status, original: r.json.original_fen, pays: r.json.member_pays_fen, subsidy: r.json.subsidy_fen, duplicate: r.json.duplicate },
      { status: 'accepted', original, pays, subsidy, duplicate: false },
      `${o.name} ${original}`,
    );
  }
  // The offer keeps the subsidies granted.
  assert.equal((await getOffer(cinema)).budget_used_fen, 3500 + 4000);
  // A token fetched from the member's card page works the same.
  const live = await submit({ ...item(subway, m.plain, 300), card_token: await m.plain.fetchToken() });
  assert.equal(live.status, 201, live.text);
  assert.equal(live.json.member_pays_fen, 1);
});

test('eligibility: groups, the offer\'s subtree, and the member views', async () => {
  const forNeedyOrRural = await offer({ name: '困难职工农民工专享', groups: ['needy', 'rural'] });
  const forRiders = await offer({ name: '新就业形态劳动者专享', groups: ['new_employment'], limit_per_day: 3 });
  for (const [who, o, ok] of [
    [m.plain, forNeedyOrRural, false],
    [m.needy, forNeedyOrRural, true],
    [m.rural, forNeedyOrRural, true],
    [m.rider, forNeedyOrRural, false],
    [m.rider, forRiders, true],
    [m.plain, forRiders, false],
  ]) {
    const r = await submit(item(o, who, 1000));
    if (ok) assert.equal(r.status, 201, r.text);
    else assertProblem(r, 403, { code: 'offer.not_eligible' });
  }
  // A member of cityB may not use a cityA offer.
  const open = await offer({ name: '昆明会员专享' });
  assertProblem(await submit(item(open, m.cityB, 100)), 403, { code: 'offer.not_eligible' });

  // The member sees the offers meant for them, with the uses left.
  const mine = await srv.api('GET', '/api/v1/me/offers', { token: m.rider.token });
  assert.equal(mine.status, 200, mine.text);
  const rider = mine.json.items.find((x) => x.id === forRiders.id);
  assert.deepEqual({ used: rider.used_today, left: rider.remaining_uses, available: rider.available }, { used: 1, left: 2, available: true });
  assert.ok(!mine.json.items.some((x) => x.id === forNeedyOrRural.id));
  assert.ok(mine.json.items.find((x) => x.id === open.id).remaining_uses === null);
  assert.ok(!('budget_fen' in rider));
  const plainView = await srv.api('GET', '/api/v1/me/offers', { token: m.plain.token });
  assert.ok(!plainView.json.items.some((x) => x.id === forRiders.id));
  const bView = await srv.api('GET', '/api/v1/me/offers', { token: m.cityB.token });
  assert.ok(!bView.json.items.some((x) => x.id === open.id));
  const hist = await srv.api('GET', '/api/v1/me/redemptions', { token: m.rider.token });
  assert.equal(hist.status, 200, hist.text);
  assert.ok(hist.json.items.some((x) => x.offer_id === forRiders.id && x.status === 'accepted' && x.offer === '新就业形态劳动者专享'));
  // Staff routes are not for members, member routes not for staff.
  assertProblem(await srv.api('GET', '/api/v1/offers', { token: m.plain.token }), 403);
  assertProblem(await srv.api('GET', '/api/v1/me/offers', { token: mgrA }), 403);
});

test('limits at their edges: per day (Shanghai midnight), per month, total', async () => {
  const now = Date.now();
  const perDay = await offer({ name: '每日两次', limit_per_day: 2 });
  assert.equal((await submit(item(perDay, m.plain2, 100))).status, 201);
  assert.equal((await submit(item(perDay, m.plain2, 100))).status, 201);
  const third = await submit(item(perDay, m.plain2, 100));
  assertProblem(third, 409, { code: 'offer.limit_reached' });
  assert.match(third.json.detail, /per_day/);
  // Another member is not affected.
  assert.equal((await submit(item(perDay, m.needy, 100))).status, 201);

  // One a day: 23:59:59.999 yesterday and 00:00:00.000 today (local) are two days.
  const midnight = localMidnight(now);
  const oneADay = await offer({ name: '每日一次', limit_per_day: 1 });
  const at = (ms) => ({ at: iso(ms), card_token: mintToken(m.plain2.card_no, Math.floor(ms / 1000) - 10) });
  const late = await submit(item(oneADay, m.plain2, 100, at(midnight - 1)));
  assert.equal(late.status, 201, late.text);
  assert.equal(localDay(Date.parse(late.json.redeemed_at)), localDay(midnight - DAY));
  const early = await submit(item(oneADay, m.plain2, 100, at(midnight)));
  assert.equal(early.status, 201, early.text);
  assertProblem(await submit(item(oneADay, m.plain2, 100, at(Math.min(now, midnight + 1000)))), 409, { code: 'offer.limit_reached' });
  assertProblem(await submit(item(oneADay, m.plain2, 100, at(midnight - 2000))), 409, { code: 'offer.limit_reached' });

  // Total of 3 over several days: the third is allowed, the fourth refused.
  const total = await offer({ name: '累计三次', limit_total: 3 });
  for (const d of [3, 2, 1]) {
    const r = await submit(item(total, m.plain2, 100, at(now - d * DAY)));
    assert.equal(r.status, 201, r.text);
  }
  const fourth = await submit(item(total, m.plain2, 100));
  assertProblem(fourth, 409, { code: 'offer.limit_reached' });
  assert.match(fourth.json.detail, /total/);

  // Per month: two this month; the member view shows none left.
  const monthly = await offer({ name: '每月两次', limit_per_month: 2 });
  for (let i = 0; i < 2; i++) assert.equal((await submit(item(monthly, m.rural, 100))).status, 201);
  assertProblem(await submit(item(monthly, m.rural, 100)), 409, { code: 'offer.limit_reached' });
  const view = (await srv.api('GET', '/api/v1/me/offers', { token: m.rural.token })).json.items.find((x) => x.id === monthly.id);
  assert.deepEqual({ month: view.used_this_month, left: view.remaining_uses, available: view.available }, { month: 2, left: 0, available: false });
});

test('budget: exhausted exactly at the edge, never overspent; raising it lets redemptions through again', async () => {
  const o = await offer({ name: '有预算的免费观影', kind: 'free', price_fen: undefined, value_fen: 400, budget_fen: 1000 });
  assert.equal((await submit(item(o, m.plain, 400))).status, 201); // used 400
  assert.equal((await submit(item(o, m.plain, 400))).status, 201); // used 800
  const over = await submit(item(o, m.plain, 400)); // 1,200 > 1,000
  assertProblem(over, 409, { code: 'offer.budget_exhausted' });
  const exact = await submit(item(o, m.plain, 200)); // exactly 1,000
  assert.equal(exact.status, 201, exact.text);
  assert.equal(exact.json.subsidy_fen, 200);
  assertProblem(await submit(item(o, m.plain, 1)), 409, { code: 'offer.budget_exhausted' });
  let now = await getOffer(o);
  assert.deepEqual({ used: now.budget_used_fen, left: now.budget_left_fen }, { used: 1000, left: 0 });

  // Concurrent submissions never pass the cap.
  const patch = (body, token = mgrA) => srv.api('PATCH', `/api/v1/offers/${o.id}`, { token, body });
  assertProblem(await patch({ budget_fen: 900 }), 422, { field: 'budget_fen', code: 'budget_fen.lower' });
  assertProblem(await patch({ budget_fen: 'lots' }), 422, { field: 'budget_fen' });
  const raised = await patch({ budget_fen: 2000 });
  assert.equal(raised.status, 200, raised.text);
  const race = await Promise.all(Array.from({ length: 6 }, () => submit(item(o, m.needy, 400))));
  assert.deepEqual(race.map((r) => r.status).sort(), [201, 201, 409, 409, 409, 409]);
  now = await getOffer(o);
  assert.equal(now.budget_used_fen, 1800);
  assert.equal(await count(`SELECT COALESCE(SUM(subsidy_fen), 0) FROM offer_redemptions WHERE offer_id = ${o.id} AND status = 'accepted'`), 1800);

  // Pausing stops redemptions; ends_at can move.
  assert.equal((await patch({ status: 'paused' })).status, 200);
  assertProblem(await submit(item(o, m.needy, 100)), 409, { code: 'offer.paused' });
  assertProblem(await patch({ ends_at: iso(Date.now() - 20 * DAY) }), 422, { field: 'ends_at' });
  const moved = await patch({ status: 'active', ends_at: iso(Date.now() + 60 * DAY) });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.status, 'active');
});

// ---- offline batches and deduplication ----

test('an offline batch uploaded twice counts once; a replay inside the batch counts once', async () => {
  const o = await offer({ name: '离线批量', kind: 'percent', price_fen: undefined, percent: 40, budget_fen: 100000 });
  const now = Date.now();
  const earlier = (who, minutes) => ({
    at: iso(now - minutes * 60e3),
    card_token: mintToken(who.card_no, Math.floor((now - minutes * 60e3) / 1000) - 5),
  });
  const a = item(o, m.plain, 1000, earlier(m.plain, 120));
  const b = item(o, m.needy, 2000, earlier(m.needy, 90));
  const c = item(o, m.rural, 3000, earlier(m.rural, 30));
  const batch = { items: [a, b, { ...a }, c] };
  const first = await submit(batch);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(
    first.json.results.map((r) => [r.redemption_id, r.status, r.member_pays_fen, r.subsidy_fen, r.duplicate]),
    [
      [a.redemption_id, 'accepted', 400, 600, false],
      [b.redemption_id, 'accepted', 800, 1200, false],
      [a.redemption_id, 'accepted', 400, 600, true],
      [c.redemption_id, 'accepted', 1200, 1800, false],
    ],
  );
  assert.deepEqual([first.json.accepted, first.json.refused, first.json.duplicates], [4, 0, 1]);
  assert.equal(first.json.results[0].id, first.json.results[2].id);
  assert.equal(first.json.results[0].redeemed_at, iso(now - 120 * 60e3));

  const again = await submit(batch);
  assert.equal(again.status, 200);
  assert.ok(again.json.results.every((r) => r.duplicate));
  assert.deepEqual(again.json.results.map((r) => r.id), first.json.results.map((r) => r.id));
  assert.equal(await count(`SELECT COUNT(*) FROM offer_redemptions WHERE offer_id = ${o.id}`), 3);
  assert.equal((await getOffer(o)).budget_used_fen, 3600);

  // A replay answers as first time, even if the till changed its mind.
  const changed = await submit({ ...b, original_fen: 9999 });
  assert.equal(changed.status, 200, changed.text);
  assert.deepEqual([changed.json.duplicate, changed.json.mismatch, changed.json.original_fen], [true, true, 2000]);
  // The same redemption id from another terminal is another sale.
  const otherTill = await terminal('cityA', '地铁2号线闸机');
  await bind(merchantA.id, otherTill);
  const fromOther = await submit({ ...item(o, m.plain, 1000), redemption_id: a.redemption_id }, otherTill);
  assert.equal(fromOther.status, 201, fromOther.text);

  // Mixed outcomes in one batch: each item answers for itself.
  const paid = await offer({ name: '批量限次', limit_per_day: 1 });
  const mixed = await submit({
    items: [
      item(paid, m.plain2, 100),
      item(paid, m.plain2, 100),
      item({ id: 999999 }, m.plain2, 100),
      { ...item(paid, m.rider, 100), card_token: 'GH1.nonsense' },
    ],
  });
  assert.equal(mixed.status, 200, mixed.text);
  assert.deepEqual(
    mixed.json.results.map((r) => [r.status, r.code ?? null]),
    [['accepted', null], ['refused', 'offer.limit_reached'], ['refused', 'offer.unknown'], ['refused', 'token.format']],
  );
  assert.deepEqual(mixed.json.results.map((r) => r.subsidy_fen), [99, 0, 0, 0]);
  // A refusal is final for its redemption id too.
  const replay = await submit({ items: [{ ...item(paid, m.plain2, 100), redemption_id: mixed.json.results[1].redemption_id }] });
  assert.deepEqual([replay.json.results[0].status, replay.json.results[0].code, replay.json.results[0].duplicate], ['refused', 'offer.limit_reached', true]);
});

test('concurrent submissions of one redemption id count once', async () => {
  const o = await offer({ name: '并发去重', kind: 'free', price_fen: undefined, value_fen: 300, budget_fen: 100000 });
  const one = item(o, m.rider, 300);
  const singles = await Promise.all(Array.from({ length: 8 }, () => submit(one)));
  assert.deepEqual(singles.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
  assert.equal(new Set(singles.map((r) => r.json.id)).size, 1);
  assert.equal(singles.filter((r) => r.json.duplicate === false).length, 1);
  // Batches racing with the same items.
  const items = [item(o, m.plain, 300), item(o, m.needy, 300), item(o, m.rural, 300)];
  const batches = await Promise.all(Array.from({ length: 5 }, () => submit({ items })));
  for (const b of batches) assert.equal(b.status, 200, b.text);
  assert.equal(batches.reduce((n, b) => n + b.json.results.filter((r) => !r.duplicate).length, 0), 3);
  assert.equal(await count(`SELECT COUNT(*) FROM offer_redemptions WHERE offer_id = ${o.id}`), 4);
  assert.equal((await getOffer(o)).budget_used_fen, 1200);
});

// ---- refused tokens, cards, times and terminals ----

test('tampered, expired, foreign or garbage tokens are refused; so are bad times and other merchants\' tills', async () => {
  const o = await offer({ name: '令牌检查' });
  const now = Math.floor(Date.now() / 1000);
  const good = mintToken(m.plain.card_no, now);
  const parts = good.split('.');
  const sig = parts[3];
  const flipped = (sig[5] === 'A' ? 'B' : 'A');
  const tampered = [...parts.slice(0, 3), sig.slice(0, 5) + flipped + sig.slice(6)].join('.');
  // Another member's card number under this member's signature.
  const body = Buffer.from(`${m.needy.card_no}.${now}.${now + 60}`).toString('base64url');
  const swapped = [parts[0], parts[1], body, sig].join('.');
  const foreign = mintToken(m.plain.card_no, now, { key: { kid: cardKey.kid, seed: randomBytes(32) } });
  const unknownKid = mintToken(m.plain.card_no, now, { key: { kid: 'c9', seed: randomBytes(32) } });
  const old = mintToken(m.plain.card_no, now - 3600);
  const cases = [
    [tampered, 'token.signature'],
    [swapped, 'token.signature'],
    [foreign, 'token.signature'],
    [unknownKid, 'token.key_unknown'],
    [old, 'token.expired'],
    ['not a token', 'token.format'],
  ];
  const before = await count('SELECT COUNT(*) FROM offer_redemptions WHERE status = \'accepted\'');
  for (const [card_token, code] of cases) {
    const r = await submit({ ...item(o, m.plain, 100), card_token });
    assertProblem(r, 403, { code });
    assert.equal(r.json.subsidy_fen, 0);
  }
  // A fresh token used after its minute: expired at the sale's time.
  assertProblem(await submit(item(o, m.plain, 100, { at: iso(Date.now() + 70e3) })), 403, { code: 'token.expired' });
  // Sale times the server does not take.
  assertProblem(await submit(item(o, m.plain, 100, { at: iso(Date.now() + 600e3) })), 409, { code: 'at.in_future' });
  const eightDays = Date.now() - 8 * DAY;
  assertProblem(await submit(item(o, m.plain, 100, { at: iso(eightDays), card_token: mintToken(m.plain.card_no, Math.floor(eightDays / 1000)) })), 409, { code: 'at.too_old' });
  // The offer of one merchant at another merchant's till.
  assertProblem(await submit(item(o, m.plain, 100), tillOther), 403, { code: 'offer.other_merchant' });
  // Not started yet / ended.
  const later = await offer({ name: '未开始', starts_at: iso(Date.now() + DAY), ends_at: iso(Date.now() + 2 * DAY) });
  assertProblem(await submit(item(later, m.plain, 100)), 409, { code: 'offer.not_started' });
  // A suspended membership.
  const susp = await srv.api('POST', `/api/v1/members/${m.cityB.id}/status`, { token: t.admin, body: { status: 'suspended', reason: '测试暂停' } });
  assert.equal(susp.status, 200, susp.text);
  const openAll = await offer({ name: '全省会员', org_id: t.orgs.prov }, t.admin);
  assertProblem(await submit(item(openAll, m.cityB, 100)), 403, { code: 'card.inactive' });
  // A suspended merchant.
  const pause = await srv.api('PATCH', `/api/v1/merchants/${merchantOther.id}`, { token: mgrA, body: { status: 'suspended' } });
  assert.equal(pause.status, 200, pause.text);
  const shop = await srv.api('POST', '/api/v1/offers', {
    token: mgrA,
    body: { merchant_id: merchantOther.id, org_id: t.orgs.cityA, name: 'x', kind: 'fixed', price_fen: 1, starts_at: iso(Date.now()), ends_at: iso(Date.now() + DAY) },
  });
  assertProblem(shop, 409, { code: 'merchant.suspended' });
  assert.equal(await count('SELECT COUNT(*) FROM offer_redemptions WHERE status = \'accepted\''), before);
  // Unsigned or wrongly signed requests never reach the handler.
  const raw = JSON.stringify(item(o, m.plain, 100));
  const unsigned = await srv.api('POST', '/api/v1/terminal/redemptions', { rawBody: raw, headers: { 'content-type': 'application/json' } });
  assertProblem(unsigned, 401);
  const headers = signed(tillA, '/api/v1/terminal/redemptions', raw);
  const altered = await srv.api('POST', '/api/v1/terminal/redemptions', { rawBody: raw.replace('"original_fen":100', '"original_fen":101'), headers });
  assertProblem(altered, 401, { code: 'terminal.signature' });
});

test('bad redemption input: 422 naming the field, nothing stored', async () => {
  const o = await offer({ name: '坏请求' });
  const before = await count('SELECT COUNT(*) FROM offer_redemptions');
  const usedBefore = (await getOffer(o)).budget_used_fen;
  const good = () => item(o, m.plain, 100);
  const singles = [
    [{ redemption_id: undefined }, 'redemption_id'],
    [{ redemption_id: 'has space' }, 'redemption_id'],
    [{ redemption_id: 'x'.repeat(65) }, 'redemption_id'],
    [{ offer_id: 'one' }, 'offer_id'],
    [{ offer_id: undefined }, 'offer_id'],
    [{ card_token: undefined }, 'card_token'],
    [{ original_fen: -1 }, 'original_fen'],
    [{ original_fen: 1.5 }, 'original_fen'],
    [{ original_fen: '100' }, 'original_fen'],
    [{ original_fen: 100_000_001 }, 'original_fen'],
    [{ at: 'yesterday' }, 'at'],
    [{ at: '2026-07-01T08:00:00' }, 'at'],
  ];
  for (const [extra, field] of singles) assertProblem(await submit({ ...good(), ...extra }), 422, { field });
  // In a batch, one bad item refuses the whole batch, named by its index.
  const batch = await submit({ items: [good(), { ...good(), original_fen: -5 }, { ...good(), at: 'soon' }] });
  const p = assertProblem(batch, 422, { field: 'items[1].original_fen' });
  assert.ok(p.errors.some((e) => e.field === 'items[2].at'));
  assertProblem(await submit({ items: [] }), 422, { field: 'items' });
  assertProblem(await submit({ items: 'all' }), 422, { field: 'items' });
  assertProblem(await submit({ items: Array.from({ length: 501 }, good) }), 422, { field: 'items' });
  assertProblem(await submit([good()]), 422);
  assert.equal(await count('SELECT COUNT(*) FROM offer_redemptions'), before);
  assert.equal((await getOffer(o)).budget_used_fen, usedBefore);
});

// ---- reports ----

test('the report adds up to the redemptions, by offer, merchant and region, within the caller\'s subtree', async () => {
  const from = localDay(Date.now() - 8 * DAY);
  const to = localDay(Date.now() + DAY);
  const get = (token, by, extra = '') => srv.api('GET', `/api/v1/offers/report?from=${from}&to=${to}&by=${by}${extra}`, { token });
  const sum = (rows) => ({
    person_times: rows.length,
    members: new Set(rows.map((r) => r.member)).size,
    subsidy_fen: rows.reduce((n, r) => n + r.subsidy, 0),
    original_fen: rows.reduce((n, r) => n + r.original, 0),
    member_pays_fen: rows.reduce((n, r) => n + r.pays, 0),
  });
  const pick = (o) => ({ person_times: o.person_times, members: o.members, subsidy_fen: o.subsidy_fen, original_fen: o.original_fen, member_pays_fen: o.member_pays_fen });
  assert.ok(accepted.length > 30, `accepted so far: ${accepted.length}`);

  const byOffer = await get(mgrA, 'offer');
  assert.equal(byOffer.status, 200, byOffer.text);
  const inA = accepted.filter((a) => a.member !== m.cityB.id);
  assert.deepEqual(pick(byOffer.json.totals), sum(inA));
  const offerIds = [...new Set(inA.map((a) => a.offer_id))].sort((x, y) => x - y);
  assert.deepEqual(byOffer.json.rows.map((r) => r.offer_id), offerIds);
  for (const row of byOffer.json.rows) assert.deepEqual(pick(row), sum(inA.filter((a) => a.offer_id === row.offer_id)), `offer ${row.offer_id}`);

  const byMerchant = await get(mgrA, 'merchant');
  assert.deepEqual(byMerchant.json.rows.map((r) => r.merchant_id), [merchantA.id]);
  assert.deepEqual(pick(byMerchant.json.rows[0]), sum(inA));
  const byRegion = await get(t.admin, 'region');
  assert.deepEqual(byRegion.json.rows.map((r) => [r.region_code, r.region_name]), [['530100', '昆明市']]);
  assert.deepEqual(pick(byRegion.json.rows[0]), sum(accepted));

  // One county's members only; one day only.
  const countyA2 = await get(mgrA, 'offer', `&org_id=${t.orgs.countyA2}`);
  assert.deepEqual(pick(countyA2.json.totals), sum(inA.filter((a) => a.member === m.rider.id)));
  const today = localDay(Date.now());
  const oneDay = await srv.api('GET', `/api/v1/offers/report?from=${today}&to=${today}`, { token: mgrA });
  assert.equal(oneDay.json.by, 'offer');
  assert.deepEqual(pick(oneDay.json.totals), sum(inA.filter((a) => a.day === today)));
  // cityB's staff see none of cityA's figures.
  const b = await get(mgrB, 'offer');
  assert.deepEqual(pick(b.json.totals), sum(accepted.filter((a) => a.member === m.cityB.id)));
  assert.equal((await get(auditorA, 'merchant')).status, 200);
  assertProblem(await get(mgrB, 'offer', `&org_id=${t.orgs.cityA}`), 404);

  for (const [q, field] of [
    ['from=2026-13-01&to=2026-12-31', 'from'],
    ['to=2026-12-31', 'from'],
    ['from=2026-07-01', 'to'],
    ['from=2026-07-02&to=2026-07-01', 'to'],
    ['from=2026-07-01&to=2026-07-31&by=unit', 'by'],
  ])
    assertProblem(await srv.api('GET', `/api/v1/offers/report?${q}`, { token: mgrA }), 422, { field });
});

test('the list of single redemptions: the report\'s rows one by one, refusals too, names masked, within the subtree', async () => {
  const from = localDay(Date.now() - 8 * DAY);
  const to = localDay(Date.now() + DAY);
  // Every page of a query, in the server's order.
  const all = async (token, extra = '') => {
    const items = [];
    for (let page = 1; ; page++) {
      const r = await srv.api('GET', `/api/v1/offers/redemptions?from=${from}&to=${to}&page=${page}&page_size=50${extra}`, { token });
      assert.equal(r.status, 200, r.text);
      items.push(...r.json.items);
      if (items.length >= r.json.total || r.json.items.length === 0) {
        assert.equal(items.length, r.json.total);
        return items;
      }
    }
  };
  const inA = accepted.filter((a) => a.member !== m.cityB.id);
  const okA = await all(mgrA, '&status=accepted');
  assert.equal(okA.length, inA.length);
  assert.equal(okA.reduce((n, r) => n + r.subsidy_fen, 0), inA.reduce((n, a) => n + a.subsidy, 0));
  assert.equal(okA.reduce((n, r) => n + r.member_pays_fen, 0), inA.reduce((n, a) => n + a.pays, 0));
  for (let i = 1; i < okA.length; i++) assert.ok(okA[i - 1].id > okA[i].id, 'newest first');
  const names = new Set(['普通甲', '普通乙', '骑手丙', '困难丁', '农村戊']);
  for (const r of okA) {
    assert.equal(r.status, 'accepted');
    assert.equal(r.code, null);
    assert.equal(r.original_fen, r.member_pays_fen + r.subsidy_fen);
    assert.ok(r.member_name && !names.has(r.member_name) && r.member_name.includes('*'), `masked: ${r.member_name}`);
    assert.equal(r.merchant_id, merchantA.id);
    assert.ok(typeof r.redemption_id === 'string' && r.redemption_id.length > 0);
    assert.match(r.redeemed_at, /Z$/);
  }
  // Refusals are listed with their reason; those without a member (unknown
  // card, bad time, unknown offer) at cityA's terminals too.
  const refusedA = await all(mgrA, '&status=refused');
  assert.ok(refusedA.length > 0);
  for (const r of refusedA) assert.ok(r.code, JSON.stringify(r));
  const stored = await count(
    `SELECT COUNT(*) FROM offer_redemptions WHERE status = 'refused' AND member_id IS NULL AND local_day BETWEEN '${from}' AND '${to}'`,
  );
  assert.equal(refusedA.filter((r) => r.member_id === null).length, stored, 'refusals without a member');
  // Filters: one offer, one member, one till.
  const oneOffer = inA[0].offer_id;
  assert.equal((await all(mgrA, `&status=accepted&offer_id=${oneOffer}`)).length, inA.filter((a) => a.offer_id === oneOffer).length);
  const rider = await all(mgrA, `&member_id=${m.rider.id}`);
  assert.ok(rider.every((r) => r.member_id === m.rider.id));
  assert.equal(rider.filter((r) => r.status === 'accepted').length, inA.filter((a) => a.member === m.rider.id).length);
  assert.ok((await all(mgrA, `&terminal_id=${tillA.id}`)).every((r) => r.terminal_id === tillA.id));
  const atA = await all(mgrA, `&merchant_id=${merchantA.id}`);
  assert.ok(atA.every((r) => r.merchant_id === merchantA.id));
  assert.equal(atA.filter((r) => r.status === 'accepted').length, inA.length);
  const county = await all(mgrA, `&status=accepted&org_id=${t.orgs.countyA2}`);
  assert.deepEqual([...new Set(county.map((r) => r.member_id))], inA.some((a) => a.member === m.rider.id) ? [m.rider.id] : []);
  // cityB sees only its own member's sales, none of cityA's refusals.
  const b = await all(mgrB);
  assert.equal(b.filter((r) => r.status === 'accepted').length, accepted.filter((a) => a.member === m.cityB.id).length);
  assert.ok(b.every((r) => r.member_id === m.cityB.id), JSON.stringify(b.slice(0, 3)));
  assert.equal((await all(mgrB, `&member_id=${m.plain.id}`)).length, 0);
  assertProblem(await srv.api('GET', `/api/v1/offers/redemptions?from=${from}&to=${to}&org_id=${t.orgs.cityA}`, { token: mgrB }), 404);
  // Bad input names the parameter; members and terminals are not staff.
  for (const [q, field] of [
    [`to=${to}`, 'from'],
    [`from=${from}`, 'to'],
    [`from=${to}&to=${from}`, 'to'],
    [`from=${from}&to=${to}&status=maybe`, 'status'],
    [`from=${from}&to=${to}&offer_id=abc`, 'offer_id'],
    [`from=${from}&to=${to}&terminal_id=-1`, 'terminal_id'],
  ])
    assertProblem(await srv.api('GET', `/api/v1/offers/redemptions?${q}`, { token: mgrA }), 422, { field });
  assertProblem(await srv.api('GET', `/api/v1/offers/redemptions?from=${from}&to=${to}`, { token: m.plain.token }), [401, 403]);
});

test('redemptions are audited: one entry per upload', async () => {
  const r = await srv.api('GET', '/api/v1/audit?action=offer.redeem&page_size=5', { token: t.admin });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total > 10, r.text);
  assert.match(r.json.items[0].detail, /^accepted \d+, refused \d+, duplicates \d+$/);
  const created = await srv.api('GET', '/api/v1/audit?action=offer.create&page_size=1', { token: t.admin });
  assert.ok(created.json.total > 5);
});

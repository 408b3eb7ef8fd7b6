// Limited campaigns (docs/campaigns.md) in a real browser against the real
// server: yn_admin creates a campaign of 2 packs with the console form
// (datetime pickers, RFC 3339 with +08:00 sent); 李明 claims one on the
// member page at 360 px and sees his 12-digit pickup code in groups of four,
// a second claim is refused as already claimed, his code is listed under
// "my pickup codes"; the console detail page, left open, refreshes itself to
// claimed 1 / remaining 1 and stops asking once left.
// Lottery mode: a lottery campaign made with the form shows its seed
// commitment; 李明 registers on the phone (and a stale page's second try gets
// the already-registered message); after a short window (made through the
// API) the staff draw in the console, which shows the revealed seed, digests
// and winners (checked against the commitment and recomputed here and in the
// browser); the phone shows 中签 or 未中签. Stock per machine: a vending
// machine loaded in the console appears in the table, follows a pickup, and
// a refill below what it handed out is refused on the field.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, newPage, consoleLogin, memberLogin, typeDate, pick, figure,
  apiLogin, apiGet, apiPost, terminalPost, outFile, horizontalOverflow, DESKTOP, PHONE, DEMO_PASSWORD,
} from './harness.mjs';

let srv;
let browser;
let page;

// Beijing wall-clock time, as the pickers show it: 'YYYY-MM-DD HH:mm:ss'.
const beijing = (offsetMs) => new Date(Date.now() + offsetMs).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16) + ':00';

const made = {
  name: `E2E 限量礼包 ${Date.now() % 100000}`,
  starts: beijing(-5 * 60_000),
  ends: beijing(3 * 86400_000),
  member: { name: '李明', phone: '13800138000' },
};

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(DESKTOP));
});
after(() => stopServerAndBrowser({ srv, browser }));
afterEach((t) => failOnPageErrors(page, t));

test('console: create a campaign of 2 packs with the form, land on its detail page', async () => {
  await step(page, 'campaigns-create', async () => {
    await consoleLogin(page, srv.base, 'yn_admin');
    await page.locator('[data-menu=campaigns]', { hasText: '限量发放' }).click();
    await page.waitForURL(/\/admin\/campaigns$/);
    await page.locator('[data-test=campaign-table]').waitFor();

    await page.click('[data-test=campaign-add]');
    await page.waitForURL(/\/admin\/campaigns\/new$/);
    const form = page.locator('[data-test=campaign-form]');
    await form.waitFor();
    // The form's own check first: nothing sent without a name.
    await page.click('[data-test=campaign-save]');
    await page.locator('[data-test=form-error]').waitFor();
    await form.locator('input[name=campaign-name]').fill(made.name);
    await form.locator('input[name=stock]').fill('2');
    await form.locator('input[name=stock]').press('Tab');
    await typeDate(page, '[data-test=starts-at]', made.starts);
    await typeDate(page, '[data-test=ends-at]', made.ends);
    // Groups: ticking a group clears 全体会员, ticking 全体会员 clears the groups.
    const groups = form.locator('[data-test=campaign-groups]');
    assert.equal(await groups.locator('[data-group=all].is-checked').count(), 1);
    await groups.locator('[data-group=needy]').click();
    assert.equal(await groups.locator('[data-group=needy].is-checked').count(), 1);
    assert.equal(await groups.locator('[data-group=all].is-checked').count(), 0);
    await groups.locator('[data-group=all]').click();
    assert.equal(await groups.locator('[data-group=needy].is-checked').count(), 0);

    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/campaigns') && r.request().method() === 'POST');
    await page.click('[data-test=campaign-save]');
    const r = await created;
    assert.equal(r.status(), 201, await r.text());
    const body = JSON.parse(r.request().postData());
    assert.equal(body.name, made.name);
    assert.equal(body.stock, 2);
    assert.equal(body.starts_at, made.starts.replace(' ', 'T') + '+08:00');
    assert.equal(body.ends_at, made.ends.replace(' ', 'T') + '+08:00');
    assert.ok(body.org_id, 'an org is sent');
    assert.deepEqual(body.groups, ['all']);
    made.campaign = await r.json();
    assert.equal(made.campaign.stock, 2);
    assert.equal(made.campaign.remaining, 2);

    await page.waitForURL(new RegExp(`/admin/campaigns/${made.campaign.id}$`));
    await page.locator('[data-test=campaign-figures]').waitFor();
    assert.equal(await figure(page, 'stock'), '2');
    assert.equal(await figure(page, 'claimed'), '0');
    assert.equal(await figure(page, 'remaining'), '2');
    await page.locator('[data-test=campaign-chart] canvas').waitFor();
    // The page stays open here: the last test watches it refresh itself.
  });
});

test('member H5 at 360 px: 李明 claims a pack, sees his code in groups; a second claim is refused', async () => {
  const phone = await newPage(browser, PHONE);
  try {
    await step(phone, 'campaigns-member-claim', async () => {
      await memberLogin(phone, srv.base, made.member.phone);
      await phone.click('[data-test=m-camp-entry]');
      await phone.waitForURL(/\/m\/campaigns$/);
      const card = phone.locator(`[data-test=m-campaign][data-id="${made.campaign.id}"]`);
      await card.waitFor();
      assert.match(await card.innerText(), new RegExp(made.name));
      const btn = card.locator('[data-test=m-claim-btn]');
      assert.match(await btn.innerText(), /剩余 2 份/);
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the campaigns page fits 360 px');

      const first = phone.waitForResponse((r) => r.url().endsWith(`/api/v1/campaigns/${made.campaign.id}/claims`) && r.request().method() === 'POST');
      await btn.click();
      const r = await first;
      assert.equal(r.status(), 201, await r.text());
      const claim = await r.json();
      made.claim = claim;
      const code = card.locator('[data-test=m-pickup-code]');
      await code.waitFor();
      const groups = await code.locator('span').allInnerTexts();
      assert.equal(groups.length, 3, 'three groups');
      for (const g of groups) assert.match(g, /^\d{4}$/);
      assert.equal(groups.join(''), claim.pickup_code.replace(/\D/g, ''));
      assert.match(await code.innerText(), /^\d{4}\s+\d{4}\s+\d{4}$/);
      // Big: at least 24 px digits.
      const size = await code.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      assert.ok(size >= 24, `code font ${size}px`);
      await card.locator('[data-test=m-claim-btn]', { hasText: '剩余 1 份' }).waitFor();
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the code fits 360 px');
      await phone.screenshot({ path: outFile('member-campaign.png'), fullPage: true });

      const second = phone.waitForResponse((x) => x.url().endsWith(`/api/v1/campaigns/${made.campaign.id}/claims`) && x.request().method() === 'POST');
      await card.locator('[data-test=m-claim-btn]').click();
      const r2 = await second;
      assert.equal(r2.status(), 409);
      assert.equal((await r2.json()).code, 'campaign.already_claimed');
      const msg = card.locator('[data-test=m-camp-message][data-code="campaign.already_claimed"]');
      await msg.waitFor();
      assert.match(await msg.innerText(), /已经领取过/);
      // Still one taken.
      await card.locator('[data-test=m-claim-btn]', { hasText: '剩余 1 份' }).waitFor();
      assert.ok((await horizontalOverflow(phone)) <= 0, 'still fits 360 px');

      // His codes.
      await phone.click('[data-test=m-codes-button]');
      await phone.waitForURL(/\/m\/pickup-codes$/);
      const mine = phone.locator('[data-test=m-pickup][data-status=claimed]', { hasText: made.name });
      await mine.waitFor();
      assert.match(await mine.innerText(), /待提货/);
      assert.ok((await mine.innerText()).includes(groups.join(' ')) || (await mine.innerText()).includes(groups.join('\n')));
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the codes page fits 360 px');
      await phone.screenshot({ path: outFile('member-pickup-codes.png'), fullPage: true });
    });
  } finally {
    await phone.context().close();
  }
});

test('console: the open detail page refreshes itself to claimed 1 / remaining 1, and stops when left', async () => {
  await step(page, 'campaigns-stats', async () => {
    assert.match(page.url(), new RegExp(`/admin/campaigns/${made.campaign.id}$`));
    // No reload: the 5 s timer brings the new figures.
    await page.locator('[data-test=fig-claimed] .fig-value', { hasText: /^1$/ }).waitFor({ timeout: 12_000 });
    assert.equal(await figure(page, 'claimed'), '1');
    assert.equal(await figure(page, 'remaining'), '1');
    assert.equal(await figure(page, 'stock'), '2');
    assert.equal(await figure(page, 'outstanding'), '1');
    assert.equal(await figure(page, 'redeemed'), '0');
    // 领取明细: his claim, the name masked, no code.
    const claims = page.locator('[data-test=claims-panel]');
    await claims.locator(`[data-test=claim-status-${made.claim.id}]`, { hasText: '待提货' }).waitFor({ timeout: 12_000 });
    assert.equal(await claims.locator(`[data-test=claim-member-${made.claim.id}]`).innerText(), '李*');
    assert.ok(!(await claims.innerText()).replace(/\s/g, '').includes(made.claim.pickup_code.replace(/\D/g, '')), 'no pickup code');
    await page.locator('[data-test=campaign-chart] canvas').waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: outFile('console-campaign.png'), fullPage: true });

    // Leaving the page stops the timer.
    let asked = 0;
    page.on('request', (r) => {
      if (r.url().includes('/stats')) asked++;
    });
    await page.locator('[data-menu=campaigns]').click();
    await page.waitForURL(/\/admin\/campaigns$/);
    await page.locator('[data-test=campaign-table] .el-table__row', { hasText: made.name }).waitFor();
    await page.waitForTimeout(6000);
    assert.equal(asked, 0, 'no stats requests after leaving the page');
  });
});

// ---- lottery mode and stock per machine ------------------------------------

const iso = (offsetMs) => new Date(Date.now() + offsetMs).toISOString();
const sha256Hex = (s) => createHash('sha256').update(s).digest('hex');

// The draw as docs/campaigns.md describes it, from the published record alone.
function redraw(seed, registrationIds, stock) {
  const digest = sha256Hex([...registrationIds].sort((a, b) => a - b).map((id) => `${id}\n`).join(''));
  const key = createHash('sha256').update(seed + digest).digest();
  const scored = registrationIds.map((id) => [createHmac('sha256', key).update(String(id)).digest('hex'), id]);
  scored.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return { digest, winners: scored.slice(0, Math.min(stock, scored.length)).map((x) => x[1]) };
}

const lottery = {
  name: `E2E 抽签礼包 ${Date.now() % 100000}`,
  ends: beijing(2 * 86400_000),
};

test('console: a lottery campaign made with the form shows its mode and seed commitment; no draw while registration is open', async () => {
  await step(page, 'campaigns-lottery-form', async () => {
    await page.goto(`${srv.base}/admin/campaigns/new`);
    const form = page.locator('[data-test=campaign-form]');
    await form.waitFor();
    // Both modes are explained.
    assert.match(await form.locator('[data-test=mode-hint-first_come]').innerText(), /领完为止/);
    assert.match(await form.locator('[data-test=mode-hint-lottery]').innerText(), /抽签.*SHA-256/s);
    assert.equal(await form.locator('input[name=per-member]').count(), 1, 'per member shown for first come');
    await form.locator('[data-test=mode-lottery]').click();
    await form.locator('input[name=per-member]').waitFor({ state: 'detached' });
    await form.locator('input[name=campaign-name]').fill(lottery.name);
    await form.locator('input[name=stock]').fill('3');
    await form.locator('input[name=stock]').press('Tab');
    await typeDate(page, '[data-test=starts-at]', beijing(-5 * 60_000));
    await typeDate(page, '[data-test=ends-at]', lottery.ends);

    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/campaigns') && r.request().method() === 'POST');
    await page.click('[data-test=campaign-save]');
    const r = await created;
    assert.equal(r.status(), 201, await r.text());
    const body = JSON.parse(r.request().postData());
    assert.equal(body.mode, 'lottery');
    assert.equal(body.stock, 3);
    assert.equal(body.ends_at, lottery.ends.replace(' ', 'T') + '+08:00');
    lottery.form = await r.json();
    assert.equal(lottery.form.mode, 'lottery');
    assert.match(lottery.form.seed_commitment, /^[0-9a-f]{64}$/);

    await page.waitForURL(new RegExp(`/admin/campaigns/${lottery.form.id}$`));
    const mode = page.locator('[data-test=campaign-mode][data-mode=lottery]');
    await mode.waitFor();
    assert.equal((await mode.innerText()).trim(), '抽签');
    const panel = page.locator('[data-test=draw-panel]');
    await panel.locator('[data-test=seed-commitment]').waitFor();
    assert.equal((await panel.locator('[data-test=seed-commitment]').innerText()).trim(), lottery.form.seed_commitment);
    assert.equal((await panel.locator('[data-test=draw-registrations]').innerText()).trim(), '0');
    assert.equal((await panel.locator('[data-test=draw-state]').innerText()).trim(), '报名中');
    assert.ok(await panel.locator('[data-test=draw-btn]').isDisabled(), 'no draw while registration is open');
    assert.match(await panel.innerText(), new RegExp(`报名截止（${lottery.ends.slice(0, 16)}）后才能抽签`));
    assert.equal(await panel.locator('[data-test=draw-seed]').count(), 0, 'the seed stays secret');
    await page.locator('[data-test=machines-panel] .el-table__empty-text', { hasText: '还没有装载售货机' }).waitFor();
  });
});

test('lottery: 李明 registers at 360 px; after the window the staff draw in the console and see the seed and winners; the phone shows the result', async () => {
  const admin = await apiLogin(srv.base, 'yn_admin', DEMO_PASSWORD);
  // 王芳 (docs/demo.md) makes her account, so two members share one pack.
  const wfPassword = 'WangFang2026x';
  const wf = await apiPost(srv.base, null, '/auth/register', { citizen_id: '530102199208082467', name: '王芳', phone: '13900139000', password: wfPassword });
  assert.equal(wf.status, 201, JSON.stringify(wf.body));
  const wfToken = await apiLogin(srv.base, '13900139000', wfPassword);

  const phone = await newPage(browser, PHONE);
  const mineUrl = '**/api/v1/me/registrations';
  try {
    await step(phone, 'campaigns-lottery-register', async () => {
      await memberLogin(phone, srv.base, made.member.phone);
      await phone.click('[data-test=m-camp-entry]');
      await phone.waitForURL(/\/m\/campaigns$/);
      const card = phone.locator(`[data-test=m-campaign][data-id="${lottery.form.id}"]`);
      await card.waitFor();
      assert.equal(await card.getAttribute('data-mode'), 'lottery');
      assert.match(await card.locator('[data-test=m-lottery-places]').innerText(), /名额 3 份/);
      const btn = card.locator('[data-test=m-register-btn]');
      assert.equal((await btn.innerText()).trim(), '报名抽签');
      assert.equal(await card.locator('[data-test=m-claim-btn]').count(), 0, 'no claim button on a lottery');
      const answer = phone.waitForResponse((r) => r.url().endsWith(`/api/v1/campaigns/${lottery.form.id}/registrations`) && r.request().method() === 'POST');
      await btn.click();
      const r = await answer;
      assert.equal(r.status(), 201, await r.text());
      assert.match(r.request().headers()['idempotency-key'] || '', /^[0-9a-f]{32}$/);
      const status = card.locator('[data-test=m-lottery-status][data-result=registered]');
      await status.waitFor();
      assert.match(await status.innerText(), new RegExp(`等待开奖\\s+已报名，${lottery.ends.slice(0, 16)} 后开奖`));
      assert.equal(await card.locator('[data-test=m-register-btn]').count(), 0, 'registered: no button');
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the campaigns page fits 360 px');

      // A page that does not know of the registration offers the button
      // again: the second try is refused with a readable message.
      await phone.route(mineUrl, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"items":[]}' }));
      await phone.reload();
      const again = phone.waitForResponse((x) => x.url().endsWith(`/api/v1/campaigns/${lottery.form.id}/registrations`) && x.request().method() === 'POST');
      await card.locator('[data-test=m-register-btn]').click();
      const r2 = await again;
      assert.equal(r2.status(), 409);
      assert.equal((await r2.json()).code, 'campaign.already_registered');
      const msg = card.locator('[data-test=m-camp-message][data-code="campaign.already_registered"]');
      await msg.waitFor();
      assert.match(await msg.innerText(), /您已报名本次抽签，请等待开奖/);
      await phone.unroute(mineUrl);
      await phone.reload();
      await status.waitFor();
    });

    // The timing-critical campaign through the API: a window of a few seconds.
    const WINDOW_MS = 12_000;
    const shortCampaign = { org_id: made.campaign.org_id, name: `E2E 限时抽签 ${Date.now() % 100000}`, stock: 1, mode: 'lottery', starts_at: iso(-60_000), ends_at: iso(WINDOW_MS) };
    const made2 = await apiPost(srv.base, admin, '/campaigns', shortCampaign, { 'Idempotency-Key': randomBytes(16).toString('hex') });
    assert.equal(made2.status, 201, JSON.stringify(made2.body));
    const short = made2.body;
    let mine;

    await step(phone, 'campaigns-lottery-register-short', async () => {
      await phone.reload();
      const card = phone.locator(`[data-test=m-campaign][data-id="${short.id}"]`);
      await card.waitFor();
      const answer = phone.waitForResponse((r) => r.url().endsWith(`/api/v1/campaigns/${short.id}/registrations`) && r.request().method() === 'POST');
      await card.locator('[data-test=m-register-btn]').click();
      const r = await answer;
      assert.equal(r.status(), 201, await r.text());
      mine = await r.json();
      assert.equal(mine.result, 'registered');
      assert.equal(mine.seed_commitment, short.seed_commitment);
      await card.locator('[data-test=m-lottery-status][data-result=registered]').waitFor();
    });
    const other = await apiPost(srv.base, wfToken, `/campaigns/${short.id}/registrations`, {}, { 'Idempotency-Key': randomBytes(16).toString('hex') });
    assert.equal(other.status, 201, JSON.stringify(other.body));

    let drawn;
    await step(page, 'campaigns-lottery-draw', async () => {
      await page.goto(`${srv.base}/admin/campaigns/${short.id}`);
      const panel = page.locator('[data-test=draw-panel]');
      await panel.locator('[data-test=draw-registrations]', { hasText: /^2$/ }).waitFor();
      assert.equal((await panel.locator('[data-test=seed-commitment]').innerText()).trim(), short.seed_commitment);
      // The button comes alive on its own once registration has closed.
      await panel.locator('[data-test=draw-btn]:not([disabled])').waitFor({ timeout: WINDOW_MS + 10_000 });
      assert.equal((await panel.locator('[data-test=draw-state]').innerText()).trim(), '报名已截止，待抽签');
      await panel.locator('[data-test=draw-btn]').click();
      const box = page.locator('.el-message-box');
      await box.waitFor();
      assert.match(await box.innerText(), /从 2 名报名会员中抽出最多 1 名中签者/);
      const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/campaigns/${short.id}/draw`) && r.request().method() === 'POST');
      await box.locator('.el-button--primary').click();
      const r = await answer;
      assert.equal(r.status(), 200, await r.text());
      assert.match(r.request().headers()['idempotency-key'] || '', /^[0-9a-f]{32}$/);
      drawn = await r.json();
      assert.equal(drawn.registrations, 2);
      assert.equal(drawn.winners, 1);

      // The revealed seed is the committed one; digests and winners shown.
      const seed = panel.locator('[data-test=draw-seed]');
      await seed.waitFor();
      assert.equal((await seed.innerText()).trim(), drawn.seed);
      assert.equal(sha256Hex(drawn.seed), short.seed_commitment, 'the seed matches its commitment');
      assert.equal((await panel.locator('[data-test=registrations-digest]').innerText()).trim(), drawn.registrations_digest);
      assert.equal((await panel.locator('[data-test=winners-digest]').innerText()).trim(), drawn.winners_digest);
      assert.equal((await panel.locator('[data-test=draw-winners]').innerText()).trim(), '1');
      const shown = await panel.locator('[data-test=winner-ids] [data-id]').evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
      assert.deepEqual(shown, drawn.winner_registration_ids);
      assert.equal((await panel.locator('[data-test=draw-state]').innerText()).trim(), '已抽签');
      assert.equal(await panel.locator('[data-test=draw-btn]').count(), 0, 'drawn once');

      // Anyone can run it again: here from the public record, and in the page.
      const record = (await apiGet(srv.base, admin, `/campaigns/${short.id}/draw`)).body;
      const again = redraw(record.seed, record.registration_ids, record.stock);
      assert.equal(again.digest, drawn.registrations_digest);
      assert.deepEqual(again.winners, drawn.winner_registration_ids);
      await panel.locator('[data-test=draw-recompute]').click();
      const check = panel.locator('[data-test=draw-check][data-ok=true]');
      await check.waitFor();
      assert.match(await check.innerText(), /验算通过/);
      assert.match(await panel.locator('[data-test=draw-verify]').innerText(), /docs\/campaigns\.md/);
      // The figures follow: the winner's pack is claimed.
      await page.locator('[data-test=fig-claimed] .fig-value', { hasText: /^1$/ }).waitFor();
      await page.screenshot({ path: outFile('console-lottery.png'), fullPage: true });
    });

    await step(phone, 'campaigns-lottery-result', async () => {
      const won = drawn.winner_registration_ids.includes(mine.id);
      const result = won ? 'won' : 'lost';
      await phone.reload();
      const card = phone.locator(`[data-test=m-campaign][data-id="${short.id}"]`);
      const status = card.locator(`[data-test=m-lottery-status][data-result=${result}]`);
      await status.waitFor();
      assert.match(await status.innerText(), won ? /恭喜中签/ : /未中签/);
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the result fits 360 px');
      await phone.screenshot({ path: outFile('member-lottery.png'), fullPage: true });

      // The other outcome's wording, from an altered answer.
      await phone.route(mineUrl, async (route) => {
        const res = await route.fetch();
        const j = await res.json();
        for (const x of j.items) if (x.campaign_id === short.id) x.result = won ? 'lost' : 'won';
        await route.fulfill({ response: res, json: j });
      });
      await phone.reload();
      const flipped = card.locator(`[data-test=m-lottery-status][data-result=${won ? 'lost' : 'won'}]`);
      await flipped.waitFor();
      assert.match(await flipped.innerText(), won ? /未中签/ : /恭喜中签/);
      if (!won) {
        await flipped.locator('[data-test=m-lottery-code-link]').click();
        await phone.waitForURL(/\/m\/pickup-codes$/);
        await phone.goBack();
        await phone.waitForURL(/\/m\/campaigns$/);
      }
      await phone.unroute(mineUrl);
      await phone.reload();
      await status.waitFor();

      if (won) {
        // The winner's code waits under 我的提货码.
        await card.locator('[data-test=m-lottery-code-link]').click();
        await phone.waitForURL(/\/m\/pickup-codes$/);
        const code = phone.locator('[data-test=m-pickup][data-status=claimed]', { hasText: short.name });
        await code.waitFor();
        assert.match(await code.innerText(), /\d{4}\s+\d{4}\s+\d{4}/);
      } else {
        assert.equal(await card.locator('[data-test=m-lottery-code-link]').count(), 0);
        const token = await phone.evaluate(() => localStorage.getItem('gh_member_token'));
        const claims = (await apiGet(srv.base, token, '/me/claims')).body.items;
        assert.equal(claims.filter((c) => c.campaign_id === short.id).length, 0, 'no code without a win');
      }
    });
  } finally {
    await phone.context().close();
  }
});

test('console: a vending machine loaded with stock shows in the table and follows a pickup; a refill below what it handed out is refused on the field', async () => {
  const admin = await apiLogin(srv.base, 'yn_admin', DEMO_PASSWORD);
  // 五华区总工会 is org 4 in a fresh demo store (docs/demo.md).
  const tm = await apiPost(srv.base, admin, '/terminals', { name: `E2E 五华区售货机 ${Date.now() % 1000}`, kind: 'vending_machine', org_id: 4 });
  assert.equal(tm.status, 201, JSON.stringify(tm.body));
  const machine = tm.body;

  await step(page, 'campaigns-machines', async () => {
    await page.goto(`${srv.base}/admin/campaigns/${made.campaign.id}`);
    const panel = page.locator('[data-test=machines-panel]');
    await panel.locator('.el-table__empty-text', { hasText: '还没有装载售货机' }).waitFor();

    // Load it with 5.
    await pick(page, '[data-test=machine-terminal]', machine.name);
    const stock = panel.locator('input[name=machine-stock]');
    await stock.fill('5');
    await stock.press('Tab');
    const save = async () => {
      const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/campaigns/${made.campaign.id}/machines/${machine.id}`) && r.request().method() === 'PUT');
      await panel.locator('[data-test=machine-save]').click();
      return answer;
    };
    let r = await save();
    assert.equal(r.status(), 200, await r.text());
    assert.deepEqual(JSON.parse(r.request().postData()), { stock: 5 });
    await page.locator('.el-message--success', { hasText: `${machine.name} 的库存已设为 5` }).waitFor();
    const row = panel.locator('[data-test=machine-table] .el-table__row', { hasText: machine.name });
    await row.waitFor();
    const cell = async (k) => (await row.locator(`[data-test=machine-${k}]`).innerText()).trim();
    assert.deepEqual([await cell('stock'), await cell('handed-out'), await cell('left')], ['5', '0', '5']);
    assert.match(await row.innerText(), /自动售货机/);

    // The machine hands out 李明's pack (a signed terminal call,
    // docs/terminals.md); the open page follows by itself.
    const p = await terminalPost(srv.base, machine, '/terminal/pickups', { code: made.claim.pickup_code });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    await row.locator('[data-test=machine-handed-out]', { hasText: /^1$/ }).waitFor({ timeout: 12_000 });
    assert.equal(await cell('left'), '4');
    // 领取明细 follows too: picked up, at this machine; the state filter finds it.
    const claims = page.locator('[data-test=claims-panel]');
    await claims.locator(`[data-test=claim-status-${made.claim.id}]`, { hasText: '已提货' }).waitFor({ timeout: 12_000 });
    assert.equal(await claims.locator(`[data-test=claim-machine-${made.claim.id}]`).innerText(), machine.name);
    await pick(page, '[data-test=claims-status]', '待提货');
    await claims.locator('.el-table__empty-text', { hasText: '还没有领取记录' }).waitFor();
    await pick(page, '[data-test=claims-status]', '已提货');
    await claims.locator(`[data-test=claim-status-${made.claim.id}]`).waitFor();

    // A refill below what it handed out: refused, shown on the field.
    await row.locator('[data-test=machine-refill]').click();
    assert.equal(await stock.inputValue(), '5');
    await stock.fill('0');
    await stock.press('Tab');
    r = await save();
    assert.equal(r.status(), 422);
    const problem = await r.json();
    assert.equal(problem.errors[0].field, 'stock');
    assert.equal(problem.errors[0].code, 'stock.below_handed_out');
    const fieldError = panel.locator('.el-form-item.is-error .el-form-item__error');
    await fieldError.filter({ hasText: '不能少于已发出的 1 份' }).waitFor();
    assert.equal(await fieldError.count(), 1, 'only the stock field is marked');
    assert.equal(await cell('stock'), '5', 'unchanged');

    // The refill to 8 goes through.
    await stock.fill('8');
    await stock.press('Tab');
    r = await save();
    assert.equal(r.status(), 200, await r.text());
    await row.locator('[data-test=machine-stock]', { hasText: /^8$/ }).waitFor();
    assert.deepEqual([await cell('stock'), await cell('handed-out'), await cell('left')], ['8', '1', '7']);
    assert.equal(await panel.locator('.el-form-item.is-error').count(), 0, 'the field error is gone');
    await page.screenshot({ path: outFile('console-machines.png'), fullPage: true });
  });
});

// Offers (惠工服务, docs/offers.md) in a real browser against the real server:
// km_manager registers a merchant with the console form (a bad credit code
// refused under its field first), binds a till to it on its page and
// publishes a 35 % offer with the offer form (yuan typed, integer fen sent,
// RFC 3339 with +08:00); a signed till redeems it and a demo offer through the
// API; the offer page pauses (a sale then refused), resumes and raises the
// budget; the report shows the figures by offer, merchant and region with
// its chart and an .xlsx export read back; 核销明细 lists the sales one by one
// (the refused one with its reason, names masked), filters by status and,
// from the offer's page, by offer, and exports them; 李明 at 360 px sees the demo offers
// with their price text and his redemptions under 我的优惠记录.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, newPage, consoleLogin, memberLogin, pick, dismissMessages, figure,
  apiLogin, apiGet, apiPost, terminalPost, outFile, horizontalOverflow, XLSX, DESKTOP, PHONE, DEMO_PASSWORD,
} from './harness.mjs';
import { freshCreditCode, creditWithBadCheck } from '../api/gen.mjs';

let srv;
let browser;
let page;

// What the steps create, shared along the file.
const made = {
  merchantName: `E2E 春城便利店 ${Date.now() % 100000}`,
  offerName: `E2E 便利店 3.5 折 ${Date.now() % 100000}`,
  creditCode: freshCreditCode('530102'),
  member: { name: '李明', phone: '13800138000' },
  // The demo data (docs/demo.md): 昆明市总工会 is org 3; its merchants and offers.
  demo: { org: 3, subway: { merchant: 1, offer: 1 }, supermarketOffer: 2, cinemaOffer: 3 },
};

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(DESKTOP));
  made.staffToken = await apiLogin(srv.base, 'km_manager', DEMO_PASSWORD);
});
after(() => stopServerAndBrowser({ srv, browser }));
afterEach((t) => failOnPageErrors(page, t));

// ---- API helpers (setup and the till; not what the tests are about) ----

// A till registered under 昆明市总工会 (docs/terminals.md): id and secret.
async function registerTill(name) {
  const r = await apiPost(srv.base, made.staffToken, '/terminals', { name, kind: 'till', org_id: made.demo.org });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// A redemption as a till sends it: a signed terminal request (docs/terminals.md).
const redeem = (till, sale) => terminalPost(srv.base, till, '/terminal/redemptions', sale);

// The member's card QR token, as his phone shows it (valid about 60 s).
async function cardToken() {
  if (!made.memberToken) made.memberToken = await apiLogin(srv.base, made.member.phone, DEMO_PASSWORD);
  const r = await apiGet(srv.base, made.memberToken, '/me/card');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

let saleNo = 0;
const sale = async (offerId, original) => ({ redemption_id: `E2E-${process.pid}-${++saleNo}`, offer_id: offerId, card_token: await cardToken(), original_fen: original });

// ---- console helpers ----

const formError = (label) => page.locator('.el-form-item', { has: page.locator('.el-form-item__label', { hasText: label }) }).locator('.el-form-item__error');

test('console: the 惠工服务 menu; register a merchant (bad credit code first), bind a till on its page', async () => {
  await step(page, 'offers-merchant', async () => {
    await consoleLogin(page, srv.base, 'km_manager');
    // The menu group, for an account with offer.read.
    await page.locator('.el-sub-menu__title', { hasText: '惠工服务' }).click();
    await page.locator('[data-menu=merchants]', { hasText: '商户管理' }).click();
    await page.waitForURL(/\/admin\/merchants$/);
    await page.locator('[data-menu=offers]', { hasText: '优惠管理' }).waitFor();
    await page.locator('[data-menu=offer-report]', { hasText: '惠工服务统计' }).waitFor();
    const table = page.locator('[data-test=merchant-table]');
    await table.locator('.el-table__row', { hasText: '昆明地铁运营有限公司' }).waitFor();
    assert.match(await table.innerText(), /交通出行/);
    // The category filter.
    await pick(page, '[data-test=merchant-category-filter]', '影院');
    await table.locator('.el-table__row', { hasText: '春城影城' }).waitFor();
    await table.locator('.el-table__row', { hasText: '昆明地铁运营有限公司' }).waitFor({ state: 'detached' });

    await page.click('[data-test=merchant-add]');
    await page.waitForURL(/\/admin\/merchants\/new$/);
    const form = page.locator('[data-test=merchant-form]');
    await form.waitFor();
    // The form's own check first: nothing sent without a name and a category.
    await page.click('[data-test=merchant-save]');
    await page.locator('[data-test=form-error]').waitFor();
    await form.locator('input[name=merchant-name]').fill(made.merchantName);
    await pick(page, '[data-test=merchant-category]', '便利店');
    // The org's region comes first; a district below it is picked.
    await page.locator('[data-test=merchant-region] .el-select__wrapper', { hasText: '530100' }).waitFor();
    await pick(page, '[data-test=merchant-region]', '五华区');
    await form.locator('input[name=merchant-address]').fill('五华区东风西路 1 号');
    await form.locator('input[name=merchant-credit-code]').fill(creditWithBadCheck(made.creditCode));

    let answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/merchants') && r.request().method() === 'POST');
    await page.click('[data-test=merchant-save]');
    let r = await answer;
    assert.equal(r.status(), 422);
    await formError('统一社会信用代码').waitFor();
    assert.match(await formError('统一社会信用代码').innerText(), /校验位/);

    await form.locator('input[name=merchant-credit-code]').fill(made.creditCode);
    answer = page.waitForResponse((x) => x.url().endsWith('/api/v1/merchants') && x.request().method() === 'POST');
    await page.click('[data-test=merchant-save]');
    r = await answer;
    assert.equal(r.status(), 201, await r.text());
    const body = JSON.parse(r.request().postData());
    assert.deepEqual(
      { ...body },
      { org_id: made.demo.org, name: made.merchantName, category: 'convenience_store', region_code: '530102', credit_code: made.creditCode, address: '五华区东风西路 1 号' },
    );
    made.merchant = await r.json();
    await page.waitForURL(new RegExp(`/admin/merchants/${made.merchant.id}$`));
    await page.locator('[data-test=merchant-title]', { hasText: made.merchantName }).waitFor();
    assert.match(await page.locator('[data-test=merchant-detail]').innerText(), /五华区/);
    await page.locator('[data-test=terminal-table]', { hasText: '还没有绑定终端' }).waitFor();

    // A till registered for the store (POST /terminals), bound on the page.
    made.till = await registerTill(`${made.merchantName} 1号收银台`);
    await page.reload();
    await page.locator('[data-test=bind-form]').waitFor();
    await pick(page, '[data-test=bind-terminal]', `#${made.till.id}`);
    answer = page.waitForResponse((x) => x.url().endsWith(`/api/v1/merchants/${made.merchant.id}/terminals`) && x.request().method() === 'POST');
    await page.click('[data-test=bind-submit]');
    r = await answer;
    assert.equal(r.status(), 200, await r.text());
    assert.deepEqual(JSON.parse(r.request().postData()), { terminal_id: made.till.id });
    await page.locator('[data-test=terminal-table] .el-table__row', { hasText: '1号收银台' }).waitFor();

    // The list finds it by name.
    await page.locator('[data-menu=merchants]').click();
    await page.waitForURL(/\/admin\/merchants$/);
    await page.fill('input[name=merchant-q]', made.merchantName.slice(0, 12));
    await page.click('[data-test=merchant-search]');
    const row = page.locator('[data-test=merchant-table] .el-table__row', { hasText: made.merchantName });
    await row.waitFor();
    assert.match(await row.innerText(), /便利店/);
    assert.match(await row.innerText(), /合作中/);
  });
});

test('console: publish a 35 % offer at the new merchant with the form; listed, and its page', async () => {
  await step(page, 'offers-offer', async () => {
    await page.goto(`${srv.base}/admin/merchants/${made.merchant.id}`);
    await page.click('[data-test=merchant-new-offer]');
    await page.waitForURL(new RegExp(`/admin/offers/new\\?merchant_id=${made.merchant.id}$`));
    const form = page.locator('[data-test=offer-form]');
    await form.waitFor();
    // The merchant comes preset from the address.
    await form.locator('[data-test=offer-merchant]', { hasText: made.merchantName }).waitFor();
    await page.click('[data-test=offer-save]');
    await page.locator('[data-test=form-error]').waitFor();

    await form.locator('input[name=offer-name]').fill(made.offerName);
    await form.locator('[data-kind=percent]').click();
    await form.locator('input[name=percent]').fill('35');
    await form.locator('input[name=percent]').press('Tab');
    await form.locator('[data-test=percent-discount]', { hasText: '3.5折' }).waitFor();
    // Try it: 35 % of ¥40.00 (the example) → the member pays ¥14.00.
    await form.locator('[data-test=offer-example]', { hasText: '会员付 ¥14.00，工会补贴 ¥26.00' }).waitFor();
    // 'all' and the named groups exclude each other.
    await form.locator('[data-group=needy]').click();
    assert.equal(await form.locator('[data-group=all] input').isChecked(), false);
    await form.locator('[data-group=all]').click();
    assert.equal(await form.locator('[data-group=needy] input').isChecked(), false);
    await form.locator('input[name=limit_per_day]').fill('2');
    await form.locator('input[name=limit_per_day]').press('Tab');
    await form.locator('input[name=budget]').fill('1,000');

    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/offers') && r.request().method() === 'POST');
    await page.click('[data-test=offer-save]');
    const r = await answer;
    assert.equal(r.status(), 201, await r.text());
    const body = JSON.parse(r.request().postData());
    assert.equal(body.merchant_id, made.merchant.id);
    assert.equal(body.org_id, made.demo.org);
    assert.equal(body.name, made.offerName);
    assert.equal(body.kind, 'percent');
    assert.equal(body.percent, 35);
    assert.ok(!('price_fen' in body) && !('value_fen' in body));
    assert.deepEqual(body.groups, ['all']);
    assert.equal(body.limit_per_day, 2);
    assert.ok(!('limit_per_month' in body) && !('limit_total' in body), 'empty limits are not sent');
    assert.equal(body.budget_fen, 100000);
    assert.match(body.starts_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+08:00$/);
    assert.match(body.ends_at, /\+08:00$/);
    made.offer = await r.json();

    await page.waitForURL(new RegExp(`/admin/offers/${made.offer.id}$`));
    await page.locator('[data-test=offer-title]', { hasText: made.offerName }).waitFor();
    assert.match(await page.locator('[data-test=offer-rule]').innerText(), /35%.*3\.5折/);
    await page.locator('[data-test=budget-figures]').waitFor();
    assert.equal(await figure(page, 'budget'), '¥1,000.00');
    assert.equal(await figure(page, 'used'), '¥0.00');
    assert.equal(await figure(page, 'left'), '¥1,000.00');

    // Listed under 优惠管理, and found by its merchant.
    await dismissMessages(page);
    await page.locator('[data-menu=offers]').click();
    await page.waitForURL(/\/admin\/offers$/);
    const table = page.locator('[data-test=offer-table]');
    const row = table.locator('.el-table__row', { hasText: made.offerName });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(made.merchantName));
    assert.match(await row.innerText(), /进行中/);
    await table.locator('.el-table__row', { hasText: '地铁一分钱乘车' }).waitFor();
    await page.goto(`${srv.base}/admin/offers?merchant_id=${made.merchant.id}`);
    await table.locator('.el-table__row', { hasText: made.offerName }).waitFor();
    assert.equal(await table.locator('.el-table__row').count(), 1);
  });
});

test('till sales through the API; the offer page pauses (a sale refused), resumes, raises the budget', async () => {
  await step(page, 'offers-redeem', async () => {
    // 35 % of ¥10.10 is 353.5 fen: rounded half up, the member pays 354.
    let r = await redeem(made.till, await sale(made.offer.id, 1010));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual([r.body.status, r.body.member_pays_fen, r.body.subsidy_fen], ['accepted', 354, 656]);
    // A second till at the demo subway: a 1-fen ride for a ¥4.00 fare.
    made.subwayTill = await registerTill('E2E 地铁闸机');
    const bound = await apiPost(srv.base, made.staffToken, `/merchants/${made.demo.subway.merchant}/terminals`, { terminal_id: made.subwayTill.id });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));
    r = await redeem(made.subwayTill, await sale(made.demo.subway.offer, 400));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual([r.body.member_pays_fen, r.body.subsidy_fen], [1, 399]);

    await page.goto(`${srv.base}/admin/offers/${made.offer.id}`);
    await page.locator('[data-test=budget-figures]').waitFor();
    assert.equal(await figure(page, 'used'), '¥6.56');
    assert.equal(await figure(page, 'left'), '¥993.44');

    // Paused: the till's next sale is refused (the member pays the full price).
    await page.click('[data-test=offer-pause]');
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await page.locator('[data-test=offer-status]', { hasText: '已暂停' }).waitFor();
    r = await redeem(made.till, await sale(made.offer.id, 500));
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'offer.paused');
    await page.click('[data-test=offer-resume]');
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await page.locator('[data-test=offer-status]', { hasText: '进行中' }).waitFor();
    await dismissMessages(page);

    // The budget only goes up: the dialog says so before sending.
    await page.click('[data-test=offer-raise-budget]');
    const dialog = page.locator('[data-test=budget-dialog]');
    await dialog.locator('input[name=new-budget]').fill('800');
    await page.click('[data-test=budget-save]');
    await dialog.locator('.el-form-item__error', { hasText: '须高于当前预算' }).waitFor();
    await dialog.locator('input[name=new-budget]').fill('2000');
    const answer = page.waitForResponse((x) => x.url().endsWith(`/api/v1/offers/${made.offer.id}`) && x.request().method() === 'PATCH');
    await page.click('[data-test=budget-save]');
    const p = await answer;
    assert.equal(p.status(), 200, await p.text());
    assert.deepEqual(JSON.parse(p.request().postData()), { budget_fen: 200000 });
    await page.locator('[data-test=fig-budget] .fig-value', { hasText: '¥2,000.00' }).waitFor();
    assert.equal(await figure(page, 'left'), '¥1,993.44');
  });
});

test('console report: figures, rows with totals by offer / merchant / region, chart, .xlsx export', async () => {
  await step(page, 'offers-report', async () => {
    await dismissMessages(page);
    await page.locator('[data-menu=offer-report]').click();
    await page.waitForURL(/\/admin\/offers\/report$/);
    const figs = page.locator('[data-test=report-figures]');
    await figs.waitFor();
    // Two accepted sales by one member (the refused one does not count).
    assert.equal(await figure(page, 'person_times'), '2');
    assert.equal(await figure(page, 'members'), '1');
    assert.equal(await figure(page, 'subsidy'), '¥10.55');
    assert.equal(await figure(page, 'member_pays'), '¥3.55');
    const table = page.locator('[data-test=offer-report-table]');
    const mine = table.locator('.el-table__row', { hasText: made.offerName });
    await mine.waitFor();
    assert.match(await mine.innerText(), new RegExp(made.merchantName));
    assert.match(await mine.innerText(), /¥6\.56/);
    await table.locator('.el-table__row', { hasText: '地铁一分钱乘车' }).waitFor();
    const totals = table.locator('.el-table__footer');
    assert.match(await totals.innerText(), /合计/);
    assert.match(await totals.innerText(), /¥14\.10[\s\S]*¥10\.55[\s\S]*¥3\.55/);
    await page.locator('[data-test=offer-chart] canvas').waitFor();

    // By merchant, then by region (the merchant's region).
    await page.locator('[data-test=report-by] [data-by=merchant]').click();
    await table.locator('.el-table__row', { hasText: made.merchantName }).waitFor();
    await table.locator('.el-table__row', { hasText: '昆明地铁运营有限公司' }).waitFor();
    await page.locator('[data-test=report-by] [data-by=region]').click();
    const wuhua = table.locator('.el-table__row', { hasText: '530102' });
    await wuhua.waitFor();
    assert.match(await wuhua.innerText(), /五华区/);
    await table.locator('.el-table__row', { hasText: '530100' }).waitFor();
    await page.locator('[data-test=report-by] [data-by=offer]').click();
    await mine.waitFor();
    await dismissMessages(page);
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.waitForTimeout(800); // the chart animates
    await page.screenshot({ path: outFile('console-offers-report.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    const download = page.waitForEvent('download');
    await page.click('[data-test=report-export]');
    const d = await download;
    assert.match(d.suggestedFilename(), /^惠工服务统计_.*\.xlsx$/);
    const file = outFile('e2e-offers-report.xlsx');
    await d.saveAs(file);
    const wb = XLSX.readFile(file);
    assert.deepEqual(wb.SheetNames, ['汇总', '明细']);
    const rows = XLSX.utils.sheet_to_json(wb.Sheets['明细'], { header: 1 });
    const h = rows[0];
    assert.deepEqual(h, ['优惠名称', '商户', '服务人次', '服务会员数', '原价合计（元）', '工会补贴（元）', '会员支付（元）']);
    const line = rows.find((x) => x[0] === made.offerName);
    assert.deepEqual(line, [made.offerName, made.merchantName, 1, 1, 10.1, 6.56, 3.54]);
    assert.deepEqual(rows[rows.length - 1], ['合计', '', 2, 1, 14.1, 10.55, 3.55]);
    const summary = XLSX.utils.sheet_to_json(wb.Sheets['汇总'], { header: 1 });
    assert.deepEqual(summary.find((x) => x[0] === '服务人次'), ['服务人次', 2]);
  });
});

test('console 核销明细: the sales one by one (the refused one with its reason), a filter, the offer page\'s link, .xlsx export', async () => {
  await step(page, 'offers-redemptions', async () => {
    await dismissMessages(page);
    await page.locator('[data-menu=offer-redemptions]').click();
    await page.waitForURL(/\/admin\/offers\/redemptions/);
    const table = page.locator('[data-test=redemption-table]');
    const rows = table.locator('.el-table__body .el-table__row');
    // The two accepted sales and the one refused while the offer was paused, newest first.
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    const texts = await rows.allInnerTexts();
    assert.match(texts[0], new RegExp(made.offerName));
    assert.match(texts[0], /未优惠[\s\S]*优惠已暂停/);
    assert.match(texts[0], /¥5\.00/);
    assert.match(texts[1], /地铁一分钱乘车/);
    assert.match(texts[1], /¥3\.99/);
    assert.match(texts[2], /¥10\.10[\s\S]*¥6\.56[\s\S]*¥3\.54/);
    for (const text of texts) {
      assert.match(text, /李\*/, 'the member\'s name is masked');
      assert.doesNotMatch(text, /李明/);
    }

    // Only the refused one; the filter goes into the address.
    await pick(page, '[data-test=redemption-status]', '未优惠');
    await page.waitForURL(/status=refused/);
    await page.waitForFunction(() => document.querySelectorAll('[data-test=redemption-table] .el-table__body .el-table__row').length === 1);
    assert.match(await rows.first().innerText(), /优惠已暂停/);

    // From the offer's page: its own sales only.
    await page.goto(`${srv.base}/admin/offers/${made.offer.id}`);
    await page.click('[data-test=offer-redemptions]');
    await page.waitForURL(new RegExp(`offer_id=${made.offer.id}`));
    await page.locator('[data-test=redemption-offer-filter]').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=redemption-table] .el-table__body .el-table__row').length === 2);
    for (const text of await rows.allInnerTexts()) assert.match(text, new RegExp(made.offerName));
    await page.screenshot({ path: outFile('console-offers-redemptions.png') });

    const download = page.waitForEvent('download');
    await page.click('[data-test=redemption-export]');
    const d = await download;
    assert.match(d.suggestedFilename(), /^惠工核销明细_.*\.xlsx$/);
    const file = outFile('e2e-offers-redemptions.xlsx');
    await d.saveAs(file);
    const wb = XLSX.readFile(file);
    assert.deepEqual(wb.SheetNames, ['核销明细']);
    const sheet = XLSX.utils.sheet_to_json(wb.Sheets['核销明细'], { header: 1 });
    assert.deepEqual(sheet[0].slice(0, 9), ['核销时间', '商户', '优惠名称', '会员', '原价合计（元）', '工会补贴（元）', '会员支付（元）', '状态', '原因']);
    assert.equal(sheet.length, 3);
    assert.deepEqual(sheet[1].slice(1, 9), [made.merchantName, made.offerName, '李*', 5, 0, 5, '未优惠', '优惠已暂停']);
    assert.deepEqual(sheet[2].slice(1, 9), [made.merchantName, made.offerName, '李*', 10.1, 6.56, 3.54, '已优惠', '']);
  });
});

test('member H5 at 360 px: 惠工优惠 with the price text and uses left; 我的优惠记录', async () => {
  const phone = await newPage(browser, PHONE);
  try {
    await step(phone, 'offers-member', async () => {
      await memberLogin(phone, srv.base, made.member.phone);
      await phone.click('[data-test=m-offer-entry]');
      await phone.waitForURL(/\/m\/offers$/);
      const offer = (id) => phone.locator(`[data-test=m-offer][data-id="${id}"]`);
      await offer(made.demo.subway.offer).waitFor();
      const price = async (id) => (await offer(id).locator('[data-test=m-offer-price]').innerText()).trim();
      const left = async (id) => (await offer(id).locator('[data-test=m-offer-left]').innerText()).trim();
      assert.equal(await price(made.demo.subway.offer), '1分钱乘车');
      assert.equal(await price(made.demo.cinemaOffer), '免费观影');
      assert.equal(await price(made.offer.id), '3.5折');
      assert.match(await offer(made.demo.cinemaOffer).innerText(), /¥40\.00 以内免费/);
      // 4 a day, one ride taken; 2 a day, one sale taken; 2 a month, none.
      assert.equal(await left(made.demo.subway.offer), '还可用 3 次');
      assert.equal(await left(made.offer.id), '还可用 1 次');
      assert.equal(await left(made.demo.cinemaOffer), '还可用 2 次');
      assert.match(await offer(made.demo.subway.offer).innerText(), /有效期\s*至 \d{4}-\d\d-\d\d/);
      // 生活必需品四折 is for needy, rural and new-employment members: not 李明.
      assert.equal(await offer(made.demo.supermarketOffer).count(), 0);
      assert.match(await phone.locator('[data-test=m-offer-how]').innerText(), /会员码/);
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the offers page fits 360 px');
      await phone.screenshot({ path: outFile('member-offers.png'), fullPage: true });

      // The hint leads to the card's QR code.
      await phone.click('[data-test=m-offer-show-card]');
      await phone.waitForURL(/\/m\/card$/);
      await phone.locator('[data-test=card-qr]').waitFor();
      await phone.click('[data-test=m-redemptions-entry]');
      await phone.waitForURL(/\/m\/redemptions$/);
      const recs = phone.locator('[data-test=m-redemption]');
      await recs.first().waitFor();
      assert.equal(await recs.count(), 3);
      // Newest first: the refused sale (offer paused), the ride, the 3.5折 sale.
      const [refused, ride, shop] = [recs.nth(0), recs.nth(1), recs.nth(2)];
      assert.equal(await refused.getAttribute('data-status'), 'refused');
      assert.match(await refused.innerText(), /未优惠/);
      assert.match(await refused.locator('[data-test=m-redemption-reason]').innerText(), /优惠已暂停，已按原价支付/);
      assert.equal((await refused.locator('[data-test=m-redemption-paid]').innerText()).trim(), '¥5.00');
      assert.match(await ride.innerText(), /地铁一分钱乘车/);
      assert.equal((await ride.locator('[data-test=m-redemption-paid]').innerText()).trim(), '¥0.01');
      assert.match(await ride.innerText(), /¥3\.99/);
      assert.match(await shop.innerText(), new RegExp(made.offerName));
      assert.match(await shop.innerText(), new RegExp(made.merchantName));
      assert.equal((await shop.locator('[data-test=m-redemption-paid]').innerText()).trim(), '¥3.54');
      assert.match(await shop.innerText(), /已优惠/);
      assert.match(await shop.innerText(), /¥6\.56/);
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the records page fits 360 px');
      await phone.screenshot({ path: outFile('member-redemptions.png'), fullPage: true });
    });
  } finally {
    await phone.context().close();
  }
});

// Limited campaigns (docs/campaigns.md) in a real browser against the real
// server: yn_admin creates a campaign of 2 packs with the console form
// (datetime pickers, RFC 3339 with +08:00 sent); 李明 claims one on the
// member page at 360 px and sees his 12-digit pickup code in groups of four,
// a second claim is refused as already claimed, his code is listed under
// "my pickup codes"; the console detail page, left open, refreshes itself to
// claimed 1 / remaining 1 and stops asking once left.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, outFile, dumpOnFailure, horizontalOverflow, DEMO_PASSWORD } from './harness.mjs';

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
  srv = await startServer();
  browser = await launchBrowser();
  page = await newPage(browser, { width: 1280, height: 800 });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

afterEach(async (t) => {
  if (page?.pageErrors.length) {
    await dumpOnFailure(page, t.name.replace(/\W+/g, '_'));
    const errs = page.pageErrors.splice(0);
    assert.fail(`uncaught errors in the page: ${errs.join(' | ')}`);
  }
});

async function step(p, name, fn) {
  try {
    await fn();
  } catch (e) {
    await dumpOnFailure(p, `campaigns-${name}`);
    throw e;
  }
}

async function typeDateTime(scope, value) {
  const input = page.locator(`${scope} input`).first();
  await input.click();
  await input.fill(value);
  await input.press('Enter');
  await page.keyboard.press('Escape');
}

const figure = async (k) => (await page.locator(`[data-test=fig-${k}] .fig-value`).innerText()).trim();

test('console: create a campaign of 2 packs with the form, land on its detail page', async () => {
  await step(page, 'create', async () => {
    await page.goto(`${srv.base}/admin/login`);
    await page.fill('input[name=username]', 'yn_admin');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('[data-test=login-submit]');
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));
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
    await typeDateTime('[data-test=starts-at]', made.starts);
    await typeDateTime('[data-test=ends-at]', made.ends);

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
    made.campaign = await r.json();
    assert.equal(made.campaign.stock, 2);
    assert.equal(made.campaign.remaining, 2);

    await page.waitForURL(new RegExp(`/admin/campaigns/${made.campaign.id}$`));
    await page.locator('[data-test=campaign-figures]').waitFor();
    assert.equal(await figure('stock'), '2');
    assert.equal(await figure('claimed'), '0');
    assert.equal(await figure('remaining'), '2');
    await page.locator('[data-test=campaign-chart] canvas').waitFor();
    // The page stays open here: the last test watches it refresh itself.
  });
});

test('member H5 at 360 px: 李明 claims a pack, sees his code in groups; a second claim is refused', async () => {
  const phone = await newPage(browser, { width: 360, height: 740, mobile: true });
  try {
    await step(phone, 'member-claim', async () => {
      await phone.goto(`${srv.base}/m/login`);
      await phone.fill('input[name=phone]', made.member.phone);
      await phone.fill('input[name=password]', DEMO_PASSWORD);
      await phone.click('[data-test=m-login-submit]');
      await phone.waitForURL(/\/m\/card$/);
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
      assert.deepEqual(phone.pageErrors, [], 'no uncaught errors in the member pages');
    });
  } finally {
    await phone.context().close();
  }
});

test('console: the open detail page refreshes itself to claimed 1 / remaining 1, and stops when left', async () => {
  await step(page, 'stats', async () => {
    assert.match(page.url(), new RegExp(`/admin/campaigns/${made.campaign.id}$`));
    // No reload: the 5 s timer brings the new figures.
    await page.locator('[data-test=fig-claimed] .fig-value', { hasText: /^1$/ }).waitFor({ timeout: 12_000 });
    assert.equal(await figure('claimed'), '1');
    assert.equal(await figure('remaining'), '1');
    assert.equal(await figure('stock'), '2');
    assert.equal(await figure('outstanding'), '1');
    assert.equal(await figure('redeemed'), '0');
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

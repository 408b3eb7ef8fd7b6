// The member H5 pages (/m/) on a 360 px phone screen: real-name registration
// (a mismatch first, then the demo member 王芳), the masked card page, the
// profile, logging out and in again with the phone number.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, outFile, horizontalOverflow, PHONE } from './harness.mjs';

// The demo member without an account (docs/demo.md).
const WANG = { citizenId: '530102199208082467', name: '王芳', phone: '13900139000', password: 'Wangfang2026' };

let srv;
let browser;
let page;

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(PHONE));
});
after(() => stopServerAndBrowser({ srv, browser }));
afterEach((t) => failOnPageErrors(page, t));

async function fillRegister({ citizenId, name, phone, password }) {
  const form = page.locator('[data-test=m-register-form]');
  await form.locator('input[name=citizen_id]').fill(citizenId);
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=phone]').fill(phone);
  await form.locator('input[name=password]').fill(password);
  await form.locator('input[name=password2]').fill(password);
}

test('member pages need a login', async () => {
  await step(page, 'guard', async () => {
    await page.goto(`${srv.base}/m/card`);
    await page.waitForURL(/\/m\/login/);
    await page.locator('[data-test=m-login-form]').waitFor();
    assert.ok((await horizontalOverflow(page)) <= 0, 'login fits 360 px');
  });
});

test('register: a name that does not match the roster is refused', async () => {
  await step(page, 'register-mismatch', async () => {
    await page.goto(`${srv.base}/m/register`);
    await fillRegister({ ...WANG, name: '王芬' });
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register'));
    await page.click('[data-test=m-register-submit]');
    const r = await answer;
    assert.equal(r.status(), 422);
    await page.locator('[data-test=m-error]', { hasText: '与会员名册不符' }).waitFor();
    assert.match(page.url(), /\/m\/register/);
  });
});

test('register: an invalid citizen ID shows the error under the field', async () => {
  await step(page, 'register-bad-id', async () => {
    await page.goto(`${srv.base}/m/register`);
    await fillRegister({ ...WANG, citizenId: WANG.citizenId.slice(0, 17) + '1' });
    await page.click('[data-test=m-register-submit]');
    await page.locator('.van-field__error-message', { hasText: '校验码不匹配' }).waitFor();
  });
});

test('register 王芳, land on the masked card page', async () => {
  await step(page, 'register-ok', async () => {
    await page.goto(`${srv.base}/m/register`);
    await fillRegister(WANG);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register'));
    await page.click('[data-test=m-register-submit]');
    assert.equal((await answer).status(), 201);
    await page.waitForURL(/\/m\/card$/);
    const card = page.locator('[data-test=member-card]');
    await card.waitFor();
    assert.equal(await page.locator('[data-test=card-name]').innerText(), '王*');
    assert.equal(await page.locator('[data-test=card-no]').innerText(), '5301 0200 0000 0029');
    assert.match(await page.locator('[data-test=card-citizen-id]').innerText(), /530102\*{8}2467/);
    assert.equal(await page.locator('[data-test=qr-area]').getAttribute('data-card-no'), '5301020000000029');
    // Nothing in the clear anywhere on the page.
    const text = await page.locator('body').innerText();
    assert.ok(!text.includes(WANG.citizenId) && !text.includes(WANG.phone) && !text.includes(WANG.name));
    assert.ok((await horizontalOverflow(page)) <= 0, 'card page fits 360 px');
    await page.locator('.van-toast').waitFor({ state: 'hidden' });
    await page.screenshot({ path: outFile('member-registered.png') });
  });
});

test('profile shows masked data; log out and back in with the phone', async () => {
  await step(page, 'profile', async () => {
    await page.locator('.van-tabbar-item', { hasText: '我的' }).click();
    await page.waitForURL(/\/m\/profile$/);
    const profile = page.locator('[data-test=profile]');
    await profile.waitFor();
    const text = await profile.innerText();
    assert.match(text, /139\*{4}9000/);
    assert.match(text, /530102\*{8}2467/);
    assert.ok((await horizontalOverflow(page)) <= 0, 'profile fits 360 px');

    await page.click('[data-test=m-logout]');
    await page.locator('.van-dialog__confirm').click();
    await page.waitForURL(/\/m\/login/);

    // Registering again is refused: the account exists.
    await page.goto(`${srv.base}/m/register`);
    await fillRegister(WANG);
    await page.click('[data-test=m-register-submit]');
    await page.locator('[data-test=m-error]', { hasText: '已注册' }).waitFor();

    await page.goto(`${srv.base}/m/login`);
    await page.fill('input[name=phone]', WANG.phone);
    await page.fill('input[name=password]', 'wrong-password-1');
    await page.click('[data-test=m-login-submit]');
    await page.locator('[data-test=m-error]', { hasText: '手机号或密码错误' }).waitFor();
    await page.fill('input[name=password]', WANG.password);
    await page.click('[data-test=m-login-submit]');
    await page.waitForURL(/\/m\/card$/);
    await page.locator('[data-test=card-no]', { hasText: '5301 0200 0000 0029' }).waitFor();
  });
});

// The digital union card on a 360 px phone screen (docs: GET /me/card): the
// demo member 李明 logs in and his card page shows a QR code of the signed
// token the server issued him (the page's `data-token` is the token of the
// /me/card answer, the canvas holds exactly that token's QR modules, and the
// server's offline checker `gonghui card verify` accepts it with the public
// keys); the token changes after a manual refresh, when the page becomes
// visible again and on its own after `refresh_after_s`; it is never stored in
// localStorage; an inactive membership (no token, or 401) shows a message and
// no code.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  BIN, WEB, DEMO_PASSWORD, PHONE, startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, memberLogin, outFile, horizontalOverflow,
  apiLogin, apiGet, sleep,
} from './harness.mjs';

const QRCode = createRequire(path.join(WEB, 'package.json'))('qrcode');
const run = promisify(execFile);

// The demo member with an account (docs/demo.md).
const LI = { phone: '13800138000', password: DEMO_PASSWORD };
const CARD_API = '/api/v1/me/card';

let srv;
let browser;
let page;
let tmp;
let keyFile;
let cardNo; // 李明's card number, from the API

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(PHONE));
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gonghui-e2e-card-'));
  const r = await fetch(`${srv.base}/api/v1/card/public-key`);
  assert.equal(r.status, 200);
  keyFile = path.join(tmp, 'card-keys.json');
  await writeFile(keyFile, await r.text());
  const token = await apiLogin(srv.base, LI.phone, LI.password);
  const me = await apiGet(srv.base, token, '/me/card');
  assert.equal(me.status, 200);
  assert.match(me.body.token, /^GH1\./);
  cardNo = me.body.card_no;
});

after(async () => {
  await stopServerAndBrowser({ srv, browser });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});
afterEach((t) => failOnPageErrors(page, t));

// The server's offline checker, as a gate would run it.
async function verifyOffline(token) {
  const { stdout } = await run(BIN, ['card', 'verify', token, '--key', keyFile]);
  return stdout;
}

function cardResponse() {
  return page.waitForResponse((r) => new URL(r.url()).pathname === CARD_API && r.request().method() === 'GET');
}

async function shownToken() {
  return page.locator('[data-test=card-qr]').getAttribute('data-token');
}

async function waitForTokenOtherThan(old) {
  await page.waitForFunction((t) => {
    const el = document.querySelector('[data-test=card-qr]');
    return el && el.dataset.token && el.dataset.token !== t;
  }, old);
  return shownToken();
}

// Tokens are signed per second: wait until the next one differs.
async function nextSecond() {
  await sleep(1100);
}

// The dark modules of the QR canvas, read back pixel by pixel at the centre
// of each module, as a string of 0/1 rows.
async function canvasModules(size) {
  return page.locator('[data-test=card-qr] canvas').evaluate((c, n) => {
    const margin = Number(c.dataset.margin);
    const scale = c.width / (n + 2 * margin);
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const rows = [];
    for (let y = 0; y < n; y++) {
      let row = '';
      for (let x = 0; x < n; x++) {
        const cx = Math.floor((margin + x + 0.5) * scale);
        const cy = Math.floor((margin + y + 0.5) * scale);
        row += px[(cy * c.width + cx) * 4] < 128 ? '1' : '0';
      }
      rows.push(row);
    }
    return { rows, integral: Number.isInteger(scale) };
  }, size);
}

function expectedModules(token) {
  const { modules } = QRCode.create(token, { errorCorrectionLevel: 'M' });
  const rows = [];
  for (let y = 0; y < modules.size; y++) {
    let row = '';
    for (let x = 0; x < modules.size; x++) row += modules.get(y, x) ? '1' : '0';
    rows.push(row);
  }
  return { size: modules.size, rows };
}

test('李明 logs in: his card page shows the QR code of a token the offline checker accepts', async () => {
  await step(page, 'card-qr', async () => {
    const answer = cardResponse(); // the card page asks for it after the login
    await memberLogin(page, srv.base, LI.phone, LI.password);
    const res = await answer;
    assert.equal(res.status(), 200);
    assert.match(res.headers()['cache-control'] || '', /no-store/);
    const body = await res.json();
    assert.equal(body.card_no, cardNo);
    assert.equal(body.status, 'active');

    const qr = page.locator('[data-test=card-qr]');
    await qr.locator('canvas').waitFor();
    const token = await shownToken();
    assert.equal(token, body.token, 'the page shows the token the API gave it');
    assert.match(await verifyOffline(token), new RegExp(`^valid: card ${cardNo}\\b`));

    // The canvas holds exactly this token's QR code (error correction M).
    const want = expectedModules(token);
    const got = await canvasModules(want.size);
    assert.ok(got.integral, 'whole device pixels per module');
    assert.deepEqual(got.rows, want.rows, 'the QR modules on the canvas encode the token');

    const box = await qr.locator('canvas').boundingBox();
    assert.ok(box.width >= 220 && box.width <= 300 && Math.abs(box.width - box.height) < 1, `QR ${box.width}×${box.height} px`);
    assert.equal(await page.locator('[data-test=qr-card-no]').innerText(), cardNo.replace(/(.{4})(?=.)/g, '$1 '));
    assert.equal(await page.locator('[data-test=qr-name]').innerText(), body.name_masked);
    assert.match(await page.locator('[data-test=card-countdown]').innerText(), /^\d+ 秒后自动刷新$/);
    assert.equal(await page.locator('[data-test=qr-area]').getAttribute('data-card-no'), cardNo);

    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(token) && !stored.includes('GH1.'), 'the token is not stored');
    assert.ok((await horizontalOverflow(page)) <= 0, 'card page fits 360 px');
    await page.locator('.van-toast').waitFor({ state: 'hidden' });
    await page.screenshot({ path: outFile('member-card.png') });
  });
});

test('the refresh button fetches a new token', async () => {
  await step(page, 'card-refresh', async () => {
    const old = await shownToken();
    await nextSecond();
    const answer = cardResponse();
    await page.click('[data-test=card-refresh]');
    const body = await (await answer).json();
    const token = await waitForTokenOtherThan(old);
    assert.equal(token, body.token);
    assert.match(await verifyOffline(token), new RegExp(`^valid: card ${cardNo}\\b`));
    const want = expectedModules(token);
    assert.deepEqual((await canvasModules(want.size)).rows, want.rows);
  });
});

test('a new token when the page becomes visible again', async () => {
  await step(page, 'card-visible', async () => {
    const old = await shownToken();
    await nextSecond();
    const answer = cardResponse();
    await page.evaluate(() => {
      const flip = (state) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      flip('hidden');
      flip('visible');
      delete document.visibilityState;
    });
    const body = await (await answer).json();
    assert.equal(await waitForTokenOtherThan(old), body.token);
  });
});

test('the token is refreshed on its own after refresh_after_s', async () => {
  await step(page, 'card-auto', async () => {
    // The server says 50 s; the test shortens it to 3 s in the answer.
    await page.route(`**${CARD_API}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      await route.fulfill({ response: res, json: { ...body, refresh_after_s: 3 } });
    });
    try {
      const before = await shownToken();
      await nextSecond();
      const first = cardResponse();
      await page.click('[data-test=card-refresh]');
      await first;
      const old = await waitForTokenOtherThan(before);
      await page.locator('[data-test=card-countdown]', { hasText: /^[123] 秒后自动刷新$/ }).waitFor();
      const answer = cardResponse(); // nobody clicks
      const body = await (await answer).json();
      assert.equal(await waitForTokenOtherThan(old), body.token);
      assert.match(await verifyOffline(body.token), new RegExp(`^valid: card ${cardNo}\\b`));
    } finally {
      await page.unroute(`**${CARD_API}`);
    }
  });
});

test('an inactive membership shows a message and no QR code', async () => {
  await step(page, 'card-inactive', async () => {
    // No token: the membership is not active.
    await page.route(`**${CARD_API}`, (route) =>
      route.fulfill({ json: { card_no: cardNo, physical_card_no: null, name_masked: '李*', status: 'suspended', token: null } }),
    );
    await page.reload();
    const inactive = page.locator('[data-test=card-inactive]');
    await inactive.waitFor();
    assert.match(await inactive.innerText(), /会籍已暂停，电子会员卡暂不可用/);
    assert.equal(await page.locator('[data-test=qr-area] canvas').count(), 0);
    assert.equal(await page.locator('[data-token]').count(), 0);
    assert.ok((await horizontalOverflow(page)) <= 0, 'fits 360 px');
    await page.unroute(`**${CARD_API}`);

    // Check again: active, the code is back.
    await page.click('[data-test=card-recheck]');
    await page.locator('[data-test=card-qr] canvas').waitFor();

    // A 401 on a refresh (sessions end with the membership): the code goes,
    // the page stays.
    await page.route(`**${CARD_API}`, (route) =>
      route.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ status: 401, code: 'auth.invalid_token', title: 'Unauthorized' }) }),
    );
    await page.click('[data-test=card-refresh]');
    await inactive.waitFor();
    assert.equal(await page.locator('[data-test=qr-area] canvas').count(), 0);
    assert.match(page.url(), /\/m\/card$/);
    await page.unroute(`**${CARD_API}`);

    // The same in English.
    await page.evaluate(() => localStorage.setItem('gh_lang', 'en'));
    await page.route(`**${CARD_API}`, (route) => route.fulfill({ json: { card_no: cardNo, name_masked: '李*', status: 'suspended', token: null } }));
    await page.reload();
    await page.locator('[data-test=card-inactive]', { hasText: 'Your membership is suspended' }).waitFor();
    await page.unroute(`**${CARD_API}`);
    await page.click('[data-test=card-recheck]');
    await page.locator('[data-test=card-qr] canvas').waitFor();
    assert.match(await page.locator('[data-test=card-countdown]').innerText(), /^Refreshes in \d+ s$/);
    await page.evaluate(() => localStorage.removeItem('gh_lang'));
  });
});

test('leaving the card page stops the refreshes', async () => {
  await step(page, 'card-leave', async () => {
    await page.locator('.van-tabbar-item', { hasText: /我的|Me/ }).click();
    await page.waitForURL(/\/m\/profile$/);
    let calls = 0;
    const count = (r) => {
      if (new URL(r.url()).pathname === CARD_API) calls++;
    };
    page.on('request', count);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
      delete document.visibilityState;
    });
    await sleep(1500);
    page.off('request', count);
    assert.equal(calls, 0, 'no card requests from the profile page');
  });
});

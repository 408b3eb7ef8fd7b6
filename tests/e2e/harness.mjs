// End-to-end harness: the real `gonghui serve` binary on a free port with a
// fresh store and the demo data, serving the built web app (web/dist), driven
// by Debian's Chromium through playwright-core.
//
//   GONGHUI_BIN            the server binary (default /work/main/build/gonghui)
//   GONGHUI_E2E_WEB_ROOT   the built web app (default <repo>/web/dist)
//   GONGHUI_E2E_CHROMIUM   the browser (default /usr/bin/chromium)
//   GONGHUI_E2E_OUT        screenshots and failure dumps (default <repo>/tests/out)
//   GONGHUI_E2E_HEADED=1   show the browser (needs a display)
//
// Besides the server and the browser it holds what every test file needs:
// the before/after fixture, step() with its failure screenshots, the check
// for uncaught page errors, console and member logins, a few Element Plus
// form helpers, JSON API calls and signed terminal requests.
//
// playwright-core and xlsx are devDependencies of web/ (web/package.json), so
// they are loaded from web/node_modules: run `npm ci` in web/ first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const WEB = path.join(REPO, 'web');
export const BIN = process.env.GONGHUI_BIN || '/work/main/build/gonghui';
export const WEB_ROOT = process.env.GONGHUI_E2E_WEB_ROOT || path.join(WEB, 'dist');
export const CHROMIUM = process.env.GONGHUI_E2E_CHROMIUM || '/usr/bin/chromium';
export const OUT = process.env.GONGHUI_E2E_OUT || path.join(REPO, 'tests', 'out');
export const ADMIN_PASSWORD = 'AdminPw2026x';
export const DEMO_PASSWORD = 'Demo@2026';

// The two screens the tests use (newPage options): the console at 1280 × 800
// and the member pages on a 360 px phone.
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740, mobile: true };

const webRequire = createRequire(path.join(WEB, 'package.json'));
export const { chromium } = webRequire('playwright-core');
export const XLSX = webRequire('xlsx');

export function outFile(name) {
  mkdirSync(OUT, { recursive: true });
  return path.join(OUT, name);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startServer() {
  if (!existsSync(BIN)) throw new Error(`no server binary at ${BIN} (set GONGHUI_BIN)`);
  if (!existsSync(path.join(WEB_ROOT, 'admin', 'index.html')) || !existsSync(path.join(WEB_ROOT, 'm', 'index.html')))
    throw new Error(`no built web app in ${WEB_ROOT}: run "npm ci && npx vite build" in web/ first`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gonghui-e2e-'));
  const env = { ...process.env };
  for (const k of ['GONGHUI_DB', 'GONGHUI_ADMIN_PASSWORD', 'GONGHUI_WEB_ROOT', 'GONGHUI_KEYS_FILE']) delete env[k];
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['serve', '--port', String(port), '--data-dir', dataDir, '--demo', '--admin-password', ADMIN_PASSWORD, '--web-root', WEB_ROOT];
    const proc = spawn(BIN, args, { env, cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let exited = null;
    proc.stdout.on('data', (c) => (out = (out + c).slice(-20000)));
    proc.stderr.on('data', (c) => (out = (out + c).slice(-20000)));
    proc.on('exit', (code, signal) => (exited = { code, signal }));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !exited) {
      try {
        const r = await fetch(base + '/healthz');
        if (r.ok) {
          return {
            base,
            dataDir,
            output: () => out,
            async stop() {
              if (!exited) {
                proc.kill('SIGTERM');
                for (let i = 0; i < 100 && !exited; i++) await sleep(50);
                if (!exited) proc.kill('SIGKILL');
              }
              if (!process.env.GONGHUI_E2E_KEEP) await rm(dataDir, { recursive: true, force: true });
            },
          };
        }
      } catch {
        /* not up yet */
      }
      await sleep(100);
    }
    if (!exited) proc.kill('SIGKILL');
    lastError = new Error(`gonghui did not start (${JSON.stringify(exited)}): ${out.slice(-3000)}`);
    if (!/address|in use|bind/i.test(out)) break;
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.env.GONGHUI_E2E_HEADED,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

// A page that fails the test on uncaught page errors; console errors are
// collected for the failure message.
export async function newPage(browser, { width, height, mobile = false } = {}) {
  const ctx = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  page.pageErrors = [];
  page.consoleErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') page.consoleErrors.push(m.text());
  });
  return page;
}

// Saves a screenshot of a failing page next to the others.
export async function dumpOnFailure(page, name) {
  try {
    await page.screenshot({ path: outFile(`FAILED-${name}.png`), fullPage: true });
  } catch {
    /* page gone */
  }
}

// A test file's fixture, for before(): the server, the browser and a first
// page (newPage options). If one of them fails to start, the others stop.
export async function startServerAndBrowser(pageOptions) {
  const srv = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    return { srv, browser, page: await newPage(browser, pageOptions) };
  } catch (e) {
    await browser?.close();
    await srv.stop();
    throw e;
  }
}

// For after(): stops what startServerAndBrowser started (either may be unset).
export async function stopServerAndBrowser({ srv, browser }) {
  await browser?.close();
  await srv?.stop();
}

// Fails with the page's uncaught errors since the last check, and forgets
// them, so that one error fails one test and not every later one.
function assertNoPageErrors(page) {
  const errs = page.pageErrors.splice(0);
  if (errs.length) assert.fail(`uncaught errors in the page: ${errs.join(' | ')}`);
}

// One named part of a test on `page`. If it throws, or the page had an
// uncaught error meanwhile, the test fails and FAILED-<name>.png shows the page.
export async function step(page, name, fn) {
  try {
    await fn();
    assertNoPageErrors(page);
  } catch (e) {
    await dumpOnFailure(page, name);
    throw e;
  }
}

// For afterEach((t) => failOnPageErrors(page, t)): fails the test just run if
// the file's page had an uncaught error outside a step (say, from a timer while
// the test used another page); FAILED-<test name>.png shows the page.
export async function failOnPageErrors(page, t) {
  if (!page?.pageErrors.length) return;
  await dumpOnFailure(page, t.name.replace(/\W+/g, '_'));
  assertNoPageErrors(page);
}

// Logs a staff user into the console (/admin/) and waits for the user menu.
export async function consoleLogin(page, base, username, password = DEMO_PASSWORD) {
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  await page.waitForSelector('[data-test=user-menu]');
}

// Logs the console user out through the user menu.
export async function consoleLogout(page) {
  await page.click('[data-test=user-menu]');
  await page.click('[data-test=logout]');
  await page.waitForURL(/\/admin\/login/);
}

// Logs a member into the member pages (/m/) with the phone number; they land
// on the card page.
export async function memberLogin(page, base, phone, password = DEMO_PASSWORD) {
  await page.goto(`${base}/m/login`);
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', password);
  await page.click('[data-test=m-login-submit]');
  await page.waitForURL(/\/m\/card$/);
}

// Types into an Element Plus date or date-time picker (a range: one value per
// input) and confirms.
export async function typeDate(page, scope, ...values) {
  const inputs = page.locator(`${scope} input`);
  for (let i = 0; i < values.length; i++) {
    await inputs.nth(i).click();
    await inputs.nth(i).fill(values[i]);
    await inputs.nth(i).press('Enter');
  }
  await page.keyboard.press('Escape');
}

// Picks an option of a plain Element Plus select.
export async function pick(page, scope, optionText) {
  await page.locator(`${scope} .el-select__wrapper`).first().click();
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first();
  await option.waitFor();
  await option.click();
}

// Picks an option of a remote-search select by typing part of its label.
export async function pickRemote(page, scope, text, optionText = text) {
  await page.locator(`${scope} .el-select`).first().click();
  await page.keyboard.type(text);
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first();
  await option.waitFor();
  await option.click();
}

// Waits (up to 6 s) for the toast messages to go, before a screenshot or a click
// they would cover.
export async function dismissMessages(page) {
  await page.locator('.el-message').first().waitFor({ state: 'hidden', timeout: 6000 }).catch(() => {});
}

// The value of a figure card (data-test=fig-<key>) on a detail or report page.
export async function figure(page, key) {
  return (await page.locator(`[data-test=fig-${key}] .fig-value`).innerText()).trim();
}

// JSON API calls for setup and checks (not what the tests are about).
export async function apiLogin(base, username, password) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

export async function apiGet(base, token, p) {
  const r = await fetch(`${base}/api/v1${p}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// POSTs `body` as JSON (token null: without one), with any extra headers.
export async function apiPost(base, token, p, body, headers = {}) {
  const r = await fetch(`${base}/api/v1${p}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// A POST signed as the terminal { id, secret } (docs/terminals.md §2):
// HMAC-SHA256, keyed with the 32 bytes the secret's hex encodes, over the
// five-line canonical string. `payload` is sent as JSON (none: an empty body).
export async function terminalPost(base, { id, secret }, p, payload) {
  const target = `/api/v1${p}`;
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('base64url');
  const canonical = ['POST', target, timestamp, nonce, createHash('sha256').update(body).digest('hex')].join('\n');
  const r = await fetch(base + target, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Terminal-Id': String(id),
      'X-Timestamp': timestamp,
      'X-Nonce': nonce,
      'X-Signature': createHmac('sha256', Buffer.from(secret, 'hex')).update(canonical).digest('hex'),
    },
    body,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// The page has no horizontal scrollbar at its viewport width.
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

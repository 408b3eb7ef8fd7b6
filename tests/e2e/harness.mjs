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
// playwright-core and xlsx are devDependencies of web/ (web/package.json), so
// they are loaded from web/node_modules: run `npm ci` in web/ first.
import { spawn } from 'node:child_process';
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

// The page has no horizontal scrollbar at its viewport width.
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

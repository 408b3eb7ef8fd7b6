// Terminals (终端管理, docs/terminals.md) in a real browser against the real
// server: km_manager (org_manager, terminal.write) opens 终端管理, registers a
// vending machine with the console dialog, reads the one-time secret from the
// page (the copy button puts the same text on the clipboard; the secret is
// gone once the dialog is closed), proves it with a signed
// POST /terminal/ping (200), disables the machine from the list after a
// confirmation and the same kind of signed request then gets 401
// terminal.unknown. yn_reviewer (no terminal.write) has no menu entry.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { startServer, launchBrowser, newPage, outFile, dumpOnFailure, apiLogin, apiGet, DEMO_PASSWORD } from './harness.mjs';

let srv;
let browser;
let page;
const made = { name: `E2E 五华区 1号售货机 ${Date.now() % 100000}` };

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  page = await newPage(browser, { width: 1280, height: 800 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
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

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    await dumpOnFailure(page, `terminals-${name}`);
    throw e;
  }
}

// A signed terminal request (docs/terminals.md §2): HMAC-SHA256 with the
// 32 bytes the secret's hex encodes, over the five-line canonical string.
async function ping(id, secretHex) {
  const target = '/api/v1/terminal/ping';
  const body = '';
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('base64url');
  const canonical = ['POST', target, timestamp, nonce, createHash('sha256').update(body).digest('hex')].join('\n');
  const r = await fetch(srv.base + target, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Terminal-Id': String(id),
      'X-Timestamp': timestamp,
      'X-Nonce': nonce,
      'X-Signature': createHmac('sha256', Buffer.from(secretHex, 'hex')).update(canonical).digest('hex'),
    },
    body,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

async function login(username) {
  await page.goto(`${srv.base}/admin/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  await page.waitForSelector('[data-test=user-menu]');
}

const dialog = () => page.locator('.el-dialog', { hasText: '终端' }).filter({ visible: true });

test('console: km_manager registers a vending machine, its one-time secret signs a request, then disables it', async () => {
  await step('register', async () => {
    await login('km_manager');
    await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).click();
    await page.locator('[data-menu=terminals]', { hasText: '终端管理' }).click();
    await page.waitForURL(/\/admin\/terminals$/);
    await page.locator('[data-test=terminal-table]').waitFor();

    await page.click('[data-test=terminal-add]');
    const dlg = dialog();
    await dlg.locator('[data-test=terminal-form]').waitFor();
    // The form's own check first: name and kind are required.
    await page.click('[data-test=terminal-save]');
    await dlg.locator('[data-test=form-error]').waitFor();
    await dlg.locator('.el-form-item', { hasText: '终端名称' }).locator('.el-form-item__error', { hasText: '必填' }).waitFor();
    await dlg.locator('.el-form-item', { hasText: '类型' }).locator('.el-form-item__error', { hasText: '必填' }).waitFor();

    await dlg.locator('input[name=terminal-name]').fill(made.name);
    await dlg.locator('[data-test=terminal-kind] .el-select__wrapper').first().click();
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: '自动售货机' }).first();
    await option.waitFor();
    await option.click();
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/terminals') && r.request().method() === 'POST'),
      page.click('[data-test=terminal-save]'),
    ]);
    assert.equal(resp.status(), 201);
    assert.equal(resp.headers()['cache-control'], 'no-store');
    const sent = resp.request().postDataJSON();
    assert.deepEqual({ name: sent.name, kind: sent.kind, org_id: sent.org_id }, { name: made.name, kind: 'vending_machine', org_id: 3 });

    // The one-time box: id, secret, copy button and the warning.
    const box = dlg.locator('[data-test=terminal-secret-box]');
    await box.waitFor();
    assert.match(await box.innerText(), /密钥只显示这一次/);
    assert.match(await box.innerText(), /无法再次查看/);
    made.id = Number((await box.locator('[data-test=terminal-created-id]').innerText()).trim());
    made.secret = (await box.locator('[data-test=terminal-secret]').innerText()).trim();
    assert.ok(made.id > 0);
    assert.match(made.secret, /^[0-9a-f]{64}$/);
    await box.locator('[data-test=terminal-copy]').click();
    await page.locator('.el-message', { hasText: '密钥已复制' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), made.secret);
    await page.screenshot({ path: outFile('console-terminal-secret.png') });

    // 完成 only once the clerk says the secret is saved; then it is gone.
    assert.ok(await page.locator('[data-test=terminal-done]').isDisabled());
    await box.locator('[data-test=terminal-saved]').click();
    await page.click('[data-test=terminal-done]');
    await box.waitFor({ state: 'hidden' });
    assert.equal(await page.locator(`text=${made.secret}`).count(), 0);

    // In the list: kind in Chinese, org, status.
    const row = page.locator('[data-test=terminal-table] .el-table__row', { hasText: made.name });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /自动售货机/);
    assert.match(text, /昆明市总工会/);
    assert.match(text, /正常/);
  });

  await step('signed-ok', async () => {
    const r = await ping(made.id, made.secret);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.terminal_id, made.id);
    assert.equal(r.body.name, made.name);
  });

  await step('disable', async () => {
    // Cancel first: nothing changes.
    await page.click(`[data-test=terminal-disable-${made.id}]`);
    await page.locator('.el-message-box', { hasText: made.name }).waitFor();
    await page.locator('.el-message-box__btns .el-button', { hasText: '取消' }).click();
    await page.locator('.el-message-box').waitFor({ state: 'hidden' });
    assert.equal((await ping(made.id, made.secret)).status, 200);

    await page.click(`[data-test=terminal-disable-${made.id}]`);
    const box = page.locator('.el-message-box', { hasText: made.name });
    await box.waitFor();
    assert.match(await box.innerText(), /不能恢复/);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/terminals/${made.id}/disable`)),
      page.locator('.el-message-box__btns .el-button--primary').click(),
    ]);
    assert.equal(resp.status(), 200);
    await page.locator(`[data-test=terminal-status-${made.id}]`, { hasText: '已停用' }).waitFor();
    assert.equal(await page.locator(`[data-test=terminal-disable-${made.id}]`).count(), 0);
  });

  await step('signed-refused', async () => {
    const r = await ping(made.id, made.secret);
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.code, 'terminal.unknown', JSON.stringify(r.body));
    const token = await apiLogin(srv.base, 'km_manager', DEMO_PASSWORD);
    const list = await apiGet(srv.base, token, '/terminals?page_size=100');
    const t = list.body.items.find((x) => x.id === made.id);
    assert.equal(t.status, 'disabled');
    assert.equal(t.secret, undefined);
  });
});

test('console: no 终端管理 entry without terminal.write', async () => {
  await step('no-perm', async () => {
    await page.context().close();
    page = await newPage(browser, { width: 1280, height: 800 });
    await login('yn_reviewer');
    await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).click();
    await page.locator('[data-menu=roles]').waitFor();
    assert.equal(await page.locator('[data-menu=terminals]').count(), 0);
    await page.goto(`${srv.base}/admin/terminals`);
    await page.waitForURL(/\/admin\/forbidden$/);
  });
});

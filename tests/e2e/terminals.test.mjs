// Terminals (终端管理, docs/terminals.md) in a real browser against the real
// server: km_manager (org_manager, terminal.write) opens 终端管理, registers a
// vending machine with the console dialog, reads the one-time secret from the
// page (the copy button puts the same text on the clipboard; the secret is
// gone once the dialog is closed), proves it with a signed
// POST /terminal/ping (200), disables the machine from the list after a
// confirmation and the same kind of signed request then gets 401
// terminal.unknown; enables it again (the old secret works again), then gives
// it a new secret (confirmation, the one-time dialog): the old secret gets
// 401 terminal.signature, the new one 200. yn_reviewer (no terminal.write)
// has no menu entry.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, newPage, consoleLogin, pick, apiLogin, apiGet, terminalPost, outFile,
  DESKTOP, DEMO_PASSWORD,
} from './harness.mjs';

let srv;
let browser;
let page;
const made = { name: `E2E 五华区 1号售货机 ${Date.now() % 100000}` };

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(DESKTOP));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
});

after(() => stopServerAndBrowser({ srv, browser }));
afterEach((t) => failOnPageErrors(page, t));

// A signed terminal request with an empty body (docs/terminals.md §2).
const ping = (id, secret) => terminalPost(srv.base, { id, secret }, '/terminal/ping');

const dialog = () => page.locator('.el-dialog', { hasText: '终端' }).filter({ visible: true });

test('console: km_manager registers a vending machine, its one-time secret signs a request, then disables it', async () => {
  await step(page, 'terminals-register', async () => {
    await consoleLogin(page, srv.base, 'km_manager');
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
    await pick(page, '[data-test=terminal-kind]', '自动售货机');
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

  await step(page, 'terminals-signed-ok', async () => {
    assert.equal(await page.locator(`[data-test=terminal-seen-${made.id}]`).innerText(), '尚未通信');
    const r = await ping(made.id, made.secret);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.terminal_id, made.id);
    assert.equal(r.body.name, made.name);
    // The list shows when it was last heard from (written behind the answer).
    for (let i = 0; i < 20; i++) {
      await page.locator('.toolbar .el-button.is-circle').click();
      await page.waitForTimeout(150);
      if ((await page.locator(`[data-test=terminal-seen-${made.id}]`).innerText()) !== '尚未通信') break;
    }
    assert.match(await page.locator(`[data-test=terminal-seen-${made.id}]`).innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  });

  await step(page, 'terminals-disable', async () => {
    // Cancel first: nothing changes.
    await page.click(`[data-test=terminal-disable-${made.id}]`);
    await page.locator('.el-message-box', { hasText: made.name }).waitFor();
    await page.locator('.el-message-box__btns .el-button', { hasText: '取消' }).click();
    await page.locator('.el-message-box').waitFor({ state: 'hidden' });
    assert.equal((await ping(made.id, made.secret)).status, 200);

    await page.click(`[data-test=terminal-disable-${made.id}]`);
    const box = page.locator('.el-message-box', { hasText: made.name });
    await box.waitFor();
    assert.match(await box.innerText(), /直到重新启用/);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/terminals/${made.id}/disable`)),
      page.locator('.el-message-box__btns .el-button--primary').click(),
    ]);
    assert.equal(resp.status(), 200);
    await page.locator(`[data-test=terminal-status-${made.id}]`, { hasText: '已停用' }).waitFor();
    assert.equal(await page.locator(`[data-test=terminal-disable-${made.id}]`).count(), 0);
  });

  await step(page, 'terminals-signed-refused', async () => {
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

test('console: the disabled machine is enabled again, then given a new secret that replaces the old one', async () => {
  await step(page, 'terminals-enable', async () => {
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/terminals/${made.id}/enable`)),
      page.click(`[data-test=terminal-enable-${made.id}]`),
    ]);
    assert.equal(resp.status(), 200);
    await page.locator('.el-message', { hasText: `已启用 ${made.name}` }).waitFor();
    await page.locator(`[data-test=terminal-status-${made.id}]`, { hasText: '正常' }).waitFor();
    await page.locator(`[data-test=terminal-disable-${made.id}]`).waitFor();
    const r = await ping(made.id, made.secret);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  await step(page, 'terminals-rekey', async () => {
    // Cancel first: the secret stays.
    await page.click(`[data-test=terminal-rekey-${made.id}]`);
    await page.locator('.el-message-box', { hasText: made.name }).waitFor();
    await page.locator('.el-message-box__btns .el-button', { hasText: '取消' }).click();
    await page.locator('.el-message-box').waitFor({ state: 'hidden' });
    assert.equal((await ping(made.id, made.secret)).status, 200);

    await page.click(`[data-test=terminal-rekey-${made.id}]`);
    const confirm = page.locator('.el-message-box', { hasText: made.name });
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /旧密钥立即失效/);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/terminals/${made.id}/secret`)),
      page.locator('.el-message-box__btns .el-button--primary').click(),
    ]);
    assert.equal(resp.status(), 200);
    assert.equal(resp.headers()['cache-control'], 'no-store');
    const dlg = dialog();
    await dlg.locator('.el-dialog__title', { hasText: '已更换密钥' }).waitFor();
    const box = dlg.locator('[data-test=terminal-secret-box]');
    assert.equal(Number((await box.locator('[data-test=terminal-created-id]').innerText()).trim()), made.id);
    const fresh = (await box.locator('[data-test=terminal-secret]').innerText()).trim();
    assert.match(fresh, /^[0-9a-f]{64}$/);
    assert.notEqual(fresh, made.secret);
    assert.ok(await page.locator('[data-test=terminal-done]').isDisabled());
    await box.locator('[data-test=terminal-saved]').click();
    await page.click('[data-test=terminal-done]');
    await box.waitFor({ state: 'hidden' });
    assert.equal(await page.locator(`text=${fresh}`).count(), 0);

    const old = await ping(made.id, made.secret);
    assert.equal(old.status, 401, JSON.stringify(old.body));
    assert.equal(old.body.code, 'terminal.signature');
    const now = await ping(made.id, fresh);
    assert.equal(now.status, 200, JSON.stringify(now.body));
    await page.locator(`[data-test=terminal-status-${made.id}]`, { hasText: '正常' }).waitFor();
  });
});

test('console: no 终端管理 entry without terminal.write', async () => {
  await page.context().close();
  page = await newPage(browser, DESKTOP);
  await step(page, 'terminals-no-perm', async () => {
    await consoleLogin(page, srv.base, 'yn_reviewer');
    await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).click();
    await page.locator('[data-menu=roles]').waitFor();
    assert.equal(await page.locator('[data-menu=terminals]').count(), 0);
    await page.goto(`${srv.base}/admin/terminals`);
    await page.waitForURL(/\/admin\/forbidden$/);
  });
});

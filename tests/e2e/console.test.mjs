// The staff console (/admin/) in a real browser against the real server:
// lockout message, org and unit creation, a member with an invalid then a
// valid citizen ID, reveal, an .xlsx import with one bad row, export, and
// data scope (another county's officer cannot see the member).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, consoleLogin, consoleLogout, pickRemote, dismissMessages,
  outFile, apiLogin, apiGet, horizontalOverflow, XLSX, DESKTOP, DEMO_PASSWORD,
} from './harness.mjs';
import { makeCitizenId, withBadChecksum, freshCreditCode, maskOf } from '../api/gen.mjs';

let srv;
let browser;
let page;

// What the steps create, shared along the file.
const made = {
  orgName: `E2E测试${Date.now() % 100000}工会委员会`,
  unitName: `E2E测试${Date.now() % 100000}科技有限公司`,
  creditCode: freshCreditCode('530102'),
  memberName: '测试甲',
  memberId: makeCitizenId('530102', '1991-04-05', 517),
  phone: '13712345678',
};

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(DESKTOP));
});
after(() => stopServerAndBrowser({ srv, browser }));
afterEach((t) => failOnPageErrors(page, t));

// Opens an org-tree node's children and returns the node row of `orgId`.
async function treeNode(orgId) {
  const row = page.locator(`[data-test=org-tree] .el-tree-node__content:has([data-org-id="${orgId}"])`).first();
  await row.waitFor();
  return row;
}

async function expand(orgId) {
  const row = await treeNode(orgId);
  const icon = row.locator('.el-tree-node__expand-icon');
  if (!(await icon.evaluate((el) => el.classList.contains('expanded')))) await icon.click();
}

test('login: wrong passwords end in the lockout message', async () => {
  await step(page, 'lockout', async () => {
    await page.goto(`${srv.base}/admin/login`);
    for (let i = 1; i <= 5; i++) {
      await page.fill('input[name=username]', 'yn_reviewer');
      await page.fill('input[name=password]', `wrong-password-${i}`);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await page.click('[data-test=login-submit]');
      const r = await answer;
      const err = page.locator('[data-test=login-error]');
      if (i < 5) {
        assert.equal(r.status(), 401);
        await err.filter({ hasText: '用户名或密码错误' }).waitFor();
      } else {
        assert.equal(r.status(), 423);
        await err.filter({ hasText: '账户已被锁定' }).waitFor();
        await err.filter({ hasText: '15 分钟' }).waitFor();
      }
    }
    // Locked: even the right password is refused with the same message.
    await page.fill('input[name=username]', 'yn_reviewer');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('[data-test=login-submit]');
    await page.locator('[data-test=login-error]', { hasText: '账户已被锁定' }).waitFor();
    assert.match(page.url(), /\/admin\/login/);
  });
});

test('console home: menu follows permissions, dashboard counts, screenshot', async () => {
  await step(page, 'home', async () => {
    await consoleLogin(page, srv.base, 'km_manager');
    await page.locator('[data-test=stat-members]', { hasText: '800' }).waitFor();
    await page.locator('[data-test=stat-units]', { hasText: '8' }).waitFor();
    // org_manager: staff accounts yes, audit log no.
    await page.locator('.el-sub-menu', { hasText: '系统管理' }).click();
    await page.locator('[data-menu=staff]').waitFor();
    assert.equal(await page.locator('[data-menu=audit]').count(), 0);
    // Charts drawn (ECharts renders into canvas).
    await page.locator('[data-test=home] canvas').first().waitFor();
    await dismissMessages(page);
    assert.ok((await horizontalOverflow(page)) <= 0, 'no horizontal scrolling at 1280 px');
    // The console scrolls inside its main area: a taller window shows the whole dashboard.
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.waitForTimeout(1000); // charts resize and animate
    await page.screenshot({ path: outFile('console-home.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

test('orgs: create a grassroots union under 五华区总工会', async () => {
  await step(page, 'org', async () => {
    await page.goto(`${srv.base}/admin/orgs`);
    await (await treeNode(4)).click(); // 五华区总工会 (id 4 in a fresh demo store)
    await page.click('[data-test=org-add]');
    const dlg = page.locator('[data-test=org-dialog]');
    await dlg.locator('input[name=org-name]').fill(made.orgName);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/orgs') && r.request().method() === 'POST');
    await page.click('[data-test=org-save]');
    const r = await created;
    assert.equal(r.status(), 201, await r.text());
    made.orgId = (await r.json()).id;
    await page.locator('[data-test=org-table]', { hasText: made.orgName }).waitFor();
  });
});

test('units: create a unit in the new union (credit code checked by the server)', async () => {
  await step(page, 'unit', async () => {
    await page.goto(`${srv.base}/admin/units`);
    await expand(4);
    await (await treeNode(made.orgId)).click();
    await page.click('[data-test=unit-add]');
    const dlg = page.locator('[data-test=unit-dialog]');
    await dlg.locator('input[name=unit-name]').fill(made.unitName);
    // A wrong check character first: the error shows under the field.
    const bad = made.creditCode.slice(0, 17) + (made.creditCode[17] === '0' ? '1' : '0');
    await dlg.locator('input[name=credit-code]').fill(bad);
    await page.click('[data-test=unit-save]');
    await dlg.locator('.el-form-item.is-error', { hasText: '统一社会信用代码' }).locator('.el-form-item__error').waitFor();
    await dlg.locator('input[name=credit-code]').fill(made.creditCode);
    assert.equal(await dlg.locator('input[name=region-code]').inputValue(), '530102');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/units') && r.request().method() === 'POST');
    await page.click('[data-test=unit-save]');
    const r = await created;
    assert.equal(r.status(), 201, await r.text());
    made.unitId = (await r.json()).id;
    await page.locator('[data-test=unit-table]', { hasText: made.unitName }).waitFor();
  });
});

test('members: invalid citizen ID shows the field error, a valid one creates the member', async () => {
  await step(page, 'member', async () => {
    await page.goto(`${srv.base}/admin/members`);
    await page.click('[data-test=member-add]');
    await page.waitForURL(/\/admin\/members\/new/);
    const form = page.locator('[data-test=member-form]');
    await form.locator('input[name=name]').fill(made.memberName);
    await form.locator('input[name=citizen_id]').fill(withBadChecksum(made.memberId));
    await form.locator('input[name=phone]').fill(made.phone);
    await pickRemote(page, '[data-field=unit_id]', made.unitName.slice(0, 8));

    let answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/members') && r.request().method() === 'POST');
    await page.click('[data-test=member-save]');
    assert.equal((await answer).status(), 422);
    const idError = form.locator('[data-field=citizen_id] .el-form-item__error');
    await idError.waitFor();
    assert.match(await idError.innerText(), /校验码不匹配/);
    assert.match(page.url(), /\/members\/new/);

    await form.locator('input[name=citizen_id]').fill(made.memberId);
    await idError.waitFor({ state: 'detached' });
    answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/members') && r.request().method() === 'POST');
    await page.click('[data-test=member-save]');
    const r = await answer;
    assert.equal(r.status(), 201, await r.text());
    made.member = await r.json();
    await page.waitForURL(new RegExp(`/admin/members/${made.member.id}$`));
    await page.locator('[data-test=member-name]', { hasText: made.memberName }).waitFor();
    assert.equal(await page.locator('[data-test=citizen-id]').innerText(), maskOf(made.memberId));
  });
});

test('members: reveal with a reason shows the full ID (audited)', async () => {
  await step(page, 'reveal', async () => {
    await page.click('[data-test=reveal-open]');
    await page.locator('textarea[data-test=reveal-reason]').fill('核对困难职工申报材料');
    const answer = page.waitForResponse((r) => r.url().endsWith('/reveal'));
    await page.click('[data-test=reveal-submit]');
    assert.equal((await answer).status(), 200);
    await page.locator('[data-test=citizen-id]', { hasText: made.memberId }).waitFor();
    // The reveal is in the audit trail.
    const token = await apiLogin(srv.base, 'yn_auditor', DEMO_PASSWORD);
    const audit = await apiGet(srv.base, token, `/audit?action=member.reveal&object_id=${made.member.id}`);
    assert.equal(audit.status, 200);
    assert.equal(audit.body.total, 1);
  });
});

test('import: an .xlsx with one bad row reports it and imports the others', async () => {
  await step(page, 'import', async () => {
    const ids = [makeCitizenId('530102', '1985-02-03', 211), makeCitizenId('530102', '1987-06-07', 322), makeCitizenId('530102', '1993-10-11', 433)];
    const header = ['姓名*', '身份证号*', '手机号*', '单位ID', '户籍类型*', '就业形态*', '就业状态*', '民族', '学历'];
    const rows = [
      ['导入甲', ids[0], '13600000001', made.unitId, '城镇', '标准劳动关系', '在职', '汉族', '本科'],
      ['导入乙', withBadChecksum(ids[1]), '13600000002', made.unitId, '农村', '快递员', '在职', '彝族', '大专'],
      ['导入丙', ids[2], '13600000003', made.unitId, 'urban', 'delivery_rider', 'in_service', '01', '20'],
    ];
    const ws = XLSX.utils.aoa_to_sheet([header, ...rows]);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '会员名册');
    const file = outFile('e2e-import.xlsx');
    XLSX.writeFile(wb, file);

    await page.goto(`${srv.base}/admin/members/import`);
    // The template: the roster sheet's header row and the help sheet.
    const tpl = page.waitForEvent('download');
    await page.locator('button', { hasText: '下载导入模板' }).click();
    const tplFile = outFile('e2e-template.xlsx');
    await (await tpl).saveAs(tplFile);
    const tplBook = XLSX.readFile(tplFile);
    assert.deepEqual(tplBook.SheetNames, ['会员名册', '填写说明']);
    const tplHeader = XLSX.utils.sheet_to_json(tplBook.Sheets['会员名册'], { header: 1 })[0];
    assert.deepEqual(tplHeader.slice(0, 7), ['姓名*', '身份证号*', '手机号*', '单位ID', '户籍类型*', '就业形态*', '就业状态*']);

    await page.setInputFiles('[data-test=import-upload] input[type=file]', file);
    await page.locator('[data-test=import-preview]', { hasText: '导入乙' }).waitFor();
    await page.click('[data-test=import-validate]');
    const summary = page.locator('[data-test=import-summary]');
    await summary.waitFor();
    assert.match(await summary.innerText(), /共 3 行：2 行可以导入，1 行有错误/);
    // The bad row is shown with its Excel row number (3) and the reason.
    const bad = page.locator('[data-test=import-preview] tr', { has: page.locator('[data-test=row-errors]') });
    assert.equal(await bad.count(), 1);
    assert.match(await bad.innerText(), /^3\s/);
    assert.match(await bad.innerText(), /导入乙/);
    assert.match(await bad.innerText(), /校验码不匹配/);

    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/members/import'));
    await page.click('[data-test=import-submit]');
    const report = await (await answer).json();
    assert.equal(report.dry_run, false);
    assert.equal(report.created, 2);
    await page.locator('[data-test=import-done]', { hasText: '成功 2 条，失败 1 条' }).waitFor();

    // The imported members are on the roster; the bad one is not.
    await page.goto(`${srv.base}/admin/members?unit_id=${made.unitId}`);
    const table = page.locator('[data-test=member-table]');
    await table.locator('text=导入甲').waitFor();
    await table.locator('text=导入丙').waitFor();
    await table.locator('text=测试甲').waitFor();
    assert.equal(await table.locator('text=导入乙').count(), 0);
  });
});

test('export: the current list downloads as .xlsx', async () => {
  await step(page, 'export', async () => {
    const download = page.waitForEvent('download');
    await page.click('[data-test=member-export]');
    const d = await download;
    assert.match(d.suggestedFilename(), /^会员名册_\d{8}\.xlsx$/);
    const file = outFile('e2e-export.xlsx');
    await d.saveAs(file);
    const wb = XLSX.readFile(file);
    const rows = XLSX.utils.sheet_to_json(wb.Sheets[wb.SheetNames[0]], { header: 1 });
    assert.equal(rows.length, 1 + 3, 'header and the three members of the unit');
    const names = rows.slice(1).map((r) => r[1]).sort();
    assert.deepEqual(names, ['导入丙', '导入甲', '测试甲'].sort());
    // Only masked values leave the server.
    assert.ok(rows.slice(1).every((r) => /^\d{6}\*{8}[\dX]{4}$/.test(r[4])));
  });
});

test('data scope: another county’s officer cannot see the member', async () => {
  await step(page, 'scope', async () => {
    await consoleLogout(page);
    await consoleLogin(page, srv.base, 'other_county_officer');
    await page.goto(`${srv.base}/admin/members`);
    const table = page.locator('[data-test=member-table]');
    await table.locator('.el-table__row').first().waitFor();
    await page.fill('input[data-test=member-search]', made.memberId);
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/members?'));
    await page.click('[data-test=member-search-btn]');
    const body = await (await answer).json();
    assert.equal(body.total, 0);
    await table.locator('.el-table__empty-text', { hasText: '暂无数据' }).waitFor();
    // Opening the record directly: not found, not the record.
    await page.goto(`${srv.base}/admin/members/${made.member.id}`);
    await page.locator('[data-test=detail-error]', { hasText: '不在您的管辖范围内' }).waitFor();
    assert.equal(await page.locator(`text=${made.memberName}`).count(), 0);
    // The same officer sees their own county (麒麟区) as usual.
    await page.goto(`${srv.base}/admin/`);
    await page.locator('[data-test=stat-members]', { hasText: '400' }).waitFor();
  });
});

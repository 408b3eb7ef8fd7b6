// The money modules (docs/funds.md) in a real browser against the real
// server: a mutual-aid period created with the rule-set form, a unit
// enrolled, a claim filed, refused to its filer (four eyes), approved by a
// reviewer and paid in a batch, the report before and after (exported to
// .xlsx and read back), a relief application through its three review
// stages and a batch payment, and the member's own page at 360 px.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServerAndBrowser, stopServerAndBrowser, failOnPageErrors, step, newPage, consoleLogin, consoleLogout, memberLogin, typeDate, pickRemote,
  dismissMessages, outFile, apiLogin, apiGet, horizontalOverflow, XLSX, DESKTOP, PHONE, DEMO_PASSWORD, ADMIN_PASSWORD,
} from './harness.mjs';
import { money } from '../../web/src/shared/money.js';

let srv;
let browser;
let page;

// Dates relative to today (Asia/Shanghai), so the windows are always open.
const DAY = 86400000;
const day = (offset) => new Date(Date.now() + offset * DAY).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

// What the steps create, shared along the file.
const made = {
  periodNumber: 90 + (Date.now() % 9),
  enrol: [day(-30), day(30)],
  cover: [day(-200), day(165)],
  admission: day(-20),
  discharge: day(-5), // 15 hospital days
  // 李明, the demo member with a member account (docs/demo.md).
  member: { id: 1, name: '李明', citizenId: '530102199005171232', phone: '13800138000' },
};

before(async () => {
  ({ srv, browser, page } = await startServerAndBrowser(DESKTOP));
});
after(() => stopServerAndBrowser({ srv, browser }));
afterEach((t) => failOnPageErrors(page, t));

// Runs fn as the console user `username`, logging the current one out first.
async function as(username, fn) {
  if (made.who !== username) {
    if (made.who) await consoleLogout(page);
    await consoleLogin(page, srv.base, username);
    made.who = username;
  }
  await fn();
}

async function fillMoney(name, yuan) {
  await page.fill(`input[name="${name}"]`, yuan);
}

test('periods: create a period with a rule set through the form, see the readable rules', async () => {
  await step(page, 'funds-period', async () => {
    await as('yn_admin', async () => {
      await page.goto(`${srv.base}/admin/aid/periods`);
      // The menu group is open on its own pages.
      await page.locator('.el-sub-menu.is-opened', { hasText: '互助保障与救助' }).waitFor();
      await page.locator('[data-menu=aidPeriods]').waitFor();
      // Only the top org reads whole funds: no ledger for a province admin.
      assert.equal(await page.locator('[data-menu=ledger]').count(), 0);

      await page.click('[data-test=period-add]');
      await page.waitForURL(/\/admin\/aid\/periods\/new/);
      const form = page.locator('[data-test=period-form]');
      await form.locator('input[name=number]').fill(String(made.periodNumber));
      await form.locator('input[name=number]').press('Tab');
      await page.locator('input[name=period-name]').fill(`第${made.periodNumber}期职工医疗互助保障（E2E）`);
      // Yuan in, fen out: 0.1 + 0.2 must be 30 fen, not 30.000000000000004.
      await fillMoney('premium', '0.3');
      await page.locator('[data-test=money-problem]').waitFor({ state: 'detached' });
      await fillMoney('premium', '100.001');
      await page.locator('[data-test=money-problem]', { hasText: '两位小数' }).waitFor();
      await fillMoney('premium', '100');
      await fillMoney('cap', '200,000');
      await typeDate(page, '[data-test=enrol-window]', ...made.enrol);
      await typeDate(page, '[data-test=cover-window]', ...made.cover);
      await page.locator('input[name=waiting-days]').fill('0');
      await page.locator('input[name=waiting-days]').press('Tab');

      // The rule set with form controls: first band up to 8,000 yuan at 55 %, a listed disease.
      const rules = page.locator('[data-test=rules-editor]');
      await rules.locator('input[name=band-0-up-to]').fill('8000');
      await rules.locator('input[name=band-0-percent]').fill('55');
      await rules.locator('input[name=band-0-percent]').press('Tab');
      await rules.locator('button', { hasText: '增加病种' }).click();
      const disease = rules.locator('[data-test=rules-diseases] .el-table__row').first();
      await disease.locator('input').nth(0).fill('C50');
      await disease.locator('input').nth(1).fill('乳腺恶性肿瘤');
      await disease.locator('input').nth(2).fill('10000');
      await page.locator('[data-test=rules-preview]', { hasText: '补助 55%' }).waitFor();

      const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/mutual-aid/periods') && r.request().method() === 'POST');
      await page.click('[data-test=period-save]');
      const r = await created;
      assert.equal(r.status(), 201, await r.text());
      const body = JSON.parse(r.request().postData());
      assert.equal(body.premium_fen, 10000);
      assert.equal(body.cap_fen, 20000000);
      assert.deepEqual(body.rules.bands[0], { up_to_fen: 800000, percent: 55 });
      assert.deepEqual(body.rules.diseases, [{ code: 'C50', name: '乳腺恶性肿瘤', fen: 1000000 }]);
      made.period = await r.json();
      await page.waitForURL(new RegExp(`/admin/aid/periods/${made.period.id}$`));
      const text = page.locator('[data-test=rules-text]');
      await text.waitFor();
      assert.match(await text.innerText(), /55%/);
      assert.match(await text.innerText(), /C50/);
      await page.locator('[data-test=rule-versions]').waitFor();
      await dismissMessages(page);
      await page.screenshot({ path: outFile('funds-period.png'), fullPage: true });
    });
  });
});

async function reportFigures() {
  await page.goto(`${srv.base}/admin/aid/report?period_id=${made.period.id}`);
  const figs = page.locator('[data-test=report-figures]');
  await figs.waitFor();
  const read = async (k) => (await page.locator(`[data-test=fig-${k}]`).innerText()).split('\n').pop().trim();
  return { members: await read('members'), settlements: await read('settlements'), payout: await read('payout'), premium: await read('premium') };
}

test('enrolment: all eligible members of a unit, the result and the list', async () => {
  await step(page, 'funds-enrol', async () => {
    await as('yn_admin', async () => {
      const token = await apiLogin(srv.base, 'yn_admin', DEMO_PASSWORD);
      made.unit = (await apiGet(srv.base, token, '/units/1')).body;
      await page.goto(`${srv.base}/admin/aid/enrol?period_id=${made.period.id}`);
      await pickRemote(page, '[data-test=enrol-form] .el-form-item:has-text("所在单位")', made.unit.name.slice(0, 6), made.unit.name);
      const answer = page.waitForResponse((r) => r.url().endsWith(`/mutual-aid/periods/${made.period.id}/enrollments`) && r.request().method() === 'POST');
      await page.click('[data-test=enrol-submit]');
      const r = await answer;
      assert.equal(r.status(), 200, await r.text());
      const result = await r.json();
      assert.ok(result.enrolled > 0);
      made.enrolled = result.enrolled;
      await page.locator('[data-test=enrol-result]', { hasText: `已参保 ${result.enrolled} 人` }).waitFor();
      await page.locator('[data-test=enrolment-table]', { hasText: made.member.name }).waitFor();

      // Picking a member who is already enrolled: skipped, with a readable reason.
      await page.click('[data-test=mode-some]');
      const row = page.locator('[data-test=enrol-members] .el-table__row', { hasText: made.member.name }).first();
      await row.waitFor();
      await row.locator('.el-checkbox').click();
      await page.locator('[data-test=enrol-submit]', { hasText: '选中的 1 名' }).click();
      await page.locator('[data-test=enrol-result]', { hasText: '没有新参保的会员' }).waitFor();
      await page.locator('[data-test=enrol-skipped]', { hasText: made.member.name }).filter({ hasText: '已参保，跳过' }).waitFor();

      const before = await reportFigures();
      assert.equal(before.members, String(made.enrolled));
      assert.equal(before.settlements, '0');
      assert.equal(before.premium, money(made.enrolled * 10000));
    });
  });
});

test('claims: file a claim, see the assessment lines; the filer cannot approve it', async () => {
  await step(page, 'funds-claim-file', async () => {
    await as('yn_admin', async () => {
      await page.goto(`${srv.base}/admin/aid/claims/new?period_id=${made.period.id}`);
      const form = page.locator('[data-test=claim-form]');
      await form.waitFor();
      await pickRemote(page, '[data-field=member_id]', made.member.citizenId, made.member.name);
      await typeDate(page, '[data-test=admission]', made.admission);
      await typeDate(page, '[data-test=discharge]', made.discharge);
      await form.locator('input[name=hospital]').fill('昆明医科大学第一附属医院');
      await form.locator('input[name=diagnosis]').fill('社区获得性肺炎');
      // The payments exceed the total: said at once, next to the amounts.
      await fillMoney('total_cost_fen', '35000');
      await fillMoney('basic_paid_fen', '30000');
      await fillMoney('self_paid_fen', '9000');
      await page.locator('[data-test=amounts-over]').waitFor();
      await fillMoney('basic_paid_fen', '21000');
      await page.locator('[data-test=amounts-over]').waitFor({ state: 'detached' });
      // The period's required documents are listed; give each a file name.
      const docs = form.locator('[data-field=documents] .doc-row');
      assert.equal(await docs.count(), 3);
      for (let i = 0; i < 3; i++) await docs.nth(i).locator('input').last().fill(`材料${i + 1}.pdf`);

      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/mutual-aid/claims') && r.request().method() === 'POST');
      await page.click('[data-test=claim-save]');
      const r = await answer;
      assert.equal(r.status(), 201, await r.text());
      made.claim = await r.json();
      const sent = JSON.parse(r.request().postData());
      assert.equal(sent.self_paid_fen, 900000);
      assert.equal(sent.total_cost_fen, 3500000);
      await page.waitForURL(new RegExp(`/admin/aid/claims/${made.claim.id}$`));

      // 9,000 − 1,000 deductible = 8,000 × 55 % = 4,400; 12 allowance days × 50 = 600.
      const lines = page.locator('[data-test=assessment-lines]');
      await lines.waitFor();
      const text = await lines.innerText();
      assert.match(text, /医疗补助/);
      assert.match(text, /8000\.00 元 × 55% = 4400\.00 元/);
      assert.match(text, /住院生活补助/);
      assert.match(text, /12 天 × 50\.00 元/);
      assert.equal(await page.locator('[data-test=claim-amount]').innerText(), '¥5,000.00');

      // Four eyes: the filer is refused, and told why.
      await page.click('[data-test=claim-approve]');
      const decided = page.waitForResponse((x) => x.url().endsWith(`/claims/${made.claim.id}/approve`));
      await page.click('[data-test=decide-submit]');
      assert.equal((await decided).status(), 403);
      await page.locator('[data-test=decide-error]', { hasText: '申报人不能审核自己申报的记录' }).waitFor();
      await page.locator('[data-test=decide-dialog] button', { hasText: '取消' }).click();
      await page.locator('[data-test=decide-dialog]').waitFor({ state: 'hidden' });
      assert.equal(await page.locator('[data-test=claim-status]').getAttribute('data-status'), 'submitted');
      await dismissMessages(page);
      await page.screenshot({ path: outFile('funds-claim.png'), fullPage: true });
    });
  });
});

test('claims: a reviewer approves (reject needs a note), then a batch payment pays it', async () => {
  await step(page, 'funds-claim-approve', async () => {
    await as('yn_reviewer', async () => {
      await page.goto(`${srv.base}/admin/aid/claims/${made.claim.id}`);
      // Rejecting without a note is stopped in the dialog.
      await page.click('[data-test=claim-reject]');
      await page.click('[data-test=decide-submit]');
      await page.locator('[data-test=decide-dialog] .el-form-item__error', { hasText: '请填写意见' }).waitFor();
      await page.locator('[data-test=decide-dialog] button', { hasText: '取消' }).click();

      await page.click('[data-test=claim-approve]');
      await page.locator('textarea[data-test=decide-note]').fill('材料齐全，同意补助');
      const answer = page.waitForResponse((x) => x.url().endsWith(`/claims/${made.claim.id}/approve`));
      await page.click('[data-test=decide-submit]');
      assert.equal((await answer).status(), 200);
      await page.locator('[data-test=claim-status][data-status=approved]').waitFor();
      // A reviewer does not pay.
      assert.equal(await page.locator('[data-test=claim-pay]').count(), 0);
    });
  });
  await step(page, 'funds-claim-pay', async () => {
    await as('yn_admin', async () => {
      await page.goto(`${srv.base}/admin/aid/claims?period_id=${made.period.id}&status=approved`);
      const row = page.locator('[data-test=claim-table] .el-table__row', { hasText: made.member.name }).first();
      await row.waitFor();
      await row.locator('.el-checkbox').click();
      await page.locator('[data-test=pay-selected]', { hasText: '¥5,000.00' }).click();
      const answer = page.waitForResponse((x) => x.url().endsWith('/api/v1/mutual-aid/payments'));
      await page.locator('.el-message-box .el-button--primary').click();
      const r = await answer;
      assert.equal(r.status(), 200, await r.text());
      assert.deepEqual(JSON.parse(r.request().postData()), { period_id: made.period.id, claim_ids: [made.claim.id] });
      assert.equal((await r.json()).paid, 1);
      await page.locator('.el-message--success', { hasText: '已支付 1 笔' }).waitFor();
      await page.goto(`${srv.base}/admin/aid/claims/${made.claim.id}`);
      await page.locator('[data-test=claim-status][data-status=paid]').waitFor();
    });
  });
});

test('report: figures change after the payment, chart, Excel export read back', async () => {
  await step(page, 'funds-report', async () => {
    await as('yn_admin', async () => {
      const fig = await reportFigures();
      assert.equal(fig.settlements, '1');
      assert.equal(fig.payout, '¥5,000.00');
      await page.locator('[data-test=region-chart] canvas').waitFor();
      await page.locator('[data-test=unit-report-table]', { hasText: made.unit.name }).waitFor();
      await dismissMessages(page);
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page.waitForTimeout(800); // the chart animates
      await page.screenshot({ path: outFile('funds-report.png') });
      await page.setViewportSize({ width: 1280, height: 800 });

      const download = page.waitForEvent('download');
      await page.click('[data-test=report-export]');
      const d = await download;
      assert.match(d.suggestedFilename(), /\.xlsx$/);
      const file = outFile('e2e-aid-report.xlsx');
      await d.saveAs(file);
      const wb = XLSX.readFile(file);
      assert.deepEqual(wb.SheetNames, ['汇总', '分地区', '分单位']);
      const units = XLSX.utils.sheet_to_json(wb.Sheets['分单位'], { header: 1 });
      const unitRow = units.find((x) => x[0] === made.unit.name);
      assert.ok(unitRow, 'the enrolled unit is in the export');
      const h = units[0];
      assert.equal(unitRow[h.indexOf('参保人数')], made.enrolled);
      assert.equal(unitRow[h.indexOf('结报人次')], 1);
      assert.equal(unitRow[h.indexOf('补助支出（元）')], 5000);
      assert.equal(unitRow[h.indexOf('会费收入（元）')], made.enrolled * 100);
      const regions = XLSX.utils.sheet_to_json(wb.Sheets['分地区'], { header: 1 });
      assert.ok(regions.length >= 2);
      const summary = XLSX.utils.sheet_to_json(wb.Sheets['汇总'], { header: 1 });
      assert.deepEqual(summary.find((x) => x[0] === '结报人次'), ['结报人次', 1]);
    });
  });
});

test('relief: an application through the three review stages and a batch payment', async () => {
  await step(page, 'funds-relief-file', async () => {
    await as('km_manager', async () => {
      // An active, employed member of unit 1 without relief this year (the
      // demo data may already have granted some).
      const token = await apiLogin(srv.base, 'km_manager', DEMO_PASSWORD);
      const year = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 4);
      const taken = new Set((await apiGet(srv.base, token, `/relief/applications?year=${year}&page_size=200`)).body.items.map((a) => a.member_id));
      const members = (await apiGet(srv.base, token, '/members?unit_id=1&status=active&page_size=100')).body.items;
      made.reliefMember = members.find((m) => m.employment_status === 'in_service' && !taken.has(m.id));
      assert.ok(made.reliefMember, 'an eligible member for relief');
      await page.goto(`${srv.base}/admin/relief/new`);
      const form = page.locator('[data-test=relief-form]');
      await form.waitFor();
      await pickRemote(page, '[data-field=member_id]', made.reliefMember.card_no, made.reliefMember.name);
      await form.locator('input[name=hospital]').fill('云南省第一人民医院');
      await form.locator('input[name=diagnosis]').fill('肝恶性肿瘤');
      await fillMoney('total_cost_fen', '200000');
      await fillMoney('basic_fen', '100000');
      await fillMoney('commercial_fen', '10000');
      await fillMoney('secondary_fen', '15000');
      // 75,000 out of pocket: tier 2 (up to 80,000), 20,000 relief.
      await page.locator('[data-test=relief-estimate]', { hasText: '第 2 档' }).waitFor();
      const answer = page.waitForResponse((x) => x.url().endsWith('/api/v1/relief/applications') && x.request().method() === 'POST');
      await page.click('[data-test=relief-save]');
      const r = await answer;
      assert.equal(r.status(), 201, await r.text());
      made.relief = await r.json();
      assert.equal(await page.locator('[data-test=result-oop]').innerText(), '¥75,000.00');
      assert.equal(await page.locator('[data-test=result-tier]').innerText(), '2');
      assert.equal(await page.locator('[data-test=result-aid]').innerText(), '¥20,000.00');
    });
  });
  // Three stages, each by another account than the previous one and the filer.
  const stages = [
    ['yn_reviewer', 'grassroots_reviewed'],
    ['yn_admin', 'district_reviewed'],
    ['yn_reviewer', 'approved'],
  ];
  for (const [who, after] of stages) {
    await step(page, `funds-relief-${after}`, async () => {
      await as(who, async () => {
        await page.goto(`${srv.base}/admin/relief/${made.relief.id}`);
        await page.click('[data-test=relief-pass]');
        await page.locator('textarea[data-test=review-note]').fill('情况属实');
        const answer = page.waitForResponse((x) => x.url().endsWith(`/relief/applications/${made.relief.id}/review`));
        await page.click('[data-test=review-submit]');
        assert.equal((await answer).status(), 200);
        await page.locator(`[data-test=relief-status][data-status=${after}]`).waitFor();
      });
    });
  }
  await step(page, 'funds-relief-batch', async () => {
    await as('km_manager', async () => {
      await page.goto(`${srv.base}/admin/relief/batches`);
      await page.locator('[data-test=batch-approved]', { hasText: made.reliefMember.name }).waitFor();
      // Everything approved in 昆明市 this year is paid: ours and any the demo data left approved.
      const waiting = (await apiGet(srv.base, await apiLogin(srv.base, 'km_manager', DEMO_PASSWORD), `/relief/applications?year=${made.relief.year}&status=approved&page_size=200`)).body;
      const due = waiting.items.reduce((a, x) => a + x.aid_fen, 0);
      await page.locator('[data-test=batch-pay]', { hasText: money(due) }).click();
      const answer = page.waitForResponse((x) => x.url().endsWith('/api/v1/relief/batches'));
      await page.locator('.el-message-box .el-button--primary').click();
      const r = await answer;
      assert.equal(r.status(), 201, await r.text());
      await page.locator('[data-test=batch-result]', { hasText: `已支付 ${waiting.total} 笔` }).waitFor();
      await page.goto(`${srv.base}/admin/relief/${made.relief.id}`);
      await page.locator('[data-test=relief-status][data-status=paid]').waitFor();
      // The yearly report counts it.
      const report = (await apiGet(srv.base, await apiLogin(srv.base, 'km_manager', DEMO_PASSWORD), `/relief/report?year=${made.relief.year}`)).body;
      await page.goto(`${srv.base}/admin/relief/report`);
      await page.locator('[data-test=fig-people]', { hasText: String(report.people) }).waitFor();
      await page.locator('[data-test=fig-amount]', { hasText: money(report.amount_fen) }).waitFor();
      await page.locator('[data-test=relief-chart] canvas').waitFor();
    });
  });
});

test('ledger: the top org’s admin sees the funds balance', async () => {
  await step(page, 'funds-ledger', async () => {
    await consoleLogout(page);
    made.who = null;
    await consoleLogin(page, srv.base, 'admin', ADMIN_PASSWORD);
    made.who = 'admin';
    await page.goto(`${srv.base}/admin/ledger`);
    await page.locator('[data-test=ledger-result][data-ok=true]').waitFor();
    await page.locator('[data-test=ledger-funds]', { hasText: `aid:${made.period.id}` }).waitFor();
    await page.locator('[data-test=ledger-funds] .el-table__row', { hasText: `aid:${made.period.id}` }).click();
    const acc = page.locator('[data-test=ledger-accounts]');
    await acc.waitFor();
    // Premiums in, one claim of 5,000 out.
    const bank = acc.locator('.el-table__row', { hasText: '银行存款' });
    assert.ok((await bank.innerText()).includes(money(made.enrolled * 10000 - 500000)));
  });
});

test('member H5: the mutual-aid page shows the enrolment and the paid claim at 360 px; a member files a claim', async () => {
  const phone = await newPage(browser, PHONE);
  try {
    await step(phone, 'funds-member-aid', async () => {
      await memberLogin(phone, srv.base, made.member.phone);
      await phone.click('[data-test=m-aid-entry]');
      await phone.waitForURL(/\/m\/mutual-aid$/);
      await phone.locator('[data-test=m-enrolment]', { hasText: made.period.name }).waitFor();
      // (The demo data may hold other claims of his: find this one by its stay.)
      const claim = phone.locator('[data-test=m-claim][data-status=paid]', { hasText: made.admission });
      await claim.waitFor();
      const claimsBefore = await phone.locator('[data-test=m-claim]').count();
      assert.match(await claim.innerText(), /已支付/);
      assert.match(await claim.innerText(), /¥5,000\.00/);
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the mutual-aid page fits 360 px');
      await phone.screenshot({ path: outFile('member-aid.png'), fullPage: true });

      // The member files a claim for themselves.
      await phone.click('[data-test=m-claim-file]');
      await phone.waitForURL(/\/m\/mutual-aid\/claim$/);
      const form = phone.locator('[data-test=m-claim-form]');
      await form.waitFor();
      assert.ok((await horizontalOverflow(phone)) <= 0, 'the claim form fits 360 px');
      await form.locator('input[name=admission]').fill(day(-60));
      await form.locator('input[name=discharge]').fill(day(-57));
      await form.locator('input[name=hospital]').fill('昆明市第一人民医院');
      await form.locator('input[name=diagnosis]').fill('急性阑尾炎');
      await form.locator('input[name=total_cost_fen]').fill('12000');
      await form.locator('input[name=basic_paid_fen]').fill('7000');
      await form.locator('input[name=self_paid_fen]').fill('4000.5');
      const answer = phone.waitForResponse((x) => x.url().endsWith('/api/v1/mutual-aid/claims') && x.request().method() === 'POST');
      await phone.click('[data-test=m-claim-submit]');
      const r = await answer;
      assert.equal(r.status(), 201, await r.text());
      const sent = JSON.parse(r.request().postData());
      assert.equal(sent.member_id, undefined, 'members file for themselves');
      assert.equal(sent.self_paid_fen, 400050);
      await phone.waitForURL(/\/m\/mutual-aid$/);
      await phone.locator('[data-test=m-claim][data-status=submitted]', { hasText: '昆明市第一人民医院' }).waitFor();
      assert.equal(await phone.locator('[data-test=m-claim]').count(), claimsBefore + 1);
      assert.ok((await horizontalOverflow(phone)) <= 0, 'still fits 360 px');
    });
  } finally {
    await phone.context().close();
  }
});

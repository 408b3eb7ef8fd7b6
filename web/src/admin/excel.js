// Excel in the browser with SheetJS (npm `xlsx`, loaded on demand): the
// import template, reading an uploaded roster into import rows, exporting the
// member list, and the error report of an import.
import { dict, dictLabel } from '@/shared/dict.js';
import { fmtTime, download } from '@/shared/format.js';

const loadXlsx = () => import('xlsx');

// Import columns: the API field, its header in the template (Chinese, as on
// the 工会会员基本信息采集表), and other headers accepted when reading.
export const IMPORT_COLUMNS = [
  { key: 'name', header: '姓名', required: true, aliases: ['name', 'Name', '会员姓名', '职工姓名'] },
  { key: 'citizen_id', header: '身份证号', required: true, text: true, aliases: ['citizen_id', 'Citizen ID', '公民身份号码', '身份证号码', '身份证'] },
  { key: 'phone', header: '手机号', required: true, text: true, aliases: ['phone', 'Mobile', '手机号码', '联系电话', '手机'] },
  { key: 'unit_id', header: '单位ID', aliases: ['unit_id', 'Unit ID', '单位编号'] },
  { key: 'household', header: '户籍类型', required: true, dict: 'household', aliases: ['household', 'Household', '户籍', '户口性质'] },
  { key: 'employment_form', header: '就业形态', required: true, dict: 'employment_form', aliases: ['employment_form', 'Employment form'] },
  { key: 'employment_status', header: '就业状态', required: true, dict: 'employment_status', aliases: ['employment_status', 'Employment status'] },
  { key: 'ethnic_group', header: '民族', dict: 'ethnic_group', aliases: ['ethnic_group', 'Ethnic group'] },
  { key: 'education', header: '学历', dict: 'education', aliases: ['education', 'Education', '文化程度'] },
  { key: 'political_status', header: '政治面貌', dict: 'political_status', aliases: ['political_status', 'Political status'] },
  { key: 'needy_status', header: '困难职工类别', dict: 'needy_status', aliases: ['needy_status', '困难类别'] },
  { key: 'needy_detail', header: '困难情况说明', aliases: ['needy_detail', '困难情况'] },
  { key: 'physical_card_no', header: '实体卡号', text: true, aliases: ['physical_card_no', '卡号', '实体卡号码'] },
];

const norm = (h) => String(h ?? '').replace(/[\s*＊:：]/g, '').toLowerCase();
const HEADER_INDEX = new Map();
for (const c of IMPORT_COLUMNS) for (const h of [c.header, ...c.aliases]) HEADER_INDEX.set(norm(h), c.key);

function stamp() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

function writeBook(XLSX, wb, filename) {
  const buf = XLSX.write(wb, { bookType: 'xlsx', type: 'array', compression: true });
  download(filename, new Blob([buf], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
}

// Text-formatted empty cells for the columns that must stay text (IDs,
// phones): typed into a number cell, an 18-digit ID loses its last digits.
function textColumns(XLSX, ws, cols, rows) {
  cols.forEach((c, i) => {
    if (!c.text) return;
    for (let r = 1; r <= rows; r++) {
      const ref = XLSX.utils.encode_cell({ r, c: i });
      if (!ws[ref]) ws[ref] = { t: 's', v: '', z: '@' };
      else ws[ref].z = '@';
    }
  });
}

export async function downloadTemplate() {
  const XLSX = await loadXlsx();
  const header = IMPORT_COLUMNS.map((c) => (c.required ? `${c.header}*` : c.header));
  const ws = XLSX.utils.aoa_to_sheet([header]);
  textColumns(XLSX, ws, IMPORT_COLUMNS, 500);
  ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: 500, c: IMPORT_COLUMNS.length - 1 } });
  ws['!cols'] = IMPORT_COLUMNS.map((c) => ({ wch: c.key === 'citizen_id' ? 22 : c.key === 'needy_detail' ? 30 : 14 }));

  const help = [
    ['工会会员基本信息采集表 · 填写说明'],
    ['带 * 的列必填。身份证号、手机号请按文本填写（本模板已设为文本格式）。'],
    ['“单位ID”可留空：导入页面上选择的默认单位将用于这些行。'],
    ['编码字段可以填写代码或中文名称，例如 户籍类型 填 “城镇” 或 “urban”。'],
    [],
    ['字段', '可选值（代码 = 名称）'],
  ];
  for (const c of IMPORT_COLUMNS) {
    if (!c.dict) continue;
    const vals = (dict.tables[c.dict] || []).map((e) => `${e.code}=${e.name}`).join('，');
    help.push([c.header, vals]);
  }
  help.push([], ['示例', '李明 / 530102199005171232 / 13800138000 / 1 / 城镇 / 标准劳动关系 / 在职 / 汉族 / 大学本科']);
  const hs = XLSX.utils.aoa_to_sheet(help);
  hs['!cols'] = [{ wch: 16 }, { wch: 120 }];

  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, '会员名册');
  XLSX.utils.book_append_sheet(wb, hs, '填写说明');
  writeBook(XLSX, wb, '会员导入模板.xlsx');
}

// Reads an .xlsx (ArrayBuffer) into import rows.
// → { sheet, rows: [{ excelRow, data: {field: value} }], unknownHeaders }
export async function parseRoster(buffer) {
  const XLSX = await loadXlsx();
  const wb = XLSX.read(buffer, { type: 'array', cellDates: false, dense: false });
  const sheetName = wb.SheetNames.find((n) => !/说明|help|readme/i.test(n)) || wb.SheetNames[0];
  const ws = wb.Sheets[sheetName];
  if (!ws) throw new Error('no sheet');
  // raw: false keeps what the cell shows (text IDs stay text).
  const aoa = XLSX.utils.sheet_to_json(ws, { header: 1, raw: false, defval: '', blankrows: true });

  // The header is the first of the top rows naming at least two known columns
  // (real rosters often carry a title row above it).
  let headerAt = -1;
  for (let r = 0; r < Math.min(aoa.length, 10); r++) {
    const hits = aoa[r].filter((h) => HEADER_INDEX.has(norm(h))).length;
    if (hits >= 2) {
      headerAt = r;
      break;
    }
  }
  if (headerAt < 0) throw new Error('header');
  const keys = aoa[headerAt].map((h) => HEADER_INDEX.get(norm(h)) || null);
  const unknownHeaders = aoa[headerAt].filter((h, i) => String(h).trim() && !keys[i]).map(String);

  const rows = [];
  for (let r = headerAt + 1; r < aoa.length; r++) {
    const line = aoa[r];
    if (!line || line.every((v) => String(v).trim() === '')) continue;
    const data = {};
    keys.forEach((k, i) => {
      if (!k) return;
      const v = String(line[i] ?? '').trim();
      if (v !== '') data[k] = v;
    });
    rows.push({ excelRow: r + 1, data });
  }
  return { sheet: sheetName, rows, unknownHeaders };
}

// An import row as the API takes it: unit_id a number (or the default unit).
export function toApiRow(data, defaultUnitId) {
  const row = { ...data };
  if (row.unit_id !== undefined) {
    const n = Number(String(row.unit_id).trim());
    row.unit_id = Number.isFinite(n) && String(row.unit_id).trim() !== '' ? n : row.unit_id;
  } else if (defaultUnitId) {
    row.unit_id = defaultUnitId;
  }
  return row;
}

export async function exportMembers(items, unitNames, t) {
  const XLSX = await loadXlsx();
  const header = [
    t('fields.card_no'), t('fields.name'), t('fields.sex'), t('fields.birth_date'), t('fields.citizen_id'),
    t('fields.phone'), t('fields.unit_id'), t('fields.household'), t('fields.employment_form'),
    t('fields.employment_status'), t('fields.ethnic_group'), t('fields.education'), t('fields.political_status'),
    t('fields.needy_status'), t('fields.physical_card_no'), t('fields.status'), t('fields.joined_at'),
  ];
  const body = items.map((m) => [
    m.card_no, m.name, dictLabel('sex', m.sex), m.birth_date, m.citizen_id_masked, m.phone_masked,
    unitNames[m.unit_id] || `#${m.unit_id}`, dictLabel('household', m.household),
    dictLabel('employment_form', m.employment_form), dictLabel('employment_status', m.employment_status),
    dictLabel('ethnic_group', m.ethnic_group), dictLabel('education', m.education),
    dictLabel('political_status', m.political_status), dictLabel('needy_status', m.needy_status),
    m.physical_card_no || '', dictLabel('status', m.status), fmtTime(m.joined_at),
  ]);
  const ws = XLSX.utils.aoa_to_sheet([header, ...body]);
  // Card numbers are 16 digits: keep them text.
  for (let r = 1; r <= body.length; r++) {
    const ref = XLSX.utils.encode_cell({ r, c: 0 });
    if (ws[ref]) ws[ref] = { t: 's', v: String(ws[ref].v), z: '@' };
  }
  ws['!cols'] = header.map((_, i) => ({ wch: [18, 10, 6, 12, 22, 14, 30][i] || 12 }));
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, '会员名册');
  writeBook(XLSX, wb, `会员名册_${stamp()}.xlsx`);
}

// The failed rows of an import with one more column: what is wrong.
export async function exportImportErrors(rows, t) {
  const XLSX = await loadXlsx();
  const header = [t('importer.row'), ...IMPORT_COLUMNS.map((c) => c.header), t('importer.errorCol')];
  const body = rows.map((r) => [r.excelRow, ...IMPORT_COLUMNS.map((c) => r.data[c.key] ?? ''), r.errorText]);
  const ws = XLSX.utils.aoa_to_sheet([header, ...body]);
  textColumns(XLSX, ws, [{}, ...IMPORT_COLUMNS], body.length);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, '错误报告');
  writeBook(XLSX, wb, `导入错误报告_${stamp()}.xlsx`);
}

// The mutual-aid period report: the headline figures, by region, by unit.
// Money columns are numbers in yuan with two decimals (Excel sums them);
// they are made from the integer fen by string formatting, not division.
export async function exportAidReport({ period, report, units, unitNames, regionName, t, periodLabel }) {
  const XLSX = await loadXlsx();
  const { fenToNumber, usageRate } = await import('@/shared/money.js');
  const yuan = (f) => (f === null || f === undefined ? '' : fenToNumber(f));
  const money = (ws, col, rows) => {
    for (let r = 1; r <= rows; r++) {
      const ref = XLSX.utils.encode_cell({ r, c: col });
      if (ws[ref] && ws[ref].t === 'n') ws[ref].z = '#,##0.00';
    }
  };
  const rate = (x) => x.usage_rate ?? usageRate(x.payout_fen, x.premium_income_fen ?? x.premium_fen);
  const head = [
    t('aid.region'), t('aid.fig.units'), t('aid.fig.members'), t('aid.fig.premiumYuan'), t('aid.fig.settlements'),
    t('aid.fig.membersPaid'), t('aid.fig.payoutYuan'), t('aid.fig.averageYuan'), t('aid.fig.usagePct'),
  ];
  const line = (x) => [
    x.units ?? '', x.members ?? 0, yuan(x.premium_income_fen ?? x.premium_fen), x.settlements ?? 0, x.members_paid ?? 0,
    yuan(x.payout_fen), yuan(x.average_payout_fen ?? (x.settlements ? Math.floor((x.payout_fen + Math.floor(x.settlements / 2)) / x.settlements) : 0)), Number(rate(x)),
  ];

  const summary = [
    [periodLabel(period)],
    [t('aid.coverWindow'), `${period?.cover_start || ''} ~ ${period?.cover_end || ''}`],
    [],
    [t('aid.fig.units'), report.units],
    [t('aid.fig.members'), report.members],
    [t('aid.fig.premiumYuan'), yuan(report.premium_income_fen)],
    [t('aid.fig.settlements'), report.settlements],
    [t('aid.fig.membersPaid'), report.members_paid],
    [t('aid.fig.payoutYuan'), yuan(report.payout_fen)],
    [t('aid.fig.averageYuan'), yuan(report.average_payout_fen)],
    [t('aid.fig.usagePct'), Number(report.usage_rate ?? usageRate(report.payout_fen, report.premium_income_fen))],
  ];
  const s0 = XLSX.utils.aoa_to_sheet(summary);
  s0['!cols'] = [{ wch: 22 }, { wch: 26 }];

  const regions = report.by_region || [];
  const s1 = XLSX.utils.aoa_to_sheet([
    [...head.slice(0, 1), t('aid.regionCode'), ...head.slice(1)],
    ...regions.map((x) => [regionName(x), x.region_code, ...line(x)]),
  ]);
  for (const c of [4, 7, 8]) money(s1, c, regions.length);
  s1['!cols'] = [{ wch: 14 }, { wch: 10 }, ...head.slice(1).map(() => ({ wch: 14 }))];

  const s2 = XLSX.utils.aoa_to_sheet([
    [t('fields.unit_id'), t('aid.unitId'), t('aid.region'), ...head.slice(2)],
    ...units.map((x) => [x.unit_name || unitNames[x.unit_id] || `#${x.unit_id}`, x.unit_id, regionName(x), ...line(x).slice(1)]),
  ]);
  for (const c of [4, 7, 8]) money(s2, c, units.length);
  s2['!cols'] = [{ wch: 34 }, { wch: 8 }, { wch: 12 }, ...head.slice(2).map(() => ({ wch: 14 }))];

  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, s0, t('aid.sheet.summary'));
  XLSX.utils.book_append_sheet(wb, s1, t('aid.sheet.region'));
  XLSX.utils.book_append_sheet(wb, s2, t('aid.sheet.unit'));
  writeBook(XLSX, wb, `${t('aid.reportFile')}_${period?.number ?? ''}_${stamp()}.xlsx`);
}

// The offers report (GET /offers/report): a summary sheet (days, grouping,
// totals) and the rows with a totals row. Money columns are numbers in yuan
// with two decimals, made from the integer fen by string formatting.
export async function exportOfferReport({ report, rowName, rowExtra, orgName = '', t }) {
  const XLSX = await loadXlsx();
  const { fenToNumber } = await import('@/shared/money.js');
  const by = report.by || 'offer';
  const byLabel = t('offerReport.byKinds.' + by);
  const figs = (x) => [x.person_times ?? 0, x.members ?? 0, fenToNumber(x.original_fen ?? 0), fenToNumber(x.subsidy_fen ?? 0), fenToNumber(x.member_pays_fen ?? 0)];
  const figHeads = ['person_times', 'members', 'originalYuan', 'subsidyYuan', 'memberPaysYuan'].map((k) => t('offerReport.xlsx.' + k));
  const heads = {
    offer: [t('offer.name'), t('offer.merchant')],
    merchant: [t('offer.merchant'), t('merchant.region')],
    region: [t('merchant.region'), t('offerReport.regionCode')],
  }[by];
  const money = (ws, cols, rows) => {
    for (let r = 1; r <= rows; r++)
      for (const c of cols) {
        const ref = XLSX.utils.encode_cell({ r, c });
        if (ws[ref] && ws[ref].t === 'n') ws[ref].z = '#,##0.00';
      }
  };

  const totals = report.totals || {};
  const summary = [
    [t('offerReport.title')],
    [t('offerReport.days'), `${report.from} ~ ${report.to}`],
    [t('offerReport.by'), byLabel],
    [t('offerReport.org'), orgName || t('offerReport.allOrgs')],
    [],
    ...figHeads.map((h, i) => [h, figs(totals)[i]]),
  ];
  const s0 = XLSX.utils.aoa_to_sheet(summary);
  for (let r = 7; r < summary.length; r++) {
    const ref = XLSX.utils.encode_cell({ r, c: 1 });
    if (s0[ref] && s0[ref].t === 'n') s0[ref].z = '#,##0.00';
  }
  s0['!cols'] = [{ wch: 20 }, { wch: 28 }];

  const rows = report.rows || [];
  const body = rows.map((x) => [rowName(x), by === 'region' ? x.region_code : rowExtra(x), ...figs(x)]);
  const s1 = XLSX.utils.aoa_to_sheet([[...heads, ...figHeads], ...body, [t('offerReport.totals'), '', ...figs(totals)]]);
  money(s1, [4, 5, 6], body.length + 1);
  s1['!cols'] = [{ wch: 28 }, { wch: 24 }, ...figHeads.map(() => ({ wch: 16 }))];

  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, s0, t('offerReport.sheetSummary'));
  XLSX.utils.book_append_sheet(wb, s1, t('offerReport.sheetRows'));
  writeBook(XLSX, wb, `${t('offerReport.file')}_${report.from}_${report.to}_${byLabel}.xlsx`);
}

// Single offer redemptions (核销明细): one row per sale, amounts in yuan as
// numbers, the terminal's own sale id kept as text.
export async function exportRedemptions({ rows, from, to, statusLabel, reason, t }) {
  const XLSX = await loadXlsx();
  const { fenToNumber } = await import('@/shared/money.js');
  const heads = [
    t('redemptions.at'), t('offer.merchant'), t('offer.name'), t('redemptions.member'),
    t('offerReport.xlsx.originalYuan'), t('offerReport.xlsx.subsidyYuan'), t('offerReport.xlsx.memberPaysYuan'),
    t('common.status'), t('redemptions.reason'), t('redemptions.terminal'), t('redemptions.uploadedAt'),
  ];
  const body = rows.map((r) => [
    fmtTime(r.redeemed_at), r.merchant || '', r.offer || `#${r.offer_id}`, r.member_name || '',
    fenToNumber(r.original_fen), fenToNumber(r.subsidy_fen), fenToNumber(r.member_pays_fen),
    statusLabel(r.status), r.status === 'refused' ? reason(r.code) : '', `#${r.terminal_id} ${r.redemption_id}`,
    fmtTime(r.uploaded_at),
  ]);
  const ws = XLSX.utils.aoa_to_sheet([heads, ...body]);
  for (let r = 1; r <= body.length; r++)
    for (const c of [4, 5, 6]) {
      const ref = XLSX.utils.encode_cell({ r, c });
      if (ws[ref] && ws[ref].t === 'n') ws[ref].z = '#,##0.00';
    }
  ws['!cols'] = [{ wch: 18 }, { wch: 24 }, { wch: 24 }, { wch: 10 }, { wch: 12 }, { wch: 12 }, { wch: 12 }, { wch: 10 }, { wch: 20 }, { wch: 26 }, { wch: 18 }];
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, t('redemptions.sheet'));
  writeBook(XLSX, wb, `${t('redemptions.file')}_${from}_${to}.xlsx`);
}

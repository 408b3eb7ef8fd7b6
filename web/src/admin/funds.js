// Shared pieces of the money modules' pages (docs/funds.md): the period
// list cache, status colours, readable assessment lines and reason codes,
// region names, and mapping a server problem onto a form.
import { reactive, ref } from 'vue';
import { api } from './session.js';
import { ApiError, errorMessage, translateFieldError } from '@/shared/api.js';
import { i18n, lookup } from '@/shared/i18n.js';
import { fenToYuan } from '@/shared/money.js';

export const CLAIM_STATUSES = ['submitted', 'returned', 'approved', 'rejected', 'paid'];
export const RELIEF_STATUSES = ['submitted', 'grassroots_reviewed', 'district_reviewed', 'approved', 'rejected', 'paid'];
// The relief review stages in order (the status an application has after each).
export const RELIEF_STAGES = ['submitted', 'grassroots_reviewed', 'district_reviewed', 'approved', 'paid'];
export const DOC_KINDS = ['discharge_summary', 'invoice', 'settlement', 'diagnosis', 'expense_list', 'id_card', 'bank_card', 'other'];

export function statusType(s) {
  return (
    {
      submitted: 'primary', returned: 'warning', approved: 'success', rejected: 'danger', paid: 'info',
      grassroots_reviewed: 'primary', district_reviewed: 'primary',
    }[s] || 'info'
  );
}

export function claimStatusLabel(s) {
  return lookup('claimStatus', s, { fallback: true }) || s;
}
export function reliefStatusLabel(s) {
  return lookup('reliefStatus', s, { fallback: true }) || s;
}
export function docKindLabel(k) {
  return lookup('docKind', k, { fallback: true }) || k;
}

// A list answer as {items, total}, whatever the exact shape.
export function asList(r) {
  if (Array.isArray(r)) return { items: r, total: r.length };
  const items = r?.items || r?.periods || r?.enrollments || r?.claims || r?.applications || r?.batches || [];
  return { items, total: r?.total ?? items.length };
}

// ---- periods ------------------------------------------------------------
const periodCache = ref([]);
const periodState = reactive({ loading: false, loaded: false });
let periodPending = null;

export function usePeriods() {
  async function loadPeriods(force = false) {
    if (periodState.loaded && !force) return periodCache.value;
    if (!periodPending || force) {
      periodState.loading = true;
      periodPending = api
        .get('/mutual-aid/periods', { page_size: 200 })
        .then((r) => {
          periodCache.value = [...asList(r).items].sort((a, b) => b.id - a.id);
          periodState.loaded = true;
          return periodCache.value;
        })
        .catch(() => periodCache.value)
        .finally(() => {
          periodState.loading = false;
          periodPending = null;
        });
    }
    return periodPending;
  }
  return {
    periods: periodCache,
    get loading() {
      return periodState.loading;
    },
    loadPeriods,
  };
}

export function forgetPeriods() {
  periodState.loaded = false;
}

export function periodLabel(p) {
  if (!p) return '';
  return p.name || i18n.global.t('aid.periodNo', { n: p.number });
}

// The example rule set of docs/funds.md: a new period's starting point.
export function defaultRules() {
  return {
    deductible_fen: 100000,
    bands: [{ up_to_fen: 1000000, percent: 50 }, { up_to_fen: 5000000, percent: 60 }, { up_to_fen: null, percent: 70 }],
    daily_allowance: { from_day: 4, fen_per_day: 5000, max_days: 60 },
    diseases: [],
    required_documents: ['discharge_summary', 'invoice', 'settlement'],
  };
}

// ---- assessment ---------------------------------------------------------
// A claim's assessment as {lines: [{key, label, detail, amount_fen}],
// reasons: [{code, text, outcome}], amount_fen, outcome}. The server's lines
// carry their own explanation (`text`); item codes get our label.
export function readAssessment(a, claim = {}) {
  let x = a;
  if (typeof x === 'string') {
    try {
      x = JSON.parse(x);
    } catch {
      x = {};
    }
  }
  x = x || {};
  const lines = (x.lines || x.items || []).map((l, i) => {
    if (typeof l === 'string') return { key: i, label: '', detail: l, amount_fen: null };
    const code = l.item || l.kind || l.code || l.type || '';
    return {
      key: i,
      code,
      label: lookup('aidLine', code, { fallback: true }) || l.label || l.name || code,
      detail: (i18n.global.locale.value === 'en' && lineText(l)) || l.text || l.explain || l.explanation || l.detail || l.description || l.note || '',
      amount_fen: l.amount_fen ?? l.fen ?? l.payable_fen ?? null,
    };
  });
  const reasons = (x.reasons || []).map((r) => {
    const code = typeof r === 'string' ? r : r.code;
    return { code, text: reasonText(code), outcome: typeof r === 'object' ? r.outcome : undefined, detail: typeof r === 'object' ? r.detail || r.message || '' : '' };
  });
  return {
    lines,
    reasons,
    amount_fen: x.amount_fen ?? x.total_fen ?? claim.amount_fen ?? null,
    outcome: x.outcome || x.decision || (reasons.length ? (reasons.some((r) => r.code === 'claim.missing_documents') ? 'return' : 'reject') : 'pay'),
    rules_version: x.rules_version ?? claim.rules_version,
    raw: x,
  };
}

export function reasonText(code) {
  return lookup('aidReason', code, { fallback: true }) || lookup('apiErrors', code, { fallback: true }) || code;
}

// The server explains each line in Chinese; in English the line is
// explained again from its fields.
function lineText(l) {
  const t = i18n.global.t;
  const y = (f) => fenToYuan(f);
  switch (l.item) {
    case 'medical':
      return t('aid.lineText.medical', { band: l.band, base: y(l.base_fen), p: l.percent, x: y(l.amount_fen) });
    case 'allowance':
      return t('aid.lineText.allowance', { days: l.days, base: y(l.base_fen), x: y(l.amount_fen) });
    case 'disease':
      return t('aid.lineText.disease', { code: l.code || '', x: y(l.amount_fen) });
    case 'cap':
      return t('aid.lineText.cap', { left: y(l.left_fen), cut: y(-l.amount_fen) });
    default:
      return '';
  }
}

// A rule set as readable sentences in the UI language (the editor's preview;
// in English also the period page, the server's rules_text being Chinese).
export function rulesSentences(v) {
  const t = i18n.global.t;
  if (!v) return [];
  const y = (f) => fenToYuan(f);
  const s = [t('rules.say.deductible', { x: y(v.deductible_fen) })];
  let from = 0;
  for (const b of v.bands || []) {
    if (b.up_to_fen === null || b.up_to_fen === undefined) s.push(t('rules.say.bandOpen', { from: y(from), p: b.percent }));
    else s.push(t('rules.say.band', { from: y(from), to: y(b.up_to_fen), p: b.percent }));
    from = b.up_to_fen || 0;
  }
  if (v.daily_allowance) s.push(t('rules.say.allowance', { d: v.daily_allowance.from_day, x: y(v.daily_allowance.fen_per_day), max: v.daily_allowance.max_days }));
  else s.push(t('rules.say.noAllowance'));
  for (const d of v.diseases || []) s.push(t('rules.say.disease', { code: d.code, name: d.name, x: y(d.fen) }));
  if (v.required_documents?.length) s.push(t('rules.say.docs', { docs: v.required_documents.map(docKindLabel).join(t('rules.listSep')) }));
  return s;
}

// ---- org names ------------------------------------------------------------
const orgNames = reactive({});
export function useOrgNames() {
  async function resolveOrgs(ids) {
    const todo = [...new Set(ids)].filter((id) => id && !(id in orgNames));
    for (const id of todo) orgNames[id] = '';
    await Promise.all(todo.map((id) => api.get(`/orgs/${id}`).then((o) => (orgNames[id] = o.name)).catch(() => delete orgNames[id])));
  }
  return { orgNames, resolveOrgs };
}

// ---- regions -------------------------------------------------------------
const regionNames = reactive({});
const regionInflight = new Map();
export function useRegionNames() {
  async function resolveRegions(codes) {
    const todo = [...new Set(codes)].filter((c) => c && !(c in regionNames) && !regionInflight.has(c));
    await Promise.all(
      todo.map((c) => {
        const p = api
          .get(`/regions/${c}`)
          .then((r) => (regionNames[c] = r.name))
          .catch(() => {})
          .finally(() => regionInflight.delete(c));
        regionInflight.set(c, p);
        return p;
      }),
    );
  }
  const regionName = (row) => row.region_name || regionNames[row.region_code] || row.region_code || '';
  return { regionNames, resolveRegions, regionName };
}

// The fund reports' chart by region: the regions along x (slanted when there
// are many), a legend on top, the report's own axes and series.
export function regionChartOption(names, { yAxis, series, right = 20, valueFormatter } = {}) {
  return {
    tooltip: valueFormatter ? { trigger: 'axis', valueFormatter } : { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 70, right, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
    yAxis,
    series,
  };
}

// ---- server problems on a form -------------------------------------------
// Splits an error into {fields: {field: message}} for the fields the form
// shows and one `message` for everything else (codes such as
// claim.four_eyes get a readable sentence). `alias` maps server field names
// onto the form's (e.g. {period: 'period_id'}).
export function formProblems(e, known = [], alias = {}) {
  const fields = {};
  const other = [];
  if (e instanceof ApiError && e.errors.length) {
    for (const fe of e.errors) {
      const f = alias[fe.field] || fe.field;
      const text = translateFieldError(fe);
      if (known.includes(f) || known.some((k) => k.endsWith('*') && f?.startsWith(k.slice(0, -1)))) {
        if (!(f in fields)) fields[f] = text;
      } else other.push(`${lookup('fields', f) || lookupFundField(f) || f || ''}${f ? ': ' : ''}${text}`);
    }
    return { fields, message: other.join('；') };
  }
  return { fields, message: errorMessage(e) };
}

function lookupFundField(f) {
  return lookup('fundFields', f, { fallback: false });
}

// A same-request retry key per form submission.
export { idempotencyKey } from '@/shared/api.js';

// Relief years offered in pickers: this year and the five before.
export function reliefYears() {
  const y = new Date().getFullYear();
  return Array.from({ length: 6 }, (_, i) => y - i);
}

// The tier a relief out-of-pocket amount falls in (docs/funds.md: eligible
// above the threshold; a tier includes its upper bound) → {tier, aid_fen},
// tier 0 when not eligible. A preview only: the server decides.
export function reliefTier(table, oopFen) {
  if (!table || oopFen === null || oopFen === undefined || Number.isNaN(oopFen) || oopFen <= table.threshold_fen) return { tier: 0, aid_fen: 0 };
  const i = table.tiers.findIndex((x) => x.up_to_fen === null || oopFen <= x.up_to_fen);
  return i < 0 ? { tier: 0, aid_fen: 0 } : { tier: i + 1, aid_fen: table.tiers[i].aid_fen };
}

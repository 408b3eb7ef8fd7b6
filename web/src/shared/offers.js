// Offers (惠工服务, docs/offers.md): the code tables and the readable price
// rules the console and the member pages share. Money is integer fen
// (money.js); times are shown in Beijing time (the limits' days and months
// are Asia/Shanghai days and months).
import { i18n, lookup } from './i18n.js';
import { money } from './money.js';

export const MERCHANT_CATEGORIES = [
  'transport', 'supermarket', 'online_shop', 'department_store', 'restaurant', 'meal_delivery', 'hotel',
  'convenience_store', 'cinema', 'other',
];
export const OFFER_GROUPS = ['all', 'new_employment', 'needy', 'rural'];
export const OFFER_KINDS = ['fixed', 'percent', 'free'];

const t = (key, params) => i18n.global.t(key, params || {});

export const categoryLabel = (c) => lookup('merchantCategory', c, { fallback: true }) || c || '';
export const groupLabel = (g) => lookup('offerGroup', g, { fallback: true }) || g || '';
export const groupsText = (groups) => (groups?.length ? groups : ['all']).map(groupLabel).join(t('offerText.listSep'));

// The share the member pays as a Chinese discount: 40 → '4' (4折), 35 → '3.5'.
export function discount(percent) {
  const p = Math.trunc(Number(percent));
  return p % 10 === 0 ? String(p / 10) : `${Math.floor(p / 10)}.${p % 10}`;
}

// A small price the way people say it: 1 → '1分钱'; else '¥5.00'.
function priceWords(fen) {
  return fen > 0 && fen < 100 ? t('offerText.fen', { n: fen }) : money(fen);
}

// What the member pays, short and big (the member page's headline):
// '1分钱乘车', '4折', '免费观影'.
export function priceText(o) {
  if (!o) return '';
  const verb = lookup('offerVerb', o.merchant_category) || '';
  if (o.kind === 'fixed') return o.price_fen === 0 ? t('offerText.free') + verb : priceWords(o.price_fen) + verb;
  if (o.kind === 'percent') return t('offerText.discount', { d: discount(o.percent), p: o.percent });
  if (o.kind === 'free') return t('offerText.free') + verb;
  return '';
}

// The price rule as a sentence: '每次支付 1分钱', '按原价的 40% 支付（4折）',
// '价值 ¥40.00 以内免费，超出部分自付'.
export function ruleText(o) {
  if (!o) return '';
  if (o.kind === 'fixed') return o.price_fen === 0 ? t('offerText.fixedZero') : t('offerText.fixed', { x: priceWords(o.price_fen) });
  if (o.kind === 'percent') return t('offerText.percent', { p: o.percent, d: discount(o.percent) });
  if (o.kind === 'free') return t('offerText.freeUpTo', { x: money(o.value_fen) });
  return '';
}

// The per-member limits: '每日 4 次，每月 8 次' or '不限次数'.
export function limitsText(o) {
  const parts = [];
  if (o?.limit_per_day) parts.push(t('offerText.perDay', { n: o.limit_per_day }));
  if (o?.limit_per_month) parts.push(t('offerText.perMonth', { n: o.limit_per_month }));
  if (o?.limit_total) parts.push(t('offerText.total', { n: o.limit_total }));
  return parts.length ? parts.join(t('offerText.listSep')) : t('offerText.noLimit');
}

// What a member pays for an original price (rules.h `amounts`), for the
// form's example; the server decides at the till.
export function memberPays(o, originalFen) {
  const x = Math.trunc(Number(originalFen));
  if (!Number.isFinite(x) || x < 0) return null;
  if (o.kind === 'fixed') return Number.isFinite(o.price_fen) ? Math.min(o.price_fen, x) : null;
  if (o.kind === 'percent') return Number.isFinite(o.percent) ? Math.floor((x * o.percent + 50) / 100) : null;
  if (o.kind === 'free') return Number.isFinite(o.value_fen) ? Math.max(0, x - o.value_fen) : null;
  return null;
}

// A time in Beijing time, to the minute ('2026-07-01 08:15'); a date alone
// with `{ date: true }`.
export function beijing(iso, { date = false } = {}) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, date ? 10 : 16);
}

// Today (or today + days) in Beijing as 'YYYY-MM-DD'.
export function beijingDate(days = 0) {
  return new Date(Date.now() + days * 86400000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

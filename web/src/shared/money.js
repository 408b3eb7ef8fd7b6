// Money in the web app. The API speaks integer fen (`*_fen`, 100 yuan =
// 10000); people read and type yuan. Everything here works on strings and
// integers: a yuan amount is parsed digit by digit into fen, never through a
// float multiplication (0.1 + 0.2 and 1.15 * 100 = 114.99999999999999).

const YUAN_RE = /^(\d{1,13})(?:\.(\d{0,2}))?$/;

// '1,234.5' → 123450; '' → null; anything else (letters, 3 decimals,
// negative, too large) → NaN. Accepts a leading ¥/￥, thousands separators
// and full-width digits or point.
export function parseYuan(input) {
  if (input === null || input === undefined) return null;
  let s = String(input)
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/[\s,，¥￥元]/g, '');
  if (s === '') return null;
  if (s.startsWith('.')) s = '0' + s;
  const m = YUAN_RE.exec(s);
  if (!m) return NaN;
  const fen = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : NaN;
}

// What is wrong with a typed amount, as a key under `money.` in the locales,
// or '' when it is a valid amount (or empty and not required).
export function yuanProblem(input, { required = false } = {}) {
  const fen = parseYuan(input);
  if (fen === null) return required ? 'required' : '';
  if (Number.isNaN(fen)) {
    const s = String(input).trim();
    if (/^-/.test(s)) return 'negative';
    if (/\.\d{3,}$/.test(s.replace(/[\s,，]/g, ''))) return 'precision';
    return 'format';
  }
  return '';
}

function splitFen(fen) {
  const n = Math.trunc(Number(fen));
  const neg = n < 0;
  const abs = Math.abs(n);
  return { neg, yuan: Math.floor(abs / 100), cents: abs % 100 };
}

// 123450 → '1,234.50' (display). null/undefined → ''.
export function fenToYuan(fen, { grouping = true, decimals = 2 } = {}) {
  if (fen === null || fen === undefined || fen === '' || !Number.isFinite(Number(fen))) return '';
  const { neg, yuan, cents } = splitFen(fen);
  const int = grouping ? yuan.toLocaleString('en-US') : String(yuan);
  const frac = decimals ? '.' + String(cents).padStart(2, '0') : '';
  return (neg ? '-' : '') + int + frac;
}

// Yuan as a plain number (two decimals made from the integer fen by string
// formatting): for a chart's scale and numeric spreadsheet cells only.
export function fenToNumber(fen) {
  return Number(fenToYuan(fen, { grouping: false }));
}

// 123450 → '1234.5'; 10000 → '100' (for inputs: what a person would type).
export function fenToInput(fen) {
  if (fen === null || fen === undefined || fen === '' || !Number.isFinite(Number(fen))) return '';
  const { neg, yuan, cents } = splitFen(fen);
  const frac = cents ? '.' + String(cents).padStart(2, '0').replace(/0$/, '') : '';
  return (neg ? '-' : '') + yuan + frac;
}

// '¥1,234.50' for tables and figures.
export function money(fen) {
  const s = fenToYuan(fen);
  if (s === '') return '—';
  return s.startsWith('-') ? '-¥' + s.slice(1) : '¥' + s;
}

// Sums integer fen (exact: fen stay integers far beyond any fund's size).
export function sumFen(...values) {
  return values.reduce((a, v) => a + (Number.isFinite(Number(v)) && v !== null && v !== '' ? Math.trunc(Number(v)) : 0), 0);
}

// payout / premium as a percent with 2 decimals, rounded half up, as the
// server computes `usage_rate` ('103.51'). Integer arithmetic throughout.
export function usageRate(payoutFen, premiumFen) {
  const p = BigInt(Math.trunc(Number(premiumFen) || 0));
  if (p <= 0n) return '0.00';
  const x = BigInt(Math.trunc(Number(payoutFen) || 0));
  const hundredths = (x * 10000n * 2n + p) / (2n * p); // percent × 100
  const s = hundredths.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

// Console helpers of the offer pages (docs/offers.md): status tags and the
// forms' Beijing-time pickers.
import { lookup } from '@/shared/i18n.js';

export const merchantStatusType = (s) => (s === 'active' ? 'success' : 'warning');
export const offerStatusType = (s) => (s === 'active' ? 'success' : 'warning');
export const merchantStatusLabel = (s) => lookup('merchantStatus', s, { fallback: true }) || s;
export const offerStatusLabel = (s) => lookup('offerStatus', s, { fallback: true }) || s;
export const terminalKindLabel = (k) => lookup('terminalKind', k, { fallback: true }) || k;

// 'YYYY-MM-DD HH:mm:ss' (as the picker gives it, Beijing time) → RFC 3339.
export function rfc3339(local) {
  return local ? local.replace(' ', 'T') + '+08:00' : '';
}

// An RFC 3339 time as the picker shows it, in Beijing time.
export function pickerValue(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 19);
}

// Now (or now + ms) in Beijing time, to the minute, as the picker wants it.
export function beijingLocal(offsetMs = 0) {
  return new Date(Date.now() + offsetMs).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16) + ':00';
}


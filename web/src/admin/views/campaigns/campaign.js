// Limited campaigns (docs/campaigns.md): times shown in Beijing time.
export function beijing(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
}

// 'YYYY-MM-DD HH:mm:ss' (as the picker gives it, Beijing time) → RFC 3339.
export function rfc3339(local) {
  return local ? local.replace(' ', 'T') + '+08:00' : '';
}

// Now (or now + ms) in Beijing time, to the minute, as the picker wants it.
export function beijingLocal(offsetMs = 0) {
  return new Date(Date.now() + offsetMs).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16) + ':00';
}

// The draw of a lottery campaign computed again from its published record
// (docs/campaigns.md, "Lottery mode"; src/modules/campaign/draw.h), with Web
// Crypto: {commitment, digest, winners} each true when it matches the record.
// Needs a secure context (HTTPS or localhost): `canRecompute()` says so.
export function canRecompute() {
  return typeof crypto !== 'undefined' && !!crypto.subtle;
}

const utf8 = (s) => new TextEncoder().encode(s);
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export async function recomputeDraw(record) {
  const ids = (record.registration_ids || []).map(Number);
  const sha = (s) => crypto.subtle.digest('SHA-256', utf8(s));
  const commitment = hex(await sha(record.seed));
  const digest = hex(await sha([...ids].sort((a, b) => a - b).map((id) => `${id}\n`).join('')));
  const key = await crypto.subtle.importKey('raw', await sha(record.seed + digest), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const scored = await Promise.all(ids.map(async (id) => [hex(await crypto.subtle.sign('HMAC', key, utf8(String(id)))), id]));
  scored.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const winners = scored.slice(0, Math.min(record.stock, scored.length)).map((x) => x[1]);
  const expected = (record.winner_registration_ids || []).map(Number);
  return {
    commitment: commitment === record.seed_commitment,
    digest: digest === record.registrations_digest,
    winners: winners.length === expected.length && winners.every((id, i) => id === expected[i]),
  };
}

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

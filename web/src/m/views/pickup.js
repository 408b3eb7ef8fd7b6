// A pickup code in groups of four ("4071 9286 3350" → ['4071', '9286', '3350']).
export function codeGroups(code) {
  const digits = String(code || '').replace(/\D/g, '');
  return digits.match(/.{1,4}/g) || [];
}

// A time in Beijing time, to the minute.
export function beijing(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
}

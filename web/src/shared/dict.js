// The roster's code tables (GET /api/v1/dictionaries, no login needed),
// loaded once and shared. Labels are the Chinese names from the server; in
// English the small enumerations have their own labels (locales/en.js `enum`).
import { reactive } from 'vue';
import { i18n } from './i18n.js';

export const dict = reactive({ loaded: false, tables: {} });
let pending = null;

export function loadDictionaries() {
  if (dict.loaded) return Promise.resolve(dict.tables);
  if (!pending) {
    pending = fetch('/api/v1/dictionaries', { headers: { Accept: 'application/json' } })
      .then((r) => {
        if (!r.ok) throw new Error(`dictionaries: HTTP ${r.status}`);
        return r.json();
      })
      .then((t) => {
        dict.tables = t;
        dict.loaded = true;
        return t;
      })
      .catch((e) => {
        pending = null;
        throw e;
      });
  }
  return pending;
}

export function dictLabel(field, code) {
  if (code === null || code === undefined || code === '') return '';
  const g = i18n.global;
  if (g.locale.value === 'en' && g.te(`enum.${field}.${code}`)) return g.t(`enum.${field}.${code}`);
  const row = (dict.tables[field] || []).find((e) => e.code === code);
  return row ? row.name : String(code);
}

// [{value, label}] for selects.
export function dictOptions(field) {
  return (dict.tables[field] || []).map((e) => ({ value: e.code, label: dictLabel(field, e.code) }));
}

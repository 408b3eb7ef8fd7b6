// vue-i18n: zh-CN by default, English as the second language. The choice is
// kept in localStorage (shared by the console and the member pages).
import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN.js';
import en from './locales/en.js';

const KEY = 'gh_lang';
export const LANGS = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'en', label: 'English' },
];

function initial() {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null;
  return LANGS.some((l) => l.code === saved) ? saved : 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLang(code) {
  i18n.global.locale.value = code;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
}

export function currentLang() {
  return i18n.global.locale.value;
}

if (typeof document !== 'undefined') document.documentElement.lang = initial();

// A message whose key contains dots (API codes such as `citizen_id.checksum`,
// permissions such as `member.read`), read straight from the locale's table
// instead of through vue-i18n's dotted paths. `fallback` also tries zh-CN.
export function lookup(section, key, { fallback = false } = {}) {
  const locs = fallback ? [i18n.global.locale.value, 'zh-CN'] : [i18n.global.locale.value];
  for (const loc of locs) {
    const table = i18n.global.getLocaleMessage(loc)?.[section];
    const v = table && table[key];
    if (typeof v === 'string') return v;
  }
  return null;
}

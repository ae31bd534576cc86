// Localization of the server's messages: English source strings are the keys of the l10n bundles
// (the same `bundle.l10n.<locale>.json` files the client uses), English is the fallback.
import ja from '../../l10n/bundle.l10n.ja.json';
import zhCn from '../../l10n/bundle.l10n.zh-cn.json';
import type { LocalizedText } from './catalog/types';

export type Locale = 'en' | 'zh-cn' | 'ja';

const bundles: Record<Locale, Record<string, string>> = { en: {}, 'zh-cn': zhCn, ja };

/** Maps an editor display language (`zh-cn`, `zh-CN`, `ja`, `ja-JP`, `en-US`, ...) to a supported locale. */
export function toLocale(displayLanguage: string | undefined): Locale {
  const lang = (displayLanguage ?? 'en').toLowerCase();
  if (lang === 'zh-cn' || lang === 'zh-hans' || lang === 'zh' || lang.startsWith('zh-hans') || lang === 'zh-sg') return 'zh-cn';
  if (lang === 'ja' || lang.startsWith('ja-')) return 'ja';
  return 'en';
}

export interface Localizer {
  readonly locale: Locale;
  /** Translates an English message and fills `{0}`, `{1}`, ... */
  t(message: string, ...args: (string | number)[]): string;
  /** Picks the catalog text in the locale, falling back to English. */
  text(text: LocalizedText | undefined): string | undefined;
}

export function createLocalizer(locale: Locale): Localizer {
  const bundle = bundles[locale];
  return {
    locale,
    t(message, ...args) {
      const template = bundle[message] ?? message;
      return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
        const value = args[Number(index)];
        return value === undefined ? whole : String(value);
      });
    },
    text(text) {
      if (!text) return undefined;
      return text[locale] ?? text.en;
    },
  };
}

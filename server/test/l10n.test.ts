// Every message the code localizes has a Chinese and a Japanese translation with the same
// placeholders, and the locale follows the editor's display language.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLocalizer, toLocale } from '../src/i18n';

const ROOT = join(__dirname, '..', '..', '..');
const keys = execFileSync(process.execPath, [join(ROOT, 'scripts', 'l10n-keys.mjs')], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const placeholders = (text: string) => (text.match(/\{\d+\}/g) ?? []).sort().join(',');
const code = (text: string) => (text.match(/`[^`]*`/g) ?? []).sort().join(',');

describe('localization', () => {
  for (const locale of ['zh-cn', 'ja']) {
    it(`translates every message into ${locale}, keeping placeholders and code`, () => {
      const bundle = JSON.parse(readFileSync(join(ROOT, 'l10n', `bundle.l10n.${locale}.json`), 'utf8')) as Record<string, string>;
      const missing = keys.filter((k) => !(k in bundle));
      assert.deepEqual(missing, [], `untranslated in ${locale}`);
      assert.deepEqual(Object.keys(bundle).filter((k) => !keys.includes(k)), [], `translations of messages the code no longer has (${locale})`);
      for (const key of keys) {
        assert.equal(placeholders(bundle[key]!), placeholders(key), `${locale}: placeholders of "${key}"`);
        assert.equal(code(bundle[key]!), code(key), `${locale}: code in "${key}"`);
      }
    });

    it(`the manifest has ${locale} strings for every %key%`, () => {
      const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8');
      const wanted = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
      const english = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
      const translated = JSON.parse(readFileSync(join(ROOT, `package.nls.${locale}.json`), 'utf8')) as Record<string, string>;
      assert.deepEqual(wanted.filter((k) => !(k in english) || !(k in translated)), []);
    });
  }

  it('follows the display language, English otherwise', () => {
    assert.equal(toLocale('zh-cn'), 'zh-cn');
    assert.equal(toLocale('zh-CN'), 'zh-cn');
    assert.equal(toLocale('ja'), 'ja');
    assert.equal(toLocale('en-us'), 'en');
    assert.equal(toLocale('de'), 'en');
    assert.equal(toLocale(undefined), 'en');
  });

  it('fills placeholders and falls back to English for unknown messages', () => {
    const zh = createLocalizer('zh-cn');
    assert.notEqual(zh.t('Change to {0}', 'POP'), 'Change to POP');
    assert.match(zh.t('Change to {0}', 'POP'), /POP/);
    assert.equal(zh.t('not a message {0}', 1), 'not a message 1');
    assert.equal(zh.text({ en: 'Health', 'zh-cn': '运行状况' }), '运行状况');
    assert.equal(createLocalizer('ja').text({ en: 'Health' }), 'Health');
  });
});

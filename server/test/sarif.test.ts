// The linter's SARIF is what GitHub code scanning accepts: valid against the OASIS SARIF 2.1.0
// schema (server/test/fixtures/sarif-schema-2.1.0.json, from the sarif-spec repository), with rule
// metadata and help links into docs/language.md; and every diagnostic, in the editor too, links there.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import { codeHref, DIAGNOSTIC_CODES } from '../src/analysis/diagnostics';
import { parseRuleDocs } from '../src/cli/ruleDocs';
import { diagnose } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const LINT = join(__dirname, '..', 'src', 'cli', 'lint.js');
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'server', 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const DOCS = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');

function lintSarif(path: string): Promise<{ code: number; log: SarifLog }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [LINT, '--format', 'sarif', path], { timeout: 60_000, cwd: ROOT }, (error, stdout) => {
      try {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, log: JSON.parse(stdout) as SarifLog });
      } catch (parseError) {
        reject(parseError as Error);
      }
    });
  });
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription?: { text: string };
  help?: { text: string; markdown: string };
  helpUri: string;
}
interface SarifLog {
  runs: { tool: { driver: { rules: SarifRule[] } }; results: { ruleId: string; ruleIndex: number }[] }[];
}

describe('SARIF for code scanning', () => {
  // The schema's two formats, checked rather than ignored: helpUri and informationUri must be URIs.
  const formats = { uri: (value: string) => URL.canParse(value), 'date-time': (value: string) => !Number.isNaN(Date.parse(value)) };
  const validate = new Ajv({ strict: false, allErrors: true, formats }).compile(SCHEMA);

  it('is valid SARIF 2.1.0, for runbooks with findings and without', async () => {
    for (const path of ['server/test/fixtures/seed-pop-literal.exrunbook', 'examples']) {
      const { log } = await lintSarif(path);
      const valid = validate(log);
      assert.ok(valid, `${path}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
    }
  });

  it('a broken schema check would fail: the validator rejects a log without its version', () => {
    assert.equal(validate({ runs: [] }), false);
  });

  it('describes every rule from docs/language.md, with a help link to its entry', async () => {
    const { code, log } = await lintSarif('server/test/fixtures/seed-pop-literal.exrunbook');
    assert.equal(code, 1);
    const rules = log.runs[0]!.tool.driver.rules;
    assert.deepEqual(rules.map((r) => r.id), Object.keys(DIAGNOSTIC_CODES));
    for (const rule of rules) {
      assert.ok(rule.shortDescription?.text && rule.help?.text, `${rule.id} has no description`);
      assert.equal(rule.helpUri, codeHref(rule.id));
      assert.ok(DOCS.includes(`<a id="${rule.id}"></a>`), `docs/language.md has no anchor for ${rule.id}`);
    }
    const placeholder = rules.find((r) => r.id === 'placeholder')!;
    assert.equal(placeholder.name, 'Placeholder');
    const results = log.runs[0]!.results;
    assert.ok(results.length > 0);
    for (const result of results) assert.equal(rules[result.ruleIndex]!.id, result.ruleId);
  });

  it('reads meaning and fix from the reference table as plain text', () => {
    const docs = parseRuleDocs('| <a id="unknown-monitor"></a>`unknown-monitor` | E | A monitor that does not exist (`for monitor X`). More. | Quick fix: the closest. |');
    assert.deepEqual(docs.get('unknown-monitor'), { summary: 'A monitor that does not exist (for monitor X).', meaning: 'A monitor that does not exist (for monitor X). More.', fix: 'Quick fix: the closest.' });
  });
});

describe('codeDescription', () => {
  it('links every diagnostic in the editor to its entry in the language reference', async () => {
    const diagnostics = await diagnose(readFileSync(join(ROOT, 'server', 'test', 'fixtures', 'seed-pop-literal.exrunbook'), 'utf8'));
    assert.ok(diagnostics.length > 5);
    for (const d of diagnostics) {
      assert.equal(d.codeDescription?.href, `https://github.com/exchange-health-runbooks/exchange-health-runbooks/blob/main/docs/language.md#${String(d.code)}`);
    }
  });
});

// The seed topic transcribed literally, defects and all (server/test/fixtures/seed-pop-literal.exrunbook):
// every defect the file marks with `# DEFECT <code>` is reported on the line below the comment,
// with the code and the fix the fixture expects; and nothing is reported that is not marked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { diagnose, fixTexts } from './helpers';

const FIXTURE = join(__dirname, '..', '..', '..', 'server', 'test', 'fixtures', 'seed-pop-literal.exrunbook');
const text = readFileSync(FIXTURE, 'utf8');
const lines = text.split('\n');

/** `# DEFECT code` comments with the line they describe (the next line that is not a comment). */
const defects = lines.flatMap((line, index) => {
  const match = /^\s*# DEFECT ([a-z-]+):/.exec(line);
  if (!match) return [];
  let target = index + 1;
  while (/^\s*#/.test(lines[target] ?? '')) target++;
  return [{ code: match[1]!, line: target, comment: index + 1 }];
});

/** The fix each kind of defect must offer, where the right fix is clear. */
const EXPECTED_FIX: Record<string, (d: Diagnostic) => boolean> = {
  'misspelt-name': (d) => fixTexts(d).includes('PopDeepTestMonitor') || fixTexts(d).includes('PopCTPMonitor'),
  'unknown-parameter': (d) => fixTexts(d).includes('-ProtocolLogEnabled'),
  'unknown-property': (d) => fixTexts(d).includes('ResultType'),
  placeholder: (d) => fixTexts(d).includes('$Server'),
  'missing-confirm': (d) => fixTexts(d).includes(' confirm'),
  'not-undone': () => true,
  'example-name': (d) => fixTexts(d).includes('$Server'),
};

describe('the seed topic, transcribed literally', () => {
  let diagnostics: Diagnostic[] = [];
  before(async () => {
    diagnostics = await diagnose(text);
  });

  it('marks every kind of defect the topic has', () => {
    const kinds = new Set(defects.map((d) => d.code));
    for (const code of ['misspelt-name', 'unknown-parameter', 'unknown-property', 'placeholder', 'missing-confirm', 'not-undone', 'restart-before-failover', 'example-name']) {
      assert.ok(kinds.has(code), `the fixture marks no ${code}`);
    }
  });

  for (const defect of defects) {
    it(`reports ${defect.code} marked at line ${defect.comment}`, () => {
      const found = diagnostics.filter((d) => d.code === defect.code && d.range.start.line === defect.line);
      assert.ok(found.length > 0, `no ${defect.code} on line ${defect.line + 1}: ${lines[defect.line]!.trim()}\ngot: ${diagnostics.filter((d) => d.range.start.line === defect.line).map((d) => `${String(d.code)} ${String(d.message)}`).join('; ')}`);
      const fix = EXPECTED_FIX[defect.code];
      if (fix) assert.ok(found.some(fix), `${defect.code} on line ${defect.line + 1} lacks the expected fix: ${found.map((d) => fixTexts(d).join(',')).join(' | ')}`);
    });
  }

  it('reports nothing the fixture does not mark', () => {
    const marked = new Set(defects.map((d) => `${d.code}@${d.line}`));
    const unmarked = diagnostics.filter((d) => !marked.has(`${String(d.code)}@${d.range.start.line}`));
    assert.deepEqual(unmarked.map((d) => `${d.range.start.line + 1}: ${String(d.code)} ${String(d.message)}`), []);
  });

  it('names the escalation path where the failover is never undone', () => {
    const notUndone = diagnostics.filter((d) => d.code === 'not-undone').map((d) => String(d.message));
    assert.ok(notUndone.some((m) => /DatabaseCopyActivationDisabledAndMoveNow/.test(m) && /escalation/.test(m)), notUndone.join('\n'));
  });
});

// docs/language.md documents every diagnostic code the server can report, and nothing else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { DIAGNOSTIC_CODES } from '../src/analysis/diagnostics';

it('docs/language.md has a row for every diagnostic code', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'language.md'), 'utf8');
  const documented = [...doc.matchAll(/<a id="([a-z-]+)"><\/a>`\1`/g)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(DIAGNOSTIC_CODES).sort());
});

// Property-based fuzzing over mutated runbooks (seeded, so every run tries the same inputs, and
// bounded: a fixed number of mutants, cut short by a time budget on a very slow machine). For each
// mutant: no feature throws, formatting is idempotent and changes no diagnostic, the incremental
// analysis equals a fresh one, and analysing another document changes nothing in this one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { RunbookLanguageService } from '../src/languageService';
import { applyEdits, languageService } from './helpers';
import { mutate, random } from './mutate';

const ROOT = join(__dirname, '..', '..', '..');
const SEEDS = [
  ...readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.exrunbook')).map((f) => join(ROOT, 'examples', f)),
  join(ROOT, 'server', 'test', 'fixtures', 'seed-pop-literal.exrunbook'),
].map((f) => readFileSync(f, 'utf8'));

const MUTANTS = 160;
const TIME_BUDGET_MS = 60_000;

const key = (d: Diagnostic): string => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`;
/** What formatting must not change: which diagnostics, on which lines (columns move with indentation). */
const meaning = (ds: Diagnostic[]): string[] => ds.map((d) => `${String(d.code)}@${d.range.start.line} ${d.message}`).sort();

describe('fuzzing over mutated runbooks', () => {
  let service: RunbookLanguageService;
  before(async () => {
    service = await languageService();
  });

  it(`holds every property on ${MUTANTS} seeded mutants`, () => {
    const next = random(0x9e3779b9);
    const started = Date.now();
    let tried = 0;
    for (let i = 0; i < MUTANTS && Date.now() - started < TIME_BUDGET_MS; i++, tried++) {
      const seed = SEEDS[i % SEEDS.length]!;
      const text = mutate(seed, next);
      const uri = `file:///fuzz/${i}.exrunbook`;
      const context = `mutant ${i}`;

      // Warm caches: the seed first, as an editor would have it before the edit.
      service.diagnostics(service.analyze(seed, uri), uri, 'en');
      const model = service.analyze(text, uri);
      const incremental = service.diagnostics(model, uri, 'en').map(key);

      // No feature throws.
      service.documentSymbols(model);
      service.foldingRanges(model);
      service.codeLenses(model, uri);
      for (let p = 0; p < 5; p++) {
        const line = Math.floor(next() * model.lines.length);
        const position = { line, character: Math.floor(next() * ((model.lines[line]?.length ?? 0) + 1)) };
        service.completion(model, position);
        service.hover(model, position);
        service.definition(model, uri, position);
      }

      // Another document, analysed in between, changes nothing here.
      const other = mutate(SEEDS[(i + 1) % SEEDS.length]!, next);
      service.diagnostics(service.analyze(other, `file:///fuzz/other-${i}.exrunbook`), `file:///fuzz/other-${i}.exrunbook`, 'en');
      assert.deepEqual(service.diagnostics(service.analyze(text, uri), uri, 'en').map(key), incremental, context);

      // Incremental equals fresh.
      service.clearCaches();
      assert.deepEqual(service.diagnostics(service.analyze(text, uri), uri, 'en').map(key), incremental, `${context} (fresh)`);

      // Formatting: idempotent, and the same diagnostics on the same lines.
      const formatted = applyEdits(text, service.format(service.analyze(text, uri)));
      const again = applyEdits(formatted, service.format(service.analyze(formatted, uri)));
      assert.equal(again, formatted, `${context}: formatting twice differs\n${JSON.stringify(text)}`);
      assert.deepEqual(meaning(service.diagnostics(service.analyze(formatted, uri), uri, 'en')), meaning(service.diagnostics(service.analyze(text, uri), uri, 'en')), `${context}: formatting changed a diagnostic\n${JSON.stringify(text)}`);
    }
    assert.ok(tried >= 20, `only ${tried} mutants in the time budget`);
  });
});

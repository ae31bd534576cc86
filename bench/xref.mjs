// What references between runbooks cost: a workspace of N runbooks (the POP.Protocol example under
// N ids), each handing over to the next and reusing the next one's probe step. Measures, in
// process, the validation of one runbook with the workspace against the same runbook alone, the
// re-validation of a dependent after a keystroke in the runbook it refers to, and a find-references
// that crosses every file. Figures only: nothing here fails.
//
//   node bench/xref.mjs [N=200] [--runs 30]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildService, loadService, ROOT } from './lib/service.mjs';
import { fmt, now, summarize } from './lib/stats.mjs';

const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 30;

await buildService();
const { RunbookLanguageService } = loadService();
const service = await RunbookLanguageService.create();
const base = readFileSync(join(ROOT, 'examples', 'pop-protocol.exrunbook'), 'utf8');

const id = (i) => `pop-protocol-${i}`;
const uri = (i) => `file:///bench/xref/${id(i)}.exrunbook`;
/** The example under its own id, handing over to the next runbook and reusing its probe step. */
const runbook = (i, edit = '') =>
  base
    .replace('runbook pop-protocol ', `runbook ${id(i)} `)
    .replace('    when ResultType is not Succeeded -> fail-back-escalate\n', `    when ResultType is not Succeeded -> ${id((i + 1) % count)}:recover${edit}\n`)
    .replace('step rerun-deep = verify.rerun-deep', `step rerun-deep = ${id((i + 1) % count)}:verify.rerun-deep`);

const sample = (fn) => {
  fn();
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t = now();
    fn();
    times.push(now() - t);
  }
  return summarize(times);
};

const t0 = now();
const workspace = service.createWorkspace();
for (let i = 0; i < count; i++) workspace.set(uri(i), runbook(i));
const indexMs = now() - t0;

const text0 = runbook(0);
const alone = sample(() => service.diagnostics(service.analyze(base, 'file:///bench/alone.exrunbook'), 'file:///bench/alone.exrunbook', 'en'));
const linked = sample(() => service.diagnostics(service.analyze(text0, uri(0), workspace), uri(0), 'en'));
const crossCodes = service.diagnostics(service.analyze(text0, uri(0), workspace), uri(0), 'en').map((d) => d.code);

// A keystroke in runbook 1 (which runbook 0 reuses and hands over to), then runbook 0 again.
let keystroke = 0;
const afterKeystroke = sample(() => {
  workspace.set(uri(1), runbook(1, ` `.repeat(++keystroke % 2)));
  service.diagnostics(service.analyze(text0, uri(0), workspace), uri(0), 'en');
});

// Find the references of verify.rerun-deep of runbook 1: reused by runbook 0 and by its own steps.
const model1 = service.analyze(runbook(1), uri(1), workspace);
const lines1 = runbook(1).split('\n');
const line = lines1.findIndex((l) => l.includes('step rerun-deep "'));
const position = { line, character: lines1[line].indexOf('rerun-deep') + 2 };
const references = sample(() => service.references(model1, uri(1), position, true));
const found = service.references(model1, uri(1), position, true);

console.log(`workspace of ${count} runbooks (${base.split('\n').length} lines each), ${runs} runs, median (p95) ms`);
console.log(`  index ${count} texts (analysed lazily)          ${fmt(indexMs)}`);
console.log(`  validate the example alone                     ${fmt(alone.median)} (${fmt(alone.p95)})`);
console.log(`  validate it with its cross references          ${fmt(linked.median)} (${fmt(linked.p95)})   diagnostics: ${JSON.stringify(crossCodes)}`);
console.log(`  keystroke in the runbook it refers to + again  ${fmt(afterKeystroke.median)} (${fmt(afterKeystroke.p95)})`);
console.log(`  find references across the workspace          ${fmt(references.median)} (${fmt(references.p95)})   ${found.length} locations in ${new Set(found.map((l) => l.uri)).size} files`);

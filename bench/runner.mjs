// bench/runner.mjs: the step runner's work between the end of a command in the terminal and the
// branch shown: strip the terminal stream, find this run's JSON between its markers, decide the
// branch with the runtime engine, compute the decorations and the Next lens. Goal < 100 ms.
// Measured outside VS Code on the compiled sources (npm run compile-tests first); what VS Code adds
// (the end event's dispatch, drawing the decorations and the lens) is not in these figures.
//
//   npm run compile-tests && node bench/runner.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const out = (p) => join(ROOT, 'out', p);
const { parseStepOutput } = require(out('client/src/runner/capture.js'));
const { marksFor, nextLensLine } = require(out('client/src/runner/runState.js'));
const { decide } = require(out('server/src/runtime/engine.js'));
const { buildRunbookPlan } = require(out('server/src/analysis/plan.js'));
const { RunbookLanguageService } = require(out('server/src/languageService.js'));

const service = await RunbookLanguageService.create();
const plan = buildRunbookPlan(service.analyze(readFileSync(join(ROOT, 'examples/pop.exrunbook'), 'utf8')), 'file:///pop.exrunbook');

/** What the terminal streams for a step whose last pipeline wrote `objects` monitors, as Format-List shows them. */
function stream(objects, nonce) {
  const lines = ['\x1b]633;C\x07\x1b[?1l'];
  const rows = [];
  for (let i = 0; i < objects; i++) {
    const alert = i % 7 === 0 ? 'Unhealthy' : 'Healthy';
    rows.push({ Name: i === 3 ? 'PopCTPMonitor' : `Monitor${i}`, AlertValue: alert });
    lines.push('', `Server          : EX-MBX${String(i % 200).padStart(2, '0')}`, `Name            : ${rows[i].Name}`, `HealthSetName   : POP`, `AlertValue      : \x1b[31m${alert}\x1b[0m`, `TargetResource  : MSExchangePOP3`, `LastTransitionTime : 11/30/2026 23:12:05`);
  }
  lines.push(`<<<EXR:${nonce}>>>`, JSON.stringify({ ok: true, errors: 0, exitCode: null, count: objects, objects: rows }), `<<<EXR:${nonce}:END>>>`, '\x1b]633;D;0\x07\x1b[6n');
  return lines.join('\r\n');
}

function measure(objects, iterations) {
  const nonce = 'a1b2c3d4e5f6';
  const raw = stream(objects, nonce);
  const times = [];
  let taken;
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    const parsed = parseStepOutput(raw, nonce);
    const decision = decide(plan, { procedure: 'verify', step: 'health' }, { objects: parsed.result.objects });
    const outcome = { procedure: 'verify', step: 'health', status: 'succeeded', time: new Date().toISOString(), branch: decision.branch?.index, next: decision.next };
    marksFor(plan, [outcome]);
    nextLensLine(plan, outcome);
    times.push(performance.now() - start);
    taken = decision.next;
  }
  times.sort((a, b) => a - b);
  const pick = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { objects, chars: raw.length, median: pick(0.5), p95: pick(0.95), max: times[times.length - 1], next: taken };
}

console.log('End of command -> branch shown (pure part), pop.exrunbook verify.health, goal < 100 ms');
console.log('objects  stream chars  median ms  p95 ms  max ms  branch');
for (const [objects, iterations] of [[1, 500], [50, 300], [1600, 40]]) {
  const r = measure(objects, iterations);
  console.log(`${String(r.objects).padStart(7)}  ${String(r.chars).padStart(12)}  ${r.median.toFixed(2).padStart(9)}  ${r.p95.toFixed(2).padStart(6)}  ${r.max.toFixed(2).padStart(6)}  ${r.next.kind === 'step' ? `${r.next.procedure}.${r.next.step}` : r.next.kind}`);
}

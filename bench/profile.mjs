// Where a warm validation spends its time, by function: CPU profile of repeated keystroke
// validations of one runbook (V8's sampling profiler through node:inspector), summarised as the
// functions with the most self time and the most inclusive time. Run by `npm run bench -- --profile`
// or directly:
//
//   node bench/profile.mjs <file.exrunbook> [--runs N] [--save file.cpuprofile]
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { BUNDLE, loadService } from './lib/service.mjs';
import { now, report } from './lib/stats.mjs';

const file = process.argv[2];
const option = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(option('--runs') ?? 10);
const text = readFileSync(file, 'utf8');
const s = loadService();
const service = await s.RunbookLanguageService.create();
const at = text.indexOf('-LogFileLocation "', text.length >> 1);
const close = text.indexOf('"', at + 18);
const validate = (i) => service.diagnostics(service.analyze(text.slice(0, close) + 'x'.repeat(i + 1) + text.slice(close)), 'file:///bench/p.exrunbook', 'en');
for (let i = 0; i < 3; i++) validate(i);

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const t0 = now();
for (let i = 0; i < runs; i++) validate(10 + i);
const wall = now() - t0;
const { profile } = await session.post('Profiler.stop');
session.disconnect();
const save = option('--save');
if (save) writeFileSync(save, JSON.stringify(profile));

// Self and inclusive time per function, counted over the samples taken inside `validate` (plus the
// garbage collector, whose work the validations cause). Functions are named with the source file
// they come from: esbuild marks each file's section of the bundle with a `// path` comment line.
const bundleLines = readFileSync(BUNDLE, 'utf8').split('\n');
const sections = [];
bundleLines.forEach((line, i) => {
  const m = /^\/\/ ((?:server|node_modules)\/\S+)$/.exec(line);
  if (m) sections.push({ line: i, file: m[1].split('/').pop() });
});
const sourceOf = (line) => {
  let file = '?';
  for (const section of sections) {
    if (section.line > line) break;
    file = section.file;
  }
  return file;
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url.endsWith('service.cjs') ? sourceOf(lineNumber) : url ? url.split('/').pop() : '';
  return (functionName || '(anonymous)') + (where ? ` (${where})` : '');
};
const isValidate = (n) => n.callFrame.functionName === 'validate' && n.callFrame.url.endsWith('profile.mjs');
const selfTime = new Map();
const inclusive = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  const chain = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) chain.push(byId.get(cur));
  const gcSample = chain[0].callFrame.functionName === '(garbage collector)';
  const inside = chain.findIndex(isValidate);
  if (!gcSample && inside < 0) return;
  total += dt;
  const name = label(chain[0]);
  selfTime.set(name, (selfTime.get(name) ?? 0) + dt);
  const seen = new Set();
  for (const node of gcSample ? chain.slice(0, 1) : chain.slice(0, inside)) {
    const n = label(node);
    if (seen.has(n)) continue;
    seen.add(n);
    inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
  }
});
const top = (map, n) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, msPerValidation: ms / runs, share: ms / total }));
report({ file, runs, wallMsPerValidation: wall / runs, sampledMsPerValidation: total / runs, self: top(selfTime, 15), inclusive: top(inclusive, 25) });

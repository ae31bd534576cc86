// Where a warm validation spends its time, by function: CPU profile of repeated keystroke
// validations of one runbook (V8's sampling profiler through node:inspector), summarised as the
// functions with the most self time and the most inclusive time. Run by `npm run bench -- --profile`
// or directly:
//
//   node bench/profile.mjs <file.exrunbook> [--runs N] [--save file.cpuprofile]
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadService } from './lib/service.mjs';
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

// Self and inclusive time per function (name + line in the bundle; names are the sources' names).
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => (n.callFrame.functionName || '(anonymous)') + (n.callFrame.url.includes('service.cjs') ? '' : n.callFrame.url ? ` [${n.callFrame.url.split('/').pop()}]` : '');
const selfTime = new Map();
const inclusive = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  total += dt;
  const node = byId.get(id);
  selfTime.set(label(node), (selfTime.get(label(node)) ?? 0) + dt);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const name = label(byId.get(cur));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  }
});
const top = (map, n, skip = () => false) =>
  [...map]
    .filter(([name]) => !skip(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, msPerValidation: ms / runs, share: ms / total }));
const plumbing = (name) => ['(root)', '(program)', '(idle)', 'validate', 'diagnostics', 'analyze', '(anonymous) [profile.mjs]'].includes(name) || name.includes('[profile.mjs]');
report({ file, runs, wallMsPerValidation: wall / runs, self: top(selfTime, 15), inclusive: top(inclusive, 22, plumbing) });

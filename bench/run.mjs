// `npm run bench`: every benchmark of the language server, with the yaml-language-server comparison
// measured in the same run. Prints a table and writes bench/results/latest.json. Figures only: no
// threshold here fails anything; targets are reported as met or missed.
//
//   npm run build && npm run bench              the whole run (~2-3 minutes on 2 cores)
//   npm run bench -- --profile                  also a CPU profile of warm 10k validations (+~15 s)
//
// Each measurement runs in its own child process, one after the other (never two at once on a
// 2-core machine), so "cold" really is the first analysis of a fresh process.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { generate } from './generate.mjs';
import { runRobust } from './robust.mjs';
import { buildService, ROOT } from './lib/service.mjs';
import { fmt, now, RESULT_MARKER, summarize } from './lib/stats.mjs';

const started = now();
const startedAt = new Date().toISOString();
const loadAtStart = loadavg();
/** Busy and total CPU time of the whole machine so far (Linux /proc/stat), to tell a quiet run from a busy one. */
const cpuTimes = () => {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
};
const cpuAtStart = cpuTimes();
const withProfile = process.argv.includes('--profile');
const RESULTS = join(ROOT, 'bench', 'results');
const GENERATED = join(RESULTS, 'generated');
mkdirSync(GENERATED, { recursive: true });

const TARGETS = { validate10kMs: 20, completionMs: 5, yamlRatio: 5 };
const SIZES = [
  { name: '1k', lines: 1000, coldSpawns: 4 },
  { name: '10k', lines: 10000, coldSpawns: 4 },
  { name: '50k', lines: 50000, coldSpawns: 2 },
];

// ---- preconditions ---------------------------------------------------------------------------------
const serverBundle = join(ROOT, 'dist', 'server.js');
if (!existsSync(serverBundle)) {
  console.error('dist/server.js is missing: run `npm run build` first (npm run build && npm run bench).');
  process.exit(1);
}
const newestSource = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((t, e) => Math.max(t, e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
const staleBundle = Math.max(newestSource(join(ROOT, 'server', 'src')), newestSource(join(ROOT, 'server', 'catalog'))) > statSync(serverBundle).mtimeMs;
if (staleBundle) console.warn('warning: server/ changed after dist/server.js was built; the LSP figures measure the older bundle (npm run build).');

process.stdout.write('Building the in-process service from server/src ... ');
await buildService();
console.log('done.');

// ---- generated runbooks --------------------------------------------------------------------------
const docs = {};
for (const size of SIZES) {
  const { text, yaml, stats } = generate(size.lines);
  const file = join(GENERATED, `runbook-${size.name}.exrunbook`);
  const yamlFile = join(GENERATED, `runbook-${size.name}.yaml`);
  writeFileSync(file, text);
  writeFileSync(yamlFile, yaml);
  docs[size.name] = { file, yamlFile, stats };
}

/** Runs a benchmark script in a fresh node and returns the result it reports. */
function child(script, args, { nodeArgs = ['--expose-gc'] } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bench', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (code !== 0 || !line) reject(new Error(`${script} ${args.join(' ')} exited with ${code}\n${out}`));
      else resolve(JSON.parse(line.slice(RESULT_MARKER.length)));
    });
  });
}

const step = (label) => process.stdout.write(`  ${label} ...`.padEnd(58));
const done = (t0) => console.log(` ${((now() - t0) / 1000).toFixed(1)} s`);
console.log('Measuring (each line is one or more fresh processes):');

// ---- in-process validation, completion, memory -----------------------------------------------------
const validation = {};
for (const size of SIZES) {
  const t0 = now();
  step(`validation ${size.name}${size.name === '1k' ? ' + completion' : ''}`);
  const full = await child('validate.mjs', [docs[size.name].file, ...(size.name === '1k' ? ['--completion'] : [])]);
  const cold = [full.coldMs];
  const coldCpu = [full.coldCpuMs];
  for (let i = 0; i < size.coldSpawns; i++) {
    const only = await child('validate.mjs', [docs[size.name].file, '--cold-only']);
    cold.push(only.coldMs);
    coldCpu.push(only.coldCpuMs);
  }
  validation[size.name] = { ...full, coldProcess: { ...summarize(cold), cpuMedian: summarize(coldCpu).median } };
  done(t0);
}

let t0 = now();
step('LSP: start-up, keystroke, completion, server memory');
const lsp = await child('lsp.mjs', [docs['1k'].file, docs['10k'].file], { nodeArgs: [] });
done(t0);

const yaml = {};
for (const name of ['1k', '10k']) {
  t0 = now();
  step(`yaml-language-server ${name}`);
  yaml[name] = await child('yaml.mjs', [docs[name].yamlFile]);
  done(t0);
}

// The PowerShell session against real pwsh and the simulator (bench/session.mjs). Without pwsh or
// the simulator it is reported as not measured, and the language-server figures still stand.
let session;
t0 = now();
step('PowerShell session: poll, new pwsh per server, latency, per call');
try {
  session = await child('session.mjs', [], { nodeArgs: [] });
} catch (error) {
  session = { error: String(error.message).split('\n')[0] };
}
done(t0);

t0 = now();
console.log('  robustness shapes (bench/robust.mjs), a fresh process each:');
const robust = await runRobust({ progress: (name) => console.log(`    ${name}`) });
process.stdout.write(''.padEnd(58));
done(t0);

let profile;
if (withProfile) {
  t0 = now();
  step('CPU profile of warm 10k validations');
  profile = await child('profile.mjs', [docs['10k'].file, '--runs', '10'], { nodeArgs: [] });
  done(t0);
}

// ---- the table ---------------------------------------------------------------------------------------
const loadAtEnd = loadavg();
const cpuAtEnd = cpuTimes();
const nproc = Number(execFileSync('nproc').toString().trim());
// Average number of busy CPUs over the run. The benchmark itself keeps about one busy (one process
// at a time; the LSP client and server take turns), so clearly more than that is other work.
const busyCpus = cpuAtStart && cpuAtEnd ? ((cpuAtEnd.busy - cpuAtStart.busy) / (cpuAtEnd.total - cpuAtStart.total)) * nproc : undefined;
const machine = {
  nproc,
  averageBusyCpus: busyCpus === undefined ? undefined : +busyCpus.toFixed(2),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverage: { start: loadAtStart.map((l) => +l.toFixed(2)), end: loadAtEnd.map((l) => +l.toFixed(2)) },
};
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  if (execFileSync('git', ['status', '--porcelain', '--', 'server', 'scripts'], { cwd: ROOT }).toString().trim()) commit += ' (+ uncommitted changes in server/)';
} catch {}

const out = [];
const row = (cells, widths) => out.push(cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
const mark = (ok) => (ok ? 'met' : 'MISSED');

out.push(`Exchange Health Runbooks — benchmarks  (${startedAt}, commit ${commit})`);
out.push(
  `Machine: ${machine.nproc} CPUs (${machine.cpu}), node ${machine.node}; during the run ${busyCpus === undefined ? '?' : busyCpus.toFixed(2)} CPUs busy on average ` +
    `(the benchmark keeps about 1 busy); load average ${machine.loadAverage.start[0]} at start, ${machine.loadAverage.end[0]} at end`,
);
if (busyCpus !== undefined && busyCpus > 1.4) {
  out.push('WARNING: other work was running on the machine during the benchmark: the figures below are inflated and noisy.');
}
out.push('');
out.push('Generated runbooks (bench/generate.mjs; deterministic)');
const gw = [6, 7, 6, 6, 9, 9, 11, 10];
row(['size', 'lines', 'procs', 'steps', 'run cmds', 'distinct', 'diagnostics', 'YAML lines'], gw);
for (const size of SIZES) {
  const s = docs[size.name].stats;
  row([size.name, s.lines, s.procedures, s.steps, s.runCommands, s.distinctCommands, validation[size.name].diagnostics, s.yamlLines], gw);
}
out.push('');
out.push('Validation = analyze (runbook parse + PowerShell parse + model) + diagnostics (all checks), in-process, ms');
const vw = [58, 9, 9, 9, 5];
row(['', 'median', 'p95', 'CPU med', 'n'], vw);
for (const size of SIZES) {
  const v = validation[size.name];
  const r = (label, m) => row([`${size.name}  ${label}`, fmt(m.median), fmt(m.p95), fmt(m.cpuMedian), m.n], vw);
  r('cold: first analysis in a fresh process', v.coldProcess);
  r('cold cache: every cache emptied, process warm', v.coldCache);
  r('warm: keystroke inside a run command (1 re-parse)', v.warmRunEdit);
  r('warm: keystroke in a step title (no re-parse)', v.warmTitleEdit);
}
out.push('  (median/p95: wall time. CPU med: CPU time of the process for the same runs, GC threads included; wall ≫ CPU means the');
out.push('  machine was busy with other work.)');
const v10 = validation['10k'];
out.push(`Target: a 10k-line runbook validated in < ${TARGETS.validate10kMs} ms median — warm ${fmt(v10.warmRunEdit.median)} ms: ${mark(v10.warmRunEdit.median < TARGETS.validate10kMs)}; cold ${fmt(v10.coldProcess.median)} ms: ${mark(v10.coldProcess.median < TARGETS.validate10kMs)}`);
out.push('');
out.push('Where a warm validation goes (median ms per phase, timed in separate runs: they need not add up to the validation above;');
out.push('the model phase includes a second runbook parse, the PowerShell cache lookups and the reference resolution)');
const phaseNames = Object.keys(v10.phases);
const pw = [66, 8, 8, 8];
row(['phase', '1k', '10k', '50k'], pw);
for (const phase of phaseNames) row([phase, ...SIZES.map((s) => fmt(validation[s.name].phases[phase]))], pw);
row(['PowerShell, cold: every distinct command through tree-sitter', ...SIZES.map((s) => fmt(validation[s.name].powershell.coldParseMs))], pw);
row(['  per distinct command', ...SIZES.map((s) => fmt(validation[s.name].powershell.perCommandMs))], pw);
out.push('');
out.push('Completion on the 1k runbook, ms');
const cw = [30, 16, 16, 20, 20, 7];
row(['position', 'in-process med', 'in-process p95', 'LSP typed+req med', 'LSP typed+req p95', 'items'], cw);
const completionOk = [];
for (const [name, c] of Object.entries(validation['1k'].completion)) {
  const l = lsp.completion[name];
  completionOk.push(c.median < TARGETS.completionMs);
  row([name, fmt(c.median), fmt(c.p95), fmt(l?.typedTrigger.median), fmt(l?.typedTrigger.p95), c.items], cw);
}
out.push(`  LSP typed+req = didChange typing the trigger character, then textDocument/completion (the server re-analyses the document first).`);
out.push(`  LSP request alone (model cached): ${Object.entries(lsp.completion).map(([n, c]) => `${n.trim()} ${fmt(c.cachedModel.median)}`).join(', ')} ms median.`);
const lspCompletionOk = Object.values(lsp.completion).every((c) => c.typedTrigger.median < TARGETS.completionMs);
out.push(`Target: completion < ${TARGETS.completionMs} ms — in-process: ${mark(completionOk.every(Boolean))}; over LSP after typing the trigger: ${mark(lspCompletionOk)}`);
out.push('');
out.push('Over LSP (node dist/server.js --stdio), ms');
const lw = [70, 9, 9, 5];
row(['', 'median', 'p95', 'n'], lw);
row(['keystroke to diagnostics, 1k (didChange + textDocument/diagnostic)', fmt(lsp.keystroke.median), fmt(lsp.keystroke.p95), lsp.keystroke.n], lw);
row(['start-up: spawn to initialize result', fmt(lsp.startup.initialize.median), fmt(lsp.startup.initialize.p95), lsp.startup.initialize.n], lw);
row(['start-up: spawn to first diagnostics of the 1k runbook', fmt(lsp.startup.firstDiagnostics.median), fmt(lsp.startup.firstDiagnostics.p95), lsp.startup.firstDiagnostics.n], lw);
if (lsp.startup.shutdownToExit) row(['shutdown request to process exit', fmt(lsp.startup.shutdownToExit.median), fmt(lsp.startup.shutdownToExit.p95), lsp.startup.shutdownToExit.n], lw);
row(['10k: didOpen to first diagnostics (cold)', fmt(lsp.server10k.firstDiagnosticsMs), '', 1], lw);
row(['10k: first keystroke after didOpen to diagnostics', fmt(lsp.server10k.firstKeystrokeMs), '', 1], lw);
row(['10k: later keystrokes to diagnostics', fmt(lsp.server10k.keystroke.median), fmt(lsp.server10k.keystroke.p95), lsp.server10k.keystroke.n], lw);
out.push('');
out.push('Memory');
const m50 = validation['50k'].memory;
out.push(`  in-process, after validating the 50k runbook (model + diagnostics held, after GC): heapUsed ${m50.afterValidation.heapUsedMB} MB (service alone ${m50.baseline.heapUsedMB} MB), RSS ${m50.afterValidation.rssMB} MB, external ${m50.afterValidation.externalMB} MB${m50.afterValidation.gcExposed ? '' : ' (no --expose-gc: not after GC)'}`);
for (const name of ['1k', '10k']) {
  const m = validation[name].memory.afterValidation;
  out.push(`  in-process, ${name}: heapUsed ${m.heapUsedMB} MB, RSS ${m.rssMB} MB`);
}
out.push(`  server process with the 10k runbook open and validated: VmRSS ${lsp.server10k.VmRSSMB} MB (peak VmHWM ${lsp.server10k.VmHWMMB} MB)`);
out.push('');
out.push('Comparison: yaml-language-server 1.19.2 on the same runbooks written as YAML (bench/yaml/runbook.schema.json), in-process, ms');
out.push('  NOTE: ours is the FULL Exchange-aware validation (PowerShell parsed with tree-sitter, cmdlets, parameters,');
out.push('  values, conditions, every path of the run); theirs is schema-only (structure, enums, patterns).');
const yw = [14, 14, 14, 14, 14, 16, 12];
row(['size', 'yaml warm med', 'ours warm med', 'ratio y/ours', 'yaml cold', 'ours cold proc', 'ratio cold'], yw);
const ratios = {};
for (const name of ['1k', '10k']) {
  const y = yaml[name];
  const o = validation[name];
  ratios[name] = { warm: y.warm.median / o.warmRunEdit.median, cold: y.coldMs / o.coldProcess.median };
  row([`${name} (${y.lines - 1} YAML lines)`, fmt(y.warm.median), fmt(o.warmRunEdit.median), ratios[name].warm.toFixed(2) + '×', fmt(y.coldMs), fmt(o.coldProcess.median), ratios[name].cold.toFixed(2) + '×'], yw);
}
out.push(`  YAML diagnostics: ${yaml['1k'].diagnostics} (1k), ${yaml['10k'].diagnostics} (10k) — the YAML documents are valid against the schema.`);
out.push(`Target: ours at least ${TARGETS.yamlRatio}× faster (warm) — 1k ${ratios['1k'].warm.toFixed(2)}×: ${mark(ratios['1k'].warm >= TARGETS.yamlRatio)}; 10k ${ratios['10k'].warm.toFixed(2)}×: ${mark(ratios['10k'].warm >= TARGETS.yamlRatio)}`);
if (profile) {
  out.push('');
  out.push(`CPU profile, warm keystroke validation of the 10k runbook (${fmt(profile.wallMsPerValidation)} ms per validation while profiled)`);
  out.push('  inclusive ms/validation:  ' + profile.inclusive.slice(0, 16).map((f) => `${f.name} ${fmt(f.msPerValidation)}`).join(' | '));
  out.push('  self ms/validation:       ' + profile.self.slice(0, 12).map((f) => `${f.name} ${fmt(f.msPerValidation)}`).join(' | '));
}
out.push('');
out.push('PowerShell session (bench/session.mjs; real pwsh, the Exchange simulator), ms');
if (session.error) {
  out.push(`  not measured: ${session.error}`);
} else {
  const s = session;
  out.push(`  (c) overhead per call (a trivial request, round trip from Node): median ${fmt(s.overheadPerCall.median)}, p95 ${fmt(s.overheadPerCall.p95)} (n ${s.overheadPerCall.n})`);
  out.push(`  (a) one poll of ${s.servers} servers through the session (${s.poll.concurrency} at a time): median ${fmt(s.poll.warm.median)}, pwsh CPU ${fmt(s.poll.warm.cpuMedian)} (first poll, runspaces cold: ${fmt(s.poll.firstMs)}); ${s.poll.answered} answered, ${s.poll.monitors} monitors`);
  out.push(`      the simulator's own cost for the same data in one call: ${fmt(s.poll.simulatorOneCallMs.median)}, pwsh CPU ${fmt(s.poll.simulatorOneCallMs.cpuMedian)}`);
  out.push(`      a new pwsh per server: median ${fmt(s.perProcess.perServer.median)} per server (${s.perProcess.sample} measured) = ${fmt(s.perProcess.totalEstimateMs)} for ${s.servers}`);
  out.push(`      Target: >= 20x faster through the session — ${s.perProcess.ratio.toFixed(1)}x: ${mark(s.perProcess.ratio >= 20)}`);
  out.push(`  (b) ${s.latency.latencyMs} ms latency per server, ${s.servers} servers: fanned out (${s.latency.concurrency} at a time) median ${fmt(s.latency.fanned.median)} (pwsh CPU ${fmt(s.latency.fanned.cpuMedian)}); one after another ${fmt(s.latency.serialEstimateMs)} (scaled from ${s.latency.serialSample}): ${s.latency.ratio.toFixed(1)}x`);
  out.push(`      Target: fanned out < 3000 ms — ${mark(s.latency.fanned.median < 3000)}`);
  if (s.waitBound) {
    out.push(`  (b') the same with a stand-in whose 200 ms are waiting, not local CPU (as against real Exchange): fanned out median ${fmt(s.waitBound.fanned.median)} (pwsh CPU ${fmt(s.waitBound.fanned.cpuMedian)}); one after another ${fmt(s.waitBound.serialEstimateMs)} (scaled from ${s.waitBound.serialSample}): ${mark(s.waitBound.fanned.median < 3000)}`);
  }
}
out.push('');
out.push(robust.table);
const wallSeconds = (now() - started) / 1000;
out.push('');
out.push(`Whole run: ${wallSeconds.toFixed(0)} s. Results: bench/results/latest.json`);
console.log('\n' + out.join('\n'));

const results = {
  startedAt,
  commit,
  machine,
  wallSeconds,
  staleServerBundle: staleBundle,
  targets: {
    ...TARGETS,
    validate10kWarmMet: v10.warmRunEdit.median < TARGETS.validate10kMs,
    validate10kColdMet: v10.coldProcess.median < TARGETS.validate10kMs,
    completionInProcessMet: completionOk.every(Boolean),
    completionLspMet: lspCompletionOk,
    yamlRatio1kMet: ratios['1k'].warm >= TARGETS.yamlRatio,
    yamlRatio10kMet: ratios['10k'].warm >= TARGETS.yamlRatio,
  },
  runbooks: Object.fromEntries(SIZES.map((s) => [s.name, docs[s.name].stats])),
  validation,
  lsp,
  yaml,
  ratios,
  robust: robust.rows,
  profile,
  session,
  table: out.join('\n'),
};
writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(results, null, 2) + '\n');

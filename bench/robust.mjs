// Robustness benchmarks (issue 9): the shapes that used to grow superlinearly or take the server
// down, next to the valid generated runbooks measured in the same run (the baseline), cold (first
// analysis in a fresh process) and on a keystroke (a step title edited), with peak memory.
// Figures only: nothing here fails on a time.
//
//   node bench/robust.mjs              every shape, one fresh process each, prints the table
//   node bench/robust.mjs --shape NAME one shape (what the table runs in a child process)
//
// `npm run bench` runs it too and adds the table to bench/results/latest.json.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { buildService, loadService, ROOT } from './lib/service.mjs';
import { cpuNow, fmt, now, RESULT_MARKER, report, summarize } from './lib/stats.mjs';

const HEADER = 'runbook r "Robustness shape"\n  healthset POP\n  param $Server: server "Server named in the alert"\n\n';

/** `ask "On?"` / `when answer is no -> jN` / `run Set-PopSettings … $true` / `manual "m"`, N times: valid, every change optional. */
function optional(n) {
  let body = 'procedure p "Optional changes" for monitor PopCTPMonitor\n';
  for (let i = 0; i < n; i++) {
    body += `  step s${i} "Ask"\n    ask "On?"\n    when answer is no -> j${i}\n  step t${i} "Turn protocol logging on"\n    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true\n  step j${i} "Go on"\n    manual "m"\n`;
  }
  return HEADER + body;
}

function brokenTargets(n) {
  let body = 'procedure p "Broken targets" for monitor PopCTPMonitor\n';
  for (let i = 0; i < n; i++) body += `  step s${i} "S"\n    ask "Go?"\n    when answer is yes -> missing-${i}\n`;
  return HEADER + body;
}

function reuseChain(n) {
  let body = 'procedure p "Reuse chain" for monitor PopCTPMonitor\n  step s0 "First"\n    run Get-ServerHealth -Identity $Server -HealthSet POP\n';
  for (let i = 1; i < n; i++) body += `  step s${i} = s${i - 1} "Again"\n`;
  return HEADER + body;
}

function manyParams(n) {
  let header = 'runbook r "Many parameters"\n  healthset POP\n';
  let body = '\nprocedure p "Uses them" for monitor PopCTPMonitor\n  step a "A"\n';
  for (let i = 0; i < n; i++) {
    header += `  param $Server${i}: server "Server ${i}"\n`;
    body += `    run Get-ServerHealth -Identity $Server${i} -HealthSet POP\n`;
  }
  return header + body;
}

function unclosedBrace(lines) {
  let body = 'procedure p "Unclosed" for monitor PopCTPMonitor\n  step a "A"\n    run Invoke-Command -ComputerName $Server {\n';
  for (let i = 0; i < lines; i++) body += `      Get-Service MSExchangePOP3 | Format-List Name, Status\n`;
  return HEADER + body;
}

function deepNesting(steps) {
  let body = 'procedure p "Deep nesting" for monitor PopCTPMonitor\n';
  for (let i = 0; i < steps; i++) {
    const command = i % 2 ? `Invoke-Command -ComputerName $Server ${'{ '.repeat(226)}Get-Date ${i}${' }'.repeat(226)}` : `Get-ServerHealth -Identity ${'('.repeat(282)}$Server${')'.repeat(282)} -HealthSet POP${i}`;
    body += `  step s${i} "S"\n    run ${command}\n`;
  }
  return HEADER + body;
}

/** Unknown variables, health sets, targets and steps on every line, until `bytes` long. */
function errorHeavy(bytes) {
  let body = 'procedure p "Dangling" for monitor PopCTPMonitor\n';
  for (let i = 0; body.length < bytes; i++) {
    body += `  step s${i} "S"\n    run Get-ServerHealth -Identity $Undeclared${i} | ?{$_.HealthSetName -eq "Popx${i}"}\n    when answer is yes -> nowhere${i}\n    when Stat${i} is Up -> p.zz${i}\n`;
  }
  return HEADER + body;
}

export const SHAPES = [
  { name: 'valid 1k (generated)', id: 'valid-1k', text: () => generate(1000).text, baseline: true },
  { name: 'valid 10k (generated)', id: 'valid-10k', text: () => generate(10000).text, baseline: true },
  { name: 'optional changes N=200', id: 'optional-200', text: () => optional(200) },
  { name: 'optional changes N=500', id: 'optional-500', text: () => optional(500) },
  { name: 'optional changes N=1000', id: 'optional-1000', text: () => optional(1000) },
  { name: '3,000 broken -> targets', id: 'targets-3000', text: () => brokenTargets(3000) },
  { name: '3,000 chained step reuses', id: 'reuse-3000', text: () => reuseChain(3000) },
  { name: '10,000 declared parameters', id: 'params-10000', text: () => manyParams(10000) },
  { name: 'unclosed { before 10,000 lines', id: 'unclosed-10000', text: () => unclosedBrace(10000) },
  { name: 'deep nesting (226 { }, 282 ( )) x200', id: 'nesting-200', text: () => deepNesting(200) },
  { name: 'error-heavy 2 MB', id: 'errors-2mb', text: () => errorHeavy(2 * 1024 * 1024) },
];

const URI = 'file:///bench/robust.exrunbook';

/** In a fresh process: one shape, cold then keystrokes in a step title. */
async function measureShape(id) {
  const shape = SHAPES.find((s) => s.id === id);
  if (!shape) throw new Error(`unknown shape ${id}`);
  const text = shape.text();
  const { RunbookLanguageService } = loadService();
  const service = await RunbookLanguageService.create();
  const validate = (doc) => service.diagnostics(service.analyze(doc, URI), URI, 'en');
  const t0 = now();
  const c0 = cpuNow();
  const diagnostics = validate(text).length;
  const coldMs = now() - t0;
  const coldCpuMs = cpuNow() - c0;
  // A keystroke in the title of a step in the middle: `"S"` → `"Sx"`, a new character each time.
  const titles = [...text.matchAll(/^ {2}step \S+ (= \S+ )?"[^"]*/gm)];
  const middle = titles[Math.floor(titles.length / 2)];
  const keystrokes = [];
  const keystrokesCpu = [];
  if (middle) {
    const at = middle.index + middle[0].length;
    for (let i = 0; i < 5; i++) {
      const edited = text.slice(0, at) + 'x'.repeat(i + 1) + text.slice(at);
      const k0 = now();
      const kc = cpuNow();
      validate(edited);
      keystrokes.push(now() - k0);
      keystrokesCpu.push(cpuNow() - kc);
    }
  }
  globalThis.gc?.();
  report({
    id,
    lines: text.split('\n').length,
    bytes: Buffer.byteLength(text),
    diagnostics,
    coldMs,
    coldCpuMs,
    keystroke: keystrokes.length ? { ...summarize(keystrokes), cpuMedian: summarize(keystrokesCpu).median } : undefined,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
  });
}

/** Every shape in its own process, one after the other; a process that dies or takes over 5 minutes (ROBUST_TIMEOUT_MS) is reported as such. */
export async function runRobust({ progress = () => {} } = {}) {
  const rows = [];
  // ROBUST_SHAPES=id,id measures some shapes only (the baselines always).
  const only = process.env.ROBUST_SHAPES?.split(',');
  for (const shape of SHAPES.filter((s) => !only || s.baseline || only.includes(s.id))) {
    progress(shape.name);
    const result = await new Promise((resolve) => {
      const proc = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--shape', shape.id], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      const timer = setTimeout(() => proc.kill('SIGKILL'), Number(process.env.ROBUST_TIMEOUT_MS ?? 300_000));
      proc.stdout.on('data', (chunk) => (out += chunk));
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
        resolve(line ? JSON.parse(line.slice(RESULT_MARKER.length)) : { id: shape.id, failed: signal ? `killed (${signal})` : `exit ${code}` });
      });
    });
    rows.push({ name: shape.name, baseline: Boolean(shape.baseline), ...result });
  }
  const base = rows.find((r) => r.id === 'valid-10k');
  const out = [];
  out.push('Robustness shapes (bench/robust.mjs): in-process analyze + diagnostics, each shape in a fresh process; the valid generated runbooks are the baseline of this run');
  out.push(`${'shape'.padEnd(38)}${'lines'.padStart(7)}${'KB'.padStart(6)}${'diags'.padStart(7)}${'cold ms'.padStart(9)}${'cold CPU'.padStart(10)}${'CPU x10k'.padStart(10)}${'key med'.padStart(9)}${'key CPU'.padStart(9)}${'peak RSS MB'.padStart(13)}`);
  for (const r of rows) {
    if (r.failed) {
      out.push(`${r.name.padEnd(38)}  ${r.failed}`);
      continue;
    }
    const ratio = base && !base.failed ? `${(r.coldCpuMs / base.coldCpuMs).toFixed(2)}` : '';
    out.push(
      `${r.name.padEnd(38)}${String(r.lines).padStart(7)}${String(Math.round(r.bytes / 1024)).padStart(6)}${String(r.diagnostics).padStart(7)}${fmt(r.coldMs).padStart(9)}${fmt(r.coldCpuMs).padStart(10)}${ratio.padStart(10)}${(r.keystroke ? fmt(r.keystroke.median) : '-').padStart(9)}${(r.keystroke ? fmt(r.keystroke.cpuMedian) : '-').padStart(9)}${fmt(r.peakRssMb).padStart(13)}`,
    );
  }
  out.push('  cold: first analysis in a fresh process (tree-sitter and V8 cold), wall and CPU time; key: re-validation after typing in a step');
  out.push('  title (median of 5 edits), wall and CPU; CPU x10k: cold CPU time over the valid 10k-line runbook\'s in this run (CPU time');
  out.push('  barely moves with other work on the machine, wall time does); peak RSS: the process\'s maximum resident set.');
  return { rows, table: out.join('\n') };
}

const shapeAt = process.argv.indexOf('--shape');
if (shapeAt > 0) {
  await measureShape(process.argv[shapeAt + 1]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = now();
  process.stdout.write('Building the in-process service from server/src ... ');
  await buildService();
  console.log('done.');
  const { table } = await runRobust({ progress: (name) => console.log(`  ${name} ...`) });
  console.log('\n' + table + `\n\nWhole run: ${((now() - t0) / 1000).toFixed(0)} s.`);
}

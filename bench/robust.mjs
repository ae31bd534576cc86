// Robustness benchmarks (issue 9): the shapes that used to grow superlinearly or take the server
// down, next to the valid generated runbooks measured in the same run (the baseline), cold (first
// analysis in a fresh process) and on a keystroke (a step title edited), with peak memory. Each
// shape is measured twice, each time in a fresh process: as shipped (simple commands through the
// PowerShell fast path) and with every command through tree-sitter (the path before it), so the
// two cold figures come from the same run. Figures only: nothing here fails on a time.
//
//   node bench/robust.mjs                                 every shape, both ways, prints the table
//   node bench/robust.mjs --shape NAME [--tree-sitter-only]  one shape (what the table runs in a child process)
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

/** The same lines inside a closed block: one valid command of `lines` lines, each with a bareword list. */
function longBlock(lines) {
  return unclosedBrace(lines) + '    }\n';
}

function deepNesting(steps) {
  let body = 'procedure p "Deep nesting" for monitor PopCTPMonitor\n';
  for (let i = 0; i < steps; i++) {
    const command = i % 2 ? `Invoke-Command -ComputerName $Server ${'{ '.repeat(226)}Get-Date ${i}${' }'.repeat(226)}` : `Get-ServerHealth -Identity ${'('.repeat(282)}$Server${')'.repeat(282)} -HealthSet POP${i}`;
    body += `  step s${i} "S"\n    run ${command}\n`;
  }
  return HEADER + body;
}

/**
 * About `lines` lines of distinct commands, nine `run` lines a step, in the styles people write:
 * cmdlets with parameters, filters, remote blocks, log paths in strings, property lists, and one in
 * nine with a variable assigned (which takes tree-sitter whatever the path).
 */
function distinctCommands(lines) {
  let body = 'procedure p "Distinct commands" for monitor PopCTPMonitor\n';
  const styles = [
    (i) => `Get-ServerHealth -Identity $Server -HealthSet POP | ?{$_.AlertValue -ne "Healthy${i}"}`,
    (i) => `Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server -TimeoutSeconds ${30 + (i % 500)} | Format-List ResultType, Error`,
    (i) => `Invoke-Command -ComputerName $Server { Get-Service MSExchangePOP${i} | Format-Table Name, Status -AutoSize }`,
    (i) => `Set-PopSettings -Server $Server -ProtocolLogEnabled $true -LogFileLocation "$LogPath\\case${i}" -Confirm:$false`,
    (i) => `Get-ServerComponentState -Identity $Server -Component PopProxy${i} | Where-Object State -eq Active`,
    (i) => `Get-MailboxDatabaseCopyStatus -Server $Server -Identity DB${i} | Sort-Object Name | Format-Table Name, Status, CopyQueueLength`,
    (i) => `Test-PopConnectivity -ClientAccessServer $Server -PerConnectionTimeout ${i} -LightMode`,
    (i) => `Get-EventLog -LogName Application -Source MSExchangePOP${i} -Newest 20`,
    (i) => `$r${i} = Get-ServerHealth -Identity $Server -HealthSet POP.Protocol`,
  ];
  let i = 0;
  for (let step = 0; i < lines; step++) {
    body += `  step s${step} "Step ${step}"\n`;
    for (const style of styles) body += `    run ${style(i++)}\n`;
    i++;
  }
  return HEADER.replace('\n\n', '\n  param $LogPath: path "Log folder"\n\n') + body;
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
  { name: '10k lines of distinct commands', id: 'distinct-10000', text: () => distinctCommands(10000) },
  { name: 'optional changes N=200', id: 'optional-200', text: () => optional(200) },
  { name: 'optional changes N=500', id: 'optional-500', text: () => optional(500) },
  { name: 'optional changes N=1000', id: 'optional-1000', text: () => optional(1000) },
  { name: '3,000 broken -> targets', id: 'targets-3000', text: () => brokenTargets(3000) },
  { name: '3,000 chained step reuses', id: 'reuse-3000', text: () => reuseChain(3000) },
  { name: '10,000 declared parameters', id: 'params-10000', text: () => manyParams(10000) },
  { name: 'unclosed { before 10,000 lines', id: 'unclosed-10000', text: () => unclosedBrace(10000) },
  { name: 'a { } block of 10,000 lines', id: 'block-10000', text: () => longBlock(10000) },
  { name: 'deep nesting (226 { }, 282 ( )) x200', id: 'nesting-200', text: () => deepNesting(200) },
  { name: 'error-heavy 2 MB', id: 'errors-2mb', text: () => errorHeavy(2 * 1024 * 1024) },
];

const URI = 'file:///bench/robust.exrunbook';

/** In a fresh process: one shape, cold then keystrokes in a step title; every command through tree-sitter if asked. */
async function measureShape(id, treeSitterOnly) {
  const shape = SHAPES.find((s) => s.id === id);
  if (!shape) throw new Error(`unknown shape ${id}`);
  const text = shape.text();
  const { RunbookLanguageService, setPowerShellFastPath } = loadService();
  if (treeSitterOnly) setPowerShellFastPath(false);
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
    treeSitterOnly,
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

/** One shape in a fresh process; one that dies or takes over 5 minutes (ROBUST_TIMEOUT_MS) is reported as such. */
function runShape(shape, treeSitterOnly) {
  return new Promise((resolve) => {
    const args = ['--expose-gc', fileURLToPath(import.meta.url), '--shape', shape.id, ...(treeSitterOnly ? ['--tree-sitter-only'] : [])];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), Number(process.env.ROBUST_TIMEOUT_MS ?? 300_000));
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      resolve(line ? JSON.parse(line.slice(RESULT_MARKER.length)) : { id: shape.id, failed: signal ? `killed (${signal})` : `exit ${code}` });
    });
  });
}

/**
 * Every shape as shipped and with every command through tree-sitter, each in its own process, one
 * after the other (the two of a shape back to back, so both see the same machine).
 */
export async function runRobust({ progress = () => {} } = {}) {
  const rows = [];
  // ROBUST_SHAPES=id,id measures some shapes only (the baselines always).
  const only = process.env.ROBUST_SHAPES?.split(',');
  for (const shape of SHAPES.filter((s) => !only || s.baseline || only.includes(s.id))) {
    progress(shape.name);
    const result = await runShape(shape, false);
    const treeSitter = await runShape(shape, true);
    rows.push({ name: shape.name, baseline: Boolean(shape.baseline), ...result, treeSitterOnly: treeSitter });
  }
  const out = [];
  out.push('Robustness shapes (bench/robust.mjs): in-process analyze + diagnostics, each shape in a fresh process, as shipped (fast path for simple');
  out.push('commands) and with every command through tree-sitter (TS only: the path before it), back to back in this run');
  const widths = [34, 6, 5, 7, 8, 9, 9, 9, 7, 8, 8, 8];
  const cells = (values) => values.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join('');
  out.push(cells(['shape', 'lines', 'KB', 'diags', 'cold ms', 'cold CPU', 'TS ms', 'TS CPU', 'CPU /', 'key CPU', 'RSS MB', 'TS RSS']));
  for (const r of rows) {
    if (r.failed) {
      out.push(`${r.name.padEnd(widths[0])}  ${r.failed}`);
      continue;
    }
    const t = r.treeSitterOnly;
    const ok = t && !t.failed;
    // The same diagnostics either way, or the table says so.
    const diags = ok && t.diagnostics !== r.diagnostics ? `${r.diagnostics}≠${t.diagnostics}` : String(r.diagnostics);
    out.push(
      cells([
        r.name,
        r.lines,
        Math.round(r.bytes / 1024),
        diags,
        fmt(r.coldMs),
        fmt(r.coldCpuMs),
        ok ? fmt(t.coldMs) : (t?.failed ?? '-'),
        ok ? fmt(t.coldCpuMs) : '-',
        ok ? `${(t.coldCpuMs / r.coldCpuMs).toFixed(2)}×` : '-',
        r.keystroke ? fmt(r.keystroke.cpuMedian) : '-',
        fmt(r.peakRssMb),
        ok ? fmt(t.peakRssMb) : '-',
      ]),
    );
  }
  out.push('  cold: first analysis in a fresh process (V8 cold), wall ms and CPU ms; TS: the same with every command through tree-sitter;');
  out.push('  CPU /: TS CPU over cold CPU (the speed-up of the fast path); key CPU: re-validation after typing in a step title, median');
  out.push('  of 5 edits, CPU ms; RSS: the process\'s peak resident set. CPU time barely moves with other work on the machine, wall time does.');
  return { rows, table: out.join('\n') };
}

const shapeAt = process.argv.indexOf('--shape');
if (shapeAt > 0) {
  await measureShape(process.argv[shapeAt + 1], process.argv.includes('--tree-sitter-only'));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = now();
  process.stdout.write('Building the in-process service from server/src ... ');
  await buildService();
  console.log('done.');
  const { table } = await runRobust({ progress: (name) => console.log(`  ${name} ...`) });
  console.log('\n' + table + `\n\nWhole run: ${((now() - t0) / 1000).toFixed(0)} s.`);
}

// The PowerShell session's benchmarks against real pwsh and the Exchange simulator, each compared
// with its baseline in the same run: (a) one poll of N servers through the persistent session vs
// a new pwsh per server; (b) the same poll with 200 ms latency per server, fanned out (the first
// poll, which opens the runspaces, apart) vs one server after another; (c) the session's own overhead per call. Figures only: nothing fails on a target.
//
//   node bench/session.mjs [--servers 200] [--sample 8] [--serial-sample 25] [--concurrency 8] [--latency-concurrency 40]
//
// The per-process and serial baselines are measured on a sample of servers and scaled to all of
// them (a new pwsh per server for 200 servers would take minutes of the machine's 2 cores); the
// sample size is printed with the figure. bench/run.mjs runs this and puts the table in its report.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/service.mjs';
import { RESULT_MARKER, fmt, now, summarize } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SERVERS = arg('servers', 200);
const SAMPLE = arg('sample', 8);
const SERIAL_SAMPLE = arg('serial-sample', 25);
const CONCURRENCY = arg('concurrency', 8);
const LATENCY_CONCURRENCY = arg('latency-concurrency', 40);
const LATENCY_MS = 200;
const PWSH = process.env.EXR_PWSH || join(ROOT, '.tools', 'pwsh', 'pwsh');
const MODULE = join(ROOT, 'simulator', 'ExchangeSimulator.psd1');

for (const [what, path] of [['pwsh', PWSH], ['the simulator module', MODULE]]) {
  if (!existsSync(path)) {
    console.error(`bench/session.mjs: ${what} not found at ${path} (scripts/setup.sh installs pwsh; the simulator is simulator/).`);
    process.exit(1);
  }
}

// The session code as the extension ships it: bundled by esbuild, node-powershell included.
const BUILD = join(ROOT, 'bench', 'results', '.build');
mkdirSync(BUILD, { recursive: true });
const bundle = join(BUILD, 'session.cjs');
const esbuild = await import('esbuild');
await esbuild.build({
  stdin: {
    contents: "export * from './client/src/powershell/session';\nexport * from './client/src/powershell/connection';\nexport * from './client/src/powershell/exchange';\n",
    resolveDir: ROOT,
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});
const { createExchangeSession, pollServerHealth, listServers, simulatorEnvironment } = require(bundle);

const folder = mkdtempSync(join(tmpdir(), 'exr-bench-session-'));
const statePath = join(folder, 'state.json');
const env = simulatorEnvironment(statePath);
const session = createExchangeSession(PWSH, { mode: 'simulator', modulePath: MODULE, statePath }, { startupTimeoutMs: 120_000, requestTimeoutMs: 600_000 });
const log = (text) => process.stderr.write(`  session bench: ${text}\n`);

async function invokeOk(script, params) {
  const result = await session.invoke(script, params);
  if (!result.ok || result.errors.length) throw new Error(`${script.trim().split('\n')[0]}: ${result.errors.join('; ')}`);
  return result;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; undefined elsewhere). */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Runs `fn` and returns its wall time and the CPU time the session's real pwsh spent meanwhile. */
async function timed(fn) {
  const pid = session.pid;
  const c0 = processCpuMs(pid);
  const t0 = now();
  await fn();
  const wall = now() - t0;
  const c1 = processCpuMs(pid);
  return { wall, cpu: c0 === undefined || c1 === undefined ? undefined : c1 - c0 };
}

/** One new pwsh that imports the simulator and asks one server, as a script without a session would. */
function pwshPerServer(server) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const command = "param($m, $s) Import-Module $m -WarningAction SilentlyContinue 6>$null; Get-ServerHealth -Identity $s | Select-Object Name, HealthSetName, AlertValue | ConvertTo-Json -Compress";
    const child = spawn(PWSH, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', `& { ${command} } '${MODULE.replace(/'/g, "''")}' '${server}'`], {
      env: { ...process.env, ...env, TERM: 'dumb', NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0 || !out.includes('AlertValue')) reject(new Error(`pwsh for ${server} exited ${code}: ${out.slice(0, 200)}`));
      else resolve(now() - t0);
    });
  });
}

try {
  const t0 = now();
  await invokeOk('param($Count) Reset-ExchangeSimulator -Scenario pop3-cas-stopped -ServerCount $Count | Out-Null', { Count: SERVERS });
  const startupMs = now() - t0;
  const servers = (await listServers(session)).map((s) => s.name);
  log(`${servers.length} simulated servers, session started and world reset in ${fmt(startupMs)} ms`);

  // (c) overhead per call: a trivial request, round trip from Node.
  for (let i = 0; i < 20; i++) await session.invoke('1');
  const trivial = [];
  for (let i = 0; i < 200; i++) trivial.push((await session.invoke('1')).durationMs);
  const overhead = summarize(trivial);
  log(`overhead per call: median ${fmt(overhead.median)} ms`);

  // (a) the whole poll through the session (first poll warms the runspaces; then timed).
  const pollCounts = (results) => ({ ok: results.filter((r) => r.ok).length, monitors: results.reduce((n, r) => n + (r.ok ? r.monitors.length : 0), 0) });
  const firstT0 = now();
  const firstPoll = pollCounts(await pollServerHealth(session, servers, { concurrency: CONCURRENCY, perServerTimeoutMs: 60_000 }));
  const firstPollMs = now() - firstT0;
  const polls = [];
  const pollCpu = [];
  let counts = firstPoll;
  for (let i = 0; i < 3; i++) {
    const t = await timed(async () => {
      counts = pollCounts(await pollServerHealth(session, servers, { concurrency: CONCURRENCY, perServerTimeoutMs: 60_000 }));
    });
    polls.push(t.wall);
    if (t.cpu !== undefined) pollCpu.push(t.cpu);
  }
  const poll = { ...summarize(polls), cpuMedian: pollCpu.length ? summarize(pollCpu).median : undefined };
  log(`poll of ${servers.length}: median ${fmt(poll.median)} ms, pwsh CPU ${fmt(poll.cpuMedian)} ms (${counts.ok} servers answered, ${counts.monitors} monitors)`);
  // The simulator's own cost of the same data, in one call (no fan-out): what the poll cannot go below.
  const single = [];
  const singleCpu = [];
  for (let i = 0; i < 3; i++) {
    const t = await timed(() => invokeOk('param($S) @(Get-ServerHealth -Identity $S).Count', { S: servers }));
    single.push(t.wall);
    if (t.cpu !== undefined) singleCpu.push(t.cpu);
  }
  const oneCall = { ...summarize(single), cpuMedian: singleCpu.length ? summarize(singleCpu).median : undefined };

  const sample = servers.filter((_, i) => i % Math.ceil(servers.length / SAMPLE) === 0).slice(0, SAMPLE);
  const perProcess = [];
  for (const server of sample) perProcess.push(await pwshPerServer(server));
  const perProcessSummary = summarize(perProcess);
  const perProcessTotal = perProcessSummary.median * servers.length;
  const ratio = perProcessTotal / poll.median;
  log(`new pwsh per server: median ${fmt(perProcessSummary.median)} ms (${sample.length} measured) -> ${fmt(perProcessTotal / 1000)} s for ${servers.length}; ratio ${ratio.toFixed(1)}x`);

  // (b) 200 ms latency per server: fanned out vs one after another (the same poll with concurrency 1).
  await invokeOk('param($S, $L) foreach ($s in $S) { Set-ExchangeSimulatorServer -Identity $s -LatencyMilliseconds $L | Out-Null }', { S: servers, L: LATENCY_MS });
  // The first fanned-out poll opens the pool's runspaces (each imports the simulator) and warms
  // them; the view pays that once per session, so it is reported apart, as in (a).
  const fannedFirst = await timed(() => pollServerHealth(session, servers, { concurrency: LATENCY_CONCURRENCY, perServerTimeoutMs: 60_000 }));
  const fanned = [];
  const fannedCpu = [];
  for (let i = 0; i < 3; i++) {
    const t = await timed(() => pollServerHealth(session, servers, { concurrency: LATENCY_CONCURRENCY, perServerTimeoutMs: 60_000 }));
    fanned.push(t.wall);
    if (t.cpu !== undefined) fannedCpu.push(t.cpu);
  }
  const fannedSummary = { ...summarize(fanned), cpuMedian: fannedCpu.length ? summarize(fannedCpu).median : undefined };
  const serialSample = servers.slice(0, SERIAL_SAMPLE);
  const s0 = now();
  await pollServerHealth(session, serialSample, { concurrency: 1, perServerTimeoutMs: 60_000 });
  const serialMs = now() - s0;
  const serialTotal = (serialMs / serialSample.length) * servers.length;
  log(`latency ${LATENCY_MS} ms: fanned out (${LATENCY_CONCURRENCY} at a time) ${fmt(fannedSummary.median)} ms (pwsh CPU ${fmt(fannedSummary.cpuMedian)} ms; first poll ${fmt(fannedFirst.wall)} ms, CPU ${fmt(fannedFirst.cpu)} ms); one after another ${fmt(serialTotal)} ms (scaled from ${serialSample.length})`);

  // (b') The same fan-out when a server's answer costs waiting, not local CPU, as with real Exchange
  // (Get-ServerHealth runs on the remote server; the simulator instead computes all 200 servers in
  // this pwsh): a stand-in Get-ServerHealth that waits 200 ms and returns five monitors.
  const standInPath = join(folder, 'LatencyStandIn.psm1');
  writeFileSync(
    standInPath,
    "function Get-ServerHealth { param([Parameter(Mandatory = $true, Position = 0)][string]$Identity) Start-Sleep -Milliseconds " + LATENCY_MS +
      "; foreach ($i in 1..5) { [pscustomobject]@{ Server = $Identity; Name = ('Monitor' + $i); HealthSetName = 'POP'; TargetResource = 'MSExchangePOP3'; AlertValue = 'Healthy'; LastTransitionTime = [datetime]::UtcNow; Identity = ('POP\\Monitor' + $i) } } }\n",
  );
  const standIn = createExchangeSession(PWSH, { mode: 'simulator', modulePath: standInPath, statePath }, { startupTimeoutMs: 120_000, requestTimeoutMs: 600_000 });
  let waitBound;
  try {
    // Warmed as (b) is: one whole poll first.
    await pollServerHealth(standIn, servers, { concurrency: LATENCY_CONCURRENCY, perServerTimeoutMs: 60_000 });
    const waits = [];
    const waitCpu = [];
    for (let i = 0; i < 3; i++) {
      const c0 = processCpuMs(standIn.pid);
      const t0 = now();
      const r = await pollServerHealth(standIn, servers, { concurrency: LATENCY_CONCURRENCY, perServerTimeoutMs: 60_000 });
      if (r.some((x) => !x.ok)) throw new Error('the stand-in poll failed');
      waits.push(now() - t0);
      const c1 = processCpuMs(standIn.pid);
      if (c0 !== undefined && c1 !== undefined) waitCpu.push(c1 - c0);
    }
    const s0 = now();
    await pollServerHealth(standIn, servers.slice(0, SERIAL_SAMPLE), { concurrency: 1, perServerTimeoutMs: 60_000 });
    const serialStandIn = ((now() - s0) / SERIAL_SAMPLE) * servers.length;
    waitBound = { fanned: { ...summarize(waits), cpuMedian: waitCpu.length ? summarize(waitCpu).median : undefined }, serialEstimateMs: serialStandIn, serialSample: SERIAL_SAMPLE };
    log(`latency-bound stand-in: fanned out ${fmt(waitBound.fanned.median)} ms (pwsh CPU ${fmt(waitBound.fanned.cpuMedian)} ms); one after another ${fmt(serialStandIn)} ms (scaled from ${SERIAL_SAMPLE})`);
  } finally {
    await standIn.dispose();
  }

  const result = {
    loadAverage: loadavg().map((l) => +l.toFixed(1)),
    servers: servers.length,
    startupAndResetMs: startupMs,
    overheadPerCall: overhead,
    poll: { concurrency: CONCURRENCY, firstMs: firstPollMs, warm: poll, answered: counts.ok, monitors: counts.monitors, simulatorOneCallMs: oneCall },
    perProcess: { sample: sample.length, perServer: perProcessSummary, totalEstimateMs: perProcessTotal, ratio },
    waitBound,
    latency: { latencyMs: LATENCY_MS, concurrency: LATENCY_CONCURRENCY, first: fannedFirst, fanned: fannedSummary, serialSample: serialSample.length, serialEstimateMs: serialTotal, ratio: serialTotal / fannedSummary.median },
  };
  console.log(RESULT_MARKER + JSON.stringify(result));
} finally {
  await session.dispose();
  rmSync(folder, { recursive: true, force: true });
}

// `node bench/rehearse.mjs [runs]`: a whole rehearsal of each example runbook against its simulator
// scenario (`exchange-runbook rehearse`, real pwsh), wall time from the CLI's start to its exit,
// pwsh start and simulator import included, and the CPU time it took. Goal: under 5 s each. Needs `npm run build` first.
// Figures only: a missed goal is reported, not failed. Runs one rehearsal at a time (2 cores).
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, now, summarize } from './lib/stats.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const CLI = join(ROOT, 'bin', 'exchange-runbook.js');
const GOAL_MS = 5000;
const runs = Number(process.argv[2] ?? 3);

const CASES = [
  ['pop.exrunbook', 'pop3-cas-stopped'],
  ['pop.exrunbook', 'pop-slow-commands'],
  ['pop.exrunbook', 'pop-transient'],
  ['pop-protocol.exrunbook', 'pop3-backend-hung'],
  ['pop-proxy.exrunbook', 'pop-proxy-fault'],
];

/** Seconds in bash's `times` notation (`0m4.123s`). */
const seconds = (text) => {
  const m = /(\d+)m([\d.]+)s/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/**
 * One rehearsal in its own process, through bash so that `times` reports the CPU time of the CLI
 * and the pwsh it started (what a busy machine cannot inflate the way it inflates wall time).
 */
function rehearse(runbook, scenario) {
  return new Promise((resolve, reject) => {
    const started = now();
    const args = [CLI, 'rehearse', join(ROOT, 'examples', runbook), '--scenario', scenario, '--format', 'json'];
    const child = spawn('bash', ['-c', '"$0" "$@"; rc=$?; times >&2; exit $rc', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = now() - started;
      if (code !== 0) return reject(new Error(`${runbook} x ${scenario} exited ${code}: ${stderr}${stdout.slice(-2000)}`));
      const report = JSON.parse(stdout);
      // `times` prints the shell's own user/sys, then its children's.
      const [user, system] = stderr.trim().split('\n').pop().split(/\s+/).map(seconds);
      resolve({ elapsed, cpu: (user + system) * 1000, steps: report.rehearsal.path.length });
    });
  });
}

console.log(`rehearsal of each example against its scenario, ${runs} runs each, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('runbook x scenario                               steps   median      min      max  CPU med   goal < 5 s');
let missed = 0;
for (const [runbook, scenario] of CASES) {
  const samples = [];
  const cpu = [];
  let steps = 0;
  for (let i = 0; i < runs; i++) {
    const result = await rehearse(runbook, scenario);
    samples.push(result.elapsed);
    cpu.push(result.cpu);
    steps = result.steps;
  }
  const s = summarize(samples);
  const met = s.median < GOAL_MS;
  if (!met) missed++;
  console.log(`${`${runbook} x ${scenario}`.padEnd(48)} ${String(steps).padStart(5)} ${fmt(s.median).padStart(8)} ${fmt(s.min).padStart(8)} ${fmt(s.max).padStart(8)} ${fmt(summarize(cpu).median).padStart(8)}   ${met ? 'met' : 'MISSED'}`);
}
console.log(missed ? `${missed} rehearsal(s) over the 5 s goal` : 'every rehearsal under the 5 s goal');

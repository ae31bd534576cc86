// The experiment behind the server's `--liftoff-only` V8 flag (server/src/powershell/parser.ts):
// tree-sitter-powershell is a ~1 MB wasm module; by default V8 compiles it with Liftoff first and
// then re-compiles the hot functions with TurboFan in background threads. This script loads
// web-tree-sitter directly (not through the service, which always sets the flag), parses the
// distinct commands of the generated runbooks and reports, with and without the flag: the parse
// time, the CPU time the process used, and how long the process takes to exit once its work is
// done. Not part of `npm run bench` (it takes a while); run it on its own:
//
//   node bench/liftoff.mjs [--commands 3000]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { generate } from './generate.mjs';
import { now, summarize } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = option('--commands', 3000);
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
  } catch {
    return 100;
  }
})();

if (process.argv.includes('--child')) {
  const liftoffOnly = process.argv.includes('--liftoff-only');
  if (liftoffOnly) setFlagsFromString('--liftoff-only');
  const { Parser, Language } = require('web-tree-sitter');
  const t0 = now();
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  const loadMs = now() - t0;
  // Distinct commands of the generated runbooks (several sizes, so there are enough of them).
  const commands = new Set();
  for (const lines of [50000, 40000, 30000]) {
    for (const m of generate(lines).text.matchAll(/^ {4}run (.*)$/gm)) commands.add(m[1]);
    if (commands.size >= count) break;
  }
  const list = [...commands].slice(0, count);
  const p0 = now();
  for (const command of list) parser.parse(command).delete();
  const parseMs = now() - p0;
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ liftoffOnly, loadMs, parseMs, commands: list.length, cpuMsAtDone: (cpu.user + cpu.system) / 1000 }) + '\n');
  // Nothing keeps the event loop alive now: the process exits as soon as V8 lets it.
} else {
  const run = (liftoffOnly) =>
    new Promise((resolve) => {
      const t0 = now();
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--commands', String(count), ...(liftoffOnly ? ['--liftoff-only'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
      let result;
      let doneAt;
      // The child's CPU time (user + system, all threads) read from /proc while it lives: the
      // background TurboFan compilation happens after the child's own report.
      let cpuMs = 0;
      const poll = setInterval(() => {
        try {
          const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
          cpuMs = Math.max(cpuMs, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS);
        } catch {}
      }, 50);
      child.stdout.on('data', (chunk) => {
        result = JSON.parse(chunk.toString());
        doneAt = now();
      });
      child.on('exit', () => {
        const exitAt = now();
        clearInterval(poll);
        resolve({ ...result, wallMs: exitAt - t0, doneToExitMs: exitAt - doneAt, cpuMs });
      });
    });
  const rounds = option('--rounds', 3);
  const results = { liftoff: [], default: [] };
  for (let i = 0; i < rounds; i++) {
    results.liftoff.push(await run(true));
    results.default.push(await run(false));
  }
  for (const [name, list] of Object.entries(results)) {
    const pick = (k) => summarize(list.map((r) => r[k])).median;
    console.log(
      `${name === 'liftoff' ? '--liftoff-only' : 'V8 default (Liftoff + TurboFan tier-up)'}: parse ${list[0].commands} commands ${pick('parseMs').toFixed(0)} ms, ` +
        `wasm load ${pick('loadMs').toFixed(0)} ms, CPU at done ${pick('cpuMsAtDone').toFixed(0)} ms, CPU in all ${pick('cpuMs').toFixed(0)} ms, done → exit ${pick('doneToExitMs').toFixed(0)} ms, whole process ${pick('wallMs').toFixed(0)} ms (median of ${list.length})`,
    );
  }
}

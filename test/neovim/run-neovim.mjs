// Drives the language server from real Neovim (headless, its built-in LSP client, Debian's neovim
// package): `node test/neovim/run-neovim.mjs` after `npm run build`. Prints each check and a
// closing line `neovim: N passed, N failed`; exit code 1 when a check failed or Neovim is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// EXR_SERVER: another build of the server (to check a fix against the code before it).
const server = process.env.EXR_SERVER ?? join(root, 'dist', 'server.js');

function finish(passed, failed, note) {
  if (note) console.log(note);
  console.log(`neovim: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

try {
  execFileSync('nvim', ['--version'], { stdio: 'ignore' });
} catch {
  finish(0, 1, 'nvim is not installed (scripts/setup.sh installs Debian\'s neovim).');
}
if (!existsSync(server)) finish(0, 1, 'dist/server.js is missing: run `npm run build` first.');

const folder = mkdtempSync(join(tmpdir(), 'exr-neovim-'));
const runbook = join(folder, 'pop.exrunbook');
const results = join(folder, 'results.txt');
// The monitor is misspelt (unknown-monitor), `run Set-PopSettings -` waits for a parameter, and
// the escalate line is indented 3 spaces instead of 4 (one formatting edit).
writeFileSync(runbook, `runbook pop "POP"
  healthset POP.Proxy
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitr
  step restart "Restart POP3" confirm
    run Set-PopSettings -
  step escalate "Escalate"
   escalate "Contact support"
`);
const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(here, 'client.lua')}`], {
  env: { ...process.env, EXR_SERVER: server, EXR_RUNBOOK: runbook, EXR_RESULTS: results },
  timeout: 120_000,
  encoding: 'utf8',
});
const lines = existsSync(results) ? readFileSync(results, 'utf8').trim().split('\n').filter(Boolean) : [];
rmSync(folder, { recursive: true, force: true });
for (const line of lines) console.log(`  ${line}`);
const passed = lines.filter((l) => l.startsWith('ok ')).length;
const failed = lines.length - passed + (lines.length < 7 ? 1 : 0);
finish(passed, failed, lines.length < 7 ? `Neovim stopped early (status ${run.status}, signal ${run.signal}): ${run.stderr.slice(-2000)}` : undefined);

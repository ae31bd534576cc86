// The command-line linter as CI runs it: a real process, its output formats and exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const LINT = join(__dirname, '..', 'src', 'cli', 'lint.js');

function lint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LINT, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), 'exr-lint-'));
const good = join(folder, 'good.exrunbook');
const bad = join(folder, 'nested', 'bad.exrunbook');
writeFileSync(good, `runbook proxy "POP.Proxy"
  healthset POP.Proxy
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitor
  step escalate "Escalate"
    escalate "Contact support"
`);
mkdirSync(join(folder, 'nested'));
writeFileSync(bad, `runbook proxy "POP.Proxy"
  healthset POP.Proxy
procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server <ServerName>
    when Result is Succeeded -> resolved
    otherwise -> escalate
`);

describe('exchange-runbook-lint', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('exits 0 on a clean runbook and says so', async () => {
    const result = await lint([good]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 runbook checked: 0 errors, 0 warnings/);
  });

  it('searches folders, prints file:line:col, and exits 1 on errors', async () => {
    const result = await lint([folder]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /bad\.exrunbook:5:68: error \[placeholder\]/);
    assert.match(result.stdout, /bad\.exrunbook:6:10: error \[unknown-property\]/);
    assert.match(result.stdout, /2 runbooks checked/);
  });

  it('writes JSON and SARIF for pipelines', async () => {
    const json = JSON.parse((await lint(['--format', 'json', bad])).stdout) as { path: string; diagnostics: { code: string; range: { start: { line: number } }; fixes?: { edits: { newText: string }[] }[] }[] }[];
    assert.deepEqual(json[0]!.diagnostics.map((d) => d.code).sort(), ['missing-recovery-procedure', 'placeholder', 'unknown-property']);
    // Positions are 0-based (line 6 in human output) and the quick fixes come along.
    const property = json[0]!.diagnostics.find((d) => d.code === 'unknown-property')!;
    assert.equal(property.range.start.line, 5);
    assert.deepEqual(property.fixes?.flatMap((f) => f.edits.map((e) => e.newText)), ['ResultType']);
    const sarif = JSON.parse((await lint(['--format', 'sarif', bad])).stdout) as { version: string; runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    assert.equal(sarif.version, '2.1.0');
    const placeholder = sarif.runs[0]!.results.find((r) => r.ruleId === 'placeholder')!;
    assert.equal(placeholder.level, 'error');
    assert.equal(placeholder.locations[0]!.physicalLocation.region.startLine, 5);
    assert.ok(sarif.runs[0]!.tool.driver.rules.some((r) => r.id === 'not-undone'));
  });

  it('--strict fails on warnings; --locale changes the language', async () => {
    const warningsOnly = join(folder, 'warn.exrunbook');
    writeFileSync(warningsOnly, readFileSync(good, 'utf8').replace('  param $Server', '  param $Unused: text "x"\n  param $Server'));
    assert.equal((await lint([warningsOnly])).code, 0);
    assert.equal((await lint(['--strict', warningsOnly])).code, 1);
    const ja = await lint(['--locale', 'ja', bad]);
    assert.match(ja.stdout, /[\u3040-\u30ff]/);
  });

  it('exits 2 with a clear message on bad usage or a missing path', async () => {
    const usage = await lint(['--format', 'xml', good]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown format xml/);
    const missing = await lint([join(folder, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ENOENT|no such file/);
  });
});

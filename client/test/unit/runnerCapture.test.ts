// The step runner's result capture: the wrapper script against real pwsh (Format-List, Format-Table,
// Out-String, multi-line pipelines, errors, native exit codes) and the parser of the terminal stream.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PowerShellSession } from '../../src/powershell/session';
import { ensureConnection, startupCommand } from '../../src/runner/connection';
import { buildStepScript, newNonce, outputExcerpt, parseStepOutput, stepFailed, stripTerminalEscapes, type StepScriptRequest } from '../../src/runner/capture';
import { checkWindowsPowerShell51 } from './compat51';
import { assertPwshInstalled, PWSH } from './pwsh';

const folder = mkdtempSync(join(tmpdir(), 'exr-capture-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A probe-like function, defined before the step as an earlier `run` command would be. */
const PROBE = "function Get-FakeProbe { [pscustomobject]@{ ResultType = 'Failed'; Error = 'POP3 did not answer' }; [pscustomobject]@{ ResultType = 'Succeeded'; Error = '' } }";

let counter = 0;
/** Runs the step script in real pwsh as a script file (the terminal runs the same text interactively). */
function runInPwsh(request: Omit<StepScriptRequest, 'nonce'>): Promise<{ nonce: string; stdout: string; script: string }> {
  const nonce = newNonce();
  const script = buildStepScript({ ...request, nonce });
  const file = join(folder, `step${counter++}.ps1`);
  writeFileSync(file, script);
  return new Promise((done, fail) => {
    execFile(
      PWSH,
      ['-NoProfile', '-NonInteractive', '-File', file],
      { env: { ...process.env, TERM: 'dumb', NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && error.killed) fail(error);
        else done({ nonce, stdout: stdout + stderr, script });
      },
    );
  });
}

describe('step capture against real pwsh', { concurrency: 2 }, () => {
  it('captures a pipeline once and still shows it through Format-List', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: [],
      commands: [PROBE, "$global:calls = 0; function Get-Counted { $global:calls++; Get-FakeProbe }"],
      last: { pipeline: 'Get-Counted', display: 'Format-List' },
      properties: ['ResultType'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.ok(parsed.result, `markers found in:\n${stdout}`);
    assert.deepEqual(parsed.result.objects, [{ ResultType: 'Failed' }, { ResultType: 'Succeeded' }]);
    assert.equal(parsed.result.count, 2);
    assert.equal(stepFailed(parsed.result), false);
    assert.match(parsed.text, /ResultType\s+: Failed/);
    assert.match(parsed.text, /Error\s+: POP3 did not answer/);
    assert.doesNotMatch(parsed.text, /<<<EXR/);
  });

  it('shows a table through Format-Table and reads enum values by name', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: ["$Day = 'Monday'"],
      commands: [],
      last: { pipeline: "[pscustomobject]@{ Name = 'W3SVC'; Status = [System.DayOfWeek]::$Day }, [pscustomobject]@{ Name = 'MSExchangePOP3'; Status = [System.DayOfWeek]::Friday }", display: 'Format-Table -AutoSize' },
      properties: ['Status', 'Name'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Status: 'Monday', Name: 'W3SVC' }, { Status: 'Friday', Name: 'MSExchangePOP3' }]);
    assert.match(parsed.text, /Name\s+Status/);
    assert.match(parsed.text, /MSExchangePOP3\s+Friday/);
  });

  it('shows text through Out-String and captures the objects before it', async () => {
    const { nonce, stdout } = await runInPwsh({ assignments: [], commands: [PROBE], last: { pipeline: 'Get-FakeProbe | Select-Object -Last 1', display: 'Out-String' }, properties: ['ResultType', 'Missing'] });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ ResultType: 'Succeeded', Missing: null }]);
    assert.match(parsed.text, /Succeeded/);
  });

  it('runs multi-line pipelines and Group-Object as written', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: [],
      commands: [PROBE],
      last: { pipeline: 'Get-FakeProbe |\n  Where-Object {\n    $_.ResultType -ne "Timeout"\n  } |\n  Group-Object ResultType', display: undefined },
      properties: ['Name', 'Count'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Name: 'Failed', Count: '1' }, { Name: 'Succeeded', Count: '1' }]);
  });

  it('reports a cmdlet error in an earlier command, and a throw, as failed with the markers still written', async () => {
    const missing = await runInPwsh({ assignments: [], commands: ["Get-Item -LiteralPath '/no/such/exr/file'"], last: { pipeline: "'after'" }, properties: [] });
    const first = parseStepOutput(missing.stdout, missing.nonce);
    assert.ok(first.result);
    assert.equal(first.result.ok, true, '$? of the last command');
    assert.equal(first.result.errors, 1);
    assert.equal(stepFailed(first.result), true);
    assert.match(first.text, /after/);

    const thrown = await runInPwsh({ assignments: [], commands: [], last: { pipeline: "throw 'POP3 service is hung'" }, properties: ['ResultType'] });
    const second = parseStepOutput(thrown.stdout, thrown.nonce);
    assert.ok(second.result, `markers found in:\n${thrown.stdout}`);
    assert.equal(second.result.ok, false);
    assert.deepEqual(second.result.objects, []);
    assert.match(second.text, /POP3 service is hung/);
  });

  it("reads a native command's real exit code from $LASTEXITCODE", async () => {
    const { nonce, stdout } = await runInPwsh({ assignments: [], commands: [], last: { pipeline: "sh -c 'echo native; exit 3'" }, properties: [] });
    const parsed = parseStepOutput(stdout, nonce);
    assert.equal(parsed.result?.exitCode, 3);
    assert.equal(parsed.result && stepFailed(parsed.result), true);
    assert.match(parsed.text, /native/);
  });

  it('passes a hostile parameter value as data', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: ["$Server = 'x''; Write-Output pwned; ''y'"],
      commands: [],
      last: { pipeline: '[pscustomobject]@{ Server = $Server }' },
      properties: ['Server'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Server: "x'; Write-Output pwned; 'y" }]);
    assert.doesNotMatch(parsed.text, /^pwned$/m);
  });
});

describe('reading the terminal stream', () => {
  it('strips shell-integration sequences, colours, cursor queries and CRs', () => {
    const raw = '\x1b]633;C\x07\x1b[?1l\x1b[32mResultType : Succeeded\x1b[0m\r\n\x1b]633;P;Cwd=/tmp\x1b\\done\r\n\x1b[6n';
    assert.equal(stripTerminalEscapes(raw), 'ResultType : Succeeded\ndone\n');
  });

  it('takes the JSON between this run\'s markers only, even when the terminal wrapped it', () => {
    const nonce = 'abc123';
    const stale = '<<<EXR:000000>>>\r\n{"ok":false,"errors":9,"exitCode":null,"count":0,"objects":[]}\r\n<<<EXR:000000:END>>>\r\n';
    const raw = `${stale}\x1b]633;C\x07Name : x\r\n<<<EXR:abc123>>>\r\n{"ok":true,"errors":0,"exitCode":null,"count":1,"obj\r\nects":[{"ResultType":"Succeeded"}]}\r\n<<<EXR:abc123:END>>>\r\n\x1b[6n`;
    const parsed = parseStepOutput(raw, nonce);
    assert.deepEqual(parsed.result, { ok: true, errors: 0, exitCode: null, count: 1, objects: [{ ResultType: 'Succeeded' }] });
    assert.ok(parsed.text.endsWith('Name : x'));
  });

  it('has no result when the end marker never came (a cancelled command)', () => {
    assert.equal(parseStepOutput('Waiting...\r\n<<<EXR:abc>>>\r\n{"ok":tr', 'abc').result, undefined);
  });

  it("understands Windows PowerShell 5.1's { value, Count } array shape", () => {
    const parsed = parseStepOutput('<<<EXR:n1>>>\n{"ok":true,"errors":0,"exitCode":0,"count":1,"objects":{"value":[{"Status":"Mounted"}],"Count":1}}\n<<<EXR:n1:END>>>', 'n1');
    assert.deepEqual(parsed.result?.objects, [{ Status: 'Mounted' }]);
  });

  it('keeps the last lines of long output for the journal', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const excerpt = outputExcerpt(text, 3);
    assert.equal(excerpt, '…\nline 47\nline 48\nline 49');
  });

  it('refuses a nonce that could break out of the marker string', () => {
    assert.throws(() => buildStepScript({ nonce: "x'; rm -rf /; '", assignments: [], commands: [], properties: [] }));
  });
});

describe('Windows PowerShell 5.1 compatibility of what the runner types into a terminal', () => {
  let session: PowerShellSession;
  before(() => {
    assertPwshInstalled();
    session = new PowerShellSession({ executable: PWSH, startupTimeoutMs: 90_000 });
  });
  after(async () => {
    await session.dispose();
  });

  it('finds nothing 7-only in the capture wrapper and the terminal start-up commands', async () => {
    const settings = { simulatorModule: '/ext/simulator/ExchangeSimulator.psd1', simulatorState: '/tmp/state.json' };
    const scripts = {
      capture: buildStepScript({ nonce: 'abc123', assignments: ["$Server = 'EX-MBX01'"], commands: ['Restart-Service MSExchangePOP3'], last: { pipeline: 'Get-ServerHealth $Server |\n  ?{ $_.AlertValue -ne "Healthy" }', display: 'Format-Table -AutoSize' }, properties: ['AlertValue'] }),
      captureNoDisplay: buildStepScript({ nonce: 'abc124', assignments: [], commands: [], last: { pipeline: 'Get-Service' }, properties: [], prelude: ensureConnection({ mode: 'local', ...settings }) }),
      ensureSimulator: ensureConnection({ mode: 'simulator', ...settings }) ?? '',
      simulator: startupCommand({ mode: 'simulator', ...settings }, 'EX-MBX01'),
      local: startupCommand({ mode: 'local', ...settings }, 'EX-MBX01'),
      remote: startupCommand({ mode: 'remote', authentication: 'Negotiate', ...settings }, 'ex-mbx01.contoso.com'),
    };
    assert.deepEqual((await checkWindowsPowerShell51(session, scripts)).filter((r) => r.problems.length > 0), []);
  });

  it('refuses a remote server name that would change the URI', () => {
    assert.throws(() => startupCommand({ mode: 'remote', simulatorModule: '', simulatorState: '' }, "x/'; Stop-Computer; '"), /Not a server name/);
  });
});

// The step runner's result capture: the step function and the short call the terminal is sent,
// against real pwsh (Format-List, Format-Table, Out-String, multi-line pipelines, errors, native
// exit codes, the admin's scope), and the parser of the terminal stream.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PowerShellSession } from '../../src/powershell/session';
import { type ConnectionSettings, connectionKey, ensureConnection, startupCommand, terminalEnvironment } from '../../src/runner/connection';
import { buildStepCall, newNonce, outputExcerpt, parseStepOutput, STEP_HELPER_VARIABLE, stepFailed, stepHelperScript, stripTerminalEscapes, type StepScriptRequest } from '../../src/runner/capture';
import { checkWindowsPowerShell51 } from './compat51';
import { assertPwshInstalled, PWSH } from './pwsh';

const folder = mkdtempSync(join(tmpdir(), 'exr-capture-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A probe-like function, defined before the step as an earlier `run` command would be. */
const PROBE = "function Get-FakeProbe { [pscustomobject]@{ ResultType = 'Failed'; Error = 'POP3 did not answer' }; [pscustomobject]@{ ResultType = 'Succeeded'; Error = '' } }";

let counter = 0;
/**
 * Runs a step in real pwsh as a script file (the terminal runs the same text interactively): the
 * step function defined as the terminal's start-up does, then the call the terminal is sent, then
 * `after` (what the admin might type next).
 */
function runInPwsh(
  request: Omit<StepScriptRequest, 'nonce'>,
  options: { define?: 'start-up' | 'call'; after?: string } = {},
): Promise<{ nonce: string; stdout: string; script: string }> {
  const nonce = newNonce();
  const script = buildStepCall({ ...request, nonce }, { define: options.define === 'call' });
  const file = join(folder, `step${counter++}.ps1`);
  writeFileSync(file, [options.define === 'call' ? '' : stepHelperScript(), script, options.after ?? ''].join('\n'));
  return new Promise((done, fail) => {
    execFile(
      PWSH,
      ['-NoProfile', '-NonInteractive', '-File', file],
      { env: { ...process.env, TERM: 'dumb', NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', [STEP_HELPER_VARIABLE]: stepHelperScript() }, timeout: 60_000 },
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
      commands: [PROBE, "$global:calls = 0; function Get-Counted { $global:calls++; Get-FakeProbe }", 'Get-Counted | Format-List'],
      properties: ['ResultType'],
    }, { after: '"calls: $global:calls"' });
    const parsed = parseStepOutput(stdout, nonce);
    assert.ok(parsed.result, `markers found in:\n${stdout}`);
    assert.deepEqual(parsed.result.objects, [{ ResultType: 'Failed' }, { ResultType: 'Succeeded' }]);
    assert.equal(parsed.result.count, 2);
    assert.equal(stepFailed(parsed.result), false);
    assert.match(parsed.text, /ResultType\s+: Failed/);
    assert.match(parsed.text, /Error\s+: POP3 did not answer/);
    assert.doesNotMatch(parsed.text, /<<<EXR/);
    assert.match(parsed.text, /^calls: 1$/m, 'the pipeline ran once');
  });

  it('shows a table through Format-Table and reads enum values by name', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: ["$Day = 'Monday'"],
      commands: ["[pscustomobject]@{ Name = 'W3SVC'; Status = [System.DayOfWeek]::$Day }, [pscustomobject]@{ Name = 'MSExchangePOP3'; Status = [System.DayOfWeek]::Friday } | Format-Table -AutoSize"],
      properties: ['Status', 'Name'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Status: 'Monday', Name: 'W3SVC' }, { Status: 'Friday', Name: 'MSExchangePOP3' }]);
    assert.match(parsed.text, /Name\s+Status/);
    assert.match(parsed.text, /MSExchangePOP3\s+Friday/);
  });

  it('shows text through Out-String and captures the objects before it', async () => {
    const { nonce, stdout } = await runInPwsh({ assignments: [], commands: [PROBE, 'Get-FakeProbe | Select-Object -Last 1 | Out-String'], properties: ['ResultType', 'Missing'] });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ ResultType: 'Succeeded', Missing: null }]);
    assert.match(parsed.text, /Succeeded/);
  });

  it('runs multi-line pipelines and Group-Object as written', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: [],
      commands: [PROBE, 'Get-FakeProbe |\n  Where-Object {\n    $_.ResultType -ne "Timeout"\n  } |\n  Group-Object ResultType'],
      properties: ['Name', 'Count'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Name: 'Failed', Count: '1' }, { Name: 'Succeeded', Count: '1' }]);
  });

  it('reports a cmdlet error in an earlier command, and a throw, as failed with the markers still written', async () => {
    const missing = await runInPwsh({ assignments: [], commands: ["Get-Item -LiteralPath '/no/such/exr/file'", "'after'"], properties: [] });
    const first = parseStepOutput(missing.stdout, missing.nonce);
    assert.ok(first.result);
    assert.equal(first.result.ok, true, '$? of the last command');
    assert.equal(first.result.errors, 1);
    assert.equal(stepFailed(first.result), true);
    assert.match(first.text, /after/);

    const thrown = await runInPwsh({ assignments: [], commands: ["throw 'POP3 service is hung'"], properties: ['ResultType'] });
    const second = parseStepOutput(thrown.stdout, thrown.nonce);
    assert.ok(second.result, `markers found in:\n${thrown.stdout}`);
    assert.equal(second.result.ok, false);
    assert.deepEqual(second.result.objects, []);
    assert.match(second.text, /POP3 service is hung/);
  });

  it("reads a native command's real exit code from $LASTEXITCODE", async () => {
    const { nonce, stdout } = await runInPwsh({ assignments: [], commands: ["sh -c 'echo native; exit 3'"], properties: [] });
    const parsed = parseStepOutput(stdout, nonce);
    assert.equal(parsed.result?.exitCode, 3);
    assert.equal(parsed.result && stepFailed(parsed.result), true);
    assert.match(parsed.text, /native/);
  });

  it('passes a hostile parameter value as data', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: ["$Server = 'x''; Write-Output pwned; ''y'"],
      commands: ['[pscustomobject]@{ Server = $Server }'],
      properties: ['Server'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Server: "x'; Write-Output pwned; 'y" }]);
    assert.doesNotMatch(parsed.text, /^pwned$/m);
  });
});

describe('what the terminal is sent for a step', { concurrency: 2 }, () => {
  it('is the step as written in one short call: no capture plumbing for the admin to read', () => {
    const call = buildStepCall({ nonce: 'abc123', assignments: ["$Server = 'EX-CAS01'"], commands: ['Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List'], properties: ['ResultType', "it's"] });
    assert.equal(call, [". Invoke-RunbookStep abc123 @('ResultType', 'it''s') {", "$Server = 'EX-CAS01'", 'Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List', '}'].join('\n'));
    assert.doesNotMatch(call, /__exr|<<<EXR/);
  });

  it("runs in the admin's scope: assignments stay set, the function's own variables are gone", async () => {
    const { nonce, stdout } = await runInPwsh(
      { assignments: ["$Server = 'EX-CAS01'"], commands: ['$seen = "seen $Server"', '$seen'], properties: [] },
      { after: '"after: $Server, $seen, leftovers: " + @(Get-Variable -Name __exr* -ErrorAction Ignore).Count' },
    );
    assert.ok(parseStepOutput(stdout, nonce).result, stdout);
    assert.match(stdout, /^after: EX-CAS01, seen EX-CAS01, leftovers: 0$/m);
  });

  it('splits off the display by PowerShell\'s parser: a pipe in a script block or a string is not one', async () => {
    const { nonce, stdout } = await runInPwsh({
      assignments: [],
      commands: [PROBE, "Get-FakeProbe | Where-Object { $_.Error -ne 'a | Format-List' } | Format-List"],
      properties: ['ResultType'],
    });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ ResultType: 'Failed' }, { ResultType: 'Succeeded' }]);
    assert.match(parsed.text, /ResultType\s+: Failed/);
  });

  it('captures an expression piped to a display command ($copies | Format-Table)', async () => {
    const { nonce, stdout } = await runInPwsh({ assignments: [], commands: ["$copies = @([pscustomobject]@{ Name = 'DB01\\EX-MBX01'; Status = 'Mounted' })", '$copies | Format-Table'], properties: ['Status'] });
    const parsed = parseStepOutput(stdout, nonce);
    assert.deepEqual(parsed.result?.objects, [{ Status: 'Mounted' }]);
    assert.match(parsed.text, /DB01\\EX-MBX01\s+Mounted/);
  });

  it("defines the function from the terminal's environment when the start-up may not have run", async () => {
    const { nonce, stdout, script } = await runInPwsh({ assignments: [], commands: ["'defined'"], properties: [] }, { define: 'call' });
    assert.match(script, /^\. \(\[scriptblock\]::Create\(\$env:EXCHANGE_RUNBOOKS_STEP\)\)\n\. Invoke-RunbookStep /);
    assert.equal(parseStepOutput(stdout, nonce).result?.count, 1, stdout);
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
    assert.throws(() => buildStepCall({ nonce: "x'; rm -rf /; '", assignments: [], commands: [], properties: [] }));
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

  it('finds nothing 7-only in the step function, the calls and the terminal start-up commands', async () => {
    const settings = { simulatorModule: '/ext/simulator/ExchangeSimulator.psd1', simulatorState: '/tmp/state.json' };
    const scripts = {
      stepFunction: stepHelperScript(ensureConnection({ mode: 'local', ...settings })),
      stepFunctionSimulator: terminalEnvironment({ mode: 'simulator', ...settings })[STEP_HELPER_VARIABLE]!,
      call: buildStepCall({ nonce: 'abc123', assignments: ["$Server = 'EX-MBX01'"], commands: ['Restart-Service MSExchangePOP3', 'Get-ServerHealth $Server |\n  ?{ $_.AlertValue -ne "Healthy" } | Format-Table -AutoSize'], properties: ['AlertValue'] }),
      callDefining: buildStepCall({ nonce: 'abc124', assignments: [], commands: ['Get-Service'], properties: [] }, { define: true }),
      ensureSimulator: ensureConnection({ mode: 'simulator', ...settings }) ?? '',
      simulator: startupCommand({ mode: 'simulator', ...settings }, 'EX-MBX01'),
      local: startupCommand({ mode: 'local', ...settings }, 'EX-MBX01'),
      remote: startupCommand({ mode: 'remote', authentication: 'Negotiate', ...settings }, 'ex-mbx01.contoso.com'),
    };
    assert.deepEqual((await checkWindowsPowerShell51(session, scripts)).filter((r) => r.problems.length > 0), []);
  });

  it('starts another terminal when the connection it was started with changed, and reuses it otherwise', () => {
    const simulator: ConnectionSettings = { mode: 'simulator', simulatorModule: '/ext/simulator/ExchangeSimulator.psd1', simulatorState: '/tmp/a/state.json' };
    const remote: ConnectionSettings = { ...simulator, mode: 'remote', server: 'ex1.contoso.com', authentication: 'Kerberos' };
    assert.equal(connectionKey(simulator, 'EX-MBX01'), connectionKey({ ...simulator }, 'ex-mbx01'));
    assert.notEqual(connectionKey(simulator, 'EX-MBX01'), connectionKey(simulator, 'EX-MBX02'));
    assert.notEqual(connectionKey(simulator, 'EX-MBX01'), connectionKey({ ...simulator, simulatorState: '/tmp/b/state.json' }, 'EX-MBX01'));
    assert.notEqual(connectionKey(remote, 'EX-MBX01'), connectionKey({ ...remote, server: 'ex2.contoso.com' }, 'EX-MBX01'));
    assert.notEqual(connectionKey(remote, 'EX-MBX01'), connectionKey({ ...remote, authentication: 'Negotiate' }, 'EX-MBX01'));
    assert.notEqual(connectionKey(remote, 'EX-MBX01'), connectionKey(simulator, 'EX-MBX01'));
  });

  it('refuses a remote server name that would change the URI', () => {
    assert.throws(() => startupCommand({ mode: 'remote', simulatorModule: '', simulatorState: '' }, "x/'; Stop-Computer; '"), /Not a server name/);
  });
});

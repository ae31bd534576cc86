// The PowerShell session against real pwsh: each of node-powershell's measured traps is shown
// neutralised (multi-line hang, escape sequences, stderr as failure, timeout that does not kill,
// silent exit, orphaned real pwsh, NODE_POWERSHELL, unhandled rejection).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PowerShellSession, SessionError, type SessionState, encodeParams, parseAnswer, requestLine, sessionEnvironment } from '../../src/powershell/session';
import { PWSH, allGone, assertPwshInstalled, eventually } from './pwsh';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const HOSTILE = `EX-MBX01'; Stop-Computer; '$(evil)"`;

async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SessionError, `expected a SessionError, got ${error}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('session plumbing (no process)', () => {
  it('cleans the environment: the host TERM and NODE_POWERSHELL never reach pwsh', () => {
    const env = sessionEnvironment({ PATH: '/bin', TERM: 'xterm-256color', NODE_POWERSHELL: '/evil/pwsh', VSCODE_PID: '1', COLORTERM: 'truecolor' }, { EXCHANGE_SIMULATOR: '1', TERM: 'xterm' });
    assert.deepEqual(env, { PATH: '/bin', EXCHANGE_SIMULATOR: '1', TERM: 'dumb', NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' });
  });

  it('sends a request as one line of base64 whatever the script and values hold', () => {
    const line = requestLine('7', 'param($S)\r\n@"\n\n"@', { S: HOSTILE }, 3);
    assert.doesNotMatch(line, /[\r\n]/);
    assert.match(line, /^__ExrInvoke '7' '[A-Za-z0-9+/=]+' 3 '[A-Za-z0-9+/=]+'$/);
    assert.equal(encodeParams({ a: 'x', n: 1, l: ['y', null], o: { d: new Date(0) } }), '{"a":".x","n":1,"l":[".y",null],"o":{"d":".1970-01-01T00:00:00.000Z"}}');
  });

  it('finds its answer behind escape sequences and keeps other lines as stray output', () => {
    const payload = Buffer.from(JSON.stringify({ id: '3', ok: true, output: [1], errors: [], warnings: [], information: [] })).toString('base64');
    const { answer, stray } = parseAnswer(`hello\n\u001b[?1h\u001b[?1l\u001eEXR1 3 ${payload}\n\u001eEXR1 2 xx\n`, '3');
    assert.deepEqual(answer?.output, [1]);
    assert.deepEqual(stray, ['hello', '\u001eEXR1 2 xx']);
  });
});

describe('PowerShellSession against real pwsh', () => {
  let session: PowerShellSession;
  const savedTerm = process.env.TERM;
  const savedNodePowerShell = process.env.NODE_POWERSHELL;

  before(() => {
    assertPwshInstalled();
    // As in the extension host (TERM=xterm), plus a bogus NODE_POWERSHELL that node-powershell would obey.
    process.env.TERM = 'xterm';
    process.env.NODE_POWERSHELL = '/nonexistent/not-pwsh';
    session = new PowerShellSession({ executable: PWSH, startupTimeoutMs: 90_000, requestTimeoutMs: 60_000 });
  });
  after(async () => {
    await session.dispose();
  });
  const restoreEnv = () => {
    if (savedTerm === undefined) delete process.env.TERM;
    else process.env.TERM = savedTerm;
    if (savedNodePowerShell === undefined) delete process.env.NODE_POWERSHELL;
    else process.env.NODE_POWERSHELL = savedNodePowerShell;
  };

  it('starts the configured pwsh despite NODE_POWERSHELL, with TERM=dumb: JSON is not corrupted', async () => {
    try {
      const result = await session.invoke<{ term: string; override: string | null; colour: string }>(
        '@{ term = $env:TERM; override = $env:NODE_POWERSHELL; colour = $env:NO_COLOR }; Get-Date | Format-Table | Out-String',
      );
      assert.equal(result.ok, true);
      assert.deepEqual(result.output[0], { term: 'dumb', override: null, colour: '1' });
      assert.doesNotMatch(String(result.output[1]), /\u001b/);
      assert.equal(session.state, 'ready');
    } finally {
      restoreEnv();
    }
  });

  it('runs multi-line scripts, here-strings with blank lines and CRLF, keeping whitespace', async () => {
    const script = 'param($Pad)\r\n$text = @"\r\nline1\r\n\r\nline3\r\n"@\r\nforeach ($i in 1..2) {\r\n  $i\r\n}\r\n$text\r\n$Pad\r\n"  padded  "';
    const result = await session.invoke(script, { Pad: '\t two tabs \t' });
    assert.equal(result.ok, true, result.errors.join('\n'));
    assert.deepEqual(result.output, [1, 2, 'line1\r\n\r\nline3', '\t two tabs \t', '  padded  ']);
  });

  it('carries Chinese, Japanese and emoji both ways, and 2 MB of output', async () => {
    const names = ['邮箱服务器-01', 'メールボックス サーバー', '🔥 EX-MBX01'];
    const echoed = await session.invoke<string>('param([string[]]$Names) foreach ($n in $Names) { $n + "|" + $n.Length }', { Names: names });
    assert.deepEqual(echoed.output, names.map((n) => `${n}|${n.length}`));
    const big = await session.invoke<string>("'运行状况集' * 400000");
    assert.equal(big.output[0].length, 2_000_000);
    assert.equal(big.output[0].slice(0, 5), '运行状况集');
  });

  it('keeps values data: a hostile server name comes back verbatim and runs nothing', async () => {
    await session.invoke("function global:Stop-Computer { $global:StopRan = $true }; function global:evil { $global:EvilRan = $true; 'INJECTED' }");
    const result = await session.invoke('param($Server) $Server; "Server: $Server"; [bool]$global:StopRan; [bool]$global:EvilRan', { Server: HOSTILE });
    assert.deepEqual(result.output, [HOSTILE, `Server: ${HOSTILE}`, false, false]);
    const dateLike = await session.invoke('param($When) $When.GetType().Name; $When', { When: '2026-11-30T10:00:00Z' });
    assert.deepEqual(dateLike.output, ['String', '2026-11-30T10:00:00Z']);
  });

  it('separates errors, warnings, Write-Host and data; stderr text is not a failure', async () => {
    const result = await session.invoke("Write-Error 'the error'; Write-Warning 'the warning'; Write-Host 'the host text'; [Console]::Error.WriteLine('raw stderr'); 'the data'");
    assert.equal(result.ok, true);
    assert.deepEqual(result.output, ['the data']);
    assert.deepEqual(result.errors, ['the error']);
    assert.deepEqual(result.warnings, ['the warning']);
    assert.deepEqual(result.information, ['the host text']);
    const thrown = await session.invoke("'before'; throw 'stopped here'; 'after'");
    assert.equal(thrown.ok, false);
    assert.deepEqual(thrown.output, ['before']);
    assert.deepEqual(thrown.errors, ['stopped here']);
  });

  it('answers a parse error or an incomplete statement at once, and the next call works', async () => {
    const incomplete = await session.invoke('if ($true) {');
    assert.equal(incomplete.ok, false);
    assert.match(incomplete.errors[0], /Missing closing '\}'/);
    const broken = await session.invoke('foreach (');
    assert.equal(broken.ok, false);
    assert.deepEqual((await session.invoke('1 + 1')).output, [2]);
  });

  it('queues concurrent calls and answers each its own', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => session.invoke<number>('param($N) $N * 2', { N: i })));
    assert.deepEqual(answers.map((a) => a.output[0]), Array.from({ length: 30 }, (_, i) => i * 2));
  });
});

describe('PowerShellSession when things go wrong', () => {
  let session: PowerShellSession;
  const states: SessionState[] = [];
  before(() => {
    assertPwshInstalled();
    session = new PowerShellSession({ executable: PWSH, startupTimeoutMs: 90_000, restartBackoffMs: { initial: 100, max: 1000 } });
    session.onDidChangeState((change) => states.push(change.state));
  });
  after(async () => {
    await session.dispose();
  });

  it('a timeout stops the command by killing both processes, and the next call starts afresh', async () => {
    await session.invoke('1');
    const pids = [session.processId!, session.pid!];
    assert.notEqual(pids[0], pids[1], 'the .NET tool runs a shim and a real pwsh');
    const error = await rejection(session.invoke('Start-Sleep -Seconds 60', {}, { timeoutMs: 1500 }));
    assert.equal(error.kind, 'timeout');
    await eventually(() => allGone(pids), 5000, `PIDs ${pids} gone`);
    const next = await session.invoke('$PID');
    assert.equal(next.ok, true);
    assert.notEqual(next.output[0], pids[1]);
  });

  it('kill -9 of the real pwsh rejects pending calls with "exited", then restarts (state events seen)', async () => {
    await session.invoke('1');
    states.length = 0;
    const real = session.pid!;
    const pending = rejection(session.invoke('Start-Sleep -Seconds 30; "never"'));
    const queued = rejection(session.invoke('"queued"'));
    await eventually(() => session.state === 'ready', 1000, 'ready');
    setTimeout(() => process.kill(real, 'SIGKILL'), 300);
    assert.equal((await pending).kind, 'exited');
    assert.equal((await queued).kind, 'exited');
    assert.equal(session.state, 'exited');
    const again = await session.invoke<number>('$PID');
    assert.notEqual(again.output[0], real);
    assert.deepEqual(states, ['exited', 'restarting', 'ready']);
  });

  it('a process killed between requests is noticed, with no unhandled rejection', async () => {
    await session.invoke('1');
    const pids = [session.processId!, session.pid!];
    process.kill(pids[1], 'SIGKILL');
    await eventually(() => session.state === 'exited', 5000, 'exited');
    await eventually(() => allGone(pids), 5000, 'tree gone');
    assert.deepEqual((await session.invoke('"back"')).output, ['back']);
  });

  it('dispose leaves no process and refuses later calls', async () => {
    await session.invoke('1');
    const pids = [session.processId!, session.pid!];
    const inFlight = rejection(session.invoke('Start-Sleep -Seconds 30'));
    await new Promise((r) => setTimeout(r, 200));
    await session.dispose();
    assert.equal((await inFlight).kind, 'disposed');
    await eventually(() => allGone(pids), 5000, 'tree gone after dispose');
    assert.equal((await rejection(session.invoke('1'))).kind, 'disposed');
    assert.equal(session.state, 'disposed');
  });

  it('a missing executable or a failing start-up script is start-failed, shown, never hung', async () => {
    const missing = new PowerShellSession({ executable: '/nonexistent/pwsh' });
    const error = await rejection(missing.invoke('1'));
    assert.equal(error.kind, 'start-failed');
    assert.match(error.message, /ENOENT/);
    await missing.dispose();
    const failing = new PowerShellSession({ executable: PWSH, startupScript: { script: "param($Why) throw $Why", params: { Why: 'no Exchange here' } } });
    const startup = await rejection(failing.invoke('1'));
    assert.equal(startup.kind, 'start-failed');
    assert.match(startup.message, /no Exchange here/);
    await failing.dispose();
  });

  it('no promise was ever left rejected without a handler', async () => {
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(unhandled, []);
  });
});

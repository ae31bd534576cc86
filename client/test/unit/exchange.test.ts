// Connection modes and the typed Exchange operations against real pwsh, with a small stand-in
// module for Exchange's cmdlets (per-server latency, unreachable and hung servers).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectionStartup, createExchangeSession, isHostName, simulatorModulePath } from '../../src/powershell/connection';
import { invokeProbe, listServers, pollServerHealth, toAlertValue, toServerHealth } from '../../src/powershell/exchange';
import { PowerShellSession, SessionError } from '../../src/powershell/session';
import { PWSH, ROOT, assertPwshInstalled } from './pwsh';

const HOSTILE = `EX-MBX01'; Stop-Computer; '$(evil)"`;

/** Stands in for Exchange: servers and their behaviour come from a JSON file named by FAKE_EXCHANGE. */
const FAKE_MODULE = String.raw`
function Get-FakeServer([string]$Name) {
  $config = Get-Content -LiteralPath $env:FAKE_EXCHANGE -Raw -Encoding UTF8 | ConvertFrom-Json
  $server = $config.servers | Where-Object { $_.name -eq $Name }
  if (-not $server) { throw ('The operation could not be performed because object ' + $Name + ' could not be found.') }
  if ($server.latencyMs) { Start-Sleep -Milliseconds $server.latencyMs }
  if ($server.unreachable) { throw ('Connecting to remote server ' + $Name + ' failed with the following error message : WinRM cannot complete the operation.') }
  $server
}
function Get-ServerHealth {
  param([Parameter(Mandatory = $true, Position = 0)][string]$Identity, [string]$HealthSet)
  $started = [DateTime]::UtcNow
  $server = Get-FakeServer $Identity
  foreach ($m in $server.monitors) {
    [pscustomobject]@{ Server = $Identity; Name = $m.name; HealthSetName = $m.set; HealthGroupName = 'ServiceComponents'; TargetResource = 'MSExchangePOP3'
      AlertValue = $m.alert; CurrentHealthSetState = 'NotApplicable'; LastTransitionTime = [datetime]'2026-11-30T08:00:00Z'; FirstAlertObservedTime = $null
      LastExecutionTime = $started; LastExecutionResult = 'Succeeded'; Description = ('' + $started.Ticks + '|' + [DateTime]::UtcNow.Ticks); Error = ''; IsHaImpacting = $false; IsStale = $false
      Identity = ($m.set + '\' + $m.name + '\MSExchangePOP3') }
  }
}
function Invoke-MonitoringProbe {
  param([Parameter(Mandatory = $true, Position = 0)][string]$Identity, [Parameter(Mandatory = $true)][string]$Server)
  $null = Get-FakeServer $Server
  [pscustomobject]@{ Server = $Server; MonitorIdentity = $Identity; ResultType = 'Succeeded'; Error = ''; Exception = ''; ExecutionStartTime = [datetime]'2026-11-30T09:00:00Z'; ExecutionEndTime = [datetime]'2026-11-30T09:00:02Z'; SampleValue = 1200 }
}
function Get-ExchangeServer {
  $config = Get-Content -LiteralPath $env:FAKE_EXCHANGE -Raw -Encoding UTF8 | ConvertFrom-Json
  foreach ($s in $config.servers) { [pscustomobject]@{ Name = $s.name; ServerRole = $s.roles; AdminDisplayVersion = 'Version 15.0 (Build 1497.2)'; Site = 'Default-First-Site-Name'; Fqdn = ($s.name + '.contoso.com') } }
}
`;

const monitors = (alert: string) => [
  { name: 'PopCTPMonitor', set: 'POP', alert },
  { name: 'PopProxyTestMonitor', set: 'POP.Proxy', alert: 'Healthy' },
];

describe('connection modes (start-up scripts)', () => {
  it('simulator mode sets EXCHANGE_SIMULATOR and the state file for the process, and imports the module by parameter', () => {
    const startup = connectionStartup({ mode: 'simulator', modulePath: simulatorModulePath('/ext'), statePath: '/tmp/world.json' });
    assert.deepEqual(startup.env, { EXCHANGE_SIMULATOR: '1', EXCHANGE_SIMULATOR_STATE: '/tmp/world.json' });
    assert.deepEqual(startup.startupScript.params, { ModulePath: join('/ext', 'simulator', 'ExchangeSimulator.psd1') });
  });

  it('remote mode passes server and credential as parameters only, and removes the session on dispose', () => {
    const startup = connectionStartup({ mode: 'remote', server: 'ex-cas01.contoso.com', authentication: 'Kerberos', credential: { userName: 'CONTOSO\\admin', password: "p'a$(s)s" } });
    assert.equal(startup.startupScript.params?.Password, "p'a$(s)s");
    assert.doesNotMatch(startup.startupScript.script, /ex-cas01|admin|p'a/);
    assert.match(startup.startupScript.script, /ConfigurationName = 'Microsoft\.Exchange'/);
    assert.match(startup.shutdownScript ?? '', /Remove-PSSession/);
  });

  it('refuses a server name that would change the URI, and an unknown authentication', () => {
    for (const bad of ['ex/evil', 'ex?x=1', 'ex@host', HOSTILE, '', '-ex', 'ex..com']) assert.equal(isHostName(bad), false, bad);
    for (const good of ['EX-CAS01', 'ex-cas01.contoso.com', '邮件服务器.contoso.cn']) assert.equal(isHostName(good), true, good);
    assert.throws(() => connectionStartup({ mode: 'remote', server: 'ex/evil', authentication: 'Kerberos' }));
    assert.throws(() => connectionStartup({ mode: 'remote', server: 'ex', authentication: 'Basic' as 'Kerberos' }));
  });

  it('reads answers defensively', () => {
    assert.equal(toAlertValue('unhealthy'), 'Unhealthy');
    assert.equal(toAlertValue(3), 'Unknown');
    assert.deepEqual(toServerHealth('EX', null), { server: 'EX', ok: false, reason: 'error', message: 'No answer for this server.', durationMs: 0 });
    assert.deepEqual(toServerHealth('EX', { ok: false, reason: 'bogus', message: 'm', durationMs: 5 }), { server: 'EX', ok: false, reason: 'error', message: 'm', durationMs: 5 });
  });
});

describe('Exchange operations over a session (stand-in module in simulator mode)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'exr-exchange-'));
  const config = join(folder, 'fake.json');
  const modulePath = join(folder, 'FakeExchange.psm1');
  let session: PowerShellSession;
  const writeConfig = (servers: unknown[]) => writeFileSync(config, JSON.stringify({ servers }));

  before(() => {
    assertPwshInstalled();
    writeFileSync(modulePath, FAKE_MODULE);
    writeConfig([]);
    session = createExchangeSession(PWSH, { mode: 'simulator', modulePath, statePath: join(folder, 'state.json') }, { env: { FAKE_EXCHANGE: config }, startupTimeoutMs: 90_000 });
  });
  after(async () => {
    await session.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('the simulator start-up imports the module with EXCHANGE_SIMULATOR set', async () => {
    const result = await session.invoke('@{ sim = $env:EXCHANGE_SIMULATOR; state = $env:EXCHANGE_SIMULATOR_STATE; mode = $global:ExrConnection.Mode; command = (Get-Command Get-ServerHealth).Source }');
    assert.deepEqual(result.output[0], { sim: '1', state: join(folder, 'state.json'), mode: 'simulator', command: 'FakeExchange' });
  });

  it('polls every server in one request: healthy, unhealthy, unreachable, hung and unknown servers each get their own answer', async () => {
    writeConfig([
      { name: 'EX-CAS01', monitors: monitors('Unhealthy'), roles: 'ClientAccess' },
      { name: 'EX-MBX01', monitors: monitors('Healthy'), roles: 'Mailbox' },
      { name: 'EX-MBX02', unreachable: true, monitors: [], roles: 'Mailbox' },
      { name: 'EX-MBX03', latencyMs: 60_000, monitors: monitors('Healthy'), roles: 'Mailbox' },
      { name: '邮箱服务器-04', monitors: monitors('Degraded'), roles: 'Mailbox' },
    ]);
    const results = await pollServerHealth(session, ['EX-CAS01', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03', '邮箱服务器-04', HOSTILE], { perServerTimeoutMs: 2000, concurrency: 4 });
    assert.deepEqual(results.map((r) => [r.server, r.ok ? 'ok' : r.reason]), [
      ['EX-CAS01', 'ok'],
      ['EX-MBX01', 'ok'],
      ['EX-MBX02', 'unreachable'],
      ['EX-MBX03', 'timeout'],
      ['邮箱服务器-04', 'ok'],
      [HOSTILE, 'error'],
    ]);
    const cas = results[0];
    assert.ok(cas.ok);
    assert.deepEqual(cas.monitors[0], {
      name: 'PopCTPMonitor', healthSet: 'POP', healthGroup: 'ServiceComponents', targetResource: 'MSExchangePOP3', alertValue: 'Unhealthy',
      currentHealthSetState: 'NotApplicable', lastTransitionTime: '2026-11-30T08:00:00.0000000Z', firstAlertObservedTime: null,
      lastExecutionTime: cas.monitors[0].lastExecutionTime, lastExecutionResult: 'Succeeded', description: cas.monitors[0].description,
      error: '', isHaImpacting: false, isStale: false, identity: 'POP\\PopCTPMonitor\\MSExchangePOP3',
    });
    assert.ok(results[4].ok && results[4].monitors[0].alertValue === 'Degraded');
    const hostile = results[5];
    assert.ok(!hostile.ok && hostile.message.includes(HOSTILE), 'the hostile name is only ever data');
    const unreachable = results[2];
    assert.ok(!unreachable.ok && /Connecting to remote server EX-MBX02 failed/.test(unreachable.message));
    // The session is still usable after a server was stopped at its deadline.
    assert.deepEqual((await session.invoke('"still here"')).output, ['still here']);
  });

  it('fans out: servers with latency are asked at the same time, not one after the other', async () => {
    const names = ['EX-A', 'EX-B', 'EX-C', 'EX-D'];
    writeConfig(names.map((name) => ({ name, latencyMs: 400, monitors: monitors('Healthy'), roles: 'Mailbox' })));
    const results = await pollServerHealth(session, names, { perServerTimeoutMs: 20_000, concurrency: 4 });
    const spans = results.map((r) => {
      assert.ok(r.ok);
      const [start, end] = r.monitors[0].description.split('|').map(Number);
      return { start, end };
    });
    // Each call slept 400 ms inside its span; with fan-out, some span starts before another ends.
    const overlapping = spans.some((a, i) => spans.some((b, j) => i !== j && a.start < b.end && b.start < a.end));
    assert.ok(overlapping, 'no two servers were asked at the same time');
  });

  it('invokes a probe and lists servers with their roles', async () => {
    writeConfig([
      { name: 'EX-CAS01', monitors: [], roles: 'ClientAccess' },
      { name: 'EX-MBX01', monitors: [], roles: 'Mailbox, ClientAccess' },
    ]);
    const probe = await invokeProbe(session, 'EX-CAS01', 'POP\\PopCTPProbe');
    assert.deepEqual(probe, {
      server: 'EX-CAS01', identity: 'POP\\PopCTPProbe', resultType: 'Succeeded', error: '', exception: '',
      executionStartTime: '2026-11-30T09:00:00.0000000Z', executionEndTime: '2026-11-30T09:00:02.0000000Z', sampleValue: '1200', durationMs: probe.durationMs,
    });
    await assert.rejects(invokeProbe(session, 'EX-NOPE', 'POP\\PopCTPProbe'), /EX-NOPE could not be found/);
    const servers = await listServers(session);
    assert.deepEqual(servers.map((s) => [s.name, s.roles]), [['EX-CAS01', ['ClientAccess']], ['EX-MBX01', ['Mailbox', 'ClientAccess']]]);
  });

  it('a remote connection that cannot be made fails to start, with the reason', async () => {
    const remote = createExchangeSession(PWSH, { mode: 'remote', server: 'exchange.invalid', authentication: 'Negotiate' }, { startupTimeoutMs: 90_000 });
    try {
      const error = await remote.invoke('1').then(
        () => assert.fail('connected to nowhere'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SessionError && error.kind === 'start-failed');
      // On Linux pwsh has no WSMan client; on Windows the name does not resolve. Either way the reason is shown.
      assert.match(error.message, /WSMan|exchange\.invalid|connect/i);
    } finally {
      await remote.dispose();
    }
  });
});

describe('Exchange operations against the Exchange simulator', () => {
  const folder = mkdtempSync(join(tmpdir(), 'exr-sim-'));
  let session: PowerShellSession;
  before(() => {
    assertPwshInstalled();
    session = createExchangeSession(PWSH, { mode: 'simulator', modulePath: simulatorModulePath(ROOT), statePath: join(folder, 'state.json') }, { startupTimeoutMs: 120_000 });
  });
  after(async () => {
    await session.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('a scenario shows up in the poll: PopCTPMonitor Unhealthy on EX-CAS01, an unreachable server as such', async () => {
    const reset = await session.invoke("Reset-ExchangeSimulator -Scenario pop3-cas-stopped | Out-Null; Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $true | Out-Null");
    assert.deepEqual(reset.errors, []);
    const servers = await listServers(session);
    assert.deepEqual(servers.map((s) => s.name), ['EX-CAS01', 'EX-CAS02', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03']);
    const results = await pollServerHealth(session, servers.map((s) => s.name), { concurrency: 2, perServerTimeoutMs: 60_000 });
    const cas = results[0];
    assert.ok(cas.ok);
    assert.equal(cas.monitors.find((m) => m.name === 'PopCTPMonitor')?.alertValue, 'Unhealthy');
    const unhealthy = results.flatMap((r) => (r.ok ? r.monitors.filter((m) => m.alertValue === 'Unhealthy').map((m) => `${r.server} ${m.identity}`) : []));
    assert.deepEqual(unhealthy, ['EX-CAS01 POP\\PopCTPMonitor\\MSExchangePOP3']);
    const mbx02 = results[3];
    assert.ok(!mbx02.ok && mbx02.reason === 'unreachable', JSON.stringify(mbx02));
    const probe = await invokeProbe(session, 'EX-CAS01', 'POP\\PopCTPProbe');
    assert.equal(probe.resultType, 'Failed');
  });
});

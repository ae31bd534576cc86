// The typed Exchange operations against the Exchange simulator itself (a scenario seen through the
// poll, an unreachable server, a probe), and a remote connection that cannot be made.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createExchangeSession, simulatorModulePath } from '../../src/powershell/connection';
import { invokeProbe, listServers, pollServerHealth } from '../../src/powershell/exchange';
import { PowerShellSession, SessionError } from '../../src/powershell/session';
import { PWSH, ROOT, assertPwshInstalled } from './pwsh';

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

describe('remote mode', () => {
  before(() => assertPwshInstalled());
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

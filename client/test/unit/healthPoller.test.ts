// The poller and its PowerShell source against real pwsh and the real Exchange simulator: the
// organisation, a scenario, an unreachable and a slow server, hostile names, a killed session.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isServerStale, summarize, type HealthModel } from '../../src/health/model';
import { HealthPoller } from '../../src/health/poller';
import { SessionHealthSource } from '../../src/health/source';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const PWSH = process.env.EXR_PWSH || join(ROOT, '.tools', 'pwsh', 'pwsh');
const MODULE = join(ROOT, 'simulator', 'ExchangeSimulator.psd1');
const quiet = { info() {}, warn() {}, error() {} };

/** Changes the world from another pwsh process, as a terminal would. */
function simulator(state: string, command: string): void {
  execFileSync(PWSH, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', `Import-Module '${MODULE}'; ${command}`], {
    env: { ...process.env, EXCHANGE_SIMULATOR: '1', EXCHANGE_SIMULATOR_STATE: state, NO_COLOR: '1', TERM: 'dumb' },
    stdio: 'pipe',
  });
}

function monitor(model: HealthModel, server: string, name: string) {
  return model.servers.find((s) => s.name === server)?.monitors.find((m) => m.name === name);
}

describe('health poller on the Exchange simulator (real pwsh)', () => {
  let folder: string;
  let state: string;
  let source: SessionHealthSource;

  before(async () => {
    assert.ok(existsSync(PWSH), `pwsh is required (${PWSH}): run bash scripts/setup.sh`);
    folder = mkdtempSync(join(tmpdir(), 'exr-poller-'));
    state = join(folder, 'state.json');
    source = new SessionHealthSource(
      PWSH,
      { mode: 'simulator', simulatorModule: MODULE, simulatorState: state, scenario: 'pop3-cas-stopped', remoteServer: '', authentication: 'Kerberos', userName: '' },
      quiet,
    );
    await source.resetSimulator('pop3-cas-stopped');
  });

  after(() => {
    source?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('shows the whole simulated organisation with the scenario monitor Unhealthy', async () => {
    const poller = new HealthPoller({ source, servers: [], intervalMs: 60_000, perServerTimeoutMs: 10_000 });
    try {
      await poller.refresh();
      const model = poller.current;
      assert.equal(model.session.kind, 'live');
      assert.deepEqual(model.servers.map((s) => s.name).sort(), ['EX-CAS01', 'EX-CAS02', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03']);
      assert.equal(monitor(model, 'EX-CAS01', 'PopCTPMonitor')?.alertValue, 'Unhealthy');
      assert.equal(monitor(model, 'EX-CAS02', 'PopCTPMonitor')?.alertValue, 'Healthy');
      assert.ok(summarize(model, Date.now()).unhealthy >= 1);
      const roles = Object.fromEntries(poller.knownServers.map((s) => [s.name, s.roles]));
      assert.deepEqual(roles['EX-CAS01'], ['ClientAccess']);
      assert.deepEqual(roles['EX-MBX01'], ['Mailbox']);
    } finally {
      poller.dispose();
    }
  });

  it('shows an unreachable server with its reason and a slow one as not answering, without holding up the others', async () => {
    simulator(state, "Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $true; Set-ExchangeSimulatorServer -Identity EX-MBX03 -LatencyMilliseconds 20000");
    const poller = new HealthPoller({ source, servers: ['EX-CAS01', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03'], intervalMs: 60_000, perServerTimeoutMs: 8_000 });
    try {
      await poller.refresh();
      const model = poller.current;
      const status = (name: string) => model.servers.find((s) => s.name === name)!.status;
      assert.equal(status('EX-CAS01').kind, 'live');
      assert.equal(status('EX-MBX01').kind, 'live');
      const unreachable = status('EX-MBX02');
      assert.equal(unreachable.kind, 'unreachable', JSON.stringify(unreachable));
      assert.match(unreachable.kind === 'unreachable' ? unreachable.message : '', /EX-MBX02/);
      assert.equal(status('EX-MBX03').kind, 'timeout');
      assert.equal(summarize(model, Date.now()).unreachable, 2);
    } finally {
      poller.dispose();
      simulator(state, "Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $false; Set-ExchangeSimulatorServer -Identity EX-MBX03 -LatencyMilliseconds 0");
    }
  });

  it('keeps the last monitors of a server that stops answering, as stale', async () => {
    const poller = new HealthPoller({ source, servers: ['EX-MBX02'], intervalMs: 60_000, perServerTimeoutMs: 10_000 });
    try {
      await poller.refresh();
      assert.ok(poller.current.servers[0]!.monitors.length > 0);
      simulator(state, 'Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $true');
      await poller.refresh();
      const server = poller.current.servers[0]!;
      assert.equal(server.status.kind, 'unreachable');
      assert.ok(server.monitors.length > 0, 'the last known monitors stay');
      assert.equal(isServerStale(poller.current, server, Date.now()), true);
    } finally {
      poller.dispose();
      simulator(state, 'Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $false');
    }
  });

  it('takes a hostile server name as a name: no code runs, the other servers answer', async () => {
    const marker = join(folder, 'injected');
    const hostile = `EX-MBX01'; New-Item -ItemType File '${marker}'; '$(New-Item -ItemType File '${marker}')"`;
    const poller = new HealthPoller({ source, servers: [hostile, 'EX-CAS01'], intervalMs: 60_000, perServerTimeoutMs: 10_000 });
    try {
      await poller.refresh();
      const [bad, good] = poller.current.servers;
      assert.equal(bad!.name, hostile);
      assert.notEqual(bad!.status.kind, 'live');
      assert.equal(good!.status.kind, 'live');
      assert.equal(existsSync(marker), false, 'the hostile name ran code');
    } finally {
      poller.dispose();
    }
  });

  it('shows reconnecting when the session dies, then live data from a new process', async () => {
    const poller = new HealthPoller({ source, servers: ['EX-CAS01'], intervalMs: 60_000, perServerTimeoutMs: 10_000 });
    const seen: string[] = [];
    poller.onDidUpdate(({ model }) => seen.push(model.session.kind));
    try {
      await poller.refresh();
      const pid = source.pid;
      assert.ok(pid, 'the session reports its process');
      process.kill(pid, 'SIGKILL');
      await poller.refresh();
      for (let i = 0; i < 5 && poller.current.session.kind !== 'live'; i++) await poller.refresh();
      assert.ok(seen.includes('reconnecting'), `states seen: ${seen.join(', ')}`);
      assert.equal(poller.current.session.kind, 'live');
      assert.notEqual(source.pid, pid);
      assert.equal(poller.current.servers[0]!.status.kind, 'live');
    } finally {
      poller.dispose();
    }
  });

  it('re-running the probe after the cure turns the monitor Healthy', async () => {
    simulator(state, 'Invoke-Command -ComputerName EX-CAS01 { Restart-Service MSExchangePOP3 }');
    const probe = await source.invokeProbe('EX-CAS01', 'POP\\PopCTPProbe');
    assert.ok(probe.ok && probe.resultType === 'Succeeded', JSON.stringify(probe));
    const poller = new HealthPoller({ source, servers: ['EX-CAS01'], intervalMs: 60_000, perServerTimeoutMs: 10_000 });
    try {
      await poller.refresh();
      assert.equal(monitor(poller.current, 'EX-CAS01', 'PopCTPMonitor')?.alertValue, 'Healthy');
    } finally {
      poller.dispose();
    }
  });
});

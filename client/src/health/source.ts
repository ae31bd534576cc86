// The health view's HealthSource: one persistent PowerShell session for the configured connection
// (simulator, local Exchange snap-in, or implicit remoting), polled with one request per refresh.
import { existsSync } from 'node:fs';
import { createExchangeSession, type Connection } from '../powershell/connection';
import { invokeProbe, listServers, pollServerHealth, type ProbeResult } from '../powershell/exchange';
import { SessionError, type PowerShellSession, type SessionLog, type StateChange } from '../powershell/session';
import type { ServerReading } from './model';
import type { HealthSource, KnownServer, SourceState } from './poller';
import type { ConnectionSettings } from './settings';

/** The scenarios the simulator module offers (its Get-ExchangeSimulatorScenario). */
export const SIMULATOR_SCENARIOS: readonly string[] = ['healthy', 'pop3-backend-hung', 'pop3-cas-stopped', 'pop-proxy-fault', 'pop-slow-commands', 'pop-transient'];

/** Servers polled at once inside pwsh: a slow server holds one slot, not the whole poll. */
const POLL_CONCURRENCY = 16;

export type ProbeOutcome = ({ ok: true } & ProbeResult) | { ok: false; message: string };

export class SessionHealthSource implements HealthSource {
  private readonly session: PowerShellSession;

  constructor(
    executable: string,
    private readonly connection: ConnectionSettings,
    log: SessionLog,
    password?: string,
    /** Words an error for the user: the client passes sessionMessages.describeError (their language). */
    private readonly describe: (error: unknown) => string = (error) => (error instanceof Error ? error.message : String(error)),
  ) {
    this.session = createExchangeSession(executable, toConnection(connection, password), { log });
  }

  get pid(): number | undefined {
    return this.session.pid;
  }

  async poll(servers: readonly string[], perServerTimeoutMs: number): Promise<ServerReading[]> {
    // A failed session shows in the view with its reason: in the user's language.
    const health = await pollServerHealth(this.session, servers, { perServerTimeoutMs, concurrency: POLL_CONCURRENCY }).catch((error: unknown) => {
      throw error instanceof SessionError ? new SessionError(error.kind, error.reason, this.describe(error)) : error;
    });
    return health.map((entry): ServerReading => {
      if (!entry.ok) return { server: entry.server, ok: false, reason: entry.reason, message: entry.message };
      return {
        server: entry.server,
        ok: true,
        durationMs: entry.durationMs,
        monitors: entry.monitors.map((m) => ({
          name: m.name,
          healthSet: m.healthSet,
          targetResource: m.targetResource,
          alertValue: m.alertValue,
          lastTransitionTime: m.lastTransitionTime ?? undefined,
          description: m.description,
          error: m.error,
          identity: m.identity,
        })),
      };
    });
  }

  async listServers(): Promise<KnownServer[]> {
    const servers = await listServers(this.session);
    return servers.map((server) => ({
      name: server.name,
      roles: server.roles.filter((role): role is 'Mailbox' | 'ClientAccess' => role === 'Mailbox' || role === 'ClientAccess'),
    }));
  }

  async invokeProbe(server: string, identity: string): Promise<ProbeOutcome> {
    try {
      return { ok: true, ...(await invokeProbe(this.session, server, identity)) };
    } catch (error) {
      return { ok: false, message: this.describe(error) };
    }
  }

  /**
   * Starts the scenario unless the world file already holds one (a reload keeps the incident):
   * whether it did. Checked here, before the session starts: importing the module creates a healthy world.
   */
  async ensureSimulator(scenario: string): Promise<boolean> {
    if (existsSync(this.connection.simulatorState)) return false;
    await this.resetSimulator(scenario);
    return true;
  }

  async resetSimulator(scenario: string): Promise<void> {
    await this.simulator('Reset-ExchangeSimulator -Scenario $Scenario | Out-Null', { Scenario: scenario });
  }

  async advanceClock(minutes: number): Promise<void> {
    await this.simulator('Step-ExchangeSimulatorClock -Minutes $Minutes | Out-Null', { Minutes: minutes });
  }

  private async simulator(body: string, params: Record<string, unknown>): Promise<void> {
    if (this.connection.mode !== 'simulator') throw new Error('The Exchange simulator is only used in simulator mode.');
    // Values travel as parameters, never inside the script text.
    const names = Object.keys(params).map((name) => `$${name}`);
    const result = await this.session.invoke(`param(${names.join(', ')})\n${body}`, params);
    if (!result.ok || result.errors.length > 0) throw new Error(result.errors.join('\n') || 'the simulator command failed');
  }

  onDidChangeState(listener: (state: SourceState) => void): { dispose(): void } {
    return this.session.onDidChangeState((change: StateChange) => {
      const message = change.error ? this.describe(change.error) : '';
      if (change.state === 'starting') listener({ kind: 'starting' });
      else if (change.state === 'ready') listener({ kind: 'ready' });
      else if (change.state === 'restarting') listener({ kind: 'restarting', message });
      else if (change.state === 'exited') listener({ kind: 'exited', message: message || this.describe(new SessionError('exited', { id: 'exited' })) });
      else if (change.error instanceof SessionError && change.error.kind === 'start-failed') listener({ kind: 'failed', message });
    });
  }

  dispose(): void {
    void this.session.dispose();
  }
}

/** The session's connection for the configured mode; the password only ever travels as a parameter. */
function toConnection(settings: ConnectionSettings, password: string | undefined): Connection {
  switch (settings.mode) {
    case 'simulator':
      return { mode: 'simulator', modulePath: settings.simulatorModule, statePath: settings.simulatorState };
    case 'local':
      return { mode: 'local' };
    case 'remote':
      return {
        mode: 'remote',
        server: settings.remoteServer,
        authentication: settings.authentication,
        ...(settings.userName && password !== undefined ? { credential: { userName: settings.userName, password } } : {}),
      };
  }
}

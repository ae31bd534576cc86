// Polls server health on a timer through a HealthSource (one persistent PowerShell session) and
// keeps the pure HealthModel up to date. Plain Node: no VS Code, so it is tested against real pwsh.
import { applyPoll, createModel, withServers, withSession, type HealthModel, type MonitorTransition, type ServerReading, type SessionStatus } from './model';

/** What the poller needs from PowerShell: one poll of many servers, and the organisation's servers. */
export interface HealthSource {
  /** One request for all servers; a slow or dead server must not hold up the others. */
  poll(servers: readonly string[], perServerTimeoutMs: number): Promise<ServerReading[]>;
  /** The servers of the organisation with their roles (Get-ExchangeServer). */
  listServers(): Promise<KnownServer[]>;
  /** The session's own state changes (starting, ready, restarting, exited). */
  onDidChangeState(listener: (state: SourceState) => void): { dispose(): void };
  dispose(): void;
}

export interface KnownServer {
  name: string;
  roles: ('Mailbox' | 'ClientAccess')[];
}

export type SourceState = { kind: 'starting' } | { kind: 'ready' } | { kind: 'restarting' | 'exited' | 'failed'; message: string };

export interface PollerOptions {
  source: HealthSource;
  /** Servers to watch; empty means every server the source lists (the simulator's organisation). */
  servers: readonly string[];
  intervalMs: number;
  perServerTimeoutMs: number;
  /** Entries older than this show as stale; three intervals unless given. */
  staleAfterMs?: number;
  now?: () => number;
}

export interface PollUpdate {
  model: HealthModel;
  transitions: MonitorTransition[];
}

/** Backoff after a failed poll: the session restarts itself, the poller just comes back later. */
const RETRY_DELAYS_MS = [2_000, 5_000, 10_000, 30_000];

export class HealthPoller {
  private model: HealthModel;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private paused = false;
  private disposed = false;
  private failures = 0;
  private known: KnownServer[] = [];
  private readonly listeners = new Set<(update: PollUpdate) => void>();
  private readonly sourceSubscription: { dispose(): void };
  private readonly now: () => number;

  constructor(private readonly options: PollerOptions) {
    this.now = options.now ?? Date.now;
    this.model = createModel(options.servers, options.staleAfterMs ?? options.intervalMs * 3);
    this.sourceSubscription = options.source.onDidChangeState((state) => this.onSourceState(state));
  }

  get current(): HealthModel {
    return this.model;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Servers with their roles, as last listed by the source (for parameter prompts). */
  get knownServers(): readonly KnownServer[] {
    return this.known;
  }

  onDidUpdate(listener: (update: PollUpdate) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts polling at once, then every interval. */
  start(): void {
    this.paused = false;
    this.publish(withSession(this.model, { kind: 'starting' }), []);
    void this.refresh();
  }

  pause(): void {
    this.paused = true;
    this.clearTimer();
    this.publish(withSession(this.model, { kind: 'paused' }), []);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.publish(withSession(this.model, { kind: 'starting' }), []);
    void this.refresh();
  }

  /** Polls now (joining a poll already running) and schedules the next one. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.running ??= this.pollOnce().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  private async pollOnce(): Promise<void> {
    try {
      let servers = this.model.servers.map((server) => server.name);
      if (this.options.servers.length === 0 || this.known.length === 0) {
        this.known = await this.options.source.listServers();
        if (this.options.servers.length === 0) {
          servers = this.known.map((server) => server.name);
          this.model = withServers(this.model, servers);
        }
      }
      const readings = await this.options.source.poll(servers, this.options.perServerTimeoutMs);
      if (this.disposed) return;
      this.failures = 0;
      const { model, transitions } = applyPoll(this.model, readings, this.now());
      this.publish(withSession(model, this.paused ? { kind: 'paused' } : { kind: 'live' }), transitions);
    } catch (error) {
      if (this.disposed) return;
      this.failures++;
      // The data stays, but the session's state tells the view not to show it as current.
      const message = error instanceof Error ? error.message : String(error);
      this.publish(withSession(this.model, { kind: 'reconnecting', message }), []);
    }
  }

  private schedule(): void {
    this.clearTimer();
    if (this.paused || this.disposed) return;
    const delay = this.failures === 0 ? this.options.intervalMs : Math.min(this.options.intervalMs, RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length) - 1]!);
    this.timer = setTimeout(() => void this.refresh(), delay);
    // A poll timer alone must not keep a process (tests, the CLI) alive.
    this.timer.unref?.();
  }

  private onSourceState(state: SourceState): void {
    let session: SessionStatus | undefined;
    if (state.kind === 'restarting' || state.kind === 'exited') session = { kind: 'reconnecting', message: state.message };
    else if (state.kind === 'failed') session = { kind: 'failed', message: state.message };
    else if (state.kind === 'starting' && this.model.session.kind === 'live') session = { kind: 'reconnecting', message: '' };
    if (session && !this.paused) this.publish(withSession(this.model, session), []);
  }

  private publish(model: HealthModel, transitions: MonitorTransition[]): void {
    this.model = model;
    for (const listener of this.listeners) listener({ model, transitions });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.sourceSubscription.dispose();
    this.listeners.clear();
  }
}

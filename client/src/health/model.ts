// The health view's state as a pure model: servers -> health sets -> monitors, what each poll
// changed, what is stale and what is unreachable. No VS Code, no PowerShell: tested on its own.

/** Exchange's AlertValue of a monitor (Get-ServerHealth). */
export type AlertValue = 'Healthy' | 'Degraded' | 'Unhealthy' | 'Repairing' | 'Disabled' | 'Unavailable' | 'UnInitialized';

/** One monitor entry as a poll reports it (one per monitor and target resource). */
export interface MonitorReading {
  name: string;
  healthSet: string;
  targetResource?: string;
  alertValue: string;
  lastTransitionTime?: string;
  description?: string;
  error?: string;
  /** `HealthSet\Monitor\TargetResource`, as Exchange writes it. */
  identity?: string;
}

/** What one poll learnt about one server. */
export type ServerReading =
  | { server: string; ok: true; durationMs?: number; monitors: MonitorReading[] }
  | { server: string; ok: false; reason: 'timeout' | 'unreachable' | 'error'; message: string };

export interface Monitor extends MonitorReading {
  identity: string;
  server: string;
  /** When a poll last reported this monitor (ms since epoch). */
  refreshedAt: number;
}

export type ServerStatus =
  | { kind: 'pending' }
  | { kind: 'live' }
  | { kind: 'unreachable' | 'timeout' | 'error'; message: string; since: number };

export interface Server {
  name: string;
  status: ServerStatus;
  /** When a poll last answered for this server (ms since epoch). */
  lastSuccessAt?: number;
  monitors: readonly Monitor[];
}

/** The PowerShell session behind the view, as the view shows it. */
export type SessionStatus =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'live' }
  | { kind: 'paused' }
  | { kind: 'reconnecting'; message: string }
  | { kind: 'failed'; message: string };

export interface HealthModel {
  servers: readonly Server[];
  session: SessionStatus;
  /** Entries older than this are shown as stale, never as their last value alone. */
  staleAfterMs: number;
}

/** A monitor whose AlertValue changed between two polls. */
export interface MonitorTransition {
  server: string;
  monitor: Monitor;
  from: string | undefined;
  to: string;
}

// Worst first: the order in which a health set or server takes its monitors' colour.
const SEVERITY: readonly string[] = ['Unhealthy', 'Degraded', 'Unavailable', 'Repairing', 'Disabled', 'UnInitialized', 'Healthy'];

export function severity(alertValue: string): number {
  const index = SEVERITY.findIndex((value) => value.toLowerCase() === alertValue.toLowerCase());
  return index < 0 ? SEVERITY.indexOf('Unavailable') : index;
}

/** The worse of the given AlertValues (Healthy when there are none). */
export function worstAlertValue(values: Iterable<string>): string {
  let worst = 'Healthy';
  for (const value of values) if (severity(value) < severity(worst)) worst = value;
  return worst;
}

export function isUnhealthy(alertValue: string): boolean {
  return alertValue.toLowerCase() === 'unhealthy';
}

export function createModel(servers: readonly string[], staleAfterMs: number): HealthModel {
  // The first spelling of a name wins; Exchange server names ignore case.
  const unique = new Map<string, string>();
  for (const raw of servers) {
    const name = raw.trim();
    if (name !== '' && !unique.has(name.toLowerCase())) unique.set(name.toLowerCase(), name);
  }
  return { servers: [...unique.values()].map((name) => ({ name, status: { kind: 'pending' }, monitors: [] })), session: { kind: 'idle' }, staleAfterMs };
}

/** The model for a new server list, keeping what is known of servers that stay. */
export function withServers(model: HealthModel, servers: readonly string[], staleAfterMs = model.staleAfterMs): HealthModel {
  const fresh = createModel(servers, staleAfterMs);
  const known = new Map(model.servers.map((server) => [server.name.toLowerCase(), server]));
  return { ...fresh, session: model.session, servers: fresh.servers.map((server) => known.get(server.name.toLowerCase()) ?? server) };
}

export function withSession(model: HealthModel, session: SessionStatus): HealthModel {
  return { ...model, session };
}

function monitorIdentity(reading: MonitorReading): string {
  return reading.identity && reading.identity.trim() !== ''
    ? reading.identity
    : [reading.healthSet, reading.name, reading.targetResource].filter((part) => part !== undefined && part !== '').join('\\');
}

/**
 * Applies one poll. Servers the poll answered for get its monitors; servers it could not reach
 * keep their last monitors (shown stale once old) and carry the reason. Servers the poll did not
 * mention are left as they were. Returns the transitions so the caller can notify.
 */
export function applyPoll(model: HealthModel, readings: readonly ServerReading[], now: number): { model: HealthModel; transitions: MonitorTransition[] } {
  const byServer = new Map(readings.map((reading) => [reading.server.toLowerCase(), reading]));
  const transitions: MonitorTransition[] = [];
  const servers = model.servers.map((server): Server => {
    const reading = byServer.get(server.name.toLowerCase());
    if (!reading) return server;
    if (!reading.ok) {
      // Keep when the failure started, so the view can say "unreachable for 5 minutes".
      const since = server.status.kind === reading.reason ? server.status.since : now;
      return { ...server, status: { kind: reading.reason, message: reading.message, since } };
    }
    const previous = new Map(server.monitors.map((monitor) => [monitor.identity.toLowerCase(), monitor]));
    const monitors = reading.monitors.map((entry): Monitor => {
      const identity = monitorIdentity(entry);
      const monitor: Monitor = { ...entry, identity, server: server.name, refreshedAt: now };
      const before = previous.get(identity.toLowerCase());
      if (!before || before.alertValue.toLowerCase() !== entry.alertValue.toLowerCase()) {
        transitions.push({ server: server.name, monitor, from: before?.alertValue, to: entry.alertValue });
      }
      return monitor;
    });
    monitors.sort((a, b) => a.healthSet.localeCompare(b.healthSet) || a.name.localeCompare(b.name) || (a.targetResource ?? '').localeCompare(b.targetResource ?? ''));
    return { ...server, status: { kind: 'live' }, lastSuccessAt: now, monitors };
  });
  return { model: { ...model, servers }, transitions };
}

/** Whether what the view shows for this server is older than the model allows. */
export function isServerStale(model: HealthModel, server: Server, now: number): boolean {
  if (server.lastSuccessAt === undefined) return false;
  return server.status.kind !== 'live' || now - server.lastSuccessAt > model.staleAfterMs;
}

export function isMonitorStale(model: HealthModel, monitor: Monitor, now: number): boolean {
  return now - monitor.refreshedAt > model.staleAfterMs;
}

export interface HealthSetGroup {
  server: string;
  name: string;
  /** The worst AlertValue of its monitors. */
  alertValue: string;
  monitors: readonly Monitor[];
}

/** A server's monitors grouped by health set, worst health sets first, then by name. */
export function healthSetsOf(server: Server, options: { unhealthyOnly?: boolean } = {}): HealthSetGroup[] {
  const groups = new Map<string, Monitor[]>();
  for (const monitor of server.monitors) {
    if (options.unhealthyOnly && isHealthyEnough(monitor.alertValue)) continue;
    const list = groups.get(monitor.healthSet) ?? [];
    list.push(monitor);
    groups.set(monitor.healthSet, list);
  }
  return [...groups.entries()]
    .map(([name, monitors]) => ({ server: server.name, name, monitors, alertValue: worstAlertValue(monitors.map((m) => m.alertValue)) }))
    .sort((a, b) => severity(a.alertValue) - severity(b.alertValue) || a.name.localeCompare(b.name));
}

/** Healthy and the states an admin set on purpose do not need attention in "unhealthy only". */
function isHealthyEnough(alertValue: string): boolean {
  return ['healthy', 'disabled', 'repairing'].includes(alertValue.toLowerCase());
}

/** The servers the view lists: with "unhealthy only", those that need attention. */
export function visibleServers(model: HealthModel, options: { unhealthyOnly?: boolean } = {}): Server[] {
  if (!options.unhealthyOnly) return [...model.servers];
  return model.servers.filter((server) => server.status.kind !== 'live' || healthSetsOf(server, options).length > 0);
}

/** The colour a server takes: its reachability first, then its worst monitor. */
export function serverAlertValue(server: Server): string | 'unreachable' | 'pending' {
  if (server.status.kind === 'pending') return 'pending';
  if (server.status.kind !== 'live') return 'unreachable';
  return worstAlertValue(server.monitors.map((monitor) => monitor.alertValue));
}

export interface HealthSummary {
  servers: number;
  unhealthy: number;
  degraded: number;
  unreachable: number;
  stale: number;
  monitors: number;
}

/** Counts for the badge and the status bar. */
export function summarize(model: HealthModel, now: number): HealthSummary {
  const summary: HealthSummary = { servers: model.servers.length, unhealthy: 0, degraded: 0, unreachable: 0, stale: 0, monitors: 0 };
  for (const server of model.servers) {
    if (server.status.kind === 'unreachable' || server.status.kind === 'timeout' || server.status.kind === 'error') summary.unreachable++;
    else if (isServerStale(model, server, now)) summary.stale++;
    for (const monitor of server.monitors) {
      summary.monitors++;
      if (isUnhealthy(monitor.alertValue)) summary.unhealthy++;
      else if (monitor.alertValue.toLowerCase() === 'degraded') summary.degraded++;
    }
  }
  return summary;
}

/** Monitors that turned Unhealthy in these transitions (not those that were already Unhealthy). */
export function newlyUnhealthy(transitions: readonly MonitorTransition[]): MonitorTransition[] {
  return transitions.filter((t) => isUnhealthy(t.to) && (t.from === undefined || !isUnhealthy(t.from)));
}

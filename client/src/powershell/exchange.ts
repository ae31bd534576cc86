// Typed Exchange operations over a session: one poll of every server's health (one request, fanned
// out inside PowerShell), a monitor's probe, the organisation's servers.
import { LIST_SERVERS_SCRIPT, POLL_SCRIPT, PROBE_SCRIPT, SERVER_HEALTH_SCRIPT } from './scripts';
import type { PowerShellSession } from './session';

/** Managed Availability's monitor states (MonitorAlertState); anything else reads as Unknown. */
export type AlertValue = 'Healthy' | 'Degraded' | 'Unhealthy' | 'Unavailable' | 'Disabled' | 'Repairing' | 'Unknown';
const ALERT_VALUES: readonly AlertValue[] = ['Healthy', 'Degraded', 'Unhealthy', 'Unavailable', 'Disabled', 'Repairing', 'Unknown'];

export function toAlertValue(value: unknown): AlertValue {
  const text = String(value ?? '').trim().toLowerCase();
  return ALERT_VALUES.find((v) => v.toLowerCase() === text) ?? 'Unknown';
}

/** One row of Get-ServerHealth. Dates are ISO 8601 text (UTC) or null. */
export interface MonitorHealth {
  name: string;
  healthSet: string;
  healthGroup: string;
  targetResource: string;
  alertValue: AlertValue;
  currentHealthSetState: string;
  lastTransitionTime: string | null;
  firstAlertObservedTime: string | null;
  lastExecutionTime: string | null;
  lastExecutionResult: string;
  description: string;
  error: string;
  isHaImpacting: boolean;
  isStale: boolean;
  /** HealthSet\Monitor\TargetResource, as Exchange prints it. */
  identity: string;
}

export type ServerHealth =
  | { server: string; ok: true; durationMs: number; monitors: MonitorHealth[] }
  | { server: string; ok: false; reason: 'timeout' | 'unreachable' | 'error'; message: string; durationMs: number };

export interface PollOptions {
  /** How long one server may take before it is reported as timed out (default 15 s). */
  perServerTimeoutMs?: number;
  /** Servers asked at once (default 8). */
  concurrency?: number;
  /** The whole request; by default enough for every server to time out in turn, plus a margin. */
  timeoutMs?: number;
}

export interface ProbeResult {
  server: string;
  identity: string;
  /** Succeeded, Failed, TimedOut, Poisoned, Cancelled, ... as Exchange reports it. */
  resultType: string;
  error: string;
  exception: string;
  executionStartTime: string | null;
  executionEndTime: string | null;
  sampleValue: string;
  durationMs: number;
}

export interface ExchangeServer {
  name: string;
  /** "Mailbox", "ClientAccess", ... */
  roles: string[];
  version: string;
  site: string;
  fqdn: string;
}

/** A request PowerShell answered with a terminating error (the session itself is fine). */
export class ExchangeCommandError extends Error {
  constructor(
    message: string,
    readonly errors: string[],
  ) {
    super(message);
    this.name = 'ExchangeCommandError';
  }
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const date = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function toMonitor(raw: Record<string, unknown>): MonitorHealth {
  return {
    name: str(raw.name),
    healthSet: str(raw.healthSet),
    healthGroup: str(raw.healthGroup),
    targetResource: str(raw.targetResource),
    alertValue: toAlertValue(raw.alertValue),
    currentHealthSetState: str(raw.currentHealthSetState),
    lastTransitionTime: date(raw.lastTransitionTime),
    firstAlertObservedTime: date(raw.firstAlertObservedTime),
    lastExecutionTime: date(raw.lastExecutionTime),
    lastExecutionResult: str(raw.lastExecutionResult),
    description: str(raw.description),
    error: str(raw.error),
    isHaImpacting: raw.isHaImpacting === true,
    isStale: raw.isStale === true,
    identity: str(raw.identity),
  };
}

/** Reads one server's answer of the poll; anything malformed is an 'error' result, never a throw. */
export function toServerHealth(server: string, raw: unknown): ServerHealth {
  if (raw === null || typeof raw !== 'object') return { server, ok: false, reason: 'error', message: 'No answer for this server.', durationMs: 0 };
  const r = raw as Record<string, unknown>;
  if (r.ok === true) {
    const monitors = Array.isArray(r.monitors) ? r.monitors : [];
    return { server, ok: true, durationMs: num(r.durationMs), monitors: monitors.filter((m) => m && typeof m === 'object').map((m) => toMonitor(m as Record<string, unknown>)) };
  }
  const reason = r.reason === 'timeout' || r.reason === 'unreachable' ? r.reason : 'error';
  return { server, ok: false, reason, message: str(r.message), durationMs: num(r.durationMs) };
}

/**
 * Every server's health in one request. The PowerShell side asks up to `concurrency` servers at a
 * time and gives each its own deadline, so a slow or dead server costs only its own timeout.
 * Rejects with a SessionError when the session itself failed (the view shows "reconnecting").
 */
export async function pollServerHealth(session: PowerShellSession, servers: readonly string[], options: PollOptions = {}): Promise<ServerHealth[]> {
  if (servers.length === 0) return [];
  const perServerTimeoutMs = Math.max(100, Math.floor(options.perServerTimeoutMs ?? 15_000));
  const concurrency = Math.max(1, Math.min(64, Math.floor(options.concurrency ?? 8)));
  // Serial (remote) mode is the worst case: every server after the other.
  const timeoutMs = options.timeoutMs ?? perServerTimeoutMs * servers.length + 30_000;
  const result = await session.invoke<unknown>(
    POLL_SCRIPT,
    { Servers: [...servers], PerServerTimeoutMs: perServerTimeoutMs, Concurrency: concurrency, ServerScript: SERVER_HEALTH_SCRIPT },
    { timeoutMs, depth: 4 },
  );
  if (!result.ok) throw new ExchangeCommandError(`Get-ServerHealth poll failed: ${result.errors.join('; ')}`, result.errors);
  return servers.map((server, i) => toServerHealth(server, result.output[i]));
}

/** Invoke-MonitoringProbe <HealthSet\Probe[\Target]> -Server <server>: runs the probe now. */
export async function invokeProbe(session: PowerShellSession, server: string, probeIdentity: string, options: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const result = await session.invoke<Record<string, unknown>>(PROBE_SCRIPT, { Server: server, Identity: probeIdentity }, { timeoutMs: options.timeoutMs ?? 120_000, depth: 2 });
  const raw = result.output[0];
  if (!result.ok || !raw) throw new ExchangeCommandError(result.errors.join('; ') || `Invoke-MonitoringProbe ${probeIdentity} returned nothing.`, result.errors);
  return {
    server: str(raw.server),
    identity: str(raw.identity),
    resultType: str(raw.resultType),
    error: str(raw.error),
    exception: str(raw.exception),
    executionStartTime: date(raw.executionStartTime),
    executionEndTime: date(raw.executionEndTime),
    sampleValue: str(raw.sampleValue),
    durationMs: num(raw.durationMs),
  };
}

/** Get-ExchangeServer: every server of the organisation with its roles. */
export async function listServers(session: PowerShellSession, options: { timeoutMs?: number } = {}): Promise<ExchangeServer[]> {
  const result = await session.invoke<Record<string, unknown>>(LIST_SERVERS_SCRIPT, {}, { timeoutMs: options.timeoutMs ?? 60_000, depth: 2 });
  if (!result.ok) throw new ExchangeCommandError(`Get-ExchangeServer failed: ${result.errors.join('; ')}`, result.errors);
  return result.output
    .filter((s) => s && typeof s === 'object')
    .map((s) => ({ name: str(s.name), roles: Array.isArray(s.roles) ? s.roles.map(str) : [], version: str(s.version), site: str(s.site), fqdn: str(s.fqdn) }));
}

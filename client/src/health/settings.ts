// The settings the health view and the terminals share: how to reach Exchange, which servers to
// watch, how often. Read per use (never cached) so a change applies at once.
import * as path from 'node:path';
import * as vscode from 'vscode';

export type ConnectionMode = 'simulator' | 'local' | 'remote';

export interface ConnectionSettings {
  mode: ConnectionMode;
  /** Remote mode: the server whose http://<server>/PowerShell/ endpoint is used. */
  remoteServer: string;
  authentication: 'Kerberos' | 'Negotiate';
  userName: string;
  /** Simulator mode: the module to import and the world file shared by every PowerShell. */
  simulatorModule: string;
  simulatorState: string;
  scenario: string;
}

export interface HealthSettings {
  connection: ConnectionSettings;
  servers: string[];
  pollIntervalMs: number;
  serverTimeoutMs: number;
  notifyWhenUnhealthy: boolean;
}

const SECTION = 'exchangeRunbooks';

function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export function readConnectionSettings(context: vscode.ExtensionContext): ConnectionSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const mode = config.get<string>('connection.mode');
  const servers = (config.get<string[]>('servers') ?? []).filter((s) => typeof s === 'string' && s.trim() !== '');
  const configuredState = (config.get<string>('simulator.statePath') ?? '').trim();
  return {
    mode: mode === 'simulator' || mode === 'local' ? mode : 'remote',
    remoteServer: (config.get<string>('connection.server') ?? '').trim() || servers[0]?.trim() || '',
    authentication: config.get<string>('connection.authentication') === 'Negotiate' ? 'Negotiate' : 'Kerberos',
    userName: (config.get<string>('connection.userName') ?? '').trim(),
    simulatorModule: context.asAbsolutePath(path.join('simulator', 'ExchangeSimulator.psd1')),
    simulatorState: configuredState || path.join(context.globalStorageUri.fsPath, 'simulator', 'state.json'),
    scenario: config.get<string>('simulator.scenario') || 'pop3-backend-hung',
  };
}

export function readHealthSettings(context: vscode.ExtensionContext): HealthSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    connection: readConnectionSettings(context),
    servers: [...new Set((config.get<string[]>('servers') ?? []).filter((s) => typeof s === 'string').map((s) => s.trim()).filter(Boolean))],
    pollIntervalMs: clamp(config.get<number>('health.pollIntervalSeconds'), 5, 3600, 60) * 1000,
    serverTimeoutMs: clamp(config.get<number>('health.serverTimeoutSeconds'), 2, 600, 30) * 1000,
    notifyWhenUnhealthy: config.get<boolean>('health.notifyWhenUnhealthy') ?? true,
  };
}

/** Whether there is anything to watch: the simulator, or servers of a real organisation. */
export function isConfigured(settings: HealthSettings): boolean {
  return settings.connection.mode === 'simulator' || settings.servers.length > 0;
}

/** Whether a configuration change concerns what the health view polls or how. */
export function affectsHealth(event: vscode.ConfigurationChangeEvent): boolean {
  return ['connection', 'servers', 'health', 'simulator', 'powershell.path'].some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
}

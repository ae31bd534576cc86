// The live health feature: owns the PowerShell session behind the view, the poller, the tree, the
// badge, the status bar, notifications and the view's commands; follows settings and trust.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { describeNotFound, locatePowerShell } from '../powershell/locate';
import { describeError } from '../powershell/sessionMessages';
import { HealthView, HEALTH_VIEW_ID, type HealthNode } from './healthView';
import { createModel, isUnhealthy, type HealthModel } from './model';
import { HealthStatusBar } from './statusBar';
import { UnhealthyNotifier } from './notifier';
import { HealthPoller, type KnownServer } from './poller';
import { RecoveryProcedures } from './recovery';
import { affectsHealth, isConfigured, readHealthSettings, type HealthSettings } from './settings';
import { SessionHealthSource, SIMULATOR_SCENARIOS } from './source';
import type { ProcedureLocation } from '../../../server/src/protocol';

const CREDENTIAL_KEY = 'exchangeRunbooks.connection.password';

/** What the step runner needs to offer servers for a parameter. */
export interface ServerDirectory {
  servers(): KnownServer[];
}

export class HealthFeature implements vscode.Disposable, ServerDirectory {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly view: HealthView;
  private readonly statusBar = new HealthStatusBar();
  private readonly notifier: UnhealthyNotifier;
  private readonly recovery: RecoveryProcedures;
  private source: SessionHealthSource | undefined;
  private poller: HealthPoller | undefined;
  private pollerSubscription: { dispose(): void } | undefined;
  private settings: HealthSettings;
  private readonly updated = new vscode.EventEmitter<HealthModel>();
  /** Fires after each change of the model (tests and the step runner listen). */
  readonly onDidUpdate = this.updated.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    languageClient: () => LanguageClient | undefined,
  ) {
    this.settings = readHealthSettings(context);
    this.view = new HealthView(createModel(this.settings.servers, this.settings.pollIntervalMs * 3));
    this.recovery = new RecoveryProcedures(languageClient);
    this.notifier = new UnhealthyNotifier(
      () => this.settings.notifyWhenUnhealthy,
      async (monitor) => void (await this.recovery.open(monitor)),
      async () => void (await vscode.commands.executeCommand(`${HEALTH_VIEW_ID}.focus`)),
    );
    const command = (id: string, handler: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, handler);
    this.disposables.push(
      this.view,
      this.statusBar,
      this.notifier,
      this.updated,
      command('exchangeRunbooks.health.refresh', () => this.refresh()),
      command('exchangeRunbooks.health.pause', () => this.setPaused(true)),
      command('exchangeRunbooks.health.resume', () => this.setPaused(false)),
      command('exchangeRunbooks.health.showUnhealthyOnly', () => this.setUnhealthyOnly(true)),
      command('exchangeRunbooks.health.showAll', () => this.setUnhealthyOnly(false)),
      command('exchangeRunbooks.health.openRecovery', (node?: HealthNode | string) => this.openRecovery(node)),
      command('exchangeRunbooks.health.invokeProbe', (node?: HealthNode) => this.invokeProbe(node)),
      command('exchangeRunbooks.health.copyIdentity', (node?: HealthNode) => this.copyIdentity(node)),
      command('exchangeRunbooks.health.addServers', () => this.addServers()),
      command('exchangeRunbooks.connection.setCredential', () => this.setCredential()),
      command('exchangeRunbooks.simulator.start', (scenario?: string) => this.startSimulator(scenario)),
      command('exchangeRunbooks.simulator.startScenario', (scenario?: string) => this.startScenario(scenario)),
      command('exchangeRunbooks.simulator.advanceClock', (minutes?: number) => this.advanceClock(minutes)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsHealth(event)) void this.restart();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
      this.view.treeView.onDidChangeVisibility(() => this.view.update(this.model)),
    );
    void vscode.commands.executeCommand('setContext', 'exchangeRunbooks.health.unhealthyOnly', false);
    void this.restart();
  }

  get model(): HealthModel {
    return this.poller?.current ?? createModel(this.settings.servers, this.settings.pollIntervalMs * 3);
  }

  servers(): KnownServer[] {
    const known = this.poller?.knownServers ?? [];
    if (known.length > 0) return [...known];
    return this.model.servers.map((server) => ({ name: server.name, roles: [] }));
  }

  private restarting: Promise<void> = Promise.resolve();

  /**
   * (Re)creates the session and the poller from the current settings. Serialized: a burst of
   * setting changes must not leave two sessions polling.
   */
  restart(): Promise<void> {
    this.restarting = this.restarting.then(() => this.recreate()).catch((error: unknown) => this.log.error(`Health view: ${errorMessage(error)}`));
    return this.restarting;
  }

  private async recreate(): Promise<void> {
    this.stopPolling();
    this.settings = readHealthSettings(this.context);
    const configured = isConfigured(this.settings);
    await vscode.commands.executeCommand('setContext', 'exchangeRunbooks.health.configured', configured);
    await vscode.commands.executeCommand('setContext', 'exchangeRunbooks.health.paused', false);
    const empty = createModel(configured ? this.settings.servers : [], this.settings.pollIntervalMs * 3);
    if (!configured || !vscode.workspace.isTrusted) {
      // Nothing runs in an untrusted workspace; the welcome content says why.
      this.show(empty);
      return;
    }
    const configuredPath = vscode.workspace.getConfiguration('exchangeRunbooks').get<string>('powershell.path');
    const located = locatePowerShell(configuredPath);
    if (!located.found) {
      const message = describeNotFound(located, vscode.l10n.t);
      this.log.error(`Health view: ${message}`);
      this.show({ ...empty, session: { kind: 'failed', message } });
      const settings = vscode.l10n.t('Open Settings');
      void vscode.window.showErrorMessage(vscode.l10n.t('Server health cannot be polled: {0}', message), settings).then((choice) => {
        if (choice === settings) void openPowerShellSetting();
      });
      return;
    }
    const password = this.settings.connection.mode === 'remote' && this.settings.connection.userName ? await this.context.secrets.get(CREDENTIAL_KEY) : undefined;
    try {
      this.source = new SessionHealthSource(located.path, this.settings.connection, this.log, password, describeError);
    } catch (error) {
      // A remote connection without a usable server name, say: shown in the view, not thrown away.
      this.show({ ...empty, session: { kind: 'failed', message: errorMessage(error) } });
      return;
    }
    if (this.settings.connection.mode === 'simulator') {
      try {
        // Logged: anything else writing the same world file (a test, a second window) races with this start.
        if (await this.source.ensureSimulator(this.settings.connection.scenario)) this.log.info(`Simulator: no world at ${this.settings.connection.simulatorState}; started the scenario ${this.settings.connection.scenario} there.`);
      } catch (error) {
        this.log.error(`Simulator: ${errorMessage(error)}`);
      }
    }
    this.poller = new HealthPoller({
      source: this.source,
      servers: this.settings.servers,
      intervalMs: this.settings.pollIntervalMs,
      perServerTimeoutMs: this.settings.serverTimeoutMs,
    });
    this.pollerSubscription = this.poller.onDidUpdate(({ model, transitions }) => {
      this.show(model);
      this.notifier.notify(transitions);
      for (const transition of transitions) {
        if (transition.from !== undefined) this.log.info(`${transition.server}: ${transition.monitor.identity} ${transition.from} -> ${transition.to}`);
      }
      if (model.session.kind === 'reconnecting') this.log.warn(`Health session: reconnecting (${model.session.message})`);
    });
    this.poller.start();
  }

  private show(model: HealthModel): void {
    this.view.update(model);
    this.statusBar.update(model);
    this.updated.fire(model);
  }

  async refresh(): Promise<void> {
    if (!this.poller) return this.restart();
    await this.poller.refresh();
  }

  private async setPaused(paused: boolean): Promise<void> {
    if (!this.poller) return;
    if (paused) this.poller.pause();
    else this.poller.resume();
    await vscode.commands.executeCommand('setContext', 'exchangeRunbooks.health.paused', paused);
  }

  private async setUnhealthyOnly(value: boolean): Promise<void> {
    this.view.setUnhealthyOnly(value);
    await vscode.commands.executeCommand('setContext', 'exchangeRunbooks.health.unhealthyOnly', value);
  }

  private monitorOf(node: HealthNode | undefined): HealthNode & { kind: 'monitor' } | undefined {
    if (node?.kind === 'monitor') return node;
    const selected = this.view.treeView.selection.find((n) => n.kind === 'monitor');
    return selected?.kind === 'monitor' ? selected : undefined;
  }

  /** Where the workspace's runbooks recover a monitor. */
  recoveryProcedures(monitor: string): Promise<ProcedureLocation[]> {
    return this.recovery.find(monitor);
  }

  /** Opens a monitor's recovery procedure; also takes a monitor name (from notifications, tests). */
  async openRecovery(node?: HealthNode | string): Promise<boolean> {
    const monitor = typeof node === 'string' ? node : this.monitorOf(node)?.monitor.name;
    if (!monitor) return false;
    return this.recovery.open(monitor);
  }

  private async invokeProbe(node?: HealthNode): Promise<void> {
    const target = this.monitorOf(node);
    if (!target || !this.source) return;
    if (!vscode.workspace.isTrusted) return;
    const info = await this.recovery.monitorInfo(target.monitor.name);
    if (!info?.probe) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The probe of {0} is not known, so it cannot be invoked from here.', target.monitor.name));
      return;
    }
    const probe = info.probe;
    const server = target.server.name;
    const result = await vscode.window.withProgress(
      { location: { viewId: HEALTH_VIEW_ID }, title: vscode.l10n.t('Invoking {0} on {1}…', probe, server) },
      () => this.source!.invokeProbe(server, probe).catch((error: unknown) => ({ ok: false as const, message: errorMessage(error) })),
    );
    this.log.info(`Invoke-MonitoringProbe ${probe} -Server ${server}: ${JSON.stringify(result)}`);
    if (!result.ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Invoke-MonitoringProbe {0} on {1} failed: {2}', probe, server, result.message));
    } else if (result.resultType.toLowerCase() === 'succeeded') {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} on {1}: ResultType {2}.', probe, server, result.resultType));
    } else {
      const error = result.error ? ` ${result.error}` : '';
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} on {1}: ResultType {2}.', probe, server, result.resultType) + error);
    }
    await this.poller?.refresh();
  }

  private async copyIdentity(node?: HealthNode): Promise<void> {
    const target = this.monitorOf(node);
    if (!target) return;
    await vscode.env.clipboard.writeText(target.monitor.identity);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', target.monitor.identity), 3000);
  }

  private async addServers(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Exchange servers to watch'),
      prompt: vscode.l10n.t('Server names separated by commas or spaces, e.g. EX-MBX01, EX-CAS01'),
      ignoreFocusOut: true,
      validateInput: (text) => (/^[\s,]*$/.test(text) ? vscode.l10n.t('Enter at least one server name.') : /[^\p{L}\p{N}\s,.\-_]/u.test(text) ? vscode.l10n.t('Server names are letters, digits, dots, hyphens and underscores.') : undefined),
    });
    if (!value) return;
    const added = value.split(/[\s,]+/).filter(Boolean);
    const config = vscode.workspace.getConfiguration('exchangeRunbooks');
    const servers = [...new Set([...(config.get<string[]>('servers') ?? []), ...added])];
    await config.update('servers', servers, settingsTarget());
  }

  private async setCredential(): Promise<void> {
    const config = vscode.workspace.getConfiguration('exchangeRunbooks');
    const userName = await vscode.window.showInputBox({
      title: vscode.l10n.t('Remote Exchange credential'),
      prompt: vscode.l10n.t('User name (DOMAIN\\user). Leave empty to use your own Windows credentials.'),
      value: config.get<string>('connection.userName') ?? '',
      ignoreFocusOut: true,
    });
    if (userName === undefined) return;
    if (userName.trim() === '') {
      await this.context.secrets.delete(CREDENTIAL_KEY);
      await config.update('connection.userName', '', vscode.ConfigurationTarget.Global);
      return;
    }
    const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password for {0}', userName), password: true, ignoreFocusOut: true });
    if (password === undefined) return;
    // The password lives in VS Code's secret storage only, never in settings.
    await this.context.secrets.store(CREDENTIAL_KEY, password);
    await config.update('connection.userName', userName.trim(), vscode.ConfigurationTarget.Global);
  }

  private async pickScenario(scenario: string | undefined): Promise<string | undefined> {
    if (scenario && SIMULATOR_SCENARIOS.includes(scenario)) return scenario;
    const picked = await vscode.window.showQuickPick(
      SIMULATOR_SCENARIOS.map((name) => ({ label: name })),
      { placeHolder: vscode.l10n.t('Scenario for the Exchange simulator') },
    );
    return picked?.label;
  }

  /** Switches to simulator mode (this workspace) and starts a scenario. */
  private async startSimulator(scenario?: string): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const config = vscode.workspace.getConfiguration('exchangeRunbooks');
    const chosen = scenario && SIMULATOR_SCENARIOS.includes(scenario) ? scenario : config.get<string>('simulator.scenario') || 'pop3-backend-hung';
    await config.update('simulator.scenario', chosen, settingsTarget());
    // Switching the mode restarts the session; resetScenario waits for that restart.
    if (config.get<string>('connection.mode') !== 'simulator') await config.update('connection.mode', 'simulator', settingsTarget());
    await this.resetScenario(chosen);
    await vscode.commands.executeCommand(`${HEALTH_VIEW_ID}.focus`);
  }

  private async startScenario(scenario?: string): Promise<void> {
    const chosen = await this.pickScenario(scenario);
    if (!chosen) return;
    if (this.settings.connection.mode !== 'simulator') return this.startSimulator(chosen);
    await this.resetScenario(chosen);
  }

  private async resetScenario(scenario: string): Promise<void> {
    await this.restarting;
    if (!this.source || this.settings.connection.mode !== 'simulator') await this.restart();
    if (!this.source) return;
    try {
      await this.source.resetSimulator(scenario);
      this.log.info(`Simulator: scenario ${scenario} started`);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Exchange simulator: scenario {0} started', scenario), 5000);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The Exchange simulator could not start scenario {0}: {1}', scenario, errorMessage(error)));
    }
    await this.poller?.refresh();
  }

  private async advanceClock(minutes?: number): Promise<void> {
    if (!this.source || this.settings.connection.mode !== 'simulator') return;
    let value = minutes;
    if (value === undefined) {
      const text = await vscode.window.showInputBox({
        title: vscode.l10n.t('Advance the simulated clock'),
        prompt: vscode.l10n.t('Minutes'),
        value: '5',
        validateInput: (input) => (/^\d{1,4}$/.test(input.trim()) && Number(input) > 0 ? undefined : vscode.l10n.t('A whole number of minutes.')),
      });
      if (text === undefined) return;
      value = Number(text);
    }
    await this.source.advanceClock(value);
    await this.poller?.refresh();
  }

  /** For tests: the number of Unhealthy monitors the view shows. */
  unhealthyCount(): number {
    return this.model.servers.reduce((sum, server) => sum + server.monitors.filter((m) => isUnhealthy(m.alertValue)).length, 0);
  }

  /** The number the view's badge shows (unhealthy monitors), undefined when there is no badge. */
  get badge(): number | undefined {
    return this.view.treeView.badge?.value;
  }

  /** For tests: the PowerShell session's process (to check recovery after it dies). */
  get sessionPid(): number | undefined {
    return this.source?.pid;
  }

  private stopPolling(): void {
    this.pollerSubscription?.dispose();
    this.poller?.dispose();
    this.source?.dispose();
    this.poller = undefined;
    this.source = undefined;
  }

  dispose(): void {
    this.stopPolling();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function errorMessage(error: unknown): string {
  return describeError(error);
}

/** Workspace settings when a folder is open (the team's runbook repo), else the user's. */
function settingsTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/**
 * Opens the PowerShell path setting. In a remote window (code-server, SSH, WSL) the setting is a
 * machine-overridable one that lives in the remote tab; the query finds it in every kind of window.
 */
export async function openPowerShellSetting(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', '@id:exchangeRunbooks.powershell.path');
}

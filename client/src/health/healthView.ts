// The side-bar tree of live monitor states (servers -> health sets -> monitors), its badge and
// its message. Shows the pure HealthModel; never decides health itself.
import * as vscode from 'vscode';
import {
  healthSetsOf,
  isMonitorStale,
  isServerStale,
  isUnhealthy,
  serverAlertValue,
  summarize,
  visibleServers,
  type HealthModel,
  type HealthSetGroup,
  type Monitor,
  type Server,
} from './model';

export const HEALTH_VIEW_ID = 'exchangeRunbooks.health';

export type HealthNode = { kind: 'server'; server: Server } | { kind: 'healthSet'; group: HealthSetGroup; server: Server } | { kind: 'monitor'; monitor: Monitor; server: Server };

/** A short "3 min ago" in the display language. */
export function ago(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return vscode.l10n.t('{0} s ago', seconds);
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return vscode.l10n.t('{0} min ago', minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 48) return vscode.l10n.t('{0} h ago', hours);
  return vscode.l10n.t('{0} days ago', Math.round(hours / 24));
}

// Theme colours so the tree follows light, dark and high-contrast themes.
function alertIcon(alertValue: string, stale: boolean): vscode.ThemeIcon {
  if (stale) return new vscode.ThemeIcon('history', new vscode.ThemeColor('disabledForeground'));
  switch (alertValue.toLowerCase()) {
    case 'healthy':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'unhealthy':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'degraded':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'repairing':
      return new vscode.ThemeIcon('tools', new vscode.ThemeColor('charts.blue'));
    case 'disabled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
    default:
      // Unavailable, UnInitialized or a value this version does not know: not healthy.
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground'));
  }
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  // Windows PowerShell 5.1 serialises dates as "/Date(1700000000000)/".
  const legacy = /\/Date\((-?\d+)/.exec(value);
  const time = legacy ? Number(legacy[1]) : Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

export class HealthTreeProvider implements vscode.TreeDataProvider<HealthNode> {
  private readonly changed = new vscode.EventEmitter<HealthNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private model: HealthModel;
  private unhealthyOnly = false;
  /** Descriptions the language server gave for monitors Exchange describes with nothing. */
  private readonly catalogDescriptions = new Map<string, string>();

  constructor(
    model: HealthModel,
    private readonly now: () => number = Date.now,
  ) {
    this.model = model;
  }

  update(model: HealthModel): void {
    this.model = model;
    this.changed.fire(undefined);
  }

  setUnhealthyOnly(value: boolean): void {
    this.unhealthyOnly = value;
    this.changed.fire(undefined);
  }

  setCatalogDescription(monitor: string, description: string): void {
    this.catalogDescriptions.set(monitor.toLowerCase(), description);
  }

  getChildren(node?: HealthNode): HealthNode[] {
    const options = { unhealthyOnly: this.unhealthyOnly };
    if (!node) return visibleServers(this.model, options).map((server) => ({ kind: 'server', server }));
    if (node.kind === 'server') return healthSetsOf(node.server, options).map((group) => ({ kind: 'healthSet', group, server: node.server }));
    if (node.kind === 'healthSet') return node.group.monitors.map((monitor) => ({ kind: 'monitor', monitor, server: node.server }));
    return [];
  }

  getParent(node: HealthNode): HealthNode | undefined {
    if (node.kind === 'server') return undefined;
    if (node.kind === 'healthSet') return { kind: 'server', server: node.server };
    const group = healthSetsOf(node.server).find((g) => g.name === node.monitor.healthSet);
    return group ? { kind: 'healthSet', group, server: node.server } : undefined;
  }

  getTreeItem(node: HealthNode): vscode.TreeItem {
    const now = this.now();
    if (node.kind === 'server') return this.serverItem(node.server, now);
    if (node.kind === 'healthSet') return this.healthSetItem(node.group, node.server, now);
    return this.monitorItem(node.monitor, node.server, now);
  }

  private sessionDown(): string | undefined {
    const session = this.model.session;
    if (session.kind === 'reconnecting') return vscode.l10n.t('reconnecting…');
    if (session.kind === 'failed') return vscode.l10n.t('PowerShell failed');
    return undefined;
  }

  private serverItem(server: Server, now: number): vscode.TreeItem {
    const item = new vscode.TreeItem(server.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `server/${server.name}`;
    item.contextValue = 'server';
    const value = serverAlertValue(server);
    const stale = isServerStale(this.model, server, now);
    const down = this.sessionDown();
    const status = server.status;
    if (down) {
      item.iconPath = new vscode.ThemeIcon('sync~spin');
      item.description = down;
    } else if (status.kind === 'pending') {
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      item.description = vscode.l10n.t('connecting…');
    } else if (status.kind !== 'live') {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
      item.description =
        status.kind === 'timeout'
          ? vscode.l10n.t('not answering ({0})', ago(status.since, now))
          : vscode.l10n.t('unreachable ({0})', ago(status.since, now));
      item.tooltip = new vscode.MarkdownString().appendText(status.message);
    } else {
      const unhealthy = server.monitors.filter((m) => isUnhealthy(m.alertValue)).length;
      item.iconPath = new vscode.ThemeIcon('server', alertIcon(value, stale).color);
      item.description = stale
        ? vscode.l10n.t('stale: last answer {0}', ago(server.lastSuccessAt ?? now, now))
        : unhealthy > 0
          ? vscode.l10n.t('{0} unhealthy of {1}', unhealthy, server.monitors.length)
          : vscode.l10n.t('{0} monitors', server.monitors.length);
      if (unhealthy > 0) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    }
    if (!item.tooltip) {
      const tooltip = new vscode.MarkdownString();
      tooltip.appendMarkdown(`**${server.name}**\n\n`);
      if (server.lastSuccessAt !== undefined) tooltip.appendText(vscode.l10n.t('Last answer: {0}', new Date(server.lastSuccessAt).toLocaleString()));
      item.tooltip = tooltip;
    }
    return item;
  }

  private healthSetItem(group: HealthSetGroup, server: Server, now: number): vscode.TreeItem {
    const stale = isServerStale(this.model, server, now) || this.sessionDown() !== undefined;
    const item = new vscode.TreeItem(group.name, group.alertValue.toLowerCase() === 'healthy' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    item.id = `healthSet/${server.name}/${group.name}`;
    item.contextValue = 'healthSet';
    item.iconPath = alertIcon(group.alertValue, stale);
    item.description = stale ? vscode.l10n.t('{0} (stale)', group.alertValue) : group.alertValue;
    return item;
  }

  private monitorItem(monitor: Monitor, server: Server, now: number): vscode.TreeItem {
    const stale = isMonitorStale(this.model, monitor, now) || isServerStale(this.model, server, now) || this.sessionDown() !== undefined;
    const label = monitor.targetResource ? `${monitor.name} (${monitor.targetResource})` : monitor.name;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `monitor/${server.name}/${monitor.identity}`;
    item.contextValue = isUnhealthy(monitor.alertValue) ? 'monitor-unhealthy' : 'monitor';
    item.iconPath = alertIcon(monitor.alertValue, stale);
    const changed = parseTime(monitor.lastTransitionTime);
    const since = changed !== undefined ? ` · ${ago(changed, now)}` : '';
    item.description = stale ? vscode.l10n.t('{0} (stale)', monitor.alertValue) + since : monitor.alertValue + since;

    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${monitor.name}** · ${monitor.healthSet} · ${server.name}\n\n`);
    const description = monitor.description || this.catalogDescriptions.get(monitor.name.toLowerCase());
    if (description) tooltip.appendText(description).appendMarkdown('\n\n');
    tooltip.appendMarkdown(`$(${alertIcon(monitor.alertValue, false).id}) `).appendText(`AlertValue: ${monitor.alertValue}`).appendMarkdown('  \n');
    if (changed !== undefined) tooltip.appendText(vscode.l10n.t('Last changed: {0}', new Date(changed).toLocaleString())).appendMarkdown('  \n');
    tooltip.appendText(vscode.l10n.t('Last refreshed: {0}', new Date(monitor.refreshedAt).toLocaleString())).appendMarkdown('  \n');
    if (stale) tooltip.appendText(vscode.l10n.t('Not refreshed in time: this may no longer be the current state.')).appendMarkdown('  \n');
    if (monitor.error) tooltip.appendMarkdown('\n').appendText(vscode.l10n.t('Last error: {0}', monitor.error)).appendMarkdown('  \n');
    tooltip.appendMarkdown('\n').appendCodeblock(monitor.identity, 'text');
    item.tooltip = tooltip;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The tree view itself: badge with the number of unhealthy monitors, and a message for the session. */
export class HealthView implements vscode.Disposable {
  readonly provider: HealthTreeProvider;
  readonly treeView: vscode.TreeView<HealthNode>;

  constructor(model: HealthModel) {
    this.provider = new HealthTreeProvider(model);
    this.treeView = vscode.window.createTreeView(HEALTH_VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true });
    this.update(model);
  }

  update(model: HealthModel): void {
    this.provider.update(model);
    const summary = summarize(model, Date.now());
    this.treeView.badge =
      summary.unhealthy > 0
        ? { value: summary.unhealthy, tooltip: vscode.l10n.t('{0} unhealthy monitors', summary.unhealthy) }
        : undefined;
    const session = model.session;
    if (session.kind === 'reconnecting') {
      this.treeView.message = session.message
        ? vscode.l10n.t('The PowerShell session ended ({0}); reconnecting. The states shown may be out of date.', session.message)
        : vscode.l10n.t('Reconnecting to PowerShell. The states shown may be out of date.');
    } else if (session.kind === 'failed') {
      this.treeView.message = vscode.l10n.t('PowerShell could not start: {0}', session.message);
    } else if (session.kind === 'paused') {
      this.treeView.message = vscode.l10n.t('Polling is paused.');
    } else if (summary.unreachable > 0) {
      this.treeView.message = vscode.l10n.t('{0} of {1} servers cannot be reached.', summary.unreachable, summary.servers);
    } else {
      this.treeView.message = undefined;
    }
  }

  setUnhealthyOnly(value: boolean): void {
    this.provider.setUnhealthyOnly(value);
  }

  dispose(): void {
    this.treeView.dispose();
    this.provider.dispose();
  }
}

// A status-bar summary of the health view: unhealthy monitors and unreachable servers at a glance.
import * as vscode from 'vscode';
import { summarize, type HealthModel } from './model';
import { HEALTH_VIEW_ID } from './healthView';

export class HealthStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('exchangeRunbooks.health.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Exchange Server Health');
    this.item.command = `${HEALTH_VIEW_ID}.focus`;
  }

  update(model: HealthModel): void {
    if (model.servers.length === 0) {
      this.item.hide();
      return;
    }
    const summary = summarize(model, Date.now());
    const session = model.session;
    this.item.backgroundColor = undefined;
    if (session.kind === 'reconnecting' || session.kind === 'starting') {
      this.item.text = `$(sync~spin) ${vscode.l10n.t('Exchange: connecting…')}`;
    } else if (session.kind === 'failed') {
      this.item.text = `$(error) ${vscode.l10n.t('Exchange: PowerShell failed')}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (summary.unhealthy > 0 || summary.unreachable > 0) {
      const parts: string[] = [];
      if (summary.unhealthy > 0) parts.push(vscode.l10n.t('{0} unhealthy', summary.unhealthy));
      if (summary.unreachable > 0) parts.push(vscode.l10n.t('{0} unreachable', summary.unreachable));
      this.item.text = `$(error) Exchange: ${parts.join(', ')}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (summary.stale > 0) {
      this.item.text = `$(history) ${vscode.l10n.t('Exchange: {0} stale', summary.stale)}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (summary.degraded > 0) {
      this.item.text = `$(warning) ${vscode.l10n.t('Exchange: {0} degraded', summary.degraded)}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (session.kind === 'paused') {
      this.item.text = `$(debug-pause) ${vscode.l10n.t('Exchange: paused')}`;
    } else {
      this.item.text = `$(pass) ${vscode.l10n.t('Exchange: healthy')}`;
    }
    if (session.kind === 'paused' && !this.item.text.includes('debug-pause')) this.item.text += ` $(debug-pause)`;
    this.item.tooltip = vscode.l10n.t('{0} servers, {1} monitors: {2} unhealthy, {3} degraded, {4} servers unreachable, {5} stale. Click to show the Server Health view.', summary.servers, summary.monitors, summary.unhealthy, summary.degraded, summary.unreachable, summary.stale);
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

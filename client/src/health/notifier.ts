// Tells the admin when a monitor turns Unhealthy (optional), with a button to its recovery runbook.
import * as vscode from 'vscode';
import { newlyUnhealthy, type MonitorTransition } from './model';

export class UnhealthyNotifier implements vscode.Disposable {
  constructor(
    private readonly enabled: () => boolean,
    private readonly openRecovery: (monitor: string) => Promise<void>,
    private readonly showView: () => Promise<void>,
  ) {}

  notify(transitions: readonly MonitorTransition[]): void {
    if (!this.enabled()) return;
    const turned = newlyUnhealthy(transitions);
    if (turned.length === 0) return;
    const open = vscode.l10n.t('Open Recovery Runbook');
    const show = vscode.l10n.t('Show Server Health');
    const first = turned[0]!;
    // One notification per poll: several monitors failing at once is one incident to look at.
    const message =
      turned.length === 1
        ? vscode.l10n.t('{0} is Unhealthy on {1}.', first.monitor.name, first.server)
        : vscode.l10n.t('{0} monitors turned Unhealthy, among them {1} on {2}.', turned.length, first.monitor.name, first.server);
    void vscode.window.showWarningMessage(message, open, show).then(async (choice) => {
      if (choice === open) await this.openRecovery(first.monitor.name);
      else if (choice === show) await this.showView();
    });
  }

  dispose(): void {
    // Nothing held: notifications close themselves.
  }
}

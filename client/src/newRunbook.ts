// "New Runbook…": asks for the health set and opens a runbook for it that lints clean (the verify
// procedure and one recovery procedure per monitor), written by the language server from its catalog.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { HEALTH_SETS_REQUEST, type HealthSetSummary, RUNBOOK_SKELETON_REQUEST } from '../../server/src/protocol';
import { openUntitledRunbook } from './untitled';

export const NEW_RUNBOOK_COMMAND = 'exchangeRunbooks.newRunbook';

/** `POP.Proxy` → `pop-proxy`, as the runbook's own id is written. */
function runbookFileName(healthSet: string): string {
  return healthSet.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'runbook';
}

export class NewRunbookCommand implements vscode.Disposable {
  private readonly registration: vscode.Disposable;
  private readonly created = new vscode.EventEmitter<vscode.TextEditor>();
  /** Fires when a new runbook was opened (not when the admin cancelled the pick). */
  readonly onDidCreate = this.created.event;

  constructor(private readonly client: () => LanguageClient | undefined) {
    // The health set may be given (the walkthrough, tests); otherwise the user picks it.
    this.registration = vscode.commands.registerCommand(NEW_RUNBOOK_COMMAND, (healthSet?: string) => this.create(typeof healthSet === 'string' ? healthSet : undefined));
  }

  async create(healthSet?: string): Promise<vscode.TextEditor | undefined> {
    const client = this.client();
    if (!client?.isRunning()) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The runbook language server is not running: run "Exchange Runbooks: Restart Language Server" and try again.'));
      return undefined;
    }
    const name = healthSet ?? (await this.pickHealthSet(client));
    if (!name) return undefined;
    const text = await client.sendRequest<string | null>(RUNBOOK_SKELETON_REQUEST, { healthSet: name });
    if (text === null) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a health set of Exchange Server.', name));
      return undefined;
    }
    // Untitled: nothing is written to disk until the admin saves it where it belongs.
    const editor = await openUntitledRunbook(runbookFileName(name), text);
    this.created.fire(editor);
    return editor;
  }

  private async pickHealthSet(client: LanguageClient): Promise<string | undefined> {
    const sets = await client.sendRequest<HealthSetSummary[]>(HEALTH_SETS_REQUEST, {});
    // Health sets whose monitors the catalog knows come first: their runbooks get recovery procedures.
    const known = sets.filter((s) => s.monitors.length > 0);
    const others = sets.filter((s) => s.monitors.length === 0);
    const item = (set: HealthSetSummary): vscode.QuickPickItem => ({
      label: set.name,
      description: set.monitors.length ? vscode.l10n.t('{0} recovery procedures', set.monitors.length) : undefined,
      detail: set.monitors.length ? set.monitors.join(', ') : set.description,
    });
    const picked = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('With recovery procedures'), kind: vscode.QuickPickItemKind.Separator },
        ...known.map(item),
        { label: vscode.l10n.t('Other health sets'), kind: vscode.QuickPickItemKind.Separator },
        ...others.map(item),
      ],
      { title: vscode.l10n.t('New Runbook'), placeHolder: vscode.l10n.t('The health set the runbook recovers'), matchOnDetail: true },
    );
    return picked?.label;
  }

  dispose(): void {
    this.registration.dispose();
    this.created.dispose();
  }
}

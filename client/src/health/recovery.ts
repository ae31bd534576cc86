// Finds and opens the recovery procedure of a monitor among the workspace's runbooks (not only the
// open ones), asking the language server, which knows the language and the monitors' real names.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LANGUAGE_ID, MONITOR_INFO_REQUEST, PROCEDURE_FOR_MONITOR_REQUEST, type MonitorInfo, type ProcedureLocation } from '../../../server/src/protocol';

/** At most this many runbook files are searched: a workspace of runbooks, not a whole disk. */
const MAX_RUNBOOKS = 500;

export class RecoveryProcedures {
  constructor(private readonly client: () => LanguageClient | undefined) {}

  private async runbookUris(): Promise<string[]> {
    const found = await vscode.workspace.findFiles('**/*.exrunbook', '**/node_modules/**', MAX_RUNBOOKS);
    const uris = new Set(found.map((uri) => uri.toString()));
    for (const document of vscode.workspace.textDocuments) if (document.languageId === LANGUAGE_ID) uris.add(document.uri.toString());
    return [...uris].sort();
  }

  async find(monitor: string): Promise<ProcedureLocation[]> {
    const client = this.client();
    if (!client?.isRunning()) return [];
    return client.sendRequest<ProcedureLocation[]>(PROCEDURE_FOR_MONITOR_REQUEST, { monitor, uris: await this.runbookUris() });
  }

  async monitorInfo(monitor: string): Promise<MonitorInfo | null> {
    const client = this.client();
    if (!client?.isRunning()) return null;
    return client.sendRequest<MonitorInfo | null>(MONITOR_INFO_REQUEST, { monitor });
  }

  /** Opens the procedure; with several runbooks covering the monitor, the admin picks one. */
  async open(monitor: string): Promise<boolean> {
    const client = this.client();
    if (!client?.isRunning()) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The runbook language server is not running, so recovery procedures cannot be looked up. Run "Restart Language Server".'));
      return false;
    }
    const found = await this.find(monitor);
    let target: ProcedureLocation | undefined = found[0];
    if (found.length > 1) {
      const picked = await vscode.window.showQuickPick(
        found.map((location) => ({ label: location.procedure, description: vscode.workspace.asRelativePath(vscode.Uri.parse(location.uri)), location })),
        { placeHolder: vscode.l10n.t('Several runbooks recover {0}: pick one', monitor) },
      );
      target = picked?.location;
      if (!target) return false;
    }
    if (!target) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No runbook in this workspace has a recovery procedure for {0} (`procedure … for monitor {0}`).', monitor));
      return false;
    }
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
    const position = new vscode.Position(target.line, 0);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: false });
    return true;
  }
}

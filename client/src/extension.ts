// Activation: wires the extension's features together; each feature is a disposable class.
import * as vscode from 'vscode';
import { RunbookLanguageClient } from './languageClient';
import { IncidentJournal } from './runner/incidentJournal';
import { Rehearsal } from './runner/rehearsal';
import { StepRunner } from './runner/stepRunner';

/** What activate() returns: the language client, and the step runner for the in-host tests and the health view. */
export type ExtensionApi = RunbookLanguageClient & { readonly runner: StepRunner; readonly journal: IncidentJournal };

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const log = vscode.window.createOutputChannel('Exchange Health Runbooks', { log: true });
  context.subscriptions.push(log);

  const client = new RunbookLanguageClient(context, log);
  context.subscriptions.push(client);
  const journal = new IncidentJournal(context);
  // The health view, once wired here, passes its ServerDirectory as the fifth argument: the servers
  // offered for server parameters and the roles behind `when $Server is mailbox`.
  const runner = new StepRunner(context, log, client, journal);
  context.subscriptions.push(journal, runner, new Rehearsal(context, log, journal));
  context.subscriptions.push(
    vscode.commands.registerCommand('exchangeRunbooks.showLog', () => log.show()),
    vscode.commands.registerCommand('exchangeRunbooks.restartServer', () => client.restart()),
  );

  try {
    await client.start();
  } catch (error) {
    // The editor still opens runbooks without the server; say why checks are missing and what to do.
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Language server failed to start: ${message}`);
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window
      .showErrorMessage(vscode.l10n.t('Exchange runbook checks are unavailable: the language server did not start ({0}).', message), showLog)
      .then((choice) => (choice === showLog ? log.show() : undefined));
  }
  // Returned so the in-host tests can reach the running client and the runner.
  return Object.assign(client, { runner, journal });
}

export function deactivate(): void {
  // Disposables registered in activate() stop the client.
}

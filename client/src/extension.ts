// Activation: wires the extension's features together; each feature is a disposable class.
import * as vscode from 'vscode';
import type { ExtensionApi } from './api';
import { HealthFeature } from './health/healthFeature';
import { RunbookLanguageClient } from './languageClient';
import { IncidentJournal } from './runner/incidentJournal';
import { Rehearsal } from './runner/rehearsal';
import { StepRunner } from './runner/stepRunner';
import { LintTaskProvider } from './lintTask';
import { NewRunbookCommand } from './newRunbook';
import { Walkthrough } from './walkthrough';

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const log = vscode.window.createOutputChannel('Exchange Runbooks', { log: true });
  context.subscriptions.push(log);

  const client = new RunbookLanguageClient(context, log);
  const walkthrough = new Walkthrough(context);
  context.subscriptions.push(client);
  const journal = new IncidentJournal(context);
  walkthrough.watchJournal(journal);
  const newRunbook = new NewRunbookCommand(() => client.languageClient);
  walkthrough.watchNewRunbook(newRunbook.onDidCreate);
  // The health view asks the language server for recovery procedures (once it runs) and tells the
  // runner which servers exist and their roles (offered for parameters, `when $Server is mailbox`).
  const health = new HealthFeature(context, log, () => client.languageClient);
  const runner = new StepRunner(context, log, client, journal, health);
  context.subscriptions.push(journal, health, runner, new Rehearsal(context, log, journal));
  context.subscriptions.push(
    vscode.commands.registerCommand('exchangeRunbooks.showLog', () => log.show()),
    vscode.commands.registerCommand('exchangeRunbooks.restartServer', () => restartServer(client, log)),
    newRunbook,
    walkthrough,
    new LintTaskProvider(),
  );
  // Commands that act on the running extension (Show Log, Restart) show in the palette from now on.
  void vscode.commands.executeCommand('setContext', 'exchangeRunbooks.active', true);

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
  // Returned so the in-host tests can reach the running parts.
  return {
    get languageClient() {
      return client.languageClient;
    },
    health,
    runner,
    journal,
    walkthrough,
  };
}

/** Restarts the language server and says so, or says why it did not come back. */
async function restartServer(client: RunbookLanguageClient, log: vscode.LogOutputChannel): Promise<void> {
  try {
    await client.restart();
    void vscode.window.showInformationMessage(vscode.l10n.t('The runbook language server restarted.'));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Language server failed to restart: ${message}`);
    const showLog = vscode.l10n.t('Show Log');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('The runbook language server did not restart ({0}).', message), showLog);
    if (choice === showLog) log.show();
  }
}

export function deactivate(): void {
  // Disposables registered in activate() stop the client.
}

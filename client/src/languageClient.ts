// Starts and owns the runbook language server (pull diagnostics, updated on change and on save).
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { LANGUAGE_ID } from '../../server/src/protocol';

export class RunbookLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  async start(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: LANGUAGE_ID }],
      outputChannel: this.log,
      // Since languageclient 10 these default to false, and diagnostics would stop following edits.
      diagnosticPullOptions: { onChange: true, onSave: true, onTabs: false },
      synchronize: { configurationSection: 'exchangeRunbooks' },
      // runsStepCommands: this client runs the Run step / Copy commands lenses (other editors get none).
      initializationOptions: { locale: vscode.env.language, runsStepCommands: true },
    };
    this.client = new LanguageClient('exchangeRunbooks', vscode.l10n.t('Exchange Runbooks Language Server'), serverOptions, clientOptions);
    await this.client.start();
    this.log.info(`Language server started (display language ${vscode.env.language}).`);
  }

  async restart(): Promise<void> {
    if (this.client) {
      await this.client.stop();
    }
    await this.start();
  }

  dispose(): void {
    void this.client?.stop();
  }
}

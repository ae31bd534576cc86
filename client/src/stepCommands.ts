// The commands behind the step CodeLenses: run a step in a PowerShell terminal (trusted workspaces
// only, asking first for dangerous steps, parameters filled in as quoted literals) or copy it.
import * as vscode from 'vscode';
import { COPY_STEP_COMMAND, RUN_STEP_COMMAND, type RunStepArguments } from '../../server/src/protocol';
import { describeNotFound, locatePowerShell } from './powershell/locate';
import { assignParameter } from './powershell/quote';

const TERMINAL_NAME = 'Exchange Runbooks';

export class StepCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private terminal: vscode.Terminal | undefined;
  /** Values entered for parameters this session, offered again for the next step. */
  private readonly lastValues = new Map<string, string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.commands.registerCommand(RUN_STEP_COMMAND, (args: RunStepArguments) => this.run(args)),
      vscode.commands.registerCommand(COPY_STEP_COMMAND, (args: RunStepArguments) => this.copy(args)),
      vscode.window.onDidCloseTerminal((closed) => {
        if (closed === this.terminal) this.terminal = undefined;
      }),
    );
  }

  private async copy(args: RunStepArguments): Promise<void> {
    await vscode.env.clipboard.writeText(args.commands.join('\n'));
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the commands of step {0}.', args.step));
  }

  private async run(args: RunStepArguments): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Steps do not run in an untrusted workspace. Trust this folder to run runbook steps.'));
      return;
    }
    if (args.commands.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Step {0} has no command to run: follow its instructions by hand.', args.step));
      return;
    }
    if (args.confirm) {
      const run = vscode.l10n.t('Run');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Step {0} "{1}" is dangerous. Run it?', args.step, args.title),
        { modal: true, detail: args.commands.join('\n') },
        run,
      );
      if (choice !== run) return;
    }
    const assignments: string[] = [];
    for (const parameter of args.parameters) {
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Step {0}: ${1}', args.step, parameter.name),
        prompt: parameter.description,
        value: this.lastValues.get(parameter.name) ?? parameter.defaultValue ?? '',
        ignoreFocusOut: true,
        validateInput: (text) => (text.trim() === '' ? vscode.l10n.t('${0} needs a value.', parameter.name) : undefined),
      });
      if (value === undefined) return;
      this.lastValues.set(parameter.name, value);
      assignments.push(assignParameter(parameter.name, value));
    }
    const configured = vscode.workspace.getConfiguration('exchangeRunbooks').get<string>('powershell.path');
    const powershell = locatePowerShell(configured);
    if (!powershell.found) {
      const message = describeNotFound(powershell, (text, ...args) => vscode.l10n.t(text, ...args));
      this.log.error(message);
      const settings = vscode.l10n.t('Open Settings');
      const choice = await vscode.window.showErrorMessage(message, settings);
      if (choice === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'exchangeRunbooks.powershell.path');
      return;
    }
    this.terminal ??= vscode.window.createTerminal({ name: TERMINAL_NAME, shellPath: powershell.path, iconPath: new vscode.ThemeIcon('terminal-powershell') });
    this.terminal.show(true);
    this.log.info(`Running step ${args.procedure}.${args.step} with ${powershell.path}`);
    for (const line of [...assignments, ...args.commands]) this.terminal.sendText(line, true);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.terminal?.dispose();
  }
}

// The `exchange-runbook-lint` task type: *Run Task* → "Lint runbooks" runs the command-line linter
// (the npm package `exchange-health-runbooks`, installed in the workspace as CI installs it) and the
// `$exchange-runbook-lint` problem matcher puts its findings in the Problems panel.
import * as vscode from 'vscode';

export const LINT_TASK_TYPE = 'exchange-runbook-lint';

interface LintTaskDefinition extends vscode.TaskDefinition {
  paths?: string[];
  strict?: boolean;
}

/** The shell command line: paths are passed as separate quoted arguments, never spliced in as code. */
export function lintCommandLine(definition: LintTaskDefinition): { command: string; args: vscode.ShellQuotedString[] } {
  const paths = definition.paths?.length ? definition.paths : ['.'];
  const strong = (value: string): vscode.ShellQuotedString => ({ value, quoting: vscode.ShellQuoting.Strong });
  return { command: 'npx', args: ['--no-install', 'exchange-runbook-lint', ...(definition.strict ? ['--strict'] : []), ...paths].map(strong) };
}

export class LintTaskProvider implements vscode.TaskProvider, vscode.Disposable {
  private readonly registration = vscode.tasks.registerTaskProvider(LINT_TASK_TYPE, this);

  provideTasks(): vscode.Task[] {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => this.task({ type: LINT_TASK_TYPE, paths: ['.'] }, folder));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as LintTaskDefinition;
    const scope = task.scope && typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    return scope ? this.task(definition, scope) : undefined;
  }

  private task(definition: LintTaskDefinition, folder: vscode.WorkspaceFolder): vscode.Task {
    const { command, args } = lintCommandLine(definition);
    const task = new vscode.Task(definition, folder, vscode.l10n.t('Lint runbooks'), 'exchange-runbook', new vscode.ShellExecution(command, args, { cwd: folder.uri.fsPath }), ['$exchange-runbook-lint']);
    task.group = vscode.TaskGroup.Build;
    return task;
  }

  dispose(): void {
    this.registration.dispose();
  }
}

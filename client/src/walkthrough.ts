// The Get Started walkthrough's own parts: "Open an Example" opens a copy of an example runbook
// carrying one of the documentation's mistakes, and the quick-fix step checks itself off (a context
// key) once that mistake's diagnostic is gone from the copy.
import * as vscode from 'vscode';
import { openUntitledRunbook } from './untitled';

export const OPEN_EXAMPLE_COMMAND = 'exchangeRunbooks.walkthrough.openExample';
export const QUICK_FIX_APPLIED_CONTEXT = 'exchangeRunbooks.walkthrough.quickFixApplied';

/** The example with Microsoft's misspelling of its monitor (PopTestDeepMonitor) put back. */
export function tutorialRunbook(example: string): string {
  return example.replace(/(for monitor )PopDeepTestMonitor/, '$1PopTestDeepMonitor');
}

export class Walkthrough implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private tutorial: vscode.Uri | undefined;
  private sawMistake = false;
  private fixed = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(
      vscode.commands.registerCommand(OPEN_EXAMPLE_COMMAND, () => this.openExample()),
      vscode.languages.onDidChangeDiagnostics((event) => this.onDiagnostics(event)),
    );
  }

  async openExample(): Promise<vscode.TextEditor> {
    const example = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'examples', 'pop-protocol.exrunbook'));
    // Untitled, so the copy never touches the installed extension's files.
    const editor = await openUntitledRunbook('pop-protocol-example', tutorialRunbook(new TextDecoder().decode(example)));
    this.tutorial = editor.document.uri;
    this.sawMistake = false;
    this.fixed = false;
    return editor;
  }

  private onDiagnostics(event: vscode.DiagnosticChangeEvent): void {
    const tutorial = this.tutorial;
    if (!tutorial || !event.uris.some((uri) => uri.toString() === tutorial.toString())) return;
    const misspelt = vscode.languages.getDiagnostics(tutorial).some((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'misspelt-name');
    if (misspelt) this.sawMistake = true;
    else if (this.sawMistake && !this.fixed) {
      this.fixed = true;
      void vscode.commands.executeCommand('setContext', QUICK_FIX_APPLIED_CONTEXT, true);
    }
  }

  /** Whether the quick-fix step is done: the copy's misspelling was shown, then fixed. */
  get quickFixApplied(): boolean {
    return this.fixed;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

// The Get Started walkthrough's own parts: "Open an Example" opens a copy of an example runbook
// carrying one of the documentation's mistakes; steps check themselves off through context keys:
// the quick fix once that mistake's diagnostic is gone from the copy, "Create a runbook" once New
// Runbook opened one, "Run a step" once a step ran, the export once a journal was exported.
import * as vscode from 'vscode';
import type { JournalEntry } from './runner/journal';
import { openUntitledRunbook } from './untitled';

export const OPEN_EXAMPLE_COMMAND = 'exchangeRunbooks.walkthrough.openExample';
export const QUICK_FIX_APPLIED_CONTEXT = 'exchangeRunbooks.walkthrough.quickFixApplied';
export const JOURNAL_EXPORTED_CONTEXT = 'exchangeRunbooks.walkthrough.journalExported';
export const STEP_RUN_CONTEXT = 'exchangeRunbooks.walkthrough.stepRun';
export const RUNBOOK_CREATED_CONTEXT = 'exchangeRunbooks.walkthrough.runbookCreated';

/** Journal statuses of a step whose commands went to PowerShell (not declined, cancelled before, or only answered). */
const RAN: ReadonlySet<JournalEntry['status']> = new Set(['succeeded', 'failed', 'unread']);

/** The example with Microsoft's misspelling of its monitor (PopTestDeepMonitor) put back. */
export function tutorialRunbook(example: string): string {
  return example.replace(/(for monitor )PopDeepTestMonitor/, '$1PopTestDeepMonitor');
}

export class Walkthrough implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private tutorial: vscode.Uri | undefined;
  private sawMistake = false;
  private fixed = false;
  private exportedJournal = false;
  private ranStep = false;

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

  /**
   * Checks "Run a step" and the export off from what the journal sees. Not `onCommand:`: the
   * workbench sees only commands it runs itself, and the "Run step" CodeLens (its arguments stay
   * in the extension host) and the end-of-run notification's "Export Incident Journal" button run
   * theirs inside the extension host. A run cancelled at its prompt, or an export of an empty
   * journal, does not count either.
   */
  watchJournal(journal: { onDidRecord: vscode.Event<JournalEntry>; onDidExport: vscode.Event<string> }): void {
    this.disposables.push(
      journal.onDidRecord((entry) => {
        if (this.ranStep || !entry.step || !RAN.has(entry.status)) return;
        this.ranStep = true;
        void vscode.commands.executeCommand('setContext', STEP_RUN_CONTEXT, true);
      }),
      journal.onDidExport(() => {
        if (this.exportedJournal) return;
        this.exportedJournal = true;
        void vscode.commands.executeCommand('setContext', JOURNAL_EXPORTED_CONTEXT, true);
      }),
    );
  }

  /** Checks "Create a runbook" off once New Runbook opened one (a cancelled pick does not count). */
  watchNewRunbook(onDidCreate: vscode.Event<vscode.TextEditor>): void {
    const subscription = onDidCreate(() => {
      subscription.dispose();
      void vscode.commands.executeCommand('setContext', RUNBOOK_CREATED_CONTEXT, true);
    });
    this.disposables.push(subscription);
  }

  /** Whether the "Run a step" step is done: a step's commands ran in PowerShell. */
  get stepRun(): boolean {
    return this.ranStep;
  }

  /** Whether the export step is done: an incident journal was exported. */
  get journalExported(): boolean {
    return this.exportedJournal;
  }

  /** Whether the quick-fix step is done: the copy's misspelling was shown, then fixed. */
  get quickFixApplied(): boolean {
    return this.fixed;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

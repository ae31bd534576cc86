// What the editor shows of a run: each step decorated as ran / condition met / failed with its time,
// a "Next: <step>" CodeLens on the branch taken (click to go there and run it), the end of the run.
// State lives in a pure model (runState.ts); this class draws it on the current plan's lines.
import * as vscode from 'vscode';
import { LANGUAGE_ID, type RunbookPlan } from '../../../server/src/protocol';
import type { Next } from '../../../server/src/runtime/engine';
import { type Mark, type MarkKind, marksFor, nextLensLine, nextStep, type StepOutcome } from './runState';

export const GO_TO_STEP_COMMAND = 'exchangeRunbooks.goToStep';

export interface GoToStepArguments {
  uri: string;
  procedure: string;
  step: string;
  /** Run the step once the cursor is there. */
  run: boolean;
}

const COLORS: Record<MarkKind, string> = {
  ran: 'testing.iconPassed',
  met: 'testing.iconPassed',
  end: 'charts.blue',
  failed: 'testing.iconFailed',
  cancelled: 'testing.iconSkipped',
};

export class RunView implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly outcomes = new Map<string, StepOutcome[]>();
  private readonly outputs = new Map<string, string>();
  private readonly plans = new Map<string, RunbookPlan>();
  private readonly types: Record<MarkKind, vscode.TextEditorDecorationType>;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly planOf: (uri: string) => Promise<RunbookPlan | undefined>) {
    const make = (kind: MarkKind): vscode.TextEditorDecorationType =>
      vscode.window.createTextEditorDecorationType({
        after: { margin: '0 0 0 2em', color: new vscode.ThemeColor(COLORS[kind]) },
        isWholeLine: false,
        overviewRulerColor: new vscode.ThemeColor(COLORS[kind]),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
      });
    this.types = { ran: make('ran'), met: make('met'), end: make('end'), failed: make('failed'), cancelled: make('cancelled') };
    let timer: NodeJS.Timeout | undefined;
    this.disposables.push(
      ...Object.values(this.types),
      this.changed,
      vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, this),
      vscode.window.onDidChangeVisibleTextEditors(() => this.redraw()),
      // After an edit the steps move: fetch the plan again (briefly debounced) and redraw at the new lines.
      vscode.workspace.onDidChangeTextDocument((e) => {
        const uri = e.document.uri.toString();
        if (!this.outcomes.has(uri)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void this.refresh(uri), 300);
      }),
      { dispose: () => clearTimeout(timer) },
    );
  }

  /** Records what a step did and shows it at once with the plan the run used. */
  record(plan: RunbookPlan, outcome: StepOutcome, output?: string): void {
    const list = this.outcomes.get(plan.uri) ?? [];
    list.push(outcome);
    this.outcomes.set(plan.uri, list);
    this.plans.set(plan.uri, plan);
    if (output !== undefined) this.outputs.set(`${plan.uri}#${outcome.procedure}.${outcome.step}`, output);
    this.redraw();
  }

  /** The outcomes of a runbook's current run, oldest first (tests and the journal read them). */
  history(uri: string): readonly StepOutcome[] {
    return this.outcomes.get(uri) ?? [];
  }

  /** Where the run goes next, after its latest step. */
  next(uri: string): Next | undefined {
    const list = this.outcomes.get(uri);
    return list?.[list.length - 1]?.next;
  }

  /** A new run of the runbook starts: forget the marks of the previous one. */
  clear(uri: string): void {
    this.outcomes.delete(uri);
    for (const key of [...this.outputs.keys()]) if (key.startsWith(`${uri}#`)) this.outputs.delete(key);
    this.redraw();
  }

  private async refresh(uri: string): Promise<void> {
    const plan = await this.planOf(uri);
    if (plan) this.plans.set(uri, plan);
    this.redraw();
  }

  private text(mark: Mark): string {
    const time = new Date(mark.time).toLocaleTimeString(vscode.env.language);
    const { outcome } = mark;
    switch (mark.kind) {
      case 'met':
        return vscode.l10n.t('◀ condition met {0}', time);
      case 'end':
        return outcome.next?.kind === 'resolved'
          ? vscode.l10n.t('◀ resolved {0}', time)
          : outcome.next?.kind === 'escalate'
            ? vscode.l10n.t('◀ escalate {0}', time)
            : vscode.l10n.t('◀ run ended {0}', time);
      case 'failed':
        return vscode.l10n.t('✗ failed {0}', time);
      case 'cancelled':
        return outcome.status === 'declined' ? vscode.l10n.t('⊘ not run (declined) {0}', time) : vscode.l10n.t('⊘ cancelled {0}', time);
      case 'ran':
        return outcome.status === 'unread'
          ? vscode.l10n.t('✓ sent {0} (output not read)', time)
          : outcome.status === 'done'
            ? vscode.l10n.t('✓ done {0}', time)
            : outcome.status === 'answered' || outcome.status === 'skipped'
              ? vscode.l10n.t('✓ {0}', time)
              : vscode.l10n.t('✓ ran {0}', time);
    }
  }

  private redraw(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri.toString();
      const plan = this.plans.get(uri);
      const byKind: Record<MarkKind, vscode.DecorationOptions[]> = { ran: [], met: [], end: [], failed: [], cancelled: [] };
      if (plan) {
        for (const mark of marksFor(plan, this.outcomes.get(uri) ?? [])) {
          if (mark.line >= editor.document.lineCount) continue;
          const end = editor.document.lineAt(mark.line).range.end;
          const output = this.outputs.get(`${uri}#${mark.outcome.procedure}.${mark.outcome.step}`);
          const option: vscode.DecorationOptions = { range: new vscode.Range(end, end), renderOptions: { after: { contentText: this.text(mark) } } };
          if (output) option.hoverMessage = new vscode.MarkdownString().appendCodeblock(output, 'text');
          byKind[mark.kind].push(option);
        }
      }
      for (const kind of Object.keys(byKind) as MarkKind[]) editor.setDecorations(this.types[kind], byKind[kind]);
    }
    this.changed.fire();
  }

  /** Drawn decorations, for the in-host tests: line -> text. */
  drawn(uri: string): { line: number; kind: MarkKind; text: string }[] {
    const plan = this.plans.get(uri);
    return plan ? marksFor(plan, this.outcomes.get(uri) ?? []).map((m) => ({ line: m.line, kind: m.kind, text: this.text(m) })) : [];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const uri = document.uri.toString();
    const plan = this.plans.get(uri);
    const list = this.outcomes.get(uri);
    const latest = list?.[list.length - 1];
    if (!plan || !latest?.next) return [];
    const line = nextLensLine(plan, latest);
    if (line === undefined || line >= document.lineCount) return [];
    const range = document.lineAt(line).range;
    const next = latest.next;
    const target = nextStep(plan, next);
    if (target) {
      const args: GoToStepArguments = { uri, procedure: target.procedure, step: target.id, run: true };
      return [
        new vscode.CodeLens(range, {
          title: vscode.l10n.t('Next: {0} "{1}"', `${target.procedure}.${target.id}`, target.title),
          tooltip: vscode.l10n.t('Go to the step and run it'),
          command: GO_TO_STEP_COMMAND,
          arguments: [args],
        }),
      ];
    }
    if (next.kind === 'handover' && next.uri) {
      const args: GoToStepArguments = { uri: next.uri, procedure: next.procedure, step: next.step, run: true };
      return [
        new vscode.CodeLens(range, {
          title: vscode.l10n.t('Next, in runbook {0}: {1}', next.runbook, `${next.procedure}.${next.step}`),
          tooltip: vscode.l10n.t('Open the other runbook at the step and run it'),
          command: GO_TO_STEP_COMMAND,
          arguments: [args],
        }),
      ];
    }
    const title =
      next.kind === 'resolved'
        ? vscode.l10n.t('Run ended: resolved{0}', next.reason ? ` (${next.reason})` : '')
        : next.kind === 'escalate'
          ? vscode.l10n.t('Run ended: escalate{0}', next.reason ? ` (${next.reason})` : '')
          : next.kind === 'handover'
            ? vscode.l10n.t('Run handed over to runbook {0}, which is not in this workspace', next.runbook)
            : vscode.l10n.t('Run ended after the last step');
    return [new vscode.CodeLens(range, { title, command: 'exchangeRunbooks.showJournal' })];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

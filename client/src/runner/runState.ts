// What the editor shows about a run, as pure data: the step under the cursor, a step's actions cut
// into what the terminal runs and what the admin does, what happened to each step (ran / condition
// met / failed, with the time), and where the run goes next.
import type { ActionPlan, BranchPlan, RunActionPlan, RunbookPlan, StepPlan } from '../../../server/src/protocol';
import { describeCondition } from '../../../server/src/runtime/conditions';
import type { Next } from '../../../server/src/runtime/engine';

/** The step whose lines hold `line`: the last step starting at or above it, in the procedure holding it. */
export function stepAtLine(plan: RunbookPlan, line: number): StepPlan | undefined {
  let found: StepPlan | undefined;
  for (const procedure of plan.procedures) {
    if (procedure.line > line) break;
    found = undefined;
    for (const step of procedure.steps) if (step.line <= line) found = step;
  }
  return found;
}

export type Segment =
  | { kind: 'run'; commands: RunActionPlan[]; last: boolean }
  | Exclude<ActionPlan, RunActionPlan>;

/**
 * The step's actions in order, consecutive `run` commands kept together so they go to the
 * terminal as one command; `last` marks the run group whose last command the conditions read.
 */
export function segmentsOf(step: StepPlan): Segment[] {
  const segments: Segment[] = [];
  for (const action of step.actions) {
    const previous = segments[segments.length - 1];
    if (action.kind === 'run') {
      if (previous?.kind === 'run') previous.commands.push(action);
      else segments.push({ kind: 'run', commands: [action], last: false });
    } else {
      segments.push(action);
    }
  }
  const runs = segments.filter((s): s is Extract<Segment, { kind: 'run' }> => s.kind === 'run');
  const lastRun = runs[runs.length - 1];
  if (lastRun) lastRun.last = true;
  return segments;
}

export function hasRun(step: StepPlan): boolean {
  return step.actions.some((a) => a.kind === 'run');
}

export type StepStatus = 'succeeded' | 'failed' | 'cancelled' | 'declined' | 'unread' | 'done' | 'answered' | 'skipped';

export interface StepOutcome {
  procedure: string;
  step: string;
  status: StepStatus;
  /** ISO time the step ended. */
  time: string;
  /** The branch taken (index into the step's branches), absent on a fall-through or when nothing was decided. */
  branch?: number;
  /** Where the run goes next; absent when the step did not finish (cancelled, declined). */
  next?: Next;
}

export type MarkKind = 'ran' | 'met' | 'failed' | 'cancelled' | 'end';

/** A decoration: on a step line (what happened to it) or on a branch line (the condition met). */
export interface Mark {
  line: number;
  kind: MarkKind;
  time: string;
  outcome: StepOutcome;
}

function findStep(plan: RunbookPlan, procedure: string, step: string): StepPlan | undefined {
  return plan.procedures.find((p) => p.id === procedure)?.steps.find((s) => s.id === step);
}

/**
 * Decorations for the latest outcome of each step, at the lines of the current plan (so they follow
 * edits): the step line says how it ran; the branch taken says its condition was met.
 */
export function marksFor(plan: RunbookPlan, outcomes: readonly StepOutcome[]): Mark[] {
  const latest = new Map<string, StepOutcome>();
  for (const outcome of outcomes) latest.set(`${outcome.procedure}.${outcome.step}`, outcome);
  const marks: Mark[] = [];
  for (const outcome of latest.values()) {
    const step = findStep(plan, outcome.procedure, outcome.step);
    if (!step) continue;
    const kind: MarkKind = outcome.status === 'failed' ? 'failed' : outcome.status === 'cancelled' || outcome.status === 'declined' ? 'cancelled' : 'ran';
    marks.push({ line: step.line, kind, time: outcome.time, outcome });
    const branch = outcome.branch === undefined ? undefined : step.branches[outcome.branch];
    if (branch) marks.push({ line: branch.line, kind: outcome.next && outcome.next.kind !== 'step' ? 'end' : 'met', time: outcome.time, outcome });
  }
  return marks.sort((a, b) => a.line - b.line);
}

/** Where the "Next" lens goes: on the branch taken, else on the step itself (fall-through). */
export function nextLensLine(plan: RunbookPlan, outcome: StepOutcome): number | undefined {
  const step = findStep(plan, outcome.procedure, outcome.step);
  if (!step || !outcome.next) return undefined;
  const branch = outcome.branch === undefined ? undefined : step.branches[outcome.branch];
  return branch ? branch.line : step.line;
}

/** The step a `Next` names, if it names one. */
export function nextStep(plan: RunbookPlan, next: Next | undefined): StepPlan | undefined {
  return next?.kind === 'step' ? findStep(plan, next.procedure, next.step) : undefined;
}

/** A branch as written, for the journal and the pick list: `when all AlertValue is Healthy -> resolved`. */
export function describeBranch(branch: BranchPlan): string {
  return `${branch.condition ? `when ${describeCondition(branch.condition)}` : 'otherwise'} -> ${describeTarget(branch.target)}`;
}

function describeTarget(target: BranchPlan['target']): string {
  if (target.kind === 'step') return `${target.runbook ? `${target.runbook}:` : ''}${target.procedure}.${target.step}`;
  return target.reason ? `${target.kind} "${target.reason}"` : target.kind;
}

/** `proc.step`, `resolved: reason`, `escalate: reason`, `ended`. */
export function describeNext(next: Next): string {
  if (next.kind === 'step') return `${next.procedure}.${next.step}`;
  if (next.kind === 'ended') return 'ended';
  if (next.kind === 'handover') return `${next.runbook}:${next.procedure}${next.step ? `.${next.step}` : ''}`;
  return next.reason ? `${next.kind}: ${next.reason}` : next.kind;
}

// Walks a runbook plan: from a step and what it produced to the branch taken and where the run goes
// next (another step, resolved, escalate, or the end), plus the loop guard the rehearsal relies on.
import type { BranchPlan, RunbookPlan, StepPlan, StepTarget } from '../protocol';
import { evaluateCondition, type StepFacts } from './conditions';
import { findProcedure, findStep, type StepPosition, stepAfter } from './plan';

export type Next =
  | { kind: 'step'; procedure: string; step: string }
  | { kind: 'resolved'; reason?: string }
  | { kind: 'escalate'; reason?: string }
  /** A branch into another runbook (`-> pop-protocol:recover-deep`): the run goes on there. */
  | { kind: 'handover'; runbook: string; uri: string; procedure: string; step: string }
  /** The run fell through the last step of a procedure: it ends without a verdict. */
  | { kind: 'ended' };

export type Decision =
  | {
      kind: 'decided';
      /** The branch taken (index into the step's branches), absent when the run fell through. */
      branch?: { index: number; line: number };
      next: Next;
    }
  | {
      /** A condition before any that holds needs facts that are missing (output not read, no answer). */
      kind: 'undecided';
      /** The branches the admin may pick from (in order), and what falling through would do. */
      candidates: { index: number; line: number; next: Next }[];
      fallThrough: Next;
    };

/** Where a run starts: the first step of the given procedure, or of the runbook's first procedure. */
export function startOf(plan: RunbookPlan, procedure?: string): StepPosition | undefined {
  const start = procedure === undefined ? plan.procedures[0] : findProcedure(plan, procedure);
  const first = start?.steps[0];
  return start && first ? { procedure: start.id, step: first.id } : undefined;
}

function toNext(target: StepTarget): Next {
  if (target.kind === 'step' && target.runbook !== undefined && target.uri !== undefined) {
    return { kind: 'handover', runbook: target.runbook, uri: target.uri, procedure: target.procedure, step: target.step };
  }
  if (target.kind === 'step') return { kind: 'step', procedure: target.procedure, step: target.step };
  return target.reason === undefined ? { kind: target.kind } : { kind: target.kind, reason: target.reason };
}

/** Where a run goes when no branch is taken: the next step of the procedure, or the end. */
function fallThrough(plan: RunbookPlan, position: StepPosition): Next {
  const after = stepAfter(plan, position);
  return after ? { kind: 'step', procedure: after.procedure, step: after.id } : { kind: 'ended' };
}

/** An `escalate` action stops the run there: its branches are never reached. */
function escalation(step: StepPlan): Next | undefined {
  const action = step.actions.find((a) => a.kind === 'escalate');
  return action?.kind === 'escalate' ? { kind: 'escalate', reason: action.text } : undefined;
}

/**
 * The branch a step takes given what it produced: the first branch whose condition holds
 * (`otherwise` always holds); none -> the next step of the procedure; after the last step the run ends.
 */
export function decide(plan: RunbookPlan, position: StepPosition, facts: StepFacts): Decision {
  const step = findStep(plan, position);
  if (!step) throw new Error(`No step ${position.procedure}.${position.step} in runbook ${plan.runbook}`);
  const escalated = escalation(step);
  if (escalated) return { kind: 'decided', next: escalated };
  const candidates: { index: number; line: number; next: Next }[] = [];
  for (const [index, branch] of step.branches.entries()) {
    const holds = branch.condition ? evaluateCondition(branch.condition, facts) : true;
    if (holds === undefined) {
      candidates.push(...step.branches.slice(index).map((b, i) => ({ index: index + i, line: b.line, next: toNext(b.target) })));
      return { kind: 'undecided', candidates, fallThrough: fallThrough(plan, position) };
    }
    if (holds) return { kind: 'decided', branch: { index, line: branch.line }, next: toNext(branch.target) };
  }
  return { kind: 'decided', next: fallThrough(plan, position) };
}

/** The admin picked a branch of an undecided step (or `undefined`: none holds). */
export function choose(plan: RunbookPlan, position: StepPosition, branchIndex: number | undefined): Decision {
  const step = findStep(plan, position);
  if (!step) throw new Error(`No step ${position.procedure}.${position.step} in runbook ${plan.runbook}`);
  const branch: BranchPlan | undefined = branchIndex === undefined ? undefined : step.branches[branchIndex];
  if (!branch) return { kind: 'decided', next: fallThrough(plan, position) };
  return { kind: 'decided', branch: { index: branchIndex!, line: branch.line }, next: toNext(branch.target) };
}

/** Whether the next move ends the run, and how. */
export function isEnd(next: Next): next is Exclude<Next, { kind: 'step' }> {
  return next.kind !== 'step';
}

/**
 * Stops a run that keeps coming back: a step visited more than `maxVisits` times, or more than
 * `maxSteps` steps in all. A retry loop ("wait, re-run the probe, still failing -> wait") is legitimate
 * a few times, which is why a single revisit is not a loop.
 */
export class LoopGuard {
  private readonly visits = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxVisits = 5,
    private readonly maxSteps = 200,
  ) {}

  /** Records a visit; returns false when the run must stop as a loop. */
  visit(position: StepPosition): boolean {
    const key = `${position.procedure}\u0000${position.step}`;
    const count = (this.visits.get(key) ?? 0) + 1;
    this.visits.set(key, count);
    this.total++;
    return count <= this.maxVisits && this.total <= this.maxSteps;
  }

  /** The steps visited more than once, with their counts: what to show when the guard stops a run. */
  repeated(): { step: string; visits: number }[] {
    return [...this.visits].filter(([, n]) => n > 1).map(([key, visits]) => ({ step: key.replace('\u0000', '.'), visits }));
  }
}

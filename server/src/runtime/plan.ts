// The runbook plan (types shared through protocol.ts) and small lookups over it used by the engine and its users.
import type { ProcedurePlan, RunbookPlan, StepPlan } from '../protocol';

export type {
  ActionPlan,
  BranchPlan,
  ConditionPlan,
  ProcedurePlan,
  Quantifier,
  RunActionPlan,
  RunbookPlan,
  StepParameter,
  StepPlan,
  StepTarget,
} from '../protocol';

/** Where a run is: a step of a procedure. */
export interface StepPosition {
  procedure: string;
  step: string;
}

/** `proc.step`, the way runbooks and the rehearsal print a step. */
export function stepName(position: StepPosition): string {
  return `${position.procedure}.${position.step}`;
}

export function findProcedure(plan: RunbookPlan, procedure: string): ProcedurePlan | undefined {
  return plan.procedures.find((p) => p.id === procedure);
}

export function findStep(plan: RunbookPlan, position: StepPosition): StepPlan | undefined {
  return findProcedure(plan, position.procedure)?.steps.find((s) => s.id === position.step);
}

/** The step written after this one in its procedure: where a run falls through to. */
export function stepAfter(plan: RunbookPlan, position: StepPosition): StepPlan | undefined {
  const steps = findProcedure(plan, position.procedure)?.steps ?? [];
  const index = steps.findIndex((s) => s.id === position.step);
  return index >= 0 ? steps[index + 1] : undefined;
}

/** Parses `proc.step` (or `step` of `procedure`) as typed on a command line. */
export function parseStepName(text: string, procedure?: string): StepPosition | undefined {
  const dot = text.indexOf('.');
  if (dot > 0) return { procedure: text.slice(0, dot), step: text.slice(dot + 1) };
  return procedure && text ? { procedure, step: text } : undefined;
}

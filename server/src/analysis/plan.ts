// Builds the runbook plan (protocol.ts) from the analysed runbook: reused steps and targets resolved,
// the capture split of each step's last command, as plain data for the runtime engine.
import type { ActionPlan, BranchPlan, ConditionPlan, ProcedurePlan, RunActionPlan, RunbookPlan, StepParameter, StepPlan, StepTarget } from '../protocol';
import type { Branch, Condition, ParamDeclaration, Procedure } from '../language/syntax';
import type { PsScript } from '../powershell/parser';
import type { RunbookModel, StepNode } from './model';

const SECONDS: Record<string, number> = { second: 1, seconds: 1, minute: 60, minutes: 60, hour: 3600, hours: 3600 };

/**
 * Commands that only show objects. A captured pipeline ends before them: the runner captures the
 * objects and pipes them through these itself, so the admin sees what the runbook says.
 */
const DISPLAY = /^(format-[a-z]+|out-[a-z]+|fl|ft|fw|fc|ogv)$/i;

export function buildRunbookPlan(model: RunbookModel, uri: string): RunbookPlan {
  const { runbook } = model;
  return {
    uri,
    runbook: runbook.id?.text ?? '',
    title: runbook.title?.value ?? '',
    healthSets: runbook.healthSets.map((h) => h.text),
    parameters: runbook.params.map(stepParameter),
    procedures: runbook.procedures.filter((p) => p.id).map((p) => procedurePlan(model, p)),
  };
}

export function stepParameter(p: ParamDeclaration): StepParameter {
  const parameter: StepParameter = { name: p.name.text, kind: p.kind?.text ?? 'text', description: p.description?.value ?? '' };
  if (p.defaultValue) parameter.defaultValue = p.defaultValue.value;
  return parameter;
}

function procedurePlan(model: RunbookModel, procedure: Procedure): ProcedurePlan {
  return {
    id: procedure.id!.text,
    title: procedure.title?.value ?? '',
    monitors: procedure.monitors.map((m) => m.text),
    line: procedure.headerRange.start.line,
    steps: procedure.steps.filter((s) => s.id).map((s) => stepPlan(model, model.node(s))),
  };
}

/** One step as the engine sees it. Branches whose target or condition is incomplete (a diagnostic says so) are left out. */
export function stepPlan(model: RunbookModel, node: StepNode): StepPlan {
  const { procedure, step, source } = node;
  const branches = step.branches.map((b) => branchPlan(model, procedure, b)).filter((b): b is BranchPlan => b !== undefined);
  const properties = [...new Map(branches.flatMap((b) => (b.condition?.kind === 'property' ? [b.condition.property] : [])).map((p) => [p.toLowerCase(), p])).values()];
  const runs = node.reuseBroken ? [] : model.runsOf(node);
  const lastRun = runs[runs.length - 1];
  const actions: ActionPlan[] = [];
  for (const action of node.reuseBroken ? [] : source.step.actions) {
    if (action.kind === 'run') {
      if (action.command.trim() === '') continue;
      const run: RunActionPlan = { kind: 'run', command: action.command, properties: [] };
      const script = model.script(action)?.script;
      if (script && lastRun?.action === action && properties.length > 0) {
        run.capture = captureSplit(action.command, script);
        run.properties = properties;
      }
      actions.push(run);
    } else if (action.kind === 'wait') {
      const unit = SECONDS[action.unit?.text.toLowerCase() ?? ''];
      if (action.amount && unit && action.amount.value > 0) actions.push({ kind: 'wait', seconds: action.amount.value * unit });
    } else if (action.kind === 'manual') {
      actions.push({ kind: 'manual', text: action.text?.value ?? '' });
    } else if (action.kind === 'ask') {
      actions.push({ kind: 'ask', question: action.text?.value ?? '' });
    } else {
      actions.push({ kind: 'escalate', text: action.text?.value ?? '' });
    }
  }
  const used = new Set(runs.flatMap((r) => r.script.variables.filter((v) => !v.assigned).map((v) => v.name.toLowerCase())));
  for (const b of branches) if (b.condition?.kind === 'role') used.add(b.condition.parameter.toLowerCase());
  const plan: StepPlan = {
    procedure: procedure.id?.text ?? '',
    id: step.id?.text ?? '',
    title: step.title?.value ?? source.step.title?.value ?? '',
    line: step.headerRange.start.line,
    confirm: step.confirm !== undefined,
    actions,
    branches,
    parameters: model.runbook.params.filter((p) => used.has(p.name.text.toLowerCase())).map((p) => p.name.text),
  };
  if (step.reuse && !node.reuseBroken) {
    const runbook = node.sourceRunbook ? `${node.sourceRunbook.model.runbook.id?.text ?? ''}:` : '';
    plan.reuses = `${runbook}${source.procedure.id?.text ?? ''}.${source.step.id?.text ?? ''}`;
  }
  return plan;
}

/**
 * Splits a command into what writes the objects and the trailing display commands of its last
 * pipeline (`Invoke-MonitoringProbe ... | Format-List` -> the probe, `Format-List`), using the
 * tree-sitter parse so `|` inside strings and script blocks is never mistaken for a pipe.
 */
export function captureSplit(command: string, script: PsScript): { pipeline: string; display?: string } {
  const last = script.pipelines[script.pipelines.length - 1];
  if (!last || last.length === 0) return { pipeline: command };
  let first = last.length;
  while (first > 0 && DISPLAY.test(script.commands[last[first - 1]!]!.name)) first--;
  if (first === last.length) return { pipeline: command };
  const start = script.commands[last[first]!]!.range.start;
  // Something must write the objects before the display commands: a command, or an expression
  // (`$copies | Format-Table`), which the summary does not list, so look for the pipe before it.
  if (first === 0 && !/\|[\s`]*$/.test(command.slice(0, start))) return { pipeline: command };
  const end = script.commands[last[last.length - 1]!]!.range.end;
  const pipeline = command.slice(0, start).replace(/[\s`]*\|[\s`]*$/, '').trimEnd();
  return { pipeline, display: command.slice(start, end).trim() };
}

function branchPlan(model: RunbookModel, procedure: Procedure, branch: Branch): BranchPlan | undefined {
  const target = targetPlan(model, procedure, branch);
  if (!target) return undefined;
  const plan: BranchPlan = { line: branch.keywordRange.start.line, target };
  if (branch.kind === 'otherwise') return plan;
  const condition = branch.condition && conditionPlan(branch.condition);
  if (!condition) return undefined;
  plan.condition = condition;
  return plan;
}

function targetPlan(model: RunbookModel, procedure: Procedure, branch: Branch): StepTarget | undefined {
  const target = branch.target;
  if (!target) return undefined;
  if (target.kind !== 'step') return target.reason ? { kind: target.kind, reason: target.reason.value } : { kind: target.kind };
  const resolved = model.resolve(procedure, target.reference);
  const { reference } = target.reference.runbook ? target : { reference: undefined };
  if (!resolved && reference?.runbook && !model.runbookNamed(reference.runbook.text)) {
    // A hand-over to a runbook that is not in the workspace (an unknown-runbook error): kept, with
    // no URI, so the runner and the rehearsal can say where the run goes on.
    return { kind: 'step', procedure: (reference.procedure ?? reference.step).text, step: reference.procedure ? reference.step.text : '', runbook: reference.runbook.text, uri: '' };
  }
  if (!resolved?.step?.id || !resolved.procedure.id) return undefined;
  const plan: StepTarget = { kind: 'step', procedure: resolved.procedure.id.text, step: resolved.step.id.text };
  // A hand-over: the runner opens the other runbook and goes on there.
  if (resolved.foreign) Object.assign(plan, { runbook: resolved.foreign.runbook.id, uri: resolved.foreign.runbook.uri });
  return plan;
}

function conditionPlan(condition: Condition): ConditionPlan | undefined {
  switch (condition.kind) {
    case 'property': {
      const quantifier = condition.quantifier?.text.toLowerCase() ?? 'any';
      if (quantifier !== 'any' && quantifier !== 'all' && quantifier !== 'no') return undefined;
      if (condition.values.length === 0) return undefined;
      return { kind: 'property', quantifier, property: condition.property.text, negated: condition.negated !== undefined, values: condition.values.map((v) => v.text) };
    }
    case 'answer': {
      const value = condition.value?.text.toLowerCase();
      return value === 'yes' || value === 'no' ? { kind: 'answer', value } : undefined;
    }
    case 'role': {
      const role = condition.role?.text.toLowerCase();
      return role === 'mailbox' || role === 'cas' ? { kind: 'role', parameter: condition.param.text, role } : undefined;
    }
  }
}

// Checks of procedures and steps as a structure: ids, references, reuse, waits, branch order.
import { type Identifier, type Procedure, type StepReference, WAIT_UNITS } from '../../language/syntax';
import type { DiagnosticSink } from '../diagnostics';
import type { RunbookModel } from '../model';
import { didYouMean } from '../text';
import { englishFor } from '../words';

/** Procedures that share an id. */
export function checkProcedureIds(sink: DiagnosticSink): void {
  const seen = new Set<string>();
  for (const procedure of sink.model.runbook.procedures) {
    if (!procedure.id) continue;
    if (seen.has(procedure.id.text)) {
      sink.report('duplicate-id', procedure.id.range, sink.l10n.t('Another procedure is already called {0}.', procedure.id.text));
    }
    seen.add(procedure.id.text);
  }
}

/** One procedure as a structure: its step ids, reuse, waits, branch order and references. */
export function checkStructure(sink: DiagnosticSink, procedure: Procedure): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const stepIds = new Set<string>();
  for (const step of procedure.steps) {
    if (!step.id) continue;
    if (stepIds.has(step.id.text)) {
      sink.report('duplicate-id', step.id.range, t('Another step of procedure {0} is already called {1}.', procedure.id?.text ?? '?', step.id.text));
    }
    stepIds.add(step.id.text);
  }

  for (const step of procedure.steps) {
    const node = model.node(step);
    if (step.reuse) {
      const target = model.resolve(procedure, step.reuse);
      if (!target?.step) reportUnknownReference(sink, procedure, step.reuse);
      else if (node.reuseCycle && target.foreign) {
        sink.report('reuse-cycle', step.reuse.range, t('Reusing {0} leads into a cycle of reused steps across runbooks: a step cannot reuse itself.', referenceText(step.reuse)));
      } else if (node.reuseCycle) {
        sink.report('reuse-cycle', step.reuse.range, t('Reusing {0} leads back to this step: a step cannot reuse itself.', referenceText(step.reuse)));
      }
    } else if (step.actions.length === 0) {
      sink.report('empty-step', step.headerRange, t('The step {0} has no `run`, `wait`, `manual`, `ask` or `escalate`.', step.id?.text ?? '?'));
    }

    for (const action of step.actions) {
      if (action.kind !== 'wait') continue;
      if (action.amount && action.amount.value === 0) {
        sink.report('invalid-wait', action.amount.range, t('A wait of 0 does nothing.'));
      }
      if (action.unit && !(WAIT_UNITS as readonly string[]).includes(action.unit.text)) {
        const local = englishFor(action.unit.text, ['seconds', 'minutes', 'hours']);
        const s = sink.suggest(action.unit.range, local ? [local] : didYouMean(action.unit.text, ['seconds', 'minutes', 'hours']));
        sink.report('invalid-wait', action.unit.range, t('{0} is not a unit of time: use seconds, minutes or hours.', action.unit.text) + s.suffix, { fixes: s.fixes });
      }
    }

    let otherwiseSeen = false;
    for (const branch of step.branches) {
      if (otherwiseSeen) {
        sink.report('unreachable-branch', branch.range, t('This branch is never taken: `otherwise` above it always applies.'), { unnecessary: true });
      }
      if (branch.kind === 'otherwise') otherwiseSeen = true;
      if (branch.target?.kind === 'step' && !model.resolve(procedure, branch.target.reference)) {
        reportUnknownReference(sink, procedure, branch.target.reference);
      }
    }
    if (step.actions.some((a) => a.kind === 'escalate')) {
      for (const branch of step.branches) {
        sink.report('unreachable-branch', branch.range, t('This branch is never taken: the step escalates and the run ends there.'), { unnecessary: true });
      }
    }
  }
}

/**
 * Another runbook of the workspace with the same id, when some runbook refers to the id: the
 * reference cannot tell them apart. (Copies of a runbook that nothing refers to are no problem.)
 */
export function checkRunbookId(sink: DiagnosticSink): void {
  const { model, l10n } = sink;
  const id = model.runbook.id;
  if (!id || !model.workspace) return;
  const others = model.workspace.runbooks(id.text).filter((r) => r.uri !== model.uri);
  if (others.length === 0) return;
  const referred = model.referencedRunbooks().has(id.text) || model.workspace.all().some((r) => r.uri !== model.uri && r.mayReferTo(id.text) && r.model().referencedRunbooks().has(id.text));
  if (!referred) return;
  const files = others.map((r) => fileName(r.uri)).join(', ');
  sink.report('duplicate-runbook', id.range, l10n.t('Another runbook of the workspace is also called {0} ({1}): a reference such as `{0}:verify` cannot tell them apart.', id.text, files));
}

function fileName(uri: string): string {
  const last = uri.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function referenceText(reference: StepReference): string {
  const local = reference.procedure ? `${reference.procedure.text}.${reference.step.text}` : reference.step.text;
  return reference.runbook ? `${reference.runbook.text}:${local}` : local;
}

/** An unknown runbook id, or a procedure or step that runbook does not have. */
function reportUnknownForeignReference(sink: DiagnosticSink, runbookId: Identifier, reference: StepReference): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const named = model.runbookNamed(runbookId.text);
  if (!named) {
    const ids = [...new Set([...(model.workspace?.ids() ?? []), ...(model.runbook.id ? [model.runbook.id.text] : [])])];
    const s = sink.suggest(runbookId.range, didYouMean(runbookId.text, ids));
    sink.report('unknown-runbook', runbookId.range, t('There is no runbook {0} in the workspace.', runbookId.text) + s.suffix, { fixes: s.fixes });
    return;
  }
  const target = named === 'self' ? model : named.model;
  const procedureId = reference.procedure ?? reference.step;
  const procedure = target.procedure(procedureId.text);
  if (!procedure) {
    const s = sink.suggest(procedureId.range, didYouMean(procedureId.text, procedureIds(target)));
    sink.report('unknown-target', procedureId.range, t('Runbook {0} has no procedure {1}.', runbookId.text, procedureId.text) + s.suffix, { fixes: s.fixes });
    return;
  }
  const s = sink.suggest(reference.step.range, didYouMean(reference.step.text, stepIds(procedure)));
  sink.report('unknown-target', reference.step.range, t('Procedure {0} of runbook {1} has no step {2}.', procedureId.text, runbookId.text, reference.step.text) + s.suffix, { fixes: s.fixes });
}

function reportUnknownReference(sink: DiagnosticSink, procedure: Procedure, reference: StepReference): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  if (reference.runbook) {
    reportUnknownForeignReference(sink, reference.runbook, reference);
    return;
  }
  if (reference.procedure) {
    const target = model.procedure(reference.procedure.text);
    if (!target) {
      const s = sink.suggest(reference.procedure.range, didYouMean(reference.procedure.text, procedureIds(model)));
      sink.report('unknown-target', reference.procedure.range, t('There is no procedure {0}.', reference.procedure.text) + s.suffix, { fixes: s.fixes });
      return;
    }
    const s = sink.suggest(reference.step.range, didYouMean(reference.step.text, stepIds(target)));
    sink.report('unknown-target', reference.step.range, t('Procedure {0} has no step {1}.', reference.procedure.text, reference.step.text) + s.suffix, { fixes: s.fixes });
    return;
  }
  const candidates = localCandidates(model, procedure);
  const s = sink.suggest(reference.step.range, didYouMean(reference.step.text, candidates));
  sink.report('unknown-target', reference.step.range, t('There is no step or procedure {0}.', reference.step.text) + s.suffix, { fixes: s.fixes });
}

/** Ids listed once per procedure and model: 3,000 broken references must not list them 3,000 times. */
const stepIdLists = new WeakMap<Procedure, string[]>();
const procedureIdLists = new WeakMap<RunbookModel, string[]>();

function stepIds(procedure: Procedure): string[] {
  let ids = stepIdLists.get(procedure);
  if (!ids) stepIdLists.set(procedure, (ids = procedure.steps.flatMap((st) => (st.id ? [st.id.text] : []))));
  return ids;
}

function procedureIds(model: RunbookModel): string[] {
  let ids = procedureIdLists.get(model);
  if (!ids) procedureIdLists.set(model, (ids = model.runbook.procedures.flatMap((p) => (p.id ? [p.id.text] : []))));
  return ids;
}

/** The step ids of a procedure and every procedure id: what `-> x` can name from it. */
const localCandidateLists = new WeakMap<RunbookModel, Map<Procedure, string[]>>();

function localCandidates(model: RunbookModel, procedure: Procedure): string[] {
  let lists = localCandidateLists.get(model);
  if (!lists) localCandidateLists.set(model, (lists = new Map()));
  let ids = lists.get(procedure);
  if (!ids) lists.set(procedure, (ids = [...stepIds(procedure), ...procedureIds(model)]));
  return ids;
}

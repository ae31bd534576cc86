// Runbook symbols (procedures, steps, parameters) and where they are used: go to definition,
// find references, rename.
import type { Location, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { type Position, type Procedure, type Range, rangeContains, type StepReference } from '../language/syntax';
import type { RunbookModel } from './model';

export interface SymbolOccurrence {
  /**
   * The URI of the runbook that declares the symbol, then `procedure:<index>`,
   * `step:<procedure>:<step>`, `param:<lower-case name>` or `runbook`: equal keys name one symbol
   * across the workspace.
   */
  key: string;
  kind: 'procedure' | 'step' | 'param' | 'runbook';
  /** Where the occurrence is written. */
  uri: string;
  range: Range;
  declaration: boolean;
  /** Text to write when renaming, around the new name (`$` for variables). */
  prefix: string;
}

const SEPARATOR = '\u0000';

function keyOf(uri: string, local: string): string {
  return `${uri}${SEPARATOR}${local}`;
}

/** The symbols written in the runbook, keyed by the runbook that declares them. */
export function occurrences(model: RunbookModel, uri = model.uri): SymbolOccurrence[] {
  const result: SymbolOccurrence[] = [];
  const { runbook } = model;
  const own = (local: string, kind: SymbolOccurrence['kind'], range: Range, declaration: boolean, prefix = ''): void => {
    result.push({ key: keyOf(uri, local), kind, uri, range, declaration, prefix });
  };
  if (runbook.id) own('runbook', 'runbook', runbook.id.range, true);
  for (const param of runbook.params) own(`param:${param.name.text.toLowerCase()}`, 'param', param.name.range, true, '$');
  for (const procedure of runbook.procedures) {
    if (procedure.id) own(`procedure:${procedure.index}`, 'procedure', procedure.id.range, true);
    for (const step of procedure.steps) {
      if (step.id) own(`step:${procedure.index}:${step.index}`, 'step', step.id.range, true);
      if (step.reuse) pushReference(model, uri, procedure, step.reuse, result);
      for (const branch of step.branches) {
        if (branch.target?.kind === 'step') pushReference(model, uri, procedure, branch.target.reference, result);
        if (branch.condition?.kind === 'role') own(`param:${branch.condition.param.text.toLowerCase()}`, 'param', branch.condition.param.range, false, '$');
      }
    }
  }
  for (const { run } of model.allScripts) {
    for (const variable of run.script.variables) {
      if (!model.param(variable.name)) continue;
      own(`param:${variable.name.toLowerCase()}`, 'param', run.toRange(variable.range), false, '$');
    }
  }
  return result;
}

function pushReference(model: RunbookModel, uri: string, from: Procedure, reference: StepReference, result: SymbolOccurrence[]): void {
  const target = model.resolve(from, reference);
  if (!target) return;
  // The runbook that declares the target: another one, or this one (also when named by its own id).
  const declaring = target.foreign?.runbook.uri ?? uri;
  const push = (local: string, kind: SymbolOccurrence['kind'], range: Range): void => {
    result.push({ key: keyOf(declaring, local), kind, uri, range, declaration: false, prefix: '' });
  };
  if (reference.runbook) push('runbook', 'runbook', reference.runbook.range);
  if (reference.runbook && !reference.procedure) {
    // `pop:recover`: a procedure of that runbook.
    push(`procedure:${target.procedure.index}`, 'procedure', reference.step.range);
    return;
  }
  if (reference.procedure) push(`procedure:${target.procedure.index}`, 'procedure', reference.procedure.range);
  if (!reference.procedure && !target.step?.id) return;
  const stepIsNamed = reference.procedure || (target.procedure === from && target.step?.id?.text === reference.step.text);
  if (stepIsNamed && target.step) push(`step:${target.procedure.index}:${target.step.index}`, 'step', reference.step.range);
  else push(`procedure:${target.procedure.index}`, 'procedure', reference.step.range);
}

export function occurrenceAt(model: RunbookModel, position: Position, uri = model.uri): SymbolOccurrence | undefined {
  return occurrences(model, uri).find((o) => rangeContains(o.range, position));
}

/**
 * Every occurrence of the symbol at `at` in the workspace: in this runbook, in the runbook that
 * declares it, and in the runbooks that may refer to that one (their text has `<id>:`), each
 * analysed with the workspace so their references resolve.
 */
function symbolOccurrences(model: RunbookModel, uri: string, at: SymbolOccurrence): SymbolOccurrence[] {
  const found = occurrences(model, uri).filter((o) => o.key === at.key);
  const workspace = model.workspace;
  const declaring = at.key.slice(0, at.key.indexOf(SEPARATOR));
  if (!workspace || at.kind === 'param') return found;
  const declaringId = declaring === uri ? model.runbook.id?.text : workspace.all().find((r) => r.uri === declaring)?.id;
  for (const other of workspace.all()) {
    if (other.uri === uri) continue;
    if (other.uri !== declaring && !(declaringId && other.mayReferTo(declaringId))) continue;
    found.push(...occurrences(other.model().linked(workspace), other.uri).filter((o) => o.key === at.key));
  }
  return found;
}

export function definition(model: RunbookModel, uri: string, position: Position): Location[] {
  const at = occurrenceAt(model, position, uri);
  if (!at) return [];
  return symbolOccurrences(model, uri, at)
    .filter((o) => o.declaration)
    .map((o) => ({ uri: o.uri, range: o.range }));
}

export function references(model: RunbookModel, uri: string, position: Position, includeDeclaration: boolean): Location[] {
  const at = occurrenceAt(model, position, uri);
  if (!at) return [];
  return symbolOccurrences(model, uri, at)
    .filter((o) => includeDeclaration || !o.declaration)
    .map((o) => ({ uri: o.uri, range: o.range }));
}

export function prepareRename(model: RunbookModel, position: Position): { range: Range; placeholder: string } | undefined {
  const at = occurrenceAt(model, position);
  if (!at) return undefined;
  const text = model.lines[at.range.start.line]!.slice(at.range.start.character, at.range.end.character);
  const name = at.prefix && text.startsWith(at.prefix) ? text.slice(at.prefix.length) : text;
  return { range: at.range, placeholder: name };
}

export const VALID_ID = /^[\p{L}][\p{L}\p{N}_-]*$/u;
export const VALID_PARAM = /^[\p{L}_][\p{L}\p{N}_]*$/u;

export function rename(model: RunbookModel, uri: string, position: Position, newName: string): WorkspaceEdit | { error: string } {
  const at = occurrenceAt(model, position, uri);
  if (!at) return { error: 'Nothing to rename here.' };
  const name = newName.replace(/^\$/, '');
  if (!(at.kind === 'param' ? VALID_PARAM : VALID_ID).test(name)) return { error: `${newName} is not a valid name.` };
  // Every file where the symbol is written, the declaring runbook's included (`changes` by URI).
  const changes: Record<string, TextEdit[]> = { [uri]: [] };
  for (const o of symbolOccurrences(model, uri, at)) (changes[o.uri] ??= []).push({ range: o.range, newText: o.prefix + name });
  return { changes };
}

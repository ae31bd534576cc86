// Runbook symbols (procedures, steps, parameters) and where they are used: go to definition,
// find references, rename.
import type { Location, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { type Position, type Procedure, type Range, rangeContains, type StepReference } from '../language/syntax';
import type { RunbookModel } from './model';

export interface SymbolOccurrence {
  /** `procedure:<index>`, `step:<procedure>:<step>` or `param:<lower-case name>`. */
  key: string;
  kind: 'procedure' | 'step' | 'param';
  range: Range;
  declaration: boolean;
  /** Text to write when renaming, around the new name (`$` for variables). */
  prefix: string;
}

export function occurrences(model: RunbookModel): SymbolOccurrence[] {
  const result: SymbolOccurrence[] = [];
  const { runbook } = model;
  for (const param of runbook.params) {
    result.push({ key: `param:${param.name.text.toLowerCase()}`, kind: 'param', range: param.name.range, declaration: true, prefix: '$' });
  }
  for (const procedure of runbook.procedures) {
    if (procedure.id) result.push({ key: `procedure:${procedure.index}`, kind: 'procedure', range: procedure.id.range, declaration: true, prefix: '' });
    for (const step of procedure.steps) {
      if (step.id) result.push({ key: `step:${procedure.index}:${step.index}`, kind: 'step', range: step.id.range, declaration: true, prefix: '' });
      if (step.reuse) pushReference(model, procedure, step.reuse, result);
      for (const branch of step.branches) {
        if (branch.target?.kind === 'step') pushReference(model, procedure, branch.target.reference, result);
        if (branch.condition?.kind === 'role') {
          result.push({ key: `param:${branch.condition.param.text.toLowerCase()}`, kind: 'param', range: branch.condition.param.range, declaration: false, prefix: '$' });
        }
      }
    }
  }
  for (const { run } of model.allScripts) {
    for (const variable of run.script.variables) {
      if (!model.param(variable.name)) continue;
      result.push({ key: `param:${variable.name.toLowerCase()}`, kind: 'param', range: run.toRange(variable.range), declaration: false, prefix: '$' });
    }
  }
  return result;
}

function pushReference(model: RunbookModel, from: Procedure, reference: StepReference, result: SymbolOccurrence[]): void {
  const target = model.resolve(from, reference);
  if (!target) return;
  if (reference.procedure) {
    result.push({ key: `procedure:${target.procedure.index}`, kind: 'procedure', range: reference.procedure.range, declaration: false, prefix: '' });
  }
  if (!reference.procedure && !target.step?.id) return;
  const stepIsNamed = reference.procedure || (target.procedure === from && target.step?.id?.text === reference.step.text);
  if (stepIsNamed && target.step) {
    result.push({ key: `step:${target.procedure.index}:${target.step.index}`, kind: 'step', range: reference.step.range, declaration: false, prefix: '' });
  } else {
    result.push({ key: `procedure:${target.procedure.index}`, kind: 'procedure', range: reference.step.range, declaration: false, prefix: '' });
  }
}

export function occurrenceAt(model: RunbookModel, position: Position): SymbolOccurrence | undefined {
  return occurrences(model).find((o) => rangeContains(o.range, position));
}

export function definition(model: RunbookModel, uri: string, position: Position): Location[] {
  const at = occurrenceAt(model, position);
  if (!at) return [];
  return occurrences(model)
    .filter((o) => o.key === at.key && o.declaration)
    .map((o) => ({ uri, range: o.range }));
}

export function references(model: RunbookModel, uri: string, position: Position, includeDeclaration: boolean): Location[] {
  const at = occurrenceAt(model, position);
  if (!at) return [];
  return occurrences(model)
    .filter((o) => o.key === at.key && (includeDeclaration || !o.declaration))
    .map((o) => ({ uri, range: o.range }));
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
  const at = occurrenceAt(model, position);
  if (!at) return { error: 'Nothing to rename here.' };
  const name = newName.replace(/^\$/, '');
  if (!(at.kind === 'param' ? VALID_PARAM : VALID_ID).test(name)) return { error: `${newName} is not a valid name.` };
  const edits: TextEdit[] = occurrences(model)
    .filter((o) => o.key === at.key)
    .map((o) => ({ range: o.range, newText: o.prefix + name }));
  return { changes: { [uri]: edits } };
}

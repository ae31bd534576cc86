// Document outline (runbook → parameters, procedures → steps) and folding ranges.
import { type DocumentSymbol, type FoldingRange, FoldingRangeKind, SymbolKind } from 'vscode-languageserver-types';
import type { Range } from '../language/syntax';
import type { RunbookModel } from './model';

export function documentSymbols(model: RunbookModel): DocumentSymbol[] {
  const { runbook } = model;
  const symbols: DocumentSymbol[] = [];
  for (const param of runbook.params) {
    symbols.push(symbol('$' + param.name.text, param.kind?.text ?? '', SymbolKind.Variable, param.range, param.name.range));
  }
  for (const procedure of runbook.procedures) {
    const name = procedure.id?.text ?? '?';
    const detail = [procedure.title?.value, procedure.monitors.map((m) => m.text).join(', ')].filter(Boolean).join(' — ');
    const children = procedure.steps.map((step) =>
      symbol(step.id?.text ?? '?', step.title?.value ?? (step.reuse ? `= ${model.lines[step.reuse.range.start.line]!.slice(step.reuse.range.start.character, step.reuse.range.end.character)}` : ''), SymbolKind.Event, step.range, step.id?.range ?? step.headerRange),
    );
    symbols.push(symbol(name, detail, SymbolKind.Function, procedure.range, procedure.id?.range ?? procedure.headerRange, children));
  }
  if (!runbook.headerRange) return symbols;
  // The header runs to its last line with content before the first procedure, to the end of that
  // line: never before its own `runbook` line, so the selection (the id) stays inside the range.
  const first = runbook.procedures[0]?.range.start.line;
  const lastLine = first !== undefined && first > runbook.headerRange.start.line ? Math.max(runbook.headerRange.end.line, lastContentLine(model, first - 1)) : runbook.headerRange.end.line;
  const lineEnd = { line: lastLine, character: model.lines[lastLine]?.length ?? 0 };
  const headerEnd = lastLine > runbook.headerRange.end.line || lineEnd.character >= runbook.headerRange.end.character ? lineEnd : runbook.headerRange.end;
  const header = symbol(runbook.id?.text ?? 'runbook', runbook.title?.value ?? '', SymbolKind.Module, { start: runbook.headerRange.start, end: headerEnd }, runbook.id?.range ?? runbook.headerRange, symbols.filter((s) => s.kind === SymbolKind.Variable));
  return [header, ...symbols.filter((s) => s.kind !== SymbolKind.Variable)];
}

function symbol(name: string, detail: string, kind: SymbolKind, range: Range, selectionRange: Range, children?: DocumentSymbol[]): DocumentSymbol {
  const result: DocumentSymbol = { name, detail, kind, range, selectionRange };
  if (children) result.children = children;
  return result;
}

export function foldingRanges(model: RunbookModel): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const add = (start: number, end: number, kind?: FoldingRangeKind): void => {
    if (end <= start) return;
    const range: FoldingRange = { startLine: start, endLine: end };
    if (kind) range.kind = kind;
    ranges.push(range);
  };
  const { runbook } = model;
  const firstProcedure = runbook.procedures[0];
  if (runbook.headerRange && firstProcedure) add(runbook.headerRange.start.line, lastContentLine(model, firstProcedure.range.start.line - 1));
  for (const procedure of runbook.procedures) {
    add(procedure.range.start.line, procedure.range.end.line);
    for (const step of procedure.steps) {
      add(step.range.start.line, step.range.end.line);
      for (const action of step.actions) if (action.kind === 'run') add(action.range.start.line, action.range.end.line);
    }
  }
  // Runs of comment lines.
  let start = -1;
  let previous = -2;
  for (const comment of runbook.comments) {
    const line = comment.start.line;
    if (line !== previous + 1) {
      if (start >= 0) add(start, previous, FoldingRangeKind.Comment);
      start = line;
    }
    previous = line;
  }
  if (start >= 0) add(start, previous, FoldingRangeKind.Comment);
  return ranges;
}

function lastContentLine(model: RunbookModel, from: number): number {
  let line = from;
  while (line > 0 && (model.lines[line] ?? '').trim() === '') line--;
  return line;
}

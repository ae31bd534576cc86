// Features other editors ask for as often as VS Code: highlights of a symbol's occurrences, links
// on `source` lines, selection ranges (expand selection), and workspace symbols.
import { type DocumentHighlight, DocumentHighlightKind, type DocumentLink, type SelectionRange, SymbolKind, type WorkspaceSymbol } from 'vscode-languageserver-types';
import { isWordChar, tokenizeLine } from '../language/lexer';
import { type Position, type Range, rangeContains } from '../language/syntax';
import type { RunbookModel } from './model';
import { occurrences } from './navigation';

/** Every occurrence of the procedure, step or parameter at the position; declarations as writes. */
export function documentHighlights(model: RunbookModel, position: Position): DocumentHighlight[] {
  const all = occurrences(model);
  const here = all.find((o) => rangeContains(o.range, position));
  if (!here) return [];
  return all.filter((o) => o.key === here.key).map((o) => ({ range: o.range, kind: o.declaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

/** `source "https://…"`: the topic the runbook follows, as a link. */
export function documentLinks(model: RunbookModel): DocumentLink[] {
  return model.runbook.sources.flatMap((source) => {
    if (!/^https?:\/\/\S+$/i.test(source.value)) return [];
    // The link covers the address, inside the quotes.
    const { start, end } = source.range;
    const range = start.line === end.line && end.character - start.character >= source.value.length + 2 ? { start: { line: start.line, character: start.character + 1 }, end: { line: end.line, character: end.character - 1 } } : source.range;
    return [{ range, target: source.value }];
  });
}

/** Word, line, step, procedure, document: what "expand selection" walks through, innermost first. */
export function selectionRanges(model: RunbookModel, positions: Position[]): SelectionRange[] {
  const lastLine = model.lines.length - 1;
  const document: Range = { start: { line: 0, character: 0 }, end: { line: lastLine, character: model.lines[lastLine]?.length ?? 0 } };
  return positions.map((position) => {
    const chain: Range[] = [];
    const line = model.lines[position.line] ?? '';
    let start = position.character;
    let end = position.character;
    while (start > 0 && isWordChar(line[start - 1]!)) start--;
    while (end < line.length && isWordChar(line[end]!)) end++;
    if (end > start) chain.push({ start: { line: position.line, character: start }, end: { line: position.line, character: end } });
    const indent = line.length - line.trimStart().length;
    chain.push({ start: { line: position.line, character: indent }, end: { line: position.line, character: line.trimEnd().length } });
    const procedure = model.runbook.procedures.find((p) => rangeContains(p.range, position));
    const step = procedure?.steps.find((s) => rangeContains(s.range, position));
    if (step) chain.push(step.range);
    if (procedure) chain.push(procedure.range);
    chain.push(document);
    // Each range must contain the one before it; drop any that does not (an empty line, say).
    const kept: Range[] = [];
    for (const range of chain) {
      const inner = kept[kept.length - 1];
      if (inner && (!contains(range, inner) || sameRange(range, inner))) continue;
      kept.push(range);
    }
    let parent: SelectionRange | undefined;
    for (let i = kept.length - 1; i >= 0; i--) parent = parent ? { range: kept[i]!, parent } : { range: kept[i]! };
    return parent!;
  });
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function contains(outer: Range, inner: Range): boolean {
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Procedures and steps of the given runbooks whose name contains the query (case-insensitive). */
export function workspaceSymbols(documents: { uri: string; model: RunbookModel }[], query: string, limit = 1000): WorkspaceSymbol[] {
  const wanted = query.toLowerCase();
  const symbols: WorkspaceSymbol[] = [];
  for (const { uri, model } of documents) {
    for (const procedure of model.runbook.procedures) {
      const name = procedure.id?.text;
      if (name && name.toLowerCase().includes(wanted)) symbols.push({ name, kind: SymbolKind.Function, location: { uri, range: procedure.id!.range }, containerName: model.runbook.id?.text ?? '' });
      for (const step of procedure.steps) {
        const id = step.id?.text;
        if (id && `${name ?? ''}.${id}`.toLowerCase().includes(wanted)) symbols.push({ name: `${name ?? '?'}.${id}`, kind: SymbolKind.Event, location: { uri, range: step.id!.range }, containerName: name ?? '' });
        if (symbols.length >= limit) return symbols;
      }
    }
  }
  return symbols;
}

/** Token types of semantic highlighting, in legend order (editors without the TextMate grammar color by these). */
export const SEMANTIC_TOKEN_TYPES = ['keyword', 'string', 'variable', 'comment', 'operator', 'number'] as const;
const TOKEN = Object.fromEntries(SEMANTIC_TOKEN_TYPES.map((t, i) => [t, i])) as Record<(typeof SEMANTIC_TOKEN_TYPES)[number], number>;
const INNER_KEYWORDS = new Set(['for', 'monitor', 'is', 'not', 'confirm', 'all', 'any', 'no', 'answer', 'resolved', 'escalate', 'seconds', 'minutes', 'hours']);

/**
 * Semantic tokens of the runbook lines, LSP-encoded (relative positions): keywords, strings,
 * parameters, comments, `->`, numbers. The PowerShell after `run` is left to the editor's own
 * PowerShell highlighting.
 */
export function semanticTokens(model: RunbookModel): number[] {
  const data: number[] = [];
  let lastLine = 0;
  let lastStart = 0;
  const push = (line: number, start: number, length: number, type: number): void => {
    if (length <= 0) return;
    data.push(line - lastLine, line === lastLine ? start - lastStart : start, length, type, 0);
    lastLine = line;
    lastStart = start;
  };
  const continuation = new Set<number>();
  for (const { run } of model.allScripts) for (const segment of run.action.segments.slice(1)) continuation.add(segment.line);
  model.lines.forEach((line, index) => {
    if (continuation.has(index)) return;
    const indent = line.length - line.trimStart().length;
    if (indent === line.length) return;
    if (line[indent] === '#') return push(index, indent, line.length - indent, TOKEN.comment);
    if (line.startsWith('run', indent) && !isWordChar(line[indent + 3] ?? ' ')) return push(index, indent, 3, TOKEN.keyword);
    tokenizeLine(line, indent).forEach((token, i) => {
      const length = token.end - token.start;
      if (token.kind === 'comment') push(index, token.start, length, TOKEN.comment);
      else if (token.kind === 'string' || token.kind === 'unterminated') push(index, token.start, length, TOKEN.string);
      else if (token.kind === 'variable') push(index, token.start, length, TOKEN.variable);
      else if (token.kind === 'arrow') push(index, token.start, length, TOKEN.operator);
      else if (token.kind === 'word' && (i === 0 || INNER_KEYWORDS.has(token.text))) push(index, token.start, length, TOKEN.keyword);
      else if (token.kind === 'word' && /^\d+$/.test(token.text)) push(index, token.start, length, TOKEN.number);
    });
  });
  return data;
}

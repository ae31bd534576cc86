// Format Document: the canonical indentation (runbook items and steps one level, step contents two)
// and nothing else. It changes only the whitespace at the start of lines, is idempotent, and never
// changes what the parser reads: PowerShell continuation lines keep their layout, and a `run`
// whose continuation depends on its indentation keeps it.
import type { TextEdit } from 'vscode-languageserver-types';
import { LINE_KEYWORDS } from '../language/syntax';
import type { RunbookModel } from './model';

/** Indentation level of each line keyword, in half-units (2 = one level). */
const INDENT: Record<string, number> = {
  runbook: 0,
  procedure: 0,
  healthset: 2,
  param: 2,
  source: 2,
  step: 2,
  run: 4,
  wait: 4,
  manual: 4,
  ask: 4,
  escalate: 4,
  when: 4,
  otherwise: 4,
};

const BOM = '\uFEFF';

export interface FormatOptions {
  /** Spaces per level (LSP's tabSize); 2 when not given. */
  tabSize?: number;
  /** Spaces (the default) or one tab per level. */
  insertSpaces?: boolean;
}

/** How wide the parser reads a line's indentation: what trimStart takes (spaces, tabs, NBSP, …). */
function indentWidth(line: string): number {
  return line.length - line.trimStart().length;
}

export function format(model: RunbookModel, options: FormatOptions | number = {}): TextEdit[] {
  const { tabSize = 2, insertSpaces = true } = typeof options === 'number' ? { tabSize: options } : options;
  const unit = insertSpaces ? ' '.repeat(Math.max(0, Math.min(tabSize, 16))) : '\t';
  const indentation = (level: number): string => unit.repeat(Math.round(level / 2));
  const { lines } = model;

  const continuation = new Set<number>();
  /** Lines whose indentation is kept because the parse depends on it. */
  const keep = new Set<number>();
  const keywords = LINE_KEYWORDS as readonly string[];
  for (const { run } of model.allScripts) {
    const segments = run.action.segments;
    for (const segment of segments.slice(1)) continuation.add(segment.line);
    // A keyword line continues the command only when indented deeper than `run` (parser.parseRun):
    // if the canonical indentation of `run` would not stay below it, `run` keeps its own.
    const first = segments[0]!.line;
    let deepest = Number.POSITIVE_INFINITY;
    for (const segment of segments.slice(1)) {
      const line = lines[segment.line]!;
      const word = (line.trimStart().split(/\s/, 1)[0] ?? '').toLowerCase();
      if (keywords.includes(word)) deepest = Math.min(deepest, indentWidth(line));
    }
    if (indentation(INDENT.run!).length >= deepest) {
      keep.add(first);
      // The keyword line that ended the command must then stay at or left of `run`.
      const after = segments[segments.length - 1]!.line + 1;
      const next = lines[after];
      const word = (next?.trimStart().split(/\s/, 1)[0] ?? '').toLowerCase();
      if (next !== undefined && keywords.includes(word) && indentation(INDENT[word] ?? 0).length > indentWidth(lines[first]!)) keep.add(after);
    }
  }

  const edits: TextEdit[] = [];
  let context = 0;
  lines.forEach((line, index) => {
    // A byte order mark stays where it is, before the indentation.
    const prefix = index === 0 && line.startsWith(BOM) ? 1 : 0;
    const body = line.slice(prefix);
    const content = body.trimStart();
    const current = body.length - content.length;
    let wanted: string;
    if (continuation.has(index)) return;
    if (content === '') wanted = '';
    else {
      // `Step` is indented as `step` (the parser reads it so, with a warning).
      const keyword = content.split(/\s/, 1)[0]!.toLowerCase();
      const level = INDENT[keyword];
      // A comment takes the indentation of what it sits in.
      const indent = content.startsWith('#') ? context : (level ?? context);
      if (level !== undefined) context = keyword === 'step' || keyword === 'procedure' ? level + 2 : level;
      if (keep.has(index)) return;
      wanted = indentation(indent);
    }
    if (wanted !== body.slice(0, current)) {
      edits.push({ range: { start: { line: index, character: prefix }, end: { line: index, character: prefix + current } }, newText: wanted });
    }
  });
  return edits;
}

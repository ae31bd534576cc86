// Format Document: the canonical indentation (runbook items and steps 2 spaces, step contents 4)
// and no trailing whitespace. PowerShell continuation lines keep their own layout.
import type { TextEdit } from 'vscode-languageserver-types';
import type { RunbookModel } from './model';

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

export function format(model: RunbookModel, tabSize = 2): TextEdit[] {
  const continuation = new Set<number>();
  for (const { run } of model.allScripts) for (const segment of run.action.segments.slice(1)) continuation.add(segment.line);
  const edits: TextEdit[] = [];
  let context = 0;
  model.lines.forEach((line, index) => {
    const content = line.trim();
    let wanted: string;
    if (content === '') wanted = '';
    else if (continuation.has(index)) wanted = line.trimEnd();
    else {
      const keyword = content.split(/\s/, 1)[0]!;
      const level = INDENT[keyword];
      // A comment takes the indentation of what it sits in.
      const indent = content.startsWith('#') ? context : (level ?? context);
      if (level !== undefined) context = keyword === 'step' || keyword === 'procedure' ? level + 2 : level;
      wanted = ' '.repeat(Math.round((indent / 2) * tabSize)) + content;
    }
    if (wanted !== line) edits.push({ range: { start: { line: index, character: 0 }, end: { line: index, character: line.length } }, newText: wanted });
  });
  return edits;
}

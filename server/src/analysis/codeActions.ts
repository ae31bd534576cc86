// Quick fixes: the fixes the checks attached to their diagnostics, offered as code actions.
import { type CodeAction, CodeActionKind, type Diagnostic, type Position, type Range } from 'vscode-languageserver-types';
import type { DiagnosticData } from './diagnostics';

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

/** Whether two ranges share a position (touching counts, as the client's own intersection does). */
function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return a.code === b.code && samePosition(a.range.start, b.range.start) && samePosition(a.range.end, b.range.end);
}

function fixesOf(diagnostic: Diagnostic): DiagnosticData['fixes'] {
  return (diagnostic.data as DiagnosticData | undefined)?.fixes ?? [];
}

/**
 * The quick fixes for `range`. The fixes travel in each diagnostic's `data`, which the client sends
 * back in the request's context; `known` are the server's own diagnostics of the same version, which
 * stand in where the client's copy has no `data` (clients without `dataSupport`) and cover the
 * diagnostics the client has not shown yet (a pull still on its way when the cursor got there).
 */
export function quickFixes(uri: string, fromClient: Diagnostic[], known: Diagnostic[] = [], range?: Range): CodeAction[] {
  const actions: CodeAction[] = [];
  const add = (diagnostic: Diagnostic, fixes: DiagnosticData['fixes']): void => {
    for (const fix of fixes ?? []) {
      const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: fix.edits } } };
      if (fix.preferred) action.isPreferred = true;
      actions.push(action);
    }
  };
  const used = new Set<Diagnostic>();
  for (const diagnostic of fromClient) {
    const own = fixesOf(diagnostic);
    const twin = known.find((k) => !used.has(k) && sameDiagnostic(k, diagnostic));
    if (twin) used.add(twin);
    add(diagnostic, own && own.length > 0 ? own : twin ? fixesOf(twin) : []);
  }
  if (range) for (const diagnostic of known) if (!used.has(diagnostic) && overlaps(diagnostic.range, range)) add(diagnostic, fixesOf(diagnostic));
  return actions;
}

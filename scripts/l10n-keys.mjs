// Lists every English message the code localizes, read from the sources with the TypeScript
// compiler: calls of t(...) / l10n.t(...) and the parser's message fragments. Used by the l10n
// test (every key must be translated) and to update the bundles: `node scripts/l10n-keys.mjs`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** Calls whose string-literal arguments are messages: t(...), l10n.t(...), the parser's error(code, message) and fragment(...). */
const CALLS = new Set(['t', 'error', 'fragment']);

function files(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(folder, e.name)) : e.name.endsWith('.ts') ? [join(folder, e.name)] : [],
  );
}

export function messageKeys(root = '.') {
  const keys = new Set();
  for (const file of [...files(join(root, 'server/src')), ...files(join(root, 'client/src'))]) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (CALLS.has(name)) {
          // error(code, message, ...): the message is the second argument; otherwise the first.
          const arg = node.arguments[name === 'error' ? 1 : 0];
          if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) keys.add(arg.text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...keys].sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const key of messageKeys()) console.log(key);
}

// Inputs that used to take the analysis down or make it lie (issue 9), as regression tests: each
// failed before its fix. Speed is the benchmarks' business (bench/robust.mjs); these assert results.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Diagnostic, DocumentSymbol, Range } from 'vscode-languageserver-types';
import { wildcardMatches } from '../src/analysis/text';
import { parseCacheBytes } from '../src/language/parser';
import type { RunbookLanguageService } from '../src/languageService';
import { ByteBoundedCache } from '../src/util/boundedCache';
import { applyEdits, codes, languageService, runbook, URI } from './helpers';

let service: RunbookLanguageService;
before(async () => {
  service = await languageService();
});

const diagnose = (text: string, uri = URI): Diagnostic[] => service.diagnostics(service.analyze(text, uri), uri, 'en');

/** A procedure with a failing command and, in another step, an unknown parameter that must still be reported. */
function withBadCommand(command: string): string {
  return runbook(`procedure p "P" for monitor PopProxyTestMonitor
  step a "A"
    run ${command}
  step b "B"
    run Get-ServerHealth -Identity $Server -Nonsense 1
`);
}

describe('no input takes the analysis down', () => {
  it('a -like pattern with a reversed range [z-a] matches nothing and every other diagnostic stays', () => {
    const found = codes(diagnose(withBadCommand('Get-ServerHealth -Identity $Server | ?{$_.HealthSetName -like "[z-a]"}')));
    assert.ok(found.includes('unknown-parameter'), found.join());
    assert.ok(found.includes('unknown-health-set'), found.join());
    assert.equal(wildcardMatches('[z-a]', 'z'), false);
  });

  it('a -like pattern of 50,000 characters is matched, not thrown on', () => {
    const pattern = 'POP' + '?'.repeat(50_000) + '*';
    assert.equal(wildcardMatches(pattern, 'POP'), false);
    const found = codes(diagnose(withBadCommand(`Get-ServerHealth -Identity $Server | ?{$_.HealthSetName -like "${pattern}"}`)));
    assert.ok(found.includes('unknown-parameter'), found.join());
  });

  it('wildcards still match as PowerShell -like does', () => {
    assert.ok(wildcardMatches('POP*', 'POP.Protocol'));
    assert.ok(wildcardMatches('pop.pro[t]ocol', 'POP.Protocol'));
    assert.ok(wildcardMatches('P?P', 'POP'));
    assert.ok(wildcardMatches('[a-q]OP', 'POP'));
    assert.ok(!wildcardMatches('POP', 'POP.Proxy'));
    assert.ok(wildcardMatches('*.Pro*y', 'POP.Proxy'));
    assert.ok(wildcardMatches('100`%', '100%'));
  });

  it('226 nested { } and 282 nested ( ) in a run line leave the rest of the file analysed', () => {
    const braces = codes(diagnose(withBadCommand('Invoke-Command -ComputerName $Server ' + '{ '.repeat(226) + 'Get-Date' + ' }'.repeat(226))));
    assert.ok(braces.includes('unknown-parameter'), braces.join());
    const parens = codes(diagnose(withBadCommand('Get-ServerHealth -Identity ' + '('.repeat(282) + '$Server' + ')'.repeat(282))));
    assert.ok(parens.includes('unknown-parameter'), parens.join());
  });

  it('the outline and completion survive such a line too', () => {
    const model = service.analyze(withBadCommand('Get-X ' + '('.repeat(400) + '1' + ')'.repeat(400)));
    assert.equal(service.documentSymbols(model).length, 2);
    assert.ok(service.completion(model, { line: 7, character: 4 }).length > 0);
  });
});

describe('commands nested deeper than the parser is given (64 brackets)', () => {
  /** The diagnostics on the line of the first step's `run` (line 6 of withBadCommand's runbook), as `code@character`. */
  const onCommandLine = (command: string): string[] => diagnose(withBadCommand(command)).filter((d) => d.range.start.line === 6).map((d) => `${String(d.code)}@${d.range.start.character}`);
  const nested = (depth: number, inner: string): string => 'Get-ServerHealth -Identity ' + '('.repeat(depth) + inner + ')'.repeat(depth) + ' -HealthSet POP -Nonsense 1';
  const at = '    run '.length + 'Get-ServerHealth -Identity '.length;

  it('checks a command nested 64 deep as any other', () => {
    assert.deepEqual(onCommandLine(nested(64, '$Server')), [`unknown-parameter@${at + 64 + '$Server'.length + 64 + ' -HealthSet POP '.length}`]);
  });

  it('leaves a command nested 65 deep unparsed, with one warning at the 65th bracket and nothing else', () => {
    const found = diagnose(withBadCommand(nested(65, '$Undeclared')));
    const warning = found.find((d) => d.code === 'powershell-too-deep');
    assert.equal(warning?.severity, 2);
    assert.equal(warning?.message, 'Brackets nest more than 64 deep here: the command is not checked.');
    assert.deepEqual(onCommandLine(nested(65, '$Undeclared')), [`powershell-too-deep@${at + 64}`]);
    // The rest of the runbook is analysed: the other step's unknown parameter is still reported.
    assert.ok(found.some((d) => d.code === 'unknown-parameter' && d.range.start.line === 8), codes(found).join());
  });

  it('calls no parameter unused that such a command names', () => {
    const text = runbook(`procedure p "P" for monitor PopProxyTestMonitor\n  step a "A"\n    run ${nested(70, '$using:Server')}\n`);
    assert.deepEqual(codes(diagnose(text)).filter((c) => c === 'unused-parameter' || c === 'powershell-too-deep'), ['powershell-too-deep']);
  });

  it('does not say such a command writes nothing a condition could test', () => {
    const text = runbook(`procedure p "P" for monitor PopProxyTestMonitor\n  step a "A"\n    run ${nested(70, '$Server')}\n    when AlertValue is Unhealthy -> b\n  step b "B"\n    manual "m"\n`);
    assert.deepEqual(codes(diagnose(text)).filter((c) => c === 'condition-without-output' || c === 'powershell-too-deep'), ['powershell-too-deep']);
  });

  it('counts brackets nested, not written: closed ones and those in strings do not add up', () => {
    const siblings = 'Get-ServerHealth -Identity $Server -HealthSet POP ' + '(1) '.repeat(100) + "'" + '('.repeat(100) + "' \"" + '{'.repeat(100) + '" -Nonsense 1';
    assert.deepEqual(onCommandLine(siblings).map((d) => d.split('@')[0]), ['unknown-parameter']);
  });

  it('reports it in Chinese and Japanese too', () => {
    for (const language of ['zh-cn', 'ja']) {
      const text = withBadCommand(nested(80, '$Server'));
      const warning = service.diagnostics(service.analyze(text, URI), URI, language).find((d) => d.code === 'powershell-too-deep');
      const message = String(warning?.message);
      assert.ok(!message.startsWith('Brackets') && message.includes('64'), message);
    }
  });

});

describe('the flow analysis with many optional changes', () => {
  /** N steps `ask "On?"` / `when answer is no -> jN` / `run Set-PopSettings … $true` / `manual "m"`, none undone. */
  function optional(n: number): string {
    let body = 'procedure p "P" for monitor PopProxyTestMonitor\n';
    for (let i = 0; i < n; i++) {
      body += `  step s${i} "Ask"\n    ask "On?"\n    when answer is no -> j${i}\n  step t${i} "Turn logging on"\n    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true\n  step j${i} "Join"\n    manual "m"\n`;
    }
    return runbook(body);
  }

  it('reports every change left in place, each once, where whole path states would have multiplied', () => {
    const found = diagnose(optional(40)).filter((d) => d.code === 'not-undone');
    assert.equal(found.length, 40);
    assert.equal(new Set(found.map((d) => d.range.start.line)).size, 40);
  });

  it('a change undone on every path is not reported; undone on one path only, it is', () => {
    const undone = runbook(`procedure p "P" for monitor PopProxyTestMonitor
  step on "On"
    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true
  step ask "Ask"
    ask "Off now?"
    when answer is no -> off
  step off "Off"
    run Set-PopSettings -Server $Server -ProtocolLogEnabled $false
`);
    assert.ok(!codes(diagnose(undone)).includes('not-undone'));
    const skipped = undone.replace('when answer is no -> off', 'when answer is no -> resolved');
    assert.ok(codes(diagnose(skipped)).includes('not-undone'));
  });

  it('a chain of 300 reused steps resolves to the first step', () => {
    let body = 'procedure p "P" for monitor PopProxyTestMonitor\n  step s0 "S"\n    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true\n';
    for (let i = 1; i < 300; i++) body += `  step s${i} = s${i - 1}\n`;
    const model = service.analyze(runbook(body));
    const last = model.nodes[model.nodes.length - 1]!;
    assert.equal(last.source.step.id?.text, 's0');
    assert.equal(last.reuseBroken, false);
  });
});

describe('two documents never affect each other', () => {
  // Both have `procedure shared` at line 6 with the same text; in A it is the second procedure.
  const A = 'runbook a "A"\n  healthset POP\n\nprocedure first "First"\n  step x "X"\n    manual "m"\nprocedure shared "Shared"\n  step s "S"\n    manual "m"\n    when answer is yes -> first\n';
  const B = 'runbook b "B"\n  healthset POP\n  param $Server: server "S"\n  source "https://example.org"\n\n\nprocedure shared "Shared"\n  step s "S"\n    manual "m"\n    when answer is yes -> first\n';

  it('renaming a procedure in one document renames that procedure, after the other was analysed', () => {
    const a = service.analyze(A, 'file:///a.exrunbook');
    service.analyze(B, 'file:///b.exrunbook');
    const at = { line: 3, character: 'procedure fi'.length };
    const edit = service.rename(a, 'file:///a.exrunbook', at, 'renamed');
    assert.ok(!('error' in edit));
    const changes = edit.changes!['file:///a.exrunbook']!;
    // The declaration on line 3 and the reference on line 9: not the `shared` procedure.
    assert.deepEqual(changes.map((c) => c.range.start.line).sort(), [3, 9]);
  });

  it('hover and definition in one document do not show the other one\'s procedure', () => {
    const a = service.analyze(A, 'file:///a.exrunbook');
    const b = service.analyze(B, 'file:///b.exrunbook');
    const definition = service.definition(a, 'file:///a.exrunbook', { line: 9, character: '    when answer is yes -> fi'.length });
    assert.deepEqual(definition.map((d) => d.range.start.line), [3]);
    assert.equal(a.runbook.procedures[1]!.index, 1);
    assert.equal(b.runbook.procedures[0]!.index, 0);
    assert.notEqual(a.runbook.procedures[1], b.runbook.procedures[0]);
  });
});

function inside(inner: Range, outer: Range): boolean {
  const before = (x: Range['start'], y: Range['start']): boolean => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function everySymbol(symbols: DocumentSymbol[]): DocumentSymbol[] {
  return symbols.flatMap((s) => [s, ...everySymbol(s.children ?? [])]);
}

describe('the outline', () => {
  it('keeps the header symbol\'s selection inside its range when a procedure follows the runbook line directly', () => {
    const symbols = service.documentSymbols(service.analyze('runbook r "R"\nprocedure p "P"\n  step a "A"\n    manual "m"\n'));
    for (const symbol of everySymbol(symbols)) assert.ok(inside(symbol.selectionRange, symbol.range), JSON.stringify(symbol));
  });
});

describe('formatting', () => {
  const format = (text: string, options?: { tabSize?: number; insertSpaces?: boolean }): string => applyEdits(text, service.format(service.analyze(text), options));
  const meaning = (text: string): string[] => diagnose(text).map((d) => `${d.code}@${d.range.start.line}:${d.message}`).sort();

  it('is idempotent and keeps the meaning when a keyword line continues a command by its indentation', () => {
    const text = runbook('procedure p "P" for monitor PopProxyTestMonitor\n  step a "A"\nrun(\n otherwise -> resolved\n)\n    when answer is yes -> resolved\n');
    const once = format(text);
    assert.equal(format(once), once);
    assert.deepEqual(meaning(once), meaning(text));
  });

  it('splits lines as LSP does: lone CR line endings are neither deleted nor duplicated', () => {
    const text = 'runbook r "R"\r healthset POP\r\rprocedure p "P"\r  step a "A"\r manual "m"\r';
    const formatted = format(text);
    assert.equal(formatted, 'runbook r "R"\r  healthset POP\r\rprocedure p "P"\r  step a "A"\r    manual "m"\r');
  });

  it('keeps a byte order mark, NBSP and trailing spaces inside strings; changes only indentation', () => {
    const text = '\uFEFFrunbook r "R"\n healthset POP\n\nprocedure p "P"\n  step a "A\u00a0"\n  manual "trailing   \n      escalate "x"\u00a0\n';
    const formatted = format(text);
    assert.equal(formatted, '\uFEFFrunbook r "R"\n  healthset POP\n\nprocedure p "P"\n  step a "A\u00a0"\n    manual "trailing   \n    escalate "x"\u00a0\n');
    assert.equal(format(formatted), formatted);
  });

  it('indents with tabs or tabSize spaces as the editor asks', () => {
    const text = 'runbook r "R"\nhealthset POP\nprocedure p "P"\nstep a "A"\nmanual "m"\n';
    assert.equal(format(text, { insertSpaces: false }), 'runbook r "R"\n\thealthset POP\nprocedure p "P"\n\tstep a "A"\n\t\tmanual "m"\n');
    assert.equal(format(text, { tabSize: 4, insertSpaces: true }), 'runbook r "R"\n    healthset POP\nprocedure p "P"\n    step a "A"\n        manual "m"\n');
  });
});

describe('caches bounded by bytes', () => {
  it('evicts the oldest entries past its byte bound, whatever their count', () => {
    const cache = new ByteBoundedCache<string, string>(1000, (k, v) => k.length + v.length);
    for (let i = 0; i < 50; i++) cache.set(`k${i}`, 'x'.repeat(100));
    assert.ok(cache.bytes <= 1000);
    assert.equal(cache.get('k0'), undefined);
    assert.equal(cache.get('k49'), 'x'.repeat(100));
    cache.set('huge', 'y'.repeat(5000));
    assert.equal(cache.get('huge'), undefined);
  });

  it('the parsed-block cache stays under its bound across many large documents', () => {
    const block = 'procedure p "P"\n  step a "A"\n    manual "' + 'm'.repeat(200) + '"\n';
    const big = 'runbook r "R"\n' + block.repeat(2000);
    for (let i = 0; i < 12; i++) service.analyze(big + `# ${i}\n`, `file:///many-${i}.exrunbook`);
    assert.ok(parseCacheBytes() <= 64 * 1024 * 1024, String(parseCacheBytes()));
  });
});

describe('completion for editors with their own word rules', () => {
  const text = runbook('procedure p "P" for monitor PopProxyTestMonitor\n  step a "A"\n    run Set-PopSettings -Proto\n\n');

  it('replaces what was typed: -Proto becomes -ProtocolLogEnabled, not --ProtocolLogEnabled', () => {
    const model = service.analyze(text);
    const line = model.lines.findIndex((l) => l.endsWith('-Proto'));
    const items = service.completion(model, { line, character: model.lines[line]!.length });
    const item = items.find((i) => i.label === '-ProtocolLogEnabled');
    assert.ok(item?.textEdit && 'range' in item.textEdit);
    assert.equal(item.textEdit.range.start.character, model.lines[line]!.indexOf('-Proto'));
    assert.equal(item.textEdit.newText, '-ProtocolLogEnabled');
  });

  it('gives plain text instead of snippets to clients without snippet support', () => {
    // An empty document is offered the runbook skeleton as a snippet.
    const model = service.analyze('');
    const withSnippets = service.completion(model, { line: 0, character: 0 });
    assert.ok(withSnippets.some((i) => /\$\{?\d/.test(i.insertText ?? '')), 'the skeleton comes as a snippet');
    const plain = service.completion(model, { line: 0, character: 0 }, 'en', false);
    assert.equal(plain.length, withSnippets.length);
    for (const item of plain) assert.doesNotMatch(`${item.insertText ?? ''}${item.textEdit?.newText ?? ''}`, /\$\{?\d/);
    const bare = plain.find((i) => (i.insertText ?? '').startsWith('runbook id'));
    assert.match(bare?.insertText ?? '', /^runbook id "title"\n {2}healthset POP\n {2}param \$Server: server "Server named in the alert"/);
    // The skeleton keeps its choices' first value and the mirrors of its tab stops.
    const skeleton = plain.find((i) => (i.insertText ?? '').includes('procedure verify'));
    assert.ok(skeleton, plain.map((i) => i.label).join(', '));
    assert.doesNotMatch(skeleton.insertText ?? '', /-eq ""|procedure {2}"|for monitor \n/);
  });
});

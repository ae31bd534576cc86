// The PowerShell fast path (powershell/simple.ts) gives exactly tree-sitter's summary: a differential
// test over every command of the examples, the fixtures, the fuzz test's mutants, the generated
// benchmark runbooks and the robustness shapes, plus seeded mutations of each of those commands.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { RunbookLanguageService } from '../src/languageService';
import { clearPowerShellCache, parseAsWritten, parsePowerShell, plainText, type PsScript, setPowerShellFastPath, tooDeepAt, unclosable } from '../src/powershell/parser';
import { parseSimplePipeline } from '../src/powershell/simple';
import { languageService } from './helpers';
import { mutate, PIECES, random } from './mutate';

const ROOT = join(__dirname, '..', '..', '..');

function runbooksUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return runbooksUnder(path);
    return name.endsWith('.exrunbook') ? [readFileSync(path, 'utf8')] : [];
  });
}

/** Every `run` command of a runbook, as the model gives them to the PowerShell parser. */
function commandsOf(service: RunbookLanguageService, text: string): string[] {
  return service.analyze(text, 'file:///work/fast-path.exrunbook').allScripts.map(({ run }) => run.action.command);
}

/** Pieces a command can be cut with: the fuzz test's, and the tokens at the fast path's edges. */
const COMMAND_PIECES = [...PIECES, ',', ', ', ':', '-', '--', ' -X:', '10MB', '1.5', '-5', '0x1F', '$x.y', '$env:TEMP', '$using:Server', '${x}', '@p', '"a $b"', '"$b\\c"', '"$b:c"', '"$b.c $d[0]"', "'it''s'", '`', ';', '=', '>', '2>&1', '&', '[int]', '@(', 'a,b', '*.log', 'C:\\Logs', '<Server name>', '\u201Cx\u201D', 'Where-Object Name -eq POP', ' | ', '|', '#c'];

function mutateCommand(command: string, next: () => number): string {
  let result = command;
  for (let r = 1 + Math.floor(next() * 3); r > 0; r--) {
    const at = Math.floor(next() * (result.length + 1));
    if (next() < 0.3) result = result.slice(0, at) + result.slice(at + 1 + Math.floor(next() * 6));
    else result = result.slice(0, at) + COMMAND_PIECES[Math.floor(next() * COMMAND_PIECES.length)]! + result.slice(at);
  }
  return result;
}

/** A summary with its objects' keys in one order, so two built in different orders compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
}

/** A command as its name and elements, keys in one order: what two readings of a block are compared by. */
function shape(command: PsScript['commands'][number]): string {
  return `${command.name}(${JSON.stringify(canonical(command.elements))})`;
}

/** Tree-sitter's summary of a command, as parsePowerShell gave it before the fast path. */
function treeSitter(command: string): PsScript {
  setPowerShellFastPath(false);
  try {
    clearPowerShellCache();
    return parsePowerShell(command);
  } finally {
    setPowerShellFastPath(true);
  }
}

describe('PowerShell fast path: the same summaries as tree-sitter', () => {
  let service: RunbookLanguageService;
  const corpus = new Set<string>();
  let exampleCommands: string[] = [];

  before(async () => {
    service = await languageService();
    const seeds = [...runbooksUnder(join(ROOT, 'examples')), ...runbooksUnder(join(ROOT, 'server', 'test', 'fixtures'))];
    exampleCommands = seeds.flatMap((text) => commandsOf(service, text));
    // The fuzz test's mutants (same generator and seed) and more of them.
    const next = random(0x9e3779b9);
    const fuzzed = Array.from({ length: 400 }, (_, i) => mutate(seeds[i % seeds.length]!, next));
    // The benchmarks' runbooks: the generated POP style and the robustness shapes (their first 40,000 characters).
    const generate = (await import(pathToFileURL(join(ROOT, 'bench', 'generate.mjs')).href)) as { generate: (lines: number, seed?: number) => { text: string } };
    const robust = (await import(pathToFileURL(join(ROOT, 'bench', 'robust.mjs')).href)) as { SHAPES: { text: () => string }[] };
    const generated = [generate.generate(1000).text, generate.generate(3000, 7).text, ...robust.SHAPES.map((s) => s.text().slice(0, 40_000))];
    for (const text of [...seeds, ...fuzzed, ...generated]) for (const command of commandsOf(service, text)) corpus.add(command);
    // Pipelines joined: script blocks after filters and lists, numbered as tree-sitter numbers them.
    const tails = [' | ?{$_.HealthSetName -eq "POP"}', ' | Where-Object { $_.AlertValue -ne \'Healthy\' -and $_.Name -like "Pop*" }', ' | Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }', ' | Where-Object State -eq Active', ' | Format-List Name, State'];
    for (const operator of ['eq', 'ne', 'like', 'notlike', 'match', 'notmatch', 'ieq', 'ine', 'ilike', 'ceq', 'cne', 'clike', 'gt', 'in', 'contains', 'EQ']) {
      tails.push(` | ?{$_.Name -${operator} 'POP*'}`, ` | Where-Object { $_.State -${operator} "Up" -or $_.Name -${operator} "x" }`);
    }
    const joined = random(0x2545f491);
    for (const command of [...corpus]) corpus.add(command + tails[Math.floor(joined() * tails.length)]! + tails[Math.floor(joined() * tails.length)]!);
    // Assigned: `$r = <command>`, spelled as people write it and as the fast path must refuse it.
    const targets = ['$r = ', '$Health=', '$_ = ', '$r1  =  ', '$x =', '$null = ', '$env = ', '$r == ', '$r += ', '$r=-', '$using:r = ', '${r} = ', '$r.x = ', '$r[0] = ', '[int]$r = ', '$r = $s = ', '$r = (', '$r ='];
    const assigned = random(0x68e31da4);
    for (const command of [...corpus]) if (assigned() < 0.5) corpus.add(targets[Math.floor(assigned() * targets.length)]! + command);
    // Blocks of several lines, one command a line, as a `run` line continued: indented, with blank lines.
    // Mostly lines the fast path takes alone (so that blocks of them are taken too), some of any kind.
    const lines = [...corpus].filter((c) => !c.includes('\n'));
    const simpleLines = lines.filter((c) => parseSimplePipeline(c));
    const blocks = random(0x1b873593);
    const line = (): string => (blocks() < 0.8 ? simpleLines : lines)[Math.floor(blocks() * (blocks() < 0.8 ? simpleLines : lines).length)]!;
    for (let i = 0; i < 1500; i++) {
      const count = 1 + Math.floor(blocks() * 4);
      const indent = ['  ', '    ', '\t', ''][Math.floor(blocks() * 4)]!;
      const body = Array.from({ length: count }, () => indent + line()).join(blocks() < 0.2 ? '\n\n' : '\n');
      corpus.add(`Invoke-Command -ComputerName $Server {\n${body}\n${blocks() < 0.5 ? '' : indent}}`);
    }
    const mutations = random(0x51ed270b);
    for (const command of [...corpus]) for (let i = 0; i < 6; i++) corpus.add(mutateCommand(command, mutations));
  });
  after(() => clearPowerShellCache());

  it('gives every command it takes exactly the summary tree-sitter gives', () => {
    const differences: string[] = [];
    let taken = 0;
    let takenAssigned = 0;
    let takenBlocks = 0;
    for (const command of corpus) {
      // As parsePowerShell takes it: nothing plainText would change (typographic quotes, Unicode spaces, dashes).
      const fast = plainText(command) !== command ? undefined : parseSimplePipeline(command);
      if (!fast) continue;
      taken++;
      if (fast.assignments.length > 0) takenAssigned++;
      if (command.includes('\n')) takenBlocks++;
      try {
        assert.deepStrictEqual(fast, treeSitter(command));
      } catch {
        if (differences.length < 10) differences.push(`${JSON.stringify(command)}\n  fast:        ${JSON.stringify(fast)}\n  tree-sitter: ${JSON.stringify(treeSitter(command))}`);
      }
    }
    assert.deepEqual(differences, []);
    // Not a vacuous comparison: thousands of commands, of every kind, went through both paths.
    assert.ok(taken > 2000, `${taken} of ${corpus.size} commands took the fast path`);
    assert.ok(takenAssigned > 500, `${takenAssigned} assignments of ${taken} commands took the fast path`);
    assert.ok(takenBlocks > 150, `${takenBlocks} blocks of several lines of ${taken} commands took the fast path`);
  });

  it('skips the re-parse with list commas blanked only where tree-sitter finds errors in it anyway', () => {
    // The claim of `unclosable` (parser.ts), tested: every command it holds for, with every comma blanked,
    // has errors in tree-sitter's parse. Unclosed blocks are made from the corpus: a `{` left open after
    // a command, before one, on a line of its own, and the robustness shape's own.
    const unclosed = new Set<string>(['Invoke-Command -ComputerName $Server {\n' + '      Get-Service MSExchangePOP3 | Format-List Name, Status\n'.repeat(50)]);
    for (const command of corpus) {
      if (command.length > 400) continue;
      unclosed.add(command + ' {');
      unclosed.add('Invoke-Command -ComputerName $Server {\n  ' + command);
      unclosed.add('{ ' + command + '\n' + command);
      unclosed.add(command.replace(/\}/g, ''));
    }
    let held = 0;
    const wrong: string[] = [];
    for (const text of unclosed) {
      if (!unclosable(plainText(text))) continue;
      held++;
      const blanked = text.replace(/,/g, ' ');
      if (treeSitter(blanked).errors.length === 0 && wrong.length < 10) wrong.push(JSON.stringify(blanked));
    }
    assert.deepEqual(wrong, []);
    assert.ok(held > 2000, `${held} of ${unclosed.size}`);
  });

  it('reads a text with its list commas blanked first only where that gives what a clean reading as written gives', () => {
    // parsePowerShell tries the text with its list commas blanked before the text as written (the
    // cheaper parse for a long text of lists); where tree-sitter reads the text as written cleanly
    // too (`-TimeoutInSeconds 19,5`, `@($a, $b)`, `${a, b}`), both must give the same summary. Not
    // where a comma has a blank before it and none after: PowerShell reads `Format-Table Name ,Status`
    // as the list `Name, Status` (checked in pwsh 7.6), which is the blanked reading, where
    // tree-sitter makes `,Status` an array of its own.
    let compared = 0;
    const wrong: string[] = [];
    for (const command of corpus) {
      // Nor a comma right after a command or parameter name (`-ComputerName , $Server`): PowerShell
      // cannot parse that ("Missing argument in parameter list"), so neither reading is PowerShell's.
      // Nor a text with a string missing its end (an odd number of quotes), which PowerShell cannot parse either.
      const odd = (quote: string): boolean => command.split(quote).length % 2 === 0;
      if (!command.includes(',') || /\s,\S/.test(command) || /-\p{L}+\s*,/u.test(command) || odd('"') || odd("'") || tooDeepAt(plainText(command))) continue;
      const asWritten = parseAsWritten(command);
      if (asWritten.errors.length > 0) continue;
      compared++;
      const read = treeSitter(command);
      if (JSON.stringify(canonical(read)) !== JSON.stringify(canonical(asWritten)) && wrong.length < 10) wrong.push(`${JSON.stringify(command)}\n  read:       ${JSON.stringify(read)}\n  as written: ${JSON.stringify(asWritten)}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared > 300, `${compared} commands compared`);
  });

  it('reads the commands inside an unclosed block as the same block closed gives them, lists included, and keeps its error', () => {
    // An unclosable command is parsed once, with its list commas blanked (parser.ts `listParse`):
    // `Format-List Name, Status` inside it is one list, as in the closed block, not tree-sitter's
    // error recovery at the comma.
    let compared = 0;
    const wrong: string[] = [];
    for (const command of corpus) {
      if (!command.includes(',') || command.includes('\n')) continue;
      const open = 'Invoke-Command -ComputerName $Server {\n  ' + command;
      if (!unclosable(plainText(open))) continue;
      const closed = treeSitter(open + '\n}');
      if (closed.errors.length > 0 || closed.tooDeep) continue;
      compared++;
      const unclosed = treeSitter(open);
      // Closed, the first command is Invoke-Command holding the block: the commands inside are compared.
      const same = JSON.stringify(unclosed.commands.map(shape)) === JSON.stringify(closed.commands.slice(1).map(shape));
      if ((!same || unclosed.errors.length === 0) && wrong.length < 10) wrong.push(`${JSON.stringify(open)}\n  unclosed: ${unclosed.commands.map(shape).join('; ')} (${unclosed.errors.length} errors)\n  closed:   ${closed.commands.map(shape).join('; ')}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared > 500, `${compared} commands compared`);
  });

  it('reads a block left unclosed whose lines it takes with the error tree-sitter gives and the commands the admin wrote', () => {
    let compared = 0;
    const wrong: string[] = [];
    for (const command of corpus) {
      if (!command.includes('\n') || !command.endsWith('}') || plainText(command) !== command || !parseSimplePipeline(command)) continue;
      const open = command.slice(0, -1).trimEnd();
      if (!unclosable(open)) continue;
      compared++;
      clearPowerShellCache();
      const fast = parsePowerShell(open);
      const read = treeSitter(open);
      // tree-sitter's recovery drops the block's own command: the ones inside are compared.
      const same = JSON.stringify(fast.errors) === JSON.stringify(read.errors) && JSON.stringify(fast.commands.slice(1).map(shape)) === JSON.stringify(read.commands.map(shape));
      if (!same && wrong.length < 10) wrong.push(`${JSON.stringify(open)}\n  fast: ${JSON.stringify(fast.errors)} ${fast.commands.map(shape).join('; ')}\n  tree-sitter: ${JSON.stringify(read.errors)} ${read.commands.map(shape).join('; ')}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared > 100, `${compared} blocks compared`);
  });

  it('takes most commands of the examples and fixtures, and leaves statements, other script blocks, subexpressions and other assignments to tree-sitter', () => {
    const taken = exampleCommands.filter((c) => !c.includes('\n') && plainText(c) === c && parseSimplePipeline(c));
    // Two thirds: the precision fixtures are written in the styles that need tree-sitter on purpose.
    assert.ok(taken.length * 3 >= exampleCommands.length * 2, `${taken.length} of ${exampleCommands.length}`);
    for (const command of ['Invoke-Command -ComputerName $Server { Get-Service | Restart-Service -Force:$true; Get-Date }', 'Get-ServerHealth $Server | ?{ $_.Name -in "A", "B" }', 'Write-Host "Server $using:Server"', 'Write-Host "$($Server.Name)"', 'Get-Date; Get-Date', 'Get-X (Get-Date)', 'Get-X $s.Name', 'Get-X 10MB', 'Get-X -Identity <Server name>', '$r += Get-Date', '$r.Name = Get-Date', '$r = $Server', '$r = 5', '$r = $s = Get-Date']) {
      assert.equal(parseSimplePipeline(command), undefined, command);
    }
  });

  it('reads the common shape: parameters, colon values, lists, strings, numbers, pipelines', () => {
    const script = parseSimplePipeline("Get-ServerHealth -Identity $Server -HealthSet POP | Where-Object AlertValue -eq 'Unhealthy' | Format-Table Name, AlertValue -AutoSize:$true 10 1.5")!;
    assert.deepEqual(script.commands.map((c) => c.name), ['Get-ServerHealth', 'Where-Object', 'Format-Table']);
    assert.deepEqual(script.pipelines, [[0, 1, 2]]);
    assert.deepEqual(script.comparisons.map((c) => [c.property, c.operator, c.value, c.command]), [['AlertValue', '-eq', 'Unhealthy', 1]]);
    const table = script.commands[2]!.elements.map((e) => (e.kind === 'parameter' ? `-${e.name}` : `${e.argument.kind}:${e.argument.text}`));
    assert.deepEqual(table, ['expression:Name, AlertValue', '-AutoSize', 'variable:$true', 'number:10', 'number:1.5']);
    assert.deepEqual(script.variables.map((v) => v.name), ['Server', 'true']);
  });

  it('reads a pipeline assigned to a variable: the assignment, its pipeline, the variable assigned', () => {
    const script = parseSimplePipeline('$r = Get-ServerHealth -Identity $Server | Where-Object AlertValue -eq Unhealthy')!;
    assert.deepEqual(script.assignments, [{ variable: 'r', range: { start: 0, end: 2 }, pipeline: [0, 1] }]);
    assert.deepEqual(script.pipelines, [[], [0, 1]]);
    assert.deepEqual(script.variables.map((v) => [v.name, v.assigned]), [['r', true], ['r', false], ['Server', false]]);
  });
});

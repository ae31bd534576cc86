// The PowerShell summaries built from tree-sitter-powershell: commands, parameters, arguments,
// nesting, variables and comparisons, with UTF-16 offsets.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseRunbook } from '../src/language/parser';
import { RunScript } from '../src/analysis/model';
import { initPowerShellParser, parsePowerShell } from '../src/powershell/parser';

describe('PowerShell parsing', () => {
  before(() => initPowerShellParser());

  it('reads a pipeline of commands with parameters and positional arguments', () => {
    const text = 'Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List';
    const script = parsePowerShell(text);
    assert.deepEqual(script.commands.map((c) => c.name), ['Invoke-MonitoringProbe', 'Format-List']);
    assert.deepEqual(script.pipelines, [[0, 1]]);
    const [identity, server, value] = script.commands[0]!.elements;
    assert.ok(identity?.kind === 'argument' && identity.argument.kind === 'bareword' && identity.argument.value === 'POP\\PopCTPProbe');
    assert.ok(server?.kind === 'parameter' && server.name === 'Server');
    assert.ok(value?.kind === 'argument' && value.argument.kind === 'variable');
    assert.equal(text.slice(server.range.start, server.range.end), '-Server');
    assert.deepEqual(script.errors, []);
  });

  it('finds commands inside script blocks and knows which command holds them', () => {
    const script = parsePowerShell('Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 -Force }');
    const inner = script.commands.find((c) => c.name === 'Restart-Service')!;
    assert.equal(script.commands[inner.parent!]!.name, 'Invoke-Command');
    assert.deepEqual(script.pipelines.length, 1);
  });

  it('reads string values without quotes, and comparisons inside filters', () => {
    const text = 'Get-ServerHealth $Server | ?{$_.HealthSetName -eq "POPP"}';
    const script = parsePowerShell(text);
    assert.equal(script.comparisons.length, 1);
    const comparison = script.comparisons[0]!;
    assert.equal(comparison.property, 'HealthSetName');
    assert.equal(comparison.operator, '-eq');
    assert.equal(comparison.value, 'POPP');
    assert.equal(text.slice(comparison.valueRange.start, comparison.valueRange.end), 'POPP');
  });

  it('reads the simplified Where-Object syntax as a comparison', () => {
    const script = parsePowerShell("Get-ServerHealth EX1 | Where-Object HealthSetName -like 'POP*'");
    assert.deepEqual(script.comparisons.map((c) => [c.property, c.operator, c.value]), [['HealthSetName', '-like', 'POP*']]);
  });

  it('tells assigned variables from used ones and ignores environment variables', () => {
    const script = parsePowerShell('$log = (Get-PopSettings -Server $Server).LogFileLocation; Get-ChildItem $log $env:TEMP');
    const byName = new Map(script.variables.map((v) => [v.name, v.assigned]));
    assert.equal(byName.has('log'), true);
    assert.ok(script.variables.some((v) => v.name === 'log' && v.assigned));
    assert.ok(script.variables.some((v) => v.name === 'Server' && !v.assigned));
    assert.ok(!script.variables.some((v) => /temp/i.test(v.name)));
  });

  it('uses UTF-16 offsets so ranges line up with the editor after Chinese text', () => {
    const text = 'Write-Host "运行状况" -ForegroundColor Red';
    const script = parsePowerShell(text);
    const parameter = script.commands[0]!.elements.find((e) => e.kind === 'parameter')!;
    assert.equal(text.slice(parameter.range.start, parameter.range.end), '-ForegroundColor');
  });

  it('reads bareword lists, which tree-sitter-powershell lacks, as one argument without errors', () => {
    const text = 'Invoke-Command -ComputerName $Cas, $Mailbox { Get-Service MSExchangePOP3, MSExchangeIMAP4 } | Format-Table Name, Status';
    const script = parsePowerShell(text);
    assert.deepEqual(script.errors, []);
    const invoke = script.commands[0]!;
    const list = invoke.elements[1]!;
    assert.ok(list.kind === 'argument' && list.argument.text === '$Cas, $Mailbox');
    assert.deepEqual(script.variables.map((v) => v.name), ['Cas', 'Mailbox']);
    const table = script.commands.find((c) => c.name === 'Format-Table')!;
    assert.ok(table.elements[0]?.kind === 'argument' && table.elements[0].argument.text === 'Name, Status');
  });

  it('reads a bareword list next to an array in parentheses, whose commas are an expression', () => {
    const script = parsePowerShell('@($Server, $Cas) | ForEach-Object { Get-Service -ComputerName $_ -Name MSExchangePOP3* | Select-Object MachineName, Name, Status }');
    assert.deepEqual(script.errors, []);
    const select = script.commands.find((c) => c.name === 'Select-Object')!;
    assert.ok(select.elements[0]?.kind === 'argument' && select.elements[0].argument.text === 'MachineName, Name, Status');
    assert.deepEqual(script.variables.map((v) => v.name).sort(), ['Cas', 'Server', '_']);
    // A list inside a command in parentheses still reads (every comma blanked, as before).
    assert.deepEqual(parsePowerShell('(Get-Service MSExchangePOP3, MSExchangePOP3BE) | Format-Table Name, Status').errors, []);
  });

  it('reports where the command cannot be parsed', () => {
    const script = parsePowerShell('Get-ServerHealth -Identity (');
    assert.ok(script.errors.length > 0);
  });

  it('records assignments, with the pipeline assigned and a hashtable\'s entries for splatting', () => {
    const text = '$r = Invoke-MonitoringProbe POP\\PopCTPProbe -Server $S; $p = @{ Identity = $S; "DatabaseCopyActivationDisabledAndMoveNow" = $true }; Set-MailboxServer @p';
    const script = parsePowerShell(text);
    const [probe, hashtable] = script.assignments;
    assert.equal(probe?.variable, 'r');
    assert.deepEqual(probe?.pipeline.map((i) => script.commands[i]!.name), ['Invoke-MonitoringProbe']);
    assert.deepEqual(hashtable?.hashtable?.map((e) => [e.key, e.value?.text]), [['Identity', '$S'], ['DatabaseCopyActivationDisabledAndMoveNow', '$true']]);
    const key = hashtable!.hashtable![1]!.keyRange;
    assert.equal(text.slice(key.start, key.end), 'DatabaseCopyActivationDisabledAndMoveNow');
  });

  it('counts a value at the head of a pipeline as its first place', () => {
    const script = parsePowerShell("$r | Format-List; 'MSExchangePOP3', 'MSExchangePOP3BE' | ForEach-Object { Get-Service $_ }");
    const [list, each] = [script.commands.find((c) => c.name === 'Format-List')!, script.commands.find((c) => c.name === 'ForEach-Object')!];
    assert.equal(list.position, 1);
    assert.equal(each.position, 1);
    assert.deepEqual(script.heads.map((h) => h.variable), ['r', undefined]);
  });

  it('reads the commands of `& { ... }` as held by the call', () => {
    const script = parsePowerShell('& { Get-ServerHealth $S } | Format-Table');
    const inner = script.commands.find((c) => c.name === 'Get-ServerHealth')!;
    assert.equal(script.commands[inner.parent!]!.name, '&');
  });

  it('reads typographic quotes as PowerShell does, keeping offsets', () => {
    const text = 'Get-ServerHealth $S | ?{$_.AlertValue -eq “Unhealthy”}';
    const script = parsePowerShell(text);
    assert.deepEqual(script.errors, []);
    const comparison = script.comparisons[0]!;
    assert.equal(comparison.value, 'Unhealthy');
    assert.equal(text.slice(comparison.valueRange.start, comparison.valueRange.end), 'Unhealthy');
  });

  it('keeps a documentation placeholder with spaces as one argument', () => {
    const script = parsePowerShell('Set-PopSettings -Server <CAS server name> -ProtocolLogEnabled $true');
    const values = script.commands[0]!.elements.flatMap((e) => (e.kind === 'argument' ? [e.argument.text] : []));
    assert.deepEqual(values, ['<CAS server name>', '$true']);
  });

  it('lists every value compared with -in', () => {
    const script = parsePowerShell('Get-ServerHealth $S | ?{$_.Name -in "PopCTPMonitor", "PopDeepTestMonitor"}');
    assert.deepEqual(script.comparisons[0]!.values?.map((v) => v.value), ['PopCTPMonitor', 'PopDeepTestMonitor']);
  });
});

describe('positions in a command of many lines', () => {
  it('maps every offset of the command to the line and column where it is written', async () => {
    await initPowerShellParser();
    // A remote block of 300 lines at varying indents, as a command left open would be.
    let text = 'runbook r "R"\n  healthset POP\n\nprocedure p "P"\n  step a "A"\n    run Invoke-Command -ComputerName EX01 {\n';
    for (let i = 0; i < 300; i++) text += `${' '.repeat(6 + (i % 3))}Get-Service MSExchangePOP${i} | Format-List Name, Status\n`;
    text += '    }\n';
    const action = parseRunbook(text).procedures[0]!.steps[0]!.actions[0]!;
    assert.equal(action.kind, 'run');
    if (action.kind !== 'run') return;
    const run = new RunScript(action, parsePowerShell(action.command));
    const lines = text.split('\n');
    for (let offset = 0; offset < action.command.length; offset += 7) {
      const { line, character } = run.toPosition(offset);
      // The character at the position is the command's character at the offset (line breaks aside).
      if (action.command[offset] !== '\n') assert.equal(lines[line]![character], action.command[offset], `offset ${offset}`);
    }
    const last = run.toPosition(action.command.length);
    assert.deepEqual(last, { line: lines.length - 2, character: 5 });
  });
});

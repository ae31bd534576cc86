// The tolerant parser: every construct, exact ranges, and recovery after errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunbook } from '../src/language/parser';

const RUNBOOK = `# comment
runbook pop "Troubleshooting the POP health set"
  healthset POP, POP.Proxy
  param $Server: server "Server named in the alert" = "EX-CAS01"
  source "https://learn.microsoft.com/exchange/troubleshooting-pop-health-set"

procedure verify "Verify the issue still exists"
  step rerun "Re-run the associated probe"
    run Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "Transient failure"
    otherwise -> recover-ctp

procedure recover-ctp "PopCTPMonitor recovery" for monitor PopCTPMonitor
  step restart "Restart POP3 on the Client Access server" confirm
    run Invoke-Command -ComputerName $Server {
      Restart-Service MSExchangePOP3
    }
  step again = verify.rerun "Re-run the probe"
    when ResultType is Succeeded -> resolved
  step wait "Wait for the monitor"
    wait 10 minutes
    manual "Check the protocol log"
    ask "Is the Mailbox server healthy?"
    when answer is yes -> escalate "Hand over the log"
    when $Server is mailbox -> verify.rerun
    when no Status is Mounted, Dismounted -> again
  step esc "Escalate"
    escalate "Contact Microsoft Support"
`;

describe('parser', () => {
  it('reads the header: id, title, health sets, parameters, sources', () => {
    const runbook = parseRunbook(RUNBOOK);
    assert.deepEqual(runbook.errors, []);
    assert.equal(runbook.id?.text, 'pop');
    assert.equal(runbook.title?.value, 'Troubleshooting the POP health set');
    assert.deepEqual(runbook.healthSets.map((h) => h.text), ['POP', 'POP.Proxy']);
    const param = runbook.params[0]!;
    assert.equal(param.name.text, 'Server');
    assert.deepEqual(param.name.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 15 } });
    assert.equal(param.kind?.text, 'server');
    assert.equal(param.defaultValue?.value, 'EX-CAS01');
    assert.equal(runbook.sources.length, 1);
    assert.equal(runbook.comments.length, 1);
  });

  it('reads procedures, monitors, steps, confirm and reuse', () => {
    const runbook = parseRunbook(RUNBOOK);
    assert.deepEqual(runbook.procedures.map((p) => p.id?.text), ['verify', 'recover-ctp']);
    const recover = runbook.procedures[1]!;
    assert.deepEqual(recover.monitors.map((m) => m.text), ['PopCTPMonitor']);
    assert.deepEqual(recover.steps.map((s) => s.id?.text), ['restart', 'again', 'wait', 'esc']);
    assert.ok(recover.steps[0]!.confirm);
    const again = recover.steps[1]!;
    assert.equal(again.reuse?.procedure?.text, 'verify');
    assert.equal(again.reuse?.step.text, 'rerun');
    assert.equal(again.title?.value, 'Re-run the probe');
  });

  it('joins PowerShell continuation lines while a brace is open', () => {
    const runbook = parseRunbook(RUNBOOK);
    const run = runbook.procedures[1]!.steps[0]!.actions[0]!;
    assert.equal(run.kind, 'run');
    if (run.kind !== 'run') return;
    assert.equal(run.command, 'Invoke-Command -ComputerName $Server {\n      Restart-Service MSExchangePOP3\n    }');
    assert.equal(run.segments.length, 3);
    assert.equal(run.range.end.line, 16);
  });

  it('reads a here-string to its end line, whose indentation comes off each of its lines', () => {
    const text = 'runbook r "R"\nprocedure p "P"\n  step s "S"\n    run $note = @"\n      Server: $Server\n        (indented more)\n      "@\n    run $note | Out-File note.txt\n';
    const runbook = parseRunbook(text);
    const [first, second] = runbook.procedures[0]!.steps[0]!.actions;
    assert.ok(first?.kind === 'run' && second?.kind === 'run');
    // As PowerShell needs it: the end line "@ at the start of its line.
    assert.equal(first.command, '$note = @"\nServer: $Server\n  (indented more)\n"@');
    assert.deepEqual(first.segments.map((s) => [s.line, s.character]), [[3, 8], [4, 6], [5, 6], [6, 6]]);
    assert.equal(second.command, '$note | Out-File note.txt');
    // Quotes, braces and keywords inside a here-string are its text; a single-quoted one too.
    const quoted = parseRunbook("runbook r \"R\"\nprocedure p \"P\"\n  step s \"S\"\n    run Write-Host @'\n      it's { not a block\n      step x \"X\"\n      '@\n    run Get-Date\n");
    const actions = quoted.procedures[0]!.steps[0]!.actions;
    assert.equal(actions.length, 2);
    assert.ok(actions[0]?.kind === 'run' && actions[0].command === "Write-Host @'\nit's { not a block\nstep x \"X\"\n'@");
  });

  it('reads a comment after a line\'s content, and a keyword in another case as the keyword', () => {
    const text = 'runbook r "R"  # the POP runbook\n  healthset POP.Proxy # proxy\nprocedure p "P # not a comment" for monitor PopProxyTestMonitor # main\n  Step s "S" confirm # restart\n    Run Get-Date # PowerShell\'s comment\n    When answer is yes -> resolved "done" # ok\n';
    const runbook = parseRunbook(text);
    assert.deepEqual(runbook.errors.map((e) => [e.code, e.range.start.line, e.replacement]), [['keyword-case', 3, 'step'], ['keyword-case', 4, 'run'], ['keyword-case', 5, 'when']]);
    assert.equal(runbook.procedures[0]!.title?.value, 'P # not a comment');
    const step = runbook.procedures[0]!.steps[0]!;
    assert.ok(step.confirm);
    const run = step.actions[0]!;
    assert.ok(run.kind === 'run' && run.command === "Get-Date # PowerShell's comment");
    assert.equal(step.branches.length, 1);
  });

  it('reads the language\'s words in another case as the words, with a warning each', () => {
    const text = 'runbook r "R"\n  param $Server: Server "s"\nprocedure p "P" For Monitor PopCTPMonitor\n  step a "A" Confirm\n    ask "?"\n    when Answer Is Yes -> Resolved "ok"\n    when All AlertValue is Not Healthy -> Escalate\n    when $Server is Mailbox -> resolved\n';
    const runbook = parseRunbook(text);
    assert.deepEqual(runbook.errors.map((e) => e.replacement), ['server', 'for', 'monitor', 'confirm', 'answer', 'is', 'yes', 'resolved', 'all', 'not', 'escalate', 'mailbox']);
    assert.ok(runbook.errors.every((e) => e.code === 'keyword-case'));
    assert.equal(runbook.params[0]?.kind?.text, 'server');
    const step = runbook.procedures[0]!.steps[0]!;
    assert.ok(step.confirm);
    assert.deepEqual(runbook.procedures[0]!.monitors.map((m) => m.text), ['PopCTPMonitor']);
    assert.deepEqual(step.branches.map((b) => (b.kind === 'when' ? b.condition?.kind : b.kind)), ['answer', 'property', 'role']);
  });

  it('reads full-width punctuation typed by an input method as the ASCII one, and says so', () => {
    const text = 'runbook r "R"\n  healthset POP\uFF0CPOP.Protocol\n  param $Server\uFF1Amailbox "m"\nprocedure p "P" for monitor PopSelfTestMonitor\u3001PopDeepTestMonitor\n  step a "A"\n    ask "?"\n    when answer is yes \uFF0D> resolved\n  step b \uFF1D p.a "B"\n';
    const runbook = parseRunbook(text);
    assert.deepEqual(runbook.errors.map((e) => [e.code, e.range.start.line, e.replacement]), [['full-width', 1, ','], ['full-width', 2, ':'], ['full-width', 3, ','], ['full-width', 6, '->'], ['full-width', 7, '=']]);
    assert.deepEqual(runbook.healthSets.map((h) => h.text), ['POP', 'POP.Protocol']);
    assert.equal(runbook.params[0]?.kind?.text, 'mailbox');
    assert.deepEqual(runbook.procedures[0]!.monitors.map((m) => m.text), ['PopSelfTestMonitor', 'PopDeepTestMonitor']);
    assert.equal(runbook.procedures[0]!.steps[1]!.reuse?.step.text, 'a');
  });

  it('reads actions and every kind of branch', () => {
    const runbook = parseRunbook(RUNBOOK);
    const step = runbook.procedures[1]!.steps[2]!;
    assert.deepEqual(step.actions.map((a) => a.kind), ['wait', 'manual', 'ask']);
    const wait = step.actions[0]!;
    assert.ok(wait.kind === 'wait' && wait.amount?.value === 10 && wait.unit?.text === 'minutes');
    const [answer, role, copies] = step.branches;
    assert.ok(answer?.condition?.kind === 'answer' && answer.condition.value?.text === 'yes');
    assert.ok(answer.target?.kind === 'escalate' && answer.target.reason?.value === 'Hand over the log');
    assert.ok(role?.condition?.kind === 'role' && role.condition.param.text === 'Server' && role.condition.role?.text === 'mailbox');
    assert.ok(copies?.condition?.kind === 'property');
    assert.equal(copies.condition.quantifier?.text, 'no');
    assert.deepEqual(copies.condition.values.map((v) => v.text), ['Mounted', 'Dismounted']);
    const first = runbook.procedures[0]!.steps[0]!;
    assert.equal(first.branches[1]?.kind, 'otherwise');
    assert.ok(first.branches[1]?.target?.kind === 'step' && first.branches[1].target.reference.step.text === 'recover-ctp');
  });

  it('keeps Chinese and Japanese titles with exact ranges', () => {
    const runbook = parseRunbook('runbook pop "解决 POP 运行状况设置的问题"\nprocedure verify "問題がまだ存在することを確認する"\n');
    assert.equal(runbook.title?.value, '解决 POP 运行状况设置的问题');
    assert.equal(runbook.procedures[0]!.title?.value, '問題がまだ存在することを確認する');
    assert.equal(runbook.title?.range.end.character, 'runbook pop "解决 POP 运行状况设置的问题"'.length);
  });

  it('reports an error with its range and keeps parsing the lines after it', () => {
    const text = ['runbook pop "POP"', 'procedure verify "Verify"', '  stpe rerun "Re-run"', '  step rerun "Re-run"', '    when ResultType Succeeded -> resolved', '    run Get-ServerHealth $Server', '  step next "unterminated', '    otherwise ->'].join('\n');
    const runbook = parseRunbook(text);
    const messages = runbook.errors.map((e) => `${e.range.start.line}:${e.range.start.character} ${e.message}`);
    assert.equal(runbook.errors[0]!.range.start.line, 2);
    assert.match(messages[0]!, /^2:2 Unknown line/);
    assert.ok(runbook.errors.some((e) => e.range.start.line === 4 && e.args.some((a) => typeof a === 'object' && a.fragment === 'is and a value')));
    assert.ok(runbook.errors.some((e) => e.range.start.line === 6 && /closing double quote/.test(e.message)));
    assert.ok(runbook.errors.some((e) => e.range.start.line === 7));
    // Recovery: the step after the bad line is there with its run.
    const steps = runbook.procedures[0]!.steps;
    assert.deepEqual(steps.map((s) => s.id?.text), ['rerun', 'next']);
    assert.equal(steps[0]!.actions[0]!.kind, 'run');
  });

  it('says where a misplaced line belongs', () => {
    const runbook = parseRunbook('runbook pop "POP"\n  run Get-ServerHealth\nprocedure p "P"\n  healthset POP\n');
    assert.deepEqual(runbook.errors.map((e) => e.code), ['misplaced', 'misplaced']);
    assert.match(runbook.errors[0]!.message, /inside a step/);
    assert.match(runbook.errors[1]!.message, /runbook header/);
  });

  it('ends a command with an unclosed brace at the next keyword line instead of swallowing the runbook', () => {
    const runbook = parseRunbook('runbook pop "POP"\nprocedure p "P"\n  step a "A"\n    run Invoke-Command { Restart-Service MSExchangePOP3\n  step b "B"\n    run Get-ServerHealth\n');
    assert.deepEqual(runbook.procedures[0]!.steps.map((s) => s.id?.text), ['a', 'b']);
  });
});

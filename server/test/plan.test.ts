// The runbook plan built from the example runbooks: what the step runner and the rehearsal walk.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildRunbookPlan, captureSplit } from '../src/analysis/plan';
import type { RunbookLanguageService } from '../src/languageService';
import { parsePowerShell } from '../src/powershell/parser';
import type { RunbookPlan, StepPlan } from '../src/protocol';
import { decide } from '../src/runtime/engine';
import { findStep } from '../src/runtime/plan';
import { languageService } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

let service: RunbookLanguageService;
const plans = new Map<string, RunbookPlan>();
function plan(file: string): RunbookPlan {
  let p = plans.get(file);
  if (!p) plans.set(file, (p = buildRunbookPlan(service.analyze(readFileSync(join(EXAMPLES, file), 'utf8')), `file:///examples/${file}`)));
  return p;
}
function stepOf(file: string, name: string): StepPlan {
  const [procedure, step] = name.split('.') as [string, string];
  const found = findStep(plan(file), { procedure, step });
  assert.ok(found, name);
  return found;
}

describe('runbook plan', () => {
  before(async () => {
    service = await languageService();
  });

  it('describes the runbook: header, parameters, procedures with their monitors and lines', () => {
    const pop = plan('pop.exrunbook');
    assert.equal(pop.runbook, 'pop');
    assert.deepEqual(pop.healthSets, ['POP']);
    assert.deepEqual(pop.parameters.map((p) => `${p.name}:${p.kind}`), ['Server:server', 'MailboxServer:mailbox']);
    assert.deepEqual(pop.procedures.map((p) => p.id), ['verify', 'recover-ctp', 'recover-slow-commands']);
    assert.deepEqual(pop.procedures[1]!.monitors, ['PopCTPMonitor']);
    const lines = readFileSync(join(EXAMPLES, 'pop.exrunbook'), 'utf8').split('\n');
    assert.match(lines[pop.procedures[1]!.line]!, /^procedure recover-ctp/);
    assert.match(lines[stepOf('pop.exrunbook', 'recover-ctp.rerun').line]!, /step rerun = verify\.rerun/);
  });

  it('a reusing step runs the reused step\'s probe but keeps its own branches', () => {
    const rerun = stepOf('pop.exrunbook', 'recover-ctp.rerun');
    assert.equal(rerun.reuses, 'verify.rerun');
    assert.equal(rerun.title, 'Re-run the probe');
    assert.deepEqual(rerun.actions, [
      {
        kind: 'run',
        command: 'Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List',
        capture: { pipeline: 'Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server', display: 'Format-List' },
        properties: ['ResultType'],
      },
    ]);
    assert.deepEqual(rerun.branches.map((b) => b.target), [{ kind: 'resolved', reason: 'Restarting the POP3 service fixed it' }]);
    // A reuse without branches of its own carries no capture: nothing reads its output.
    const logged = stepOf('pop.exrunbook', 'recover-ctp.rerun-logged');
    assert.deepEqual(logged.actions.map((a) => a.kind === 'run' && a.capture !== undefined), [false]);
    assert.deepEqual(logged.branches, []);
  });

  it('resolves targets: a procedure means its first step, a step of the same procedure, proc.step', () => {
    assert.deepEqual(stepOf('pop.exrunbook', 'verify.rerun').branches[1]!.target, { kind: 'step', procedure: 'recover-ctp', step: 'restart-pop3' });
    assert.deepEqual(stepOf('pop.exrunbook', 'verify.health').branches[0]!.target, { kind: 'step', procedure: 'verify', step: 'rerun' });
    assert.deepEqual(stepOf('pop.exrunbook', 'recover-ctp.both-roles-restart-pop3').branches[0]!.target, {
      kind: 'step',
      procedure: 'recover-slow-commands',
      step: 'fail-over',
    });
  });

  it('conditions as data: quantifiers, negation, answers, roles and the parameters they use', () => {
    const check = stepOf('pop.exrunbook', 'recover-slow-commands.check');
    assert.deepEqual(check.actions[0], { kind: 'wait', seconds: 600 });
    assert.deepEqual(check.branches.map((b) => b.condition), [
      { kind: 'property', quantifier: 'all', property: 'AlertValue', negated: false, values: ['Healthy'] },
      { kind: 'role', parameter: 'Server', role: 'mailbox' },
    ]);
    assert.deepEqual(check.parameters, ['Server']);
    assert.deepEqual(stepOf('pop.exrunbook', 'recover-ctp.mailbox-health').parameters, ['Server', 'MailboxServer']);
    assert.deepEqual(stepOf('pop-protocol.exrunbook', 'verify.rerun-deep').branches[0]!.condition, {
      kind: 'property',
      quantifier: 'any',
      property: 'ResultType',
      negated: true,
      values: ['Succeeded'],
    });
    const moving = stepOf('pop-protocol.exrunbook', 'recover.copies-moving');
    assert.deepEqual(moving.actions, [{ kind: 'ask', question: 'Wait two minutes and check the copies again?' }]);
    assert.deepEqual(moving.branches[0]!.condition, { kind: 'answer', value: 'no' });
  });

  it('captures Group-Object output whole: the conditions test its Name', () => {
    const copies = stepOf('pop-protocol.exrunbook', 'recover.no-active-copies');
    assert.deepEqual(copies.actions, [
      {
        kind: 'run',
        command: 'Get-MailboxDatabaseCopyStatus -Server $Server | Group-Object Status',
        capture: { pipeline: 'Get-MailboxDatabaseCopyStatus -Server $Server | Group-Object Status' },
        properties: ['Name'],
      },
    ]);
    const p = plan('pop-protocol.exrunbook');
    const moved = decide(p, { procedure: 'recover', step: 'no-active-copies' }, { objects: [{ Name: 'Healthy' }] });
    assert.deepEqual(moved, { kind: 'decided', branch: { index: 0, line: copies.branches[0]!.line }, next: { kind: 'step', procedure: 'recover', step: 'restart-server' } });
  });

  it('splits only trailing Format-*/Out-* commands of the last pipeline, by the PowerShell parse', () => {
    const split = (command: string) => captureSplit(command, parsePowerShell(command));
    assert.deepEqual(split('Get-ServerHealth -Identity $Server | ?{$_.AlertValue -ne "Healthy"} | Format-Table Name, AlertValue -AutoSize | Out-String -Width 200'), {
      pipeline: 'Get-ServerHealth -Identity $Server | ?{$_.AlertValue -ne "Healthy"}',
      display: 'Format-Table Name, AlertValue -AutoSize | Out-String -Width 200',
    });
    assert.deepEqual(split('Get-ServerHealth $Server |\n  Where-Object { $_.Name -like "Pop*" } |\n  fl Name, AlertValue'), {
      pipeline: 'Get-ServerHealth $Server |\n  Where-Object { $_.Name -like "Pop*" }',
      display: 'fl Name, AlertValue',
    });
    // A `|` inside a string or a script block is no pipe; a Format-List inside Invoke-Command's block stays there.
    assert.deepEqual(split('Invoke-Command -ComputerName $Server { Get-Service "a|b" | Format-List }'), {
      pipeline: 'Invoke-Command -ComputerName $Server { Get-Service "a|b" | Format-List }',
    });
    assert.deepEqual(split('Get-PopSettings -Server $Server'), { pipeline: 'Get-PopSettings -Server $Server' });
    // An expression writes the objects: still split before the display commands.
    assert.deepEqual(split('$copies | Sort-Object Name | Format-Table'), { pipeline: '$copies | Sort-Object Name', display: 'Format-Table' });
    assert.deepEqual(split('@($a, $b) | Format-List'), { pipeline: '@($a, $b)', display: 'Format-List' });
    // Only formatting: nothing to capture without it, so the command is kept whole.
    assert.deepEqual(split('Format-List'), { pipeline: 'Format-List' });
  });

  it('every step of every example is in the plan, with an action unless the runbook says otherwise', () => {
    for (const file of ['pop.exrunbook', 'pop-protocol.exrunbook', 'pop-proxy.exrunbook']) {
      const model = service.analyze(readFileSync(join(EXAMPLES, file), 'utf8'));
      const steps = plan(file).procedures.flatMap((p) => p.steps);
      assert.equal(steps.length, model.nodes.length, file);
      for (const s of steps) assert.ok(s.actions.length > 0, `${file} ${s.procedure}.${s.id}`);
    }
  });
});

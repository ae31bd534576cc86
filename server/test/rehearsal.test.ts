// The rehearsal walk over a scripted host: parameters bound from the scenario, asks answered or
// stopping the run, waits on the clock, loops stopped. The real CLI against pwsh is rehearse.test.ts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildRunbookPlan } from '../src/analysis/plan';
import { bindParameters, type CommandResult, rehearse, type RehearsalHost } from '../src/cli/rehearsal';
import type { RunbookPlan } from '../src/protocol';
import { languageService, runbook } from './helpers';

/** Answers each command by the first pattern it matches; records what ran and the clock. */
class ScriptedHost implements RehearsalHost {
  readonly ran: { command: string; bindings: Record<string, string> }[] = [];
  clock = 0;
  constructor(
    private readonly answers: [RegExp, Record<string, unknown>[]][],
    private readonly roles: Record<string, ('mailbox' | 'cas')[]> = {},
  ) {}
  async run(command: string, bindings: Readonly<Record<string, string>>, capture?: { pipeline: string }): Promise<CommandResult> {
    this.ran.push({ command, bindings: { ...bindings } });
    const objects = this.answers.find(([pattern]) => pattern.test(command))?.[1] ?? [];
    const result: CommandResult = { ok: true, text: '', errors: [] };
    if (capture) result.objects = objects;
    return result;
  }
  async advanceClock(seconds: number): Promise<void> {
    this.clock += seconds;
  }
  async rolesOf(server: string): Promise<('mailbox' | 'cas')[]> {
    return this.roles[server] ?? [];
  }
}

const TEXT = runbook(
  `procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "transient"
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitor
  step restart "Restart POP3" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }
  step settle "Let the monitor settle"
    wait 5 minutes
    manual "Look at the event log"
  step again = verify.rerun
    when ResultType is Succeeded -> resolved "restart fixed it"
  step more "Try once more?"
    ask "Restart again?"
    when answer is yes -> restart
    otherwise -> escalate "call support"
`,
  '  healthset POP.Proxy\n  param $Server: cas "Client Access server"\n  param $Mailbox: mailbox "Mailbox server"',
);

let plan: RunbookPlan;

describe('rehearsal walk', () => {
  before(async () => {
    const service = await languageService();
    plan = buildRunbookPlan(service.analyze(TEXT), 'file:///t.exrunbook');
  });

  it('binds the alert server to the first server parameter and the Mailbox server to mailbox ones; --param wins', () => {
    assert.deepEqual(bindParameters(plan.parameters, {}, { server: 'EX-CAS01', mailboxServer: 'EX-MBX01' }), { Server: 'EX-CAS01', Mailbox: 'EX-MBX01' });
    assert.deepEqual(bindParameters(plan.parameters, { server: 'EX-CAS02' }, { server: 'EX-CAS01' }), { Server: 'EX-CAS02' });
    assert.deepEqual(bindParameters([{ name: 'Set', kind: 'healthset', description: '', defaultValue: 'POP' }], {}, { server: 'X' }), { Set: 'POP' });
  });

  it('follows the branches to resolved, running each command once with the values bound as data', async () => {
    let probes = 0;
    const host = new ScriptedHost([]);
    host.run = async function (command, bindings, capture) {
      this.ran.push({ command, bindings: { ...bindings } });
      // The probe fails before the restart and succeeds after it.
      if (/Invoke-MonitoringProbe/.test(command)) probes++;
      const result: CommandResult = { ok: true, text: '', errors: [] };
      if (capture) result.objects = [{ ResultType: probes === 1 ? 'Failed' : 'Succeeded' }];
      return result;
    };
    const result = await rehearse(plan, host, { bindings: { Server: 'EX-CAS01' }, answers: {} });
    assert.deepEqual(result.outcome, { kind: 'resolved', reason: 'restart fixed it' });
    assert.deepEqual(result.path.map((s) => `${s.step} -> ${s.next}`), ['verify.rerun -> recover.restart', 'recover.restart -> recover.settle', 'recover.settle -> recover.again', 'recover.again -> resolved']);
    assert.deepEqual(result.path.map((s) => s.branch), ['otherwise', undefined, undefined, 'ResultType is Succeeded']);
    assert.equal(host.clock, 300);
    assert.deepEqual(result.path[2]!.actions, ['wait 5 minutes (simulated clock)', 'manual "Look at the event log" (done)']);
    assert.equal(host.ran.length, 3);
    assert.deepEqual(host.ran[1], { command: 'Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }', bindings: { Server: 'EX-CAS01' } });
  });

  it('an ask is answered from --answer; without an answer the run stops and names the step', async () => {
    const failing = () => new ScriptedHost([[/Invoke-MonitoringProbe/, [{ ResultType: 4 }]]]);
    const unanswered = await rehearse(plan, failing(), { bindings: { Server: 'EX-CAS01' }, answers: {} });
    assert.deepEqual(unanswered.outcome, { kind: 'unanswered', step: 'recover.more', question: 'Restart again?' });
    const no = await rehearse(plan, failing(), { bindings: { Server: 'EX-CAS01' }, answers: { more: 'no' } });
    assert.deepEqual(no.outcome, { kind: 'escalate', reason: 'call support' });
  });

  it('stops a run that keeps going round (answer yes to a restart that never helps)', async () => {
    const result = await rehearse(plan, new ScriptedHost([[/Invoke-MonitoringProbe/, [{ ResultType: 'Failed' }]]]), {
      bindings: { Server: 'EX-CAS01' },
      answers: { 'recover.more': 'yes' },
    });
    assert.equal(result.outcome.kind, 'loop');
    assert.ok(result.outcome.kind === 'loop' && result.outcome.steps.some((s) => s.step === 'recover.restart'));
  });

  it('a parameter with no value stops the run at the step that needs it, with its name', async () => {
    const result = await rehearse(plan, new ScriptedHost([]), { bindings: {}, answers: {} });
    assert.deepEqual(result.outcome, { kind: 'missing-parameter', parameter: 'Server', step: 'verify.rerun' });
    assert.deepEqual(result.path, []);
  });

  it('starts at --procedure; a procedure that does not exist is said so', async () => {
    const host = new ScriptedHost([[/Invoke-MonitoringProbe/, [{ ResultType: 'Succeeded' }]]]);
    const result = await rehearse(plan, host, { bindings: { Server: 'EX-CAS01' }, answers: {}, procedure: 'recover' });
    assert.equal(result.path[0]!.step, 'recover.restart');
    assert.deepEqual(result.outcome, { kind: 'resolved', reason: 'restart fixed it' });
    assert.deepEqual((await rehearse(plan, host, { bindings: {}, answers: {}, procedure: 'nope' })).outcome, { kind: 'no-start', procedure: 'nope' });
  });

  it('a command that stops with an error stops the run there', async () => {
    const host = new ScriptedHost([]);
    host.run = async () => ({ ok: false, text: '', errors: ['Connecting to remote server EX-CAS01 failed'] });
    const result = await rehearse(plan, host, { bindings: { Server: 'EX-CAS01' }, answers: {} });
    assert.deepEqual(result.outcome, { kind: 'failed', step: 'verify.rerun', error: 'Connecting to remote server EX-CAS01 failed' });
  });
});

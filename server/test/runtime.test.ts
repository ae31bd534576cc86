// The runtime engine as pure functions: `when` conditions on output objects, answers and roles, and
// the walk from a step to the next (fall-through, otherwise, reuse, the end of a run, loops).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BranchPlan, ConditionPlan, RunbookPlan, StepPlan } from '../src/protocol';
import { describeCondition, evaluateCondition } from '../src/runtime/conditions';
import { choose, decide, LoopGuard, startOf } from '../src/runtime/engine';

const prop = (property: string, values: string[], quantifier: 'any' | 'all' | 'no' = 'any', negated = false): ConditionPlan => ({
  kind: 'property',
  quantifier,
  property,
  negated,
  values,
});

describe('conditions', () => {
  const monitors = [{ Name: 'PopCTPMonitor', AlertValue: 'Unhealthy' }, { Name: 'PopProxyTestMonitor', AlertValue: 'Healthy' }];
  const healthy = [{ AlertValue: 'Healthy' }, { AlertValue: 'Healthy' }];

  it('any (the default) holds when one object has one of the values', () => {
    assert.equal(evaluateCondition(prop('AlertValue', ['Unhealthy']), { objects: monitors }), true);
    assert.equal(evaluateCondition(prop('AlertValue', ['Degraded', 'Unhealthy']), { objects: healthy }), false);
  });

  it('all holds when every object has one of the values, and never on empty output', () => {
    assert.equal(evaluateCondition(prop('AlertValue', ['Healthy'], 'all'), { objects: healthy }), true);
    assert.equal(evaluateCondition(prop('AlertValue', ['Healthy'], 'all'), { objects: monitors }), false);
    assert.equal(evaluateCondition(prop('AlertValue', ['Healthy'], 'all'), { objects: [] }), false);
  });

  it('no holds when no object has one of the values, also on empty output ("no active copy")', () => {
    const active = ['Mounted', 'Mounting', 'Dismounted', 'Dismounting'];
    assert.equal(evaluateCondition(prop('Status', active, 'no'), { objects: [{ Status: 'Healthy' }, { Status: 'Healthy' }] }), true);
    assert.equal(evaluateCondition(prop('Status', active, 'no'), { objects: [{ Status: 'Healthy' }, { Status: 'Mounted' }] }), false);
    assert.equal(evaluateCondition(prop('Status', active, 'no'), { objects: [] }), true);
    assert.equal(evaluateCondition(prop('Status', active, 'any'), { objects: [] }), false);
  });

  it('is not negates the test of each object before the quantifier', () => {
    const failed = [{ ResultType: 'Failed' }];
    const succeeded = [{ ResultType: 'Succeeded' }];
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded'], 'any', true), { objects: failed }), true);
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded'], 'any', true), { objects: succeeded }), false);
    assert.equal(evaluateCondition(prop('AlertValue', ['Healthy'], 'all', true), { objects: monitors }), false);
    assert.equal(evaluateCondition(prop('AlertValue', ['Unhealthy'], 'no', true), { objects: [{ AlertValue: 'Unhealthy' }] }), true);
  });

  it('compares like PowerShell -eq on strings: case-insensitive values and property names', () => {
    assert.equal(evaluateCondition(prop('resulttype', ['succeeded']), { objects: [{ ResultType: 'SUCCEEDED' }] }), true);
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded']), { objects: [{ ResultType: 'Succeeded2' }] }), false);
  });

  it('understands enum values serialised as numbers (ResultType 3 = Succeeded, 4 = Failed)', () => {
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded']), { objects: [{ ResultType: 3 }] }), true);
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded']), { objects: [{ ResultType: '4' }] }), false);
    assert.equal(evaluateCondition(prop('ResultType', ['Failed']), { objects: [{ ResultType: '4' }] }), true);
    assert.equal(evaluateCondition(prop('Status', ['Running']), { objects: [{ Status: 4 }] }), true);
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded']), { objects: [{ ResultType: { value: 3 } }] }), true);
  });

  it('reads Group-Object output: the grouped values are in Name', () => {
    const grouped = [{ Name: 'Healthy', Count: 2 }, { Name: 'Mounted', Count: 1 }];
    assert.equal(evaluateCondition(prop('Name', ['Mounted', 'Mounting', 'Dismounted', 'Dismounting'], 'no'), { objects: grouped }), false);
    assert.equal(evaluateCondition(prop('Name', ['Mounted'], 'no'), { objects: [{ Name: 'Healthy', Count: 3 }] }), true);
  });

  it('a missing property or null value matches no value; an array value matches by element', () => {
    assert.equal(evaluateCondition(prop('AlertValue', ['Healthy']), { objects: [{ Name: 'x' }, { AlertValue: null }] }), false);
    assert.equal(evaluateCondition(prop('AlertValue', ['Healthy'], 'any', true), { objects: [{ AlertValue: null }] }), true);
    assert.equal(evaluateCondition(prop('Roles', ['Mailbox']), { objects: [{ Roles: ['ClientAccess', 'Mailbox'] }] }), true);
  });

  it('answers and roles; unknown facts leave the condition undecided', () => {
    assert.equal(evaluateCondition({ kind: 'answer', value: 'yes' }, { answer: 'yes' }), true);
    assert.equal(evaluateCondition({ kind: 'answer', value: 'no' }, { answer: 'yes' }), false);
    assert.equal(evaluateCondition({ kind: 'answer', value: 'no' }, {}), undefined);
    assert.equal(evaluateCondition({ kind: 'role', parameter: 'Server', role: 'mailbox' }, { roles: { server: 'mailbox' } }), true);
    assert.equal(evaluateCondition({ kind: 'role', parameter: 'Server', role: 'mailbox' }, { roles: { Server: 'cas' } }), false);
    assert.equal(evaluateCondition({ kind: 'role', parameter: 'Server', role: 'cas' }, { roles: {} }), undefined);
    assert.equal(evaluateCondition(prop('ResultType', ['Succeeded']), {}), undefined);
    // Exchange 2016 and later: one server with both roles.
    assert.equal(evaluateCondition({ kind: 'role', parameter: 'Server', role: 'cas' }, { roles: { Server: ['mailbox', 'cas'] } }), true);
  });

  it('describes a condition the way the runbook writes it', () => {
    assert.equal(describeCondition(prop('AlertValue', ['Healthy'], 'all', true)), 'all AlertValue is not Healthy');
    assert.equal(describeCondition(prop('Name', ['Mounted', 'Mounting'], 'no')), 'no Name is Mounted, Mounting');
    assert.equal(describeCondition(succeededCondition()), 'ResultType is Succeeded');
    assert.equal(describeCondition({ kind: 'role', parameter: 'Server', role: 'mailbox' }), '$Server is mailbox');
    assert.equal(describeCondition(undefined), 'otherwise');
  });
});

function succeededCondition(): ConditionPlan {
  return prop('ResultType', ['Succeeded']);
}

function step(procedure: string, id: string, branches: BranchPlan[], extra: Partial<StepPlan> = {}): StepPlan {
  return { procedure, id, title: id, line: 0, confirm: false, actions: [{ kind: 'run', command: `Get-${id}`, properties: [] }], branches, parameters: [], ...extra };
}

const to = (procedure: string, s: string) => ({ kind: 'step' as const, procedure, step: s });
const succeeded = prop('ResultType', ['Succeeded']);

/** verify.rerun (probe) -> recover; recover.restart, recover.again = verify.rerun with its own branches, recover.escalate. */
const PLAN: RunbookPlan = {
  uri: 'file:///pop.exrunbook',
  runbook: 'pop',
  title: 'POP',
  healthSets: ['POP'],
  parameters: [{ name: 'Server', kind: 'server', description: '' }],
  procedures: [
    {
      id: 'verify',
      title: 'Verify',
      monitors: [],
      line: 4,
      steps: [
        step('verify', 'health', [{ line: 6, condition: prop('AlertValue', ['Healthy'], 'all'), target: { kind: 'resolved', reason: 'recovered' } }]),
        step('verify', 'rerun', [
          { line: 9, condition: succeeded, target: { kind: 'resolved', reason: 'transient' } },
          { line: 10, target: to('recover', 'restart') },
        ]),
      ],
    },
    {
      id: 'recover',
      title: 'Recover',
      monitors: ['PopCTPMonitor'],
      line: 12,
      steps: [
        step('recover', 'restart', []),
        step('recover', 'again', [{ line: 16, condition: succeeded, target: { kind: 'resolved' } }], { reuses: 'verify.rerun' }),
        step('recover', 'ask', [{ line: 18, condition: { kind: 'answer', value: 'no' }, target: to('recover', 'escalate') }], {
          actions: [{ kind: 'ask', question: 'Try again?' }],
        }),
        step('recover', 'escalate', [{ line: 21, target: to('recover', 'restart') }], { actions: [{ kind: 'escalate', text: 'Call support' }] }),
      ],
    },
  ],
};

describe('engine', () => {
  it('starts at the first procedure, or at the one asked for', () => {
    assert.deepEqual(startOf(PLAN), { procedure: 'verify', step: 'health' });
    assert.deepEqual(startOf(PLAN, 'recover'), { procedure: 'recover', step: 'restart' });
    assert.equal(startOf(PLAN, 'nope'), undefined);
  });

  it('takes the first branch that holds and ends the run on resolved', () => {
    const decision = decide(PLAN, { procedure: 'verify', step: 'rerun' }, { objects: [{ ResultType: 'Succeeded' }] });
    assert.deepEqual(decision, { kind: 'decided', branch: { index: 0, line: 9 }, next: { kind: 'resolved', reason: 'transient' } });
  });

  it('otherwise goes to its target when nothing before it holds', () => {
    const decision = decide(PLAN, { procedure: 'verify', step: 'rerun' }, { objects: [{ ResultType: 'Failed' }] });
    assert.deepEqual(decision, { kind: 'decided', branch: { index: 1, line: 10 }, next: to('recover', 'restart') });
  });

  it('falls through to the next step when no branch holds and there is no otherwise', () => {
    const decision = decide(PLAN, { procedure: 'verify', step: 'health' }, { objects: [{ AlertValue: 'Unhealthy' }] });
    assert.deepEqual(decision, { kind: 'decided', next: to('verify', 'rerun') });
    assert.deepEqual(decide(PLAN, { procedure: 'recover', step: 'restart' }, {}), { kind: 'decided', next: to('recover', 'again') });
  });

  it('a reused step keeps its own branches, not those of the step it reuses', () => {
    const failed = decide(PLAN, { procedure: 'recover', step: 'again' }, { objects: [{ ResultType: 'Failed' }] });
    // verify.rerun would go to recover.restart; recover.again has no otherwise and falls through.
    assert.deepEqual(failed, { kind: 'decided', next: to('recover', 'ask') });
    const ok = decide(PLAN, { procedure: 'recover', step: 'again' }, { objects: [{ ResultType: 3 }] });
    assert.deepEqual(ok, { kind: 'decided', branch: { index: 0, line: 16 }, next: { kind: 'resolved' } });
  });

  it('an escalate action ends the run whatever the branches say; after the last step the run ends', () => {
    assert.deepEqual(decide(PLAN, { procedure: 'recover', step: 'escalate' }, {}), { kind: 'decided', next: { kind: 'escalate', reason: 'Call support' } });
    const last: RunbookPlan = { ...PLAN, procedures: [{ ...PLAN.procedures[1]!, steps: [step('recover', 'only', [])] }] };
    assert.deepEqual(decide(last, { procedure: 'recover', step: 'only' }, {}), { kind: 'decided', next: { kind: 'ended' } });
  });

  it('leaves the choice to the admin when the output could not be read, and follows the choice', () => {
    const decision = decide(PLAN, { procedure: 'verify', step: 'rerun' }, {});
    assert.equal(decision.kind, 'undecided');
    assert.deepEqual(decision.kind === 'undecided' && decision.candidates.map((c) => c.next.kind), ['resolved', 'step']);
    assert.deepEqual(choose(PLAN, { procedure: 'verify', step: 'rerun' }, 1), { kind: 'decided', branch: { index: 1, line: 10 }, next: to('recover', 'restart') });
    assert.deepEqual(choose(PLAN, { procedure: 'verify', step: 'health' }, undefined), { kind: 'decided', next: to('verify', 'rerun') });
    // An answer branches on its own; without one the step is undecided.
    assert.deepEqual(decide(PLAN, { procedure: 'recover', step: 'ask' }, { answer: 'no' }).kind, 'decided');
    assert.equal(decide(PLAN, { procedure: 'recover', step: 'ask' }, {}).kind, 'undecided');
  });

  it('the loop guard stops a run that keeps coming back to a step', () => {
    const guard = new LoopGuard(3);
    const at = { procedure: 'recover', step: 'restart' };
    assert.equal(guard.visit(at), true);
    assert.equal(guard.visit({ procedure: 'recover', step: 'again' }), true);
    assert.equal(guard.visit(at), true);
    assert.equal(guard.visit(at), true);
    assert.equal(guard.visit(at), false);
    assert.deepEqual(guard.repeated(), [{ step: 'recover.restart', visits: 4 }]);
    const total = new LoopGuard(100, 3);
    assert.deepEqual([1, 2, 3, 4].map((i) => total.visit({ procedure: 'p', step: `s${i}` })), [true, true, true, false]);
  });

  it('rejects a position that is not in the plan', () => {
    assert.throws(() => decide(PLAN, { procedure: 'verify', step: 'missing' }, {}), /verify\.missing/);
  });
});

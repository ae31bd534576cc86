// The rehearsal CLI as CI runs it (real pwsh + the Exchange simulator): the examples cure the Mailbox
// server scenarios. Fails, never skips, without pwsh. (scripts/run-rehearse-tests.mjs)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, report, steps } from './helpers';

describe('exchange-runbook rehearse: examples x Mailbox scenarios', () => {
  it('pop.exrunbook cures pop-slow-commands: fail over, restart the Mailbox server, fail back', async () => {
    const { code, report: r } = await report([example('pop.exrunbook'), '--scenario', 'pop-slow-commands']);
    assert.equal(r.rehearsal.outcome.kind, 'resolved', JSON.stringify(r.rehearsal.path.map((s) => `${s.step} ${s.branch ?? ''} -> ${s.next}`)));
    const path = steps(r);
    assert.ok(path.indexOf('recover-slow-commands.fail-over') < path.indexOf('recover-slow-commands.restart-mailbox'), path.join(' '));
    assert.equal(path[path.length - 1], 'recover-slow-commands.fail-back');
    assert.deepEqual(r.leftInPlace, []);
    assert.equal(code, 0);
  });

  it('pop-protocol.exrunbook cures pop3-backend-hung by restarting the POP3 back end', async () => {
    const { code, report: r } = await report([example('pop-protocol.exrunbook'), '--scenario', 'pop3-backend-hung']);
    assert.equal(r.rehearsal.outcome.kind, 'resolved', steps(r).join(' '));
    assert.ok(steps(r).includes('recover.restart-pop3be'));
    assert.equal(r.parameters.Server, 'EX-MBX01');
    assert.equal(code, 0);
  });
});

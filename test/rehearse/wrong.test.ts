// The rehearsal CLI (real pwsh + the Exchange simulator): each wrong remedy fails its rehearsal (the
// linter reports both as well). Fails, never skips, without pwsh.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rehearse, report, steps, wrong } from './helpers';

describe('exchange-runbook rehearse: wrong remedies', () => {
  it('a Mailbox server restarted before its databases are failed over fails the rehearsal', async () => {
    const { code, report: r } = await report([wrong('restart-before-failover.exrunbook'), '--scenario', 'pop-slow-commands']);
    assert.ok(!steps(r).includes('recover-slow-commands.fail-over'));
    assert.ok(steps(r).includes('recover-slow-commands.restart-mailbox'));
    assert.equal(r.passed, false);
    assert.ok(r.rehearsal.outcome.kind !== 'resolved' || !r.monitor.healthy);
    assert.equal(code, 1);
  });

  it('a failover never undone fails the rehearsal even though the monitor recovers', async () => {
    const { code, stdout } = await rehearse([wrong('failover-never-undone.exrunbook'), '--scenario', 'pop-slow-commands']);
    assert.match(stdout, /Left in place: failover not undone: EX-MBX01/);
    assert.match(stdout, /Rehearsal FAILED/);
    assert.equal(code, 1);
  });
});

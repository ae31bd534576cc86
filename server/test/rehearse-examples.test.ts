// The rehearsal CLI as CI runs it (real pwsh + the Exchange simulator): every example runbook cures
// its scenario. Fails, never skips, without pwsh. One file per group: each rehearsal starts a pwsh.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, rehearse, report, steps } from './rehearse-helpers';
describe('exchange-runbook rehearse (real pwsh + simulator)', () => {
  it('pop.exrunbook cures pop3-cas-stopped: verify, restart POP3 on the CAS, the probe succeeds', async () => {
    const { code, report: r } = await report([example('pop.exrunbook'), '--scenario', 'pop3-cas-stopped']);
    assert.deepEqual(r.rehearsal.outcome, { kind: 'resolved', reason: 'Restarting the POP3 service fixed it' });
    assert.deepEqual(steps(r), ['verify.health', 'verify.rerun', 'recover-ctp.restart-pop3', 'recover-ctp.rerun']);
    assert.equal(r.parameters.Server, 'EX-CAS01');
    assert.equal(r.monitor.healthy, true);
    assert.equal(code, 0);
  });

  it('pop.exrunbook cures pop-slow-commands: fail over, restart the Mailbox server, fail back', async () => {
    const { code, report: r } = await report([example('pop.exrunbook'), '--scenario', 'pop-slow-commands']);
    assert.equal(r.rehearsal.outcome.kind, 'resolved', JSON.stringify(r.rehearsal.path.map((s) => `${s.step} ${s.branch ?? ''} -> ${s.next}`)));
    const path = steps(r);
    assert.ok(path.indexOf('recover-slow-commands.fail-over') < path.indexOf('recover-slow-commands.restart-mailbox'), path.join(' '));
    assert.equal(path[path.length - 1], 'recover-slow-commands.fail-back');
    assert.deepEqual(r.leftInPlace, []);
    assert.equal(code, 0);
  });

  it('pop.exrunbook resolves pop-transient by re-running the probe', async () => {
    const { code, report: r } = await report([example('pop.exrunbook'), '--scenario', 'pop-transient']);
    assert.deepEqual(steps(r), ['verify.health', 'verify.rerun']);
    assert.equal(r.rehearsal.outcome.kind, 'resolved');
    assert.equal(code, 0);
  });

  it('pop-protocol.exrunbook cures pop3-backend-hung by restarting the POP3 back end', async () => {
    const { code, report: r } = await report([example('pop-protocol.exrunbook'), '--scenario', 'pop3-backend-hung']);
    assert.equal(r.rehearsal.outcome.kind, 'resolved', steps(r).join(' '));
    assert.ok(steps(r).includes('recover.restart-pop3be'));
    assert.equal(r.parameters.Server, 'EX-MBX01');
    assert.equal(code, 0);
  });

  it('pop-proxy.exrunbook cures pop-proxy-fault only by restarting the Client Access server', async () => {
    const { code, stdout } = await rehearse([example('pop-proxy.exrunbook'), '--scenario', 'pop-proxy-fault']);
    assert.match(stdout, /recover\.rerun  [\s\S]*no branch holds -> recover\.restart-cas/);
    assert.match(stdout, /Outcome: resolved "Restarting the Client Access server fixed it"/);
    assert.match(stdout, /PopProxyTestMonitor on EX-CAS01: Healthy/);
    assert.match(stdout, /Rehearsal passed/);
    assert.equal(code, 0);
  });

});

// The rehearsal CLI as CI runs it (real pwsh + the Exchange simulator): the examples cure the Client
// Access scenarios. Fails, never skips, without pwsh. (scripts/run-rehearse-tests.mjs)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, rehearse, report, steps } from './helpers';

describe('exchange-runbook rehearse: examples x Client Access scenarios', () => {
  it('pop.exrunbook cures pop3-cas-stopped: verify, restart POP3 on the CAS, the probe succeeds', async () => {
    const { code, report: r } = await report([example('pop.exrunbook'), '--scenario', 'pop3-cas-stopped']);
    assert.deepEqual(r.rehearsal.outcome, { kind: 'resolved', reason: 'Restarting the POP3 service fixed it' });
    assert.deepEqual(steps(r), ['verify.health', 'verify.rerun', 'recover-ctp.restart-pop3', 'recover-ctp.rerun']);
    assert.equal(r.parameters.Server, 'EX-CAS01');
    assert.equal(r.monitor.healthy, true);
    assert.equal(code, 0);
  });

  it('pop.exrunbook resolves pop-transient by re-running the probe', async () => {
    const { code, report: r } = await report([example('pop.exrunbook'), '--scenario', 'pop-transient']);
    assert.deepEqual(steps(r), ['verify.health', 'verify.rerun']);
    assert.equal(r.rehearsal.outcome.kind, 'resolved');
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

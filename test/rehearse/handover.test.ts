// The rehearsal CLI (real pwsh + the Exchange simulator) follows a branch into another runbook of
// the same folder, and says where the run goes on when that runbook is not there.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rehearse, report, ROOT, steps } from './helpers';

const fixture = (name: string) => join(ROOT, 'server', 'test', 'fixtures', 'xref', name);

describe('exchange-runbook rehearse: hand-over to another runbook', () => {
  it('follows the hand-over into the runbook next to it, and its reuse of the first runbook\'s probe', async () => {
    const { code, report: r } = await report([fixture('pop-verify.exrunbook'), '--scenario', 'pop3-cas-stopped']);
    assert.deepEqual(steps(r), ['verify.rerun', 'pop-cas-recovery:recover.restart', 'pop-cas-recovery:recover.again']);
    assert.equal(r.rehearsal.path[0]!.next, 'pop-cas-recovery:recover.restart');
    assert.match(r.rehearsal.path[2]!.output ?? '', /Succeeded/);
    assert.deepEqual(r.rehearsal.outcome, { kind: 'resolved', reason: 'Restarting the POP3 service fixed it' });
    assert.equal(r.passed, true);
    assert.equal(code, 0);
  });

  it('without the other runbook, ends saying where the run goes on', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'exr-handover-'));
    try {
      copyFileSync(fixture('pop-verify.exrunbook'), join(folder, 'pop-verify.exrunbook'));
      const { code, stdout } = await rehearse([join(folder, 'pop-verify.exrunbook'), '--scenario', 'pop3-cas-stopped']);
      assert.match(stdout, /otherwise -> pop-cas-recovery:recover\n/);
      assert.match(stdout, /Outcome: handed over to runbook pop-cas-recovery, which is not in the runbook's folder: the run goes on at recover\n/);
      assert.equal(code, 1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

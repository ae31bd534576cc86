// The rehearsal CLI as an admin or CI runs it: real pwsh, the Exchange simulator, each example runbook
// against its scenario (must cure it) and each wrong remedy (must fail). Fails, never skips, without pwsh.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(__dirname, '..', 'src', 'cli', 'rehearse.js');
const example = (name: string) => join(ROOT, 'examples', name);
const wrong = (name: string) => join(ROOT, 'server', 'test', 'fixtures', 'rehearsal', name);

interface Report {
  passed: boolean;
  parameters: Record<string, string>;
  rehearsal: { path: { step: string; branch?: string; next: string; output?: string; actions: string[] }[]; outcome: { kind: string; reason?: string } };
  monitor: { name: string; alertValues: string[]; healthy: boolean };
  leftInPlace: string[];
}

function rehearse(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function report(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await rehearse([...args, '--format', 'json']);
  assert.ok(stdout.trim().startsWith('{'), `no JSON report (exit ${code}): ${stderr}${stdout}`);
  return { code, report: JSON.parse(stdout) as Report, stderr };
}

const steps = (r: Report) => r.rehearsal.path.map((s) => s.step);

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
    assert.match(stdout, /recover\.restart-pop3[\s\S]*no branch holds -> recover\.restart-cas/);
    assert.match(stdout, /Outcome: resolved "Restarting the Client Access server fixed it"/);
    assert.match(stdout, /PopProxyTestMonitor on EX-CAS01: Healthy/);
    assert.match(stdout, /Rehearsal passed/);
    assert.equal(code, 0);
  });

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

  describe('usage and inputs', () => {
    const folder = mkdtempSync(join(tmpdir(), 'exr-rehearse-test-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    const echo = join(folder, 'echo.exrunbook');
    writeFileSync(
      echo,
      `runbook echo "Echo"
  healthset POP
  param $Server: server "Server"
  param $Note: text "Anything typed"

procedure verify "Verify"
  step echo "Echo the note"
    run Write-Output $Note
    when any Length is 0 -> resolved
`,
    );

    it('exits 2 on usage errors, with the usage', async () => {
      for (const args of [[], [example('pop.exrunbook')], [example('pop.exrunbook'), '--scenario', 'x', '--answer', 'step=maybe'], ['--bogus']]) {
        const { code, stderr } = await rehearse(args);
        assert.equal(code, 2, args.join(' '));
        assert.match(stderr, /Usage: exchange-runbook rehearse/);
      }
    });

    it('exits 2 on a scenario the simulator does not have', async () => {
      const { code, stderr } = await rehearse([example('pop.exrunbook'), '--scenario', 'no-such-scenario']);
      assert.equal(code, 2);
      assert.match(stderr, /no-such-scenario/);
    });

    it('passes a typed value as data: quotes and $( ) in it run nothing', async () => {
      const value = `x'; Write-Output INJECTED; '$(Write-Output INJECTED2)"`;
      const { report: r } = await report([echo, '--scenario', 'healthy', '--param', `Note=${value}`]);
      assert.equal(r.rehearsal.path[0]!.output, value);
    });

    it('stops with the name of a parameter nothing gives a value', async () => {
      const { code, stdout } = await rehearse([echo, '--scenario', 'healthy']);
      assert.match(stdout, /no value for parameter \$Note/);
      assert.equal(code, 1);
    });
  });
});

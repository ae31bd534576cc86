// The rehearsal CLI's inputs (real pwsh + the Exchange simulator): typed values are data, a missing
// parameter is named, usage errors and unknown scenarios exit 2.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { example, rehearse, report } from './helpers';

describe('exchange-runbook rehearse: usage and inputs', () => {
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

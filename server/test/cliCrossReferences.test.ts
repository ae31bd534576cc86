// The linter over runbooks that refer to each other: references resolve among the runbooks given
// and their neighbours in the same folder; an id found nowhere is an error.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const LINT = join(__dirname, '..', 'src', 'cli', 'lint.js');

function lint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LINT, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), 'exr-lint-xref-'));
const pop = join(folder, 'pop.exrunbook');
const protocol = join(folder, 'pop-protocol.exrunbook');
// Tabs, as some admins indent.
writeFileSync(pop, `runbook pop "POP"
\tparam $Server: mailbox "Mailbox server"

procedure verify "Verify"
\tstep rerun "Re-run the probe"
\t\trun Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List
\t\twhen ResultType is Succeeded -> resolved
\t\totherwise -> pop-protocol:recover
`);
writeFileSync(protocol, `runbook pop-protocol "POP.Protocol"
  param $Server: mailbox "Mailbox server"

procedure recover "Recover"
  step restart "Restart the POP3 back-end service" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3BE }
  step again = pop:verify.rerun
    when ResultType is Succeeded -> resolved
    otherwise -> escalate "The probe output"
`);
const elsewhere = join(folder, 'elsewhere');
mkdirSync(elsewhere);
const lonely = join(elsewhere, 'lonely.exrunbook');
writeFileSync(lonely, `runbook lonely "Alone"
procedure verify "Verify"
  step look "Look"
    manual "Read the log"
    otherwise -> pop-protocl:recover
`);

describe('exchange-runbook-lint across runbooks', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('resolves a runbook\'s references among its neighbours when it is linted alone, and among the folder', async () => {
    const alone = await lint([pop]);
    assert.equal(alone.code, 0, alone.stdout + alone.stderr);
    const other = await lint([protocol]);
    assert.equal(other.code, 0, other.stdout + other.stderr);
    // A FIFO next to them is never opened (the lint would hang).
    execFileSync('mkfifo', [join(folder, 'pipe.exrunbook')]);
    try {
      const again = await lint([pop]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
    } finally {
      rmSync(join(folder, 'pipe.exrunbook'), { force: true });
    }
  });

  it('an id found in none of the runbooks given or their folders is an error, with did-you-mean among them', async () => {
    const alone = await lint(['--format', 'json', lonely]);
    assert.equal(alone.code, 1);
    const [result] = JSON.parse(alone.stdout) as { diagnostics: { code: string; message: string }[] }[];
    assert.deepEqual(result!.diagnostics.map((d) => d.code), ['unknown-runbook']);
    assert.match(result!.diagnostics[0]!.message, /There is no runbook pop-protocl in the workspace\.$/);
    // Given with the folder that has pop-protocol, the id is suggested.
    const together = await lint(['--format', 'json', lonely, protocol]);
    const results = JSON.parse(together.stdout) as { path: string; diagnostics: { code: string; message: string }[] }[];
    const lonelyResult = results.find((r) => r.path.endsWith('lonely.exrunbook'))!;
    assert.match(lonelyResult.diagnostics[0]!.message, /Did you mean pop-protocol\?/);
  });
});

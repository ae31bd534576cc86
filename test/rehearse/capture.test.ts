// The rehearsal's capture against real pwsh: a step's objects read back once, shown through its
// Format-*/Out-* commands, multi-line commands, errors, values bound as data, the split by the plan.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureSplit } from '../../server/src/analysis/plan';
import { findPwsh, PwshProcess } from '../../server/src/cli/pwsh';
import { PwshRehearsalHost } from '../../server/src/cli/rehearsalHost';
import { initPowerShellParser, parsePowerShell } from '../../server/src/powershell/parser';
import { ROOT } from './helpers';

let pwsh: PwshProcess;
let host: PwshRehearsalHost;

/** Runs a command the way a rehearsal does: split by the plan builder, captured when properties are tested. */
function run(command: string, properties: string[], bindings: Record<string, string> = {}) {
  const capture = properties.length ? { ...captureSplit(command, parsePowerShell(command)), properties } : undefined;
  return host.run(command, bindings, capture);
}

describe('rehearsal capture in real pwsh', () => {
  before(async () => {
    await initPowerShellParser();
    const executable = findPwsh(ROOT);
    assert.ok(executable, 'pwsh not found: set EXR_PWSH or install it with scripts/setup.sh');
    pwsh = new PwshProcess(executable, process.env);
    host = new PwshRehearsalHost(pwsh);
  });
  after(() => pwsh.dispose());

  it('a pipeline ending in Format-List: objects read back, the list shown', async () => {
    const result = await run("[pscustomobject]@{ ResultType = 'Failed'; Error = 'timed out' } | Format-List", ['ResultType']);
    assert.deepEqual(result.objects, [{ ResultType: 'Failed' }]);
    assert.match(result.text, /ResultType : Failed\s+Error\s+: timed out/);
    assert.equal(result.ok, true);
  });

  it('Format-Table | Out-String: both display commands applied, objects captured before them', async () => {
    const command = "@([pscustomobject]@{ Name = 'DB01'; Status = 'Mounted' }, [pscustomobject]@{ Name = 'DB02'; Status = 'Healthy' }) | Format-Table Name, Status -AutoSize | Out-String -Width 80";
    const result = await run(command, ['Status']);
    assert.deepEqual(result.objects, [{ Status: 'Mounted' }, { Status: 'Healthy' }]);
    assert.match(result.text, /Name\s+Status\s*\n-+\s+-+\s*\nDB01\s+Mounted/);
  });

  it('enums come back by name, Group-Object by its Name, multi-line commands whole', async () => {
    const enums = await run('[pscustomobject]@{ Day = [DayOfWeek]::Monday }', ['Day']);
    assert.deepEqual(enums.objects, [{ Day: 'Monday' }]);
    const grouped = await run("'Mounted', 'Healthy', 'Healthy' |\n  ForEach-Object { [pscustomobject]@{ Status = $_ } } |\n  Group-Object Status", ['Name']);
    // pwsh 7 sorts the groups; Windows PowerShell keeps first-seen order: the conditions do not care.
    assert.deepEqual(grouped.objects?.map((o) => o.Name).sort(), ['Healthy', 'Mounted']);
    const none = await run("@() | Where-Object { $_ }", ['Status']);
    assert.deepEqual(none.objects, []);
  });

  it('runs a command once: its side effect happens one time', async () => {
    await run('$global:exrCount = 0', []);
    await run("$global:exrCount++; [pscustomobject]@{ N = $global:exrCount } | Format-List", ['N']);
    const count = await run('[pscustomobject]@{ N = $global:exrCount }', ['N']);
    assert.deepEqual(count.objects, [{ N: '1' }]);
  });

  it('errors are reported; a terminating error fails the command', async () => {
    const partial = await run("Write-Error 'Connecting to remote server EX-MBX02 failed'; [pscustomobject]@{ A = 1 }", ['A']);
    assert.equal(partial.ok, true);
    assert.deepEqual(partial.objects, [{ A: '1' }]);
    assert.match(partial.errors.join('\n'), /EX-MBX02 failed/);
    const stopped = await run("throw 'The WinRM client cannot process the request'", []);
    assert.equal(stopped.ok, false);
    assert.match(stopped.errors.join('\n'), /WinRM/);
  });

  it('parameters are variables set from data: quotes and $( ) in a value run nothing', async () => {
    const value = `EX-MBX01'; Write-Output INJECTED; '$(Write-Output INJECTED2)"`;
    const result = await run('Write-Output $Server', [], { Server: value });
    assert.equal(result.text, value);
  });
});

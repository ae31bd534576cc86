// Every script the extension sends must run on Windows PowerShell 5.1 (Exchange's own shell):
// parsed with real pwsh's AST, no 7-only syntax, cmdlets, parameters, variables or .NET members.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_SCRIPTS } from '../../src/powershell/scripts';
import { PowerShellSession } from '../../src/powershell/session';
import { checkWindowsPowerShell51 } from './compat51';
import { PWSH, assertPwshInstalled } from './pwsh';

/** Each snippet uses one thing 5.1 lacks; the checker must name it. */
const BAD: Record<string, RegExp> = {
  '$a = $b ? 1 : 2': /ternary/,
  "$a = $b ?? 'x'": /\?\? \(7/,
  '$a ??= 1': /\?\?=/,
  '${a}?.Length': /null-conditional/,
  'Get-Item x && Get-Item y': /pipeline chain/,
  '1..3 | ForEach-Object -Parallel { $_ }': /ForEach-Object -Parallel/,
  '1..3 | % -Parallel { $_ } -ThrottleLimit 4': /ForEach-Object -Parallel/,
  "ConvertFrom-Json '{}' -AsHashtable": /ConvertFrom-Json -AsHashtable/,
  "ConvertFrom-Json '{}' -Depth 5": /ConvertFrom-Json -Depth/,
  "ConvertFrom-Json '{}' -DateKind String": /ConvertFrom-Json -DateKind/,
  '@(1) | ConvertTo-Json -AsArray': /ConvertTo-Json -AsArray/,
  'Get-Date | ConvertTo-Json -EnumsAsStrings': /ConvertTo-Json -EnumsAsStrings/,
  "'a', 'b' | Join-String -Separator ','": /Join-String/,
  'Get-Error': /Get-Error/,
  'function f { process { 1 } clean { 2 } }': /clean block/,
  '[Environment]::ProcessPath': /ProcessPath/,
  '[System.IO.Path]::GetRelativePath("a", "b")': /GetRelativePath/,
  'if ($IsWindows) { 1 }': /\$IsWindows/,
  '"`u{1F600}"': /escape sequence/,
  'Get-Content x -AsByteStream': /AsByteStream/,
  "Set-Content x -Value 1 -Encoding utf8NoBOM": /utf8NoBOM/,
  'Join-Path a b c': /Join-Path with more than two/,
  "'x' -replace 'x', { 'y' }": /-replace with a script block/,
  '$n = 5u': /numeric literal/,
  'if ($true) {': /parse error/,
};

describe('Windows PowerShell 5.1 compatibility of every script the extension sends', () => {
  let session: PowerShellSession;
  before(() => {
    assertPwshInstalled();
    session = new PowerShellSession({ executable: PWSH, startupTimeoutMs: 90_000 });
  });
  after(async () => {
    await session.dispose();
  });

  it('finds nothing 7-only in the session framing, connection start-ups, poll, probe and server list', async () => {
    const reports = await checkWindowsPowerShell51(session, ALL_SCRIPTS);
    assert.deepEqual(reports.map((r) => r.name).sort(), Object.keys(ALL_SCRIPTS).sort());
    assert.deepEqual(reports.filter((r) => r.problems.length > 0), []);
  });

  it('catches each deliberately bad snippet', async () => {
    const snippets = Object.keys(BAD);
    const reports = await checkWindowsPowerShell51(session, Object.fromEntries(snippets.map((s, i) => [`bad${String(i).padStart(2, '0')}`, s])));
    for (const [i, snippet] of snippets.entries()) {
      const report = reports.find((r) => r.name === `bad${String(i).padStart(2, '0')}`);
      assert.ok(report?.problems.some((p) => BAD[snippet].test(p)), `${snippet} was not caught: ${JSON.stringify(report?.problems)}`);
    }
  });

  it('passes plain 5.1 code, including what looks similar', async () => {
    const fine = {
      ok: "$a = if ($b) { 1 } else { 2 }; $x = [Environment]::MachineName; Join-Path a b; 'x' -replace 'x', 'y'; ConvertTo-Json -InputObject @{} -Depth 3 -Compress; $n = 5l; \"`n\"",
    };
    assert.deepEqual(await checkWindowsPowerShell51(session, fine), [{ name: 'ok', problems: [] }]);
  });
});

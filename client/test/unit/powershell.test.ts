// Values put into PowerShell are data, never code; PowerShell is found where admins expect it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { locatePowerShell } from '../../src/powershell/locate';
import { assignParameter, quotePowerShellLiteral } from '../../src/powershell/quote';

describe('quoting values for PowerShell', () => {
  it('wraps plain values in single quotes', () => {
    assert.equal(quotePowerShellLiteral('EX-MBX01'), "'EX-MBX01'");
    assert.equal(assignParameter('Server', 'EX-MBX01'), "$Server = 'EX-MBX01'");
  });

  it('doubles every kind of single quote so hostile names stay one literal', () => {
    assert.equal(quotePowerShellLiteral("x'; Remove-Item C:\\ -Recurse; '"), "'x''; Remove-Item C:\\ -Recurse; '''");
    // PowerShell also ends a string at typographic quotes.
    assert.equal(quotePowerShellLiteral('x\u2019; Stop-Computer; \u2018'), "'x\u2019\u2019; Stop-Computer; \u2018\u2018'");
  });

  it('leaves $(), backticks and double quotes alone: single quotes expand nothing', () => {
    assert.equal(quotePowerShellLiteral('$(Remove-Item x) `n "a"'), "'$(Remove-Item x) `n \"a\"'");
    assert.equal(quotePowerShellLiteral('运行状况 サーバー'), "'运行状况 サーバー'");
  });

  it('refuses a parameter name that is not one', () => {
    assert.throws(() => assignParameter('x; Stop-Computer', 'a'));
  });
});

describe('finding PowerShell', () => {
  const folder = mkdtempSync(join(tmpdir(), 'exr-pwsh-'));
  const pwsh = join(folder, 'pwsh');
  writeFileSync(pwsh, '#!/bin/sh\n');
  chmodSync(pwsh, 0o755);
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('takes the setting first, then pwsh on PATH', () => {
    assert.deepEqual(locatePowerShell(pwsh, { PATH: '' }), { path: pwsh, source: 'setting' });
    assert.deepEqual(locatePowerShell(undefined, { PATH: folder }), { path: pwsh, source: 'pwsh' });
  });

  it('says what is wrong when the setting points nowhere or nothing is found', () => {
    const wrong = locatePowerShell('/nowhere/pwsh', { PATH: folder });
    assert.ok('error' in wrong && /not an executable/.test(wrong.error));
    const none = locatePowerShell(undefined, { PATH: '' });
    assert.ok('error' in none && /PowerShell was not found/.test(none.error));
  });
});

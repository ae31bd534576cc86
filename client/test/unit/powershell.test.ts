// Values put into PowerShell are data, never code; PowerShell is found where admins expect it.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeNotFound, locatePowerShell } from '../../src/powershell/locate';
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
  const notExecutable = join(folder, 'pwsh.txt');
  writeFileSync(notExecutable, '');
  after(() => rmSync(folder, { recursive: true, force: true }));
  const english = (message: string, ...args: string[]) => message.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]);

  it('takes the setting first, then pwsh on PATH', () => {
    assert.deepEqual(locatePowerShell(pwsh, { PATH: '' }), { found: true, path: pwsh, source: 'setting' });
    assert.deepEqual(locatePowerShell(undefined, { PATH: folder }), { found: true, path: pwsh, source: 'pwsh' });
    assert.deepEqual(locatePowerShell('  ', { PATH: folder }), { found: true, path: pwsh, source: 'pwsh' });
    // A bare name in the setting is looked up on PATH.
    assert.deepEqual(locatePowerShell('pwsh', { PATH: folder }), { found: true, path: pwsh, source: 'setting' });
  });

  it('reports a configured path that does not exist as that, without falling back to another PowerShell', () => {
    const missing = locatePowerShell('/nowhere/pwsh', { PATH: folder });
    assert.deepEqual(missing, { found: false, reason: 'setting-missing', setting: 'exchangeRunbooks.powershell.path', tried: ['/nowhere/pwsh'] });
    assert.ok(!missing.found);
    assert.equal(describeNotFound(missing, english), 'exchangeRunbooks.powershell.path is set to "/nowhere/pwsh", which does not exist.');
  });

  it('reports a configured file or folder that cannot be run as not executable', () => {
    for (const path of [notExecutable, folder]) {
      const result = locatePowerShell(path, { PATH: '' });
      assert.ok(!result.found && result.reason === 'setting-not-executable', path);
      assert.match(describeNotFound(result, english), /exists but is not an executable file/);
    }
  });

  it('lists what was tried when nothing is configured or found', () => {
    const none = locatePowerShell(undefined, { PATH: '' }, 'linux');
    assert.ok(!none.found);
    assert.deepEqual(none.tried, ['pwsh (PATH)']);
    assert.equal(describeNotFound(none, english), 'PowerShell was not found (tried: pwsh (PATH)). Install PowerShell 7 (pwsh) or set exchangeRunbooks.powershell.path.');
  });

  it('falls back to Windows PowerShell on Windows: on PATH, then under %SystemRoot%', () => {
    const systemRoot = join(folder, 'Windows');
    const inbox = join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    mkdirSync(dirname(inbox), { recursive: true });
    writeFileSync(inbox, '');
    assert.deepEqual(locatePowerShell(undefined, { PATH: '', SystemRoot: systemRoot }, 'win32'), { found: true, path: inbox, source: 'windows-powershell' });
    const none = locatePowerShell(undefined, { PATH: '', SystemRoot: join(folder, 'NoWindows') }, 'win32');
    assert.ok(!none.found);
    assert.deepEqual(none.tried, ['pwsh.exe (PATH)', 'powershell.exe (PATH)', join(folder, 'NoWindows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe')]);
  });
});

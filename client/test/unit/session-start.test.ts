// A PowerShell that cannot start: a missing executable or a failing start-up script is a
// 'start-failed' rejection with the reason, at once, and never an unhandled rejection.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PowerShellSession } from '../../src/powershell/session';
import { PWSH, assertPwshInstalled, rejection } from './pwsh';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

describe('PowerShellSession that cannot start', () => {
  before(() => assertPwshInstalled());

  it('a missing executable or a failing start-up script is start-failed, shown, never hung', async () => {
    const missing = new PowerShellSession({ executable: '/nonexistent/pwsh' });
    const error = await rejection(missing.invoke('1'));
    assert.equal(error.kind, 'start-failed');
    assert.match(error.message, /ENOENT/);
    await missing.dispose();
    const failing = new PowerShellSession({ executable: PWSH, startupScript: { script: "param($Why) throw $Why", params: { Why: 'no Exchange here' } } });
    const startup = await rejection(failing.invoke('1'));
    assert.equal(startup.kind, 'start-failed');
    assert.match(startup.message, /no Exchange here/);
    // What PowerShell said is the reason's detail, shown as it came in any language.
    assert.equal(startup.reason.id, 'startup-script');
    assert.match(startup.reason.id === 'startup-script' ? startup.reason.detail : '', /no Exchange here/);
    await failing.dispose();
  });

  it('no promise was ever left rejected without a handler', async () => {
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(unhandled, []);
  });
});

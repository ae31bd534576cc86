// Where the unit tests find real PowerShell: EXR_PWSH, else the project's own .tools/pwsh/pwsh.
// Tests that need it fail (never skip) when it is missing: a skip would hide a broken setup.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isAlive } from '../../src/powershell/processTree';
import { SessionError } from '../../src/powershell/session';

/** The repository root (this file runs as out/client/test/unit/pwsh.js). */
export const ROOT = resolve(__dirname, '..', '..', '..', '..');
export const PWSH = process.env.EXR_PWSH || resolve(ROOT, '.tools', 'pwsh', 'pwsh');

export function assertPwshInstalled(): void {
  assert.ok(existsSync(PWSH), `pwsh not found at ${PWSH}: run scripts/setup.sh or set EXR_PWSH`);
}

/** Polls until `condition` holds, failing after `deadlineMs`. */
export async function eventually(condition: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const allGone = (pids: readonly number[]) => pids.every((pid) => !isAlive(pid));

/** The SessionError a request fails with (failing the test if it succeeds or fails otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SessionError, `expected a SessionError, got ${error}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

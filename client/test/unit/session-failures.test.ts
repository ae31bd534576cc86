// The PowerShell session when things go wrong, against real pwsh: a timeout kills the whole tree,
// kill -9 is noticed and recovered, dispose leaves nothing, a start that fails says why, and no
// promise is ever rejected without a handler. (Split from session.test.ts: each file has its own
// time budget in the unit runner.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PowerShellSession, type SessionState } from '../../src/powershell/session';
import { PWSH, allGone, assertPwshInstalled, eventually, rejection } from './pwsh';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

describe('PowerShellSession when things go wrong', () => {
  let session: PowerShellSession;
  const states: SessionState[] = [];
  before(() => {
    assertPwshInstalled();
    session = new PowerShellSession({ executable: PWSH, startupTimeoutMs: 90_000, restartBackoffMs: { initial: 100, max: 1000 } });
    session.onDidChangeState((change) => states.push(change.state));
  });
  after(async () => {
    await session.dispose();
  });

  it('a timeout stops the command by killing both processes, and the next call starts afresh', async () => {
    await session.invoke('1');
    const pids = [session.processId!, session.pid!];
    assert.notEqual(pids[0], pids[1], 'the .NET tool runs a shim and a real pwsh');
    const error = await rejection(session.invoke('Start-Sleep -Seconds 60', {}, { timeoutMs: 1500 }));
    assert.equal(error.kind, 'timeout');
    // The reason travels as data (the client words it in the user's language), the message in English for the log.
    assert.deepEqual(error.reason, { id: 'request-timeout', ms: 1500 });
    assert.equal(error.message, 'PowerShell did not answer within 1500 ms; the process was stopped and starts again on the next request.');
    await eventually(() => allGone(pids), 5000, `PIDs ${pids} gone`);
    const next = await session.invoke('$PID');
    assert.equal(next.ok, true);
    assert.notEqual(next.output[0], pids[1]);
  });

  it('kill -9 of the real pwsh rejects pending calls with "exited", then restarts (state events seen)', async () => {
    await session.invoke('1');
    states.length = 0;
    const real = session.pid!;
    const pending = rejection(session.invoke('Start-Sleep -Seconds 30; "never"'));
    const queued = rejection(session.invoke('"queued"'));
    await eventually(() => session.state === 'ready', 1000, 'ready');
    setTimeout(() => process.kill(real, 'SIGKILL'), 300);
    const gone = await pending;
    assert.equal(gone.kind, 'exited');
    assert.equal(gone.reason.id, 'exited');
    assert.match(gone.message, /^PowerShell exited/);
    assert.equal((await queued).kind, 'exited');
    assert.equal(session.state, 'exited');
    const again = await session.invoke<number>('$PID');
    assert.notEqual(again.output[0], real);
    assert.deepEqual(states, ['exited', 'restarting', 'ready']);
  });

  it('a process killed between requests is noticed, with no unhandled rejection', async () => {
    await session.invoke('1');
    const pids = [session.processId!, session.pid!];
    process.kill(pids[1], 'SIGKILL');
    await eventually(() => session.state === 'exited', 5000, 'exited');
    await eventually(() => allGone(pids), 5000, 'tree gone');
    assert.deepEqual((await session.invoke('"back"')).output, ['back']);
  });

  it('dispose leaves no process and refuses later calls', async () => {
    await session.invoke('1');
    const pids = [session.processId!, session.pid!];
    const inFlight = rejection(session.invoke('Start-Sleep -Seconds 30'));
    await new Promise((r) => setTimeout(r, 200));
    await session.dispose();
    const closed = await inFlight;
    assert.equal(closed.kind, 'disposed');
    assert.deepEqual(closed.reason, { id: 'closed' });
    assert.equal(closed.message, 'The PowerShell session was closed.');
    await eventually(() => allGone(pids), 5000, 'tree gone after dispose');
    assert.equal((await rejection(session.invoke('1'))).kind, 'disposed');
    assert.equal(session.state, 'disposed');
  });


  it('no promise was ever left rejected without a handler', async () => {
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(unhandled, []);
  });
});

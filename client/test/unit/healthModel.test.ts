// The health view's pure model: what the tree shows after polls, failures, staleness and filters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyPoll,
  createModel,
  healthSetsOf,
  isMonitorStale,
  isServerStale,
  newlyUnhealthy,
  serverAlertValue,
  summarize,
  visibleServers,
  withServers,
  type MonitorReading,
  type ServerReading,
} from '../../src/health/model';

const MINUTE = 60_000;

function monitor(name: string, healthSet: string, alertValue: string, extra: Partial<MonitorReading> = {}): MonitorReading {
  return { name, healthSet, alertValue, targetResource: '', ...extra };
}

function healthyPop(server: string): ServerReading {
  return {
    server,
    ok: true,
    monitors: [
      monitor('PopCTPMonitor', 'POP', 'Healthy'),
      monitor('PopDeepTestMonitor', 'POP.Protocol', 'Healthy'),
      monitor('PopSelfTestMonitor', 'POP.Protocol', 'Healthy'),
    ],
  };
}

describe('health model', () => {
  it('lists configured servers once each, as pending until the first poll', () => {
    const model = createModel(['EX-MBX01', 'ex-mbx01', ' EX-CAS01 ', ''], 5 * MINUTE);
    assert.deepEqual(
      model.servers.map((s) => s.name),
      ['EX-MBX01', 'EX-CAS01'],
    );
    assert.equal(serverAlertValue(model.servers[0]!), 'pending');
  });

  it('groups monitors by health set, worst first, and colours each set by its worst monitor', () => {
    const { model } = applyPoll(
      createModel(['EX-MBX01'], 5 * MINUTE),
      [
        {
          server: 'EX-MBX01',
          ok: true,
          monitors: [
            monitor('PopCTPMonitor', 'POP', 'Healthy'),
            monitor('PopSelfTestMonitor', 'POP.Protocol', 'Healthy'),
            monitor('PopDeepTestMonitor', 'POP.Protocol', 'Unhealthy', { error: 'Connection refused' }),
          ],
        },
      ],
      1_000,
    );
    const sets = healthSetsOf(model.servers[0]!);
    assert.deepEqual(
      sets.map((s) => [s.name, s.alertValue]),
      [
        ['POP.Protocol', 'Unhealthy'],
        ['POP', 'Healthy'],
      ],
    );
    assert.equal(serverAlertValue(model.servers[0]!), 'Unhealthy');
    assert.equal(sets[0]!.monitors.find((m) => m.name === 'PopDeepTestMonitor')?.identity, 'POP.Protocol\\PopDeepTestMonitor');
  });

  it('reports transitions, and only new Unhealthy monitors as newly unhealthy', () => {
    let model = createModel(['EX-MBX01'], 5 * MINUTE);
    let result = applyPoll(model, [healthyPop('EX-MBX01')], 0);
    assert.equal(result.transitions.length, 3, 'first sight of each monitor is a transition');
    assert.equal(newlyUnhealthy(result.transitions).length, 0);
    model = result.model;

    const failing: ServerReading = { server: 'EX-MBX01', ok: true, monitors: [monitor('PopCTPMonitor', 'POP', 'Healthy'), monitor('PopDeepTestMonitor', 'POP.Protocol', 'Degraded'), monitor('PopSelfTestMonitor', 'POP.Protocol', 'Healthy')] };
    result = applyPoll(model, [failing], MINUTE);
    assert.deepEqual(result.transitions.map((t) => [t.monitor.name, t.from, t.to]), [['PopDeepTestMonitor', 'Healthy', 'Degraded']]);
    model = result.model;

    const unhealthy = { ...failing, monitors: failing.monitors.map((m) => (m.name === 'PopDeepTestMonitor' ? { ...m, alertValue: 'Unhealthy' } : m)) };
    result = applyPoll(model, [unhealthy], 2 * MINUTE);
    assert.deepEqual(newlyUnhealthy(result.transitions).map((t) => t.monitor.name), ['PopDeepTestMonitor']);
    result = applyPoll(result.model, [unhealthy], 3 * MINUTE);
    assert.equal(newlyUnhealthy(result.transitions).length, 0, 'still Unhealthy is no new alert');
  });

  it('shows an unreachable server as such with its reason, keeping its last monitors as stale, never as healthy', () => {
    let { model } = applyPoll(createModel(['EX-MBX02'], 5 * MINUTE), [healthyPop('EX-MBX02')], 0);
    ({ model } = applyPoll(model, [{ server: 'EX-MBX02', ok: false, reason: 'unreachable', message: 'Connecting to remote server EX-MBX02 failed' }], MINUTE));
    const server = model.servers[0]!;
    assert.equal(serverAlertValue(server), 'unreachable');
    assert.equal(server.status.kind, 'unreachable');
    assert.equal(server.status.kind === 'unreachable' && server.status.message, 'Connecting to remote server EX-MBX02 failed');
    assert.equal(isServerStale(model, server, MINUTE), true, 'last-known monitors of an unreachable server are stale at once');
    const summary = summarize(model, MINUTE);
    assert.equal(summary.unreachable, 1);

    // The failure keeps its start time across polls.
    ({ model } = applyPoll(model, [{ server: 'EX-MBX02', ok: false, reason: 'unreachable', message: 'still' }], 4 * MINUTE));
    const again = model.servers[0]!.status;
    assert.equal(again.kind === 'unreachable' && again.since, MINUTE);
  });

  it('marks entries stale when no poll refreshed them in time', () => {
    const { model } = applyPoll(createModel(['EX-CAS01'], 5 * MINUTE), [healthyPop('EX-CAS01')], 0);
    const server = model.servers[0]!;
    assert.equal(isServerStale(model, server, 4 * MINUTE), false);
    assert.equal(isServerStale(model, server, 6 * MINUTE), true);
    assert.equal(isMonitorStale(model, server.monitors[0]!, 6 * MINUTE), true);
    assert.equal(summarize(model, 6 * MINUTE).stale, 1);
  });

  it('counts unhealthy monitors for the badge and filters to what needs attention', () => {
    const { model } = applyPoll(
      createModel(['EX-CAS01', 'EX-MBX01', 'EX-MBX02'], 5 * MINUTE),
      [
        healthyPop('EX-CAS01'),
        { server: 'EX-MBX01', ok: true, monitors: [monitor('PopDeepTestMonitor', 'POP.Protocol', 'Unhealthy'), monitor('PopSelfTestMonitor', 'POP.Protocol', 'Unhealthy'), monitor('PopCTPMonitor', 'POP', 'Healthy')] },
        { server: 'EX-MBX02', ok: false, reason: 'timeout', message: 'No answer within 20 s' },
      ],
      0,
    );
    assert.equal(summarize(model, 0).unhealthy, 2);
    assert.deepEqual(
      visibleServers(model, { unhealthyOnly: true }).map((s) => s.name),
      ['EX-MBX01', 'EX-MBX02'],
    );
    assert.deepEqual(
      healthSetsOf(model.servers[1]!, { unhealthyOnly: true }).map((s) => s.name),
      ['POP.Protocol'],
    );
  });

  it('keeps what it knows of servers that stay when the server list changes', () => {
    const { model } = applyPoll(createModel(['EX-CAS01'], 5 * MINUTE), [healthyPop('EX-CAS01')], 0);
    const next = withServers(model, ['EX-CAS01', 'EX-CAS02']);
    assert.equal(next.servers[0]!.monitors.length, 3);
    assert.equal(next.servers[1]!.status.kind, 'pending');
  });

  it('never takes an unknown AlertValue for healthy', () => {
    const { model } = applyPoll(createModel(['EX-MBX01'], 5 * MINUTE), [{ server: 'EX-MBX01', ok: true, monitors: [monitor('X', 'POP', 'SomethingNew')] }], 0);
    assert.notEqual(serverAlertValue(model.servers[0]!), 'Healthy');
  });
});

// The step runner's pure parts: the step at the cursor, a step cut into terminal and admin actions,
// what the editor marks after a run, parameter values offered by role, and the journal's Markdown.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunbookPlan, StepPlan } from '../../../server/src/protocol';
import { buildRunbookPlan } from '../../../server/src/analysis/plan';
import { RunbookLanguageService } from '../../../server/src/languageService';
import { decide } from '../../../server/src/runtime/engine';
import { incidentId, journalToMarkdown, parseJournal, toJsonLine, type JournalEntry } from '../../src/runner/journal';
import { missingParameters, roleOf, serversForKind, targetServer, withValues, type KnownServer } from '../../src/runner/parameters';
import { describeBranch, describeNext, marksFor, nextLensLine, segmentsOf, stepAtLine, type StepOutcome } from '../../src/runner/runState';

const ROOT = resolve(__dirname, '../../../..');
const POP = readFileSync(join(ROOT, 'examples/pop.exrunbook'), 'utf8');
let plan: RunbookPlan;

before(async () => {
  const service = await RunbookLanguageService.create();
  plan = buildRunbookPlan(service.analyze(POP), 'file:///pop.exrunbook');
});

const lineOf = (text: string): number => POP.split('\n').findIndex((l) => l.includes(text));
function step(procedure: string, id: string): StepPlan {
  const found = plan.procedures.find((p) => p.id === procedure)?.steps.find((s) => s.id === id);
  assert.ok(found, `${procedure}.${id} in the plan`);
  return found;
}

const SERVERS: KnownServer[] = [
  { name: 'EX-MBX02', roles: ['Mailbox'] },
  { name: 'EX-CAS01', roles: ['ClientAccess'] },
  { name: 'EX-MBX01', roles: ['Mailbox'] },
  { name: 'EX-BOTH', roles: ['Mailbox', 'ClientAccess'] },
];

describe('the step at the cursor', () => {
  it('is the step whose lines hold the cursor, on its title, command or branch', () => {
    assert.equal(stepAtLine(plan, lineOf('step rerun "Re-run the probe of PopCTPMonitor"'))?.id, 'rerun');
    assert.equal(stepAtLine(plan, lineOf('run Invoke-MonitoringProbe POP\\PopCTPProbe'))?.id, 'rerun');
    assert.equal(stepAtLine(plan, lineOf('otherwise -> recover-ctp'))?.id, 'rerun');
  });

  it('is none above the first step or on a procedure line', () => {
    assert.equal(stepAtLine(plan, 0), undefined);
    assert.equal(stepAtLine(plan, lineOf('procedure recover-ctp')), undefined);
  });
});

describe("a step's actions", () => {
  it('keep their order, the wait before the command the conditions read', () => {
    const segments = segmentsOf(step('recover-slow-commands', 'check'));
    assert.deepEqual(segments.map((s) => s.kind), ['wait', 'run']);
    const run = segments[1];
    assert.ok(run?.kind === 'run' && run.last && run.commands[0]?.capture?.pipeline.startsWith('Get-ServerHealth'));
  });

  it('show a reused step the reused actions', () => {
    const segments = segmentsOf(step('recover-ctp', 'rerun'));
    assert.ok(segments[0]?.kind === 'run');
    assert.equal(segments[0].commands[0]?.capture?.display, 'Format-List');
  });
});

describe('what the editor shows after a step', () => {
  it('marks the step as ran and its branch as met, and puts Next on that branch', () => {
    const rerun = step('verify', 'rerun');
    const decision = decide(plan, { procedure: 'verify', step: 'rerun' }, { objects: [{ ResultType: 'Failed' }] });
    assert.ok(decision.kind === 'decided' && decision.branch);
    const outcome: StepOutcome = { procedure: 'verify', step: 'rerun', status: 'succeeded', time: '2026-12-01T03:12:05.000Z', branch: decision.branch.index, next: decision.next };
    const marks = marksFor(plan, [outcome]);
    assert.deepEqual(marks.map((m) => [m.line, m.kind]), [[rerun.line, 'ran'], [lineOf('otherwise -> recover-ctp'), 'met']]);
    assert.equal(nextLensLine(plan, outcome), lineOf('otherwise -> recover-ctp'));
    assert.equal(describeNext(decision.next), 'recover-ctp.restart-pop3');
  });

  it('marks a failed run as failed and an ending branch as the end, latest outcome winning', () => {
    const base = { procedure: 'verify', step: 'rerun', time: '2026-12-01T03:00:00.000Z' };
    const decision = decide(plan, { procedure: 'verify', step: 'rerun' }, { objects: [{ ResultType: 3 }] });
    assert.ok(decision.kind === 'decided' && decision.branch);
    const marks = marksFor(plan, [
      { ...base, status: 'failed' },
      { ...base, status: 'succeeded', branch: decision.branch.index, next: decision.next },
    ]);
    assert.deepEqual(marks.map((m) => m.kind), ['ran', 'end']);
    assert.equal(describeNext(decision.next), 'resolved: The probe succeeds: the failure was transient');
  });

  it('describes a hand-over to another runbook, and marks its branch as the end of this runbook\'s run', () => {
    const handover = { kind: 'handover' as const, runbook: 'pop-protocol', uri: 'file:///w/pop-protocol.exrunbook', procedure: 'recover', step: 'restart-pop3be' };
    assert.equal(describeNext(handover), 'pop-protocol:recover.restart-pop3be');
    assert.equal(describeNext({ ...handover, uri: '', step: '' }), 'pop-protocol:recover');
    const rerun = step('verify', 'rerun');
    const branch = rerun.branches.findIndex((b) => !b.condition);
    const marks = marksFor(plan, [{ procedure: 'verify', step: 'rerun', status: 'succeeded', time: 'x', branch, next: handover }]);
    assert.deepEqual(marks.map((m) => m.kind), ['ran', 'end']);
    assert.equal(describeBranch({ line: 0, target: { kind: 'step', procedure: 'recover', step: 'restart-pop3be', runbook: 'pop-protocol', uri: handover.uri } }), 'otherwise -> pop-protocol:recover.restart-pop3be');
  });

  it('puts Next on the step itself when the run falls through', () => {
    const outcome: StepOutcome = { procedure: 'recover-ctp', step: 'log-on', status: 'succeeded', time: 'x', next: { kind: 'step', procedure: 'recover-ctp', step: 'restart-pop3-log' } };
    assert.equal(nextLensLine(plan, outcome), step('recover-ctp', 'log-on').line);
    assert.deepEqual(marksFor(plan, [{ ...outcome, status: 'declined' }]).map((m) => m.kind), ['cancelled']);
  });

  it('describes branches as written', () => {
    assert.deepEqual(step('verify', 'health').branches.map(describeBranch), [
      'when Name is PopCTPMonitor -> verify.rerun',
      'when Name is AverageCommandProcessingTimeGt60sMonitor -> verify.rerun-selftest',
      'otherwise -> resolved "No monitor of the POP health set is unhealthy any more"',
    ]);
  });
});

describe('parameter values', () => {
  it('offers only Client Access servers for cas, Mailbox servers for mailbox, all for server', () => {
    assert.deepEqual(serversForKind(SERVERS, 'cas').map((s) => s.name), ['EX-BOTH', 'EX-CAS01']);
    assert.deepEqual(serversForKind(SERVERS, 'mailbox').map((s) => s.name), ['EX-BOTH', 'EX-MBX01', 'EX-MBX02']);
    assert.equal(serversForKind(SERVERS, 'server').length, 4);
    assert.deepEqual(serversForKind(SERVERS, 'database'), []);
  });

  it('asks only for the parameters the step uses that have no value yet', () => {
    const mailboxHealth = step('recover-ctp', 'mailbox-health');
    assert.deepEqual(missingParameters(mailboxHealth, plan.parameters, {}).map((p) => p.name), ['Server', 'MailboxServer']);
    assert.deepEqual(missingParameters(mailboxHealth, plan.parameters, { server: 'EX-CAS01', MailboxServer: ' ' }).map((p) => p.name), ['MailboxServer']);
    assert.deepEqual(missingParameters(step('verify', 'rerun'), plan.parameters, { Server: 'EX-CAS01' }), []);
  });

  it('knows the role a server parameter names, from its kind or the directory', () => {
    const [server, mailbox] = plan.parameters;
    assert.ok(server && mailbox);
    assert.deepEqual(roleOf(server, 'ex-mbx01', SERVERS), ['mailbox']);
    assert.deepEqual(roleOf(server, 'EX-CAS01', SERVERS), ['cas']);
    assert.deepEqual(roleOf(server, 'EX-BOTH', SERVERS), ['mailbox', 'cas']);
    assert.equal(roleOf(server, 'EX-UNKNOWN', SERVERS), undefined);
    assert.deepEqual(roleOf(mailbox, undefined, []), ['mailbox']);
  });

  it('fills values into the command the confirmation shows, quoted, and names the target server', () => {
    const restart = step('recover-ctp', 'restart-pop3');
    assert.equal(targetServer(restart, plan.parameters, { Server: 'EX-CAS01' }), 'EX-CAS01');
    const command = restart.actions[0]?.kind === 'run' ? restart.actions[0].command : '';
    assert.equal(withValues(command, { Server: "EX-CAS01'; Stop-Computer; '" }), "Invoke-Command -ComputerName 'EX-CAS01''; Stop-Computer; ''' { Restart-Service MSExchangePOP3 }");
    assert.equal(withValues('$ServerName $Server $_', { Server: 'A' }), "$ServerName 'A' $_");
  });
});

describe('the incident journal', () => {
  const entries: JournalEntry[] = [
    { time: '2026-12-01T03:12:05.000Z', incident: 'pop-1', runbook: 'pop', uri: 'file:///pop.exrunbook', step: 'verify.rerun', title: 'Re-run the probe', server: 'EX-CAS01', command: "$Server = 'EX-CAS01'\nInvoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List", status: 'succeeded', exitCode: null, output: 'ResultType : Failed\n```injected```', branch: 'otherwise -> recover-ctp', next: 'recover-ctp.restart-pop3' },
    { time: '2026-12-01T03:13:00.000Z', incident: 'pop-1', runbook: 'pop', uri: 'file:///pop.exrunbook', step: 'recover-ctp.restart-pop3', server: 'EX-CAS01', command: 'Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }', status: 'cancelled', confirmedBy: 'admin' },
    { time: '2026-12-01T03:14:00.000Z', incident: 'pop-1', runbook: 'pop', uri: 'file:///pop.exrunbook', step: 'recover-ctp.restart-pop3', status: 'failed', exitCode: 1, confirmedBy: 'admin' },
    { time: '2026-12-01T03:20:00.000Z', incident: 'pop-1', runbook: 'pop', uri: 'file:///pop.exrunbook', status: 'resolved', next: 'resolved: Restarting the POP3 service fixed it' },
  ];

  it('survives a reload as JSON lines, skipping a line cut short by a crash', () => {
    const text = entries.map(toJsonLine).join('') + '{"time":"2026-12-01T03:21';
    assert.deepEqual(parseJournal(text), entries);
  });

  it('exports every entry, cancelled and failed included, as Markdown for the ticket', () => {
    const markdown = journalToMarkdown('pop-1', entries);
    assert.match(markdown, /^# Incident pop-1/);
    assert.equal(markdown.match(/^## /gm)?.length, 4);
    assert.match(markdown, /## 2026-12-01T03:13:00.000Z recover-ctp.restart-pop3\n\n- Status: cancelled\n- Server: EX-CAS01\n- Confirmed by: admin/);
    assert.match(markdown, /- Status: failed\n- Exit code: 1/);
    assert.match(markdown, /- Branch: otherwise -> recover-ctp/);
    assert.match(markdown, /````\nResultType : Failed\n```injected```\n````/, 'output with backticks stays inside its fence');
    assert.match(markdown, /```powershell\n\$Server = 'EX-CAS01'\nInvoke-MonitoringProbe/);
  });

  it('names incidents by runbook and UTC time', () => {
    assert.equal(incidentId('pop.proxy', new Date(Date.UTC(2026, 11, 1, 3, 4, 5))), 'pop_proxy-20261201-030405');
  });
});

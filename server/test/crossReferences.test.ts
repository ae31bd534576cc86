// Runbooks that refer to each other (`-> pop-protocol:recover`, `step again = pop:verify.rerun`):
// parsing, resolution through a workspace, diagnostics across files, flow across a reuse,
// navigation, completion, the plan and the rehearsal following a hand-over. Pure: no LSP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import type { WorkspaceIndex } from '../src/analysis/workspace';
import { bindParameters, type CommandResult, rehearse, type RehearsalHost } from '../src/cli/rehearsal';
import { parseRunbook } from '../src/language/parser';
import { applyEdits, codes, covered, fixTexts, languageService } from './helpers';

const PROTOCOL_URI = 'file:///work/runbooks/pop-protocol.exrunbook';
const POP_URI = 'file:///work/runbooks/pop.exrunbook';

// The POP.Protocol runbook: its recovery fails over and fails back.
const PROTOCOL = `runbook pop-protocol "POP.Protocol"
  healthset POP.Protocol
  param $Server: mailbox "Mailbox server"

procedure verify "Verify"
  step rerun-deep "Re-run the deep test probe"
    run Invoke-MonitoringProbe POP.Protocol\\PopDeepTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "transient"
    otherwise -> recover

procedure recover "PopDeepTestMonitor recovery" for monitor PopDeepTestMonitor, PopSelfTestMonitor
  step restart-pop3be "Restart the POP3 back-end service" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3BE }
  step again = verify.rerun-deep
    when ResultType is Succeeded -> resolved "fixed"
    otherwise -> fail-over

procedure fail-over "Move the databases off"
  step move "Move the active databases off" confirm
    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $true
  step back "Move them back" confirm
    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $false
    otherwise -> resolved
`;

/** The POP runbook, written as an admin would: no indentation, a Chinese title, a hand-over to POP.Protocol. */
function pop(body: string): string {
  return `runbook pop "POP 运行状况集"
param $Server: server "警报中的服务器"

procedure verify "Verify"
step rerun "Re-run the probe"
run Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List
when ResultType is Succeeded -> resolved
${body}
`;
}

async function workspaceOf(files: Record<string, string>): Promise<WorkspaceIndex> {
  const service = await languageService();
  const workspace = service.createWorkspace();
  for (const [uri, text] of Object.entries(files)) workspace.set(uri, text);
  return workspace;
}

async function diagnoseIn(files: Record<string, string>, uri: string, language = 'en'): Promise<Diagnostic[]> {
  const service = await languageService();
  const workspace = await workspaceOf(files);
  return service.diagnostics(service.analyze(files[uri]!, uri, workspace), uri, language);
}

function position(text: string, marker: string, offset = 1): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  assert.ok(line >= 0, marker);
  return { line, character: lines[line]!.indexOf(marker) + offset };
}

describe('cross-runbook references: the language', () => {
  it('parses runbook:procedure and runbook:procedure.step as branch targets and reuse, with exact ranges', () => {
    const text = 'runbook a "A"\nprocedure p "P"\n  step s "S"\n    otherwise -> pop-protocol:recover\n  step t = pop-protocol:verify.rerun-deep "Again"\n';
    const parsed = parseRunbook(text);
    assert.deepEqual(parsed.errors, []);
    const [s, t] = parsed.procedures[0]!.steps;
    const target = s!.branches[0]!.target;
    assert.ok(target?.kind === 'step');
    assert.equal(target.reference.runbook?.text, 'pop-protocol');
    assert.equal(target.reference.procedure, undefined);
    assert.equal(target.reference.step.text, 'recover');
    assert.deepEqual(target.reference.range, { start: { line: 3, character: 17 }, end: { line: 3, character: 37 } });
    assert.equal(t!.reuse?.runbook?.text, 'pop-protocol');
    assert.equal(t!.reuse?.procedure?.text, 'verify');
    assert.equal(t!.reuse?.step.text, 'rerun-deep');
    assert.equal(t!.title?.value, 'Again');
  });

  it('a colon with nothing after it is a syntax error that says what is expected', () => {
    const parsed = parseRunbook('runbook a "A"\nprocedure p "P"\n  step s "S"\n    otherwise -> pop:\n');
    assert.equal(parsed.errors.length, 1);
    assert.match(String(parsed.errors[0]!.message), /Expected/);
  });

  it('a correct pair of runbooks referring to each other gets no diagnostic', async () => {
    const files = { [PROTOCOL_URI]: PROTOCOL, [POP_URI]: pop('otherwise -> pop-protocol:recover') };
    assert.deepEqual(codes(await diagnoseIn(files, POP_URI)), []);
    assert.deepEqual(codes(await diagnoseIn(files, PROTOCOL_URI)), []);
  });

  it('an unknown runbook id, with did-you-mean among the workspace runbook ids', async () => {
    const text = pop('otherwise -> pop-protocl:recover');
    const found = await diagnoseIn({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text }, POP_URI);
    const diagnostic = found.find((d) => d.code === 'unknown-runbook');
    assert.ok(diagnostic, JSON.stringify(found));
    assert.equal(covered(text, diagnostic), 'pop-protocl');
    assert.match(String(diagnostic.message), /There is no runbook pop-protocl in the workspace\. Did you mean pop-protocol\?/);
    assert.deepEqual(fixTexts(diagnostic), ['pop-protocol']);
  });

  it('without the other runbook in the workspace, its id is unknown (in Chinese and Japanese too)', async () => {
    const text = pop('otherwise -> pop-protocol:recover');
    const zh = await diagnoseIn({ [POP_URI]: text }, POP_URI, 'zh-cn');
    assert.deepEqual(codes(zh), ['unknown-runbook']);
    assert.equal(String(zh[0]!.message), '工作区中没有 Runbook pop-protocol。');
    const ja = await diagnoseIn({ [POP_URI]: text }, POP_URI, 'ja');
    assert.equal(String(ja[0]!.message), 'ワークスペースに Runbook pop-protocol はありません。');
  });

  it('an unknown procedure or step of the other runbook, with its own ids suggested', async () => {
    const text = pop('when ResultType is Failed -> pop-protocol:recovr\notherwise -> pop-protocol:verify.rerun-dep');
    const found = await diagnoseIn({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text }, POP_URI);
    const targets = found.filter((d) => d.code === 'unknown-target');
    assert.deepEqual(targets.map((d) => covered(text, d)), ['recovr', 'rerun-dep']);
    assert.match(String(targets[0]!.message), /Runbook pop-protocol has no procedure recovr\. Did you mean recover\?/);
    assert.match(String(targets[1]!.message), /Procedure verify of runbook pop-protocol has no step rerun-dep\. Did you mean rerun-deep\?/);
  });

  it('two runbooks with the same id that a runbook refers to: reported on both runbook lines', async () => {
    const copy = 'file:///work/runbooks/copy.exrunbook';
    const files = { [PROTOCOL_URI]: PROTOCOL, [copy]: PROTOCOL, [POP_URI]: pop('otherwise -> pop-protocol:recover') };
    for (const uri of [PROTOCOL_URI, copy]) {
      const found = (await diagnoseIn(files, uri)).filter((d) => d.code === 'duplicate-runbook');
      assert.equal(found.length, 1, uri);
      assert.equal(covered(PROTOCOL, found[0]!), 'pop-protocol');
      assert.match(String(found[0]!.message), uri === copy ? /pop-protocol\.exrunbook/ : /copy\.exrunbook/);
    }
    // Copies nothing refers to are no problem.
    const unreferenced = { [PROTOCOL_URI]: PROTOCOL, [copy]: PROTOCOL };
    assert.deepEqual(codes(await diagnoseIn(unreferenced, PROTOCOL_URI)), []);
  });

  it('a reuse chain that cycles across files is a reuse-cycle', async () => {
    const a = 'runbook a "A"\nprocedure p "P"\n  step s = b:q.t\n';
    const b = 'runbook b "B"\nprocedure q "Q"\n  step t = a:p.s\n';
    const files = { 'file:///w/a.exrunbook': a, 'file:///w/b.exrunbook': b };
    const found = await diagnoseIn(files, 'file:///w/a.exrunbook');
    const cycle = found.find((d) => d.code === 'reuse-cycle');
    assert.ok(cycle, JSON.stringify(found));
    assert.match(String(cycle.message), /cycle of reused steps across runbooks/);
    assert.equal(covered(a, cycle), 'b:q.t');
  });
});

describe('cross-runbook references: what an analysis depends on', () => {
  it('changes for the runbooks named (through a chain of files) and those naming it, not for others', async () => {
    const a = 'runbook a "A"\nprocedure p "P"\n  step s = b:q.t\n';
    const b = 'runbook b "B"\nprocedure q "Q"\n  step t = c:r.u\n';
    const c = 'runbook c "C"\nprocedure r "R"\n  step u "U"\n    manual "x"\n';
    const other = 'runbook other "Other"\nprocedure p "P"\n  step s "S"\n    manual "x"\n';
    const workspace = await workspaceOf({ 'file:///a': a, 'file:///b': b, 'file:///c': c, 'file:///other': other });
    const service = await languageService();
    const keyOf = (uri: string, text: string): string => {
      const model = service.analyze(text, uri, workspace);
      return workspace.dependencyKey(uri, model.runbook.id?.text, model.referencedRunbooks());
    };
    const aKey = keyOf('file:///a', a);
    const otherKey = keyOf('file:///other', other);
    workspace.set('file:///c', c.replace('"x"', '"y"'));
    assert.notEqual(keyOf('file:///a', a), aKey, 'a reuses through b into c');
    assert.equal(keyOf('file:///other', other), otherKey, 'nothing names other, and it names nothing');
    const cKey = keyOf('file:///c', workspace.get('file:///c')!.model().text);
    workspace.set('file:///b', b + '\n');
    assert.notEqual(keyOf('file:///c', workspace.get('file:///c')!.model().text), cKey, 'b names c');
  });
});

describe('cross-runbook references: the flow', () => {
  it('a reused step of another runbook counts with its real commands: its failover must be undone', async () => {
    const text = pop('otherwise -> recover\nprocedure recover "Recover"\nstep move = pop-protocol:fail-over.move confirm\nstep done "Done"\nescalate "Call support"');
    const found = await diagnoseIn({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text }, POP_URI);
    const notUndone = found.find((d) => d.code === 'not-undone');
    assert.ok(notUndone, JSON.stringify(codes(found)));
    // Reported where the reuse is written: the failover's own line is in the other file.
    assert.equal(covered(text, notUndone), 'pop-protocol:fail-over.move');
    assert.match(String(notUndone.message), /DatabaseCopyActivationDisabledAndMoveNow \$true/);
  });

  it('a reused dangerous step of another runbook still needs its own confirm', async () => {
    const text = pop('otherwise -> recover\nprocedure recover "Recover"\nstep move = pop-protocol:fail-over.move\nstep back "Fail back" confirm\nrun Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $false');
    const found = await diagnoseIn({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text }, POP_URI);
    assert.ok(codes(found).includes('missing-confirm'), JSON.stringify(codes(found)));
    assert.ok(!codes(found).includes('not-undone'));
  });

  it('a hand-over to another runbook is no false not-undone: the run goes on there', async () => {
    const text = pop('otherwise -> recover\nprocedure recover "Recover"\nstep move "Move" confirm\nrun Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $true\notherwise -> pop-protocol:recover');
    const found = await diagnoseIn({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text }, POP_URI);
    assert.deepEqual(codes(found), []);
  });

  it('a Mailbox restart where another runbook hands over (after its failover) is no false restart-before-failover', async () => {
    const target = `runbook mailbox-restart "Restart the Mailbox server"
param $Server: mailbox "Mailbox server"

procedure verify "Verify"
step health "Check"
run Get-ServerHealth -Identity $Server
when all AlertValue is Healthy -> resolved

procedure restart "Restart after the failover"
step restart "Restart the Mailbox server" confirm
run Restart-Computer -ComputerName $Server -Wait -For PowerShell -Force
step back "Allow databases again" confirm
run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $false
otherwise -> resolved
`;
    const targetUri = 'file:///work/runbooks/mailbox-restart.exrunbook';
    const source = pop('otherwise -> recover\nprocedure recover "Recover"\nstep move "Move" confirm\nrun Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $true\nstep copies "Copies"\nrun Get-MailboxDatabaseCopyStatus -Server $Server\nwhen no Status is Mounted, Mounting, Dismounted, Dismounting -> mailbox-restart:restart\notherwise -> escalate');
    const files = { [targetUri]: target, [POP_URI]: source };
    assert.deepEqual(codes(await diagnoseIn(files, targetUri)), []);
    // Started by its own monitor instead, the same restart is reported: nothing moved the databases.
    const monitored = target.replace('procedure restart "Restart after the failover"', 'procedure restart "Restart after the failover" for monitor PopDeepTestMonitor');
    assert.ok(codes(await diagnoseIn({ [targetUri]: monitored, [POP_URI]: source }, targetUri)).includes('restart-before-failover'));
  });

  it('a procedure that only another runbook hands over to is reachable', async () => {
    const target = PROTOCOL.replace('procedure fail-over "Move the databases off"', 'procedure handed "Handed over"\n  step look "Look"\n    manual "Read the log"\n\nprocedure fail-over "Move the databases off"');
    const alone = await diagnoseIn({ [PROTOCOL_URI]: target }, PROTOCOL_URI);
    assert.ok(codes(alone).includes('unreachable-step'));
    const withPop = await diagnoseIn({ [PROTOCOL_URI]: target, [POP_URI]: pop('otherwise -> pop-protocol:handed') }, PROTOCOL_URI);
    const unreachable = withPop.filter((d) => d.code === 'unreachable-step').map((d) => covered(target, d));
    assert.ok(!unreachable.includes('look'), JSON.stringify(unreachable));
  });
});

describe('cross-runbook references: navigation and completion', () => {
  const text = pop('when ResultType is Failed -> again\notherwise -> pop-protocol:recover\nprocedure again "Again"\nstep rerun = pop-protocol:verify.rerun-deep');
  const files = { [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text };

  it('goes to the definition in the other runbook, of a procedure, a step and the runbook id', async () => {
    const service = await languageService();
    const model = service.analyze(text, POP_URI, await workspaceOf(files));
    const procedure = service.definition(model, POP_URI, position(text, 'pop-protocol:recover', 15));
    assert.deepEqual(procedure.map((l) => [l.uri, covered(PROTOCOL, { range: l.range } as Diagnostic)]), [[PROTOCOL_URI, 'recover']]);
    const step = service.definition(model, POP_URI, position(text, 'verify.rerun-deep', 9));
    assert.deepEqual(step.map((l) => [l.uri, covered(PROTOCOL, { range: l.range } as Diagnostic)]), [[PROTOCOL_URI, 'rerun-deep']]);
    const runbook = service.definition(model, POP_URI, position(text, 'pop-protocol:recover', 2));
    assert.deepEqual(runbook.map((l) => [l.uri, covered(PROTOCOL, { range: l.range } as Diagnostic)]), [[PROTOCOL_URI, 'pop-protocol']]);
  });

  it('finds the references of a step from the runbook that declares it, in the other file too', async () => {
    const service = await languageService();
    const model = service.analyze(PROTOCOL, PROTOCOL_URI, await workspaceOf(files));
    const found = service.references(model, PROTOCOL_URI, position(PROTOCOL, 'step rerun-deep', 6), false);
    const where = found.map((l) => `${l.uri === POP_URI ? 'pop' : 'protocol'}:${l.range.start.line}`).sort();
    assert.deepEqual(where, [`pop:${position(text, 'verify.rerun-deep').line}`, `protocol:${position(PROTOCOL, 'step again = verify.rerun-deep').line}`]);
  });

  it('renames a procedure across files, and a runbook id everywhere it is written', async () => {
    const service = await languageService();
    const model = service.analyze(text, POP_URI, await workspaceOf(files));
    const edit = service.rename(model, POP_URI, position(text, 'pop-protocol:recover', 15), 'recover-deep') as WorkspaceEdit;
    assert.ok(edit.changes);
    const renamedProtocol = applyEdits(PROTOCOL, edit.changes[PROTOCOL_URI] ?? []);
    const renamedPop = applyEdits(text, edit.changes[POP_URI] ?? []);
    assert.match(renamedProtocol, /procedure recover-deep "PopDeepTestMonitor recovery"/);
    assert.match(renamedProtocol, /otherwise -> recover-deep/);
    assert.match(renamedPop, /otherwise -> pop-protocol:recover-deep/);
    // The renamed pair is still consistent.
    assert.deepEqual(codes(await diagnoseIn({ [PROTOCOL_URI]: renamedProtocol, [POP_URI]: renamedPop }, POP_URI)), []);

    const idEdit = service.rename(model, POP_URI, position(text, 'pop-protocol:verify', 3), 'pop-deep') as WorkspaceEdit;
    const idPop = applyEdits(text, idEdit.changes![POP_URI] as TextEdit[]);
    const idProtocol = applyEdits(PROTOCOL, idEdit.changes![PROTOCOL_URI] as TextEdit[]);
    assert.match(idProtocol, /^runbook pop-deep "POP.Protocol"/);
    assert.match(idPop, /otherwise -> pop-deep:recover\n/);
    assert.match(idPop, /step rerun = pop-deep:verify\.rerun-deep/);
  });

  it('hovers a reference into another runbook with that runbook\'s step and commands', async () => {
    const service = await languageService();
    const model = service.analyze(text, POP_URI, await workspaceOf(files));
    const hover = service.hover(model, position(text, 'verify.rerun-deep', 9));
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /pop-protocol:verify\.rerun-deep/);
    assert.match(value, /PopDeepTestProbe/);
  });

  it('completes runbook ids after ->, then that runbook\'s procedures and steps after the colon', async () => {
    const service = await languageService();
    const half = pop('otherwise -> ');
    const model = service.analyze(half, POP_URI, await workspaceOf({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: half }));
    const line = position(half, 'otherwise -> ', 13);
    const labels = service.completion(model, line).map((i) => i.label);
    assert.ok(labels.includes('pop-protocol:'), JSON.stringify(labels));
    assert.ok(!labels.includes('pop:'), 'not the runbook itself');

    const after = pop('otherwise -> pop-protocol:');
    const afterModel = service.analyze(after, POP_URI, await workspaceOf({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: after }));
    const items = service.completion(afterModel, position(after, 'pop-protocol:', 13));
    const afterLabels = items.map((i) => i.label);
    assert.ok(afterLabels.includes('recover') && afterLabels.includes('verify.rerun-deep'), JSON.stringify(afterLabels));
    // The completion replaces what follows the colon only.
    const recover = items.find((i) => i.label === 'recover');
    assert.equal((recover?.textEdit as TextEdit).newText, 'recover');

    const reuse = pop('procedure again "Again"\nstep rerun = pop-protocol:');
    const reuseModel = service.analyze(reuse, POP_URI, await workspaceOf({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: reuse }));
    const reuseLabels = service.completion(reuseModel, position(reuse, 'pop-protocol:', 13)).map((i) => i.label);
    assert.ok(reuseLabels.includes('verify.rerun-deep') && !reuseLabels.includes('recover'), JSON.stringify(reuseLabels));
  });
});

describe('cross-runbook references: the plan and the rehearsal', () => {
  it('inlines a reused step of another runbook and gives a hand-over its runbook, URI, procedure and step', async () => {
    const service = await languageService();
    const text = pop('otherwise -> pop-protocol:recover\nprocedure again "Again"\nstep rerun = pop-protocol:verify.rerun-deep\nwhen ResultType is Succeeded -> resolved');
    const plan = service.runbookPlan(service.analyze(text, POP_URI, await workspaceOf({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text })), POP_URI);
    const rerun = plan.procedures.find((p) => p.id === 'again')!.steps[0]!;
    assert.equal(rerun.reuses, 'pop-protocol:verify.rerun-deep');
    assert.deepEqual(rerun.actions.map((a) => (a.kind === 'run' ? a.command : a.kind)), ['Invoke-MonitoringProbe POP.Protocol\\PopDeepTestProbe -Server $Server | Format-List']);
    const first = rerun.actions[0]!;
    assert.ok(first.kind === 'run' && first.capture?.display === 'Format-List', 'captured without Format-List');
    assert.deepEqual(rerun.parameters, ['Server']);
    const verify = plan.procedures.find((p) => p.id === 'verify')!.steps[0]!;
    assert.deepEqual(verify.branches[1]!.target, { kind: 'step', procedure: 'recover', step: 'restart-pop3be', runbook: 'pop-protocol', uri: PROTOCOL_URI });
  });

  it('keeps a hand-over to a runbook that is not in the workspace, with no URI, so a run can say where it goes on', async () => {
    const service = await languageService();
    const text = pop('otherwise -> pop-protocol:recover');
    const plan = service.runbookPlan(service.analyze(text, POP_URI, await workspaceOf({ [POP_URI]: text })), POP_URI);
    assert.deepEqual(plan.procedures[0]!.steps[0]!.branches[1]!.target, { kind: 'step', procedure: 'recover', step: '', runbook: 'pop-protocol', uri: '' });
  });

  it('the rehearsal follows a hand-over into the other runbook, carrying parameters of the same name', async () => {
    const service = await languageService();
    const text = pop('otherwise -> pop-protocol:recover');
    const workspace = await workspaceOf({ [PROTOCOL_URI]: PROTOCOL, [POP_URI]: text });
    const plan = service.runbookPlan(service.analyze(text, POP_URI, workspace), POP_URI);
    const ran: { command: string; server: string | undefined }[] = [];
    let probes = 0;
    const host: RehearsalHost = {
      async run(command, bindings, capture): Promise<CommandResult> {
        ran.push({ command, server: bindings.Server });
        // The first probe fails, the one after the restart succeeds.
        const objects = /Invoke-MonitoringProbe/.test(command) ? [{ ResultType: probes++ === 0 ? 'Failed' : 'Succeeded' }] : [];
        return capture ? { ok: true, text: '', errors: [], objects } : { ok: true, text: '', errors: [] };
      },
      async advanceClock() {},
      async rolesOf() {
        return [];
      },
    };
    const result = await rehearse(plan, host, {
      bindings: { Server: 'EX-MBX01' },
      answers: {},
      open: async (target) => {
        const other = workspace.get(target.uri);
        if (!other) return undefined;
        const otherPlan = service.runbookPlan(other.model().linked(workspace), target.uri);
        return { plan: otherPlan, bindings: bindParameters(otherPlan.parameters, {}, {}) };
      },
    });
    assert.deepEqual(result.outcome, { kind: 'resolved', reason: 'fixed' });
    assert.deepEqual(result.path.map((s) => s.step), ['verify.rerun', 'pop-protocol:recover.restart-pop3be', 'pop-protocol:recover.again']);
    assert.equal(result.path[0]!.next, 'pop-protocol:recover.restart-pop3be');
    assert.ok(ran.every((r) => r.server === 'EX-MBX01'), JSON.stringify(ran));
    assert.match(ran[1]!.command, /Restart-Service MSExchangePOP3BE/);

    // Without a way to open the other runbook, the rehearsal says where the run goes on.
    probes = 0;
    const stopped = await rehearse(plan, host, { bindings: { Server: 'EX-MBX01' }, answers: {} });
    assert.deepEqual(stopped.outcome, { kind: 'handover', runbook: 'pop-protocol', uri: PROTOCOL_URI, procedure: 'recover', step: 'restart-pop3be' });
  });
});

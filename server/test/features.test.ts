// Editor features as pure functions over the model: completion, hover, outline, navigation,
// rename, formatting, folding, CodeLens and quick fixes.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CompletionItem, Hover, MarkupContent } from 'vscode-languageserver-types';
import type { RunbookLanguageService } from '../src/languageService';
import type { RunStepArguments } from '../src/protocol';
import { applyEdits, languageService, URI } from './helpers';

const TEXT = `runbook pop "Troubleshooting the POP health set"
  healthset POP.Protocol
  param $Server: mailbox "Mailbox server named in the alert"

procedure verify "Verify the issue still exists"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Protocol\\PopDeepTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "Transient"
    otherwise -> recover

procedure recover "Deep test recovery" for monitor PopDeepTestMonitor, PopSelfTestMonitor
  step restart "Restart the POP3 back end" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3BE }
  step again = verify.rerun
    when ResultType is Succeeded -> resolved
  step escalate "Escalate"
    escalate "Contact Microsoft Support"
`;

let service: RunbookLanguageService;
const model = () => service.analyze(TEXT);
const lines = TEXT.split('\n');
/** The position just after `marker` on the first line containing it. */
function after(marker: string, occurrence = 0): { line: number; character: number } {
  let seen = 0;
  for (const [line, text] of lines.entries()) {
    const at = text.indexOf(marker);
    if (at >= 0 && seen++ === occurrence) return { line, character: at + marker.length };
  }
  throw new Error(`no ${marker}`);
}
const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');

describe('features', () => {
  before(async () => {
    service = await languageService();
  });

  describe('completion', () => {
    const at = (text: string, position: { line: number; character: number }) => labels(service.completion(service.analyze(text), position));

    it('offers the health sets after `healthset`, detailed ones first', () => {
      const items = service.completion(service.analyze('runbook x "X"\n  healthset '), { line: 1, character: 12 });
      assert.equal(items.length, 72);
      const sorted = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
      assert.ok(sorted.slice(0, 6).every((i) => /^(POP|IMAP)/.test(String(i.label))));
    });

    it('offers only the probes of the health set after `POP.Protocol\\` in Invoke-MonitoringProbe', () => {
      const text = TEXT.replace('POP.Protocol\\PopDeepTestProbe -Server', 'POP.Protocol\\ -Server');
      const position = { line: 6, character: text.split('\n')[6]!.indexOf('\\') + 1 };
      const items = at(text, position);
      assert.deepEqual(items.sort(), ['PopDeepTestProbe', 'PopSelfTestProbe']);
    });

    it('offers the parameters of a known cmdlet after `-`', () => {
      const text = TEXT.replace('-Server $Server | Format-List', '- | Format-List');
      const position = { line: 6, character: text.split('\n')[6]!.indexOf(' - |') + 2 };
      const items = at(text, position);
      assert.ok(items.includes('-Server') && items.includes('-TimeOutSeconds'), items.join(','));
      assert.ok(!items.includes('-ComputerName'));
    });

    it('offers $true and $false for a Boolean parameter, and enum values', () => {
      const text = TEXT.replace('{ Restart-Service MSExchangePOP3BE }', '{ Restart-Service MSExchangePOP3BE }\n    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow \n    run Set-ServerComponentState $Server -Component PopProxy -State  -Requester Functional');
      const textLines = text.split('\n');
      assert.deepEqual(at(text, { line: 13, character: textLines[13]!.length }), ['$true', '$false']);
      const state = at(text, { line: 14, character: textLines[14]!.indexOf('-State ') + 7 });
      assert.deepEqual(state.sort(), ['Active', 'Draining', 'Inactive']);
    });

    it('offers Exchange services where a service name goes, and cmdlets at command position', () => {
      const text = TEXT.replace('{ Restart-Service MSExchangePOP3BE }', '{ Restart-Service  }');
      const position = { line: 12, character: text.split('\n')[12]!.indexOf('Restart-Service ') + 16 };
      assert.ok(at(text, position).includes('MSExchangePOP3BE'));
      const commandStart = { line: 6, character: lines[6]!.indexOf('Invoke') + 3 };
      assert.ok(at(TEXT, commandStart).includes('Get-ServerHealth'));
    });

    it('offers declared parameters after `$`', () => {
      const text = TEXT.replace('-ComputerName $Server', '-ComputerName $');
      const position = { line: 12, character: text.split('\n')[12]!.indexOf('$') + 1 };
      assert.deepEqual(at(text, position), ['$Server']);
    });

    it('offers monitors after `for monitor`, the runbook health sets first', () => {
      const items = service.completion(model(), after('for monitor '));
      const sorted = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map((i) => i.label);
      assert.deepEqual(sorted.slice(0, 2).sort(), ['PopDeepTestMonitor', 'PopSelfTestMonitor']);
    });

    it('offers steps, procedures, resolved and escalate after `->`', () => {
      const text = TEXT.replace('otherwise -> recover', 'otherwise -> ');
      const items = at(text, { line: 8, character: text.split('\n')[8]!.length });
      for (const expected of ['rerun', 'recover', 'recover.restart', 'resolved', 'escalate']) assert.ok(items.includes(expected), expected);
    });

    it('offers properties and then their values in `when`', () => {
      const text = TEXT.replace('    when ResultType is Succeeded -> resolved "Transient"', '    when ');
      assert.ok(at(text, { line: 7, character: 9 }).includes('ResultType'));
      const values = TEXT.replace('    when ResultType is Succeeded -> resolved "Transient"', '    when ResultType is ');
      const items = at(values, { line: 7, character: '    when ResultType is '.length });
      for (const v of ['Succeeded', 'Failed', 'Timeout', 'not']) assert.ok(items.includes(v), v);
    });

    it('offers keywords by context', () => {
      assert.ok(at(TEXT + '    ', { line: lines.length - 1, character: 4 }).includes('run'));
    });

    it('ranks the Runbook skeleton first in an empty file, before the bare runbook keyword', () => {
      const items = service.completion(service.analyze(''), { line: 0, character: 0 }, 'en').sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
      assert.deepEqual(items.map((i) => [i.label, i.labelDetails?.description]), [['runbook', 'Runbook skeleton'], ['runbook', undefined]]);
      assert.match(String(items[0]!.insertText), /procedure verify[\s\S]*for monitor/);
    });

    it('offers only top-level snippets at the left margin, and step snippets inside a step', () => {
      const top = service.completion(service.analyze(TEXT + '\n'), { line: lines.length, character: 0 }, 'en');
      assert.deepEqual(top.map((i) => [i.label, i.labelDetails?.description]).sort(), [['procedure', undefined], ['procedure', 'Recovery procedure']]);
      const inStep = service.completion(service.analyze(TEXT + '    '), { line: lines.length - 1, character: 4 }, 'en').map((i) => i.label);
      for (const expected of ['run', 'failover', 'restart-service', 'when-role', 'step']) assert.ok(inStep.includes(expected), expected);
      assert.ok(!inStep.includes('runbook'));
    });
  });

  describe('hover', () => {
    it('explains a monitor in `for monitor`', () => {
      const text = hoverText(service.hover(model(), after('for monitor Pop')));
      assert.match(text, /PopDeepTestMonitor/);
      assert.match(text, /POP\.Protocol\\PopDeepTestProbe/);
    });

    it('says where a monitor\'s alert is raised once, in every language', () => {
      for (const language of ['en', 'zh-cn', 'ja']) {
        const text = hoverText(service.hover(model(), after('for monitor Pop'), language));
        const said = text.match(/raised on|发出|発行/g) ?? [];
        assert.equal(said.length, 1, `${language}: ${text}`);
      }
    });

    it('explains a probe and its health set inside PowerShell', () => {
      assert.match(hoverText(service.hover(model(), after('POP.Protocol\\PopDeep'))), /probe of the POP\.Protocol health set/);
      assert.match(hoverText(service.hover(model(), after('Invoke-MonitoringProbe POP.Pro'))), /POP\.Protocol/);
    });

    it('explains cmdlets, parameters, services, properties and values', () => {
      assert.match(hoverText(service.hover(model(), after('Invoke-Monitoring'))), /Invoke-MonitoringProbe/);
      assert.match(hoverText(service.hover(model(), after('PopDeepTestProbe -Ser'))), /-Server/);
      assert.match(hoverText(service.hover(model(), after('Restart-Service MSExch'))), /Microsoft Exchange POP3/);
      assert.match(hoverText(service.hover(model(), after('when Result'))), /ResultType/);
      assert.match(hoverText(service.hover(model(), after('is Succ'))), /Succeeded/);
    });

    it('shows a parameter declaration and a reused step', () => {
      assert.match(hoverText(service.hover(model(), after('-ComputerName $Ser'))), /Mailbox server named in the alert/);
      assert.match(hoverText(service.hover(model(), after('= verify.rer'))), /Invoke-MonitoringProbe/);
    });

    it('speaks Chinese and Japanese', () => {
      const zh = hoverText(service.hover(model(), after('for monitor Pop'), 'zh-cn'));
      const ja = hoverText(service.hover(model(), after('for monitor Pop'), 'ja'));
      assert.notEqual(zh, hoverText(service.hover(model(), after('for monitor Pop'))));
      assert.match(zh, /[\u4e00-\u9fff]/);
      assert.match(ja, /[\u3040-\u30ff]/);
    });
  });

  it('outlines the runbook: header with parameters, procedures with their steps', () => {
    const symbols = service.documentSymbols(model());
    assert.deepEqual(symbols.map((s) => s.name), ['pop', 'verify', 'recover']);
    assert.deepEqual(symbols[0]!.children?.map((c) => c.name), ['$Server']);
    assert.deepEqual(symbols[2]!.children?.map((c) => c.name), ['restart', 'again', 'escalate']);
    assert.match(symbols[2]!.detail ?? '', /PopDeepTestMonitor/);
  });

  it('goes to the definition of a step, a procedure and a parameter', () => {
    const m = model();
    const [reused] = service.definition(m, URI, after('= verify.rer'));
    assert.deepEqual(reused?.range.start, { line: 5, character: 7 });
    const [procedure] = service.definition(m, URI, after('= veri'));
    assert.deepEqual(procedure?.range.start, { line: 4, character: 10 });
    const [param] = service.definition(m, URI, after('-ComputerName $Se'));
    assert.deepEqual(param?.range.start, { line: 2, character: 8 });
  });

  it('finds the references of a step and renames it everywhere', () => {
    const m = model();
    const refs = service.references(m, URI, after('step rer'), true);
    assert.equal(refs.length, 2);
    const edit = service.rename(m, URI, after('step rer'), 'probe');
    assert.ok(!('error' in edit));
    const edits = edit.changes![URI]!;
    assert.equal(edits.length, 2);
    assert.ok(edits.every((e) => e.newText === 'probe'));
    const params = service.rename(m, URI, after('-ComputerName $Se'), '$Mailbox');
    assert.ok(!('error' in params));
    assert.equal(params.changes![URI]!.length, 3);
    assert.ok(params.changes![URI]!.every((e) => e.newText === '$Mailbox'));
    assert.ok('error' in service.rename(m, URI, after('step rer'), 'not valid'));
  });

  it('colours a comment after a line\'s content as a comment, and formats a keyword written `Step` as a step', () => {
    const text = 'runbook x "X"\nprocedure p "P # no comment"  # note\nStep a "A"\n    manual "m"\n';
    const m = service.analyze(text);
    const data = service.semanticTokens(m);
    const tokens: [number, number, number, number][] = [];
    for (let i = 0, line = 0, start = 0; i < data.length; i += 5) {
      line += data[i]!;
      start = data[i]! === 0 ? start + data[i + 1]! : data[i + 1]!;
      tokens.push([line, start, data[i + 2]!, data[i + 3]!]);
    }
    const comment = 3;
    assert.deepEqual(tokens.filter((t) => t[3] === comment), [[1, 30, 6, comment]]);
    assert.deepEqual(applyEdits(text, service.format(m)).split('\n')[2], '  Step a "A"');
  });

  it('formats to the canonical indentation without touching PowerShell continuation lines', () => {
    const messy = 'runbook x "X"\nhealthset POP\n      param $S: server "S"\n procedure p "P"\nstep a "A"\n run Invoke-Command {\n         Restart-Service MSExchangePOP3 }   \n        when answer is yes -> resolved\n';
    const m = service.analyze(messy);
    const edits = service.format(m);
    // Only indentation changes: the continuation line keeps its layout and its trailing spaces.
    assert.deepEqual(applyEdits(messy, edits).split('\n'), ['runbook x "X"', '  healthset POP', '  param $S: server "S"', 'procedure p "P"', '  step a "A"', '    run Invoke-Command {', '         Restart-Service MSExchangePOP3 }   ', '    when answer is yes -> resolved', '']);
  });

  it('folds the header, procedures, steps and multi-line commands', () => {
    const folds = service.foldingRanges(model()).map((f) => `${f.startLine}-${f.endLine}`);
    assert.ok(folds.includes('0-2'), folds.join(' '));
    assert.ok(folds.includes('4-8'));
    assert.ok(folds.includes('10-16'));
  });

  it('puts a Run step lens on every step with commands, with the commands and parameters it needs', () => {
    const lenses = service.codeLenses(model(), URI);
    const run = lenses.filter((l) => l.command?.command === 'exchangeRunbooks.runStep');
    assert.equal(run.length, 3);
    const restart = run[1]!.command!.arguments![0] as RunStepArguments;
    assert.equal(restart.confirm, true);
    assert.match(run[1]!.command!.title, /asks first/);
    assert.deepEqual(restart.commands, ['Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3BE }']);
    assert.deepEqual(restart.parameters.map((p) => p.name), ['Server']);
    const again = run[2]!.command!.arguments![0] as RunStepArguments;
    assert.match(again.commands[0]!, /^Invoke-MonitoringProbe/);
  });

  it('gives steps with nothing to run a lens that fits: answer, mark done, copy the escalation', () => {
    const text = `${TEXT}  step check "Check the log" 
    manual "Read the newest POP3 log"
  step more "More?"
    ask "Is the log empty?"
    when answer is yes -> resolved
`;
    const lenses = service.codeLenses(service.analyze(text), URI);
    const byStep = (id: string) => lenses.filter((l) => (l.command?.arguments?.[0] as RunStepArguments).step === id).map((l) => [l.command!.title, l.command!.command, l.command!.arguments![1]]);
    assert.deepEqual(byStep('escalate'), [['Copy escalation text', 'exchangeRunbooks.copyEscalation', undefined]]);
    assert.deepEqual(byStep('check'), [['✓ Mark done', 'exchangeRunbooks.markStepDone', undefined]]);
    assert.deepEqual(byStep('more'), [
      ['Answer: yes', 'exchangeRunbooks.answerStep', 'yes'],
      ['Answer: no', 'exchangeRunbooks.answerStep', 'no'],
    ]);
  });

  it('offers the diagnostics fixes as quick fixes that edit the document', () => {
    const text = TEXT.replace('for monitor PopDeepTestMonitor', 'for monitor PopTestDeepMonitor');
    const m = service.analyze(text);
    const diagnostics = service.diagnostics(m, URI);
    const actions = service.codeActions(URI, diagnostics);
    const fix = actions.find((a) => a.title === 'Change to PopDeepTestMonitor');
    assert.ok(fix, actions.map((a) => a.title).join(', '));
    assert.equal(fix.isPreferred, true);
    assert.equal(fix.edit!.changes![URI]![0]!.newText, 'PopDeepTestMonitor');
  });
});

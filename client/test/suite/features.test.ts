// The editor features of the runbook language, asked for through VS Code's own commands (the same
// path the editor's UI takes): completion, hover, outline, navigation, rename, formatting,
// folding, CodeLens and quick fixes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  applyTextEdits,
  codeOf,
  copyFixture,
  hoverText,
  labelOf,
  lineOf,
  openRunbook,
  positionOf,
  SAMPLE_RUNBOOK,
  waitFor,
  waitForDiagnostics,
  writeScratch,
} from './helpers';

/** How long to wait for a feature's answer once the server runs (the server answers in milliseconds). */
const FEATURE_TIMEOUT = 15_000;

async function completionLabels(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
  return (list?.items ?? []).map(labelOf);
}

type RunbookSymbol = vscode.DocumentSymbol & vscode.SymbolInformation;

function flatten(symbols: RunbookSymbol[]): RunbookSymbol[] {
  return symbols.flatMap((s) => [s, ...flatten((s.children ?? []) as RunbookSymbol[])]);
}

/** A symbol names a procedure or a step by its id or its title. */
function names(symbol: RunbookSymbol, idOrTitle: string): boolean {
  return symbol.name.includes(idOrTitle) || (symbol.detail ?? '').includes(idOrTitle);
}

suite('Editor features', () => {
  let sample: vscode.TextDocument;

  suiteSetup(async () => {
    await activateExtension();
    sample = await openRunbook(writeScratch('sample.exrunbook', SAMPLE_RUNBOOK));
  });

  test('completion after `healthset ` offers health sets (POP.Protocol)', async () => {
    const document = await openRunbook(writeScratch('complete-healthset.exrunbook', 'runbook t "Completion"\n  healthset \n'));
    const position = new vscode.Position(1, '  healthset '.length);
    const labels = await waitFor(async () => {
      const l = await completionLabels(document.uri, position);
      return l.length > 0 ? l : undefined;
    }, 'completion items after `healthset `', FEATURE_TIMEOUT);
    assert.ok(labels.some((l) => l === 'POP.Protocol' || l.endsWith('POP.Protocol')), `POP.Protocol is offered; got: ${labels.slice(0, 40).join(', ')}`);
  });

  test('completion of a probe in a run line offers that health set\'s probes only', async () => {
    const text = [
      'runbook t "Completion"',
      '  healthset POP.Protocol',
      '  param $Server: mailbox "Mailbox server named in the alert"',
      '',
      'procedure verify "Verify the issue still exists"',
      '  step rerun "Re-run the associated probe"',
      '    run Invoke-MonitoringProbe POP.Protocol\\',
      '',
    ].join('\n');
    const document = await openRunbook(writeScratch('complete-probe.exrunbook', text));
    const line = lineOf(document, 'Invoke-MonitoringProbe');
    const position = new vscode.Position(line, document.lineAt(line).text.length);
    const labels = await waitFor(async () => {
      const l = await completionLabels(document.uri, position);
      return l.length > 0 ? l : undefined;
    }, 'completion items after `POP.Protocol\\`', FEATURE_TIMEOUT);
    assert.ok(labels.some((l) => l.includes('PopDeepTestProbe')), `PopDeepTestProbe is offered; got: ${labels.join(', ')}`);
    assert.ok(!labels.some((l) => l.includes('PopCTPProbe')), `PopCTPProbe (health set POP) is not offered for POP.Protocol; got: ${labels.join(', ')}`);
  });

  test('hover on a monitor name shows its documentation', async () => {
    const position = positionOf(sample, 'for monitor PopCTPMonitor', 'for monitor '.length + 3);
    const text = await waitFor(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', sample.uri, position);
      const t = hoverText(hovers ?? []).trim();
      return t.length > 0 ? t : undefined;
    }, 'a hover on PopCTPMonitor', FEATURE_TIMEOUT);
    assert.match(text, /PopCTPMonitor|POP/, `the hover is about the monitor: ${text}`);
  });

  test('the outline lists procedures with their steps', async () => {
    const symbols = await waitFor(async () => {
      const s = await vscode.commands.executeCommand<RunbookSymbol[]>('vscode.executeDocumentSymbolProvider', sample.uri);
      return s && s.length > 0 ? s : undefined;
    }, 'document symbols', FEATURE_TIMEOUT);
    const all = flatten(symbols);
    for (const [procedure, steps] of [
      ['verify', ['health', 'rerun']],
      ['recover-ctp', ['restart', 'again', 'escalate']],
    ] as const) {
      const symbol = all.find((s) => names(s, procedure) && (s.children ?? []).length > 0);
      assert.ok(symbol, `a symbol for procedure ${procedure} with children; got: ${all.map((s) => s.name).join(', ')}`);
      const children = (symbol.children ?? []) as RunbookSymbol[];
      for (const step of steps) {
        assert.ok(children.some((c) => names(c, step)), `procedure ${procedure} lists step ${step}; got: ${children.map((c) => c.name).join(', ')}`);
      }
    }
  });

  test('go to definition on a reused step lands on that step', async () => {
    const position = positionOf(sample, 'verify.rerun', 'verify.'.length + 2);
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', sample.uri, position);
    assert.ok(locations && locations.length > 0, 'a definition is found');
    const first = locations[0]!;
    const range = 'targetRange' in first ? first.targetRange : first.range;
    assert.equal(range.start.line, lineOf(sample, 'step rerun'));
  });

  test('find references of a step includes the step that reuses it', async () => {
    const position = positionOf(sample, 'step rerun', 'step '.length + 1);
    const locations = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', sample.uri, position);
    const lines = (locations ?? []).map((l) => l.range.start.line);
    assert.ok(lines.includes(lineOf(sample, 'verify.rerun')), `references include the reuse; got lines ${lines.map((l) => l + 1).join(', ')}`);
  });

  test('rename of a step updates the steps that reuse it', async () => {
    const document = await openRunbook(writeScratch('rename.exrunbook', SAMPLE_RUNBOOK));
    const position = positionOf(document, 'step rerun', 'step '.length + 1);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', document.uri, position, 'probe');
    assert.ok(edit, 'a rename edit is returned');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const text = document.getText();
    assert.match(text, /step probe "Re-run the associated probe"/);
    assert.match(text, /step again = verify\.probe/);
    assert.doesNotMatch(text, /\brerun\b/);
  });

  test('Format Document indents runbook items and steps by 2, step contents by 4', async () => {
    const flat = SAMPLE_RUNBOOK.split('\n').map((line) => line.trimStart()).join('\n');
    const document = await openRunbook(writeScratch('format.exrunbook', flat));
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', document.uri, {
      tabSize: 2,
      insertSpaces: true,
    });
    assert.ok(edits && edits.length > 0, 'formatting returns edits');
    await applyTextEdits(document, edits);
    assert.equal(document.getText().trimEnd(), SAMPLE_RUNBOOK.trimEnd());
  });

  test('each procedure folds', async () => {
    const ranges = await waitFor(async () => {
      const r = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', sample.uri);
      return r && r.length > 0 ? r : undefined;
    }, 'folding ranges', FEATURE_TIMEOUT);
    for (const procedure of ['procedure verify', 'procedure recover-ctp']) {
      const line = lineOf(sample, procedure);
      assert.ok(ranges.some((r) => r.start === line && r.end > line), `a folding range starts at "${procedure}" (line ${line + 1})`);
    }
  });

  test('every step has a CodeLens that fits it: "Run step" with commands, "Copy escalation text" on an escalation', async () => {
    const stepLines = (pattern: RegExp) =>
      sample
        .getText()
        .split('\n')
        .map((text, line) => ({ text, line, next: sample.getText().split('\n')[line + 1] ?? '' }))
        .filter(({ text, next }) => /^\s*step\s/.test(text) && pattern.test(`${text}\n${next}`))
        .map(({ line }) => line);
    const lenses = await waitFor(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', sample.uri, 100);
      return l && l.length > 0 ? l : undefined;
    }, 'CodeLens', FEATURE_TIMEOUT);
    const describe = lenses.map((l) => `${l.range.start.line + 1}: ${l.command?.title}`).join('; ');
    const runLenses = lenses.filter((l) => l.command?.title.includes('Run step'));
    assert.deepEqual(
      runLenses.map((l) => l.range.start.line).sort((a, b) => a - b),
      stepLines(/\brun\b|step \w+ = /),
      `one "Run step" lens per step with commands; lenses: ${describe}`,
    );
    const escalation = lenses.filter((l) => l.command?.title === 'Copy escalation text');
    assert.deepEqual(escalation.map((l) => l.range.start.line), stepLines(/\n\s*escalate\b/), `lenses: ${describe}`);
    for (const lens of lenses) assert.ok(lens.command?.command, 'every lens runs a command');
  });

  test('quick fix replaces a misspelled monitor with PopDeepTestMonitor', async () => {
    const uri = copyFixture('monitor-names.exrunbook', 'quickfix.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'misspelt-name'), 'a misspelt-name diagnostic');
    const diagnostic = diagnostics.find((d) => codeOf(d) === 'misspelt-name')!;
    // The light bulb asks again as the editor settles (a pull may still be on its way): so does the test.
    let titles: string[] = [];
    const fix = await waitFor(
      async () => {
        const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
          'vscode.executeCodeActionProvider',
          uri,
          diagnostic.range,
          vscode.CodeActionKind.QuickFix.value,
          10,
        );
        titles = (actions ?? []).map((a) => a.title);
        return (actions ?? []).find((a) => a.title.includes('PopDeepTestMonitor'));
      },
      'a quick fix titled with PopDeepTestMonitor',
      FEATURE_TIMEOUT,
    ).catch((error: unknown) => assert.fail(`${String(error)}; got: ${titles.join('; ') || '(none)'}`));
    if (typeof fix.command === 'string') {
      // A bare Command.
      await vscode.commands.executeCommand(fix.command, ...((fix as vscode.Command).arguments ?? []));
    } else {
      const action = fix as vscode.CodeAction;
      if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), 'the fix applies');
      if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
    assert.ok(document.getText().includes('for monitor PopDeepTestMonitor'), 'the monitor name is corrected');
    assert.ok(!document.getText().includes('PopTestDeepMonitor'), 'the misspelling is gone');
    await waitForDiagnostics(uri, (d) => !d.some((x) => codeOf(x) === 'misspelt-name'), 'misspelt-name to clear after the fix');
  });
});

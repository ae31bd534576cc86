// What a runbook author sees in the editor: the examples are clean, and each defect of the broken
// fixtures is reported with its code on the right words. Codes, not messages, are asserted: they
// are the same in every display language.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/api';
import {
  activateExtension,
  codeOf,
  copyFixture,
  describeDiagnostics,
  lineOf,
  openRunbook,
  runbooksIn,
  settledDiagnostics,
  waitForDiagnostics,
  workspaceUri,
} from './helpers';

function withCode(diagnostics: vscode.Diagnostic[], code: string): vscode.Diagnostic[] {
  return diagnostics.filter((d) => codeOf(d) === code);
}

function isProblem(d: vscode.Diagnostic): boolean {
  return d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning;
}

suite('Examples', () => {
  let api: ExtensionApi;
  suiteSetup(async () => {
    api = await activateExtension();
  });

  const examples = runbooksIn('examples');
  test('examples/ holds runbooks', () => {
    assert.ok(examples.length > 0, 'the workspace copy of examples/ has *.exrunbook files');
  });

  for (const name of examples) {
    test(`examples/${name} has no errors or warnings`, async () => {
      const uri = workspaceUri('examples', name);
      await openRunbook(uri);
      const diagnostics = await settledDiagnostics(api, uri);
      const problems = diagnostics.filter(isProblem);
      assert.equal(problems.length, 0, `examples/${name} should be lint-clean, but shows:\n${describeDiagnostics(problems)}`);
    });
  }
});

suite('Diagnostics on broken runbooks', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  test('the documentation\'s misspelling PopTestDeepMonitor is misspelt-name, on the name', async () => {
    const uri = workspaceUri('fixtures', 'monitor-names.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => withCode(d, 'misspelt-name').length > 0, 'a misspelt-name diagnostic');
    const [diagnostic] = withCode(diagnostics, 'misspelt-name');
    assert.equal(diagnostic!.range.start.line, lineOf(document, 'for monitor PopTestDeepMonitor'));
    assert.equal(document.getText(diagnostic!.range), 'PopTestDeepMonitor');
    assert.equal(diagnostic!.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(diagnostic!.message.length > 0, 'the diagnostic explains itself');
  });

  test('a monitor that does not exist in `for monitor` is unknown-monitor, on the name', async () => {
    const uri = workspaceUri('fixtures', 'monitor-names.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => withCode(d, 'unknown-monitor').length > 0, 'an unknown-monitor diagnostic');
    const [diagnostic] = withCode(diagnostics, 'unknown-monitor');
    assert.equal(diagnostic!.range.start.line, lineOf(document, 'for monitor PopSelfTestMoniter'));
    assert.equal(document.getText(diagnostic!.range), 'PopSelfTestMoniter');
    assert.ok(isProblem(diagnostic!), 'an unknown monitor is an error or a warning');
  });

  test('-ProtocolLoggingEnabled on Set-PopSettings is unknown-parameter', async () => {
    const uri = workspaceUri('fixtures', 'protocol-logging.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => withCode(d, 'unknown-parameter').length > 0, 'an unknown-parameter diagnostic');
    const [diagnostic] = withCode(diagnostics, 'unknown-parameter');
    assert.equal(diagnostic!.range.start.line, lineOf(document, '-ProtocolLoggingEnabled'));
    assert.match(document.getText(diagnostic!.range), /ProtocolLoggingEnabled/);
  });

  test('a service restart in a step without `confirm` is missing-confirm', async () => {
    const uri = workspaceUri('fixtures', 'protocol-logging.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => withCode(d, 'missing-confirm').length > 0, 'a missing-confirm diagnostic');
    const stepLine = lineOf(document, 'step restart');
    const runLine = lineOf(document, 'Restart-Service MSExchangePOP3', stepLine);
    const lines = withCode(diagnostics, 'missing-confirm').map((d) => d.range.start.line);
    assert.ok(
      lines.some((line) => line === stepLine || line === runLine),
      `missing-confirm is on the restart step (line ${stepLine + 1} or ${runLine + 1}), got lines ${lines.map((l) => l + 1).join(', ')}`,
    );
  });

  test('a misspelled keyword is a syntax error and analysis goes on after it', async () => {
    const uri = workspaceUri('fixtures', 'syntax.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(
      uri,
      (d) => withCode(d, 'syntax').length > 0 && withCode(d, 'unknown-target').length > 0,
      'syntax and unknown-target diagnostics',
    );
    assert.ok(
      withCode(diagnostics, 'syntax').some((d) => d.range.start.line === lineOf(document, 'stepp health')),
      `a syntax error on the \`stepp\` line:\n${describeDiagnostics(diagnostics)}`,
    );
    // Tolerant parsing: the step after the bad line is still known, so its reference resolves.
    assert.ok(
      !diagnostics.some((d) => d.range.start.line === lineOf(document, 'step escalate') && codeOf(d) === 'syntax'),
      `the line after the error parses:\n${describeDiagnostics(diagnostics)}`,
    );
  });

  test('a branch to a step that does not exist is unknown-target, on the target', async () => {
    const uri = workspaceUri('fixtures', 'syntax.exrunbook');
    const document = await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => withCode(d, 'unknown-target').length > 0, 'an unknown-target diagnostic');
    const [diagnostic] = withCode(diagnostics, 'unknown-target');
    assert.equal(diagnostic!.range.start.line, lineOf(document, 'otherwise -> recover-nowhere'));
    assert.equal(document.getText(diagnostic!.range), 'recover-nowhere');
  });

  test('every diagnostic carries a code (display-language independent)', async () => {
    for (const fixture of runbooksIn('fixtures')) {
      const uri = workspaceUri('fixtures', fixture);
      await openRunbook(uri);
      const diagnostics = await waitForDiagnostics(uri, (d) => d.length > 0, `diagnostics for fixtures/${fixture}`);
      const uncoded = diagnostics.filter((d) => !codeOf(d));
      assert.equal(uncoded.length, 0, `fixtures/${fixture}: diagnostics without a code:\n${describeDiagnostics(uncoded)}`);
      for (const d of diagnostics) {
        assert.match(codeOf(d)!, /^[a-z][a-z0-9-]*$/, `codes are stable kebab-case ids, not text: ${codeOf(d)}`);
      }
    }
  });

  test('diagnostics follow edits: fixing the monitor name clears misspelt-name', async () => {
    const uri = copyFixture('monitor-names.exrunbook', 'follow-edits.exrunbook');
    const document = await openRunbook(uri);
    await waitForDiagnostics(uri, (d) => withCode(d, 'misspelt-name').length > 0, 'a misspelt-name diagnostic');
    const line = lineOf(document, 'for monitor PopTestDeepMonitor');
    const start = document.lineAt(line).text.indexOf('PopTestDeepMonitor');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(line, start, line, start + 'PopTestDeepMonitor'.length), 'PopDeepTestMonitor');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(uri, (d) => withCode(d, 'misspelt-name').length === 0, 'misspelt-name to disappear after the edit (no save)');
  });
});

// The first ten minutes: the walkthrough's example shows the documentation's misspelling and its
// step checks itself off once the quick fix is applied; New Runbook writes a runbook with no
// problems for the health set asked; the lint task uses the linter's problem matcher.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, describeDiagnostics, settledDiagnostics, waitFor, waitForDiagnostics } from './helpers';

suite('First run', () => {
  // The untitled runbooks these tests open are closed unsaved, so later suites see only the workspace's files.
  teardown(async () => {
    for (const document of vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.languageId === 'exchange-runbook')) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('the walkthrough example shows misspelt-name, and its quick fix ticks the step off', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('exchangeRunbooks.walkthrough.openExample');
    const editor = await waitFor(() => (vscode.window.activeTextEditor?.document.uri.path === 'pop-protocol-example.exrunbook' ? vscode.window.activeTextEditor : undefined), 'the example to open');
    const uri = editor.document.uri;
    assert.equal(editor.document.languageId, 'exchange-runbook');
    const diagnostics = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'misspelt-name'), 'the misspelling to be reported');
    const misspelt = diagnostics.find((d) => codeOf(d) === 'misspelt-name')!;
    const code = misspelt.code as { value: string; target: vscode.Uri };
    assert.match(code.target.toString(true), /docs\/language\.md#misspelt-name$/, 'the code links to its entry in the language reference');
    assert.equal(api.walkthrough.quickFixApplied, false);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, misspelt.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title.includes('PopDeepTestMonitor'));
    assert.ok(fix?.edit, `a quick fix to PopDeepTestMonitor; got ${actions.map((a) => a.title).join('; ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await waitFor(() => api.walkthrough.quickFixApplied, 'the quick-fix step to check itself off');
  });

  test('New Runbook writes a runbook for the health set asked, with no problems', async () => {
    const api = await activateExtension();
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('exchangeRunbooks.newRunbook', 'POP.Proxy');
    assert.ok(editor, 'New Runbook opened an editor');
    assert.equal(editor.document.uri.path, 'pop-proxy.exrunbook', 'Save proposes the runbook\'s own name');
    const text = editor.document.getText();
    assert.match(text, /^runbook pop-proxy "Troubleshooting the POP\.Proxy health set"$/m);
    assert.match(text, /^procedure verify /m);
    assert.match(text, /^procedure recover-popproxytest "PopProxyTestMonitor recovery" for monitor PopProxyTestMonitor$/m);
    const diagnostics = await settledDiagnostics(api, editor.document.uri);
    assert.equal(diagnostics.length, 0, describeDiagnostics(diagnostics));
  });

  test('Run Task offers "Lint runbooks" with the linter problem matcher', async () => {
    await activateExtension();
    const tasks = await vscode.tasks.fetchTasks({ type: 'exchange-runbook-lint' });
    assert.ok(tasks.length > 0, 'a lint task for the workspace folder');
    const task = tasks[0]!;
    assert.deepEqual(task.problemMatchers, ['$exchange-runbook-lint']);
    const execution = task.execution as vscode.ShellExecution;
    assert.deepEqual((execution.args ?? []).map((a) => (typeof a === 'string' ? a : a.value)), ['--no-install', 'exchange-runbook-lint', '.']);
  });
});

// "Restart Language Server" from the command palette brings checking back (runs last: it replaces
// the language client the other suites use).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, openRunbook, waitFor, waitForDiagnostics, workspaceUri } from './helpers';

suite('Restart', () => {
  test('after Restart Language Server, diagnostics are shown again', async () => {
    const api = await activateExtension();
    const before = api.languageClient;
    await vscode.commands.executeCommand('exchangeRunbooks.restartServer');
    await waitFor(() => api.languageClient !== before && api.languageClient?.isRunning(), 'a new running language client');
    const uri = workspaceUri('fixtures', 'monitor-names.exrunbook');
    await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'misspelt-name'), 'misspelt-name after the restart');
    assert.ok(diagnostics.length > 0);
  });
});

// Opening a runbook is all it takes: the extension activates, its language server starts, and its
// commands are there.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, LANGUAGE_ID, activateExtension, openRunbook, waitFor, workspaceUri } from './helpers';

suite('Activation', () => {
  test('opening a *.exrunbook file activates the extension', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed in the test host`);
    const document = await openRunbook(workspaceUri('fixtures', 'monitor-names.exrunbook'));
    assert.equal(document.languageId, LANGUAGE_ID);
    await waitFor(() => extension.isActive, 'the extension to activate on a runbook');
  });

  test('the language server is running', async () => {
    const api = await activateExtension();
    assert.ok(api.languageClient?.isRunning());
  });

  test('the extension\'s commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['exchangeRunbooks.restartServer', 'exchangeRunbooks.showLog']) {
      assert.ok(commands.includes(command), `${command} is registered`);
    }
  });
});

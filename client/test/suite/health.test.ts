// The Server Health view in real VS Code against the real Exchange simulator in real pwsh: the
// organisation shows, a scenario turns a monitor red and the badge counts it, a cure run in a
// terminal turns it green, and a killed session shows "reconnecting" and then live data again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/api';
import type { HealthModel, Monitor } from '../../src/health/model';
import type { StepRunResult } from '../../src/runner/stepRunner';
import { activateExtension, waitFor, workspaceRoot } from './helpers';

function monitorOf(model: HealthModel, server: string, name: string): Monitor | undefined {
  return model.servers.find((s) => s.name === server)?.monitors.find((m) => m.name === name);
}

suite('Server Health view on the Exchange simulator', function () {
  this.timeout(300_000);
  let api: ExtensionApi;
  let statePath: string;
  const config = () => vscode.workspace.getConfiguration('exchangeRunbooks');

  suiteSetup(async () => {
    api = await activateExtension();
    statePath = path.join(workspaceRoot(), '.simulator', 'state.json');
    fs.rmSync(path.dirname(statePath), { recursive: true, force: true });
    await config().update('simulator.statePath', statePath, vscode.ConfigurationTarget.Workspace);
    await config().update('health.pollIntervalSeconds', 5, vscode.ConfigurationTarget.Workspace);
    await config().update('simulator.scenario', 'pop3-backend-hung', vscode.ConfigurationTarget.Workspace);
    await config().update('connection.mode', 'simulator', vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    // Leave the other suites a quiet extension (no polling PowerShell) and their own world file.
    for (const key of ['connection.mode', 'simulator.statePath', 'simulator.scenario', 'health.pollIntervalSeconds']) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('shows the simulated organisation, the scenario turns PopDeepTestMonitor red and the badge counts it', async () => {
    const model = await waitFor(() => {
      const current = api.health.model;
      return monitorOf(current, 'EX-MBX01', 'PopDeepTestMonitor')?.alertValue === 'Unhealthy' ? current : undefined;
    }, 'PopDeepTestMonitor Unhealthy on EX-MBX01 in the health view', 120_000);
    assert.deepEqual(
      model.servers.map((s) => s.name).sort(),
      ['EX-CAS01', 'EX-CAS02', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03'],
    );
    assert.ok(model.servers.every((s) => s.status.kind === 'live'), 'every simulated server answers');
    assert.equal(monitorOf(model, 'EX-MBX02', 'PopDeepTestMonitor')?.alertValue, 'Healthy', 'only the scenario server is failing');
    assert.ok((api.health.badge ?? 0) >= 1, `the badge counts the unhealthy monitor (badge ${api.health.badge})`);
    assert.equal(api.health.badge, api.health.unhealthyCount());
  });

  test('finds the recovery procedures of a monitor in every runbook of the workspace, open or not', async () => {
    const found = await api.health.recoveryProcedures('PopDeepTestMonitor');
    const files = found.map((f) => path.basename(vscode.Uri.parse(f.uri).fsPath));
    assert.ok(files.includes('pop-protocol.exrunbook'), files.join(', '));
    // The fixture names it with the documentation's misspelling, PopTestDeepMonitor: still found.
    assert.ok(files.includes('monitor-names.exrunbook'), files.join(', '));
    assert.ok(!files.includes('pop.exrunbook'), 'pop.exrunbook has no procedure for PopDeepTestMonitor');
  });

  test('opens the recovery procedure of a monitor at its procedure line', async () => {
    // Other suites leave copies of the examples in scratch/: with several runbooks the admin picks
    // one from a list, which this test accepts.
    let opened: boolean | undefined;
    const opening = api.health.openRecovery('PopCTPMonitor').then((value) => (opened = value));
    await waitFor(async () => {
      if (opened === undefined) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return opened !== undefined;
    }, 'the recovery procedure to open');
    assert.ok(await opening, 'a runbook of the workspace recovers PopCTPMonitor');
    const editor = await waitFor(() => vscode.window.activeTextEditor, 'an editor');
    assert.match(editor.document.uri.path, /\.exrunbook$/);
    const line = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(line, /^procedure\s+\S+.*for monitor .*PopCTPMonitor/);
  });

  test("the recovery procedure's steps, run in the extension's terminal, turn the monitor Healthy in the view", async function () {
    this.timeout(420_000);
    // The example's recovery, step by step, through the step runner: the cure happens in the
    // terminal's own pwsh; the view's session sees it through the shared world file.
    const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'examples', 'pop-protocol.exrunbook'));
    await vscode.window.showTextDocument(document);
    const uri = document.uri.toString();
    const previous = api.runner.prompts;
    api.runner.prompts = { ...previous, value: async () => 'EX-MBX01', confirm: async () => true };
    try {
      const restart = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri, procedure: 'recover', step: 'restart-pop3be' });
      assert.equal(restart?.outcome.status, 'succeeded', `output: ${restart?.output}`);
      const probe = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri, procedure: 'recover', step: 'rerun-deep' });
      assert.match(probe?.output ?? '', /ResultType\s*:\s*Succeeded/, `the probe succeeds after the restart: ${probe?.output}`);
      await waitFor(async () => {
        await api.health.refresh();
        return monitorOf(api.health.model, 'EX-MBX01', 'PopDeepTestMonitor')?.alertValue === 'Healthy';
      }, 'PopDeepTestMonitor Healthy again in the view', 120_000);
      assert.equal(api.health.badge, undefined, 'no badge when nothing is unhealthy');
    } finally {
      api.runner.prompts = previous;
    }
  });

  test("killing the view's PowerShell shows reconnecting, then live data again", async () => {
    const pid = await waitFor(() => api.health.sessionPid, 'the PowerShell session of the view');
    const seen: string[] = [];
    const subscription = api.health.onDidUpdate((model) => seen.push(model.session.kind));
    try {
      process.kill(pid, 'SIGKILL');
      await waitFor(async () => {
        await api.health.refresh();
        return seen.includes('reconnecting');
      }, 'the view to show that the session is reconnecting', 60_000);
      await waitFor(async () => {
        await api.health.refresh();
        const model = api.health.model;
        return model.session.kind === 'live' && api.health.sessionPid !== pid && model.servers.every((s) => s.status.kind === 'live');
      }, 'live data from a new PowerShell process', 90_000);
    } finally {
      subscription.dispose();
    }
  });
});

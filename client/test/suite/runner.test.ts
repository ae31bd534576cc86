// The step runner inside VS Code, against real pwsh and the Exchange simulator: the step at the
// cursor from the palette, parameter prompts, the exact command sent to the terminal, confirm and
// cancel, the branch shown after a run (decorations and the Next lens), Ctrl+C, waits, the journal.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/api';
import type { RunnerPrompts } from '../../src/runner/prompts';
import type { StepRunResult } from '../../src/runner/stepRunner';
import { activateExtension, EXTENSION_ID, lineOf, openRunbook, waitFor, workspaceRoot, writeScratch } from './helpers';

const RUNBOOK = `runbook runner-test "Runner test"
  healthset POP
  param $Server: cas "Client Access server named in the alert"

procedure verify "Verify the issue still exists"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "The failure was transient"
    otherwise -> recover

procedure recover "PopCTPMonitor recovery" for monitor PopCTPMonitor
  step restart "Restart POP3 on the Client Access server" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }
  step again = verify.rerun "Re-run the probe"
    when ResultType is Succeeded -> resolved "Restarting POP3 fixed it"
    otherwise -> escalate "Probe output"
`;

const SLOW = `runbook slow "Slow steps"
  healthset POP
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step sleep "A command that takes long"
    run Start-Sleep -Seconds 120; Get-Service -ComputerName $Server
  step pause "Give the service time"
    wait 5 minutes
  step check "Check by hand"
    manual "Look at the POP3 log"
    otherwise -> resolved
`;

interface Calls {
  values: string[];
  confirms: string[];
}

/** Prompts that answer as the test says and record what was asked. */
function scripted(calls: Calls, answers: { value?: string; confirm?: boolean }): RunnerPrompts {
  return {
    value: async (parameter) => {
      calls.values.push(parameter.name);
      return answers.value;
    },
    confirm: async (_step, server, detail) => {
      calls.confirms.push(`${server}\n${detail}`);
      return answers.confirm ?? false;
    },
    answer: async () => 'yes',
    manual: async () => true,
    branch: async () => undefined,
  };
}

function pwshPath(extensionPath: string): string {
  const candidates = [process.env.EXR_PWSH, path.join(extensionPath, '.tools', 'pwsh', 'pwsh')].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  assert.ok(found, `pwsh not found (tried ${candidates.join(', ')}): run scripts/setup.sh`);
  return found;
}

function resetScenario(pwsh: string, extensionPath: string, statePath: string, scenario: string): Promise<void> {
  const module = path.join(extensionPath, 'simulator', 'ExchangeSimulator.psd1');
  return new Promise((resolve, reject) =>
    execFile(
      pwsh,
      ['-NoProfile', '-NonInteractive', '-Command', `Import-Module '${module.replace(/'/g, "''")}'; Reset-ExchangeSimulator -Scenario '${scenario}' | Out-Null`],
      { env: { ...process.env, EXCHANGE_SIMULATOR: '1', EXCHANGE_SIMULATOR_STATE: statePath, TERM: 'dumb', NO_COLOR: '1' }, timeout: 60_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
    ),
  );
}

suite('Step runner', () => {
  let api: ExtensionApi;
  let extensionPath: string;
  let pwsh: string;
  let statePath: string;
  const sent: string[] = [];
  let listener: vscode.Disposable;

  suiteSetup(async () => {
    api = await activateExtension();
    extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    pwsh = pwshPath(extensionPath);
    statePath = path.join(workspaceRoot(), 'scratch', 'simulator', 'state.json');
    fs.mkdirSync(path.dirname(statePath), { recursive: true });
    // The world first, then the settings that point the extension at it: each setting change
    // restarts the health view, which starts its default scenario (pop3-backend-hung) in a world
    // file that does not exist yet. Were the world reset after the settings, that start-up could
    // land after the reset and leave this suite's probes failing with "proxied to EX-MBX01 ... did
    // not answer" (seen in a clean-clone CI run).
    await resetScenario(pwsh, extensionPath, statePath, 'pop3-cas-stopped');
    const config = vscode.workspace.getConfiguration('exchangeRunbooks');
    await config.update('powershell.path', pwsh, vscode.ConfigurationTarget.Global);
    await config.update('connection.mode', 'simulator', vscode.ConfigurationTarget.Global);
    await config.update('simulator.statePath', statePath, vscode.ConfigurationTarget.Global);
    await api.health.restart();
    const world = JSON.parse(fs.readFileSync(statePath, 'utf8')) as { scenario?: string };
    assert.equal(world.scenario, 'pop3-cas-stopped', `the world this suite runs in (${statePath}) is still its own after the health view restarted`);
    // What shell integration saw typed into the terminal: the exact command of each step.
    listener = vscode.window.onDidStartTerminalShellExecution((e) => sent.push(e.execution.commandLine.value));
  });

  suiteTeardown(async () => {
    listener.dispose();
    const config = vscode.workspace.getConfiguration('exchangeRunbooks');
    for (const key of ['powershell.path', 'connection.mode', 'simulator.statePath']) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  // The first step starts the terminal: pwsh, shell integration and the simulator take 15-30 s on a loaded machine.
  test('a runbook run: parameters asked once, confirm and cancel, the branch shown, resolved, journaled', async function () {
    this.timeout(300_000);
    const document = await openRunbook(writeScratch('runner.exrunbook', RUNBOOK));
    const uri = document.uri.toString();
    const calls: Calls = { values: [], confirms: [] };
    api.runner.prompts = scripted(calls, { value: 'EX-CAS01', confirm: false });

    // "Run step" from the palette or a key binding: no arguments, the step at the cursor.
    const editor = vscode.window.activeTextEditor!;
    const probeLine = lineOf(document, 'run Invoke-MonitoringProbe');
    editor.selection = new vscode.Selection(probeLine, 4, probeLine, 4);
    const first = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep');
    assert.ok(first, 'the step at the cursor ran');
    assert.deepEqual(calls.values, ['Server'], 'the parameter was asked for');
    assert.equal(first.outcome.step, 'rerun');
    assert.equal(first.outcome.status, 'succeeded', `output: ${first.output}`);
    assert.deepEqual(first.outcome.next, { kind: 'step', procedure: 'recover', step: 'restart' }, `the failing probe leads to recovery; output: ${first.output}`);
    assert.match(first.output ?? '', /ResultType\s*:\s*Failed/, 'the admin saw the probe through Format-List');
    const typed = await waitFor(() => sent.find((c) => c.includes('Invoke-MonitoringProbe')), 'the probe command in the terminal');
    assert.ok(typed.includes("$Server = 'EX-CAS01'"), `the value is assigned as a quoted literal: ${typed}`);
    assert.ok(typed.includes('Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server'), `the command as written: ${typed}`);
    // The admin sees the step as written in one short call, not the capture plumbing.
    assert.match(typed, /^(\. \(\[scriptblock\]::Create\(\$env:EXCHANGE_RUNBOOKS_STEP\)\)\n)?\. Invoke-RunbookStep [0-9a-f]+ @\('ResultType'\) \{\n/, typed);
    assert.doesNotMatch(typed, /__exr|<<<EXR/, typed);

    // The editor shows what happened: the step ran, the otherwise branch was taken, Next on it.
    const drawn = api.runner.view.drawn(uri);
    assert.deepEqual(drawn.map((d) => [d.line, d.kind]), [[lineOf(document, 'step rerun'), 'ran'], [lineOf(document, 'otherwise -> recover'), 'met']]);
    const next = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
      return lenses?.find((l) => l.command?.title.startsWith('Next:'));
    }, 'the Next lens');
    assert.equal(next.range.start.line, lineOf(document, 'otherwise -> recover'));
    assert.match(next.command!.title, /recover\.restart/);

    // The Next lens goes to the dangerous step and runs it: the confirmation names the server and
    // the command with the value filled in; Cancel runs nothing.
    const before = sent.length;
    const declined = await vscode.commands.executeCommand<void>(next.command!.command, ...(next.command!.arguments ?? []));
    assert.equal(declined, undefined);
    assert.equal(calls.confirms.length, 1);
    assert.match(calls.confirms[0]!, /^EX-CAS01\n/);
    assert.match(calls.confirms[0]!, /Invoke-Command -ComputerName 'EX-CAS01' \{ Restart-Service MSExchangePOP3 \}/);
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, lineOf(document, 'step restart'), 'the cursor went to the step');
    assert.equal(sent.length, before, 'nothing was sent after Cancel');
    assert.equal(api.runner.view.history(uri).at(-1)?.status, 'declined');

    // Confirmed this time; the value is remembered within the incident: no second prompt.
    api.runner.prompts = scripted(calls, { value: 'NOT-ASKED', confirm: true });
    const restart = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri, procedure: 'recover', step: 'restart' });
    assert.equal(restart?.outcome.status, 'succeeded', `output: ${restart?.output}`);
    assert.deepEqual(calls.values, ['Server']);
    const again = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri, procedure: 'recover', step: 'again' });
    assert.deepEqual(again?.outcome.next, { kind: 'resolved', reason: 'Restarting POP3 fixed it' }, `output: ${again?.output}`);
    assert.ok(api.runner.view.drawn(uri).some((d) => d.kind === 'end'), 'the resolved branch is marked as the end');

    // The journal has every step, the declined one included, and the end; the incident is closed.
    assert.equal(api.journal.current(uri), undefined);
    const incident = (await api.journal.incidents()).find((id) => id.startsWith('runner-test-'));
    assert.ok(incident);
    const entries = await api.journal.entries(incident);
    assert.deepEqual(entries.map((e) => `${e.step ?? '-'} ${e.status}`), ['verify.rerun succeeded', 'recover.restart declined', 'recover.restart succeeded', 'recover.again succeeded', '- resolved']);
    assert.equal(entries[2]!.confirmedBy !== undefined, true, 'who confirmed is recorded');
    const markdown = await vscode.commands.executeCommand<vscode.TextDocument>('exchangeRunbooks.exportJournal', incident);
    assert.ok(markdown);
    assert.match(markdown.getText(), /## .* recover\.restart — Restart POP3/);
    assert.match(markdown.getText(), /Invoke-MonitoringProbe POP\\PopCTPProbe -Server \$Server \| Format-List/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test("shell integration still detects commands and their exit codes in the simulator's [SIM] terminal", async function () {
    this.timeout(120_000);
    // The terminal the first test's steps ran in: the simulator is imported there.
    const terminal = vscode.window.terminals.find((t) => t.name.startsWith('Exchange Runbooks') && t.exitStatus === undefined);
    assert.ok(terminal?.shellIntegration, 'the runner terminal has shell integration');
    const run = (command: string) =>
      new Promise<{ exitCode: number | undefined; commandLine: string; output: string }>((resolve) => {
        const execution = terminal.shellIntegration!.executeCommand(command);
        let output = '';
        const reading = (async () => {
          for await (const data of execution.read()) output += data;
        })();
        const ended = vscode.window.onDidEndTerminalShellExecution(async (e) => {
          if (e.execution !== execution) return;
          ended.dispose();
          await Promise.race([reading, new Promise((r) => setTimeout(r, 500))]);
          resolve({ exitCode: e.exitCode, commandLine: e.execution.commandLine.value, output });
        });
      });
    // [SIM] is in the prompt VS Code's integration wraps (printing the whole prompt here would send its marks mid-command).
    const prompt = await run('& $Global:__VSCodeOriginalPrompt');
    assert.match(prompt.output, /\[SIM\] PS /, `the prompt still says [SIM]: ${prompt.output}`);
    const failed = await run("Get-Item -LiteralPath '/no/such/exr/file'");
    assert.equal(failed.exitCode, 1);
    assert.equal(failed.commandLine, "Get-Item -LiteralPath '/no/such/exr/file'");
    const succeeded = await run("Get-ServerHealth -Identity EX-CAS01 | Select-Object -First 1 -ExpandProperty Server");
    assert.equal(succeeded.exitCode, 0);
    assert.equal(succeeded.commandLine, 'Get-ServerHealth -Identity EX-CAS01 | Select-Object -First 1 -ExpandProperty Server');
    assert.match(succeeded.output, /EX-CAS01/);
  });

  test('Copy commands copies the parameter assignments with the commands', async () => {
    const document = await openRunbook(writeScratch('copy.exrunbook', RUNBOOK));
    const calls: Calls = { values: [], confirms: [] };
    api.runner.prompts = scripted(calls, { value: "EX-CAS01'; Stop-Computer; '" });
    const text = await vscode.commands.executeCommand<string>('exchangeRunbooks.copyStep', { uri: document.uri.toString(), procedure: 'recover', step: 'restart' });
    assert.equal(text, "$Server = 'EX-CAS01''; Stop-Computer; '''\nInvoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }");
    assert.equal(await vscode.env.clipboard.readText(), text);
  });

  // A branch into another runbook: the runner opens it at the target step, the incident and the
  // parameter values go on there, and the journal records the hand-over.
  test('a branch into another runbook hands the run over to it', async function () {
    this.timeout(300_000);
    const target = await openRunbook(
      writeScratch(
        'handover-target.exrunbook',
        `runbook handover-target "Hand-over target"
  param $Server: cas "Client Access server"

procedure recover "Recovery in the other runbook"
  step check "Read the health again"
    run Get-ServerHealth -Identity $Server | Format-Table
    otherwise -> resolved "checked in the other runbook"
`,
      ),
    );
    const source = await openRunbook(
      writeScratch(
        'handover-source.exrunbook',
        `runbook handover-source "Hand-over source"
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step check "Read the health"
    run Get-ServerHealth -Identity $Server | Format-Table
    ask "Follow the recovery in the other runbook?"
    when answer is yes -> handover-target:recover
    otherwise -> resolved
`,
      ),
    );
    const sourceUri = source.uri.toString();
    const calls: Calls = { values: [], confirms: [] };
    api.runner.prompts = scripted(calls, { value: 'EX-CAS01' });
    // The other runbook was opened first: the server knows it when the source's plan is asked for.
    const first = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri: sourceUri, procedure: 'verify', step: 'check' });
    assert.equal(first?.outcome.next?.kind, 'handover', `output: ${first?.output}`);
    const next = first.outcome.next as { kind: 'handover'; runbook: string; uri: string; procedure: string; step: string };
    assert.equal(next.runbook, 'handover-target');
    assert.equal(vscode.Uri.parse(next.uri).fsPath, target.uri.fsPath);
    assert.deepEqual([next.procedure, next.step], ['recover', 'check']);

    // The other runbook is open at the step where the run goes on.
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === target.uri.fsPath, 'the other runbook in front');
    assert.equal(vscode.window.activeTextEditor!.selection.active.line, lineOf(target, 'step check'));
    // The source's Next lens names the other runbook.
    const lens = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', source.uri, 100);
      return lenses?.find((l) => l.command?.title.startsWith('Next, in runbook handover-target'));
    }, 'the hand-over lens');
    assert.match(lens.command!.title, /recover\.check/);

    // The incident goes on in the other runbook, with $Server not asked again.
    const incident = api.journal.current(next.uri);
    assert.ok(incident, 'the incident is open for the other runbook');
    assert.equal(api.journal.current(sourceUri), undefined);
    const done = await vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri: next.uri, procedure: 'recover', step: 'check' });
    assert.deepEqual(done?.outcome.next, { kind: 'resolved', reason: 'checked in the other runbook' }, `output: ${done?.output}`);
    assert.deepEqual(calls.values, ['Server']);
    const entries = await api.journal.entries(incident);
    assert.deepEqual(
      entries.map((e) => `${e.runbook} ${e.step ?? '-'} ${e.status}`),
      ['handover-source verify.check succeeded', 'handover-source - handed-over', 'handover-target recover.check succeeded', 'handover-target - resolved'],
    );
  });

  test('Ctrl+C cancels a running step, a wait can be skipped, and both are journaled', async function () {
    this.timeout(240_000);
    const document = await openRunbook(writeScratch('slow.exrunbook', SLOW));
    const uri = document.uri.toString();
    api.runner.prompts = scripted({ values: [], confirms: [] }, { value: 'EX-CAS01' });
    const before = sent.length;
    const running = vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri, procedure: 'verify', step: 'sleep' });
    await waitFor(() => sent.slice(before).some((c) => c.includes('Start-Sleep')), 'the slow command to start', 120_000);
    await vscode.commands.executeCommand('exchangeRunbooks.cancelStep');
    const cancelled = await running;
    assert.equal(cancelled?.outcome.status, 'cancelled');
    assert.equal(cancelled?.outcome.next, undefined, 'a cancelled step goes nowhere');

    const waiting = vscode.commands.executeCommand<StepRunResult>('exchangeRunbooks.runStep', { uri, procedure: 'verify', step: 'pause' });
    // The countdown runs until skipped; poll the command until the wait is there to skip.
    const skipped = await waitFor(async () => {
      await vscode.commands.executeCommand('exchangeRunbooks.skipWait');
      return Promise.race([waiting, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200))]);
    }, 'the wait to be skipped', 120_000);
    assert.deepEqual(skipped.outcome.next, { kind: 'step', procedure: 'verify', step: 'check' });

    const incident = api.journal.current(uri);
    assert.ok(incident);
    const entries = await api.journal.entries(incident);
    assert.deepEqual(entries.map((e) => `${e.step} ${e.status}`), ['verify.sleep cancelled', 'verify.pause succeeded']);
    assert.match(entries[1]!.note ?? '', /skipped/);
  });

  test('steps with nothing to run get lenses that fit them', async () => {
    const document = await openRunbook(vscode.Uri.file(path.join(workspaceRoot(), 'examples', 'pop.exrunbook')));
    const lenses = await waitFor(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
      return l && l.length > 0 ? l : undefined;
    }, 'CodeLens');
    const titlesAt = (text: string) => lenses.filter((l) => l.range.start.line === lineOf(document, text)).map((l) => l.command?.title);
    assert.deepEqual(titlesAt('step find-mailbox'), ['✓ Mark done']);
    assert.deepEqual(titlesAt('step copies-moving'), ['Answer: yes', 'Answer: no']);
    assert.deepEqual(titlesAt('step recover-mailbox'), ['Copy escalation text']);
    assert.deepEqual(titlesAt('step restart-pop3 "Restart the POP3 service on the Client'), ['▶ Run step (asks first)', 'Copy commands']);
  });
});

// Runs a runbook step from the editor: find PowerShell, ask for the missing parameters, confirm a
// dangerous step, run it in the target's terminal with its result read back, decide the branch with
// the runtime engine, show it, journal it. Also the lenses' other commands (mark done, answer, copy).
import { userInfo } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import {
  ANSWER_COMMAND,
  COPY_ESCALATION_COMMAND,
  COPY_STEP_COMMAND,
  MARK_DONE_COMMAND,
  LANGUAGE_ID,
  RUN_STEP_COMMAND,
  RUNBOOK_PLAN_REQUEST,
  type RunbookPlan,
  type StepParameter,
  type StepPlan,
} from '../../../server/src/protocol';
import type { ServerRole, StepFacts } from '../../../server/src/runtime/conditions';
import { choose, decide, type Decision, isEnd, type Next } from '../../../server/src/runtime/engine';
import type { RunbookLanguageClient } from '../languageClient';
import { describeNotFound, locatePowerShell, type PowerShellLocation } from '../powershell/locate';
import { assignParameter } from '../powershell/quote';
import { buildStepCall, newNonce, outputExcerpt, parseStepOutput, stepFailed } from './capture';
import { type ConnectionSettings, connectionMode } from './connection';
import type { IncidentJournal } from './incidentJournal';
import { missingParameters, roleOf, type ServerDirectory, serversForKind, stepParameters, targetServer, valueOf, withValues } from './parameters';
import { type BranchChoice, editorPrompts, type RunnerPrompts } from './prompts';
import { describeBranch, describeNext, hasRun, segmentsOf, stepAtLine, type StepOutcome, type StepStatus } from './runState';
import { RunnerTerminals } from './terminals';
import { GO_TO_STEP_COMMAND, type GoToStepArguments, RunView } from './runView';

export const CANCEL_STEP_COMMAND = 'exchangeRunbooks.cancelStep';
export const SKIP_WAIT_COMMAND = 'exchangeRunbooks.skipWait';

const VALUES_KEY = 'exchangeRunbooks.runner.parameterValues';

/** Which step: a lens's arguments (RunStepArguments or GoToStepArguments), or none for the step at the cursor. */
export interface StepReference {
  uri: string;
  procedure: string;
  step: string;
  /** Values given by the caller (the health view knows the server of the alert). */
  values?: Record<string, string>;
}

/** What a step run ended with, returned for the callers (and the in-host tests). */
export interface StepRunResult {
  outcome: StepOutcome;
  /** The exact text sent to the terminal, when something was sent. */
  sent?: string;
  output?: string;
}

interface StoredValues {
  /** The incident in which the admin gave (or confirmed) these values: within it they are not asked again. */
  incident?: string;
  asked: string[];
  values: Record<string, string>;
}

interface Preset {
  answer?: 'yes' | 'no';
  done?: boolean;
}

export class StepRunner implements vscode.Disposable {
  /** Replaceable so the in-host tests can answer the runner's questions. */
  prompts: RunnerPrompts = editorPrompts;
  readonly view: RunView;
  private readonly terminals: RunnerTerminals;
  private readonly disposables: vscode.Disposable[] = [];
  private running: { step: string; cancel: vscode.CancellationTokenSource } | undefined;
  private skipWait: (() => void) | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly client: RunbookLanguageClient,
    private readonly journal: IncidentJournal,
    private readonly directory?: ServerDirectory,
  ) {
    this.view = new RunView((uri) => this.plan(uri));
    this.terminals = new RunnerTerminals(log, () => {
      const powershell = this.powershell();
      return powershell.found ? { shellPath: powershell.path, settings: this.connection() } : undefined;
    });
    this.disposables.push(
      this.view,
      this.terminals,
      vscode.commands.registerCommand(RUN_STEP_COMMAND, (ref?: StepReference) => this.run(ref)),
      vscode.commands.registerCommand(COPY_STEP_COMMAND, (ref?: StepReference) => this.copy(ref)),
      vscode.commands.registerCommand(MARK_DONE_COMMAND, (ref?: StepReference) => this.run(ref, { done: true })),
      vscode.commands.registerCommand(ANSWER_COMMAND, (ref: StepReference | undefined, answer: 'yes' | 'no') => this.run(ref, { answer })),
      vscode.commands.registerCommand(COPY_ESCALATION_COMMAND, (ref?: StepReference) => this.copyEscalation(ref)),
      vscode.commands.registerCommand(GO_TO_STEP_COMMAND, (args: GoToStepArguments) => this.goTo(args)),
      vscode.commands.registerCommand(CANCEL_STEP_COMMAND, () => this.running?.cancel.cancel()),
      vscode.commands.registerCommand(SKIP_WAIT_COMMAND, () => this.skipWait?.()),
    );
  }

  // --- settings ---------------------------------------------------------------------------------

  private powershell(): PowerShellLocation {
    return locatePowerShell(vscode.workspace.getConfiguration('exchangeRunbooks').get<string>('powershell.path'));
  }

  private connection(): ConnectionSettings {
    const config = vscode.workspace.getConfiguration('exchangeRunbooks');
    // The health view reads the same state file: the same setting, the same default.
    const statePath = config.get<string>('simulator.statePath')?.trim() || join(this.context.globalStorageUri.fsPath, 'simulator', 'state.json');
    const settings: ConnectionSettings = {
      mode: connectionMode(config.get('connection.mode')),
      simulatorModule: this.context.asAbsolutePath(join('simulator', 'ExchangeSimulator.psd1')),
      simulatorState: statePath,
    };
    const server = config.get<string>('connection.server')?.trim();
    if (server) settings.server = server;
    settings.authentication = config.get('connection.authentication') === 'Negotiate' ? 'Negotiate' : 'Kerberos';
    return settings;
  }

  // --- finding the step ---------------------------------------------------------------------------

  /** The runbook as the language server describes it (unsaved edits included). */
  async plan(uri: string): Promise<RunbookPlan | undefined> {
    const client = this.client.languageClient;
    if (!client?.isRunning()) return undefined;
    try {
      return (await client.sendRequest<RunbookPlan | null>(RUNBOOK_PLAN_REQUEST, { uri })) ?? undefined;
    } catch (error) {
      this.log.error(`runbookPlan for ${uri} failed: ${String(error)}`);
      return undefined;
    }
  }

  private async target(ref: StepReference | undefined): Promise<{ plan: RunbookPlan; step: StepPlan } | undefined> {
    let uri: string;
    let find: (plan: RunbookPlan) => StepPlan | undefined;
    if (ref && typeof ref.uri === 'string' && ref.procedure && ref.step) {
      uri = ref.uri;
      find = (plan) => plan.procedures.find((p) => p.id === ref.procedure)?.steps.find((s) => s.id === ref.step);
    } else {
      // The palette and key bindings pass nothing: the step under the cursor.
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== LANGUAGE_ID) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a runbook and put the cursor on a step to run it.'));
        return undefined;
      }
      uri = editor.document.uri.toString();
      const line = editor.selection.active.line;
      find = (plan) => stepAtLine(plan, line);
    }
    const plan = await this.plan(uri);
    if (!plan) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The runbook could not be read: the runbook language server is not running. Run "Exchange Runbooks: Restart Language Server".'));
      return undefined;
    }
    const step = find(plan);
    if (!step) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Put the cursor on a step (its title, commands or branches) to run it.'));
      return undefined;
    }
    return { plan, step };
  }

  // --- parameters ---------------------------------------------------------------------------------

  private stored(uri: string): StoredValues {
    return this.context.workspaceState.get<Record<string, StoredValues>>(VALUES_KEY)?.[uri] ?? { asked: [], values: {} };
  }

  private async store(uri: string, stored: StoredValues): Promise<void> {
    const all = this.context.workspaceState.get<Record<string, StoredValues>>(VALUES_KEY) ?? {};
    await this.context.workspaceState.update(VALUES_KEY, { ...all, [uri]: stored });
  }

  /**
   * The values of the step's parameters. Within an incident a value given once is used again
   * silently; a new incident asks again, offering the remembered value (the next alert may be on
   * another server).
   */
  private async values(plan: RunbookPlan, step: StepPlan, given: Record<string, string> | undefined): Promise<{ values: Record<string, string>; asked: string[] } | undefined> {
    const incident = this.journal.current(plan.uri);
    const stored = this.stored(plan.uri);
    const asked = new Set(incident !== undefined && stored.incident === incident ? stored.asked.map((n) => n.toLowerCase()) : []);
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(stored.values)) if (asked.has(name.toLowerCase())) values[name] = value;
    for (const [name, value] of Object.entries(given ?? {})) {
      values[name] = value;
      asked.add(name.toLowerCase());
    }
    const servers = this.directory?.servers() ?? [];
    for (const parameter of missingParameters(step, plan.parameters, values)) {
      const initial = valueOf(stored.values, parameter.name) ?? parameter.defaultValue;
      const value = await this.prompts.value(parameter, step, serversForKind(servers, parameter.kind), initial);
      if (value === undefined) return undefined;
      values[parameter.name] = value;
      asked.add(parameter.name.toLowerCase());
    }
    return { values, asked: [...asked] };
  }

  /** Remembers the values for the runbook, as given in this incident. */
  private async remember(uri: string, incident: string | undefined, given: { values: Record<string, string>; asked: string[] }): Promise<void> {
    const stored = this.stored(uri);
    const values = { ...stored.values };
    for (const [name, value] of Object.entries(given.values)) {
      for (const key of Object.keys(values)) if (key.toLowerCase() === name.toLowerCase()) delete values[key];
      values[name] = value;
    }
    await this.store(uri, { incident, asked: given.asked, values });
  }

  private assignments(plan: RunbookPlan, step: StepPlan, values: Record<string, string>): string[] {
    return stepParameters(step, plan.parameters).flatMap((p: StepParameter) => {
      const value = valueOf(values, p.name);
      return value === undefined ? [] : [assignParameter(p.name, value)];
    });
  }

  private roles(plan: RunbookPlan, step: StepPlan, values: Record<string, string>): Record<string, ServerRole[] | undefined> {
    const servers = this.directory?.servers() ?? [];
    const roles: Record<string, ServerRole[] | undefined> = {};
    for (const branch of step.branches) {
      if (branch.condition?.kind !== 'role') continue;
      const name = branch.condition.parameter.replace(/^\$/, '');
      const parameter = plan.parameters.find((p) => p.name.toLowerCase() === name.toLowerCase());
      if (parameter) roles[name] = roleOf(parameter, valueOf(values, parameter.name), servers);
    }
    return roles;
  }

  // --- running ----------------------------------------------------------------------------------

  async run(ref: StepReference | undefined, preset: Preset = {}): Promise<StepRunResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Steps do not run in an untrusted workspace. Trust this folder to run runbook steps.'));
      return undefined;
    }
    if (this.running) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Step {0} is still running: wait for it to end, or cancel it.', this.running.step));
      return undefined;
    }
    const found = await this.target(ref);
    if (!found) return undefined;
    const { plan, step } = found;
    const name = `${step.procedure}.${step.id}`;

    // PowerShell first: say it is missing before asking anything.
    let shellPath: string | undefined;
    if (hasRun(step)) {
      const powershell = this.powershell();
      if (!powershell.found) {
        const message = describeNotFound(powershell, (text, ...args) => vscode.l10n.t(text, ...args));
        this.log.error(message);
        const settings = vscode.l10n.t('Open Settings');
        const choice = await vscode.window.showErrorMessage(message, settings);
        if (choice === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'exchangeRunbooks.powershell.path');
        return undefined;
      }
      shellPath = powershell.path;
    }

    const given = await this.values(plan, step, ref?.values);
    if (!given) return undefined;
    const values = given.values;
    const { id: incident, isNew } = await this.journal.open(plan.uri, plan.runbook);
    if (isNew) this.view.clear(plan.uri);
    await this.remember(plan.uri, incident, given);

    const settings = this.connection();
    const server = targetServer(step, plan.parameters, values);
    const assignments = this.assignments(plan, step, values);
    const commands = step.actions.flatMap((a) => (a.kind === 'run' ? [a.command] : []));
    const shown = [...assignments, ...commands].join('\n');
    const base = { runbook: plan.runbook, uri: plan.uri, step: name, title: step.title, ...(server ? { server } : {}) };

    let confirmedBy: string | undefined;
    if (step.confirm && commands.length > 0) {
      const detail = [server ? vscode.l10n.t('Server: {0}', server) : '', commands.map((c) => withValues(c, values)).join('\n')].filter(Boolean).join('\n\n');
      if (!(await this.prompts.confirm(step, server, detail))) {
        const outcome: StepOutcome = { procedure: step.procedure, step: step.id, status: 'declined', time: new Date().toISOString() };
        this.view.record(plan, outcome);
        await this.journal.record(incident, { ...base, command: shown, status: 'declined' });
        return { outcome };
      }
      confirmedBy = userName();
    }

    const cancel = new vscode.CancellationTokenSource();
    this.running = { step: name, cancel };
    try {
      return await this.execute(plan, step, { incident, values, settings, server, assignments, shellPath, confirmedBy, base, preset, cancel: cancel.token });
    } finally {
      this.running = undefined;
      cancel.dispose();
    }
  }

  private async execute(
    plan: RunbookPlan,
    step: StepPlan,
    context: {
      incident: string;
      values: Record<string, string>;
      settings: ConnectionSettings;
      server: string | undefined;
      assignments: string[];
      shellPath: string | undefined;
      confirmedBy: string | undefined;
      base: { runbook: string; uri: string; step: string; title: string; server?: string };
      preset: Preset;
      cancel: vscode.CancellationToken;
    },
  ): Promise<StepRunResult> {
    const { incident, settings, server, assignments, shellPath, confirmedBy, base, preset } = context;
    let status: StepStatus = 'succeeded';
    let objects: Record<string, unknown>[] | undefined;
    let answer: 'yes' | 'no' | undefined;
    let exitCode: number | null | undefined;
    const sent: string[] = [];
    const outputs: string[] = [];
    const notes: string[] = [];
    let readable = true;

    for (const segment of segmentsOf(step)) {
      if (status === 'cancelled' || (status === 'failed' && segment.kind === 'run')) break;
      switch (segment.kind) {
        case 'wait': {
          const waited = await this.wait(step, segment.seconds, settings, shellPath, server);
          notes.push(waited === 'skipped' ? vscode.l10n.t('Wait of {0} skipped', duration(segment.seconds)) : vscode.l10n.t('Waited {0}', duration(segment.seconds)));
          break;
        }
        case 'manual':
          if (!preset.done && !(await this.prompts.manual(step, segment.text))) status = 'cancelled';
          else if (status === 'succeeded' && !hasRun(step)) status = 'done';
          break;
        case 'ask':
          answer = preset.answer ?? (await this.prompts.answer(step, segment.question));
          if (answer === undefined) status = 'cancelled';
          else if (!hasRun(step)) status = 'answered';
          break;
        case 'escalate':
          break;
        case 'run': {
          const terminal = this.terminals.get(shellPath!, settings, server);
          if (settings.mode === 'simulator') mkdirSync(dirname(settings.simulatorState), { recursive: true });
          terminal.terminal.show(true);
          // Resolves once the shell is prepared; whether its output can be read is asked of the terminal at run time.
          await terminal.ready;
          const nonce = newNonce();
          const last = segment.commands[segment.commands.length - 1]!;
          // The terminal shows the commands as written; the step function (defined once per
          // terminal) splits off the display commands with PowerShell's parser, as the plan's
          // capture split does with tree-sitter, and captures the rest once.
          const script = buildStepCall(
            {
              nonce,
              // Parameters are assigned in the first command group only; they stay set in the shell.
              assignments: sent.length === 0 ? assignments : [],
              commands: segment.commands.map((c) => c.command),
              properties: segment.last ? last.properties : [],
            },
            { define: !terminal.defined },
          );
          sent.push(script);
          const result = await vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Notification,
              title: server ? vscode.l10n.t('Running step {0} on {1}…', step.id, server) : vscode.l10n.t('Running step {0}…', step.id),
              cancellable: true,
            },
            (_progress, token) => {
              // Cancel on the notification or by the Cancel Running Step command.
              const both = new vscode.CancellationTokenSource();
              const links = [token.onCancellationRequested(() => both.cancel()), context.cancel.onCancellationRequested(() => both.cancel())];
              return this.terminals.execute(terminal.terminal, script, both.token, true, nonce).finally(() => {
                for (const link of links) link.dispose();
                both.dispose();
              });
            },
          );
          if (result.kind === 'unread') {
            readable = false;
            status = 'unread';
            break;
          }
          const parsed = parseStepOutput(result.raw, nonce);
          // The markers came: the step function is defined in that shell.
          if (parsed.result) terminal.defined = true;
          if (parsed.text) outputs.push(parsed.text);
          if (result.kind === 'cancelled') status = 'cancelled';
          else if (result.kind === 'closed') {
            status = 'failed';
            notes.push(vscode.l10n.t('The terminal was closed while the step ran.'));
          } else if (!parsed.result) {
            // Shell integration ended the command but the markers never came: the output is not ours to read.
            readable = false;
            status = 'unread';
            exitCode = result.exitCode ?? null;
          } else {
            exitCode = parsed.result.exitCode;
            if (stepFailed(parsed.result)) status = 'failed';
            if (segment.last) objects = parsed.result.objects;
          }
          break;
        }
      }
    }

    const output = outputs.length ? outputExcerpt(outputs.join('\n')) : undefined;
    const command = sent.length ? [...assignments, ...step.actions.flatMap((a) => (a.kind === 'run' ? [a.command] : []))].join('\n') : undefined;
    const time = new Date().toISOString();
    const entry = {
      ...base,
      status,
      ...(command ? { command } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(output ? { output } : {}),
      ...(confirmedBy ? { confirmedBy } : {}),
      ...(answer ? { answer } : {}),
    };
    if (status === 'cancelled') {
      const outcome: StepOutcome = { procedure: step.procedure, step: step.id, status, time };
      this.view.record(plan, outcome, output);
      await this.journal.record(incident, { ...entry, ...(notes.length ? { note: notes.join('; ') } : {}) });
      return { outcome, sent: sent.join('\n'), ...(output ? { output } : {}) };
    }

    const position = { procedure: step.procedure, step: step.id };
    const facts: StepFacts = { roles: this.roles(plan, step, context.values) };
    if (objects) facts.objects = objects;
    if (answer) facts.answer = answer;
    let decision: Decision = decide(plan, position, facts);
    if (decision.kind === 'undecided') {
      const reason = !readable
        ? vscode.l10n.t('The output of step {0} cannot be read back here (no shell integration in this terminal, or Windows PowerShell 5.1). Read it in the terminal and pick the branch that holds.', step.id)
        : vscode.l10n.t('Step {0} did not give what its conditions need. Pick the branch that holds.', step.id);
      const choices: BranchChoice[] = decision.candidates.map((c) => ({ label: describeBranch(step.branches[c.index]!), index: c.index }));
      if (!step.branches.some((b) => !b.condition)) choices.push({ label: vscode.l10n.t('None holds: go on with {0}', describeNext(decision.fallThrough)), index: undefined });
      const picked = await this.prompts.branch(step, reason, choices);
      if (!picked) {
        const outcome: StepOutcome = { procedure: step.procedure, step: step.id, status, time };
        this.view.record(plan, outcome, output);
        await this.journal.record(incident, { ...entry, note: [...notes, vscode.l10n.t('No branch was picked.')].join('; ') });
        return { outcome, sent: sent.join('\n'), ...(output ? { output } : {}) };
      }
      decision = choose(plan, position, picked.index);
      notes.push(vscode.l10n.t('Branch picked by {0}', userName()));
    }
    if (decision.kind !== 'decided') throw new Error('unreachable: a chosen branch is decided');
    const outcome: StepOutcome = { procedure: step.procedure, step: step.id, status, time, next: decision.next };
    if (decision.branch) outcome.branch = decision.branch.index;
    this.view.record(plan, outcome, output);
    const branch = decision.branch ? describeBranch(step.branches[decision.branch.index]!) : vscode.l10n.t('no branch holds: next step');
    await this.journal.record(incident, { ...entry, branch, next: describeNext(decision.next), ...(notes.length ? { note: notes.join('; ') } : {}) });
    if (decision.next.kind === 'handover') await this.handOver(plan, incident, decision.next, context.values, server);
    else if (isEnd(decision.next)) await this.end(plan, incident, decision.next, server);
    return { outcome, sent: sent.join('\n'), ...(output ? { output } : {}) };
  }

  /** A skippable countdown; skipping in simulator mode moves the simulator's clock on instead. */
  private async wait(step: StepPlan, seconds: number, settings: ConnectionSettings, shellPath: string | undefined, server: string | undefined): Promise<'waited' | 'skipped'> {
    const started = Date.now();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Step {0}: waiting {1}', step.id, duration(seconds)), cancellable: true },
      (progress, token) =>
        new Promise<'waited' | 'skipped'>((resolve) => {
          let reported = 0;
          const finish = (how: 'waited' | 'skipped'): void => {
            clearInterval(timer);
            this.skipWait = undefined;
            resolve(how);
          };
          const tick = (): void => {
            const elapsed = (Date.now() - started) / 1000;
            if (elapsed >= seconds) return finish('waited');
            const percent = Math.min(100, (elapsed / seconds) * 100);
            progress.report({ message: vscode.l10n.t('{0} left. Cancel skips the wait.', duration(Math.ceil(seconds - elapsed))), increment: percent - reported });
            reported = percent;
          };
          const timer = setInterval(tick, 1000);
          tick();
          this.skipWait = () => finish('skipped');
          token.onCancellationRequested(() => finish('skipped'));
        }),
    );
    const remaining = Math.ceil(seconds - (Date.now() - started) / 1000);
    const powershell = shellPath ?? (settings.mode === 'simulator' ? this.powershell() : undefined);
    const executable = typeof powershell === 'string' ? powershell : powershell?.found ? powershell.path : undefined;
    if (result === 'skipped' && settings.mode === 'simulator' && executable && remaining > 0) {
      if (settings.mode === 'simulator') mkdirSync(dirname(settings.simulatorState), { recursive: true });
      const terminal = this.terminals.get(executable, settings, server);
      if (await terminal.ready) await this.terminals.execute(terminal.terminal, `Step-ExchangeSimulatorClock -Seconds ${remaining}`);
    }
    return result;
  }

  /**
   * A branch into another runbook: the journal records the hand-over, the incident and the values
   * of parameters with the same name go on in that runbook, and it opens at the step where the
   * run goes on (its "Run step" lens runs it).
   */
  private async handOver(plan: RunbookPlan, incident: string, next: Extract<Next, { kind: 'handover' }>, values: Record<string, string>, server: string | undefined): Promise<void> {
    await this.journal.record(incident, { runbook: plan.runbook, uri: plan.uri, status: 'handed-over', next: describeNext(next), ...(server ? { server } : {}) });
    if (!next.uri) {
      // No runbook of the workspace has that id (the editor marks the reference): the run ends here.
      await this.journal.close(plan.uri);
      void vscode.window.showWarningMessage(vscode.l10n.t('The run goes on in runbook {0} at {1}, which is not in this workspace.', next.runbook, next.step ? `${next.procedure}.${next.step}` : next.procedure));
      return;
    }
    await this.journal.handOver(plan.uri, next.uri, incident);
    await this.remember(next.uri, incident, { values, asked: Object.keys(values) });
    await this.goTo({ uri: next.uri, procedure: next.procedure, step: next.step, run: false });
  }

  /** The run ended (resolved, escalate, or past the last step): say so, journal it, close the incident. */
  private async end(plan: RunbookPlan, incident: string, next: Exclude<Next, { kind: 'step' }>, server: string | undefined): Promise<void> {
    const status = next.kind === 'resolved' ? 'resolved' : next.kind === 'escalate' ? 'escalated' : 'ended';
    await this.journal.record(incident, { runbook: plan.runbook, uri: plan.uri, status, next: describeNext(next), ...(server ? { server } : {}) });
    await this.journal.close(plan.uri);
    const exportJournal = vscode.l10n.t('Export Incident Journal');
    const reason = 'reason' in next && next.reason ? next.reason : '';
    if (next.kind === 'escalate') {
      const copy = vscode.l10n.t('Copy Escalation Text');
      void vscode.window
        .showWarningMessage(vscode.l10n.t('Run of {0} ended: escalate. {1}', plan.title, reason), copy, exportJournal)
        .then((choice) => (choice === copy ? vscode.env.clipboard.writeText(escalationText(plan, reason, server)) : choice === exportJournal ? vscode.commands.executeCommand('exchangeRunbooks.exportJournal', incident) : undefined));
      return;
    }
    const message = next.kind === 'resolved' ? vscode.l10n.t('Run of {0} ended: resolved. {1}', plan.title, reason) : vscode.l10n.t('Run of {0} ended after its last step without resolved or escalate.', plan.title);
    void vscode.window.showInformationMessage(message, exportJournal).then((choice) => (choice === exportJournal ? vscode.commands.executeCommand('exchangeRunbooks.exportJournal', incident) : undefined));
  }

  // --- the other lenses ---------------------------------------------------------------------------

  /** "Copy commands": the parameter assignments and the commands, so the pasted text runs as is. */
  async copy(ref: StepReference | undefined): Promise<string | undefined> {
    const found = await this.target(ref);
    if (!found) return undefined;
    const { plan, step } = found;
    const commands = step.actions.flatMap((a) => (a.kind === 'run' ? [a.command] : []));
    if (commands.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Step {0} has no command to copy.', step.id));
      return undefined;
    }
    const given = await this.values(plan, step, ref?.values);
    if (!given) return undefined;
    await this.remember(plan.uri, this.journal.current(plan.uri), given);
    const text = [...this.assignments(plan, step, given.values), ...commands].join('\n');
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the commands of step {0}.', step.id));
    return text;
  }

  /** "Copy escalation text" on an escalate step: copies what to hand over, and ends the run there. */
  private async copyEscalation(ref: StepReference | undefined): Promise<void> {
    const found = await this.target(ref);
    if (!found) return;
    const { plan, step } = found;
    const action = step.actions.find((a) => a.kind === 'escalate');
    const server = targetServer(step, plan.parameters, this.stored(plan.uri).values);
    await vscode.env.clipboard.writeText(escalationText(plan, action?.kind === 'escalate' ? action.text : step.title, server));
    if (vscode.workspace.isTrusted && !hasRun(step)) await this.run(ref);
  }

  private async goTo(args: GoToStepArguments): Promise<void> {
    const plan = await this.plan(args.uri);
    const step = plan?.procedures.find((p) => p.id === args.procedure)?.steps.find((s) => s.id === args.step);
    if (!step) return;
    const editor = await vscode.window.showTextDocument(vscode.Uri.parse(args.uri), { preview: false });
    const position = new vscode.Position(step.line, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (args.run) await this.run({ uri: args.uri, procedure: args.procedure, step: args.step });
  }

  dispose(): void {
    this.running?.cancel.cancel();
    for (const d of this.disposables) d.dispose();
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '?';
  }
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}:${String(s).padStart(2, '0')}` : vscode.l10n.t('{0} s', s);
}

function escalationText(plan: RunbookPlan, text: string, server: string | undefined): string {
  return [text, vscode.l10n.t('Runbook: {0} ({1})', plan.title, plan.runbook), server ? vscode.l10n.t('Server: {0}', server) : ''].filter(Boolean).join('\n');
}

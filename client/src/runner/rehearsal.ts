// "Rehearse against the simulator": runs the `exchange-runbook rehearse` engine on the runbook in
// the editor against a fresh simulator scenario (asking the admin the runbook's `ask` questions
// as the rehearsal reaches them) and writes the path taken and the verdict into the incident journal.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../../../server/src/protocol';
import { describeNotFound, locatePowerShell } from '../powershell/locate';
import type { IncidentJournal } from './incidentJournal';
import { incidentId } from './journal';

export const REHEARSE_COMMAND = 'exchangeRunbooks.rehearse';

/** The scenarios the simulator's contract names; used when the simulator cannot list its own. */
const KNOWN_SCENARIOS = ['pop3-cas-stopped', 'pop3-backend-hung', 'pop-proxy-fault', 'pop-slow-commands', 'pop-transient', 'healthy'];

/** What `exchange-runbook rehearse --format json` prints (the fields the editor shows). */
export interface RehearsalReport {
  runbook: string;
  scenario: string;
  server?: string;
  rehearsal: {
    path: { step: string; title: string; actions: string[]; output?: string; errors: string[]; branch?: string; next: string }[];
    outcome: { kind: string; reason?: string; step?: string; question?: string; parameter?: string; error?: string };
  };
  monitor?: { name: string; server: string; alertValues: string[]; healthy: boolean };
  passed: boolean;
}

export interface RehearsalArguments {
  uri?: string;
  scenario?: string;
  answers?: Record<string, 'yes' | 'no'>;
}

export class Rehearsal implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly journal: IncidentJournal,
  ) {
    this.disposables.push(vscode.commands.registerCommand(REHEARSE_COMMAND, (args?: RehearsalArguments) => this.rehearse(args)));
  }

  async rehearse(args: RehearsalArguments = {}): Promise<RehearsalReport | undefined> {
    if (!vscode.workspace.isTrusted) {
      // The rehearsal runs the runbook's commands for real (only Exchange's cmdlets are simulated).
      void vscode.window.showErrorMessage(vscode.l10n.t('Rehearsals do not run in an untrusted workspace. Trust this folder to rehearse runbooks.'));
      return undefined;
    }
    const document = args.uri
      ? await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri))
      : vscode.window.activeTextEditor?.document.languageId === LANGUAGE_ID
        ? vscode.window.activeTextEditor.document
        : undefined;
    if (!document) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a runbook to rehearse it.'));
      return undefined;
    }
    const powershell = locatePowerShell(vscode.workspace.getConfiguration('exchangeRunbooks').get<string>('powershell.path'));
    if (!powershell.found) {
      void vscode.window.showErrorMessage(describeNotFound(powershell, (text, ...args) => vscode.l10n.t(text, ...args)));
      return undefined;
    }
    const scenario =
      args.scenario ??
      (await vscode.window.showQuickPick(KNOWN_SCENARIOS, {
        title: vscode.l10n.t('Rehearse against the simulator'),
        placeHolder: vscode.l10n.t('Which simulator scenario?'),
        ignoreFocusOut: true,
      }));
    if (!scenario) return undefined;

    // The editor's text, saved or not, is what gets rehearsed.
    const folder = mkdtempSync(join(tmpdir(), 'exr-rehearse-'));
    const file = join(folder, basename(document.uri.fsPath) || 'runbook.exrunbook');
    writeFileSync(file, document.getText());
    const answers: Record<string, 'yes' | 'no'> = { ...args.answers };
    try {
      for (;;) {
        const report = await this.invoke(file, scenario, answers, powershell.path);
        if (!report) return undefined;
        const { outcome } = report.rehearsal;
        // An `ask` the rehearsal reached: the admin answers it, as in a real run, and the rehearsal starts again.
        if (outcome.kind === 'unanswered' && outcome.step && !(outcome.step in answers) && args.answers === undefined) {
          const yes = vscode.l10n.t('Yes');
          const no = vscode.l10n.t('No');
          const choice = await vscode.window.showQuickPick([yes, no], { title: vscode.l10n.t('Step {0}: {1}', outcome.step, outcome.question ?? ''), ignoreFocusOut: true });
          if (choice) {
            answers[outcome.step] = choice === yes ? 'yes' : 'no';
            continue;
          }
        }
        await this.record(document.uri.toString(), report);
        return report;
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  private invoke(file: string, scenario: string, answers: Record<string, 'yes' | 'no'>, pwsh: string): Promise<RehearsalReport | undefined> {
    // The rehearsal bundle ships in the .vsix and runs on its own (the npm package's bin wraps it).
    const cli = this.context.asAbsolutePath(join('dist', 'rehearse.js'));
    const argv = [cli, file, '--scenario', scenario, '--format', 'json', ...Object.entries(answers).flatMap(([step, a]) => ['--answer', `${step}=${a}`])];
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Rehearsing {0} against scenario {1}…', basename(file), scenario), cancellable: true },
        (_progress, token) =>
          new Promise<RehearsalReport | undefined>((resolve) => {
            // The extension host's executable runs scripts as Node when asked to (Electron in desktop VS Code).
            const child = execFile(
              process.execPath,
              argv,
              { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', EXR_PWSH: pwsh, TERM: 'dumb', NO_COLOR: '1' }, maxBuffer: 32 * 1024 * 1024 },
              (error, stdout, stderr) => {
                if (token.isCancellationRequested) return resolve(undefined);
                try {
                  resolve(JSON.parse(stdout) as RehearsalReport);
                } catch {
                  const message = (stderr || (error ? error.message : '') || stdout).trim();
                  this.log.error(`Rehearsal failed: ${message}`);
                  void vscode.window.showErrorMessage(vscode.l10n.t('The rehearsal could not run: {0}', message.split('\n')[0] ?? ''));
                  resolve(undefined);
                }
              },
            );
            token.onCancellationRequested(() => child.kill());
          }),
      ),
    );
  }

  /** Every step the rehearsal took, and its verdict, as one incident of the journal. */
  private async record(uri: string, report: RehearsalReport): Promise<void> {
    const incident = incidentId(`${report.runbook}-rehearsal`, new Date());
    const base = { runbook: report.runbook, uri, ...(report.server ? { server: report.server } : {}) };
    this.journal.channel.info(`── ${vscode.l10n.t('Rehearsal of {0} against scenario {1}', report.runbook, report.scenario)}`);
    for (const step of report.rehearsal.path) {
      await this.journal.record(incident, {
        ...base,
        step: step.step,
        title: step.title,
        status: step.errors.length ? 'failed' : 'rehearsed',
        ...(step.actions.length ? { command: step.actions.join('\n') } : {}),
        ...(step.output ? { output: step.output } : {}),
        ...(step.branch ? { branch: step.branch } : {}),
        next: step.next,
        ...(step.errors.length ? { note: step.errors.join('\n') } : {}),
      });
    }
    const { outcome } = report.rehearsal;
    const health = report.monitor ? vscode.l10n.t('{0} on {1}: {2}', report.monitor.name, report.monitor.server, report.monitor.alertValues.join(', ') || '?') : '';
    const verdict = report.passed ? vscode.l10n.t('Rehearsal passed: the runbook cured scenario {0}.', report.scenario) : vscode.l10n.t('Rehearsal failed: the runbook did not cure scenario {0}.', report.scenario);
    const status = outcome.kind === 'resolved' ? 'resolved' : outcome.kind === 'escalate' ? 'escalated' : 'ended';
    await this.journal.record(incident, { ...base, status, next: [outcome.kind, outcome.reason ?? outcome.step ?? ''].filter(Boolean).join(': '), note: [verdict, health].filter(Boolean).join(' ') });
    this.journal.channel.show(true);
    const exportJournal = vscode.l10n.t('Export Incident Journal');
    const shown = report.passed ? vscode.window.showInformationMessage(verdict, exportJournal) : vscode.window.showWarningMessage(`${verdict} ${health}`, exportJournal);
    void shown.then((choice) => (choice === exportJournal ? vscode.commands.executeCommand('exchangeRunbooks.exportJournal', incident) : undefined));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

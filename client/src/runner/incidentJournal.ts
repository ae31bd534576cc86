// The incident journal in the editor: every step run (cancelled and failed included) is written as a
// JSON line to the incident's file in workspace storage, shown live in a LogOutputChannel, and
// "Export Incident Journal" turns an incident into Markdown for the ticket.
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type EntryStatus, incidentId, type JournalEntry, journalToMarkdown, type MarkdownLabels, parseJournal, toJsonLine } from './journal';

const ACTIVE_KEY = 'exchangeRunbooks.journal.activeIncidents';
export const EXPORT_JOURNAL_COMMAND = 'exchangeRunbooks.exportJournal';
export const SHOW_JOURNAL_COMMAND = 'exchangeRunbooks.showJournal';

export type NewEntry = Omit<JournalEntry, 'time' | 'incident'>;

function labels(): MarkdownLabels {
  const t = vscode.l10n.t;
  return {
    heading: t('Incident {0}', '{0}'),
    runbook: t('Runbook'),
    server: t('Server'),
    status: t('Status'),
    exitCode: t('Exit code'),
    confirmedBy: t('Confirmed by'),
    answer: t('Answer'),
    branch: t('Branch'),
    next: t('Next'),
    output: t('Output'),
    note: t('Note'),
    statuses: {
      succeeded: t('succeeded'),
      failed: t('failed'),
      cancelled: t('cancelled'),
      declined: t('declined at confirmation (nothing ran)'),
      unread: t('sent (output not read back)'),
      done: t('marked done'),
      answered: t('answered'),
      waited: t('waited'),
      skipped: t('wait skipped'),
      resolved: t('resolved'),
      escalated: t('escalated'),
      ended: t('run ended'),
      'handed-over': t('handed over to another runbook'),
      rehearsed: t('rehearsed'),
    },
  };
}

export class IncidentJournal implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly folder: string;
  private readonly disposables: vscode.Disposable[] = [];
  /** Appends in order, one at a time: a crash loses at most the line being written. */
  private writes: Promise<void> = Promise.resolve();
  private readonly exported = new vscode.EventEmitter<string>();
  /** An incident's Markdown was opened, however the export was asked for (palette, notification button). */
  readonly onDidExport = this.exported.event;
  private readonly recorded = new vscode.EventEmitter<JournalEntry>();
  /** An entry was journaled: a step ran, was declined, answered, marked done... */
  readonly onDidRecord = this.recorded.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.channel = vscode.window.createOutputChannel(vscode.l10n.t('Exchange Runbooks: Incident Journal'), { log: true });
    this.folder = join((context.storageUri ?? context.globalStorageUri).fsPath, 'journal');
    this.disposables.push(
      this.channel,
      this.exported,
      this.recorded,
      vscode.commands.registerCommand(EXPORT_JOURNAL_COMMAND, (incident?: string) => this.export(incident)),
      vscode.commands.registerCommand(SHOW_JOURNAL_COMMAND, () => this.channel.show(true)),
    );
  }

  private active(): Record<string, string> {
    return this.context.workspaceState.get<Record<string, string>>(ACTIVE_KEY) ?? {};
  }

  /** The open incident of a runbook, if a run of it is under way (kept across reloads). */
  current(uri: string): string | undefined {
    return this.active()[uri];
  }

  /** The open incident of the runbook, or a new one. */
  async open(uri: string, runbook: string): Promise<{ id: string; isNew: boolean }> {
    const existing = this.current(uri);
    if (existing) return { id: existing, isNew: false };
    const id = incidentId(runbook, new Date());
    await this.context.workspaceState.update(ACTIVE_KEY, { ...this.active(), [uri]: id });
    this.channel.info(`── ${vscode.l10n.t('Incident {0} opened for runbook {1}', id, runbook)}`);
    return { id, isNew: true };
  }

  /**
   * A branch handed the run over to another runbook: the incident goes on there (its steps are
   * journaled under the same incident), and is no longer open for this one.
   */
  async handOver(from: string, to: string, incident: string): Promise<void> {
    const { [from]: _left, ...rest } = this.active();
    await this.context.workspaceState.update(ACTIVE_KEY, { ...rest, [to]: incident });
  }

  /** The run ended: the next step run starts a new incident. */
  async close(uri: string): Promise<void> {
    const { [uri]: _closed, ...rest } = this.active();
    await this.context.workspaceState.update(ACTIVE_KEY, rest);
  }

  async record(incident: string, entry: NewEntry): Promise<JournalEntry> {
    const full: JournalEntry = { time: new Date().toISOString(), incident, ...entry };
    this.show(full);
    const file = join(this.folder, `${incident}.jsonl`);
    this.writes = this.writes
      .then(async () => {
        await mkdir(this.folder, { recursive: true });
        await appendFile(file, toJsonLine(full), 'utf8');
      })
      .catch((error: unknown) => this.channel.error(`Could not write ${file}: ${String(error)}`));
    await this.writes;
    this.recorded.fire(full);
    return full;
  }

  private show(entry: JournalEntry): void {
    const status = labels().statuses[entry.status as EntryStatus] ?? entry.status;
    const parts = [entry.step ?? '', entry.server ? `@ ${entry.server}` : '', status, entry.exitCode ? `(${entry.exitCode})` : '', entry.next ? `→ ${entry.next}` : ''];
    const line = parts.filter(Boolean).join(' ');
    if (entry.status === 'failed') this.channel.error(line);
    else if (entry.status === 'cancelled' || entry.status === 'declined' || entry.status === 'escalated') this.channel.warn(line);
    else this.channel.info(line);
    if (entry.command) this.channel.info(`    ${entry.command.replace(/\n/g, '\n    ')}`);
    if (entry.output) this.channel.info(`    ${entry.output.replace(/\n/g, '\n    ')}`);
    if (entry.branch) this.channel.info(`    ${entry.branch}`);
    if (entry.note) this.channel.info(`    ${entry.note}`);
  }

  async entries(incident: string): Promise<JournalEntry[]> {
    try {
      return parseJournal(await readFile(join(this.folder, `${incident}.jsonl`), 'utf8'));
    } catch {
      return [];
    }
  }

  /** Incident ids, newest first. */
  async incidents(): Promise<string[]> {
    try {
      const files = await readdir(this.folder);
      return files
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => f.slice(0, -'.jsonl'.length))
        .sort((a, b) => b.slice(-15).localeCompare(a.slice(-15)) || a.localeCompare(b));
    } catch {
      return [];
    }
  }

  markdown(incident: string, entries: readonly JournalEntry[]): string {
    return journalToMarkdown(incident, entries, labels());
  }

  /** Opens the incident's Markdown in an editor, ready to save or paste into the ticket. */
  async export(incident?: string): Promise<vscode.TextDocument | undefined> {
    await this.writes;
    const incidents = await this.incidents();
    if (incidents.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The incident journal is empty: no step has been run yet.'));
      return undefined;
    }
    let chosen = incident && incidents.includes(incident) ? incident : undefined;
    if (!chosen) {
      chosen =
        incidents.length === 1
          ? incidents[0]
          : await vscode.window.showQuickPick(incidents, { title: vscode.l10n.t('Export Incident Journal'), placeHolder: vscode.l10n.t('Which incident?') });
    }
    if (!chosen) return undefined;
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: this.markdown(chosen, await this.entries(chosen)) });
    await vscode.window.showTextDocument(document, { preview: false });
    this.exported.fire(chosen);
    return document;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

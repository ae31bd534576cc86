// The incident journal as data: one entry per thing that happened in a run (a step run, declined,
// cancelled or failed; a branch picked; the run's end), stored as JSON lines, exported as Markdown
// for the ticket. Pure: the plumbing localizes the labels and writes the files.

export type EntryStatus =
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'declined'
  | 'unread'
  | 'done'
  | 'answered'
  | 'waited'
  | 'skipped'
  | 'resolved'
  | 'escalated'
  | 'ended'
  | 'handed-over'
  | 'rehearsed';

export interface JournalEntry {
  /** ISO time the entry was made. */
  time: string;
  incident: string;
  runbook: string;
  uri: string;
  /** `proc.step`; absent for the run's end. */
  step?: string;
  title?: string;
  server?: string;
  /** The exact text sent to the terminal, parameter assignments included. */
  command?: string;
  status: EntryStatus;
  exitCode?: number | null;
  /** The end of what the terminal showed. */
  output?: string;
  /** The branch taken, as written (`when ResultType is Succeeded -> resolved`), or how it was picked. */
  branch?: string;
  /** Where the run goes next (`recover-ctp.restart-pop3`, `resolved: …`). */
  next?: string;
  /** Who confirmed a `confirm` step. */
  confirmedBy?: string;
  answer?: 'yes' | 'no';
  note?: string;
}

export function toJsonLine(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** Entries of a JSONL journal; a line cut short by a crash is skipped, not fatal. */
export function parseJournal(text: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (entry && typeof entry.time === 'string' && typeof entry.status === 'string') entries.push(entry);
    } catch {
      // A partly written last line: the entries before it still count.
    }
  }
  return entries;
}

/** An id that sorts by time and names the runbook: `pop-20261201-031205`. */
export function incidentId(runbook: string, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const safe = runbook.replace(/[^A-Za-z0-9_-]/g, '_') || 'runbook';
  return `${safe}-${stamp}`;
}

export interface MarkdownLabels {
  heading: string;
  runbook: string;
  server: string;
  status: string;
  exitCode: string;
  confirmedBy: string;
  answer: string;
  branch: string;
  next: string;
  output: string;
  note: string;
  statuses: Record<EntryStatus, string>;
}

export const ENGLISH_LABELS: MarkdownLabels = {
  heading: 'Incident {0}',
  runbook: 'Runbook',
  server: 'Server',
  status: 'Status',
  exitCode: 'Exit code',
  confirmedBy: 'Confirmed by',
  answer: 'Answer',
  branch: 'Branch',
  next: 'Next',
  output: 'Output',
  note: 'Note',
  statuses: {
    succeeded: 'succeeded',
    failed: 'failed',
    cancelled: 'cancelled',
    declined: 'declined at confirmation (nothing ran)',
    unread: 'sent (output not read back)',
    done: 'marked done',
    answered: 'answered',
    waited: 'waited',
    skipped: 'wait skipped',
    resolved: 'resolved',
    escalated: 'escalated',
    ended: 'run ended',
    'handed-over': 'handed over to another runbook',
    rehearsed: 'rehearsed',
  },
};

/** A code fence longer than any run of backticks inside, so commands and output never break out. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Inline text for a list item: one line, Markdown's own characters escaped. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/([\\`*_[\]<|])/g, '\\$1');
}

export function journalToMarkdown(incident: string, entries: readonly JournalEntry[], labels: MarkdownLabels = ENGLISH_LABELS): string {
  const lines: string[] = [`# ${labels.heading.replace('{0}', incident)}`, ''];
  const runbooks = [...new Set(entries.map((e) => e.runbook))];
  if (runbooks.length) lines.push(`${labels.runbook}: ${runbooks.map(inline).join(', ')}`, '');
  for (const entry of entries) {
    const what = entry.step ? `${entry.step}${entry.title ? ` — ${entry.title}` : ''}` : labels.statuses[entry.status];
    lines.push(`## ${entry.time} ${inline(what)}`, '');
    const facts: [string, string | undefined][] = [
      [labels.status, labels.statuses[entry.status] ?? entry.status],
      [labels.server, entry.server],
      [labels.exitCode, entry.exitCode === undefined || entry.exitCode === null ? undefined : String(entry.exitCode)],
      [labels.confirmedBy, entry.confirmedBy],
      [labels.answer, entry.answer],
      [labels.branch, entry.branch],
      [labels.next, entry.next],
      [labels.note, entry.note],
    ];
    for (const [label, value] of facts) if (value !== undefined && value !== '') lines.push(`- ${label}: ${inline(value)}`);
    if (entry.command) lines.push('', fenced(entry.command, 'powershell'));
    if (entry.output) lines.push('', `${labels.output}:`, '', fenced(entry.output));
    lines.push('');
  }
  return lines.join('\n');
}

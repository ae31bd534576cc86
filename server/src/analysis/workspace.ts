// The runbooks of a workspace by id, so one runbook's references to another (`pop-protocol:recover-deep`)
// resolve. Pure: whoever knows the files (the server, the linter, tests) hands their texts in.
import type { CatalogIndex } from '../catalog';
import type { Range } from '../language/syntax';
import { RunbookModel } from './model';

export interface WorkspaceRunbook {
  uri: string;
  /** The `runbook <id>` of the file. */
  id: string;
  /** The file analysed on its own; its own references to other runbooks are followed through the index. */
  model(): RunbookModel;
  /** Whether the file may refer to runbook `id` (its text has `id:`): a cheap filter before analysing it. */
  mayReferTo(id: string): boolean;
}

/** What the analysis asks of the workspace: it never reads files itself. */
export interface RunbookIndex {
  /** The runbooks with this id (more than one is a duplicate). */
  runbooks(id: string): readonly WorkspaceRunbook[];
  /** Every runbook id, for "did you mean". */
  ids(): readonly string[];
  all(): readonly WorkspaceRunbook[];
}

/** The id of a runbook without analysing it: the first `runbook <id>` line (comments and blank lines before it). */
export function runbookIdOf(text: string): string | undefined {
  const found = /^(?:\uFEFF)?(?:[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n))*[ \t]*runbook[ \t]+([\p{L}][\p{L}\p{N}_-]*)/u.exec(text);
  return found?.[1];
}

/**
 * A workspace as texts by URI. Each file is analysed when first needed and again only after its
 * text changed; `dependencyKey` tells a caller whether an analysis that read the workspace is stale.
 */
export class WorkspaceIndex implements RunbookIndex {
  private readonly entries = new Map<string, WorkspaceRunbook & { text: string; version: number }>();
  private versions = 0;
  private byId: Map<string, WorkspaceRunbook[]> | undefined;

  constructor(private readonly catalog: CatalogIndex) {}

  /** Adds or replaces a file; whether anything changed. */
  set(uri: string, text: string): boolean {
    if (this.entries.get(uri)?.text === text) return false;
    const id = runbookIdOf(text) ?? '';
    let model: RunbookModel | undefined;
    const catalog = this.catalog;
    this.entries.set(uri, {
      uri,
      id,
      text,
      version: ++this.versions,
      model: () => (model ??= new RunbookModel(text, catalog, uri, undefined, `workspace:${uri}`)),
      mayReferTo: (other) => text.includes(`${other}:`),
    });
    this.changed();
    return true;
  }

  delete(uri: string): boolean {
    if (!this.entries.delete(uri)) return false;
    this.changed();
    return true;
  }

  has(uri: string): boolean {
    return this.entries.has(uri);
  }

  get(uri: string): WorkspaceRunbook | undefined {
    return this.entries.get(uri);
  }

  runbooks(id: string): readonly WorkspaceRunbook[] {
    if (!this.byId) {
      this.byId = new Map();
      for (const entry of this.entries.values()) {
        if (!entry.id) continue;
        let list = this.byId.get(entry.id);
        if (!list) this.byId.set(entry.id, (list = []));
        list.push(entry);
      }
    }
    return this.byId.get(id) ?? [];
  }

  ids(): readonly string[] {
    this.runbooks('');
    return [...this.byId!.keys()];
  }

  all(): readonly WorkspaceRunbook[] {
    return [...this.entries.values()];
  }

  /**
   * What an analysis of runbook `uri` (id `id`, naming runbooks `referenced`) read of the workspace,
   * as a key: the runbooks with those ids, the runbooks that may refer to it, each at its version,
   * and every id when one it names is missing ("did you mean"). While the key is the same, the
   * analysis still holds: typing in a runbook that nothing refers to re-analyses no other.
   */
  dependencyKey(uri: string, id: string | undefined, referenced: ReadonlySet<string>): string {
    const parts: string[] = [];
    let missing = false;
    // The runbooks named, and those they name in turn (a reuse can lead on through several files).
    const names = [...(id ? [id] : []), ...referenced];
    const seen = new Set(names);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const found = this.runbooks(name).filter((r) => r.uri !== uri);
      if (found.length === 0 && name !== id) missing = true;
      for (const r of found) {
        parts.push(`${r.uri}@${this.entries.get(r.uri)!.version}`);
        if (name === id) continue;
        for (const next of r.model().referencedRunbooks()) {
          if (seen.has(next)) continue;
          seen.add(next);
          names.push(next);
        }
      }
    }
    if (id) for (const r of this.entries.values()) if (r.uri !== uri && r.mayReferTo(id)) parts.push(`>${r.uri}@${r.version}`);
    if (missing) parts.push(this.ids().join(' '));
    return parts.join('|');
  }

  private changed(): void {
    this.byId = undefined;
  }
}

/** Where a reference into another runbook leads. */
export interface ForeignTarget {
  runbook: WorkspaceRunbook;
  /** The position of the target step (or procedure) in that runbook, for links. */
  range: Range;
}

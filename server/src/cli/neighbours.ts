// The other runbooks next to the files a command is given, so references between runbooks of one
// folder (`-> pop-protocol:recover-deep`) resolve when only one of them is linted or rehearsed.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A neighbour bigger than this is not read (the editor's server has the same bound). */
const MAX_RUNBOOK_BYTES = 8 * 1024 * 1024;

/**
 * The `*.exrunbook` regular files in the folders of `files` (not in their subfolders), other than
 * `files` themselves. Unreadable folders and entries are skipped: a neighbour is a help, never a
 * reason to fail; a FIFO or a huge file is never opened.
 */
export function neighbourRunbooks(files: string[]): string[] {
  const given = new Set(files.map((f) => resolve(f)));
  const found: string[] = [];
  for (const folder of new Set([...given].map((f) => dirname(f)))) {
    let names: string[];
    try {
      names = readdirSync(folder).filter((name) => name.endsWith('.exrunbook') && !name.startsWith('.')).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(folder, name);
      if (given.has(path)) continue;
      try {
        const info = statSync(path);
        if (info.isFile() && info.size <= MAX_RUNBOOK_BYTES) found.push(path);
      } catch {
        // gone, or a dangling link: not a neighbour
      }
    }
  }
  return found;
}

// Stopping a PowerShell session for good: the .NET tool's pwsh is a shim plus the real pwsh, and
// killing the shim leaves the real one running, so every process of the tree is killed by PID.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Parent PID of every process, from /proc (Linux); empty where there is no /proc. */
function parentsFromProc(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return parents;
}

/** The given PIDs and all their descendants (children first are not needed: everything gets SIGKILL). */
export function processTree(roots: readonly number[]): number[] {
  const parents = parentsFromProc();
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parents) {
    const list = children.get(parent);
    if (list) list.push(pid);
    else children.set(parent, [pid]);
  }
  const found = new Set<number>();
  const stack = roots.filter((pid) => pid > 0);
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (found.has(pid)) continue;
    found.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...found];
}

/** True while a process with this PID exists (and is not a zombie, on Linux). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Kills the roots and everything below them at once; never throws. */
export function killProcessTree(roots: readonly number[]): void {
  if (process.platform === 'win32') {
    for (const pid of roots.filter((p) => p > 0)) {
      execFile('taskkill', ['/PID', String(pid), '/T', '/F'], { windowsHide: true }, () => undefined);
    }
    return;
  }
  for (const pid of processTree(roots)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

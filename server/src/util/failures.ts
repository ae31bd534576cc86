// Failures that were contained (a check or a command that threw) kept for the log, so containing
// them never hides them: the server writes them to its output, the linter to stderr.

const failures: string[] = [];
const KEPT = 16;

export function recordFailure(where: string, error: unknown): void {
  if (failures.length >= KEPT) return;
  failures.push(`${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/** The failures since the last call. */
export function takeFailures(): string[] {
  return failures.splice(0);
}

// The linter's task in VS Code: a lint task configured in tasks.json runs the linter installed in the
// workspace, and its problem matcher puts the findings in the Problems panel. Last of the suites:
// the task's problems stay on the runbook it linted.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, copyFixture, describeDiagnostics, waitFor, waitForDiagnostics, workspaceRoot } from './helpers';

const LINT_TASK = 'Lint the scratch runbook';

/** The finding as the linter's JSON output gives it (LSP positions and severities). */
interface LintFinding {
  range: { start: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
}

/** What the workspace's linter (installed there as CI installs it) reports for a file, read from its JSON output. */
function lintJson(file: string): LintFinding[] {
  const linter = path.join(workspaceRoot(), 'node_modules', '.bin', 'exchange-runbook-lint');
  assert.ok(fs.existsSync(linter), `the linter is installed in the test workspace (${linter}); the host runner installs it`);
  const result = spawnSync(linter, ['--format', 'json', file], { cwd: workspaceRoot(), encoding: 'utf8' });
  const reports = JSON.parse(result.stdout) as { diagnostics: LintFinding[] }[];
  return reports[0]!.diagnostics;
}

/** Resolves with the exit code when the task's process ends (or rejects at the deadline). */
function taskEnded(name: string, timeout = 60_000): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`the task "${name}" did not end within ${timeout} ms`));
    }, timeout);
    const listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution.task.name !== name) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(event.exitCode);
    });
  });
}

suite('Lint task', () => {
  teardown(() => {
    fs.rmSync(path.join(workspaceRoot(), '.vscode', 'tasks.json'), { force: true });
  });

  test('a configured "Lint runbooks" task run from VS Code puts each of the linter\'s findings in the Problems panel through its problem matcher', async () => {
    await activateExtension();
    // A runbook with known mistakes that no editor opens: the language server checks open runbooks
    // only, so whatever VS Code shows for it comes from the task's problem matcher.
    const uri = copyFixture('protocol-logging.exrunbook', 'lint-task.exrunbook');
    const relative = 'scratch/lint-task.exrunbook';
    assert.equal(vscode.languages.getDiagnostics(uri).length, 0, 'nothing is shown for the runbook before the task runs');
    // As a team configures it in tasks.json: the linter on some paths, the matcher from the task provider.
    fs.writeFileSync(
      path.join(workspaceRoot(), '.vscode', 'tasks.json'),
      `${JSON.stringify({ version: '2.0.0', tasks: [{ type: 'exchange-runbook-lint', label: LINT_TASK, paths: [relative] }] }, null, 2)}\n`,
    );
    const task = await waitFor(async () => (await vscode.tasks.fetchTasks({ type: 'exchange-runbook-lint' })).find((t) => t.name === LINT_TASK), 'the task configured in tasks.json');
    const findings = lintJson(relative);
    assert.ok(findings.length >= 5, `the fixture has several findings; the linter reports ${findings.length}`);
    // VS Code keeps one of a task's problems that share file, position, severity and code (the
    // message is not part of its key): the fixture's two monitors without recovery show as one.
    const expected = new Map<string, { finding: LintFinding; messages: string[] }>();
    for (const finding of findings) {
      const key = `${finding.range.start.line}:${finding.range.start.character}:${finding.severity}:${finding.code}`;
      const group = expected.get(key) ?? { finding, messages: [] };
      group.messages.push(finding.message);
      expected.set(key, group);
    }

    const ended = taskEnded(LINT_TASK);
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 1, 'the linter exits 1: it found errors');
    const shown = await waitForDiagnostics(uri, (d) => d.length === expected.size, `the ${expected.size} problems of the linter's ${findings.length} findings to be shown for ${relative}`);
    for (const { finding, messages } of expected.values()) {
      const { line, character } = finding.range.start;
      const match = shown.find((d) => d.range.start.line === line && d.range.start.character === character && messages.includes(d.message));
      assert.ok(match, `no problem at ${line + 1}:${character + 1} says "${messages.join('" or "')}"; shown:\n${describeDiagnostics(shown)}`);
      assert.equal(match.severity, finding.severity - 1, `${finding.code} at ${line + 1}:${character + 1} keeps its severity`);
      assert.equal(match.source, 'exchange-runbook');
      // The matcher's own entries: a plain code, where the language server's link to docs/language.md.
      assert.equal(match.code, finding.code);
    }
  });
});

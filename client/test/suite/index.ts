// The in-host test entry: VS Code (desktop through @vscode/test-electron, or code-server in a
// browser) loads this module as extensionTestsPath and calls run() inside the extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  duration?: number;
  error?: string;
}

/**
 * Where the results go. The runner reads this file: the extension host's stdout does not reach
 * code-server's log, and environment variables set for code-server do not reach the extension
 * host there, so the workspace folder is the reliable default.
 */
function resultsPath(): string | undefined {
  if (process.env.EXR_TEST_RESULTS) return process.env.EXR_TEST_RESULTS;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, '.test-results.json') : undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ? `${error.message}\n${error.stack.split('\n').slice(1, 6).join('\n')}` : error.message;
  return String(error);
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  // In Chinese or Japanese VS Code only the localization suite runs (the others assert English
  // messages); in English VS Code everything else does.
  const localized = vscode.env.language !== 'en';
  const files = fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js') && name.endsWith('.l10n.test.js') === localized)
    .sort();
  for (const name of files) mocha.addFile(path.join(__dirname, name));

  const tests: TestResult[] = [];
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((count) => resolve(count));
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', duration: test.duration }));
      // Also fires for failing hooks (before/after), which then count as a failed "test".
      runner.on('fail', (test, error) => tests.push({ title: test.fullTitle(), state: 'failed', error: errorText(error) }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
    } catch (error) {
      reject(error);
    }
  });

  const passed = tests.filter((t) => t.state === 'passed').length;
  const failed = tests.filter((t) => t.state === 'failed').length;
  const file = resultsPath();
  if (file) {
    fs.writeFileSync(file, `${JSON.stringify({ passed, failed, files, tests }, null, 2)}\n`);
  }
  if (failures > 0 || failed > 0) {
    throw new Error(`${failed || failures} in-host test(s) failed.`);
  }
  if (tests.length === 0) {
    throw new Error(`No in-host tests ran (looked for *.test.js in ${__dirname}).`);
  }
}

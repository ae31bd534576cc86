// `npm run test:electron`: the same in-host mocha suite as `npm run test:host`, in desktop VS Code
// through @vscode/test-electron. For contributors with VS Code or internet access: it uses
// VSCODE_EXECUTABLE_PATH when set (a VS Code >= 1.100 `code` executable), otherwise downloads
// VS Code (VSCODE_VERSION, default 1.100.3, the oldest version the extension supports).
// On Linux without a display, run it under `xvfb-run -a`. CI uses code-server instead
// (scripts/test.sh): this machine cannot download VS Code.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT, VSCODE_TEST_DIR, createWorkspace, log, writeUserSettings } from './codeServer.mjs';

const SUITE_ENTRY = join(ROOT, 'out', 'client', 'test', 'suite', 'index.js');

async function main() {
  if (!existsSync(SUITE_ENTRY) || !existsSync(join(ROOT, 'dist', 'client.js'))) {
    throw new Error('build first: `npm run build && npm run compile-tests` (npm run test:electron does both)');
  }
  const runDir = join(VSCODE_TEST_DIR, 'electron-run');
  rmSync(runDir, { recursive: true, force: true });
  const userDataDir = join(runDir, 'user-data');
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir);
  const workspace = createWorkspace(join(runDir, 'workspace'), { linter: true });
  const resultsFile = join(runDir, 'results.json');

  const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH || undefined;
  log(vscodeExecutablePath ? `electron: VS Code at ${vscodeExecutablePath}` : `electron: downloading VS Code ${process.env.VSCODE_VERSION || '1.100.3'} into .vscode-test/`);

  let exitCode = 0;
  try {
    await runTests({
      vscodeExecutablePath,
      version: vscodeExecutablePath ? undefined : process.env.VSCODE_VERSION || '1.100.3',
      cachePath: VSCODE_TEST_DIR,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: SUITE_ENTRY,
      extensionTestsEnv: { EXR_TEST_RESULTS: resultsFile },
      launchArgs: [
        workspace,
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
      ],
    });
  } catch (error) {
    const text = String(error?.message ?? error);
    if (!existsSync(resultsFile)) {
      if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|download/i.test(text)) {
        throw new Error(
          `could not download VS Code (${text.split('\n')[0]}).\n` +
            'Without internet, set VSCODE_EXECUTABLE_PATH to a VS Code >= 1.100 executable, ' +
            'or run the same suite in code-server: npm run test:host',
        );
      }
      throw error;
    }
    exitCode = 1;
  }

  if (!existsSync(resultsFile)) throw new Error(`the suite wrote no results (${resultsFile})`);
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  for (const test of results.tests) {
    if (test.state === 'pending') continue;
    log(`  ${test.state === 'passed' ? '✓' : '✗'} ${test.title}`);
    if (test.state === 'failed') log(String(test.error).split('\n').map((l) => `      ${l}`).join('\n'));
  }
  log(`electron: ${results.passed} passed, ${results.failed} failed`);
  process.exitCode = exitCode || results.failed > 0 ? 1 : 0;
}

main().catch((error) => {
  log(`electron: ERROR: ${error.message ?? error}`);
  log('electron: 0 passed, 1 failed');
  process.exitCode = 1;
});

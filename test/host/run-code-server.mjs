// `npm run test:host`: runs the extension in real VS Code (code-server 4.100.3 = VS Code 1.100.3)
// driven by Debian's Chromium. Passes 1-3 share one code-server:
//   1. the in-host mocha suite (client/test/suite, compiled to out/), loaded by the workbench as
//      extensionTestsPath; it writes its results into the workspace;
//   2. UI checks of what a person sees: CodeLens on a runbook, a hover, the Problems panel, with
//      screenshots in test-results/;
//   3. the linter's task: Run Task → "Lint runbooks" in a workspace with the linter installed, and
//      its problem matcher's findings in the Problems panel, checked against the linter's JSON;
//   4. the Get Started walkthrough in a fresh profile: each step done through the UI checks itself off;
//   5. the suite once more with VS Code's display language set to Chinese, then Japanese (a
//      code-server of their own each, with a language pack made for the run): the suite then runs
//      its *.l10n.test.js files only, a screenshot shows the localized workbench, and the
//      walkthrough is opened in that language and its first step done.
// EXR_HOST_ONLY=suite,ui,lint,walkthrough,l10n picks passes; EXR_SKIP_LOCALIZED=1 skips pass 5.
// Prints every test and a closing `host: N passed, N failed`; exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  ROOT,
  codeServerCli,
  createRunDir,
  createWorkspace,
  disposeRun,
  extensionDevelopmentPath,
  launchChromium,
  log,
  startCodeServer,
  waitFor,
  workbenchUrl,
} from './codeServer.mjs';

const SUITE_TIMEOUT = Number(process.env.EXR_SUITE_TIMEOUT_MS || 25 * 60_000);
const UI_TIMEOUT = 60_000;
const SUITE_ENTRY = join(ROOT, 'out', 'client', 'test', 'suite', 'index.js');
const RESULTS_DIR = join(ROOT, 'test-results');
const verbose = Boolean(process.env.EXR_VERBOSE);
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const EXTENSION_ID = `${MANIFEST.publisher}.${MANIFEST.name}`;

/** @type {{ title: string, state: 'passed' | 'failed' | 'pending', error?: string }[]} */
const results = [];

function record(title, error) {
  if (error) {
    results.push({ title, state: 'failed', error: error.message ?? String(error) });
    log(`  ✗ ${title}`);
    log(indent(error.message ?? String(error)));
  } else {
    results.push({ title, state: 'passed' });
    log(`  ✓ ${title}`);
  }
}

function indent(text) {
  return String(text)
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}

/**
 * Copies the extension's own logs (its output channel, which logs each runner terminal execution's
 * start and end, and the journal's) of every extension host of a run, and the suite's output, into
 * test-results/logs/host/<name>/: the next run removes this run's folder, and a hung step is read
 * from the events that preceded it.
 * Called once code-server has stopped, so the files are complete.
 */
function keepRunLogs(run, name) {
  const logs = join(run.userDataDir, 'logs');
  if (!existsSync(logs)) return;
  const target = join(RESULTS_DIR, 'logs', 'host', name);
  rmSync(target, { recursive: true, force: true });
  const folders = (dir) => readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const session of folders(logs)) {
    for (const host of folders(join(logs, session))) {
      const folder = join(logs, session, host, EXTENSION_ID);
      if (existsSync(folder)) cpSync(folder, join(target, host), { recursive: true });
    }
  }
  // The suite's own output (mocha's reporter in the extension host), read with the extension's log.
  if (existsSync(join(run.dir, 'automation.log'))) cpSync(join(run.dir, 'automation.log'), join(target, 'automation.log'));
  if (existsSync(target)) log(`host: the extension's logs of ${name} in ${target}`);
}

function npmRun(script) {
  log(`host: npm run ${script}`);
  const result = spawnSync('npm', ['run', script], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run ${script} failed`);
}

/** The bundles and the compiled suite; scripts/test.sh builds them first, a bare `npm run test:host` may not have. */
function ensureBuilt() {
  if (!existsSync(join(ROOT, 'dist', 'client.js')) || !existsSync(join(ROOT, 'dist', 'server.js'))) npmRun('build');
  if (!existsSync(SUITE_ENTRY)) npmRun('compile-tests');
}

// --- pass 1: the in-host suite ------------------------------------------------------------------

async function runSuite(context, server, run, { prefix = '', screenshotName } = {}) {
  // The linter installed as CI installs it: the suite runs the lint task.
  const workspace = createWorkspace(join(run.dir, 'workspace-suite'), { linter: true });
  const page = await context.newPage();
  const automationLog = [];
  let exitCode;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // The extension host's console arrives as printf-style arguments (mocha's reporter uses %s, %d).
    const line = `[${type}] ${Array.isArray(args) ? format(...args) : String(args)}`;
    automationLog.push(line);
    if (verbose) log(`    ${line}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    exitCode = Number(code);
  });
  page.on('pageerror', (error) => automationLog.push(`[pageerror] ${error.message}`));

  const url = workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDevelopmentPath(run), extensionTestsPath: SUITE_ENTRY });
  log(`host: in-host suite (${url.split('?')[0]}, workspace ${workspace})`);
  await page.goto(url);
  try {
    await waitFor(() => exitCode !== undefined, { timeout: SUITE_TIMEOUT, interval: 250, what: 'the in-host suite to finish (codeAutomationExit)' });
  } catch (error) {
    await page.screenshot({ path: join(RESULTS_DIR, 'suite-timeout.png') }).catch(() => {});
    writeFileSync(join(run.dir, 'automation.log'), automationLog.join('\n'));
    record(`${prefix}in-host suite finished`, new Error(`${error.message}; screenshot test-results/suite-timeout.png, log ${join(run.dir, 'automation.log')}`));
    await page.close();
    return;
  }
  writeFileSync(join(run.dir, 'automation.log'), automationLog.join('\n'));
  if (screenshotName) await screenshot(page, screenshotName).catch(() => {});
  await page.close();

  const resultsFile = join(workspace, '.test-results.json');
  if (!existsSync(resultsFile)) {
    const tail = automationLog.slice(-25).join('\n');
    record(`${prefix}in-host suite wrote its results`, new Error(`exit code ${exitCode}, but no ${resultsFile}. Last extension host output:\n${tail}`));
    return;
  }
  const suite = JSON.parse(readFileSync(resultsFile, 'utf8'));
  for (const test of suite.tests) {
    if (test.state === 'pending') {
      log(`  - ${test.title} (skipped)`);
      continue;
    }
    record(`${prefix}${test.title}`, test.state === 'failed' ? new Error(test.error ?? 'failed') : undefined);
  }
  if (exitCode !== 0 && suite.failed === 0) {
    record(`${prefix}in-host suite exit code`, new Error(`the suite exited with ${exitCode} although no test failed; see ${join(run.dir, 'automation.log')}`));
  }
}

// --- pass 2: what a person sees -----------------------------------------------------------------

async function screenshot(page, name) {
  const path = join(RESULTS_DIR, name);
  await page.screenshot({ path });
  return path;
}

/** Opens a workspace file through Quick Open (Ctrl+P), as a person would. */
async function quickOpen(page, relativePath) {
  const name = relativePath.split('/').pop();
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const activeTab = page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`);
  // The result list re-renders while the file search streams in, so a click can land on a row
  // that changed under it: check which file opened, and try again if it is not the one asked for.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await input.fill(relativePath);
    const row = page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escaped}$`) }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await row.click();
    try {
      await activeTab.waitFor({ state: 'visible', timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

/** Moves the cursor with Go to Line/Column (Ctrl+G `line:column`, 1-based). */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

/** Whether pwsh is on PATH here (the runner then opens a terminal instead of saying it is missing). */
/** The project's own pwsh: code-server's extension host resolves its own PATH, so the UI workspace names it in a setting. */
const TOOLS_PWSH = process.env.EXR_PWSH || join(ROOT, '.tools', 'pwsh', 'pwsh');

function hasPowerShell() {
  return existsSync(TOOLS_PWSH);
}

/** Shows the Exchange Health view as a person would from the Command Palette (View: Show Exchange Health). */
async function openHealthView(page) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await input.fill('>View: Show Exchange Health');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Exchange Health' }).first();
  if (await row.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) {
    await row.click();
  } else {
    // The activity-bar icon, as a fallback.
    await page.keyboard.press('Escape');
    await page.locator('.activitybar .action-item', { has: page.locator('[aria-label*="Exchange Health"]') }).first().click({ force: true });
  }
}

async function uiCheck(page, title, failShot, body) {
  try {
    await body();
    record(title);
  } catch (error) {
    await screenshot(page, failShot).catch(() => {});
    record(title, new Error(`${error.message.split('\n')[0]} (screenshot test-results/${failShot})`));
  }
}

/** Notifications the workbench shows (an extension's manifest warning, an activation error): printed, not judged. */
async function collectNotifications(page, seen) {
  const texts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts().catch(() => []);
  for (const text of texts) {
    if (text && !seen.has(text)) {
      seen.add(text);
      log(`host: notification shown: ${text}`);
    }
  }
}

async function runUi(context, server, run) {
  // The simulator runs a scenario, as in the demo: the health view has an incident to show.
  const workspace = createWorkspace(join(run.dir, 'workspace-ui'), {
    settings: {
      'exchangeRunbooks.connection.mode': 'simulator',
      'exchangeRunbooks.simulator.scenario': 'pop3-backend-hung',
      'exchangeRunbooks.simulator.statePath': join(run.dir, 'ui-simulator', 'state.json'),
      'exchangeRunbooks.health.pollIntervalSeconds': 5,
    },
  });
  const page = await context.newPage();
  const url = workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDevelopmentPath(run) });
  log(`host: UI checks (workspace ${workspace})`);
  await page.goto(url);

  const runbook = existsSync(join(workspace, 'examples', 'pop.exrunbook')) ? 'examples/pop.exrunbook' : undefined;
  let opened = false;
  const notifications = new Set();

  await uiCheck(page, 'ui: the workbench opens the test workspace', 'ui-workbench.png', async () => {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fixtures' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // The configured theme (Default Dark Modern) is applied a moment after the workbench shows:
    // wait for it so the screenshots show the real colours.
    await page.locator('.monaco-workbench.vs-dark[class*="vscode-theme-"]').first().waitFor({ state: 'attached', timeout: UI_TIMEOUT });
  });

  await uiCheck(page, 'ui: a runbook opened with Quick Open shows "Run step" CodeLens', 'ui-codelens-failed.png', async () => {
    if (!runbook) throw new Error('examples/pop.exrunbook is missing from examples/');
    await quickOpen(page, runbook);
    opened = true;
    const lens = page.locator('.codelens-decoration a', { hasText: 'Run step' }).first();
    await lens.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const texts = await page.locator('.codelens-decoration a').allInnerTexts();
    if (!texts.some((t) => t.includes('Run step'))) throw new Error(`CodeLens texts: ${texts.join(' | ')}`);
    await screenshot(page, 'editor-codelens.png');
    await collectNotifications(page, notifications);
  });

  await uiCheck(page, 'ui: Ctrl+K Ctrl+I on a monitor name shows its hover', 'ui-hover-failed.png', async () => {
    if (!opened) throw new Error('the runbook did not open (see the CodeLens check)');
    const lines = readFileSync(join(workspace, runbook), 'utf8').split('\n');
    const line = lines.findIndex((l) => /^\s*procedure\b.*\bfor monitor\s+\S/.test(l));
    if (line < 0) throw new Error(`${runbook} has no \`for monitor\` procedure to hover`);
    const monitor = lines[line].match(/for monitor\s+([A-Za-z0-9]+)/)[1];
    await goTo(page, line + 1, lines[line].indexOf(monitor, lines[line].indexOf('for monitor')) + 3);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content, .monaco-editor .monaco-hover:not(.hidden) .hover-contents').first();
    await hover.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await waitFor(async () => (await hover.innerText()).trim().length > 0, { timeout: UI_TIMEOUT, what: 'hover text' });
    const text = await hover.innerText();
    if (!text.includes(monitor) && !/POP/.test(text)) throw new Error(`the hover does not mention ${monitor}: ${text.slice(0, 200)}`);
    await screenshot(page, 'hover.png');
    await page.keyboard.press('Escape');
  });

  await uiCheck(page, 'ui: Ctrl+Space after `POP.Protocol\\` in a run line suggests that health set\'s probes', 'ui-completion-failed.png', async () => {
    await quickOpen(page, 'examples/pop-protocol.exrunbook');
    const lines = readFileSync(join(workspace, 'examples', 'pop-protocol.exrunbook'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('Invoke-MonitoringProbe POP.Protocol\\'));
    if (line < 0) throw new Error('examples/pop-protocol.exrunbook runs no probe of POP.Protocol');
    await goTo(page, line + 1, lines[line].indexOf('POP.Protocol\\') + 'POP.Protocol\\'.length + 1);
    const rows = page.locator('.editor-widget.suggest-widget .monaco-list-row');
    // Asked again until the list shows, as a user would: once in seven clean-clone runs the first
    // Ctrl+Space, right after the file opened, showed nothing for a minute (no error logged).
    await waitFor(
      async () => {
        if (await rows.first().isVisible()) return true;
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Space');
        return rows.first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      },
      { timeout: UI_TIMEOUT, what: 'the suggestions after Ctrl+Space' },
    );
    const labels = await rows.allInnerTexts();
    if (!labels.some((l) => l.includes('PopDeepTestProbe'))) throw new Error(`suggestions: ${labels.join(' | ')}`);
    if (labels.some((l) => l.includes('PopCTPProbe'))) throw new Error(`a probe of another health set is suggested: ${labels.join(' | ')}`);
    await screenshot(page, 'completion.png');
    await page.keyboard.press('Escape');
  });

  await uiCheck(page, 'ui: "Run step" finds PowerShell first, then asks for $Server and runs the step in its server\'s terminal', 'ui-run-step-failed.png', async () => {
    // Back to pop.exrunbook, still open in its tab.
    await page.locator('.tabs-container .tab', { hasText: /^pop\.exrunbook/ }).first().click();
    await page.locator('.tabs-container .tab.active[aria-label*="pop.exrunbook"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const lens = page.locator('.codelens-decoration a', { hasText: /^▶ Run step$/ }).first();
    await lens.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await lens.click();
    if (!hasPowerShell()) {
      // PowerShell is looked for before anything is asked.
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'PowerShell was not found' }).first();
      await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await waitFor(async () => (await toast.evaluate((el) => getComputedStyle(el).opacity)) === '1', { timeout: UI_TIMEOUT, what: 'the toast to finish fading in' });
      await screenshot(page, 'run-step-result.png');
      return;
    }
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const title = await page.locator('.quick-input-widget .quick-input-title').innerText();
    if (!title.includes('$Server')) throw new Error(`the prompt does not name the parameter: ${JSON.stringify(title)}`);
    await input.fill('EX-MBX01');
    await screenshot(page, 'run-step-parameter.png');
    await page.keyboard.press('Enter');
    await page.locator('.terminal-tab, .single-terminal-tab, .tabs-list .monaco-list-row', { hasText: 'Exchange Runbooks: EX-MBX01' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // The run ends visibly: the healthy world's health set shows no unhealthy monitor, so the step resolves.
    // (The terminal's first start takes 15-30 s on a loaded machine.)
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'ended: resolved' }).first().waitFor({ state: 'visible', timeout: 3 * UI_TIMEOUT });
    await screenshot(page, 'run-step-result.png');
  });

  await uiCheck(page, 'ui: "Run step" on a confirm step shows the server and the command with its value, and Cancel runs nothing', 'ui-confirm-failed.png', async () => {
    if (!hasPowerShell()) throw new Error('pwsh is not on PATH: the confirmation comes after PowerShell is found');
    const lens = page.locator('.codelens-decoration a', { hasText: 'asks first' }).first();
    await lens.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await lens.click();
    // A new incident may ask for $Server again, offering the value given before.
    const dialog = page.locator('.monaco-dialog-box');
    const input = page.locator('.quick-input-widget input');
    await waitFor(async () => (await dialog.isVisible()) || (await input.isVisible()), { timeout: UI_TIMEOUT, what: 'the parameter prompt or the confirmation' });
    if (await input.isVisible()) {
      if ((await input.inputValue()) !== 'EX-MBX01') throw new Error(`the remembered value is not offered: ${await input.inputValue()}`);
      await page.keyboard.press('Enter');
    }
    await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const text = await dialog.innerText();
    if (!/dangerous/i.test(text) || !/Restart-Service/.test(text) || !text.includes("'EX-MBX01'")) throw new Error(`the confirmation does not say what will run where: ${JSON.stringify(text)}`);
    await screenshot(page, 'run-step-confirm.png');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    if (await page.locator('.notifications-toasts .notification-toast', { hasText: 'Running step restart' }).count()) throw new Error('the step ran although it was cancelled');
  });

  await uiCheck(page, 'ui: the Problems panel lists the misspelt monitor of a broken runbook', 'ui-problems-failed.png', async () => {
    await quickOpen(page, 'fixtures/monitor-names.exrunbook');
    await page
      .locator('.editor-instance .monaco-editor .squiggly-error, .editor-instance .monaco-editor .squiggly-warning')
      .first()
      .waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Control+Shift+M');
    // A marker row (not the file row): its message names the monitor, its code is shown beside it.
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'PopTestDeepMonitor' }).first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const text = await row.innerText();
    if (!text.includes('misspelt-name')) throw new Error(`the problem row does not show its code misspelt-name: ${JSON.stringify(text)}`);
    const message = text.replace(/misspelt-name|exchange-runbook|\[Ln \d+, Col \d+\]|[()]/g, '').trim();
    if (message.length < 20) throw new Error(`the problem row has no message: ${JSON.stringify(text)}`);
    await screenshot(page, 'problems.png');
  });

  await uiCheck(page, 'ui: the Exchange Health view shows the simulated servers, the failing monitor in red and a badge', 'ui-health-failed.png', async () => {
    await openHealthView(page);
    const view = page.locator('.pane-body', { has: page.locator('.monaco-list-row', { hasText: 'EX-CAS01' }) }).first();
    await view.waitFor({ state: 'visible', timeout: 120_000 });
    const monitor = view.locator('.monaco-list-row', { hasText: 'PopDeepTestMonitor' }).first();
    await monitor.waitFor({ state: 'visible', timeout: 120_000 });
    const rowText = await monitor.innerText();
    if (!rowText.includes('Unhealthy')) throw new Error(`the monitor row does not say Unhealthy: ${JSON.stringify(rowText)}`);
    const colour = await monitor.locator('.codicon-error').first().evaluate((el) => getComputedStyle(el).color);
    if (!/rgb\((2[0-9]{2}|1[5-9][0-9]), /.test(colour)) throw new Error(`the Unhealthy icon is not red: ${colour}`);
    const badge = page.locator('.activitybar .action-item', { has: page.locator('a[aria-label*="Exchange Health"]') }).locator('.badge-content').first();
    await waitFor(async () => (await badge.innerText().catch(() => '')) === '1', { timeout: UI_TIMEOUT, what: 'the activity-bar badge to count 1 unhealthy monitor' });
    const status = page.locator('.statusbar-item', { hasText: /Exchange: 1 unhealthy/ }).first();
    await status.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    for (const server of ['EX-CAS01', 'EX-CAS02', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03']) {
      if (!(await view.locator('.monaco-list-row', { hasText: server }).count())) throw new Error(`${server} is not in the view`);
    }
    await monitor.hover();
    await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT }).catch(() => {});
    await screenshot(page, 'health-view.png');
  });

  await uiCheck(page, 'ui story: a monitor turns Unhealthy, the admin opens its runbook from the view, runs and confirms the steps, follows the branches, the view turns Healthy and the journal lists every step', 'ui-story-failed.png', async () => {
    if (!hasPowerShell()) throw new Error('pwsh is required for the story (scripts/setup.sh installs it)');
    const view = page.locator('.pane-body', { has: page.locator('.monaco-list-row', { hasText: 'EX-CAS01' }) }).first();
    const monitorRow = view.locator('.monaco-list-row', { hasText: 'PopDeepTestMonitor' }).first();
    await monitorRow.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    if (!(await monitorRow.innerText()).includes('Unhealthy')) throw new Error('the story starts from PopDeepTestMonitor Unhealthy on EX-MBX01');
    // 1. From the view to the recovery procedure (two runbooks of the workspace recover it: pick one).
    await monitorRow.hover();
    await monitorRow.locator('.action-label[aria-label*="Open Recovery Runbook"]').first().click();
    const choice = page.locator('.quick-input-list .monaco-list-row', { hasText: 'pop-protocol.exrunbook' }).first();
    await choice.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await choice.click();
    await page.locator('.tabs-container .tab.active[aria-label*="pop-protocol.exrunbook"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await screenshot(page, 'story-1-runbook-from-view.png');

    // 2. The dangerous first step of the recovery: $Server asked, then confirmed with the value shown.
    const answerPrompt = async () => {
      const input = page.locator('.quick-input-widget input');
      if (await input.isVisible().catch(() => false)) {
        if ((await input.inputValue()) === '') await input.fill('EX-MBX01');
        await page.keyboard.press('Enter');
        await input.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      }
    };
    await page.locator('.codelens-decoration a', { hasText: 'asks first' }).first().click();
    const dialog = page.locator('.monaco-dialog-box');
    const input = page.locator('.quick-input-widget input');
    await waitFor(async () => (await dialog.isVisible()) || (await input.isVisible()), { timeout: UI_TIMEOUT, what: 'the parameter prompt or the confirmation' });
    if (await input.isVisible()) {
      const title = await page.locator('.quick-input-widget .quick-input-title').innerText();
      if (!title.includes('$Server')) throw new Error(`the prompt does not name the parameter: ${JSON.stringify(title)}`);
      await input.fill('EX-MBX01');
      await page.keyboard.press('Enter');
    }
    await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const asked = await dialog.innerText();
    if (!asked.includes('EX-MBX01') || !asked.includes('Restart-Service MSExchangePOP3BE')) throw new Error(`the confirmation does not show the server and the command: ${JSON.stringify(asked)}`);
    await screenshot(page, 'story-2-confirm.png');
    await dialog.locator('.monaco-button', { hasText: /^Run$/ }).first().click();

    // 3. The branches: each run shows where to go next; the admin follows them to `resolved`.
    for (const next of ['recover.rerun-deep', 'recover.rerun-self']) {
      const lens = page.locator('.codelens-decoration a', { hasText: `Next: ${next}` }).first();
      await lens.waitFor({ state: 'visible', timeout: 3 * UI_TIMEOUT });
      await screenshot(page, `story-3-next-${next.split('.')[1]}.png`);
      await lens.click();
      await answerPrompt();
    }
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'ended: resolved' }).first().waitFor({ state: 'visible', timeout: 3 * UI_TIMEOUT });
    await screenshot(page, 'story-4-resolved.png');

    // 4. The view turns Healthy: the cure ran in the terminal, the view's own session sees it.
    await waitFor(async () => {
      const text = await monitorRow.innerText().catch(() => '');
      return text.includes('Healthy') && !text.includes('Unhealthy');
    }, { timeout: 2 * UI_TIMEOUT, what: 'PopDeepTestMonitor to turn Healthy in the view' });
    await screenshot(page, 'story-5-healthy.png');

    // 5. The journal for the ticket lists every step that ran.
    await page.keyboard.press('F1');
    const palette = page.locator('.quick-input-widget input');
    await palette.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await palette.fill('>Export Incident Journal');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Export Incident Journal' }).first().click();
    const incident = page.locator('.quick-input-list .monaco-list-row', { hasText: 'pop-protocol' }).first();
    if (await incident.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) await incident.click();
    // The journal's own editor (its Markdown heading), not the runbook, which names its steps too.
    const journal = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: /#\sIncident\s/ }).first();
    await journal.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await waitFor(async () => {
      const text = await journal.innerText().catch(() => '');
      return ['restart-pop3be', 'rerun-deep', 'rerun-self'].every((step) => text.includes(step));
    }, { timeout: UI_TIMEOUT, what: 'the exported journal to list restart-pop3be, rerun-deep and rerun-self' });
    await screenshot(page, 'story-6-journal.png');
  });

  await collectNotifications(page, notifications);
  await page.close();
}

// --- the linter in a team's CI: its task and problem matcher in the Problems panel --------------

const SEVERITY_NAMES = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

/**
 * What the linter finds in the workspace, read from its JSON output (LSP positions, 0-based): the
 * facts the Problems panel must show once the human output has gone through the problem matcher.
 * Grouped as VS Code keys a task's problems (file, position, severity, code; not the message): of
 * findings sharing a key, the panel shows one.
 */
function lintFindings(workspace) {
  const result = spawnSync(join(workspace, 'node_modules', '.bin', 'exchange-runbook-lint'), ['--format', 'json', '.'], { cwd: workspace, encoding: 'utf8' });
  const files = new Map();
  for (const report of JSON.parse(result.stdout)) {
    const groups = new Map();
    for (const d of report.diagnostics) {
      const finding = { line: d.range.start.line + 1, column: d.range.start.character + 1, severity: SEVERITY_NAMES[d.severity], code: d.code };
      const key = JSON.stringify(finding);
      if (!groups.has(key)) groups.set(key, { ...finding, messages: [] });
      groups.get(key).messages.push(d.message);
    }
    if (groups.size) files.set(report.path, [...groups.values()]);
  }
  return files;
}

/**
 * Runs a command from the Command Palette (F1), then waits for what it shows next. The palette can
 * close under the test while the workbench is still settling (an extension activating, a view
 * taking focus): then it is opened again.
 */
async function fromPalette(page, command, next) {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${command}`, { timeout: 10_000 });
      // The command's row, wherever the palette ranks it (a fresh profile may put "Tasks: Restart
      // Running Task" first for "Tasks: Run Task"); in Chinese and Japanese the row shows the
      // English name beside the translated one, so the text is found there too.
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await row.click();
      await next.waitFor({ state: 'visible', timeout: 20_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw new Error(`${command} from the Command Palette: ${error.message.split('\n')[0]}`);
    }
  }
}

/** Runs a task through Tasks: Run Task, as a person would: its type first, then the task. */
async function runTaskFromPalette(page, typeName, label) {
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const type = rows.filter({ hasText: typeName }).first();
  await fromPalette(page, 'Tasks: Run Task', type);
  await type.click();
  const task = rows.filter({ hasText: label }).first();
  await task.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await task.click();
}

async function runLintTask(context, server, run) {
  let workspace;
  try {
    workspace = createWorkspace(join(run.dir, 'workspace-lint'), { linter: true });
  } catch (error) {
    record('ui: Run Task "Lint runbooks" fills the Problems panel', error);
    return;
  }
  const page = await context.newPage();
  log(`host: lint task (workspace ${workspace})`);
  await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDevelopmentPath(run) }));
  const expected = lintFindings(workspace);
  await uiCheck(page, 'ui: Run Task "Lint runbooks" runs the linter, and its problem matcher lists each finding of every runbook in the Problems panel with its line, column, severity, code and message', 'ui-lint-task-failed.png', async () => {
    if (expected.size < 3) throw new Error(`the fixtures should give the linter three runbooks with findings, it reports ${[...expected.keys()].join(', ')}`);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fixtures' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await runTaskFromPalette(page, 'exchange-runbook-lint', 'Lint runbooks');
    // The task's terminal shows the linter's summary line, then that the process ended.
    await page.locator('.terminal-wrapper.active .xterm-rows', { hasText: /runbooks? checked: \d+ errors?, \d+ warnings?/ }).first().waitFor({ state: 'visible', timeout: 2 * UI_TIMEOUT });
    await page.locator('.terminal-wrapper.active .xterm-rows', { hasText: /terminated with exit code: 1/ }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await screenshot(page, 'lint-task-terminal.png');
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // One runbook at a time: all of them together have more rows than the panel shows without scrolling.
    const filter = page.locator('.viewpane-filter input').first();
    for (const [path, findings] of expected) {
      const name = path.split('/').pop();
      await filter.fill(name);
      const fileRow = panel.locator('.monaco-list-row', { hasText: name }).first();
      await fileRow.waitFor({ state: 'visible', timeout: UI_TIMEOUT }).catch(() => {
        throw new Error(`the Problems panel lists nothing for ${path}, where the linter found ${findings.length} problem(s)`);
      });
      const folder = path.split('/').slice(0, -1).join('/');
      if (folder && !(await fileRow.innerText()).includes(folder)) throw new Error(`the row of ${name} does not show its folder ${folder}: ${JSON.stringify(await fileRow.innerText())}`);
      const markerRows = panel.locator('.monaco-list-row:has(.marker-icon)');
      await waitFor(async () => (await markerRows.count()) === findings.length, { timeout: UI_TIMEOUT, what: `${findings.length} problem rows for ${path}` }).catch(async (error) => {
        throw new Error(`${error.message}; rows: ${JSON.stringify(await markerRows.allInnerTexts())}`);
      });
      const rows = [];
      for (let i = 0; i < findings.length; i++) {
        const row = markerRows.nth(i);
        rows.push({ text: await row.innerText(), icon: (await row.locator('.marker-icon').first().getAttribute('class')) ?? '' });
      }
      for (const finding of findings) {
        const at = `[Ln ${finding.line}, Col ${finding.column}]`;
        const row = rows.find((r) => r.text.includes(at) && r.text.includes(finding.code) && finding.messages.some((m) => r.text.includes(m)));
        if (!row) throw new Error(`${path}: no row shows ${finding.code} at ${at} saying "${finding.messages.join('" or "')}"; rows: ${JSON.stringify(rows.map((r) => r.text))}`);
        if (!row.icon.split(/\s+/).some((c) => c === finding.severity || c === `codicon-${finding.severity}`)) throw new Error(`${path}: the ${finding.code} row at ${at} is not shown as ${finding.severity}: icon ${row.icon}`);
      }
      if (name === 'protocol-logging.exrunbook') await screenshot(page, 'lint-task-problems.png');
    }
  });
  await page.close();
}

// --- first run: the Get Started walkthrough, step by step ----------------------------------------

const WALKTHROUGH_TITLE = 'Get Started with Exchange Runbooks';

/** A walkthrough step's entry on the Get Started page (steps are identified as `<extension>#<walkthrough>#<step>`). */
function walkthroughStep(page, id) {
  return page.locator(`button.getting-started-step[data-step-id$="#${id}"]`).first();
}

/** Opens the walkthrough as a person would: Command Palette → Welcome: Open Walkthrough... → this extension's. */
async function openWalkthrough(page, title = WALKTHROUGH_TITLE) {
  const choice = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await fromPalette(page, 'Welcome: Open Walkthrough', choice);
  await choice.click();
  await walkthroughStep(page, 'openExample').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

/** Expands a step and clicks the button its description offers. */
async function clickStepButton(page, id, label, title = WALKTHROUGH_TITLE) {
  await openWalkthrough(page, title);
  const step = walkthroughStep(page, id);
  await step.click();
  await waitFor(async () => (await step.getAttribute('aria-expanded')) === 'true', { timeout: UI_TIMEOUT, what: `step ${id} to expand` });
  await waitFor(() => step.evaluate((el) => el === document.activeElement), { timeout: UI_TIMEOUT, what: `step ${id} to take the focus` });
  const button = step.locator('.monaco-button, a, button', { hasText: label }).first();
  await button.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await button.click();
}

/** Back on the Get Started page, the step shows its check mark. */
async function expectStepChecked(page, id, title = WALKTHROUGH_TITLE) {
  await openWalkthrough(page, title);
  const step = walkthroughStep(page, id);
  await waitFor(async () => (await step.getAttribute('aria-checked')) === 'true', { timeout: UI_TIMEOUT, what: `the walkthrough step ${id} to check itself off` });
  const icon = step.locator('.codicon-getting-started-step-checked, .codicon-pass-filled').first();
  if (!(await icon.count())) throw new Error(`step ${id} is checked but shows no check mark`);
}

async function runWalkthrough() {
  const run = createRunDir('run-walkthrough');
  let server;
  let context;
  try {
    // A profile of its own: walkthrough progress is kept per profile, and the other passes run commands that would tick steps.
    server = await startCodeServer(run);
    context = await launchChromium(run);
    const workspace = createWorkspace(join(run.dir, 'workspace-walkthrough'), {
      fixtures: false,
      settings: {
        'exchangeRunbooks.simulator.statePath': join(run.dir, 'walkthrough-simulator', 'state.json'),
        'exchangeRunbooks.health.pollIntervalSeconds': 5,
      },
    });
    const page = await context.newPage();
    log(`host: walkthrough (fresh profile, workspace ${workspace})`);
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDevelopmentPath(run) }));
    await walkthroughChecks(page);
    await page.close();
  } catch (error) {
    record('walkthrough: host harness', error);
  } finally {
    await context?.close().catch(() => {});
    await server?.stop();
    disposeRun(run);
    keepRunLogs(run, 'walkthrough');
  }
}

async function walkthroughChecks(page) {
  const steps = ['openExample', 'quickFix', 'newRunbook', 'healthView', 'runStep', 'exportJournal'];
  const example = tutorialExample();

  await uiCheck(page, 'walkthrough: Get Started shows the six steps, none done yet', 'walkthrough-open-failed.png', async () => {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.locator('.monaco-workbench.vs-dark[class*="vscode-theme-"]').first().waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await openWalkthrough(page);
    for (const id of steps) {
      const step = walkthroughStep(page, id);
      if (!(await step.count())) throw new Error(`the walkthrough has no step ${id}`);
      if ((await step.getAttribute('aria-checked')) !== 'false') throw new Error(`step ${id} is done before anything was done`);
    }
    await screenshot(page, 'walkthrough-0-start.png');
  });

  await uiCheck(page, 'walkthrough: "Open an Example" opens the example runbook and checks its step off', 'walkthrough-example-failed.png', async () => {
    await clickStepButton(page, 'openExample', 'Open an Example');
    await page.locator('.tabs-container .tab.active[aria-label*="pop-protocol-example.exrunbook"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.locator('.codelens-decoration a', { hasText: 'Run step' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expectStepChecked(page, 'openExample');
    await screenshot(page, 'walkthrough-1-example.png');
  });

  await uiCheck(page, 'walkthrough: the quick fix (Ctrl+.) on the example\'s misspelt monitor checks the quick-fix step off', 'walkthrough-quickfix-failed.png', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'pop-protocol-example.exrunbook' }).first().click();
    await goTo(page, example.line, example.column);
    await page.locator('.editor-instance .monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'PopDeepTestMonitor' }).first();
    await fix.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await screenshot(page, 'walkthrough-2-quick-fix-menu.png');
    // The menu opens with the fix focused; Enter applies it, as from the keyboard.
    await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'PopDeepTestMonitor' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    // The editor renders spaces as no-break spaces.
    const text = async () => (await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    await waitFor(async () => (await text()).includes('for monitor PopDeepTestMonitor'), { timeout: UI_TIMEOUT, what: 'the fix to rename the monitor' });
    await expectStepChecked(page, 'quickFix');
    await screenshot(page, 'walkthrough-2-quick-fix.png');
  });

  await uiCheck(page, 'walkthrough: "New Runbook" for POP.Proxy writes the runbook and checks its step off', 'walkthrough-new-runbook-failed.png', async () => {
    const input = page.locator('.quick-input-widget input');
    // The page moves the focus to the step it expands a moment after the click: a pick opened
    // before that closes again (a person clicking that fast would click again too).
    for (let attempt = 1; ; attempt++) {
      try {
        await clickStepButton(page, 'newRunbook', 'New Runbook');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill('POP.Proxy', { timeout: 5_000 });
        await page.locator('.quick-input-list .monaco-list-row.focused', { has: page.locator('.label-name', { hasText: /^POP\.Proxy$/ }) }).first().waitFor({ state: 'visible', timeout: 5_000 });
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab.active[aria-label*="pop-proxy.exrunbook"]').waitFor({ state: 'visible', timeout: 20_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    // The new runbook is a runbook: the language server gives its steps their lenses.
    await page.locator('.codelens-decoration a').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await screenshot(page, 'walkthrough-3-new-runbook-editor.png');
    await expectStepChecked(page, 'newRunbook');
    await screenshot(page, 'walkthrough-3-new-runbook.png');
  });

  await uiCheck(page, 'walkthrough: "Start the Simulator" fills the Exchange Health view and checks its step off', 'walkthrough-health-failed.png', async () => {
    await clickStepButton(page, 'healthView', 'Start the Simulator');
    const view = page.locator('.pane-body', { has: page.locator('.monaco-list-row', { hasText: 'EX-MBX01' }) }).first();
    await view.locator('.monaco-list-row', { hasText: 'PopDeepTestMonitor' }).first().waitFor({ state: 'visible', timeout: 2 * UI_TIMEOUT });
    await screenshot(page, 'walkthrough-4-health-view.png');
    await expectStepChecked(page, 'healthView');
  });

  await uiCheck(page, 'walkthrough: "Run step" on the example runs the step in PowerShell against a simulated server and checks its step off', 'walkthrough-run-step-failed.png', async () => {
    if (!hasPowerShell()) throw new Error(`PowerShell is needed to run a step (${TOOLS_PWSH}; scripts/setup.sh installs it)`);
    await page.locator('.tabs-container .tab', { hasText: 'pop-protocol-example.exrunbook' }).first().click();
    await page.locator('.codelens-decoration a', { hasText: /^▶ Run step$/ }).first().click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // A server whose POP.Protocol monitors are all Healthy in the scenario: the first step resolves the run.
    await input.fill('EX-MBX02');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'ended: resolved' }).first().waitFor({ state: 'visible', timeout: 3 * UI_TIMEOUT });
    await screenshot(page, 'walkthrough-5-run-step.png');
    // The Get Started page hides the toast: check the step after the next check has used the toast.
  });

  await uiCheck(page, 'walkthrough: "Export Incident Journal" on the end-of-run notification opens the journal and checks the last steps off', 'walkthrough-export-failed.png', async () => {
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'ended: resolved' }).first();
    await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await toast.locator('.monaco-button', { hasText: 'Export Incident Journal' }).first().click();
    // The journal's own editor (its Markdown heading), not the runbook, which names its steps too.
    const journal = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: /#\sIncident\s/ }).first();
    await journal.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await waitFor(async () => /verify\.health/.test(await journal.innerText()), { timeout: UI_TIMEOUT, what: 'the exported journal to list the step verify.health' });
    await screenshot(page, 'walkthrough-6-journal.png');
    await expectStepChecked(page, 'runStep');
    await expectStepChecked(page, 'exportJournal');
    for (const id of steps) {
      if ((await walkthroughStep(page, id).getAttribute('aria-checked')) !== 'true') throw new Error(`step ${id} is no longer checked`);
    }
    await screenshot(page, 'walkthrough-done.png');
  });
}

/** Where the walkthrough's copy of the example carries the documentation's misspelling (1-based, on the monitor's name). */
function tutorialExample() {
  const lines = readFileSync(join(ROOT, 'examples', 'pop-protocol.exrunbook'), 'utf8').split('\n');
  const line = lines.findIndex((l) => /for monitor PopDeepTestMonitor/.test(l));
  if (line < 0) throw new Error('examples/pop-protocol.exrunbook has no `for monitor PopDeepTestMonitor` for the walkthrough to misspell');
  return { line: line + 1, column: lines[line].indexOf('PopDeepTestMonitor') + 3 };
}

// --- pass 5: the extension in Chinese and Japanese ---------------------------------------------

const LANGUAGE_NAMES = { 'zh-cn': ['Chinese Simplified', '中文(简体)'], ja: ['Japanese', '日本語'] };

/**
 * code-server switches its display language only to one a language pack provides. This pack
 * provides the language with no translations of VS Code's own (its menus stay English): what it
 * proves is that this extension's manifest strings, messages, hovers and lenses follow VS Code.
 */
function installLanguagePack(run, locale) {
  const folder = join(run.dir, `language-pack-${locale}`);
  mkdirSync(join(folder, 'translations'), { recursive: true });
  const [languageName, localizedLanguageName] = LANGUAGE_NAMES[locale];
  writeFileSync(join(folder, 'translations', 'main.i18n.json'), `${JSON.stringify({ version: '1.0.0', contents: {} })}\n`);
  writeFileSync(join(folder, 'README.md'), `Test language pack: ${languageName}, no translations of VS Code itself.\n`);
  writeFileSync(
    join(folder, 'package.json'),
    `${JSON.stringify({
      name: `exr-test-language-pack-${locale}`,
      publisher: 'exrunbooks-tests',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      categories: ['Language Packs'],
      contributes: { localizations: [{ languageId: locale, languageName, localizedLanguageName, translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] }] },
    }, null, 2)}\n`,
  );
  const vsix = join(run.dir, `language-pack-${locale}.vsix`);
  const packed = spawnSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: folder, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`packing the ${locale} language pack failed:\n${packed.stdout}\n${packed.stderr}`);
  codeServerCli(run, ['--install-extension', vsix]);
  // The server reads the installed packs from languagepacks.json, which only a running VS Code's
  // language pack service writes (the CLI install does not): write the entry it would write.
  writeFileSync(
    join(run.userDataDir, 'languagepacks.json'),
    `${JSON.stringify({
      [locale]: {
        hash: `exr-test-${locale}`,
        extensions: [{ extensionIdentifier: { id: `exrunbooks-tests.exr-test-language-pack-${locale}` }, version: '0.0.1' }],
        translations: { vscode: join(folder, 'translations', 'main.i18n.json') },
        label: localizedLanguageName,
      },
    }, null, 2)}\n`,
  );
}

/**
 * The walkthrough as a Chinese or Japanese user meets it: its title and steps in the display
 * language, and its first button (labelled in that language) checks its step off.
 */
async function localizedWalkthrough(context, server, run, locale) {
  const nls = JSON.parse(readFileSync(join(ROOT, `package.nls.${locale}.json`), 'utf8'));
  const title = nls['walkthrough.title'];
  const button = /\[([^\]]+)\]\(command:exchangeRunbooks\.walkthrough\.openExample\)/.exec(nls['walkthrough.openExample.description'])?.[1];
  const workspace = createWorkspace(join(run.dir, `workspace-walkthrough-${locale}`), { fixtures: false });
  const page = await context.newPage();
  await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDevelopmentPath(run) }));
  await uiCheck(page, `[${locale}] walkthrough: Get Started shows the walkthrough and its steps in ${locale}, and its "Open an Example" button checks the first step off`, `walkthrough-${locale}-failed.png`, async () => {
    if (!title || !button) throw new Error(`package.nls.${locale}.json lacks the walkthrough's title or the Open an Example button`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await openWalkthrough(page, title);
    for (const id of ['openExample', 'quickFix', 'newRunbook', 'healthView', 'runStep', 'exportJournal']) {
      const shown = await walkthroughStep(page, id).locator('.step-title').innerText();
      if (shown.trim() !== nls[`walkthrough.${id}.title`]) throw new Error(`step ${id} reads ${JSON.stringify(shown)}, not ${JSON.stringify(nls[`walkthrough.${id}.title`])}`);
    }
    await clickStepButton(page, 'openExample', button, title);
    await page.locator('.tabs-container .tab.active[aria-label*="pop-protocol-example.exrunbook"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expectStepChecked(page, 'openExample', title);
    await walkthroughStep(page, 'quickFix').click();
    await screenshot(page, `walkthrough-${locale}.png`);
  });
  await page.close();
}

async function runLocalized(locale) {
  const run = createRunDir(`run-${locale}`);
  let server;
  let context;
  try {
    installLanguagePack(run, locale);
    server = await startCodeServer(run, { extraArgs: ['--locale', locale] });
    log(`host: ${locale} code-server on ${server.url}`);
    context = await launchChromium(run);
    await runSuite(context, server, run, { prefix: `[${locale}] `, screenshotName: `l10n-${locale}.png` });
    await localizedWalkthrough(context, server, run, locale);
  } catch (error) {
    record(`[${locale}] host harness`, error);
  } finally {
    await context?.close().catch(() => {});
    await server?.stop();
    disposeRun(run);
    keepRunLogs(run, locale);
  }
}

// --- main ---------------------------------------------------------------------------------------

/** EXR_HOST_ONLY=lint,walkthrough runs only those passes (suite, ui, lint, walkthrough, l10n) while one is being worked on. */
const ONLY = process.env.EXR_HOST_ONLY ? new Set(process.env.EXR_HOST_ONLY.split(',').map((name) => name.trim())) : undefined;
const wanted = (pass) => !ONLY || ONLY.has(pass);

async function main() {
  const started = Date.now();
  ensureBuilt();
  // Only this runner's own files: scripts/test.sh keeps the suites' logs in test-results/logs/.
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const name of readdirSync(RESULTS_DIR)) {
    if (name.endsWith('.png') || name === 'host.json') rmSync(join(RESULTS_DIR, name), { force: true });
  }

  const run = createRunDir('run');
  let server;
  let context;
  const cleanup = async () => {
    await context?.close().catch(() => {});
    await server?.stop();
    disposeRun(run);
    keepRunLogs(run, 'run');
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    server = await startCodeServer(run);
    log(`host: code-server on ${server.url} (run folder ${run.dir})`);
    context = await launchChromium(run);
    if (wanted('suite')) await runSuite(context, server, run);
    if (wanted('ui')) await runUi(context, server, run);
    if (wanted('lint')) await runLintTask(context, server, run);
  } catch (error) {
    record('host harness', error);
  } finally {
    await cleanup();
  }
  if (wanted('walkthrough')) await runWalkthrough();
  if (wanted('l10n') && !process.env.EXR_SKIP_LOCALIZED) {
    for (const locale of ['zh-cn', 'ja']) await runLocalized(locale);
  }

  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.filter((r) => r.state === 'failed').length;
  writeFileSync(join(RESULTS_DIR, 'host.json'), `${JSON.stringify({ passed, failed, tests: results }, null, 2)}\n`);
  log(`host: finished in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in test-results/`);
  if (failed) log(`host: logs of this run in ${run.dir}`);
  log(`host: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

await main();

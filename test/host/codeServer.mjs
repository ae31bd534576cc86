// Shared helpers for running the extension in real VS Code here: code-server (VS Code 1.100 in a
// browser) started in a throwaway run folder, Debian's Chromium driven by playwright-core, the
// test workspace, and stopping everything that was started (the whole process tree).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VSCODE_TEST_DIR = join(ROOT, '.vscode-test');
export const CODE_SERVER_BIN = join(VSCODE_TEST_DIR, 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The project's own PowerShell 7 (scripts/setup.sh installs it); the extension is pointed at it through its setting. */
export const PWSH = process.env.EXR_PWSH || join(ROOT, '.tools', 'pwsh', 'pwsh');

/** Settings for a test profile: no GPU terminal (its text is then in the DOM), nothing on startup, no phoning home. */
export const USER_SETTINGS = {
  'terminal.integrated.gpuAcceleration': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'window.autoDetectColorScheme': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  ...(existsSync(PWSH) ? { 'exchangeRunbooks.powershell.path': PWSH } : {}),
};

export function log(message) {
  process.stdout.write(`${message}\n`);
}

/** Deadline-bounded polling: resolves with the first truthy value of `check`, rejects at the deadline. */
export async function waitFor(check, { timeout = 30_000, interval = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if (error?.fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? ` (last error: ${lastError.message ?? lastError})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * A fresh folder for one run: .vscode-test/run-<id>/ with home, user data and extensions inside.
 * TMPDIR is a short folder under the system temp dir (VS Code puts unix sockets there, and socket
 * paths are limited to 107 bytes); it is removed when the run is disposed. Folders of earlier runs
 * whose owner process is gone are removed here, the last one is kept for inspection until then.
 */
export function createRunDir(kind = 'run') {
  mkdirSync(VSCODE_TEST_DIR, { recursive: true });
  for (const name of readdirSync(VSCODE_TEST_DIR)) {
    if (!name.startsWith('run-')) continue;
    const dir = join(VSCODE_TEST_DIR, name);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      // No owner file: an interrupted run.
    }
    if (!owner || !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
  }
  const id = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const run = profileFolders(join(VSCODE_TEST_DIR, `${kind}-${id}`), 'exr-');
  writeFileSync(join(run.dir, 'owner.pid'), String(process.pid));
  return run;
}

/** The folders of one code-server profile under `dir` (home, user data with our settings, extensions) and a short temp folder. */
export function profileFolders(dir, tmpPrefix) {
  const run = {
    dir,
    home: join(dir, 'home'),
    userDataDir: join(dir, 'user-data'),
    extensionsDir: join(dir, 'extensions'),
    tmp: mkdtempSync(join(tmpdir(), tmpPrefix)),
  };
  for (const d of [run.home, run.userDataDir, run.extensionsDir]) mkdirSync(d, { recursive: true });
  writeUserSettings(run.userDataDir);
  return run;
}

export function writeUserSettings(userDataDir, extra = {}) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify({ ...USER_SETTINGS, ...extra }, null, 2)}\n`);
}

/**
 * The workspace the tests (and the demo) open: copies of examples/ and client/test/fixtures/ in a
 * folder of their own, so nothing done there (edits, quick fixes, result files) touches the
 * repository.
 */
export function createWorkspace(dir, { fixtures = true, settings = {}, linter = false } = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = [['examples', 'examples']];
  if (fixtures) sources.push([join('client', 'test', 'fixtures'), 'fixtures']);
  for (const [from, to] of sources) {
    const source = join(ROOT, from);
    if (existsSync(source)) cpSync(source, join(dir, to), { recursive: true });
  }
  // Only the language server's completions: word-based suggestions would offer any word of any
  // open runbook (a probe of another health set, say) and blur what the server proposes.
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    `${JSON.stringify({ 'editor.wordBasedSuggestions': 'off', 'files.exclude': { '.test-results.json': true }, ...settings }, null, 2)}\n`,
  );
  if (linter) installLinter(dir);
  return dir;
}

/**
 * Installs the command-line linter into the workspace as a team's CI does (`npm install
 * --save-dev exchange-health-runbooks`), from this checkout: the "Lint runbooks" task runs it with
 * `npx --no-install`. `--install-links` copies what the published package holds (.npmignore: the
 * bins, the bundled linter, its wasm) instead of linking the checkout, which would put the whole
 * repository, this run folder included, inside the workspace; no registry is needed (about 2 s).
 */
function installLinter(dir) {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'runbooks-workspace', private: true }, null, 2)}\n`);
  const args = ['install', '--no-audit', '--no-fund', '--offline', '--install-links', '--ignore-scripts', '--save-dev', ROOT];
  const result = spawnSync('npm', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(join(dir, 'node_modules', '.bin', 'exchange-runbook-lint'))) {
    throw new Error(`installing the linter into ${dir} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** The environment for code-server: a fresh HOME and TMPDIR, nothing inherited from an editor this runs in. */
function cleanEnv(run) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key.startsWith('ELECTRON_') || key === 'CODE_SERVER_SESSION_SOCKET') delete env[key];
  }
  delete env.PORT;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  return {
    ...env,
    HOME: run.home,
    TMPDIR: run.tmp,
    XDG_CONFIG_HOME: join(run.home, '.config'),
    XDG_DATA_HOME: join(run.home, '.local', 'share'),
    XDG_CACHE_HOME: join(run.home, '.cache'),
    XDG_RUNTIME_DIR: run.tmp,
  };
}

export function ensureCodeServer() {
  if (!existsSync(CODE_SERVER_BIN)) {
    throw new Error(`code-server is not installed (${CODE_SERVER_BIN} is missing): run \`bash scripts/setup.sh\` first.`);
  }
}

/** Runs the code-server CLI to completion (e.g. --install-extension) in the run's environment. */
export function codeServerCli(run, args) {
  ensureCodeServer();
  const result = spawnSync(
    CODE_SERVER_BIN,
    ['--user-data-dir', run.userDataDir, '--extensions-dir', run.extensionsDir, ...args],
    { env: cleanEnv(run), encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`code-server ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Starts code-server on 127.0.0.1 and waits for /healthz. It runs in its own process group
 * (`detached`) so stop() can end it with everything it started.
 */
export async function startCodeServer(run, { port, host = '127.0.0.1', extraArgs = [], logFile, stdio } = {}) {
  ensureCodeServer();
  port ??= await freePort();
  const args = [
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--user-data-dir', run.userDataDir,
    '--extensions-dir', run.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...extraArgs,
  ];
  const logPath = logFile ?? join(run.dir, 'code-server.log');
  const child = spawn(CODE_SERVER_BIN, args, {
    env: cleanEnv(run),
    cwd: run.home,
    detached: true,
    stdio: stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  if (!stdio) {
    const out = createWriteStream(logPath);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
  }
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://${host}:${port}`;
  const server = {
    port,
    host,
    url,
    child,
    logPath,
    stop: () => stopProcessTree(child.pid),
  };
  try {
    await waitFor(
      async () => {
        if (exited) {
          throw Object.assign(new Error(`code-server exited early (${exited.code ?? exited.signal}); see ${logPath}`), { fatal: true });
        }
        const response = await fetch(`${url}/healthz`);
        return response.status === 200;
      },
      { timeout: 60_000, what: `code-server /healthz on port ${port}` },
    );
  } catch (error) {
    await server.stop();
    if (existsSync(logPath)) {
      error.message += `\n--- ${logPath} ---\n${readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n')}`;
    }
    throw error;
  }
  return server;
}

/** All descendants of a process, read from /proc (terminal shells run in sessions of their own). */
function descendants(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we were reading.
    }
  }
  const result = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift();
    for (const child of children.get(pid) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Ends a process started with `detached: true` and everything below it: its process group, and
 * every descendant found before the kill (which would otherwise be reparented and survive).
 */
export async function stopProcessTree(pid) {
  if (!pid) return;
  const tree = [pid, ...descendants(pid)];
  signal(-pid, 'SIGTERM');
  for (const p of tree) signal(p, 'SIGTERM');
  try {
    await waitFor(() => tree.every((p) => !isAlive(p)), { timeout: 5_000, interval: 100, what: 'processes to exit' });
  } catch {
    signal(-pid, 'SIGKILL');
    for (const p of tree) signal(p, 'SIGKILL');
  }
}

/** Removes the run's temp folder (sockets and temp files of code-server); the run folder stays for inspection. */
export function disposeRun(run) {
  rmSync(run.tmp, { recursive: true, force: true });
}

/** Debian's Chromium through playwright-core, headless, with a fresh profile. */
export async function launchChromium(run) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`bash scripts/setup.sh\` (Debian package chromium), or set CHROMIUM_PATH.`);
  }
  const { chromium } = await import('playwright-core');
  const profile = join(run.dir, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    env: { ...process.env, HOME: run.home, TMPDIR: run.tmp },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * The extension development path to hand the workbench: the repository root, reached through a
 * link outside it. The workbench of an extension development host applies the colour theme of
 * any extension found under the development path, and code-server's built-in theme extensions
 * live under .vscode-test/ in the repository: given the root itself, the host would come up in a
 * random built-in theme (Light+, Abyss, ...) instead of the configured one.
 */
export function extensionDevelopmentPath(run) {
  const link = join(run.tmp, 'extension');
  if (!existsSync(link)) symlinkSync(ROOT, link, 'dir');
  return link;
}

/** The workbench address that opens `folder` with extension development/test options. */
export function workbenchUrl(server, folder, payload) {
  const remote = (path) => `vscode-remote://${server.host}:${server.port}${path}`;
  const entries = Object.entries(payload).map(([key, value]) => [key, value.startsWith('/') ? remote(value) : value]);
  const query = new URLSearchParams({ folder });
  if (entries.length) query.set('payload', JSON.stringify(entries));
  return `${server.url}/?${query.toString()}`;
}

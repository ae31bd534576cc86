// Measurements over the Language Server Protocol against the shipped bundle, `node dist/server.js
// --stdio`, as VS Code drives it: start-up to first diagnostics, keystroke (didChange) to pulled
// diagnostics, completion after typing its trigger character, and the server's memory.
//
//   node bench/lsp.mjs <runbook-1k.exrunbook> <runbook-10k.exrunbook> [--spawns N]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { ROOT } from './lib/service.mjs';
import { measure, now, report, summarize } from './lib/stats.mjs';

const [small, large] = process.argv.slice(2);
const spawnsIndex = process.argv.indexOf('--spawns');
const SPAWNS = spawnsIndex > 0 ? Number(process.argv[spawnsIndex + 1]) : 5;
const SERVER = join(ROOT, 'dist', 'server.js');
if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first.`);

const smallText = readFileSync(small, 'utf8');
const largeText = readFileSync(large, 'utf8');

/** Spawns the server and connects to it; `t0` is the moment of the spawn. */
function start() {
  const t0 = now();
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onNotification('window/logMessage', () => {});
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => null));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => null);
  connection.listen();
  const exited = new Promise((resolve) => child.on('exit', () => resolve(now())));
  return { t0, child, connection, exited };
}

async function initialize(connection) {
  const result = await connection.sendRequest('initialize', {
    processId: null,
    rootUri: null,
    locale: 'en',
    capabilities: {
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: false },
        diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
        completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
      },
      workspace: { configuration: false },
    },
    workspaceFolders: null,
  });
  await connection.sendNotification('initialized', {});
  return result;
}

const URI = 'file:///bench/runbook.exrunbook';

function open(connection, text, uri = URI) {
  return connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'exchange-runbook', version: 1, text } });
}

const pull = (connection, uri = URI) => connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });

async function stop({ connection, child, exited }) {
  const t = now();
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  const exitedAt = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 30000).unref())]);
  connection.dispose();
  if (exitedAt === undefined) child.kill();
  return exitedAt === undefined ? undefined : exitedAt - t;
}

/** Line and character of the first position `test` finds, searching from the middle outwards. */
function near(text, test) {
  const lines = text.split('\n');
  const middle = lines.length >> 1;
  let best;
  lines.forEach((line, i) => {
    const character = test(line);
    if (character !== undefined && character >= 0 && (!best || Math.abs(i - middle) < Math.abs(best.line - middle))) best = { line: i, character };
  });
  return best;
}

// ---- 1. start-up to first diagnostics (1k runbook) -----------------------------------------------
const startup = { initialize: [], firstDiagnostics: [], shutdownToExit: [] };
for (let i = 0; i < SPAWNS; i++) {
  const server = start();
  await initialize(server.connection);
  startup.initialize.push(now() - server.t0);
  await open(server.connection, smallText);
  const result = await pull(server.connection);
  startup.firstDiagnostics.push(now() - server.t0);
  if (result.items.length !== 0) process.stderr.write(`lsp: ${result.items.length} diagnostics on the 1k runbook\n`);
  const exit = await stop(server);
  if (exit !== undefined) startup.shutdownToExit.push(exit);
}

// ---- 2. keystroke to diagnostics, 3. completion after its trigger character (1k runbook) ---------
const server = start();
await initialize(server.connection);
await open(server.connection, smallText);
const first = await pull(server.connection);
let version = 1;
const change = (range, text) =>
  server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: ++version }, contentChanges: [{ range, text }] });

// Typing inside the -LogFileLocation string of a Set-PopSettings command in the middle.
const site = near(smallText, (l) => (l.includes('-LogFileLocation "') ? l.indexOf('"', l.indexOf('-LogFileLocation "') + 18) : undefined));
let typed = 0;
let diagnosticsAfterEdit = 0;
const keystroke = await measure(
  async () => {
    const at = { line: site.line, character: site.character + typed++ };
    await change({ start: at, end: at }, 'abcdefghijklmnopqrstuvwxyz'[typed % 26]);
    diagnosticsAfterEdit = (await pull(server.connection)).items.length;
  },
  { warmup: 20, runs: 100 },
);

// Completion as VS Code asks for it: the trigger character is typed (didChange), then the request.
// Before each sample the character is deleted again (untimed), so every sample types it afresh and
// the server re-analyses the document before it answers.
const sites = {
  'healthset ': { position: near(smallText, (l) => (l.startsWith('  healthset ') ? '  healthset '.length : undefined)), trigger: ' ' },
  'POP.Protocol\\': { position: near(smallText, (l) => (/^\s+run .*POP\.Protocol\\/.test(l) ? l.indexOf('POP.Protocol\\') + 'POP.Protocol\\'.length : undefined)), trigger: '\\' },
  '-Param of Set-PopSettings': { position: near(smallText, (l) => (/^\s+run Set-PopSettings .*-ProtocolLogEnabled/.test(l) ? l.indexOf('-ProtocolLogEnabled') + 1 : undefined)), trigger: '-' },
  '-> ': { position: near(smallText, (l) => (/^\s+when .* -> [a-z]/.test(l) && !/-> (resolved|escalate)/.test(l) ? l.indexOf('-> ') + 3 : undefined)), trigger: ' ' },
};
const completion = {};
for (const [name, { position, trigger }] of Object.entries(sites)) {
  const before = { line: position.line, character: position.character - 1 };
  let items = 0;
  const typedTrigger = await measure(
    async () => {
      await change({ start: before, end: before }, trigger);
      const result = await server.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position });
      items = Array.isArray(result) ? result.length : (result?.items.length ?? 0);
    },
    { warmup: 10, runs: 50, before: () => change({ start: before, end: position }, '') },
  );
  // The same request again without an edit: the model is cached, this is completion + transport.
  const cached = await measure(() => server.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position }), { warmup: 10, runs: 50 });
  completion[name] = { typedTrigger, cachedModel: cached, items, position };
}
await stop(server);

// ---- 4. the server's memory with the 10k runbook open --------------------------------------------
const big = start();
await initialize(big.connection);
const o0 = now();
await open(big.connection, largeText);
const bigFirst = await pull(big.connection);
const firstDiagnostics10k = now() - o0;
const at = near(largeText, (l) => (l.includes('-LogFileLocation "') ? l.indexOf('"', l.indexOf('-LogFileLocation "') + 18) : undefined));
const keystrokes10k = [];
for (let i = 0; i < 6; i++) {
  const position = { line: at.line, character: at.character + i };
  await big.connection.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: 2 + i }, contentChanges: [{ range: { start: position, end: position }, text: 'x' }] });
  const k0 = now();
  await pull(big.connection);
  keystrokes10k.push(now() - k0);
}
const status = readFileSync(`/proc/${big.child.pid}/status`, 'utf8');
const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
const serverMemory = { VmRSSMB: Math.round(kb('VmRSS') / 102.4) / 10, VmHWMMB: Math.round(kb('VmHWM') / 102.4) / 10 };
await stop(big);

report({
  startup: {
    spawns: SPAWNS,
    initialize: summarize(startup.initialize),
    firstDiagnostics: summarize(startup.firstDiagnostics),
    shutdownToExit: startup.shutdownToExit.length ? summarize(startup.shutdownToExit) : undefined,
  },
  keystroke: { ...keystroke, diagnosticsOnOpen: first.items.length, diagnosticsAfterEdit },
  completion,
  server10k: { firstDiagnosticsMs: firstDiagnostics10k, firstKeystrokeMs: keystrokes10k[0], keystroke: summarize(keystrokes10k.slice(1)), diagnostics: bigFirst.items.length, ...serverMemory },
});

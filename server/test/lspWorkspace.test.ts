// Runbooks that refer to each other, over the protocol: the server's workspace index (files on
// disk, open documents, watched-file changes), diagnostics that follow another file's changes for
// pull and push clients, and a rename across files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createConnection } from 'vscode-languageserver/node';
import {
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  FileChangeType,
  type FullDocumentDiagnosticReport,
  InitializedNotification,
  InitializeRequest,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  RegistrationRequest,
  type RegistrationParams,
  RenameRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceSymbol,
  WorkspaceSymbolRequest,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../src/server';

const PROTOCOL = `runbook pop-protocol "POP.Protocol"
  healthset POP.Protocol
  param $Server: mailbox "Mailbox server"

procedure verify "Verify"
  step rerun-deep "Re-run the deep test probe"
    run Invoke-MonitoringProbe POP.Protocol\\PopDeepTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "PopDeepTestMonitor recovery" for monitor PopDeepTestMonitor, PopSelfTestMonitor
  step restart "Restart the POP3 back-end service" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3BE }
  step again = verify.rerun-deep
    when ResultType is Succeeded -> resolved
    otherwise -> escalate
`;

const POP = `runbook pop "POP"
  param $Server: server "Server named in the alert"

procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved
    when ResultType is Failed -> pop-imap:verify
    otherwise -> pop-protocol:recover
`;

const EXTRA = `runbook pop-imap "Another runbook"
procedure verify "Verify"
  step look "Look"
    manual "Read the log"
`;

/** Polls until `check` returns a value (not undefined), or fails after the deadline. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, deadline = 10_000): Promise<T> {
  const end = Date.now() + deadline;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Client {
  connection: ProtocolConnection;
  refreshes: number;
  registrations: RegistrationParams[];
  published: PublishDiagnosticsParams[];
}

async function start(folder: string, pull: boolean): Promise<Client> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const client: Client = { connection, refreshes: 0, registrations: [], published: [] };
  connection.onRequest('workspace/diagnostic/refresh', () => {
    client.refreshes++;
    return null;
  });
  connection.onRequest(RegistrationRequest.method, (params: RegistrationParams) => {
    client.registrations.push(params);
    return null;
  });
  connection.onNotification(PublishDiagnosticsNotification.method, (params: PublishDiagnosticsParams) => {
    client.published.push(params);
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: null,
    rootUri: null,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'runbooks' }],
    capabilities: {
      textDocument: pull ? { diagnostic: { dynamicRegistration: false } } : {},
      workspace: { diagnostics: { refreshSupport: pull }, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
    },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return client;
}

/** Waits until no diagnostic refresh has come for a while: refreshes counted after it are new. */
async function settled(client: Client): Promise<number> {
  let last = client.refreshes;
  let since = Date.now();
  return until('the refreshes to settle', () => {
    if (client.refreshes !== last) {
      last = client.refreshes;
      since = Date.now();
    }
    return Date.now() - since > 400 ? last : undefined;
  });
}

async function pulled(client: Client, uri: string): Promise<string[]> {
  const report = (await client.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } })) as FullDocumentDiagnosticReport;
  return report.items.map((d) => `${String(d.code)}:${d.range.start.line}`);
}

describe('runbooks that refer to each other, over LSP', () => {
  let folder: string;
  let outside: string;
  const popUri = (): string => pathToFileURL(join(folder, 'pop.exrunbook')).href;
  const protocolUri = (): string => pathToFileURL(join(folder, 'pop-protocol.exrunbook')).href;
  const extraPath = (): string => join(folder, 'sub', 'pop-imap.exrunbook');

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'exr-xref-'));
    // Each test starts from these two files on disk.
    writeFileSync(join(folder, 'pop-protocol.exrunbook'), PROTOCOL);
    writeFileSync(join(folder, 'pop.exrunbook'), POP);
    // Reading the workspace never opens a FIFO (it would never answer), nor follows a symlink out.
    execFileSync('mkfifo', [join(folder, 'a-pipe.exrunbook')]);
    outside = mkdtempSync(join(tmpdir(), 'exr-xref-outside-'));
    writeFileSync(join(outside, 'pop-imap.exrunbook'), EXTRA);
    symlinkSync(outside, join(folder, 'linked'));
    symlinkSync(join(outside, 'pop-imap.exrunbook'), join(folder, 'linked-imap.exrunbook'));
  });
  after(() => {
    rmSync(folder, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('pull client: resolves a runbook on disk, follows its edits and watched files, refreshes dependents, renames across files', async () => {
    const client = await start(folder, true);
    try {
      // The server watches *.exrunbook itself.
      await until('the watcher registration', () => (client.registrations.some((r) => r.registrations.some((g) => g.method === DidChangeWatchedFilesNotification.method)) ? true : undefined));
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: popUri(), languageId: 'exchange-runbook', version: 1, text: POP } });
      // pop-protocol is read from disk (not open); pop-imap does not exist yet (the one behind the
      // symlinks is outside the folder).
      const popLine = (marker: string): number => POP.split('\n').findIndex((l) => l.includes(marker));
      await until('pop-protocol read from disk', async () => {
        const found = await pulled(client, popUri());
        return found.join() === `unknown-runbook:${popLine('pop-imap:')}` ? found : undefined;
      });
      // Workspace symbols include the procedures and steps of runbooks that are not open.
      const symbols = (await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'rerun-deep' })) as WorkspaceSymbol[];
      assert.deepEqual(symbols.map((sym) => [sym.name, sym.location.uri]), [['verify.rerun-deep', protocolUri()]]);

      // A file created on disk, announced by the client's watcher: its id now resolves.
      mkdirSync(join(folder, 'sub'), { recursive: true });
      writeFileSync(extraPath(), EXTRA);
      const refreshesBefore = await settled(client);
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(extraPath()).href, type: FileChangeType.Created }] });
      await until('a diagnostic refresh after the created file', () => (client.refreshes > refreshesBefore ? true : undefined));
      assert.deepEqual(await pulled(client, popUri()), []);

      // Deleted on disk: the reference is unknown again.
      rmSync(extraPath(), { force: true });
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(extraPath()).href, type: FileChangeType.Deleted }] });
      await until('unknown-runbook after the delete', async () => ((await pulled(client, popUri())).some((d) => d.startsWith('unknown-runbook')) ? true : undefined));

      // Open pop-protocol and rename its procedure by typing: pop's reference breaks, and the client is told to pull again.
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: protocolUri(), languageId: 'exchange-runbook', version: 1, text: PROTOCOL } });
      const beforeEdit = await settled(client);
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri: protocolUri(), version: 2 },
        contentChanges: [{ text: PROTOCOL.replace('procedure recover ', 'procedure recover-deep ').replace('otherwise -> recover', 'otherwise -> recover-deep') }],
      });
      await until('a diagnostic refresh after the edit', () => (client.refreshes > beforeEdit ? true : undefined));
      assert.ok((await pulled(client, popUri())).includes(`unknown-target:${popLine('pop-protocol:recover')}`));

      // Typed back, then renamed from pop: one edit per file, versioned.
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: protocolUri(), version: 3 }, contentChanges: [{ text: PROTOCOL }] });
      const line = popLine('pop-protocol:recover');
      const character = POP.split('\n')[line]!.indexOf('pop-protocol:recover') + 'pop-protocol:'.length + 2;
      const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: popUri() }, position: { line, character }, newName: 'recover-deep' });
      const changes = (edit?.documentChanges ?? []) as TextDocumentEdit[];
      const byUri = new Map(changes.map((c) => [c.textDocument.uri, c]));
      assert.deepEqual([...byUri.keys()].sort(), [popUri(), protocolUri()].sort());
      assert.equal(byUri.get(popUri())!.textDocument.version, 1);
      assert.equal(byUri.get(protocolUri())!.textDocument.version, 3);
      // The declaration and the local branch in pop-protocol, the reference in pop.
      assert.equal(byUri.get(protocolUri())!.edits.length, 2);
      assert.deepEqual(byUri.get(popUri())!.edits.map((e) => (e as TextEdit).newText), ['recover-deep']);
    } finally {
      rmSync(extraPath(), { force: true });
      await client.connection.sendRequest(ShutdownRequest.type);
      client.connection.dispose();
    }
  });

  it('push client: an open dependent gets fresh diagnostics when the runbook it refers to changes', async () => {
    const client = await start(folder, false);
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: protocolUri(), languageId: 'exchange-runbook', version: 1, text: PROTOCOL } });
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: popUri(), languageId: 'exchange-runbook', version: 1, text: POP } });
      const latest = (uri: string): PublishDiagnosticsParams | undefined => client.published.filter((p) => p.uri === uri).at(-1);
      await until('pop published with only the unknown pop-imap', () => {
        const codes = latest(popUri())?.diagnostics.map((d) => String(d.code));
        return codes?.join() === 'unknown-runbook' ? true : undefined;
      });
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri: protocolUri(), version: 2 },
        contentChanges: [{ text: PROTOCOL.replace('procedure recover ', 'procedure recover-deep ').replace('otherwise -> recover', 'otherwise -> recover-deep') }],
      });
      // pop was not edited, and still gets new diagnostics.
      await until('pop re-published with the broken reference', () => (latest(popUri())?.diagnostics.some((d) => d.code === 'unknown-target') ? true : undefined));
    } finally {
      await client.connection.sendRequest(ShutdownRequest.type);
      client.connection.dispose();
    }
  });
});

// Long requests over the protocol: a first analysis of a huge runbook runs in slices, so a hover on
// another document is answered meanwhile, `$/cancelRequest` stops it (RequestCancelled) and an edit
// outdates a pull (ServerCancelled). Orders and error codes are asserted, never durations.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import {
  CancellationTokenSource,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  DocumentSymbolRequest,
  type FullDocumentDiagnosticReport,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type ProtocolConnection,
  ResponseError,
  SemanticTokensRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { RunbookLanguageService } from '../src/languageService';
import { startServer } from '../src/server';

const SMALL_URI = 'file:///work/small.exrunbook';
const SMALL = `runbook small "Small"
  healthset POP

procedure verify "Verify"
  step health "Health"
    run Get-ServerHealth -Identity EX01 -HealthSet POP
`;

/**
 * A runbook of `procedures` × `steps` distinct commands, each with a script block (so each goes
 * through tree-sitter whatever the fast path takes) and an unknown variable (a diagnostic each).
 * `tag` makes its commands new to the server's caches.
 */
function hugeRunbook(tag: string, procedures = 40, steps = 50): string {
  let text = `runbook huge "Huge"\n  healthset POP\n  param $Server: server "Server"\n\n`;
  for (let p = 0; p < procedures; p++) {
    text += `procedure p${p} "P${p}"\n`;
    for (let s = 0; s < steps; s++) {
      text += `  step s${s} "S"\n    run Get-ServerHealth -Identity $Server | Where-Object { $_.AlertValue -ne "${tag}${p}x${s}" -and $Undeclared${tag} }\n`;
    }
  }
  return text;
}

async function startPair(): Promise<ProtocolConnection> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client.listen();
  await client.sendRequest(InitializeRequest.type, { processId: null, rootUri: null, capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } } } });
  await client.sendNotification(InitializedNotification.type, {});
  await client.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: SMALL_URI, languageId: 'exchange-runbook', version: 1, text: SMALL } });
  return client;
}

async function open(client: ProtocolConnection, uri: string, text: string): Promise<void> {
  await client.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'exchange-runbook', version: 1, text } });
}

const hoverSmall = (client: ProtocolConnection) => client.sendRequest(HoverRequest.type, { textDocument: { uri: SMALL_URI }, position: { line: 5, character: 10 } });

/** What the request settled with: its result, or the error's code and data. */
async function settle<T>(request: Promise<T>): Promise<{ result?: T; code?: number; data?: unknown }> {
  try {
    return { result: await request };
  } catch (error) {
    if (error instanceof ResponseError) return { code: error.code, data: error.data };
    throw error;
  }
}

describe('long requests: sliced, cancellable, not in the way of others', () => {
  let client: ProtocolConnection;
  before(async () => {
    client = await startPair();
  });
  after(async () => {
    await client.sendRequest(ShutdownRequest.type);
    client.dispose();
  });

  it("answers a hover on a small runbook while a huge one's diagnostics are computed, and those stay complete", async () => {
    const uri = 'file:///work/huge-a.exrunbook';
    const text = hugeRunbook('a');
    await open(client, uri, text);
    const order: string[] = [];
    const diagnostics = client.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } }).then((report) => {
      order.push('diagnostics');
      return (report as FullDocumentDiagnosticReport).items;
    });
    const hover = hoverSmall(client).then((found) => {
      order.push('hover');
      return found;
    });
    assert.ok(await hover, 'the hover has an answer');
    const items = await diagnostics;
    assert.deepEqual(order, ['hover', 'diagnostics']);
    // Slicing changes nothing of the result: the same diagnostics as the synchronous API gives.
    const service = await RunbookLanguageService.create();
    service.clearCaches();
    const expected = service.diagnostics(service.analyze(text, 'file:///work/expected.exrunbook'), uri, 'en');
    assert.equal(items.length, expected.length);
    assert.ok(items.length >= 2000, `one unknown variable per command: ${items.length}`);
    assert.deepEqual(items, expected);
  });

  it('cancels a running diagnostic request with RequestCancelled (-32800), and answers the next one', async () => {
    const uri = 'file:///work/huge-b.exrunbook';
    await open(client, uri, hugeRunbook('b'));
    const source = new CancellationTokenSource();
    const diagnostics = settle(client.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } }, source.token));
    // The hover is answered between two slices: the diagnostic request is running by then.
    await hoverSmall(client);
    source.cancel();
    assert.equal((await diagnostics).code, -32800);
    const again = (await client.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } })) as FullDocumentDiagnosticReport;
    assert.ok(again.items.length >= 2000);
  });

  it('cancels running semantic tokens too', async () => {
    const uri = 'file:///work/huge-c.exrunbook';
    await open(client, uri, hugeRunbook('c'));
    const source = new CancellationTokenSource();
    const tokens = settle(client.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }, source.token));
    await hoverSmall(client);
    source.cancel();
    assert.equal((await tokens).code, -32800);
  });

  it("cancels an outline of a huge runbook while it is first analysed, and answers the next one", async () => {
    const uri = 'file:///work/huge-e.exrunbook';
    await open(client, uri, hugeRunbook('e'));
    const source = new CancellationTokenSource();
    const symbols = settle(client.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }, source.token));
    await hoverSmall(client);
    source.cancel();
    assert.equal((await symbols).code, -32800);
    const again = await client.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
    assert.ok((again?.length ?? 0) > 40, `the outline of 40 procedures: ${again?.length}`);
  });

  it('ends a pull the document outdated with ServerCancelled (-32802), asking to be asked again', async () => {
    const uri = 'file:///work/huge-d.exrunbook';
    const text = hugeRunbook('d');
    await open(client, uri, text);
    const diagnostics = settle(client.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } }));
    await hoverSmall(client);
    await client.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }],
    });
    const outcome = await diagnostics;
    assert.equal(outcome.code, -32802);
    assert.deepEqual(outcome.data, { retriggerRequest: true });
  });
});

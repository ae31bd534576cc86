// The language server over the protocol, as an editor talks to it: in-memory streams, no VS Code.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type ProtocolConnection,
  RenameRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type FullDocumentDiagnosticReport,
} from 'vscode-languageserver-protocol/node';
import { MONITOR_INFO_REQUEST, PROCEDURE_FOR_MONITOR_REQUEST, type MonitorInfo, type ProcedureLocation, RUNBOOK_PLAN_REQUEST, type RunbookPlan } from '../src/protocol';
import { startServer } from '../src/server';

const URI = 'file:///work/pop.exrunbook';
const TEXT = `runbook pop "POP"
  healthset POP.Proxy
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitor
  step restart "Restart POP3"
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }
  step escalate "Escalate"
    escalate "Contact support"
`;

/** The position just after `marker` in TEXT. */
function at(marker: string): { line: number; character: number } {
  const lines = TEXT.split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  return { line, character: lines[line]!.indexOf(marker) + marker.length };
}

async function startPair(locale: string): Promise<ProtocolConnection> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client.listen();
  const result = await client.sendRequest(InitializeRequest.type, {
    processId: null,
    rootUri: null,
    capabilities: { textDocument: { diagnostic: { dynamicRegistration: false }, documentSymbol: { hierarchicalDocumentSymbolSupport: true }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } } },
    initializationOptions: { runsStepCommands: true },
    locale,
  });
  assert.ok(result.capabilities.diagnosticProvider);
  await client.sendNotification(InitializedNotification.type, {});
  await client.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'exchange-runbook', version: 1, text: TEXT } });
  return client;
}

async function diagnostics(client: ProtocolConnection) {
  const report = (await client.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: URI } })) as FullDocumentDiagnosticReport;
  return report.items;
}

describe('language server over LSP', () => {
  let client: ProtocolConnection;
  before(async () => {
    client = await startPair('en');
  });
  after(async () => {
    await client.sendRequest(ShutdownRequest.type);
    client.dispose();
  });

  it('answers pull diagnostics, and follows edits', async () => {
    const first = await diagnostics(client);
    assert.deepEqual(first.map((d) => d.code), ['missing-confirm']);
    await client.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: { start: at('"Restart POP3"'), end: at('"Restart POP3"') }, text: ' confirm' }],
    });
    assert.deepEqual(await diagnostics(client), []);
  });

  it('completes, hovers, outlines, formats, renames, lenses', async () => {
    const completion = await client.sendRequest(CompletionRequest.type, { textDocument: { uri: URI }, position: at('POP.Proxy\\') });
    const items = Array.isArray(completion) ? completion : (completion?.items ?? []);
    assert.ok(items.some((i) => i.label === 'PopProxyTestProbe'));
    const hover = await client.sendRequest(HoverRequest.type, { textDocument: { uri: URI }, position: at('for monitor PopProxy') });
    assert.match(JSON.stringify(hover?.contents), /PopProxyTestMonitor/);
    const symbols = await client.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: URI } });
    assert.equal(symbols?.length, 3);
    const formatting = await client.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: URI }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(formatting, []);
    const rename = await client.sendRequest(RenameRequest.type, { textDocument: { uri: URI }, position: at('step rer'), newName: 'probe' });
    assert.equal(rename?.changes?.[URI]?.length, 1);
    const lenses = await client.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } });
    assert.equal(lenses?.filter((l) => l.command?.command === 'exchangeRunbooks.runStep').length, 2);
    assert.equal(lenses?.filter((l) => l.command?.command === 'exchangeRunbooks.copyEscalation').length, 1, 'the escalation step gets its own lens');
  });

  it('returns quick fixes for the diagnostics the editor sends back', async () => {
    await client.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 3 },
      contentChanges: [{ range: { start: at('for monitor '), end: at('for monitor PopProxyTestMonitor') }, text: 'PopProxyTestMonitr' }],
    });
    const items = await diagnostics(client);
    const unknown = items.find((d) => d.code === 'unknown-monitor');
    assert.ok(unknown, JSON.stringify(items));
    const actions = await client.sendRequest(CodeActionRequest.type, { textDocument: { uri: URI }, range: unknown.range, context: { diagnostics: [unknown] } });
    assert.ok(actions?.some((a) => 'title' in a && a.title === 'Change to PopProxyTestMonitor'));
  });

  it('offers the quick fix also when the editor sent the diagnostic without its data, or had not shown it yet', async () => {
    const items = await diagnostics(client);
    const unknown = items.find((d) => d.code === 'unknown-monitor');
    assert.ok(unknown, JSON.stringify(items));
    // A client without `publishDiagnostics.dataSupport` drops `data`.
    const { data: _dropped, ...withoutData } = unknown;
    const stripped = await client.sendRequest(CodeActionRequest.type, { textDocument: { uri: URI }, range: unknown.range, context: { diagnostics: [withoutData] } });
    const fix = stripped?.find((a) => 'title' in a && a.title === 'Change to PopProxyTestMonitor');
    assert.ok(fix && 'diagnostics' in fix, JSON.stringify(stripped));
    assert.deepEqual(fix.diagnostics, [withoutData], 'the action names the diagnostic the editor sent');
    // The cursor on the name before the editor applied the pull result: no diagnostics in the context.
    const early = await client.sendRequest(CodeActionRequest.type, { textDocument: { uri: URI }, range: { start: unknown.range.start, end: unknown.range.start }, context: { diagnostics: [] } });
    assert.equal(early?.filter((a) => 'title' in a && a.title === 'Change to PopProxyTestMonitor').length, 1, JSON.stringify(early));
    // Elsewhere in the runbook: nothing.
    const elsewhere = await client.sendRequest(CodeActionRequest.type, { textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    assert.deepEqual(elsewhere, []);
  });

  it('tells which procedure recovers a monitor', async () => {
    await client.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 4 }, contentChanges: [{ text: TEXT }] });
    const found = (await client.sendRequest(PROCEDURE_FOR_MONITOR_REQUEST, { monitor: 'PopProxyTestMonitor', uris: [URI, 'file:///nowhere/missing.exrunbook'] })) as ProcedureLocation[];
    assert.deepEqual(found, [{ uri: URI, procedure: 'recover', line: 10 }]);
  });

  it("tells the health view a monitor's probe, also for the documentation's misspelt name", async () => {
    const deep = (await client.sendRequest(MONITOR_INFO_REQUEST, { monitor: 'PopDeepTestMonitor' })) as MonitorInfo;
    assert.equal(deep.probe, 'POP.Protocol\\PopDeepTestProbe');
    assert.equal(deep.healthSet, 'POP.Protocol');
    // The monitor of the POP set whose probe lives in POP.Protocol: not guessable from its name.
    const slow = (await client.sendRequest(MONITOR_INFO_REQUEST, { monitor: 'AverageCommandProcessingTimeGt60sMonitor' })) as MonitorInfo;
    assert.equal(slow.probe, 'POP.Protocol\\PopSelfTestProbe');
    const misspelt = (await client.sendRequest(MONITOR_INFO_REQUEST, { monitor: 'PopTestDeepMonitor' })) as MonitorInfo;
    assert.equal(misspelt.monitor, 'PopDeepTestMonitor');
    assert.equal(await client.sendRequest(MONITOR_INFO_REQUEST, { monitor: 'NoSuchMonitor' }), null);
  });

  it('gives the runner the runbook plan: branches resolved, the probe captured without Format-List', async () => {
    const plan = (await client.sendRequest(RUNBOOK_PLAN_REQUEST, { uri: URI })) as RunbookPlan;
    assert.deepEqual(plan.procedures.map((p) => p.id), ['verify', 'recover']);
    const rerun = plan.procedures[0]!.steps[0]!;
    assert.deepEqual(rerun.actions, [
      {
        kind: 'run',
        command: 'Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List',
        capture: { pipeline: 'Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server', display: 'Format-List' },
        properties: ['ResultType'],
      },
    ]);
    assert.deepEqual(rerun.branches[1], { line: 8, target: { kind: 'step', procedure: 'recover', step: 'restart' } });
    assert.equal(await client.sendRequest(RUNBOOK_PLAN_REQUEST, { uri: 'file:///nowhere/missing.exrunbook' }), null);
  });

  it('speaks the editor display language', async () => {
    const japanese = await startPair('ja');
    const zh = await startPair('zh-cn');
    try {
      const [ja] = await diagnostics(japanese);
      const [cn] = await diagnostics(zh);
      assert.match(String(ja?.message), /[\u3040-\u30ff]/);
      assert.match(String(cn?.message), /[\u4e00-\u9fff]/);
    } finally {
      japanese.dispose();
      zh.dispose();
    }
  });
});

// The server driven as another editor drives it (Neovim 0.7's built-in client, say): a separate
// process over stdio, plain JSON-RPC framing written here, and only the capabilities such a
// client announces: no pull diagnostics, no code action literals, plain-text hover.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

const MAIN = join(__dirname, '..', 'src', 'main.js');

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** A JSON-RPC 2.0 client over a child's stdio, with LSP's Content-Length framing. */
class StdioClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, (message: Message) => void>();
  readonly notifications: Message[] = [];
  private readonly listeners: (() => void)[] = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const headerEnd = this.buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
        if (this.buffer.length < headerEnd + 4 + length) return;
        const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Message;
        this.buffer = this.buffer.subarray(headerEnd + 4 + length);
        this.receive(message);
      }
    });
  }

  private receive(message: Message): void {
    if (message.method && message.id !== undefined) {
      // Requests from the server: Neovim answers workspace/configuration with null per item.
      const items = (message.params as { items?: unknown[] } | undefined)?.items ?? [];
      this.write({ id: message.id, result: message.method === 'workspace/configuration' ? items.map(() => null) : null });
      return;
    }
    if (message.method) {
      this.notifications.push(message);
      for (const listener of this.listeners.splice(0)) listener();
      return;
    }
    this.waiting.get(message.id!)?.(message);
    this.waiting.delete(message.id!);
  }

  /** Writes messages in one chunk, so the server reads them in the same turn. */
  write(...messages: object[]): void {
    const frames = messages.map((message) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    });
    this.child.stdin.write(Buffer.concat(frames));
  }

  /** Sends a request; resolves with the whole response (result or error). */
  request(method: string, params: unknown, id = this.nextId++): Promise<Message> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.write({ id, method, params });
    });
  }

  /** Sends a request and its `$/cancelRequest` together: the cancel arrives before the request can have finished. */
  requestCancelled(method: string, params: unknown, id = this.nextId++): Promise<Message> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.write({ id, method, params }, { method: '$/cancelRequest', params: { id } });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ method, params });
  }

  /** Waits (with a deadline) for a notification that satisfies `matches`. */
  async notification(matches: (message: Message) => boolean, deadlineMs = 20_000): Promise<Message> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = this.notifications.find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such notification; got ${JSON.stringify(this.notifications.map((n) => n.method))}`);
      await new Promise<void>((resolve) => {
        this.listeners.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

/** Roughly what Neovim 0.7 announces. */
const NEOVIM_CAPABILITIES = {
  textDocument: {
    synchronization: { didSave: true, dynamicRegistration: false, willSave: false },
    publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] } },
    completion: { completionItem: { snippetSupport: false, documentationFormat: ['markdown', 'plaintext'] }, dynamicRegistration: false },
    hover: { contentFormat: ['plaintext'], dynamicRegistration: false },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true, dynamicRegistration: false },
    codeAction: { dynamicRegistration: false },
    rename: { prepareSupport: true, dynamicRegistration: false },
  },
  workspace: { configuration: true, workspaceFolders: true, applyEdit: true },
};

const RUNBOOK = `runbook pop "POP"
  healthset POP.Proxy
  source "https://learn.microsoft.com/exchange/high-availability/managed-availability/health-sets"
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitor
  step restart "Restart POP3"
    run Set-PopSettings -
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }
  step escalate "Escalate"
    escalate "Contact support"
`;

describe('the server from another editor, over stdio', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'exr-editor-'));
  const uri = pathToFileURL(join(workspace, 'pop.exrunbook')).href;
  let client: StdioClient;

  before(() => {
    client = new StdioClient(spawn(process.execPath, [MAIN, '--stdio'], { stdio: 'pipe' }));
  });
  after(() => {
    client.child.kill();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('refuses requests before initialize (ServerNotInitialized)', async () => {
    const early = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(early.error?.code, -32002, JSON.stringify(early));
  });

  it('initializes without offering pull diagnostics to a client that has none', async () => {
    const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(workspace).href, workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'w' }], capabilities: NEOVIM_CAPABILITIES, clientInfo: { name: 'Neovim' } });
    const capabilities = (init.result as { capabilities: Record<string, unknown> }).capabilities;
    assert.equal(capabilities.diagnosticProvider, undefined);
    assert.ok(capabilities.completionProvider);
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'exchange-runbook', version: 1, text: RUNBOOK } });
  });

  it('pushes diagnostics, each with a link to its explanation in docs/language.md', async () => {
    const published = await client.notification((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri);
    const diagnostics = (published.params as { diagnostics: { code: string; codeDescription?: { href: string } }[] }).diagnostics;
    assert.ok(diagnostics.length > 0);
    for (const d of diagnostics) assert.match(d.codeDescription?.href ?? '', new RegExp(`docs/language\\.md#${d.code}$`));
  });

  it('pushes again after an edit, for the new version', async () => {
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: RUNBOOK.replace('PopProxyTestMonitor', 'PopProxyTestMonitr') }] });
    const published = await client.notification((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { version?: number }).version === 2);
    assert.ok((published.params as { diagnostics: { code: string }[] }).diagnostics.some((d) => d.code === 'unknown-monitor'));
    client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: RUNBOOK }] });
  });

  it('completes the parameters of the cmdlet after a bare -, with a textEdit over what was typed', async () => {
    const line = RUNBOOK.split('\n').findIndex((l) => l.endsWith('Set-PopSettings -'));
    const response = await client.request('textDocument/completion', { textDocument: { uri }, position: { line, character: '    run Set-PopSettings -'.length } });
    const items = response.result as { label: string; textEdit?: { range: { start: { character: number } }; newText: string } }[];
    assert.ok(items.length > 0);
    assert.ok(items.every((i) => i.label.startsWith('-')), items.map((i) => i.label).join());
    assert.ok(items.some((i) => i.label === '-ProtocolLogEnabled'));
    for (const item of items) assert.equal(item.textEdit?.range.start.character, '    run Set-PopSettings '.length);
  });

  it('hovers in plain text, outlines, formats with the editor\'s indent unit, offers no lens it cannot run', async () => {
    const line = RUNBOOK.split('\n').findIndex((l) => l.includes('for monitor'));
    const hover = (await client.request('textDocument/hover', { textDocument: { uri }, position: { line, character: RUNBOOK.split('\n')[line]!.indexOf('PopProxyTestMonitor') + 3 } })).result as { contents: { kind: string; value: string } };
    assert.equal(hover.contents.kind, 'plaintext');
    assert.doesNotMatch(hover.contents.value, /\*\*|```/);
    const symbols = (await client.request('textDocument/documentSymbol', { textDocument: { uri } })).result as { name: string }[];
    assert.deepEqual(symbols.map((s) => s.name), ['pop', 'verify', 'recover']);
    const edits = (await client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } })).result as { newText: string }[];
    assert.ok(edits.some((e) => e.newText === '    '));
    const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })).result as unknown[];
    assert.deepEqual(lenses, []);
  });

  it('highlights occurrences, links the source topic, expands selections, finds workspace symbols', async () => {
    const lines = RUNBOOK.split('\n');
    const recoverLine = lines.findIndex((l) => l.startsWith('procedure recover'));
    const highlights = (await client.request('textDocument/documentHighlight', { textDocument: { uri }, position: { line: recoverLine, character: 12 } })).result as { range: { start: { line: number } }; kind: number }[];
    assert.deepEqual(highlights.map((h) => [h.range.start.line, h.kind]).sort(), [[lines.findIndex((l) => l.includes('otherwise -> recover')), 2], [recoverLine, 3]].sort());
    const links = (await client.request('textDocument/documentLink', { textDocument: { uri } })).result as { target: string }[];
    assert.deepEqual(links.map((l) => l.target), ['https://learn.microsoft.com/exchange/high-availability/managed-availability/health-sets']);
    const restartLine = lines.findIndex((l) => l.includes('Restart-Service'));
    const [selection] = (await client.request('textDocument/selectionRange', { textDocument: { uri }, positions: [{ line: restartLine, character: lines[restartLine]!.indexOf('Restart-Service') + 2 }] })).result as { range: unknown; parent?: unknown }[];
    let depth = 0;
    for (let s: { parent?: unknown } | undefined = selection; s; s = s.parent as typeof s) depth++;
    assert.ok(depth >= 4, `word, line, step, procedure, document: ${depth}`);
    const tokens = (await client.request('textDocument/semanticTokens/full', { textDocument: { uri } })).result as { data: number[] };
    // The first token: `runbook` at 0:0, 7 long, a keyword (type 0).
    assert.deepEqual(tokens.data.slice(0, 5), [0, 0, 7, 0, 0]);
    assert.equal(tokens.data.length % 5, 0);
    const symbols = (await client.request('workspace/symbol', { query: 'resta' })).result as { name: string }[];
    assert.deepEqual(symbols.map((s) => s.name), ['recover.restart']);
  });

  it('answers a cancelled request with RequestCancelled, and the next one normally', async () => {
    const cancelled = await client.requestCancelled('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(cancelled.error?.code, -32800);
    const next = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(Array.isArray(next.result));
  });

  it('procedureForMonitor reads workspace runbooks, and nothing else: no FIFO, no path outside', async () => {
    const onDisk = join(workspace, 'disk.exrunbook');
    writeFileSync(onDisk, RUNBOOK);
    const fifo = join(workspace, 'pipe.exrunbook');
    execFileSync('mkfifo', [fifo]);
    const outside = mkdtempSync(join(tmpdir(), 'exr-outside-'));
    writeFileSync(join(outside, 'x.exrunbook'), RUNBOOK);
    try {
      const found = (await client.request('exchangeRunbooks/procedureForMonitor', {
        monitor: 'PopProxyTestMonitor',
        uris: [pathToFileURL(fifo).href, pathToFileURL(join(outside, 'x.exrunbook')).href, pathToFileURL('/etc/passwd').href, pathToFileURL(onDisk).href],
      })).result as { uri: string }[];
      assert.deepEqual(found.map((f) => f.uri), [pathToFileURL(onDisk).href]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('shuts down, refuses requests after shutdown, and exits 0 on exit', async () => {
    const shutdown = await client.request('shutdown', null);
    assert.equal(shutdown.error, undefined);
    const late = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(late.error, JSON.stringify(late));
    const exited = new Promise<number | null>((resolve) => client.child.on('exit', (code) => resolve(code)));
    client.notify('exit', null);
    assert.equal(await exited, 0);
  });
});

// LSP plumbing: wires protocol requests to the language service. No language logic lives here.
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CancellationToken,
  CodeActionKind,
  type Connection,
  type DiagnosticServerCancellationData,
  DocumentDiagnosticReportKind,
  type DocumentSymbol,
  ErrorCodes,
  type InitializeParams,
  type InitializeResult,
  LSPErrorCodes,
  MarkupKind,
  ResponseError,
  type SymbolInformation,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RunbookModel } from './analysis/model';
import { SEMANTIC_TOKEN_TYPES } from './analysis/editorFeatures';
import { RunbookLanguageService } from './languageService';
import {
  HEALTH_SETS_REQUEST,
  type HealthSetSummary,
  MONITOR_INFO_REQUEST,
  type MonitorInfo,
  type MonitorInfoParams,
  PROCEDURE_FOR_MONITOR_REQUEST,
  type ProcedureForMonitorParams,
  type ProcedureLocation,
  RUNBOOK_PLAN_REQUEST,
  type RunbookPlan,
  type RunbookPlanParams,
  RUNBOOK_SKELETON_REQUEST,
  type RunbookSkeletonParams,
} from './protocol';
import { runSliced } from './util/cooperative';
import { takeFailures } from './util/failures';

interface Settings {
  diagnostics: { enable: boolean };
}

/** What the client can take, read from its capabilities at initialize (LSP clients differ a lot). */
interface ClientFeatures {
  /** Pulls diagnostics (textDocument/diagnostic); otherwise they are pushed after each change. */
  pullDiagnostics: boolean;
  diagnosticRefresh: boolean;
  markdown: boolean;
  hierarchicalSymbols: boolean;
  codeActionLiterals: boolean;
  snippets: boolean;
  /** The extension's own client, which runs the CodeLens commands (initializationOptions). */
  runsStepCommands: boolean;
  workspaceFolders: string[];
}

/** A workspace runbook bigger than this is not read for procedureForMonitor. */
const MAX_RUNBOOK_BYTES = 8 * 1024 * 1024;
/** Pushed diagnostics wait for typing to pause this long. */
const PUSH_DELAY_MS = 150;

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const models = new Map<string, { version: number; model: RunbookModel }>();
  let service: RunbookLanguageService | undefined;
  let language = 'en';
  let canReadConfiguration = false;
  let features: ClientFeatures = { pullDiagnostics: true, diagnosticRefresh: true, markdown: true, hierarchicalSymbols: true, codeActionLiterals: true, snippets: true, runsStepCommands: false, workspaceFolders: [] };
  let shuttingDown = false;
  /** Settings the client sent with workspace/didChangeConfiguration, for clients that cannot be asked. */
  let pushedSettings: Partial<Settings> | undefined;

  /**
   * A failing handler logs and answers with an empty result; the server keeps running. Before the
   * work starts, the handler yields to the event loop so that a `$/cancelRequest` already sent is
   * read, and a cancelled request answers RequestCancelled without doing the work: requests the
   * editor gave up on (a burst of typing) do not hold up the hover and outline behind them. The
   * long ones (diagnostics, semantic tokens: a first analysis) then run in slices and stop there
   * too (see `slicedModel`).
   */
  function safe<P extends unknown[], R>(name: string, fallback: R, handler: (...args: P) => R | Promise<R>): (...args: P) => Promise<R> {
    return async (...args: P) => {
      // LSP: nothing but initialize is answered before initialize (clients that race get told so).
      if (!service) throw new ResponseError(ErrorCodes.ServerNotInitialized, `${name} before initialize`);
      if (shuttingDown) throw new ResponseError(ErrorCodes.InvalidRequest, `${name} after shutdown`);
      const token = args.find((a): a is CancellationToken => typeof a === 'object' && a !== null && 'isCancellationRequested' in a);
      // Two turns: the connection reads one message per turn, and the cancellation is the next one.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      try {
        // A document not analysed yet (just opened, or a version not seen) is analysed in slices
        // first, so that the handler's own synchronous modelOf finds it: an outline or a hover on a
        // huge runbook is cancellable too, and lets the requests for other documents through.
        // Diagnostics and semantic tokens slice their own analysis (pull diagnostics also stop on an edit).
        const uri = (args[0] as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
        if (token && typeof uri === 'string' && name !== 'diagnostics' && name !== 'semanticTokens') await slicedModel(uri, checkpointFor(name, token));
        return await handler(...args);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback;
      } finally {
        // Checks that failed were contained (they cost their own diagnostics only): log them.
        for (const failure of takeFailures()) connection.console.error(failure);
      }
    };
  }

  function modelOf(uri: string): RunbookModel | undefined {
    const document = documents.get(uri);
    if (!document || !service) return undefined;
    const cached = models.get(uri);
    if (cached?.version === document.version) return cached.model;
    const model = service.analyze(document.getText(), uri);
    models.set(uri, { version: document.version, model });
    return model;
  }

  /**
   * The model for the requests that may analyse a big runbook from nothing (diagnostics, semantic
   * tokens): analysed in slices, between which other requests are answered (a hover on another
   * document does not wait for it), and stopped when `checkpoint` throws (cancelled, or the
   * document changed).
   */
  async function slicedModel(uri: string, checkpoint: () => void): Promise<RunbookModel | undefined> {
    const document = documents.get(uri);
    if (!document || !service) return undefined;
    const cached = models.get(uri);
    if (cached?.version === document.version) return cached.model;
    const version = document.version;
    const model = await runSliced(service.analyzeSteps(document.getText(), uri), checkpoint);
    // A request served between two slices may have analysed a newer version: keep the newest.
    const latest = models.get(uri);
    if (!latest || latest.version < version) models.set(uri, { version, model });
    return model;
  }

  /** Stops sliced work once the client cancelled the request; for pull diagnostics, also once the document changed. */
  function checkpointFor(name: string, token: CancellationToken, changed?: { uri: string; version: number | undefined }): () => void {
    return () => {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      // LSP 3.17: the server cancels a pull that the document outdated, and asks to be asked again.
      if (changed && documents.get(changed.uri)?.version !== changed.version) {
        throw new ResponseError<DiagnosticServerCancellationData>(LSPErrorCodes.ServerCancelled, `${name}: the document changed`, { retriggerRequest: true });
      }
    };
  }

  async function settingsFor(uri: string): Promise<Settings> {
    if (!canReadConfiguration) return { diagnostics: { enable: pushedSettings?.diagnostics?.enable ?? true } };
    const section = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'exchangeRunbooks' })) as Partial<Settings> | null;
    return { diagnostics: { enable: section?.diagnostics?.enable ?? true } };
  }

  async function diagnosticsOf(uri: string, checkpoint: () => void) {
    const settings = await settingsFor(uri);
    if (!settings.diagnostics.enable) return [];
    const model = await slicedModel(uri, checkpoint);
    return model ? runSliced(service!.diagnosticSteps(model, uri, language), checkpoint) : [];
  }

  // Push diagnostics for clients without pull (Neovim before 0.10, most editors): after a pause in
  // typing, the latest version of the document, never an older one.
  const pushTimers = new Map<string, NodeJS.Timeout>();
  function schedulePush(uri: string): void {
    if (features.pullDiagnostics) return;
    clearTimeout(pushTimers.get(uri));
    pushTimers.set(
      uri,
      setTimeout(() => {
        pushTimers.delete(uri);
        void safe('publishDiagnostics', undefined, async () => {
          const version = documents.get(uri)?.version;
          if (version === undefined) return;
          // A newer version stops this one: its own push is scheduled already.
          const diagnostics = await diagnosticsOf(uri, checkpointFor('publishDiagnostics', CancellationToken.None, { uri, version })).catch((error: unknown) => {
            if (error instanceof ResponseError && error.code === LSPErrorCodes.ServerCancelled) return undefined;
            throw error;
          });
          if (!diagnostics || documents.get(uri)?.version !== version) return;
          await connection.sendDiagnostics({ uri, version, diagnostics });
        })();
      }, PUSH_DELAY_MS),
    );
  }
  function pushAll(): void {
    for (const document of documents.all()) schedulePush(document.uri);
  }

  /** Whether a URI names a runbook file inside a workspace folder (procedureForMonitor reads no other). */
  function inWorkspace(uri: string): string | undefined {
    if (!uri.startsWith('file:') || !uri.toLowerCase().endsWith('.exrunbook')) return undefined;
    let path: string;
    try {
      path = resolvePath(fileURLToPath(uri));
    } catch {
      return undefined;
    }
    return features.workspaceFolders.some((folder) => path.startsWith(folder.endsWith(sep) ? folder : folder + sep)) ? path : undefined;
  }

  /** Reads a workspace runbook: a regular file only (a FIFO would never answer), and not a huge one. */
  async function readRunbook(path: string): Promise<string | undefined> {
    // stat does not open the file, so a FIFO is turned away before anything waits on it.
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_RUNBOOK_BYTES) return undefined;
    return readFile(path, 'utf8').catch(() => undefined);
  }

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const options = params.initializationOptions as { locale?: string; runsStepCommands?: boolean } | undefined;
    language = options?.locale ?? params.locale ?? 'en';
    const { textDocument, workspace } = params.capabilities;
    canReadConfiguration = workspace?.configuration === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    features = {
      pullDiagnostics: textDocument?.diagnostic !== undefined,
      diagnosticRefresh: workspace?.diagnostics?.refreshSupport === true,
      markdown: textDocument?.hover?.contentFormat === undefined || textDocument.hover.contentFormat.includes(MarkupKind.Markdown),
      hierarchicalSymbols: textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
      codeActionLiterals: textDocument?.codeAction?.codeActionLiteralSupport !== undefined,
      snippets: textDocument?.completion?.completionItem?.snippetSupport === true,
      runsStepCommands: options?.runsStepCommands === true,
      workspaceFolders: folders.flatMap((uri) => {
        try {
          return uri.startsWith('file:') ? [resolvePath(fileURLToPath(uri))] : [];
        } catch {
          return [];
        }
      }),
    };
    service = await RunbookLanguageService.create();
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        ...(features.pullDiagnostics ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
        completionProvider: { triggerCharacters: [' ', '\\', '-', '$', '.', ','] },
        hoverProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentFormattingProvider: true,
        foldingRangeProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentHighlightProvider: true,
        documentLinkProvider: { resolveProvider: false },
        selectionRangeProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [] }, full: true },
        workspaceSymbolProvider: true,
      },
      serverInfo: { name: 'exchange-runbook-language-server' },
    };
  });

  connection.onShutdown(() => {
    shuttingDown = true;
    for (const timer of pushTimers.values()) clearTimeout(timer);
    pushTimers.clear();
  });

  connection.onDidChangeConfiguration((change) => {
    const settings = (change.settings as { exchangeRunbooks?: Partial<Settings> } | null)?.exchangeRunbooks;
    if (settings) pushedSettings = settings;
    if (features.pullDiagnostics) {
      if (features.diagnosticRefresh) void connection.languages.diagnostics.refresh();
    } else pushAll();
  });
  documents.onDidOpen((event) => schedulePush(event.document.uri));
  documents.onDidChangeContent((event) => schedulePush(event.document.uri));
  documents.onDidClose((event) => {
    models.delete(event.document.uri);
    service?.forget(event.document.uri);
    clearTimeout(pushTimers.get(event.document.uri));
    pushTimers.delete(event.document.uri);
    // A closed document's diagnostics disappear from the client's problems list.
    if (!features.pullDiagnostics) void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.languages.diagnostics.on(
    safe('diagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] }, async (params, token) => {
      const { uri } = params.textDocument;
      const checkpoint = checkpointFor('diagnostics', token, { uri, version: documents.get(uri)?.version });
      return { kind: DocumentDiagnosticReportKind.Full, items: await diagnosticsOf(uri, checkpoint) };
    }),
  );

  connection.onCompletion(
    safe('completion', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.completion(model, params.position, language, features.snippets) : [];
    }),
  );

  connection.onHover(
    safe('hover', null, (params) => {
      const model = modelOf(params.textDocument.uri);
      const found = model ? service!.hover(model, params.position, language) : null;
      // A client that shows plain text only gets the text without markdown's markup.
      if (found && !features.markdown && typeof found.contents === 'object' && 'kind' in found.contents) {
        return { ...found, contents: { kind: MarkupKind.PlainText, value: plainText(found.contents.value) } };
      }
      return found;
    }),
  );

  connection.onDocumentSymbol(
    safe('documentSymbol', [] as DocumentSymbol[] | SymbolInformation[], (params) => {
      const model = modelOf(params.textDocument.uri);
      if (!model) return [];
      const symbols = service!.documentSymbols(model);
      return features.hierarchicalSymbols ? symbols : flatten(symbols, params.textDocument.uri);
    }),
  );

  connection.onFoldingRanges(
    safe('foldingRange', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.foldingRanges(model) : [];
    }),
  );

  connection.onDocumentHighlight(
    safe('documentHighlight', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.documentHighlights(model, params.position) : [];
    }),
  );

  connection.onDocumentLinks(
    safe('documentLink', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.documentLinks(model) : [];
    }),
  );

  connection.languages.semanticTokens.on(
    safe('semanticTokens', { data: [] as number[] }, async (params, token) => {
      const model = await slicedModel(params.textDocument.uri, checkpointFor('semanticTokens', token));
      return { data: model ? service!.semanticTokens(model) : [] };
    }),
  );

  connection.onSelectionRanges(
    safe('selectionRange', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.selectionRanges(model, params.positions) : [];
    }),
  );

  // The open runbooks' procedures and steps.
  connection.onWorkspaceSymbol(
    safe('workspaceSymbol', [], (params) =>
      service!.workspaceSymbols(
        documents.all().flatMap((d) => {
          const model = modelOf(d.uri);
          return model ? [{ uri: d.uri, model }] : [];
        }),
        params.query,
      ),
    ),
  );

  connection.onDefinition(
    safe('definition', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.definition(model, params.textDocument.uri, params.position) : [];
    }),
  );

  connection.onReferences(
    safe('references', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.references(model, params.textDocument.uri, params.position, params.context.includeDeclaration) : [];
    }),
  );

  connection.onPrepareRename(
    safe('prepareRename', null, (params) => {
      const model = modelOf(params.textDocument.uri);
      return (model && service!.prepareRename(model, params.position)) ?? null;
    }),
  );

  connection.onRenameRequest(async (params) => {
    const model = modelOf(params.textDocument.uri);
    if (!model) return null;
    const result = service!.rename(model, params.textDocument.uri, params.position, params.newName);
    // A rename that cannot be done is an error the user sees, not an empty edit.
    if ('error' in result) throw new Error(result.error);
    return result;
  });

  connection.onDocumentFormatting(
    safe('formatting', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.format(model, { tabSize: params.options.tabSize, insertSpaces: params.options.insertSpaces }) : [];
    }),
  );

  connection.onCodeLens(
    safe('codeLens', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      // Only the extension's client can run the steps and copy them; other editors get no lens
      // they could not use.
      return model && features.runsStepCommands ? service!.codeLenses(model, params.textDocument.uri, language) : [];
    }),
  );

  connection.onCodeAction(
    // A client without code action literals would take the quick fixes for commands it cannot run.
    safe('codeAction', [], (params) => (features.codeActionLiterals ? service!.codeActions(params.textDocument.uri, params.context.diagnostics) : [])),
  );

  connection.onRequest(
    PROCEDURE_FOR_MONITOR_REQUEST,
    safe('procedureForMonitor', [] as ProcedureLocation[], async (params: ProcedureForMonitorParams) => {
      const found: ProcedureLocation[] = [];
      for (const uri of params.uris) {
        // Open documents, or runbooks of the workspace read from disk; never any other path.
        const open = modelOf(uri);
        const path = open ? undefined : inWorkspace(uri);
        const text = open ? undefined : path && (await readRunbook(path));
        if (!open && text === undefined) continue;
        const match = service!.procedureFor(open ?? service!.analyze(text!, uri), params.monitor);
        if (match) found.push({ uri, ...match });
      }
      return found;
    }),
  );

  connection.onRequest(
    MONITOR_INFO_REQUEST,
    safe('monitorInfo', null as MonitorInfo | null, (params: MonitorInfoParams) => service!.monitorInfo(params.monitor, language)),
  );

  connection.onRequest(
    RUNBOOK_PLAN_REQUEST,
    safe('runbookPlan', null as RunbookPlan | null, async (params: RunbookPlanParams) => {
      const open = modelOf(params.uri);
      if (open) return service!.runbookPlan(open, params.uri);
      // A runbook not open in the editor (the health view starts a run from a workspace file):
      // read from the workspace only, as procedureForMonitor does.
      const path = inWorkspace(params.uri);
      const text = path && (await readRunbook(path));
      return text === undefined ? null : service!.runbookPlan(service!.analyze(text, params.uri), params.uri);
    }),
  );

  connection.onRequest(HEALTH_SETS_REQUEST, safe('healthSets', [] as HealthSetSummary[], () => service!.healthSets(language)));
  connection.onRequest(
    RUNBOOK_SKELETON_REQUEST,
    safe('runbookSkeleton', null as string | null, (params: RunbookSkeletonParams) => service!.skeleton(params.healthSet)),
  );

  documents.listen(connection);
  connection.listen();
}

/** Markdown as plain text: code fences and emphasis removed, the words kept. */
function plainText(markdown: string): string {
  return markdown
    .replace(/^```.*$/gm, '')
    .replace(/[*_`]/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The outline as a flat list, for clients without hierarchical symbols. */
function flatten(symbols: DocumentSymbol[], uri: string, container?: string): SymbolInformation[] {
  return symbols.flatMap((symbol) => {
    const information: SymbolInformation = { name: symbol.name, kind: symbol.kind, location: { uri, range: symbol.range } };
    if (container) information.containerName = container;
    return [information, ...flatten(symbol.children ?? [], uri, symbol.name)];
  });
}

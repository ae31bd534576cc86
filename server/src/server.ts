// LSP plumbing: wires protocol requests to the language service. No language logic lives here.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CancellationToken,
  CodeActionKind,
  type Connection,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type DiagnosticServerCancellationData,
  type Diagnostic,
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
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RunbookModel } from './analysis/model';
import type { WorkspaceIndex } from './analysis/workspace';
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
  /** Registers a watcher for `*.exrunbook` itself (workspace/didChangeWatchedFiles). */
  watchFiles: boolean;
  /** Takes a rename as versioned `documentChanges`. */
  documentChanges: boolean;
}

/** A workspace runbook bigger than this is not read for procedureForMonitor. */
const MAX_RUNBOOK_BYTES = 8 * 1024 * 1024;
/** Pushed diagnostics wait for typing to pause this long. */
const PUSH_DELAY_MS = 150;
/** The workspace index reads at most this many runbooks, this deep, when the server starts. */
const MAX_WORKSPACE_RUNBOOKS = 5_000;
const MAX_WORKSPACE_DEPTH = 12;

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const models = new Map<string, { version: number; dependencies: string; model: RunbookModel }>();
  /** The diagnostics last computed for a model: code actions use them, never compute them. */
  const diagnosed = new WeakMap<RunbookModel, Diagnostic[]>();
  /** Every runbook of the workspace folders (open documents as edited), for references between runbooks. */
  let workspace: WorkspaceIndex | undefined;
  let service: RunbookLanguageService | undefined;
  let language = 'en';
  let canReadConfiguration = false;
  let features: ClientFeatures = { pullDiagnostics: true, diagnosticRefresh: true, markdown: true, hierarchicalSymbols: true, codeActionLiterals: true, snippets: true, runsStepCommands: false, workspaceFolders: [], watchFiles: false, documentChanges: false };
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

  /** Another runbook changing can change what this one's references resolve to: the runbooks it names, those that name it, at their versions. */
  function dependenciesOf(uri: string, model: RunbookModel): string {
    return workspace?.dependencyKey(uri, model.runbook.id?.text, model.referencedRunbooks()) ?? '';
  }

  /** The model analysed for this version of the document, while the runbooks it depends on are unchanged. */
  function cachedModel(uri: string, version: number): RunbookModel | undefined {
    const cached = models.get(uri);
    return cached?.version === version && cached.dependencies === dependenciesOf(uri, cached.model) ? cached.model : undefined;
  }

  function modelOf(uri: string): RunbookModel | undefined {
    const document = documents.get(uri);
    if (!document || !service) return undefined;
    const cached = cachedModel(uri, document.version);
    if (cached) return cached;
    const model = service.analyze(document.getText(), uri, workspace);
    models.set(uri, { version: document.version, dependencies: dependenciesOf(uri, model), model });
    return model;
  }

  // ---- the workspace's runbooks ------------------------------------------------------------------

  /** Index keys by file path, so a file read from disk and the same file opened are one entry. */
  const keyOfPath = new Map<string, string>();
  function pathOf(uri: string): string | undefined {
    try {
      return uri.startsWith('file:') ? resolvePath(fileURLToPath(uri)) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Puts a runbook's text in the index under `uri`; then the runbooks that depend on it are re-checked. */
  function indexRunbook(uri: string, text: string | undefined): void {
    if (!workspace) return;
    const path = pathOf(uri);
    const previousKey = path ? keyOfPath.get(path) : undefined;
    const before = workspace.get(previousKey ?? uri);
    let changed = false;
    if (previousKey && previousKey !== uri) changed = workspace.delete(previousKey) || changed;
    if (text === undefined) {
      changed = workspace.delete(uri) || changed;
      if (path) keyOfPath.delete(path);
    } else {
      changed = workspace.set(uri, text) || changed;
      if (path) keyOfPath.set(path, uri);
    }
    if (changed) dependentsChanged(uri, [before?.id, workspace.get(uri)?.id], text ?? '');
  }

  /**
   * After runbook `uri` changed: the open runbooks that refer to it (or to which it refers, or that
   * share its id) get fresh diagnostics: pushed, or through a diagnostic refresh for pull clients.
   */
  let refreshTimer: NodeJS.Timeout | undefined;
  function dependentsChanged(uri: string, ids: (string | undefined)[], text: string): void {
    if (!workspace) return;
    const known = ids.filter((id): id is string => !!id);
    const dependents = workspace.all().filter(
      (other) => other.uri !== uri && (known.some((id) => other.mayReferTo(id) || other.id === id) || (other.id !== '' && text.includes(`${other.id}:`))),
    );
    if (dependents.length === 0) return;
    if (features.pullDiagnostics) {
      if (!features.diagnosticRefresh) return;
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        if (!shuttingDown) void connection.languages.diagnostics.refresh();
      }, PUSH_DELAY_MS);
      return;
    }
    for (const other of dependents) if (documents.get(other.uri)) schedulePush(other.uri);
  }

  /** Reads the runbooks of the workspace folders: regular files only, no symlinks (nothing outside the folders). */
  async function scanWorkspace(): Promise<void> {
    let count = 0;
    const walk = async (folder: string, depth: number): Promise<void> => {
      if (depth > MAX_WORKSPACE_DEPTH || count >= MAX_WORKSPACE_RUNBOOKS || shuttingDown) return;
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules' || count >= MAX_WORKSPACE_RUNBOOKS) continue;
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path, depth + 1);
        else if (entry.isFile() && entry.name.toLowerCase().endsWith('.exrunbook')) {
          count++;
          const uri = pathToFileURL(path).href;
          // An open document is already in the index, as edited.
          if (keyOfPath.has(path)) continue;
          const text = await readRunbook(path);
          if (text !== undefined && !keyOfPath.has(path)) indexRunbook(uri, text);
        }
      }
    };
    for (const folder of features.workspaceFolders) await walk(folder, 0);
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
    const cached = cachedModel(uri, document.version);
    if (cached) return cached;
    const version = document.version;
    const model = await runSliced(service.analyzeSteps(document.getText(), uri, workspace), checkpoint);
    // A request served between two slices may have analysed a newer version: keep the newest.
    const latest = models.get(uri);
    if (!latest || latest.version <= version) models.set(uri, { version, dependencies: dependenciesOf(uri, model), model });
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
    if (!model) return [];
    const diagnostics = await runSliced(service!.diagnosticSteps(model, uri, language), checkpoint);
    diagnosed.set(model, diagnostics);
    return diagnostics;
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
    const { textDocument, workspace: workspaceCapabilities } = params.capabilities;
    canReadConfiguration = workspaceCapabilities?.configuration === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    features = {
      pullDiagnostics: textDocument?.diagnostic !== undefined,
      diagnosticRefresh: workspaceCapabilities?.diagnostics?.refreshSupport === true,
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
      watchFiles: workspaceCapabilities?.didChangeWatchedFiles?.dynamicRegistration === true,
      documentChanges: workspaceCapabilities?.workspaceEdit?.documentChanges === true,
    };
    service = await RunbookLanguageService.create();
    startWorkspace(service);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        // A runbook's diagnostics depend on the runbooks it refers to, but not on every open file:
        // the server asks for a refresh when a runbook others refer to changes (dependentsChanged),
        // instead of the client pulling every open file after each keystroke anywhere.
        ...(features.pullDiagnostics ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
        completionProvider: { triggerCharacters: [' ', '\\', '-', '$', '.', ',', ':'] },
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

  function startWorkspace(ready: RunbookLanguageService): void {
    workspace = ready.createWorkspace();
    for (const document of documents.all()) indexRunbook(document.uri, document.getText());
  }

  connection.onInitialized(() => {
    if (features.watchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.exrunbook' }] }).catch((error: unknown) => connection.console.error(`Could not watch runbook files: ${String(error)}`));
    }
    void scanWorkspace().catch((error: unknown) => connection.console.error(`Could not read the workspace's runbooks: ${String(error)}`));
  });

  // Runbooks created, changed or deleted on disk (not open in the editor, which says so itself).
  connection.onDidChangeWatchedFiles(async (params) => {
    for (const change of params.changes) {
      if (documents.get(change.uri)) continue;
      if (change.type === FileChangeType.Deleted) {
        indexRunbook(change.uri, undefined);
        service?.forget(`workspace:${change.uri}`);
        continue;
      }
      const path = inWorkspace(change.uri);
      indexRunbook(change.uri, path ? await readRunbook(path) : undefined);
    }
  });

  connection.onShutdown(() => {
    shuttingDown = true;
    clearTimeout(refreshTimer);
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
  documents.onDidOpen((event) => {
    indexRunbook(event.document.uri, event.document.getText());
    schedulePush(event.document.uri);
  });
  documents.onDidChangeContent((event) => {
    indexRunbook(event.document.uri, event.document.getText());
    schedulePush(event.document.uri);
  });
  documents.onDidClose((event) => {
    // Closed without saving: the index goes back to what is on disk (nothing, for a file outside the folders).
    const path = inWorkspace(event.document.uri);
    if (!path) indexRunbook(event.document.uri, undefined);
    else {
      void readRunbook(path).then((text) => {
        // Opened again meanwhile: the editor's text stays.
        if (!documents.get(event.document.uri)) indexRunbook(event.document.uri, text);
      });
    }
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
        [
          ...documents.all().flatMap((d) => {
            const model = modelOf(d.uri);
            return model ? [{ uri: d.uri, model }] : [];
          }),
          // Runbooks of the workspace that are not open, as read from disk.
          ...(workspace?.all() ?? []).filter((r) => !documents.get(r.uri)).map((r) => ({ uri: r.uri, model: r.model() })),
        ],
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
    return features.documentChanges ? versioned(result) : result;
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
    safe('codeAction', [], (params) => {
      if (!features.codeActionLiterals) return [];
      const uri = params.textDocument.uri;
      const version = documents.get(uri)?.version;
      const model = version === undefined ? undefined : cachedModel(uri, version);
      return service!.codeActions(uri, params.context.diagnostics, model && diagnosed.get(model), params.range);
    }),
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
      return text === undefined ? null : service!.runbookPlan(service!.analyze(text, params.uri, workspace), params.uri);
    }),
  );

  /** `changes` as `documentChanges`, each with the version of the open document it was computed on. */
  function versioned(edit: WorkspaceEdit): WorkspaceEdit {
    return {
      documentChanges: Object.entries(edit.changes ?? {}).map(([uri, edits]) => ({ textDocument: { uri, version: documents.get(uri)?.version ?? null }, edits })),
    };
  }

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

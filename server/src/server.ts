// LSP plumbing: wires protocol requests to the language service. No language logic lives here.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  type Connection,
  DocumentDiagnosticReportKind,
  type InitializeParams,
  type InitializeResult,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RunbookModel } from './analysis/model';
import { RunbookLanguageService } from './languageService';
import { PROCEDURE_FOR_MONITOR_REQUEST, type ProcedureForMonitorParams, type ProcedureLocation } from './protocol';

interface Settings {
  diagnostics: { enable: boolean };
}

const DEFAULT_SETTINGS: Settings = { diagnostics: { enable: true } };

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const models = new Map<string, { version: number; model: RunbookModel }>();
  let service: RunbookLanguageService | undefined;
  let language = 'en';
  let canReadConfiguration = false;

  /** A failing handler logs and answers with an empty result; the server keeps running. */
  function safe<P extends unknown[], R>(name: string, fallback: R, handler: (...args: P) => R | Promise<R>): (...args: P) => Promise<R> {
    return async (...args: P) => {
      try {
        return await handler(...args);
      } catch (error) {
        connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback;
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

  async function settingsFor(uri: string): Promise<Settings> {
    if (!canReadConfiguration) return DEFAULT_SETTINGS;
    const section = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'exchangeRunbooks' })) as Partial<Settings> | null;
    return { diagnostics: { enable: section?.diagnostics?.enable ?? true } };
  }

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const options = params.initializationOptions as { locale?: string } | undefined;
    language = options?.locale ?? params.locale ?? 'en';
    canReadConfiguration = params.capabilities.workspace?.configuration === true;
    service = await RunbookLanguageService.create();
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false },
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
      },
      serverInfo: { name: 'exchange-runbook-language-server' },
    };
  });

  connection.onDidChangeConfiguration(() => connection.languages.diagnostics.refresh());
  documents.onDidClose((event) => {
    models.delete(event.document.uri);
    service?.forget(event.document.uri);
  });

  connection.languages.diagnostics.on(
    safe('diagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] }, async (params) => {
      const model = modelOf(params.textDocument.uri);
      const settings = await settingsFor(params.textDocument.uri);
      if (!model || !settings.diagnostics.enable) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      return { kind: DocumentDiagnosticReportKind.Full, items: service!.diagnostics(model, params.textDocument.uri, language) };
    }),
  );

  connection.onCompletion(
    safe('completion', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.completion(model, params.position, language) : [];
    }),
  );

  connection.onHover(
    safe('hover', null, (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.hover(model, params.position, language) : null;
    }),
  );

  connection.onDocumentSymbol(
    safe('documentSymbol', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.documentSymbols(model) : [];
    }),
  );

  connection.onFoldingRanges(
    safe('foldingRange', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.foldingRanges(model) : [];
    }),
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
      return model ? service!.format(model, params.options.tabSize) : [];
    }),
  );

  connection.onCodeLens(
    safe('codeLens', [], (params) => {
      const model = modelOf(params.textDocument.uri);
      return model ? service!.codeLenses(model, params.textDocument.uri, language) : [];
    }),
  );

  connection.onCodeAction(
    safe('codeAction', [], (params) => service!.codeActions(params.textDocument.uri, params.context.diagnostics)),
  );

  connection.onRequest(
    PROCEDURE_FOR_MONITOR_REQUEST,
    safe('procedureForMonitor', [] as ProcedureLocation[], async (params: ProcedureForMonitorParams) => {
      const found: ProcedureLocation[] = [];
      for (const uri of params.uris) {
        const text = documents.get(uri)?.getText() ?? (await readFile(fileURLToPath(uri), 'utf8').catch(() => undefined));
        if (text === undefined) continue;
        const match = service!.procedureFor(modelOf(uri) ?? service!.analyze(text), params.monitor);
        if (match) found.push({ uri, ...match });
      }
      return found;
    }),
  );

  documents.listen(connection);
  connection.listen();
}

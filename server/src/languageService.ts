// The language service: every runbook feature as a plain function of (model, position, locale),
// usable without LSP (tests, the linter, benchmarks) — the server only wires it to the protocol.
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, DocumentHighlight, DocumentLink, DocumentSymbol, FoldingRange, Hover, Location, SelectionRange, TextEdit, WorkspaceEdit, WorkspaceSymbol } from 'vscode-languageserver-types';
import { codeLenses } from './analysis/codeLens';
import { quickFixes } from './analysis/codeActions';
import { complete, withoutSnippets, withTextEdits } from './analysis/completion';
import { computeDiagnostics, diagnosticSteps } from './analysis/diagnostics';
import { format, type FormatOptions } from './analysis/format';
import { hover } from './analysis/hover';
import { parseRunScripts, RunbookModel } from './analysis/model';
import { type RunbookIndex, WorkspaceIndex } from './analysis/workspace';
import { buildRunbookPlan } from './analysis/plan';
import { definition, prepareRename, references, rename } from './analysis/navigation';
import { documentSymbols, foldingRanges } from './analysis/outline';
import { healthSetChoices, runbookSkeleton } from './analysis/skeleton';
import { documentHighlights, documentLinks, selectionRanges, semanticTokens, workspaceSymbols } from './analysis/editorFeatures';
import { CatalogIndex, loadCatalog } from './catalog';
import type { HealthSetSummary, MonitorInfo } from './protocol';
import { createLocalizer, type Locale, type Localizer, toLocale } from './i18n';
import type { Position, Range } from './language/syntax';
import type { RunbookPlan } from './protocol';
import { clearPowerShellCache, initPowerShellParser } from './powershell/parser';
import { clearParseCache, forgetParsedDocument } from './language/parser';
import { clearFlowCache } from './analysis/checks/flow';
import type { Steps } from './util/cooperative';

export class RunbookLanguageService {
  private readonly localizers = new Map<Locale, Localizer>();

  private constructor(readonly catalog: CatalogIndex) {}

  /** Loads the PowerShell parser (wasm) and the catalog. */
  static async create(): Promise<RunbookLanguageService> {
    await initPowerShellParser();
    return new RunbookLanguageService(new CatalogIndex(loadCatalog()));
  }

  /**
   * Forgets every cached result, so the next analysis starts from nothing. Results never depend on
   * the caches (server/test/incremental.test.ts checks it); this is for that test and benchmarks.
   */
  clearCaches(): void {
    clearParseCache();
    clearPowerShellCache();
    clearFlowCache();
  }

  /**
   * Analyses a document. Callers that analyse several documents pass each one's URI: parsed
   * blocks are reused within a document, never shared between two.
   */
  analyze(text: string, document = '', workspace?: RunbookIndex): RunbookModel {
    return new RunbookModel(text, this.catalog, document, workspace);
  }

  /** An empty workspace of runbooks (by URI) for references between them; the caller fills it. */
  createWorkspace(): WorkspaceIndex {
    return new WorkspaceIndex(this.catalog);
  }

  /**
   * `analyze` as steps the server runs in slices (util/cooperative): every `run` command parsed one
   * at a time, then the model, which finds them parsed.
   */
  *analyzeSteps(text: string, document = '', workspace?: RunbookIndex): Steps<RunbookModel> {
    yield* parseRunScripts(text, document);
    return this.analyze(text, document, workspace);
  }

  /** Forgets what was cached for a document that was closed. */
  forget(document: string): void {
    forgetParsedDocument(document);
  }

  localizer(displayLanguage: string | undefined): Localizer {
    const locale = toLocale(displayLanguage);
    let localizer = this.localizers.get(locale);
    if (!localizer) {
      localizer = createLocalizer(locale);
      this.localizers.set(locale, localizer);
    }
    return localizer;
  }

  diagnostics(model: RunbookModel, uri: string, language?: string): Diagnostic[] {
    return computeDiagnostics(model, this.localizer(language), uri);
  }

  /** `diagnostics` as steps the server runs in slices: one procedure's checks per step. */
  diagnosticSteps(model: RunbookModel, uri: string, language?: string): Steps<Diagnostic[]> {
    return diagnosticSteps(model, this.localizer(language), uri);
  }

  /** `snippets`: whether the client takes snippet syntax; plain text otherwise. */
  completion(model: RunbookModel, position: Position, language?: string, snippets = true): CompletionItem[] {
    const items = withTextEdits(complete(model, position, this.localizer(language)), model.lines[position.line] ?? '', position);
    return snippets ? items : withoutSnippets(items);
  }

  hover(model: RunbookModel, position: Position, language?: string): Hover | null {
    return hover(model, position, this.localizer(language));
  }

  documentSymbols(model: RunbookModel): DocumentSymbol[] {
    return documentSymbols(model);
  }

  foldingRanges(model: RunbookModel): FoldingRange[] {
    return foldingRanges(model);
  }

  documentHighlights(model: RunbookModel, position: Position): DocumentHighlight[] {
    return documentHighlights(model, position);
  }

  documentLinks(model: RunbookModel): DocumentLink[] {
    return documentLinks(model);
  }

  /** LSP-encoded semantic tokens; the legend is SEMANTIC_TOKEN_TYPES. */
  semanticTokens(model: RunbookModel): number[] {
    return semanticTokens(model);
  }

  selectionRanges(model: RunbookModel, positions: Position[]): SelectionRange[] {
    return selectionRanges(model, positions);
  }

  workspaceSymbols(documents: { uri: string; model: RunbookModel }[], query: string): WorkspaceSymbol[] {
    return workspaceSymbols(documents, query);
  }

  definition(model: RunbookModel, uri: string, position: Position): Location[] {
    return definition(model, uri, position);
  }

  references(model: RunbookModel, uri: string, position: Position, includeDeclaration: boolean): Location[] {
    return references(model, uri, position, includeDeclaration);
  }

  prepareRename(model: RunbookModel, position: Position): { range: Range; placeholder: string } | undefined {
    return prepareRename(model, position);
  }

  rename(model: RunbookModel, uri: string, position: Position, newName: string): WorkspaceEdit | { error: string } {
    return rename(model, uri, position, newName);
  }

  format(model: RunbookModel, options?: FormatOptions | number): TextEdit[] {
    return format(model, options);
  }

  /** The runbook as plain data for the step runner and the rehearsal (server/src/runtime). */
  runbookPlan(model: RunbookModel, uri: string): RunbookPlan {
    return buildRunbookPlan(model, uri);
  }

  codeLenses(model: RunbookModel, uri: string, language?: string): CodeLens[] {
    return codeLenses(model, uri, this.localizer(language));
  }

  /** `known`: the server's diagnostics of this version, where it has them (see quickFixes). */
  codeActions(uri: string, diagnostics: Diagnostic[], known?: Diagnostic[], range?: Range): CodeAction[] {
    return quickFixes(uri, diagnostics, known, range);
  }

  /** What the catalog knows of a monitor for the health view: its probe (to re-run it) and description. */
  monitorInfo(monitor: string, language?: string): MonitorInfo | null {
    const found = this.catalog.resolveMonitor(monitor);
    if (!found) return null;
    const probe = found.probe ? this.catalog.probe(found.probe) : undefined;
    return {
      monitor: found.name,
      healthSet: found.healthSet,
      probe: probe ? `${probe.healthSet}\\${probe.name}` : undefined,
      description: this.localizer(language).text(found.description),
    };
  }

  /** The health sets "New Runbook" offers, with the monitors each skeleton covers. */
  healthSets(language?: string): HealthSetSummary[] {
    const localizer = this.localizer(language);
    return healthSetChoices(this.catalog).map((choice) => ({ ...choice, description: localizer.text(this.catalog.healthSet(choice.name)?.description) }));
  }

  /** A lint-clean runbook for a health set: verify procedure and one recovery procedure per monitor. */
  skeleton(healthSet: string): string | null {
    return runbookSkeleton(this.catalog, healthSet) ?? null;
  }

  /** The procedure (`for monitor`) that recovers a monitor, if this runbook has one. */
  procedureFor(model: RunbookModel, monitor: string): { procedure: string; line: number } | undefined {
    const wanted = monitor.toLowerCase();
    for (const procedure of model.runbook.procedures) {
      if (procedure.monitors.some((m) => (this.catalog.resolveMonitor(m.text)?.name ?? m.text).toLowerCase() === wanted)) {
        return { procedure: procedure.id?.text ?? '', line: procedure.headerRange.start.line };
      }
    }
    return undefined;
  }
}

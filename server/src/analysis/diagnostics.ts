// Diagnostics: the stable codes, how they are reported, and the entry point that runs every check.
import { type Diagnostic, DiagnosticSeverity, DiagnosticTag, type Range, type TextEdit } from 'vscode-languageserver-types';
import type { Localizer } from '../i18n';
import type { Procedure, StepReference } from '../language/syntax';
import { checkCommands } from './checks/commands';
import { checkConditions } from './checks/conditions';
import { checkFlow } from './checks/flow';
import { checkHeader } from './checks/header';
import { checkProcedureIds, checkRunbookId, checkStructure } from './checks/structure';
import type { RunbookModel } from './model';
import { type Steps, drain } from '../util/cooperative';
import { recordFailure } from '../util/failures';
import { withSuggestionBudget } from './text';

/** The language reference; each diagnostic code has an anchor of its own in its Diagnostics table. */
export const LANGUAGE_REFERENCE_URL = 'https://github.com/exchange-health-runbooks/exchange-health-runbooks/blob/main/docs/language.md';

/** Where a diagnostic code is explained: the editor links the code to it, SARIF gives it as helpUri. */
export function codeHref(code: string): string {
  return `${LANGUAGE_REFERENCE_URL}#${code}`;
}

/** Every diagnostic code with its severity; docs/language.md explains each one. */
export const DIAGNOSTIC_CODES = {
  syntax: DiagnosticSeverity.Error,
  misplaced: DiagnosticSeverity.Error,
  'keyword-case': DiagnosticSeverity.Warning,
  'full-width': DiagnosticSeverity.Warning,
  'missing-runbook': DiagnosticSeverity.Error,
  'unknown-health-set': DiagnosticSeverity.Error,
  'unknown-monitor': DiagnosticSeverity.Error,
  'unknown-probe': DiagnosticSeverity.Error,
  'misspelt-name': DiagnosticSeverity.Error,
  'wrong-health-set': DiagnosticSeverity.Error,
  'monitor-outside-runbook': DiagnosticSeverity.Warning,
  'missing-recovery-procedure': DiagnosticSeverity.Warning,
  'unknown-param-kind': DiagnosticSeverity.Error,
  'duplicate-parameter': DiagnosticSeverity.Error,
  'undeclared-parameter': DiagnosticSeverity.Error,
  'unused-parameter': DiagnosticSeverity.Warning,
  'duplicate-id': DiagnosticSeverity.Error,
  'unknown-target': DiagnosticSeverity.Error,
  'reuse-cycle': DiagnosticSeverity.Error,
  'unknown-runbook': DiagnosticSeverity.Error,
  'duplicate-runbook': DiagnosticSeverity.Error,
  'unreachable-step': DiagnosticSeverity.Warning,
  'unreachable-branch': DiagnosticSeverity.Warning,
  'endless-loop': DiagnosticSeverity.Error,
  'empty-step': DiagnosticSeverity.Warning,
  'invalid-wait': DiagnosticSeverity.Error,
  'unknown-cmdlet': DiagnosticSeverity.Warning,
  'unknown-parameter': DiagnosticSeverity.Error,
  'ambiguous-parameter': DiagnosticSeverity.Error,
  'missing-mandatory-parameter': DiagnosticSeverity.Error,
  'missing-value': DiagnosticSeverity.Error,
  'invalid-value': DiagnosticSeverity.Error,
  'unknown-service': DiagnosticSeverity.Warning,
  placeholder: DiagnosticSeverity.Error,
  'example-name': DiagnosticSeverity.Warning,
  'untargeted-service': DiagnosticSeverity.Warning,
  'powershell-syntax': DiagnosticSeverity.Warning,
  'powershell-too-deep': DiagnosticSeverity.Warning,
  'missing-confirm': DiagnosticSeverity.Warning,
  'unknown-property': DiagnosticSeverity.Error,
  'unknown-value': DiagnosticSeverity.Error,
  'condition-without-output': DiagnosticSeverity.Warning,
  'answer-without-ask': DiagnosticSeverity.Error,
  'invalid-role-condition': DiagnosticSeverity.Error,
  'not-undone': DiagnosticSeverity.Error,
  'restart-before-failover': DiagnosticSeverity.Error,
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** A quick fix carried in the diagnostic's `data`, so code actions need no second analysis. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface DiagnosticData {
  fixes?: Fix[];
}

export interface ReportOptions {
  fixes?: Fix[];
  unnecessary?: boolean;
  related?: { range: Range; message: string }[];
}

/** Collects diagnostics for one document; checks call `report` and never build Diagnostics themselves. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly model: RunbookModel,
    readonly l10n: Localizer,
    readonly uri: string,
  ) {}

  report(code: DiagnosticCode, range: Range, message: string, options: ReportOptions = {}): void {
    const diagnostic: Diagnostic = { range, severity: DIAGNOSTIC_CODES[code], code, codeDescription: { href: codeHref(code) }, source: 'exchange-runbook', message };
    if (options.unnecessary) diagnostic.tags = [DiagnosticTag.Unnecessary];
    if (options.fixes?.length) diagnostic.data = { fixes: options.fixes } satisfies DiagnosticData;
    if (options.related?.length) {
      diagnostic.relatedInformation = options.related.map((r) => ({ location: { uri: this.uri, range: r.range }, message: r.message }));
    }
    this.diagnostics.push(diagnostic);
  }

  /** "Did you mean X?" as a message suffix and one quick fix per suggestion. */
  suggest(range: Range, suggestions: string[], render: (name: string) => string = (s) => s): { suffix: string; fixes: Fix[] } {
    if (suggestions.length === 0) return { suffix: '', fixes: [] };
    const t = this.l10n.t;
    return {
      // The leading space belongs to the translation: Chinese and Japanese need none.
      suffix: t(' Did you mean {0}?', suggestions.map((s) => render(s)).join(t(' or '))),
      fixes: suggestions.map((s, i) => ({ title: t('Change to {0}', render(s)), edits: [{ range, newText: render(s) }], preferred: i === 0 })),
    };
  }
}

export function computeDiagnostics(model: RunbookModel, l10n: Localizer, uri: string): Diagnostic[] {
  return drain(diagnosticSteps(model, l10n, uri));
}

/**
 * Every check, yielding between units (the header, each procedure, the flow): what
 * computeDiagnostics runs at once and the server runs in slices, so a long first validation can be
 * cancelled. No check holds state across a yield.
 */
export function* diagnosticSteps(model: RunbookModel, l10n: Localizer, uri: string): Steps<Diagnostic[]> {
  const sink = new DiagnosticSink(model, l10n, uri);
  for (const error of model.runbook.errors) {
    // Fragments of our own ("a step id") are translated with the message; source text is not.
    const args = error.args.map((a) => (typeof a === 'object' ? l10n.t(a.fragment) : a));
    const fixes = error.replacement === undefined ? [] : [{ title: l10n.t('Change to {0}', error.replacement), edits: [{ range: error.range, newText: error.replacement }], preferred: true }];
    sink.report(error.code, error.range, l10n.t(error.message, ...args), { fixes });
  }
  guarded(() => withSuggestionBudget(() => checkHeader(sink)));
  guarded(() => checkProcedureIds(sink));
  guarded(() => checkRunbookId(sink));
  yield;
  const context = procedureContext(model, l10n, uri);
  for (const procedure of model.runbook.procedures) {
    guarded(() => withSuggestionBudget(() => checkProcedure(sink, procedure, context)));
    yield;
  }
  guarded(() => checkFlow(sink));
  return sink.diagnostics;
}

/**
 * Runs one check so that a defect in it costs its own diagnostics only: every other check of the
 * file still reports, and the editor keeps its outline and completion. The failure is recorded
 * for the log (util/failures), not hidden.
 */
function guarded(check: () => void): void {
  try {
    check();
  } catch (error) {
    recordFailure('a check failed', error);
  }
}

/**
 * A procedure's own checks (its commands, conditions, steps and references) depend on the
 * procedure's block, which the parser reuses when its text is unchanged, and on a little context:
 * the declared parameters, the locale, and what its references resolve to. Keyed by that, a
 * keystroke re-checks one procedure, not the whole runbook.
 */
const procedureResults = new WeakMap<Procedure, { key: string; diagnostics: Diagnostic[] }>();

function checkProcedure(sink: DiagnosticSink, procedure: Procedure, context: string): void {
  const key = context + referencesKey(sink.model, procedure);
  const cached = procedureResults.get(procedure);
  if (cached?.key === key) {
    sink.diagnostics.push(...cached.diagnostics);
    return;
  }
  const local = new DiagnosticSink(sink.model, sink.l10n, sink.uri);
  checkStructure(local, procedure);
  checkCommands(local, procedure);
  checkConditions(local, procedure);
  procedureResults.set(procedure, { key, diagnostics: local.diagnostics });
  sink.diagnostics.push(...local.diagnostics);
}

function procedureContext(model: RunbookModel, l10n: Localizer, uri: string): string {
  // headerEnd: where "declare this parameter" inserts its line; the health sets: what placeholder
  // fixes and "did you mean" offer.
  return `${uri}|${l10n.locale}|${model.parametersKey}|${model.headerEnd}|${model.runbook.healthSets.map((h) => h.text).join(',')}|${workspaceKey(model)}|`;
}

const workspaceKeys = new WeakMap<object, string>();

/**
 * What the runbook's references into other runbooks resolve to (and the steps other runbooks hand
 * over to), as a cache key: when another runbook changes, the checks that read it run again.
 * Empty for a runbook that refers to no other and has no workspace.
 */
export function workspaceKey(model: RunbookModel): string {
  let key = workspaceKeys.get(model);
  if (key !== undefined) return key;
  const parts: (string | number)[] = [];
  if (model.workspace) {
    let missing = false;
    for (const procedure of model.runbook.procedures) {
      for (const step of procedure.steps) {
        const references = step.branches.flatMap((b) => (b.target?.kind === 'step' ? [b.target.reference] : []));
        if (step.reuse) references.push(step.reuse);
        for (const reference of references) {
          if (!reference.runbook) continue;
          const target = model.resolve(procedure, reference);
          if (!target) missing = true;
          parts.push(target ? objectId(target.step ?? target.procedure) : 'x', target?.foreign?.runbook.uri ?? '');
        }
        const node = model.node(step);
        if (node.sourceRunbook) parts.push(objectId(node.source.step), ...node.source.step.actions.map(objectId));
      }
    }
    for (const step of model.handoverEntries()) parts.push(objectId(step));
    const id = model.runbook.id?.text;
    if (id) parts.push(...model.workspace.runbooks(id).map((r) => r.uri));
    // "Did you mean" for an unknown runbook lists the workspace's ids.
    if (missing) parts.push(model.workspace.ids().join(' '));
  }
  key = parts.join(',');
  workspaceKeys.set(model, key);
  return key;
}

/** What the procedure's references and reused steps resolve to, as object identities. */
function referencesKey(model: RunbookModel, procedure: Procedure): string {
  const key: (number | string)[] = [];
  let missing = false;
  const resolved = (reference: StepReference): void => {
    const target = model.resolve(procedure, reference)?.step;
    if (!target) missing = true;
    key.push(target ? objectId(target) : 'x');
  };
  for (const step of procedure.steps) {
    if (step.reuse) resolved(step.reuse);
    for (const branch of step.branches) if (branch.target?.kind === 'step') resolved(branch.target.reference);
    const node = model.node(step);
    key.push(node.reuseBroken ? -objectId(node.source.step) : objectId(node.source.step));
  }
  // "Did you mean" for a missing reference looks at every id of the runbook.
  if (missing) key.push(model.runbook.procedures.map((p) => `${p.id?.text ?? ''}(${p.steps.map((s) => s.id?.text ?? '').join(' ')})`).join(''));
  return key.join(',');
}

const ids = new WeakMap<object, number>();
let lastId = 0;

/** A number for an object, stable for its lifetime: syntax-tree objects of reused blocks keep theirs. */
export function objectId(object: object): number {
  let id = ids.get(object);
  if (id === undefined) {
    id = ++lastId;
    ids.set(object, id);
  }
  return id;
}

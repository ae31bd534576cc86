// Completion: keywords by context, Exchange names (health sets, probes and monitors of the health
// set in context, cmdlets, parameters, values, services), declared parameters, step and procedure ids.
import { type CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver-types';
import type { HealthSet, LocalizedText, ParameterType } from '../catalog/types';
import type { Localizer } from '../i18n';
import { tokenizeLine } from '../language/lexer';
import { PARAM_KINDS, type Position, type Procedure, type Step } from '../language/syntax';
import type { PsCommand } from '../powershell/parser';
import { findParameter } from './binding';
import type { RunbookModel, RunScript, StepNode } from './model';
import snippetsData from '../../../snippets/runbook-snippets.json';

interface SnippetEntry {
  prefix: string;
  description: string;
  body: string[];
}

/** Where a snippet belongs, from the first word it writes: a whole file, a procedure, a step or an action. */
type SnippetLevel = 'file' | 'top' | 'procedure' | 'step';

const SNIPPETS = Object.entries(snippetsData as Record<string, SnippetEntry>).map(([name, entry]) => {
  const first = entry.body.find((line) => !line.startsWith('#'))?.trim().split(/\s+/)[0];
  const level: SnippetLevel = first === 'runbook' ? 'file' : first === 'procedure' ? 'top' : first === 'step' ? 'procedure' : 'step';
  return { name, level, ...entry };
});

const HEADER_KEYWORDS = ['healthset', 'param', 'source', 'procedure'];
const STEP_KEYWORDS = ['run', 'wait', 'manual', 'ask', 'escalate', 'when', 'otherwise', 'step', 'procedure'];

export function complete(model: RunbookModel, position: Position, l10n: Localizer): CompletionItem[] {
  const run = runAt(model, position);
  if (run) return completePowerShell(model, run, position, l10n);
  const line = model.lines[position.line] ?? '';
  const before = line.slice(0, position.character);
  const tokens = tokenizeLine(before);
  // Nothing to complete inside a comment.
  if (tokens[tokens.length - 1]?.kind === 'comment') return [];
  const typing = before.length > 0 && !/\s$/.test(before);
  // The tokens before the word being typed.
  const done = typing ? tokens.slice(0, -1) : tokens;
  const first = done[0]?.text;
  const context = locate(model, position.line);
  // Right after `pop:` the colon is not a word being typed: the reference so far ends with it.
  const reference = tokens[tokens.length - 1]?.kind === 'colon' ? tokens : done;

  if (done.length === 0) return keywords(model, context, l10n, !/^\s/.test(before));
  switch (first) {
    case 'healthset':
      return healthSets(model, l10n);
    case 'param':
      return done.some((t) => t.kind === 'colon') && done.length === 3 ? PARAM_KINDS.map((k) => item(k, CompletionItemKind.TypeParameter)) : [];
    case 'procedure': {
      const words = done.map((t) => t.text);
      if (words.includes('monitor')) return monitors(model, l10n);
      if (done.length >= 3 && done[2]?.kind === 'string') return [item('for monitor', CompletionItemKind.Keyword)];
      return [];
    }
    case 'step': {
      if (done[2]?.kind === 'equals' && done.length === 3) return [...stepReferences(model, context.procedure, true), ...runbookIds(model)];
      if (reference[2]?.kind === 'equals' && isQualifier(reference.slice(3))) return foreignReferences(model, reference[3]!.text, true);
      if (done.length >= 3) return [item('confirm', CompletionItemKind.Keyword, l10n.t('Ask before this step runs'))];
      return [];
    }
    case 'wait':
      return done.length === 2 ? ['seconds', 'minutes', 'hours'].map((u) => item(u, CompletionItemKind.Unit)) : [];
    case 'when':
    case 'otherwise':
      if (reference.some((t) => t.kind === 'arrow') && isQualifier(reference.slice(reference.findIndex((t) => t.kind === 'arrow') + 1))) {
        return foreignReferences(model, reference[reference.length - 2]!.text, false);
      }
      return completeBranch(model, context, done.map((t) => t.text), l10n);
    default:
      return [];
  }
}

interface LineContext {
  procedure?: Procedure;
  step?: Step;
}

/** The procedure and step a line belongs to (the last ones that start at or above it). */
function locate(model: RunbookModel, line: number): LineContext {
  const context: LineContext = {};
  for (const procedure of model.runbook.procedures) {
    if (procedure.headerRange.start.line > line) break;
    context.procedure = procedure;
    delete context.step;
    for (const step of procedure.steps) {
      if (step.headerRange.start.line > line) break;
      context.step = step;
    }
  }
  return context;
}

function runAt(model: RunbookModel, position: Position): RunScript | undefined {
  for (const { run } of model.allScripts) {
    const { range, keywordRange } = run.action;
    if (position.line < range.start.line || position.line > range.end.line) continue;
    if (position.line === keywordRange.start.line && position.character <= keywordRange.end.character) continue;
    if (run.toOffset(position) !== undefined) return run;
  }
  return undefined;
}

function keywords(model: RunbookModel, context: LineContext, l10n: Localizer, topLevel: boolean): CompletionItem[] {
  if (!model.runbook.headerRange) {
    // An empty file: the whole skeleton first, then the bare header.
    return [...snippets('file'), { ...snippet('runbook', 'runbook ${1:id} "${2:title}"\n  healthset ${3:POP}\n  param \\$Server: server "${4:Server named in the alert}"\n', l10n.t('Start a runbook')), sortText: '1_runbook' }];
  }
  // At the left margin only a procedure can start: no step or action snippets there.
  if (topLevel) return [item('procedure', CompletionItemKind.Keyword, undefined, '1'), ...snippets('top')];
  const words = context.step ? STEP_KEYWORDS : context.procedure ? ['step', 'procedure'] : HEADER_KEYWORDS;
  const levels: SnippetLevel[] = context.step ? ['procedure', 'step'] : context.procedure ? ['procedure'] : [];
  return [...words.map((w) => item(w, CompletionItemKind.Keyword, undefined, '1')), ...levels.flatMap(snippets)];
}

/** The snippets of one level; they rank after the keywords, except the skeleton, which comes first. */
function snippets(level: SnippetLevel): CompletionItem[] {
  return SNIPPETS.filter((s) => s.level === level).map((s) => ({
    ...snippet(s.prefix, s.body.join('\n'), s.description),
    labelDetails: { description: s.name },
    sortText: `${level === 'file' ? '0' : '2'}_${s.prefix}`,
  }));
}

function completeBranch(model: RunbookModel, context: LineContext, words: string[], l10n: Localizer): CompletionItem[] {
  const arrow = words.indexOf('->');
  if (arrow >= 0) {
    if (words.length > arrow + 1) return [];
    return [
      ...stepReferences(model, context.procedure, false),
      ...runbookIds(model),
      item('resolved', CompletionItemKind.Keyword, l10n.t('The issue is resolved: the run ends')),
      item('escalate', CompletionItemKind.Keyword, l10n.t('Escalate: the run ends')),
    ];
  }
  if (words[0] === 'otherwise') return [item('->', CompletionItemKind.Operator)];
  const node = context.step ? model.node(context.step) : undefined;
  const rest = words.slice(1);
  if (rest.length === 0) {
    return [
      ...['all', 'any', 'no'].map((q) => item(q, CompletionItemKind.Keyword)),
      item('answer', CompletionItemKind.Keyword, l10n.t('The answer to the step\'s ask')),
      ...model.runbook.params.map((p) => item('$' + p.name.text, CompletionItemKind.Variable)),
      ...properties(model, node, l10n),
    ];
  }
  if (rest[0]?.startsWith('$')) return rest.length === 2 ? ['mailbox', 'cas'].map((r) => item(r, CompletionItemKind.EnumMember)) : rest.length === 1 ? [item('is', CompletionItemKind.Keyword)] : [];
  if (rest[0] === 'answer') return rest.length === 2 ? ['yes', 'no'].map((r) => item(r, CompletionItemKind.EnumMember)) : rest.length === 1 ? [item('is', CompletionItemKind.Keyword)] : [];
  const offset = ['all', 'any', 'no'].includes(rest[0]!) ? 1 : 0;
  const property = rest[offset];
  if (!property) return properties(model, node, l10n);
  const afterIs = rest.indexOf('is');
  if (afterIs < 0) return [item('is', CompletionItemKind.Keyword)];
  const valuesSoFar = rest.slice(afterIs + 1).filter((w) => w !== ',' && w !== 'not');
  const values = valueItems(model, node, property, l10n).filter((v) => !valuesSoFar.includes(v.label));
  const last = rest[rest.length - 1];
  if (last === 'is') return [item('not', CompletionItemKind.Keyword), ...values];
  if (last === ',' || last === 'not') return values;
  return [item('->', CompletionItemKind.Operator), item(',', CompletionItemKind.Operator)];
}

function properties(model: RunbookModel, node: StepNode | undefined, l10n: Localizer): CompletionItem[] {
  const shape = node ? model.outputOf(node) : undefined;
  if (!shape) return [];
  return shape.type.properties.map((p) => documented(item(p.name, CompletionItemKind.Property), l10n, p.description, `${shape.cmdlet} → ${p.name}`));
}

function valueItems(model: RunbookModel, node: StepNode | undefined, property: string, l10n: Localizer): CompletionItem[] {
  const shape = node ? model.outputOf(node) : undefined;
  const found = shape ? model.conditionProperty(shape, property) : undefined;
  const set = model.catalog.valueSet(found?.values);
  return (set?.values ?? []).map((v) => documented(item(v.name, CompletionItemKind.EnumMember), l10n, v.description));
}

function stepReferences(model: RunbookModel, procedure: Procedure | undefined, qualifiedOnly: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  if (procedure && !qualifiedOnly) {
    for (const step of procedure.steps) if (step.id) items.push(item(step.id.text, CompletionItemKind.Reference, step.title?.value, '0'));
  }
  for (const other of model.runbook.procedures) {
    if (!other.id) continue;
    if (!qualifiedOnly) items.push(item(other.id.text, CompletionItemKind.Module, other.title?.value, '1'));
    for (const step of other.steps) {
      if (step.id && !step.reuse) items.push(item(`${other.id.text}.${step.id.text}`, CompletionItemKind.Reference, step.title?.value, '2'));
    }
  }
  return items;
}

/** `pop:` written with no space: the tokens after `->` or `=` are a runbook id and its colon. */
function isQualifier(tokens: { kind: string; start: number; end: number }[]): boolean {
  return tokens.length === 2 && tokens[0]!.kind === 'word' && tokens[1]!.kind === 'colon' && tokens[1]!.start === tokens[0]!.end;
}

/** `<runbook-id>:` for the other runbooks of the workspace; typing `:` asks for their procedures. */
function runbookIds(model: RunbookModel): CompletionItem[] {
  const own = model.runbook.id?.text;
  return (model.workspace?.ids() ?? []).filter((id) => id !== own).map((id) => item(`${id}:`, CompletionItemKind.Folder, model.workspace!.runbooks(id)[0]?.model().runbook.title?.value, '3'));
}

/** After `pop:`: that runbook's procedures, then (for a reuse, or after them) `procedure.step`. */
function foreignReferences(model: RunbookModel, id: string, qualifiedOnly: boolean): CompletionItem[] {
  const named = model.runbookNamed(id);
  if (!named) return [];
  return stepReferences(named === 'self' ? model : named.model, undefined, qualifiedOnly);
}

function healthSets(model: RunbookModel, l10n: Localizer): CompletionItem[] {
  return model.catalog.healthSets.map((h) =>
    documented(item(h.name, CompletionItemKind.Module, undefined, healthSetRank(h)), l10n, h.description),
  );
}

function monitors(model: RunbookModel, l10n: Localizer): CompletionItem[] {
  const declared = new Set(model.runbook.healthSets.map((h) => h.text.toLowerCase()));
  return model.catalog.monitors.map((m) =>
    documented(item(m.name, CompletionItemKind.Event, m.healthSet, declared.has(m.healthSet.toLowerCase()) ? '0' : '1'), l10n, m.description),
  );
}

// ---- PowerShell inside `run` --------------------------------------------------------------------

function completePowerShell(model: RunbookModel, run: RunScript, position: Position, l10n: Localizer): CompletionItem[] {
  const offset = run.toOffset(position)!;
  const text = run.action.command;
  let start = offset;
  while (start > 0 && !/[\s{}();|,"']/.test(text[start - 1]!)) start--;
  const word = text.slice(start, offset);
  const { catalog } = model;
  const command = commandAt(run, start);
  const cmdlet = command ? catalog.cmdlet(command.name) : undefined;

  if (word.startsWith('$')) return model.runbook.params.map((p) => documented(item('$' + p.name.text, CompletionItemKind.Variable), l10n, undefined, p.description?.value));

  // `POP.Protocol\` -> the probes (and monitors) of that health set.
  const backslash = word.lastIndexOf('\\');
  if (backslash > 0) {
    const healthSet = catalog.healthSet(word.slice(0, backslash));
    if (!healthSet) return [];
    const probesOnly = cmdlet?.name.toLowerCase() === 'invoke-monitoringprobe';
    const items = catalog.probesOf(healthSet.name).map((p) => documented(item(p.name, CompletionItemKind.Event), l10n, p.description));
    if (!probesOnly) items.push(...catalog.monitorsOf(healthSet.name).map((m) => documented(item(m.name, CompletionItemKind.Event), l10n, m.description)));
    return items;
  }

  // `Set-PopSettings -`: tree-sitter reads a bare `-` as no parameter at all (sometimes as no
  // command), but a word starting with `-` after a cmdlet is always one of its parameters.
  if (word.startsWith('-') && (!command || command.nameRange.end >= start)) {
    const written = /(?:^|[|;{(]|\r?\n)\s*([\p{L}\p{N}]+-[\p{L}\p{N}]+)(?:[^|;{(\n]*?)$/u.exec(text.slice(0, start))?.[1];
    const owner = written ? catalog.cmdlet(written) : undefined;
    if (!owner) return [];
    return owner.parameters.map((p) => documented(item('-' + p.name, CompletionItemKind.Property, typeName(p.type), p.mandatory ? '0' : '1'), l10n, p.description));
  }
  if (!command || (command.nameRange.start <= start && start <= command.nameRange.end && offset <= command.nameRange.end)) {
    return catalog.cmdlets.map((c) => documented(item(c.name, CompletionItemKind.Function, undefined, c.source === 'Exchange' ? '0' : '1'), l10n, c.description));
  }
  if (!cmdlet) return [];

  if (word.startsWith('-')) {
    const used = new Set(command.elements.flatMap((e) => (e.kind === 'parameter' && e.range.start !== start ? [e.name.toLowerCase()] : [])));
    return cmdlet.parameters
      .filter((p) => !used.has(p.name.toLowerCase()))
      .map((p) => documented(item('-' + p.name, CompletionItemKind.Property, typeName(p.type), p.mandatory ? '0' : '1'), l10n, p.description));
  }

  // The value of the parameter written just before, or of the positional parameter here.
  const previous = [...command.elements].reverse().find((e) => (e.kind === 'parameter' ? e.range.end : e.argument.range.end) <= start);
  let parameter = previous?.kind === 'parameter' ? findParameter(catalog, cmdlet, previous.name).parameter : undefined;
  if (parameter?.type === 'SwitchParameter') parameter = undefined;
  if (!parameter && (!previous || previous.kind === 'argument' || previous.kind === 'parameter')) {
    const positionalsBefore = command.elements.filter((e, i) => {
      if (e.kind !== 'argument' || e.argument.range.end > start) return false;
      const prior = command.elements[i - 1];
      return !(prior?.kind === 'parameter' && findParameter(catalog, cmdlet, prior.name).parameter?.type !== 'SwitchParameter');
    }).length;
    parameter = cmdlet.parameters.filter((p) => p.position !== undefined).sort((a, b) => a.position! - b.position!)[positionalsBefore];
  }
  if (!parameter) return [];
  const type = parameter.type;
  if (type === 'Boolean') return ['$true', '$false'].map((v) => item(v, CompletionItemKind.Value));
  if (typeof type === 'object') return (catalog.valueSet(type.enum)?.values ?? []).map((v) => documented(item(v.name, CompletionItemKind.EnumMember), l10n, v.description));
  if (type === 'HealthSet' || type === 'ProbeIdentity' || type === 'MonitoringItemIdentity') {
    return catalog.healthSets.map((h) => {
      const completion = documented(item(h.name, CompletionItemKind.Module, undefined, healthSetRank(h)), l10n, h.description);
      if (type !== 'HealthSet') {
        completion.insertText = h.name + '\\';
        completion.command = { title: 'probes', command: 'editor.action.triggerSuggest' };
      }
      return completion;
    });
  }
  if (type === 'Service') return catalog.services.map((s) => documented(item(s.name, CompletionItemKind.Value, s.displayName), l10n, s.description));
  if (type === 'Server') return model.runbook.params.filter((p) => ['server', 'cas', 'mailbox'].includes(p.kind?.text ?? '')).map((p) => item('$' + p.name.text, CompletionItemKind.Variable));
  return [];
}

/** The innermost command the offset is in (or just after, while its arguments are typed). */
function commandAt(run: RunScript, offset: number): PsCommand | undefined {
  let best: PsCommand | undefined;
  for (const command of run.script.commands) {
    if (command.range.start <= offset && offset <= command.range.end + 1) {
      if (!best || command.range.end - command.range.start < best.range.end - best.range.start) best = command;
    }
  }
  return best;
}

function typeName(type: ParameterType): string {
  return typeof type === 'object' ? type.enum : type;
}

function item(label: string, kind: CompletionItemKind, detail?: string, sortGroup?: string): CompletionItem {
  const completion: CompletionItem = { label, kind };
  if (detail) completion.detail = detail;
  if (sortGroup) completion.sortText = `${sortGroup}_${label.toLowerCase()}`;
  return completion;
}

function snippet(label: string, body: string, detail: string): CompletionItem {
  return { label, kind: CompletionItemKind.Snippet, insertText: body, insertTextFormat: InsertTextFormat.Snippet, detail };
}

function documented(completion: CompletionItem, l10n: Localizer, text: LocalizedText | undefined, plain?: string): CompletionItem {
  const value = l10n.text(text) ?? plain;
  if (value) completion.documentation = { kind: MarkupKind.Markdown, value };
  return completion;
}

/** Health sets the catalog knows completely first, then those whose topic it documents, then the rest. */
function healthSetRank(healthSet: HealthSet): string {
  return healthSet.catalogue === 'complete' ? '0' : healthSet.catalogue === 'documented' ? '1' : '2';
}

/**
 * Gives every item a `textEdit` over the part of the word already typed that the item continues,
 * so editors that pick the word to replace by their own rules (`-`, `\`, `$`, `.` are not word
 * characters everywhere) still insert the right text: `-Proto` → `-ProtocolLogEnabled`, not
 * `--ProtocolLogEnabled`.
 */
export function withTextEdits(items: CompletionItem[], line: string, position: Position): CompletionItem[] {
  const before = line.slice(Math.max(0, position.character - 128), position.character).toLowerCase();
  // The word being typed, for items that do not continue it (they replace it).
  const word = /[\p{L}\p{N}_.$-]*$/u.exec(before)?.[0].length ?? 0;
  return items.map((item) => {
    if (item.textEdit) return item;
    const newText = item.insertText ?? item.label;
    const lower = newText.toLowerCase();
    // The longest typed suffix that the inserted text starts with.
    let typed = word;
    for (let length = Math.min(before.length, lower.length); length > 0; length--) {
      if (lower.startsWith(before.slice(before.length - length))) {
        typed = length;
        break;
      }
    }
    const start = { line: position.line, character: position.character - typed };
    return { ...item, textEdit: { range: { start, end: position }, newText } };
  });
}

/**
 * For clients without snippet support: the snippet's text with its placeholders filled by their
 * defaults (`${1:verify}` → `verify`) and its tab stops removed, as plain text.
 */
export function withoutSnippets(items: CompletionItem[]): CompletionItem[] {
  const plain = (text: string): string => {
    // Placeholders take their default, choices their first value, innermost first; mirrors of a
    // tab stop (`$1` elsewhere in the text) take the same value.
    const values = new Map<string, string>();
    let out = text;
    for (let previous = ''; previous !== out; ) {
      previous = out;
      out = out
        .replace(/\$\{(\d+):([^${}]*)\}/g, (_m, index: string, value: string) => (values.set(index, value), value))
        .replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_m, index: string, choices: string) => {
          const first = choices.split(',')[0] ?? '';
          values.set(index, first);
          return first;
        });
    }
    return out.replace(/\$\{(\d+)\}|\$(\d+)/g, (_m, a: string | undefined, b: string | undefined) => values.get(a ?? b ?? '') ?? '').replace(/\\([$}\\])/g, '$1');
  };
  return items.map((item) => {
    if (item.insertTextFormat !== InsertTextFormat.Snippet) return item;
    const result: CompletionItem = { ...item, insertTextFormat: InsertTextFormat.PlainText };
    if (item.insertText !== undefined) result.insertText = plain(item.insertText);
    if (item.textEdit) result.textEdit = { ...item.textEdit, newText: plain(item.textEdit.newText) };
    return result;
  });
}

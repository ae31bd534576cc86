// Checks of the PowerShell inside steps: cmdlets and their parameters, values, health set / probe /
// service names wherever they appear, variables, leftover placeholders, dangerous commands.
import type { Cmdlet, CmdletParameter } from '../../catalog/types';
import type { ParamDeclaration, Procedure, Range } from '../../language/syntax';
import { MAX_NESTING, type PsArgument, type PsCommand, type PsComparison, type PsRange } from '../../powershell/parser';
import type { Binding } from '../binding';
import type { DiagnosticSink, Fix } from '../diagnostics';
import type { RunbookModel, RunScript, StepNode } from '../model';
import { didYouMean, editDistance, hasWildcard, namesOf, wildcardMatches } from '../text';
import { englishFor } from '../words';
import { healthSetsNamed, judgeItem, patternMatchesSome } from './names';
import { AUTOMATIC_VARIABLES } from './variables';
import { recordFailure } from '../../util/failures';

/** Leftovers of the documentation such as `<ServerName>` or `<服务器名称>`. */
const PLACEHOLDER = /<([^<>\r\n|&;]{1,60})>/gu;
/** `$ErrorActionPreference`, `$FormatEnumerationLimit`, `$MaximumHistoryCount`: PowerShell's own settings. */
const PREFERENCE_VARIABLE = /^(\w+preference|formatenumerationlimit|maximum\w+count|psdefaultparametervalues|psemailserver|psnativecommand\w+|pssessionapplicationname|pssessionconfigurationname|pssessionoption|psstyle|psculture|psuiculture|nestedpromptlevel|psedition|psmoduleautoloadingpreference|consolefilename|enabledexperimentalfeatures|logcommand\w+|logengine\w+|logprovider\w+)$/;
const BOOLEAN_TEXT = /^(\$true|\$false|true|false|0|1)$/i;

/** The checks of the commands of one procedure's steps. */
export function checkCommands(sink: DiagnosticSink, procedure: Procedure): void {
  const { model } = sink;
  for (const step of procedure.steps) {
    for (const action of step.actions) {
      const run = action.kind === 'run' ? model.script(action) : undefined;
      if (!run) continue;
      // A command the checks cannot take loses its own diagnostics, not its procedure's.
      const before = sink.diagnostics.length;
      try {
        checkRun(sink, run);
      } catch (error) {
        sink.diagnostics.length = before;
        recordFailure(`checking \`${run.action.command.slice(0, 80)}\``, error);
      }
    }
    checkConfirmation(sink, model.node(step));
  }
}

function checkRun(sink: DiagnosticSink, run: RunScript): void {
  const { model } = sink;
  const placeholders = checkPlaceholders(sink, run);
  if (placeholders.length === 0) checkPowerShellSyntax(sink, run);
  checkNesting(sink, run);
  // A value with a placeholder in it is reported once, as a placeholder.
  const clean = (range: PsRange): boolean => !placeholders.some((p) => p.start < range.end && range.start < p.end);
  checkVariables(sink, run);
  checkExampleNames(sink, run);
  for (const [index, command] of run.script.commands.entries()) {
    const binding = model.bind(run, command);
    if (!binding) {
      checkUnknownCmdlet(sink, run, command.name, command.nameRange);
      continue;
    }
    checkBinding(sink, run, binding, command, clean);
    checkServiceTarget(sink, run, binding, index);
  }
  checkComparisons(sink, run, clean);
}

/** Microsoft's fictitious domains: the names its topics use in examples. */
const EXAMPLE_DOMAIN = /(?:[\p{L}\p{N}_.+-]+@|(?:[\p{L}\p{N}_-]+\.)*)(?:contoso|fabrikam|adatum|tailspintoys|woodgrovebank|litwareinc|northwindtraders|wingtiptoys|coho(?:vineyard|winery))\.(?:com|net|org)\b/giu;

const EXAMPLE_HINT = /contoso|fabrikam|adatum|tailspintoys|woodgrovebank|litwareinc|northwindtraders|wingtiptoys|coho/i;

/** `server1.contoso.com` or `kim@contoso.com` copied from a topic: the command would act on a server that is not yours. */
function checkExampleNames(sink: DiagnosticSink, run: RunScript): void {
  const { l10n } = sink;
  const t = l10n.t;
  const text = run.action.command;
  // The full pattern is slow to try at every offset; most commands name no example domain at all.
  if (!EXAMPLE_HINT.test(text)) return;
  for (const match of text.matchAll(EXAMPLE_DOMAIN)) {
    const range = run.toRange({ start: match.index, end: match.index + match[0].length });
    if (match[0].includes('@')) {
      sink.report('example-name', range, t('{0} is an example address from the documentation: use an address of your organization.', match[0]));
      continue;
    }
    // A parameter goes in as `$Server`, which a single-quoted string would not expand.
    const quotes = [...text.slice(0, match.index)].filter((c) => c === "'").length;
    const fixes = quotes % 2 === 1 ? [] : placeholderFixes(sink, 'server', range);
    sink.report('example-name', range, t('{0} is an example server name from the documentation: use a declared parameter such as $Server.', match[0]), { fixes });
  }
}

const SERVICE_CONTROL = new Set(['restart-service', 'start-service', 'stop-service']);

/**
 * `Restart-Service MSExchangePOP3BE` alone restarts the service on the admin's own computer, not on
 * the server the runbook is about: it must run inside `Invoke-Command -ComputerName`, or take its
 * services from `Get-Service -ComputerName`.
 */
function checkServiceTarget(sink: DiagnosticSink, run: RunScript, binding: Binding, index: number): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const { commands } = run.script;
  const command = commands[index]!;
  // A command PowerShell cannot parse may have lost its Invoke-Command: the syntax warning says enough.
  if (!SERVICE_CONTROL.has(binding.cmdlet.name.toLowerCase()) || run.script.errors.length > 0) return;
  // Inside a script block: Invoke-Command decides where it runs (ForEach-Object passes it on).
  for (let parent = command.parent; parent !== undefined; parent = commands[parent]!.parent) {
    const host = model.catalog.canonicalName(commands[parent]!.name).toLowerCase();
    if (host === 'invoke-command') return;
  }
  // Services piped from `Get-Service -ComputerName X` are X's.
  const source = commands.find((c) => c.pipeline === command.pipeline && c.position === 0 && c !== command);
  const sourceBinding = source ? model.bind(run, source) : undefined;
  if (sourceBinding && (sourceBinding.bound.has('computername') || sourceBinding.cmdlet.name.toLowerCase() === 'invoke-command')) return;
  if (command.position > 0 && !sourceBinding) return;
  const server = model.runbook.params.find((p) => ['server', 'cas', 'mailbox'].includes(p.kind?.text ?? ''));
  const statement = run.script.pipelines.filter((p) => p.length > 0).length === 1;
  const fixes: Fix[] = [];
  if (server && statement && command.parent === undefined && run.action.segments.length === 1) {
    // Wrap the whole `run` line: the pipeline it is in moves into the script block as written.
    const whole = run.toRange({ start: 0, end: run.action.command.length });
    fixes.push({
      title: t('Run it on ${0} with Invoke-Command', server.name.text),
      edits: [{ range: whole, newText: `Invoke-Command -ComputerName $${server.name.text} { ${run.action.command.trim()} }` }],
      preferred: true,
    });
  }
  sink.report('untargeted-service', run.toRange(command.nameRange), t('{0} runs on the computer the runbook runs on, not on the Exchange server: run it inside Invoke-Command -ComputerName.', command.name), { fixes });
}

export function isDangerous(binding: Binding): boolean {
  const rule = binding.cmdlet.dangerous;
  if (!rule) return false;
  if (!rule.whenParameter) return true;
  const bound = binding.bound.get(rule.whenParameter.toLowerCase());
  if (!bound) return false;
  return !rule.whenValue || bound.argument?.value.toLowerCase() === rule.whenValue.toLowerCase();
}

type PlaceholderKind = 'server' | 'cas' | 'mailbox' | 'healthset' | 'database' | 'probe' | 'monitor' | 'other';

/** What a placeholder stands for, from its words in English, Chinese or Japanese. */
function placeholderKind(text: string): PlaceholderKind {
  const words = text.toLowerCase();
  if (/health ?set|运行状况集|正常性セット|健全性セット/.test(words)) return 'healthset';
  if (/database|数据库|データベース/.test(words)) return 'database';
  if (/probe|探测|プローブ/.test(words)) return 'probe';
  if (/monitor|监视器|モニター/.test(words)) return 'monitor';
  if (/\bcas\b|client access|客户端访问|クライアント アクセス|クライアントアクセス/.test(words)) return 'cas';
  if (/mailbox|邮箱|メールボックス/.test(words)) return 'mailbox';
  if (/server|computer|服务器|计算机|サーバー|コンピューター/.test(words)) return 'server';
  return 'other';
}

/**
 * Fixes for a placeholder of this kind: the declared parameters of that kind (a CAS or Mailbox
 * server may be any server parameter), for a health set also the runbook's own health sets, and
 * when nothing fits, declaring a parameter of that kind.
 */
/** The declared parameters a placeholder of each kind can be replaced with, listed once per model. */
const placeholderParams = new WeakMap<RunbookModel, Map<PlaceholderKind, ParamDeclaration[]>>();
function placeholderCandidates(model: RunbookModel, kind: PlaceholderKind): ParamDeclaration[] {
  let byKind = placeholderParams.get(model);
  if (!byKind) placeholderParams.set(model, (byKind = new Map()));
  let candidates = byKind.get(kind);
  if (candidates) return candidates;
  const params = model.runbook.params;
  const ofKind = (kinds: string[]): ParamDeclaration[] => params.filter((p) => kinds.includes(p.kind?.text ?? ''));
  candidates =
    kind === 'cas' ? [...ofKind(['cas']), ...ofKind(['server'])]
    : kind === 'mailbox' ? [...ofKind(['mailbox']), ...ofKind(['server'])]
    : kind === 'server' ? ofKind(['server', 'cas', 'mailbox'])
    : kind === 'healthset' ? ofKind(['healthset'])
    : kind === 'database' ? ofKind(['database'])
    : kind === 'other' ? ofKind(['text', 'number'])
    : [];
  byKind.set(kind, candidates);
  return candidates;
}

function placeholderFixes(sink: DiagnosticSink, kind: PlaceholderKind, range: Range): Fix[] {
  const { model, l10n } = sink;
  const t = l10n.t;
  const candidates = placeholderCandidates(model, kind);
  const fixes: Fix[] = candidates.map((p) => ({ title: t('Replace with ${0}', p.name.text), edits: [{ range, newText: '$' + p.name.text }] }));
  if (kind === 'healthset') {
    for (const name of new Set(model.runbook.healthSets.map((h) => h.text))) fixes.push({ title: t('Change to {0}', name), edits: [{ range, newText: name }] });
  }
  // A probe or monitor is named, not passed in: the runbook's health sets' own names.
  if (kind === 'probe' || kind === 'monitor') {
    for (const healthSet of healthSetsNamed(model.catalog, model.runbook.healthSets.map((h) => h.text))) {
      const items = kind === 'probe' ? model.catalog.probesOf(healthSet.name) : model.catalog.monitorsOf(healthSet.name);
      for (const item of items) fixes.push({ title: t('Change to {0}', item.name), edits: [{ range, newText: item.name }] });
    }
  }
  if (fixes.length === 0 && kind !== 'other' && kind !== 'probe' && kind !== 'monitor') {
    const name = { server: 'Server', cas: 'Server', mailbox: 'MailboxServer', healthset: 'HealthSet', database: 'Database' }[kind];
    const at = { line: model.headerEnd + 1, character: 0 };
    const paramKind = kind === 'healthset' ? 'healthset' : kind;
    fixes.push({
      title: t('Declare ${0} as a runbook parameter', name),
      edits: [{ range: { start: at, end: at }, newText: `  param $${name}: ${paramKind} "${name}"\n` }, { range, newText: '$' + name }],
    });
  }
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}

function checkPlaceholders(sink: DiagnosticSink, run: RunScript): PsRange[] {
  const { l10n } = sink;
  const t = l10n.t;
  const found: PsRange[] = [];
  for (const match of run.action.command.matchAll(PLACEHOLDER)) {
    const offsets = { start: match.index, end: match.index + match[0].length };
    found.push(offsets);
    const range = run.toRange(offsets);
    const kind = placeholderKind(match[1]!);
    const fixes = placeholderFixes(sink, kind, range);
    const message = ['server', 'cas', 'mailbox'].includes(kind)
      ? t('{0} is a placeholder left from the documentation: use a declared parameter such as $Server.', match[0])
      : t('{0} is a placeholder left from the documentation: put in a declared parameter or the value it stands for.', match[0]);
    sink.report('placeholder', range, message, { fixes });
  }
  return found;
}

function checkPowerShellSyntax(sink: DiagnosticSink, run: RunScript): void {
  for (const error of run.script.errors) {
    const range = run.toRange(error.end > error.start ? error : { start: error.start, end: Math.min(error.start + 1, run.action.command.length) });
    sink.report('powershell-syntax', range, sink.l10n.t('PowerShell cannot parse this part of the command.'));
  }
}

/** A command nested deeper than MAX_NESTING is not parsed (powershell/parser.ts): the one thing said about it. */
function checkNesting(sink: DiagnosticSink, run: RunScript): void {
  if (!run.script.tooDeep) return;
  sink.report('powershell-too-deep', run.toRange(run.script.tooDeep), sink.l10n.t('Brackets nest more than {0} deep here: the command is not checked.', MAX_NESTING));
}

function checkVariables(sink: DiagnosticSink, run: RunScript): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  // Assigned in this `run` or an earlier one of the step: the step's lines run in one session.
  const { assigned } = model.contextOf(run);
  // Only an undeclared variable needs the list, and a header can declare 10,000 parameters.
  let declared: string[] | undefined;
  const insertLine = model.headerEnd + 1;
  const reported = new Set<string>();
  for (const variable of run.script.variables) {
    const name = variable.name.toLowerCase();
    if (variable.assigned || assigned.has(name) || PREFERENCE_VARIABLE.test(name) || AUTOMATIC_VARIABLES.has(name) || model.param(name) || name === '') continue;
    const range = run.toRange(variable.range);
    const s = sink.suggest(range, didYouMean(variable.name, (declared ??= model.runbook.params.map((p) => p.name.text))), (n) => '$' + n);
    const fixes = [...s.fixes];
    if (!reported.has(name)) {
      const at = { line: insertLine, character: 0 };
      fixes.push({ title: t('Declare ${0} as a runbook parameter', variable.name), edits: [{ range: { start: at, end: at }, newText: `  param $${variable.name}: server "${variable.name}"\n` }] });
    }
    reported.add(name);
    sink.report('undeclared-parameter', range, t('${0} is not a declared parameter: declare it with `param ${0}: <kind> "<description>"`.', variable.name) + s.suffix, { fixes });
  }
}

function checkUnknownCmdlet(sink: DiagnosticSink, run: RunScript, name: string, nameRange: { start: number; end: number }): void {
  // Any command may run in a step; only a near miss of a real cmdlet is worth a word, and a real
  // cmdlet (PowerShell's own, Exchange 2013's) is never one: Get-PSSession is no typo of New-PSSession.
  if (!/^[A-Za-z]+-[A-Za-z]+$/.test(name)) return;
  const { model, l10n } = sink;
  if (model.catalog.knownCommand(name)) return;
  // Two edits at most: a wider net would catch real cmdlets of modules the list does not hold
  // (Get-ADGroup is no misspelling of Get-Group). Names of other lengths cannot be that close.
  const candidates = model.catalog.commandNames.filter((c) => Math.abs(c.length - name.length) <= 2);
  const suggestions = didYouMean(name, candidates, 2).filter((c) => editDistance(c, name) <= 2);
  if (suggestions.length === 0) return;
  const range = run.toRange(nameRange);
  const s = sink.suggest(range, suggestions);
  sink.report('unknown-cmdlet', range, l10n.t('{0} is not a known cmdlet.', name) + s.suffix, { fixes: s.fixes });
}

function checkBinding(sink: DiagnosticSink, run: RunScript, binding: Binding, command: PsCommand, clean: (range: PsRange) => boolean): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const { cmdlet } = binding;
  for (const unknown of binding.unknown) {
    const range = run.toRange(unknown.range);
    const known = model.catalog.misspelling(unknown.name, 'parameter', cmdlet.name);
    if (known) {
      sink.report('unknown-parameter', range, t('{0} has no parameter -{1}: the parameter is -{2}.', cmdlet.name, unknown.name, known.right), {
        fixes: [{ title: t('Change to {0}', '-' + known.right), edits: [{ range, newText: '-' + known.right }], preferred: true }],
      });
      continue;
    }
    const s = sink.suggest(range, didYouMean(unknown.name, namesOf(cmdlet.parameters)), (n) => '-' + n);
    sink.report('unknown-parameter', range, t('{0} has no parameter -{1}.', cmdlet.name, unknown.name) + s.suffix, { fixes: s.fixes });
  }
  for (const ambiguous of binding.ambiguous) {
    sink.report('ambiguous-parameter', run.toRange(ambiguous.range), t('-{0} could be any of {1}: write the parameter in full.', ambiguous.name, ambiguous.candidates.map((c) => '-' + c).join(', ')));
  }
  for (const missing of binding.missingValue) {
    sink.report('missing-value', run.toRange(missing.range), t('-{0} needs a value.', missing.parameter.name));
  }
  // Pipeline input binds parameters too (`Get-MailboxServer x | Set-MailboxServer ...`), and
  // built-in cmdlets have parameter sets the catalog does not model: check Exchange cmdlets that
  // start a pipeline only.
  if (command.position === 0 && cmdlet.source === 'Exchange' && !binding.openSplat) {
    for (const parameter of cmdlet.parameters) {
      if (parameter.mandatory && !binding.bound.has(parameter.name.toLowerCase())) {
        sink.report('missing-mandatory-parameter', run.toRange(command.nameRange), t('{0} needs the parameter -{1}.', cmdlet.name, parameter.name));
      }
    }
  }
  for (const bound of binding.bound.values()) {
    if (bound.argument && !bound.splatted && clean(bound.argument.range)) checkValue(sink, run, cmdlet, bound.parameter, bound.argument);
  }
}


function checkValue(sink: DiagnosticSink, run: RunScript, cmdlet: Cmdlet, parameter: CmdletParameter, argument: PsArgument): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const catalog = model.catalog;
  if (argument.kind === 'variable' || argument.kind === 'expression' || argument.kind === 'scriptblock') return;
  const range = run.toRange(argument.kind === 'string' ? argument.valueRange : argument.range);
  const value = argument.value;
  const type = parameter.type;
  if (type === 'Boolean') {
    if (argument.kind === 'number' && /^[01]$/.test(value)) return;
    const suggestion = /^(true|yes|on|\$?enabled?)$/i.test(value) ? '$true' : /^(false|no|off|\$?disabled?)$/i.test(value) ? '$false' : undefined;
    if (BOOLEAN_TEXT.test(value) && argument.kind === 'number') return;
    const fullRange = run.toRange(argument.range);
    sink.report('invalid-value', fullRange, t('-{0} of {1} takes $true or $false, not {2}.', parameter.name, cmdlet.name, argument.text), {
      fixes: suggestion ? [{ title: t('Change to {0}', suggestion), edits: [{ range: fullRange, newText: suggestion }], preferred: true }] : [],
    });
    return;
  }
  if (type === 'Int32') {
    if (argument.kind !== 'number' && !/^\d+$/.test(value)) {
      sink.report('invalid-value', range, t('-{0} of {1} takes a whole number, not {2}.', parameter.name, cmdlet.name, argument.text));
    }
    return;
  }
  if (typeof type === 'object') {
    const set = catalog.valueSet(type.enum);
    if (!set || hasWildcard(value) || value.includes(',')) return;
    if (set.values.some((v) => v.name.toLowerCase() === value.toLowerCase())) return;
    const s = sink.suggest(range, didYouMean(value, namesOf(set.values)));
    sink.report('invalid-value', range, t('{0} is not a value of -{1}; it takes {2}.', value, parameter.name, set.values.map((v) => v.name).join(', ')) + s.suffix, { fixes: s.fixes });
    return;
  }
  if (type === 'HealthSet') {
    checkHealthSetName(sink, range, value);
    return;
  }
  if (type === 'ProbeIdentity' || type === 'MonitoringItemIdentity') {
    checkMonitoringIdentity(sink, run, argument, type === 'ProbeIdentity');
    return;
  }
  if (type === 'Service') {
    if (hasWildcard(value) || catalog.service(value) || !/^MSExchange/i.test(value)) return;
    const s = sink.suggest(range, didYouMean(value, namesOf(catalog.services)));
    sink.report('unknown-service', range, t('{0} is not an Exchange service.', value) + s.suffix, { fixes: s.fixes });
  }
}

function checkHealthSetName(sink: DiagnosticSink, range: ReturnType<RunScript['toRange']>, name: string): boolean {
  const { model, l10n } = sink;
  const t = l10n.t;
  if (model.catalog.healthSet(name)) return true;
  const known = model.catalog.misspelling(name, 'healthSet');
  if (known) {
    sink.report('misspelt-name', range, t('{0} is a misspelling in the documentation: the health set is {1}.', name, known.right), {
      fixes: [{ title: t('Change to {0}', known.right), edits: [{ range, newText: known.right }], preferred: true }],
    });
    return false;
  }
  const s = sink.suggest(range, didYouMean(name, namesOf(model.catalog.healthSets)));
  sink.report('unknown-health-set', range, t('{0} is not an Exchange health set.', name) + s.suffix, { fixes: s.fixes });
  return false;
}

/** `POP\PopCTPProbe`, `POP.Protocol\PopDeepTestMonitor\target`: health set, then probe or monitor. */
function checkMonitoringIdentity(sink: DiagnosticSink, run: RunScript, argument: PsArgument, probeOnly: boolean): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const catalog = model.catalog;
  const base = argument.kind === 'string' ? argument.valueRange.start : argument.range.start;
  const parts = argument.value.split('\\');
  const healthSetName = parts[0]!;
  const setRange = run.toRange({ start: base, end: base + healthSetName.length });
  if (!checkHealthSetName(sink, setRange, healthSetName)) return;
  const healthSet = catalog.healthSet(healthSetName)!;
  const itemName = parts[1];
  if (itemName === undefined || itemName === '' || hasWildcard(itemName)) {
    if (probeOnly) sink.report('unknown-probe', setRange, t('Name the probe to run: {0}\\<probe>.', healthSet.name));
    return;
  }
  const itemStart = base + healthSetName.length + 1;
  const itemRange = run.toRange({ start: itemStart, end: itemStart + itemName.length });
  const judged = judgeItem(catalog, itemName, 'item', [healthSet]);
  if (judged.verdict === 'unjudged') return;
  if (judged.verdict === 'misspelt') {
    const right = judged.misspelling.right;
    sink.report('misspelt-name', itemRange, t('{0} is a misspelling in the documentation: the monitor is {1}.', itemName, right), {
      fixes: [{ title: t('Change to {0}', right), edits: [{ range: itemRange, newText: right }], preferred: true }],
    });
    return;
  }
  if (judged.verdict === 'unknown') {
    const s = sink.suggest(itemRange, probeOnly ? judged.suggestions.filter((n) => catalog.probe(n)) : judged.suggestions);
    const message = probeOnly ? t('{0} is not a probe of {1}.', itemName, healthSet.name) : t('{0} is neither a probe nor a monitor of {1}.', itemName, healthSet.name);
    sink.report(probeOnly ? 'unknown-probe' : 'unknown-monitor', itemRange, message + s.suffix, { fixes: s.fixes });
    return;
  }
  const { probe, monitor } = judged;
  if (!probe && monitor && probeOnly) {
    const fixes: Fix[] = monitor.probe ? [{ title: t('Change to {0}', monitor.probe), edits: [{ range: itemRange, newText: monitor.probe }], preferred: true }] : [];
    const message = monitor.probe
      ? t('{0} is a monitor; Invoke-MonitoringProbe runs its probe {1}.', monitor.name, monitor.probe)
      : t('{0} is a monitor with no probe to run: it watches events or counters.', monitor.name);
    sink.report('unknown-probe', itemRange, message, { fixes });
    return;
  }
  const item = (probe ?? monitor)!;
  const itemSet = catalog.healthSet(item.healthSet);
  // The case of a name copied from a topic that lists only part of a health set is not reliable.
  if (item.name !== itemName && itemSet?.catalogue === 'complete') {
    sink.report('misspelt-name', itemRange, t('The name is spelt {0}.', item.name), {
      fixes: [{ title: t('Change to {0}', item.name), edits: [{ range: itemRange, newText: item.name }], preferred: true }],
    });
  }
  if (item.healthSet.toLowerCase() !== healthSet.name.toLowerCase()) {
    sink.report('wrong-health-set', setRange, t('{0} belongs to the {1} health set, not {2}.', item.name, item.healthSet, healthSet.name), {
      fixes: [{ title: t('Change to {0}', item.healthSet), edits: [{ range: setRange, newText: item.healthSet }], preferred: true }],
    });
  }
}

/** `?{$_.HealthSetName -eq "POPP"}`, `$_.AlertValue -eq "Unhealty"`: names and values inside filters. */
function checkComparisons(sink: DiagnosticSink, run: RunScript, clean: (range: PsRange) => boolean): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  for (const comparison of run.script.comparisons) {
    if (!clean(comparison.valueRange)) continue;
    const range = run.toRange(comparison.valueRange);
    const property = comparison.property.toLowerCase();
    const wildcard = comparison.operator.includes('like') && hasWildcard(comparison.value);
    if (property === 'healthsetname' || property === 'healthset') {
      if (wildcard) {
        if (!model.catalog.healthSets.some((h) => wildcardMatches(comparison.value, h.name))) {
          sink.report('unknown-health-set', range, t('No Exchange health set matches {0}.', comparison.value));
        }
      } else if (!comparison.operator.includes('match')) {
        checkHealthSetName(sink, range, comparison.value);
      }
      continue;
    }
    if (comparison.operator.includes('match')) continue;
    const itemKind = namedItem(model, run, comparison);
    if (itemKind) {
      checkItemNames(sink, run, comparison, itemKind, wildcard);
      continue;
    }
    if (wildcard) continue;
    const found = comparedProperty(model, run, comparison);
    const set = model.catalog.valueSet(found?.values);
    if (!found || !set || set.values.length === 0 || set.name === 'Boolean') continue;
    if (set.values.some((v) => v.name.toLowerCase() === comparison.value.toLowerCase())) continue;
    const local = englishFor(comparison.value, set.values.map((v) => v.name));
    const s = sink.suggest(range, local ? [local] : didYouMean(comparison.value, namesOf(set.values)));
    sink.report('unknown-value', range, t('{0} is not a value of {1}; it is one of {2}.', comparison.value, found.name, set.values.map((v) => v.name).join(', ')) + s.suffix, { fixes: s.fixes });
  }
}

/**
 * Whether a filter compares the name of a monitor (`Get-ServerHealth ... | ?{$_.Name -eq ...}`) or
 * of a probe or monitor: from what the pipeline feeds the filter, or, when that is not known, from a
 * `Name` compared with something that ends like a monitor or probe name.
 */
function namedItem(model: RunbookModel, run: RunScript, comparison: PsComparison): 'monitor' | 'item' | undefined {
  const input = comparison.command !== undefined ? model.inputOf(run, comparison.command) : undefined;
  if (input) return model.catalog.property(input.type, comparison.property)?.names;
  return comparison.property.toLowerCase() === 'name' && /(monitor|probe)\*?$/i.test(comparison.value) ? 'item' : undefined;
}

/**
 * Monitor or probe names in a filter, judged against the health sets in context: those the same
 * command compares HealthSetName with, else the runbook's own.
 */
function checkItemNames(sink: DiagnosticSink, run: RunScript, comparison: PsComparison, kind: 'monitor' | 'item', wildcard: boolean): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const catalog = model.catalog;
  // Get-ServerHealth without -HealthSet lists every monitor of the server: the runbook's own health
  // sets are no context, only the filter's HealthSetName and the command's -HealthSet are.
  const compared = run.script.comparisons
    .filter((c) => c.command === comparison.command && /^(healthsetname|healthset)$/i.test(c.property) && !c.operator.includes('like') && !c.operator.includes('match'))
    .map((c) => c.value);
  const context = healthSetsNamed(catalog, [...compared, ...pipelineHealthSets(model, run, comparison.command)]);
  const values = comparison.values ?? [{ value: comparison.value, valueRange: comparison.valueRange }];
  for (const { value, valueRange } of values) {
    const range = run.toRange(valueRange);
    if (wildcard) {
      if (!patternMatchesSome(catalog, value, kind, context)) sink.report('unknown-monitor', range, t('No monitor matches {0}.', value));
      continue;
    }
    const judged = judgeItem(catalog, value, kind, context, healthSetsNamed(catalog, model.runbook.healthSets.map((h) => h.text)));
    if (judged.verdict === 'misspelt') {
      const right = judged.misspelling.right;
      const note = l10n.text(judged.misspelling.note);
      sink.report('misspelt-name', range, t('{0} is a misspelling in the documentation: the monitor is {1}.', value, right) + (note ? ' ' + note : ''), {
        fixes: [{ title: t('Change to {0}', right), edits: [{ range, newText: right }], preferred: true }],
      });
    } else if (judged.verdict === 'unknown') {
      const s = sink.suggest(range, judged.suggestions);
      sink.report('unknown-monitor', range, t('{0} is not a monitor.', value) + s.suffix, { fixes: s.fixes });
    }
  }
}

/** The health set named by `-HealthSet` on the command that starts the pipeline of command `index`. */
function pipelineHealthSets(model: RunbookModel, run: RunScript, index: number | undefined): string[] {
  const command = index !== undefined ? run.script.commands[index] : undefined;
  const first = command && run.script.commands.find((c) => c.pipeline === command.pipeline && c.position === 0);
  const value = first ? model.bind(run, first)?.bound.get('healthset')?.argument : undefined;
  return value && (value.kind === 'bareword' || value.kind === 'string') ? [value.value] : [];
}

/**
 * The property a filter compares, with its value set: from what the pipeline feeds the filter
 * (`Get-Service ... | ?{$_.Status -eq ...}` is a service's Status), or, when that is not known,
 * from the catalog if the name means one thing there (AlertValue, ResultType; not Status).
 */
function comparedProperty(model: RunbookModel, run: RunScript, comparison: PsComparison): { name: string; values?: string } | undefined {
  const input = comparison.command !== undefined ? model.inputOf(run, comparison.command) : undefined;
  if (input) {
    const found = model.conditionProperty(input, comparison.property);
    return found ? { name: found.property.name, ...(found.values ? { values: found.values } : {}) } : undefined;
  }
  const candidates = model.catalog.catalog.outputTypes.flatMap((type) => {
    const property = model.catalog.property(type, comparison.property);
    return property?.values ? [{ name: property.name, values: property.values }] : [];
  });
  return candidates.length > 0 && candidates.every((c) => c.values === candidates[0]!.values) ? candidates[0] : undefined;
}

function checkConfirmation(sink: DiagnosticSink, node: StepNode): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  if (node.step.confirm) return;
  for (const run of model.runsOf(node)) {
    for (const command of run.script.commands) {
      const binding = model.bind(run, command);
      if (!binding || !isDangerous(binding)) continue;
      const reason = l10n.text(binding.cmdlet.dangerous!.reason) ?? '';
      const header = node.step.headerRange;
      const end = { line: header.end.line, character: model.lines[header.end.line]!.trimEnd().length };
      const fix: Fix = { title: t('Mark the step with confirm'), edits: [{ range: { start: end, end }, newText: ' confirm' }], preferred: true };
      const written = node.source.step === node.step;
      const range = written ? run.toRange(command.nameRange) : node.step.reuse!.range;
      sink.report('missing-confirm', range, t('{0} is dangerous: {1} Mark the step with `confirm` so it asks before it runs.', command.name, reason), { fixes: [fix] });
      return;
    }
  }
}

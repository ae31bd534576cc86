// Checks of the PowerShell inside steps: cmdlets and their parameters, values, health set / probe /
// service names wherever they appear, variables, leftover placeholders, dangerous commands.
import type { Cmdlet, CmdletParameter } from '../../catalog/types';
import type { ParamDeclaration, Procedure } from '../../language/syntax';
import type { PsArgument, PsCommand, PsComparison, PsRange } from '../../powershell/parser';
import { bindCommand, type Binding } from '../binding';
import type { DiagnosticSink, Fix } from '../diagnostics';
import type { RunbookModel, RunScript, StepNode } from '../model';
import { didYouMean, hasWildcard, wildcardMatches } from '../text';
import { AUTOMATIC_VARIABLES } from './variables';
import { recordFailure } from '../../util/failures';

/** Leftovers of the documentation such as `<ServerName>` or `<服务器名称>`. */
const PLACEHOLDER = /<([^<>\r\n|&;]{1,60})>/gu;
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
  // A value with a placeholder in it is reported once, as a placeholder.
  const clean = (range: PsRange): boolean => !placeholders.some((p) => p.start < range.end && range.start < p.end);
  checkVariables(sink, run);
  for (const command of run.script.commands) {
    const binding = bindCommand(model.catalog, command);
    if (!binding) {
      checkUnknownCmdlet(sink, run, command.name, command.nameRange);
      continue;
    }
    checkBinding(sink, run, binding, command, clean);
  }
  checkComparisons(sink, run, clean);
}

export function isDangerous(binding: Binding): boolean {
  const rule = binding.cmdlet.dangerous;
  if (!rule) return false;
  if (!rule.whenParameter) return true;
  const bound = binding.bound.get(rule.whenParameter.toLowerCase());
  if (!bound) return false;
  return !rule.whenValue || bound.argument?.value.toLowerCase() === rule.whenValue.toLowerCase();
}

/** Parameters a placeholder can be replaced with: the server ones, or all; listed once per model. */
const placeholderParams = new WeakMap<RunbookModel, ParamDeclaration[]>();
function placeholderCandidates(model: RunbookModel): ParamDeclaration[] {
  let candidates = placeholderParams.get(model);
  if (!candidates) {
    const serverParams = model.runbook.params.filter((p) => ['server', 'cas', 'mailbox'].includes(p.kind?.text ?? ''));
    placeholderParams.set(model, (candidates = serverParams.length > 0 ? serverParams : model.runbook.params));
  }
  return candidates;
}

function checkPlaceholders(sink: DiagnosticSink, run: RunScript): PsRange[] {
  const { model, l10n } = sink;
  const t = l10n.t;
  const found: PsRange[] = [];
  for (const match of run.action.command.matchAll(PLACEHOLDER)) {
    const offsets = { start: match.index, end: match.index + match[0].length };
    found.push(offsets);
    const range = run.toRange(offsets);
    const candidates = placeholderCandidates(model);
    const fixes: Fix[] = candidates.map((p, i) => ({ title: t('Replace with ${0}', p.name.text), edits: [{ range, newText: '$' + p.name.text }], preferred: i === 0 }));
    sink.report('placeholder', range, t('{0} is a placeholder left from the documentation: use a declared parameter such as $Server.', match[0]), { fixes });
  }
  return found;
}

function checkPowerShellSyntax(sink: DiagnosticSink, run: RunScript): void {
  for (const error of run.script.errors) {
    const range = run.toRange(error.end > error.start ? error : { start: error.start, end: Math.min(error.start + 1, run.action.command.length) });
    sink.report('powershell-syntax', range, sink.l10n.t('PowerShell cannot parse this part of the command.'));
  }
}

function checkVariables(sink: DiagnosticSink, run: RunScript): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const assigned = new Set(run.script.variables.filter((v) => v.assigned).map((v) => v.name.toLowerCase()));
  // Only an undeclared variable needs the list, and a header can declare 10,000 parameters.
  let declared: string[] | undefined;
  const insertLine = model.headerEnd + 1;
  const reported = new Set<string>();
  for (const variable of run.script.variables) {
    const name = variable.name.toLowerCase();
    if (variable.assigned || assigned.has(name) || AUTOMATIC_VARIABLES.has(name) || model.param(name) || name === '') continue;
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
  // Any command may run in a step; only a near miss of a known cmdlet is worth a word.
  if (!/^[A-Za-z]+-[A-Za-z]+$/.test(name)) return;
  const { model, l10n } = sink;
  const suggestions = didYouMean(name, model.catalog.cmdlets.filter((c) => c.source === 'Exchange' || c.source === 'PowerShell').map((c) => c.name), 2);
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
    const s = sink.suggest(range, didYouMean(unknown.name, cmdlet.parameters.map((p) => p.name)), (n) => '-' + n);
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
  if (command.position === 0 && cmdlet.source === 'Exchange') {
    for (const parameter of cmdlet.parameters) {
      if (parameter.mandatory && !binding.bound.has(parameter.name.toLowerCase())) {
        sink.report('missing-mandatory-parameter', run.toRange(command.nameRange), t('{0} needs the parameter -{1}.', cmdlet.name, parameter.name));
      }
    }
  }
  for (const bound of binding.bound.values()) {
    if (bound.argument && clean(bound.argument.range)) checkValue(sink, run, cmdlet, bound.parameter, bound.argument);
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
    const s = sink.suggest(range, didYouMean(value, set.values.map((v) => v.name)));
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
    const s = sink.suggest(range, didYouMean(value, catalog.services.map((svc) => svc.name)));
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
  const s = sink.suggest(range, didYouMean(name, model.catalog.healthSets.map((h) => h.name)));
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
  const probe = catalog.probe(itemName);
  const monitor = catalog.monitor(itemName);
  const known = catalog.misspelling(itemName, 'monitor') ?? catalog.misspelling(itemName, 'probe');
  if (!probe && !(monitor && !probeOnly)) {
    if (monitor && probeOnly) {
      sink.report('unknown-probe', itemRange, t('{0} is a monitor; Invoke-MonitoringProbe runs its probe {1}.', monitor.name, monitor.probe), {
        fixes: [{ title: t('Change to {0}', monitor.probe), edits: [{ range: itemRange, newText: monitor.probe }], preferred: true }],
      });
      return;
    }
    if (known && !probeOnly) {
      sink.report('misspelt-name', itemRange, t('{0} is a misspelling in the documentation: the monitor is {1}.', itemName, known.right), {
        fixes: [{ title: t('Change to {0}', known.right), edits: [{ range: itemRange, newText: known.right }], preferred: true }],
      });
      return;
    }
    // Only health sets the catalog knows in detail can say a name is not theirs.
    const items = [...catalog.probesOf(healthSet.name).map((p) => p.name), ...(probeOnly ? [] : catalog.monitorsOf(healthSet.name).map((m) => m.name))];
    if (items.length === 0) return;
    const everything = [...catalog.probes.map((p) => p.name), ...(probeOnly ? [] : catalog.monitors.map((m) => m.name))];
    const s = sink.suggest(itemRange, didYouMean(itemName, items).concat(didYouMean(itemName, everything)).filter((v, i, a) => a.indexOf(v) === i).slice(0, 3));
    const message = probeOnly ? t('{0} is not a probe of {1}.', itemName, healthSet.name) : t('{0} is neither a probe nor a monitor of {1}.', itemName, healthSet.name);
    sink.report(probeOnly ? 'unknown-probe' : 'unknown-monitor', itemRange, message + s.suffix, { fixes: s.fixes });
    return;
  }
  const item = probe ?? monitor!;
  if (item.name !== itemName) {
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
    if (wildcard || comparison.operator.includes('match')) continue;
    const found = comparedProperty(model, run, comparison);
    const set = model.catalog.valueSet(found?.values);
    if (!found || !set || set.values.length === 0 || set.name === 'Boolean') continue;
    if (set.values.some((v) => v.name.toLowerCase() === comparison.value.toLowerCase())) continue;
    const s = sink.suggest(range, didYouMean(comparison.value, set.values.map((v) => v.name)));
    sink.report('unknown-value', range, t('{0} is not a value of {1}; it is one of {2}.', comparison.value, found.name, set.values.map((v) => v.name).join(', ')) + s.suffix, { fixes: s.fixes });
  }
}

/**
 * The property a filter compares, with its value set: from what the pipeline feeds the filter
 * (`Get-Service ... | ?{$_.Status -eq ...}` is a service's Status), or, when that is not known,
 * from the catalog if the name means one thing there (AlertValue, ResultType; not Status).
 */
function comparedProperty(model: RunbookModel, run: RunScript, comparison: PsComparison): { name: string; values?: string } | undefined {
  const input = comparison.command !== undefined ? model.inputOf(run.script, comparison.command) : undefined;
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
      const binding = bindCommand(model.catalog, command);
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

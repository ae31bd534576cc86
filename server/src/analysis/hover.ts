// Hover: what the docs say about health sets, probes, monitors, cmdlets, parameters, output
// properties and values, and what a runbook's own parameters and steps are.
import { type Hover, MarkupKind } from 'vscode-languageserver-types';
import type { CatalogIndex } from '../catalog';
import type { Cmdlet, CmdletParameter, HealthSet, Monitor, Probe } from '../catalog/types';
import type { Localizer } from '../i18n';
import { type Position, type Range, rangeContains } from '../language/syntax';
import { findParameter } from './binding';
import type { RunbookModel, RunScript } from './model';
import { occurrenceAt } from './navigation';

export function hover(model: RunbookModel, position: Position, l10n: Localizer): Hover | null {
  const found = runbookHover(model, position, l10n) ?? exchangeHover(model, position, l10n);
  if (!found) return null;
  return { contents: { kind: MarkupKind.Markdown, value: found.markdown }, range: found.range };
}

interface Found {
  markdown: string;
  range: Range;
}

function runbookHover(model: RunbookModel, position: Position, l10n: Localizer): Found | undefined {
  const t = l10n.t;
  const at = occurrenceAt(model, position);
  if (!at) return undefined;
  const separator = at.key.indexOf('\u0000');
  const declaring = at.key.slice(0, separator);
  const [kind, a, b] = at.key.slice(separator + 1).split(':');
  // A symbol of another runbook of the workspace: described from that runbook.
  const other = declaring !== model.uri ? model.workspace?.all().find((r) => r.uri === declaring) : undefined;
  if (other) model = other.model();
  if (kind === 'runbook') {
    const { runbook } = model;
    const lines = [`**${runbook.id?.text ?? ''}**: ${runbook.title?.value ?? ''}`];
    if (runbook.healthSets.length) lines.push('', runbook.healthSets.map((h) => h.text).join(', '));
    lines.push('', t('Procedures: {0}', runbook.procedures.flatMap((p) => (p.id ? [p.id.text] : [])).join(', ')));
    return { markdown: lines.join('\n'), range: at.range };
  }
  const prefix = other ? `${model.runbook.id?.text ?? ''}:` : '';
  if (kind === 'param') {
    const param = model.param(a!);
    if (!param) return undefined;
    const lines = [`**$${param.name.text}**: ${param.kind?.text ?? '?'}`];
    if (param.description) lines.push('', param.description.value);
    if (param.defaultValue) lines.push('', t('Default: {0}', param.defaultValue.value));
    return { markdown: lines.join('\n'), range: at.range };
  }
  const procedure = model.runbook.procedures[Number(a)];
  if (!procedure) return undefined;
  if (kind === 'procedure') {
    const lines = [`**${prefix}${procedure.id?.text ?? ''}**: ${procedure.title?.value ?? ''}`];
    if (procedure.monitors.length) lines.push('', t('Recovery procedure for {0}', procedure.monitors.map((m) => m.text).join(', ')));
    lines.push('', t('Steps: {0}', procedure.steps.length));
    return { markdown: lines.join('\n'), range: at.range };
  }
  const step = procedure.steps[Number(b)];
  if (!step) return undefined;
  const node = model.node(step);
  const lines = [`**${prefix}${procedure.id?.text ?? ''}.${step.id?.text ?? ''}**: ${node.source.step.title?.value ?? step.title?.value ?? ''}`];
  if (step.confirm) lines.push('', t('Asks for confirmation before it runs.'));
  const commands = model.runsOf(node).map((r) => r.action.command);
  if (commands.length) lines.push('', '```powershell', ...commands, '```');
  return { markdown: lines.join('\n'), range: at.range };
}

function exchangeHover(model: RunbookModel, position: Position, l10n: Localizer): Found | undefined {
  const { catalog, runbook } = model;
  for (const name of runbook.healthSets) {
    if (rangeContains(name.range, position)) {
      const healthSet = catalog.healthSet(name.text);
      return healthSet ? { markdown: healthSetDoc(catalog, healthSet, l10n), range: name.range } : undefined;
    }
  }
  for (const procedure of runbook.procedures) {
    if (position.line !== procedure.headerRange.start.line) continue;
    for (const name of procedure.monitors) {
      if (!rangeContains(name.range, position)) continue;
      const monitor = catalog.monitor(name.text);
      return monitor ? { markdown: monitorDoc(catalog, monitor, l10n), range: name.range } : undefined;
    }
  }
  for (const node of model.nodes) {
    if (position.line < node.step.range.start.line || position.line > node.step.range.end.line) continue;
    for (const branch of node.step.branches) {
      const condition = branch.condition;
      if (condition?.kind !== 'property' || !rangeContains(branch.range, position)) continue;
      const shape = model.outputOf(node);
      const found = shape ? model.conditionProperty(shape, condition.property.text) : undefined;
      if (!found || !shape) return undefined;
      if (rangeContains(condition.property.range, position)) {
        const description = l10n.text(found.property.description);
        return { markdown: `**${found.property.name}** (${shape.cmdlet})${description ? '\n\n' + description : ''}`, range: condition.property.range };
      }
      const value = condition.values.find((v) => rangeContains(v.range, position));
      const entry = value ? catalog.valueSet(found.values)?.values.find((v) => v.name.toLowerCase() === value.text.toLowerCase()) : undefined;
      if (value && entry) {
        const description = l10n.text(entry.description);
        return { markdown: `**${entry.name}** (${found.property.name})${description ? '\n\n' + description : ''}`, range: value.range };
      }
    }
  }
  for (const { run } of model.allScripts) {
    const offset = run.toOffset(position);
    if (offset === undefined || !rangeContains(run.action.range, position)) continue;
    const found = powerShellHover(model, run, offset, l10n);
    if (found) return found;
  }
  return undefined;
}

function powerShellHover(model: RunbookModel, run: RunScript, offset: number, l10n: Localizer): Found | undefined {
  const { catalog } = model;
  const within = (r: { start: number; end: number }): boolean => r.start <= offset && offset <= r.end;
  for (const command of run.script.commands) {
    if (!within(command.range)) continue;
    const cmdlet = catalog.cmdlet(command.name);
    if (within(command.nameRange)) {
      return cmdlet ? { markdown: cmdletDoc(catalog, cmdlet, l10n), range: run.toRange(command.nameRange) } : undefined;
    }
    for (const element of command.elements) {
      if (element.kind === 'parameter' && within(element.range) && cmdlet) {
        const parameter = findParameter(catalog, cmdlet, element.name).parameter;
        if (parameter) return { markdown: parameterDoc(cmdlet, parameter, l10n), range: run.toRange(element.range) };
      }
      if (element.kind === 'argument' && within(element.argument.range)) {
        const found = nameHover(catalog, run, element.argument.value, element.argument.kind === 'string' ? element.argument.valueRange.start : element.argument.range.start, offset, l10n);
        if (found) return found;
      }
    }
  }
  for (const comparison of run.script.comparisons) {
    if (!within(comparison.valueRange)) continue;
    const healthSet = catalog.healthSet(comparison.value);
    if (healthSet) return { markdown: healthSetDoc(catalog, healthSet, l10n), range: run.toRange(comparison.valueRange) };
  }
  return undefined;
}

/** `POP.Protocol\PopDeepTestProbe`, a health set, a service: whichever part the cursor is on. */
function nameHover(catalog: CatalogIndex, run: RunScript, value: string, start: number, offset: number, l10n: Localizer): Found | undefined {
  let partStart = start;
  for (const part of value.split('\\')) {
    const range = { start: partStart, end: partStart + part.length };
    if (range.start <= offset && offset <= range.end) {
      const documentRange = run.toRange(range);
      const healthSet = catalog.healthSet(part);
      if (healthSet) return { markdown: healthSetDoc(catalog, healthSet, l10n), range: documentRange };
      const probe = catalog.probe(part);
      if (probe) return { markdown: probeDoc(catalog, probe, l10n), range: documentRange };
      const monitor = catalog.monitor(part);
      if (monitor) return { markdown: monitorDoc(catalog, monitor, l10n), range: documentRange };
      const service = catalog.service(part);
      if (service) {
        const description = l10n.text(service.description);
        return { markdown: `**${service.name}** — ${service.displayName} (${service.role})${description ? '\n\n' + description : ''}`, range: documentRange };
      }
      return undefined;
    }
    partStart = range.end + 1;
  }
  return undefined;
}

function roleName(role: string, l10n: Localizer): string {
  if (role === 'ClientAccess') return l10n.t('a Client Access server');
  if (role === 'Mailbox') return l10n.t('a Mailbox server');
  return l10n.t('a Client Access or Mailbox server');
}

function healthSetDoc(catalog: CatalogIndex, healthSet: HealthSet, l10n: Localizer): string {
  const t = l10n.t;
  const lines = [`**${healthSet.name}** — ${t('health set')}`];
  const description = l10n.text(healthSet.description);
  if (description) lines.push('', description);
  const probes = catalog.probesOf(healthSet.name);
  const monitors = catalog.monitorsOf(healthSet.name);
  if (probes.length) lines.push('', t('Probes: {0}', probes.map((p) => p.name).join(', ')));
  if (monitors.length) lines.push('', t('Monitors: {0}', monitors.map((m) => m.name).join(', ')));
  if (healthSet.alertRole) lines.push('', t('The alert is usually raised on {0}.', roleName(healthSet.alertRole, l10n)));
  if (healthSet.topic) lines.push('', `[${t('Troubleshooting topic')}](${healthSet.topic})`);
  return lines.join('\n');
}

function probeDoc(catalog: CatalogIndex, probe: Probe, l10n: Localizer): string {
  const t = l10n.t;
  const lines = [`**${probe.name}** — ${t('probe of the {0} health set', probe.healthSet)}`];
  const description = l10n.text(probe.description);
  if (description) lines.push('', description);
  const monitors = catalog.monitorsOfProbe(probe.name);
  if (monitors.length) lines.push('', t('Monitors: {0}', monitors.map((m) => `${m.name} (${m.healthSet})`).join(', ')));
  lines.push('', probe.dependencies.length ? t('Depends on: {0}', probe.dependencies.join(', ')) : t('Depends on nothing.'));
  if (probe.recurrenceSeconds) lines.push('', t('Runs every {0} seconds.', probe.recurrenceSeconds));
  return lines.join('\n');
}

function monitorDoc(catalog: CatalogIndex, monitor: Monitor, l10n: Localizer): string {
  const t = l10n.t;
  const lines = [`**${monitor.name}** — ${t('monitor of the {0} health set', monitor.healthSet)}`];
  const description = l10n.text(monitor.description);
  if (description) lines.push('', description);
  if (monitor.probe) {
    const probe = catalog.probe(monitor.probe);
    lines.push('', t('Probe: {0}', probe ? `${probe.healthSet}\\${probe.name}` : monitor.probe));
  }
  if (monitor.alertRole) lines.push('', t('The alert is usually raised on {0}.', roleName(monitor.alertRole, l10n)));
  if (monitor.failureThreshold && monitor.windowSeconds) {
    lines.push('', t('Turns Unhealthy after {0} probe failures within {1} seconds.', monitor.failureThreshold, monitor.windowSeconds));
  }
  return lines.join('\n');
}

function cmdletDoc(catalog: CatalogIndex, cmdlet: Cmdlet, l10n: Localizer): string {
  const t = l10n.t;
  const lines = [`**${cmdlet.name}**${cmdlet.source === 'Exchange' ? ` — ${t('Exchange Management Shell')}` : ''}`];
  const description = l10n.text(cmdlet.description);
  if (description) lines.push('', description);
  const syntax = cmdlet.parameters.map((p) => (p.mandatory ? `-${p.name}` : `[-${p.name}]`)).join(' ');
  lines.push('', '```powershell', `${cmdlet.name} ${syntax}`, '```');
  if (cmdlet.dangerous) lines.push('', `⚠ ${l10n.text(cmdlet.dangerous.reason) ?? ''}`);
  const output = catalog.outputType(cmdlet.output);
  if (output) lines.push('', t('Output: {0}', `${output.properties.slice(0, 12).map((p) => p.name).join(', ')}${output.properties.length > 12 ? ', …' : ''}`));
  return lines.join('\n');
}

function parameterDoc(cmdlet: Cmdlet, parameter: CmdletParameter, l10n: Localizer): string {
  const t = l10n.t;
  const type = typeof parameter.type === 'object' ? parameter.type.enum : parameter.type;
  const lines = [`**-${parameter.name}** \`${type}\` (${cmdlet.name})`];
  if (parameter.mandatory) lines.push('', t('Mandatory.'));
  const description = l10n.text(parameter.description);
  if (description) lines.push('', description);
  return lines.join('\n');
}

// Checks of the runbook header and procedure headers: health sets, parameters, monitors, coverage.
import { PARAM_KINDS } from '../../language/syntax';
import type { DiagnosticSink } from '../diagnostics';
import { didYouMean } from '../text';
import { healthSetsNamed, judgeItem } from './names';
import { usedParameterNames } from './variables';

export function checkHeader(sink: DiagnosticSink): void {
  const { model, l10n } = sink;
  const { runbook } = model;
  const catalog = model.catalog;
  const t = l10n.t;

  if (!runbook.headerRange) {
    const firstLine = { start: { line: 0, character: 0 }, end: { line: 0, character: model.lines[0]?.length ?? 0 } };
    sink.report('missing-runbook', firstLine, t('A runbook file starts with a `runbook <id> "<title>"` line.'));
  }

  for (const name of runbook.healthSets) {
    if (catalog.healthSet(name.text)) continue;
    const known = catalog.misspelling(name.text, 'healthSet');
    if (known) {
      sink.report('misspelt-name', name.range, t('{0} is a misspelling in the documentation: the health set is {1}.', name.text, known.right), {
        fixes: [{ title: t('Change to {0}', known.right), edits: [{ range: name.range, newText: known.right }], preferred: true }],
      });
      continue;
    }
    const s = sink.suggest(name.range, didYouMean(name.text, catalog.healthSets.map((h) => h.name)));
    sink.report('unknown-health-set', name.range, t('{0} is not an Exchange health set.', name.text) + s.suffix, { fixes: s.fixes });
  }

  const seen = new Set<string>();
  const used = usedParameterNames(model);
  for (const param of runbook.params) {
    const lower = param.name.text.toLowerCase();
    if (seen.has(lower)) {
      sink.report('duplicate-parameter', param.name.range, t('The parameter ${0} is declared twice.', param.name.text));
    }
    seen.add(lower);
    if (param.kind && !(PARAM_KINDS as readonly string[]).includes(param.kind.text)) {
      const s = sink.suggest(param.kind.range, didYouMean(param.kind.text, PARAM_KINDS));
      sink.report('unknown-param-kind', param.kind.range, t('{0} is not a parameter kind; the kinds are {1}.', param.kind.text, PARAM_KINDS.join(', ')) + s.suffix, { fixes: s.fixes });
    }
    if (param.kind?.text === 'number' && param.defaultValue && !/^-?\d+$/.test(param.defaultValue.value)) {
      sink.report('invalid-value', param.defaultValue.range, t('The default of a number parameter must be a whole number.'));
    }
    if (!used.has(lower)) {
      sink.report('unused-parameter', param.name.range, t('The parameter ${0} is declared but no step uses it.', param.name.text), { unnecessary: true });
    }
  }

  // Monitors named by procedures: real names, in the runbook's health sets.
  const declaredSets = new Set(runbook.healthSets.map((h) => catalog.healthSet(h.text)?.name.toLowerCase() ?? h.text.toLowerCase()));
  const covered = new Set<string>();
  for (const procedure of runbook.procedures) {
    for (const name of procedure.monitors) {
      const monitor = catalog.monitor(name.text);
      // The documentation's own wrong names first (POPCTPMonitor differs from the real one only in case).
      const documented = catalog.misspelling(name.text, 'monitor');
      if (documented && documented.right !== name.text) {
        sink.report('misspelt-name', name.range, t('{0} is a misspelling in the documentation: the monitor is {1}.', name.text, documented.right), {
          fixes: [{ title: t('Change to {0}', documented.right), edits: [{ range: name.range, newText: documented.right }], preferred: true }],
        });
        covered.add(documented.right.toLowerCase());
        continue;
      }
      // The case of a name copied from a topic that lists only part of a health set is not reliable.
      if (monitor && monitor.name !== name.text && catalog.healthSet(monitor.healthSet)?.catalogue === 'complete') {
        sink.report('misspelt-name', name.range, t('The monitor is spelt {0}.', monitor.name), {
          fixes: [{ title: t('Change to {0}', monitor.name), edits: [{ range: name.range, newText: monitor.name }], preferred: true }],
        });
      }
      if (!monitor) {
        const judged = judgeItem(catalog, name.text, 'monitor', healthSetsNamed(catalog, declaredSets));
        if (judged.verdict === 'misspelt') {
          const right = judged.misspelling.right;
          sink.report('misspelt-name', name.range, t('{0} is a misspelling in the documentation: the monitor is {1}.', name.text, right), {
            fixes: [{ title: t('Change to {0}', right), edits: [{ range: name.range, newText: right }], preferred: true }],
          });
          covered.add(right.toLowerCase());
        } else if (judged.verdict === 'unknown') {
          const s = sink.suggest(name.range, judged.suggestions);
          sink.report('unknown-monitor', name.range, t('{0} is not a monitor.', name.text) + s.suffix, { fixes: s.fixes });
        }
        continue;
      }
      covered.add(monitor.name.toLowerCase());
      if (declaredSets.size > 0 && !declaredSets.has(monitor.healthSet.toLowerCase())) {
        sink.report('monitor-outside-runbook', name.range, t('{0} belongs to the {1} health set, which this runbook does not declare with `healthset`.', monitor.name, monitor.healthSet));
      }
    }
  }

  // Every monitor of the runbook's health sets deserves a recovery procedure.
  const insertAt = { line: runbook.lineCount, character: 0 };
  for (const name of runbook.healthSets) {
    const healthSet = catalog.healthSet(name.text);
    if (!healthSet) continue;
    const missing = catalog.monitorsOf(healthSet.name).filter((m) => !covered.has(m.name.toLowerCase()));
    for (const monitor of missing) {
      const id = 'recover-' + monitor.name.replace(/Monitor$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
      const skeleton = `\nprocedure ${id} "${monitor.name} recovery" for monitor ${monitor.name}\n  step escalate "Escalate"\n    escalate "${t('Describe what to hand over')}"\n`;
      sink.report('missing-recovery-procedure', name.range, t('The monitor {0} of {1} has no recovery procedure (`procedure ... for monitor {0}`).', monitor.name, healthSet.name), {
        fixes: [{ title: t('Add a recovery procedure for {0}', monitor.name), edits: [{ range: { start: insertAt, end: insertAt }, newText: skeleton }] }],
      });
    }
  }
}

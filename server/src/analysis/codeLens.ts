// CodeLens on every step: "Run step" (the client runs it in a PowerShell terminal) and
// "Copy commands"; the arguments carry everything the client needs, reused steps resolved.
import type { CodeLens } from 'vscode-languageserver-types';
import type { Localizer } from '../i18n';
import { COPY_STEP_COMMAND, RUN_STEP_COMMAND, type RunStepArguments } from '../protocol';
import type { RunbookModel } from './model';

export function codeLenses(model: RunbookModel, uri: string, l10n: Localizer): CodeLens[] {
  const t = l10n.t;
  const lenses: CodeLens[] = [];
  for (const node of model.nodes) {
    const { step, procedure } = node;
    const commands = model.runsOf(node).map((r) => r.action.command);
    const used = new Set(model.runsOf(node).flatMap((r) => r.script.variables.map((v) => v.name.toLowerCase())));
    const args: RunStepArguments = {
      uri,
      procedure: procedure.id?.text ?? '',
      step: step.id?.text ?? '',
      title: step.title?.value ?? node.source.step.title?.value ?? '',
      commands,
      parameters: model.runbook.params
        .filter((p) => used.has(p.name.text.toLowerCase()))
        .map((p) => {
          const parameter: RunStepArguments['parameters'][number] = { name: p.name.text, kind: p.kind?.text ?? 'text', description: p.description?.value ?? '' };
          if (p.defaultValue) parameter.defaultValue = p.defaultValue.value;
          return parameter;
        }),
      confirm: step.confirm !== undefined,
    };
    const range = step.headerRange;
    const title = step.confirm ? t('▶ Run step (asks first)') : t('▶ Run step');
    lenses.push({ range, command: { title, command: RUN_STEP_COMMAND, arguments: [args] } });
    if (commands.length > 0) lenses.push({ range, command: { title: t('Copy commands'), command: COPY_STEP_COMMAND, arguments: [args] } });
  }
  return lenses;
}

// CodeLens on every step: "Run step" (the client runs it in a PowerShell terminal) and
// "Copy commands"; the arguments carry everything the client needs, reused steps resolved.
import type { CodeLens } from 'vscode-languageserver-types';
import type { Localizer } from '../i18n';
import { COPY_STEP_COMMAND, RUN_STEP_COMMAND, type RunStepArguments } from '../protocol';
import type { RunbookModel } from './model';
import { stepParameter, stepPlan } from './plan';

export function codeLenses(model: RunbookModel, uri: string, l10n: Localizer): CodeLens[] {
  const t = l10n.t;
  const lenses: CodeLens[] = [];
  for (const node of model.nodes) {
    const { step, procedure } = node;
    const plan = stepPlan(model, node);
    const commands = plan.actions.flatMap((a) => (a.kind === 'run' ? [a.command] : []));
    const used = new Set(plan.parameters.map((p) => p.toLowerCase()));
    const args: RunStepArguments = {
      uri,
      procedure: procedure.id?.text ?? '',
      step: step.id?.text ?? '',
      title: plan.title,
      commands,
      parameters: model.runbook.params.filter((p) => used.has(p.name.text.toLowerCase())).map(stepParameter),
      confirm: step.confirm !== undefined,
      line: plan.line,
      plan,
    };
    const range = step.headerRange;
    const title = step.confirm ? t('▶ Run step (asks first)') : t('▶ Run step');
    lenses.push({ range, command: { title, command: RUN_STEP_COMMAND, arguments: [args] } });
    if (commands.length > 0) lenses.push({ range, command: { title: t('Copy commands'), command: COPY_STEP_COMMAND, arguments: [args] } });
  }
  return lenses;
}

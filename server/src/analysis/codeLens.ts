// CodeLens on every step, fitting what the step does: "Run step" and "Copy commands" for steps with
// commands (and waits), "Answer: yes/no" for an `ask`, "Mark done" for a `manual` check, "Copy
// escalation text" for an `escalate`. The arguments carry everything the client needs.
import type { CodeLens } from 'vscode-languageserver-types';
import type { Localizer } from '../i18n';
import { ANSWER_COMMAND, COPY_ESCALATION_COMMAND, COPY_STEP_COMMAND, MARK_DONE_COMMAND, RUN_STEP_COMMAND, type RunStepArguments } from '../protocol';
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
    const has = (kind: string): boolean => plan.actions.some((a) => a.kind === kind);
    if (commands.length > 0 || (has('wait') && !has('ask') && !has('manual'))) {
      const title = step.confirm ? t('▶ Run step (asks first)') : t('▶ Run step');
      lenses.push({ range, command: { title, command: RUN_STEP_COMMAND, arguments: [args] } });
      if (commands.length > 0) lenses.push({ range, command: { title: t('Copy commands'), command: COPY_STEP_COMMAND, arguments: [args] } });
    } else if (has('ask')) {
      lenses.push({ range, command: { title: t('Answer: yes'), command: ANSWER_COMMAND, arguments: [args, 'yes'] } });
      lenses.push({ range, command: { title: t('Answer: no'), command: ANSWER_COMMAND, arguments: [args, 'no'] } });
    } else if (has('manual')) {
      lenses.push({ range, command: { title: t('✓ Mark done'), command: MARK_DONE_COMMAND, arguments: [args] } });
    } else if (has('escalate')) {
      lenses.push({ range, command: { title: t('Copy escalation text'), command: COPY_ESCALATION_COMMAND, arguments: [args] } });
    }
  }
  return lenses;
}

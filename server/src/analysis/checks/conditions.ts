// Checks of `when` conditions: the property exists on what the step's command writes, the values
// are values it can take, `answer` follows an `ask`, roles are mailbox or cas.
import { type AnswerCondition, type Procedure, type PropertyCondition, ROLES, type RoleCondition } from '../../language/syntax';
import type { DiagnosticSink } from '../diagnostics';
import type { StepNode } from '../model';
import { didYouMean } from '../text';
import { objectHasValue } from '../../runtime/conditions';

/** The `when` conditions of one procedure's steps. */
export function checkConditions(sink: DiagnosticSink, procedure: Procedure): void {
  for (const step of procedure.steps) {
    const node = sink.model.node(step);
    for (const branch of step.branches) {
      const condition = branch.condition;
      if (!condition) continue;
      if (condition.kind === 'property') checkPropertyCondition(sink, node, condition);
      else if (condition.kind === 'answer') checkAnswer(sink, node, condition);
      else checkRole(sink, condition);
    }
  }
}

function checkPropertyCondition(sink: DiagnosticSink, node: StepNode, condition: PropertyCondition): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const shape = model.outputOf(node);
  if (!shape) {
    // Unknown commands may write anything; say something only when we know they write nothing.
    const writer = model.writingCommand(node);
    const cmdlet = writer ? model.catalog.cmdlet(writer.name) : undefined;
    if (!writer || (cmdlet && !cmdlet.output)) {
      sink.report('condition-without-output', condition.property.range, t('The step runs no command whose output has {0}: a condition tests what the step\'s last `run` writes.', condition.property.text));
    }
    return;
  }
  const found = model.conditionProperty(shape, condition.property.text);
  if (!found) {
    const range = condition.property.range;
    const known = model.catalog.misspelling(condition.property.text, 'property', shape.type.name);
    if (known) {
      sink.report('unknown-property', range, t('{0} writes no property {1}: the documentation means {2}.', shape.cmdlet, condition.property.text, known.right), {
        fixes: [{ title: t('Change to {0}', known.right), edits: [{ range, newText: known.right }], preferred: true }],
      });
      return;
    }
    const s = sink.suggest(range, didYouMean(condition.property.text, shape.type.properties.map((p) => p.name)));
    sink.report('unknown-property', range, t('{0} writes no property {1}.', shape.cmdlet, condition.property.text) + s.suffix, { fixes: s.fixes });
    return;
  }
  if (found.property.name !== condition.property.text) {
    const range = condition.property.range;
    sink.report('unknown-property', range, t('The property is spelt {0}.', found.property.name), {
      fixes: [{ title: t('Change to {0}', found.property.name), edits: [{ range, newText: found.property.name }], preferred: true }],
    });
  }
  const set = model.catalog.valueSet(found.values);
  if (!set) return;
  const names = set.values.map((v) => v.name);
  for (const value of condition.values) {
    // Could an object with one of the property's values meet the condition? Asked of the runtime, so
    // the analysis and the runner agree on how values compare.
    const exact = names.find((n) => objectHasValue({ [found.property.name]: n }, found.property.name, [value.text]));
    if (exact) continue;
    const s = sink.suggest(value.range, didYouMean(value.text, names));
    sink.report('unknown-value', value.range, t('{0} is not a value of {1}; it is one of {2}.', value.text, found.property.name, names.join(', ')) + s.suffix, { fixes: s.fixes });
  }
}

function checkAnswer(sink: DiagnosticSink, node: StepNode, condition: AnswerCondition): void {
  const t = sink.l10n.t;
  if (!node.source.step.actions.some((a) => a.kind === 'ask')) {
    sink.report('answer-without-ask', condition.keyword.range, t('`when answer` needs an `ask` in the step.'));
  }
  if (condition.value && condition.value.text !== 'yes' && condition.value.text !== 'no') {
    sink.report('answer-without-ask', condition.value.range, t('An answer is yes or no.'));
  }
}

function checkRole(sink: DiagnosticSink, condition: RoleCondition): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const param = model.param(condition.param.text);
  if (!param) {
    sink.report('undeclared-parameter', condition.param.range, t('${0} is not a declared parameter: declare it with `param ${0}: <kind> "<description>"`.', condition.param.text));
  } else if (param.kind && !['server', 'cas', 'mailbox'].includes(param.kind.text)) {
    sink.report('invalid-role-condition', condition.param.range, t('${0} is a {1} parameter; a role condition tests a server parameter.', param.name.text, param.kind.text));
  }
  if (condition.role && !(ROLES as readonly string[]).includes(condition.role.text)) {
    const s = sink.suggest(condition.role.range, didYouMean(condition.role.text, ROLES));
    sink.report('invalid-role-condition', condition.role.range, t('A server role here is mailbox or cas.') + s.suffix, { fixes: s.fixes });
  }
}

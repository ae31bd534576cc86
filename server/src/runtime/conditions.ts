// Evaluates a step's `when` conditions against what the step produced (output objects, the admin's
// answer, a server's role) with the semantics of docs/language.md: the one place that decides a branch.
import type { ConditionPlan } from '../protocol';

export type ServerRole = 'mailbox' | 'cas';

/** What is known after a step ran. Anything absent makes the conditions that need it undecidable. */
export interface StepFacts {
  /** The objects the step's last command wrote, each a record of (at least) the tested properties. */
  objects?: readonly Record<string, unknown>[];
  /** The answer to the step's `ask`. */
  answer?: 'yes' | 'no';
  /**
   * The role of the server in each server parameter, by parameter name (any case). A server with
   * both roles (Exchange 2016 and later) is given both.
   */
  roles?: Readonly<Record<string, ServerRole | readonly ServerRole[] | undefined>>;
}

/**
 * Enum values as numbers, for output serialised without `-EnumsAsStrings` (pwsh's ConvertTo-Json
 * writes an enum as its number). By the property names the runbooks test.
 */
const NUMERIC_ENUMS: Record<string, readonly string[]> = {
  // Microsoft.Office.Datacenter.ActiveMonitoring.ResultType (CSS-Exchange's troubleshooter): 1 Timeout ... 6 Rejected.
  resulttype: ['', 'Timeout', 'Poisoned', 'Succeeded', 'Failed', 'Quarantined', 'Rejected'],
  // System.ServiceProcess.ServiceControllerStatus, Get-Service's Status. Keyed by property name, so a
  // numeric Status of another type would be misread: the runner's capture writes values as text ("$v").
  status: ['', 'Stopped', 'StartPending', 'StopPending', 'Running', 'ContinuePending', 'PausePending', 'Paused'],
};

/** The value of a property, its name matched case-insensitively as PowerShell does. */
export function propertyValue(object: Record<string, unknown>, property: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, property)) return object[property];
  const wanted = property.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === wanted) return object[key];
  return undefined;
}

/** The texts a value can be read as: a string, a number's enum name and digits, `True`/`False`. */
function readings(value: unknown, property: string): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const name = NUMERIC_ENUMS[property.toLowerCase()]?.[Number(value)];
    return name ? [String(value), name] : [String(value)];
  }
  if (typeof value === 'boolean') return [value ? 'True' : 'False'];
  if (typeof value === 'string') return [value];
  // A serialised enum can also arrive as { value: 3, ... } or { Value: ..., String: ... }: take what it says of itself.
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    return [...readings(propertyValue(record, 'String'), property), ...readings(propertyValue(record, 'value'), property)];
  }
  return [String(value)];
}

/** PowerShell's `-eq` on strings: case-insensitive, without regard to the user's locale. */
function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether one object's property has one of the values (an array property: when one element does). */
export function objectHasValue(object: Record<string, unknown>, property: string, values: readonly string[]): boolean {
  const raw = propertyValue(object, property);
  const elements = Array.isArray(raw) ? raw : [raw];
  return elements.some((element) => readings(element, property).some((text) => values.some((v) => equalsIgnoreCase(text.trim(), v))));
}

/** `true`/`false`, or `undefined` when the facts the condition needs are not known. */
export function evaluateCondition(condition: ConditionPlan, facts: StepFacts): boolean | undefined {
  switch (condition.kind) {
    case 'answer':
      return facts.answer === undefined ? undefined : facts.answer === condition.value;
    case 'role': {
      const roles = facts.roles ?? {};
      const key = Object.keys(roles).find((k) => k.replace(/^\$/, '').toLowerCase() === condition.parameter.replace(/^\$/, '').toLowerCase());
      const role = key === undefined ? undefined : roles[key];
      if (role === undefined) return undefined;
      return typeof role === 'string' ? role === condition.role : role.includes(condition.role);
    }
    case 'property': {
      if (!facts.objects) return undefined;
      const matches = (object: Record<string, unknown>): boolean =>
        objectHasValue(object, condition.property, condition.values) !== condition.negated;
      switch (condition.quantifier) {
        case 'any':
          return facts.objects.some(matches);
        case 'all':
          // An empty result proves nothing: "all AlertValue is Healthy" on no monitor must not resolve a run.
          return facts.objects.length > 0 && facts.objects.every(matches);
        case 'no':
          return !facts.objects.some(matches);
      }
    }
  }
}

/** What a condition needs to be decided, so a runner knows what to collect before deciding. */
export function conditionNeeds(condition: ConditionPlan): 'objects' | 'answer' | 'role' {
  return condition.kind === 'property' ? 'objects' : condition.kind;
}

/** A condition as the runbook writes it (`all AlertValue is not Healthy`, `answer is yes`), for paths and journals. */
export function describeCondition(condition: ConditionPlan | undefined): string {
  if (!condition) return 'otherwise';
  switch (condition.kind) {
    case 'answer':
      return `answer is ${condition.value}`;
    case 'role':
      return `$${condition.parameter} is ${condition.role}`;
    case 'property':
      return `${condition.quantifier === 'any' ? '' : `${condition.quantifier} `}${condition.property} is ${condition.negated ? 'not ' : ''}${condition.values.join(', ')}`;
  }
}

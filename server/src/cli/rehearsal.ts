// The rehearsal walk: follows a runbook plan through the runtime engine, running each step through
// a host (the CLI's pwsh + simulator), answering asks as told and stopping on loops. No process here.
import type { RunbookPlan, StepParameter, StepPlan } from '../protocol';
import { describeCondition, type ServerRole, type StepFacts } from '../runtime/conditions';
import { decide, LoopGuard, type Next, startOf } from '../runtime/engine';
import { findStep, type StepPosition, stepName } from '../runtime/plan';

/** What runs the steps: commands in PowerShell (values bound as data), the simulator's clock, roles. */
export interface RehearsalHost {
  run(command: string, bindings: Readonly<Record<string, string>>, capture?: { pipeline: string; display?: string; properties: string[] }): Promise<CommandResult>;
  advanceClock(seconds: number): Promise<void>;
  rolesOf(server: string): Promise<ServerRole[]>;
}

export interface CommandResult {
  /** False when the command stopped with a terminating error. */
  ok: boolean;
  /** What the admin would see (the display pipeline's text), trimmed. */
  text: string;
  /** The captured objects' tested properties, when the step captures. */
  objects?: Record<string, unknown>[];
  errors: string[];
}

export interface RehearsalOptions {
  /** Parameter values by name (any case). */
  bindings: Record<string, string>;
  /** `ask` answers by `proc.step` or step id. */
  answers: Record<string, 'yes' | 'no'>;
  procedure?: string;
  /**
   * Opens the runbook a branch hands the run over to (`-> pop-protocol:recover-deep`), with values
   * for its parameters; undefined when it cannot be found. Parameters of the same name keep the
   * values they had.
   */
  open?: (target: { runbook: string; uri: string }) => Promise<{ plan: RunbookPlan; bindings: Record<string, string> } | undefined>;
}

export interface RehearsedStep {
  step: string;
  title: string;
  actions: string[];
  output?: string;
  errors: string[];
  /** The branch taken, as written (`ResultType is Succeeded`, `otherwise`), or absent for falling through. */
  branch?: string;
  /** Where the run went: `proc.step`, `resolved`, `escalate`, `ended`. */
  next: string;
  /** Whether the step has branches of its own (so falling through means none held). */
  branched: boolean;
}

export type RehearsalOutcome =
  | { kind: 'resolved' | 'escalate'; reason?: string }
  | { kind: 'ended' }
  /** A hand-over to a runbook the rehearsal could not open: where the run goes on. */
  | { kind: 'handover'; runbook: string; uri: string; procedure: string; step: string }
  | { kind: 'loop'; steps: { step: string; visits: number }[] }
  | { kind: 'missing-parameter'; parameter: string; step: string }
  | { kind: 'unanswered'; step: string; question: string }
  | { kind: 'failed'; step: string; error: string }
  | { kind: 'undecided'; step: string }
  | { kind: 'no-start'; procedure?: string };

export interface Rehearsal {
  path: RehearsedStep[];
  outcome: RehearsalOutcome;
}

function lookup<T>(map: Record<string, T>, key: string): T | undefined {
  const found = Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : map[found];
}

/** `600` -> `10 minutes`, as a runbook writes a wait. */
function duration(seconds: number): string {
  const [amount, unit] = seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

function nextName(next: Next): string {
  if (next.kind === 'handover') return `${next.runbook}:${next.procedure}${next.step ? `.${next.step}` : ''}`;
  return next.kind === 'step' ? `${next.procedure}.${next.step}` : next.kind;
}

/** Runs a plan from its first procedure (or `options.procedure`) until it ends, loops or cannot go on. */
export async function rehearse(plan: RunbookPlan, host: RehearsalHost, options: RehearsalOptions): Promise<Rehearsal> {
  const path: RehearsedStep[] = [];
  const first = plan;
  let values = options.bindings;
  let position: StepPosition | undefined = startOf(plan, options.procedure);
  if (!position) return { path, outcome: options.procedure === undefined ? { kind: 'no-start' } : { kind: 'no-start', procedure: options.procedure } };
  const guard = new LoopGuard();
  for (;;) {
    // After a hand-over, steps are named with their runbook (`pop-protocol:recover-deep.restart`).
    const qualifier = plan === first ? '' : `${plan.runbook}:`;
    if (!guard.visit({ procedure: qualifier + position.procedure, step: position.step })) return { path, outcome: { kind: 'loop', steps: guard.repeated() } };
    const step: StepPlan = findStep(plan, position)!;
    const name = qualifier + stepName(position);
    const bindings: Record<string, string> = {};
    for (const parameter of step.parameters) {
      const value = lookup(values, parameter);
      if (value === undefined) return { path, outcome: { kind: 'missing-parameter', parameter, step: name } };
      bindings[parameter] = value;
    }
    const record: RehearsedStep = { step: name, title: step.title, actions: [], errors: [], next: '', branched: step.branches.length > 0 };
    path.push(record);
    const facts: StepFacts = {};
    for (const action of step.actions) {
      if (action.kind === 'run') {
        record.actions.push(`run ${action.command}`);
        const capture = action.capture ? { ...action.capture, properties: action.properties } : undefined;
        const result = await host.run(action.command, bindings, capture);
        if (result.text) record.output = record.output ? `${record.output}\n${result.text}` : result.text;
        record.errors.push(...result.errors);
        if (!result.ok) return { path, outcome: { kind: 'failed', step: name, error: result.errors.join('\n') } };
        if (result.objects) facts.objects = result.objects;
      } else if (action.kind === 'wait') {
        record.actions.push(`wait ${duration(action.seconds)} (simulated clock)`);
        await host.advanceClock(action.seconds);
      } else if (action.kind === 'ask') {
        const answer = lookup(options.answers, name) ?? lookup(options.answers, stepName(position)) ?? lookup(options.answers, step.id);
        record.actions.push(`ask "${action.question}" -> ${answer ?? '?'}`);
        if (answer === undefined) return { path, outcome: { kind: 'unanswered', step: name, question: action.question } };
        facts.answer = answer;
      } else if (action.kind === 'manual') {
        record.actions.push(`manual "${action.text}" (done)`);
      } else {
        record.actions.push(`escalate "${action.text}"`);
      }
    }
    const roles: Record<string, ServerRole[]> = {};
    for (const branch of step.branches) {
      if (branch.condition?.kind !== 'role') continue;
      const server = bindings[step.parameters.find((p) => p.toLowerCase() === (branch.condition as { parameter: string }).parameter.toLowerCase()) ?? ''];
      if (server !== undefined) roles[branch.condition.parameter] = await host.rolesOf(server);
    }
    facts.roles = roles;
    const decision = decide(plan, position, facts);
    if (decision.kind === 'undecided') return { path, outcome: { kind: 'undecided', step: name } };
    if (decision.branch) record.branch = describeCondition(step.branches[decision.branch.index]!.condition);
    record.next = nextName(decision.next);
    const next = decision.next;
    if (next.kind === 'step') {
      position = { procedure: next.procedure, step: next.step };
      continue;
    }
    if (next.kind === 'handover') {
      const opened = options.open && next.uri ? await options.open(next) : undefined;
      if (!opened || !findStep(opened.plan, next)) return { path, outcome: next };
      // The run goes on in the other runbook: a parameter of the same name keeps its value.
      const carried: Record<string, string> = { ...opened.bindings };
      for (const parameter of opened.plan.parameters) {
        const value = lookup(values, parameter.name);
        if (value !== undefined) carried[parameter.name] = value;
      }
      values = carried;
      plan = opened.plan;
      position = { procedure: next.procedure, step: next.step };
      continue;
    }
    return { path, outcome: next };
  }
}

/**
 * Values for the parameters from what the scenario knows: the first server-like parameter is the
 * server the alert is raised on (or `--server`), other `mailbox` parameters the Mailbox server
 * behind it; defaults declared in the runbook next; `--param` always wins.
 */
export function bindParameters(
  parameters: StepParameter[],
  given: Record<string, string>,
  scenario: { server?: string; mailboxServer?: string },
): Record<string, string> {
  const bindings: Record<string, string> = {};
  let serverBound = false;
  for (const parameter of parameters) {
    const explicit = lookup(given, parameter.name);
    const serverLike = parameter.kind === 'server' || parameter.kind === 'cas' || parameter.kind === 'mailbox';
    let value = explicit;
    if (value === undefined && serverLike && !serverBound && scenario.server) value = scenario.server;
    else if (value === undefined && parameter.kind === 'mailbox' && scenario.mailboxServer) value = scenario.mailboxServer;
    if (value === undefined) value = parameter.defaultValue;
    if (serverLike && !serverBound) serverBound = true;
    if (value !== undefined) bindings[parameter.name] = value;
  }
  return bindings;
}

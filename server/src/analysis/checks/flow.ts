// Checks along every path of the runbook: unreachable steps, loops with no way out, changes that
// are not undone before the run ends, a Mailbox server restarted before its databases moved off.
import type { Range } from '../../language/syntax';
import type { PsRange } from '../../powershell/parser';
import { bindCommand, targetServer } from '../binding';
import type { DiagnosticSink } from '../diagnostics';
import { type FlowEdge, FlowGraph } from '../flow';
import type { RunbookModel, StepNode } from '../model';

type Role = 'mailbox' | 'cas';

/** A change that must be undone, and where it was made. */
interface Pending {
  rule: string;
  target: string;
  description: string;
  range: Range;
}

/**
 * Facts along a path. `failedOver`, `checked` and `roles` must hold on every path to a step (they
 * are intersected where paths join); `pending` changes may be left on some path (united).
 */
interface FlowState {
  failedOver: Set<string>;
  checked: Set<string>;
  roles: Map<string, Role>;
  pending: Map<string, Pending>;
}

const ACTIVE_COPY_STATES = ['mounted', 'mounting', 'dismounted', 'dismounting'];

const emptyState = (): FlowState => ({ failedOver: new Set(), checked: new Set(), roles: new Map(), pending: new Map() });
const copyState = (s: FlowState): FlowState => ({ failedOver: new Set(s.failedOver), checked: new Set(s.checked), roles: new Map(s.roles), pending: new Map(s.pending) });

/** Joins `incoming` into `into`; true when `into` changed. */
function join(into: FlowState, incoming: FlowState): boolean {
  let changed = false;
  for (const set of ['failedOver', 'checked'] as const) {
    for (const item of into[set]) {
      if (!incoming[set].has(item)) {
        into[set].delete(item);
        changed = true;
      }
    }
  }
  for (const [server, role] of into.roles) {
    if (incoming.roles.get(server) !== role) {
      into.roles.delete(server);
      changed = true;
    }
  }
  for (const [key, pending] of incoming.pending) {
    if (!into.pending.has(key)) {
      into.pending.set(key, pending);
      changed = true;
    }
  }
  return changed;
}

const STATE_LIMIT = 16;

function stateKey(s: FlowState): string {
  return JSON.stringify([[...s.failedOver].sort(), [...s.checked].sort(), [...s.roles].sort(), [...s.pending.keys()].sort()]);
}

/** The distinct states that reach one step; joined into one when there are too many. */
class PathStates {
  private readonly states = new Map<string, FlowState>();
  private joined: FlowState | undefined;

  /** Adds a state; returns the state to propagate when it is new (or widened the join). */
  add(state: FlowState): FlowState | undefined {
    if (this.joined) return join(this.joined, state) ? this.joined : undefined;
    const key = stateKey(state);
    if (this.states.has(key)) return undefined;
    if (this.states.size < STATE_LIMIT) {
      this.states.set(key, state);
      return state;
    }
    this.joined = copyState(state);
    for (const other of this.states.values()) join(this.joined, other);
    this.states.clear();
    return this.joined;
  }

  all(): FlowState[] {
    return this.joined ? [this.joined] : [...this.states.values()];
  }
}

interface StepEffect {
  kind: 'do' | 'undo' | 'restart';
  rule?: string;
  target: string;
  description?: string;
  range: Range;
}

export function checkFlow(sink: DiagnosticSink): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  const graph = new FlowGraph(model);
  if (graph.entries.length === 0) return;

  const reachable = graph.reachable();
  for (const node of model.nodes) {
    if (!reachable.has(node)) {
      sink.report('unreachable-step', node.step.id?.range ?? node.step.headerRange, t('No path reaches the step {0}: nothing branches to it and its procedure is not a recovery procedure (`for monitor`).', node.step.id?.text ?? '?'), { unnecessary: true });
    }
  }

  for (const loop of graph.loops()) {
    const members = new Set(loop);
    const exits = loop.some((node) => (graph.edges.get(node) ?? []).some((edge) => !edge.to || !members.has(edge.to)));
    if (exits) continue;
    const first = loop.reduce((a, b) => (a.procedure.index * 1e6 + a.step.index <= b.procedure.index * 1e6 + b.step.index ? a : b));
    const names = loop.map((n) => `${n.procedure.id?.text ?? ''}.${n.step.id?.text ?? '?'}`).join(', ');
    sink.report('endless-loop', first.step.id?.range ?? first.step.headerRange, t('These steps loop with no way out: {0}. Add a branch that leaves the loop (resolved, escalate or another step).', names));
  }

  const effects = new Map<StepNode, StepEffect[]>();
  for (const node of model.nodes) effects.set(node, stepEffects(model, node));

  // Forward data flow to a fixed point over the (possibly cyclic) graph. Paths are kept apart
  // (a few distinct states per step) so that what a branch learnt, such as the server's role,
  // still rules out the branches it contradicts further on; past STATE_LIMIT they are joined.
  const states = new Map<StepNode, PathStates>();
  const queue: { node: StepNode; state: FlowState }[] = [];
  const arrive = (node: StepNode, state: FlowState): void => {
    let known = states.get(node);
    if (!known) states.set(node, (known = new PathStates()));
    const added = known.add(state);
    if (added) queue.push({ node, state: added });
  };
  for (const entry of graph.entries) arrive(entry, emptyState());
  const outgoing = (node: StepNode, state: FlowState): { edge: FlowEdge; state: FlowState }[] => {
    const after = apply(state, effects.get(node)!);
    return (graph.edges.get(node) ?? []).flatMap((edge) => {
      const next = edgeFacts(model, node, edge, after);
      return next ? [{ edge, state: next }] : [];
    });
  };
  while (queue.length > 0) {
    const { node, state } = queue.shift()!;
    for (const { edge, state: next } of outgoing(node, state)) if (edge.to) arrive(edge.to, next);
  }

  const reported = new Set<string>();
  for (const [node, known] of states) {
    for (const state of known.all()) checkRestarts(sink, node, state, effects.get(node)!);
    for (const { edge, state: after } of known.all().flatMap((state) => outgoing(node, state))) {
      if (edge.to) continue;
      for (const [key, pending] of after.pending) {
        if (reported.has(key)) continue;
        reported.add(key);
        const where = describeEnd(sink, edge);
        sink.report('not-undone', pending.range, t('{0} is not undone on every path: the run can end {1} with it still in place.', pending.description, where), {
          related: [{ range: edge.range, message: t('The run ends here without undoing it.') }],
        });
      }
    }
  }
}

function describeEnd(sink: DiagnosticSink, edge: FlowEdge): string {
  const t = sink.l10n.t;
  const step = edge.from.step.id?.text ?? '?';
  switch (edge.end) {
    case 'resolved':
      return t('as resolved after step {0}', step);
    case 'escalate':
      return t('in an escalation at step {0}', step);
    default:
      return t('after step {0}', step);
  }
}

/** What running a step changes: settings switched on or back, servers restarted. */
function stepEffects(model: RunbookModel, node: StepNode): StepEffect[] {
  const effects: StepEffect[] = [];
  const inStep = node.source.step === node.step;
  for (const run of model.runsOf(node)) {
    const { commands } = run.script;
    const where = (range: PsRange): Range => (inStep ? run.toRange(range) : node.step.reuse!.range);
    for (const command of commands) {
      const binding = bindCommand(model.catalog, command);
      if (!binding) continue;
      // A command inside `Invoke-Command -ComputerName X { ... }` acts on X.
      const host = command.parent !== undefined ? bindCommand(model.catalog, commands[command.parent]!) : undefined;
      const written = targetServer(binding) ?? (host ? targetServer(host) : undefined) ?? '';
      // Server names and PowerShell variables are case-insensitive; messages show them as written.
      const target = written.toLowerCase();
      for (const rule of binding.cmdlet.undo ?? []) {
        const bound = binding.bound.get(rule.parameter.toLowerCase());
        const value = bound?.argument?.value.toLowerCase();
        if (!bound || !value) continue;
        const description = `${binding.cmdlet.name} -${rule.parameter} ${rule.doValue}${written ? ` (${written})` : ''}`;
        if (value === rule.doValue.toLowerCase()) effects.push({ kind: 'do', rule: rule.id, target, description, range: where(bound.nameRange) });
        else if (value === rule.undoValue.toLowerCase()) effects.push({ kind: 'undo', rule: rule.id, target, range: where(bound.nameRange) });
      }
      if (binding.cmdlet.name.toLowerCase() === 'restart-computer' && target) {
        effects.push({ kind: 'restart', target, description: written, range: where(command.nameRange) });
      }
    }
  }
  return effects;
}

function apply(state: FlowState, effects: StepEffect[]): FlowState {
  const next = copyState(state);
  for (const effect of effects) {
    if (effect.kind === 'restart') continue;
    if (effect.kind === 'do') {
      const origin = `${effect.range.start.line}:${effect.range.start.character}`;
      next.pending.set(`${effect.rule}|${effect.target}|${origin}`, { rule: effect.rule!, target: effect.target, description: effect.description!, range: effect.range });
      if (effect.rule === 'failover') {
        next.failedOver.add(effect.target);
        // A check made before this failover says nothing about the copies now.
        next.checked.delete(effect.target);
      }
    } else {
      for (const [key, pending] of next.pending) if (pending.rule === effect.rule && pending.target === effect.target) next.pending.delete(key);
      if (effect.rule === 'failover') next.failedOver.delete(effect.target);
    }
  }
  return next;
}

/**
 * What taking an edge tells us: the server's role, or that it holds no active copy. Undefined
 * when the edge contradicts the path (a `when $S is cas` branch after $S was found a Mailbox).
 */
function edgeFacts(model: RunbookModel, node: StepNode, edge: FlowEdge, state: FlowState): FlowState | undefined {
  const conditions = node.step.branches.filter((b) => b.kind === 'when' && b.condition).map((b) => b.condition!);
  const result = copyState(state);
  const taken = edge.branch?.kind === 'when' ? edge.branch.condition : undefined;

  // Roles: `when $S is mailbox` on the branch, or the other role when every condition tested it.
  const learn = (server: string, role: Role): boolean => {
    const known = result.roles.get(server);
    result.roles.set(server, role);
    return !known || known === role;
  };
  if (taken?.kind === 'role' && taken.role) {
    if (!learn('$' + taken.param.text.toLowerCase(), taken.role.text as Role)) return undefined;
  } else if (!taken && conditions.length > 0 && conditions.every((c) => c.kind === 'role')) {
    const tested = conditions as Extract<(typeof conditions)[number], { kind: 'role' }>[];
    const param = tested[0]!.param.text.toLowerCase();
    const roles = new Set(tested.map((c) => c.role?.text));
    if (tested.every((c) => c.param.text.toLowerCase() === param) && roles.size === 1) {
      const role = [...roles][0];
      if (!learn('$' + param, role === 'mailbox' ? 'cas' : 'mailbox')) return undefined;
    }
  }

  // No active copies: `when no Status is Mounted, ...` taken, or every "has an active copy" branch not taken.
  const copyServers = copyStatusServers(model, node);
  if (copyServers.length > 0) {
    const activeStates = (c: (typeof conditions)[number]): boolean =>
      c.kind === 'property' && ['status', 'name'].includes(c.property.text.toLowerCase()) && !c.negated && c.values.some((v) => ACTIVE_COPY_STATES.includes(v.text.toLowerCase()));
    const noneActive =
      (taken && activeStates(taken) && taken.kind === 'property' && taken.quantifier?.text === 'no') ||
      (!taken && conditions.some((c) => activeStates(c) && c.kind === 'property' && (c.quantifier?.text ?? 'any') === 'any'));
    if (noneActive) for (const server of copyServers) result.checked.add(server);
  }
  return result;
}

/** Servers whose copies the step lists with Get-MailboxDatabaseCopyStatus -Server X. */
function copyStatusServers(model: RunbookModel, node: StepNode): string[] {
  const servers: string[] = [];
  for (const run of model.runsOf(node)) {
    for (const command of run.script.commands) {
      const binding = bindCommand(model.catalog, command);
      if (binding?.cmdlet.name.toLowerCase() !== 'get-mailboxdatabasecopystatus') continue;
      const server = binding.bound.get('server')?.argument?.value.toLowerCase();
      if (server) servers.push(server);
    }
  }
  return servers;
}

function checkRestarts(sink: DiagnosticSink, node: StepNode, state: FlowState, effects: StepEffect[]): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  for (const effect of effects) {
    if (effect.kind !== 'restart') continue;
    if (roleOf(model, node, state, effect.target) !== 'mailbox') continue;
    if (state.failedOver.has(effect.target) && state.checked.has(effect.target)) continue;
    const missing = !state.failedOver.has(effect.target)
      ? t('its databases were not moved off first (Set-MailboxServer -DatabaseCopyActivationDisabledAndMoveNow $true)')
      : t('no step checked that it holds no active copy (Get-MailboxDatabaseCopyStatus with `when no Status is Mounted, ...`)');
    sink.report('restart-before-failover', effect.range, t('The Mailbox server {0} is restarted, but on some path {1}.', effect.description ?? effect.target, missing));
  }
}

function roleOf(model: RunbookModel, node: StepNode, state: FlowState, target: string): Role | undefined {
  const known = state.roles.get(target);
  if (known) return known;
  const param = target.startsWith('$') ? model.param(target.slice(1)) : undefined;
  const kind = param?.kind?.text;
  if (kind === 'mailbox' || kind === 'cas') return kind;
  if (kind && kind !== 'server') return undefined;
  // A server parameter in a procedure whose monitors are all raised on Mailbox servers.
  const monitors = node.procedure.monitors.map((m) => model.catalog.resolveMonitor(m.text));
  if (monitors.length > 0 && monitors.every((m) => m?.alertRole === 'Mailbox')) return 'mailbox';
  return undefined;
}

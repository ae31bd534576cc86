// Checks along every path of the runbook: unreachable steps, loops with no way out, changes that
// are not undone before the run ends, a Mailbox server restarted before its databases moved off.
import { createHash } from 'node:crypto';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { Procedure, Range } from '../../language/syntax';
import type { PsRange } from '../../powershell/parser';
import { targetServer } from '../binding';
import type { DiagnosticSink } from '../diagnostics';
import { type FlowEdge, FlowGraph } from '../flow';
import type { RunbookModel, RunScript, StepNode } from '../model';

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
 * States are never changed once made: a step or edge that changes nothing passes its state on as
 * it is, so the common case (most steps change nothing the analysis follows) allocates nothing.
 */
interface FlowState {
  readonly failedOver: ReadonlySet<string>;
  readonly checked: ReadonlySet<string>;
  readonly roles: ReadonlyMap<string, Role>;
  readonly pending: ReadonlyMap<string, Pending>;
}

const ACTIVE_COPY_STATES = ['mounted', 'mounting', 'dismounted', 'dismounting'];

const EMPTY_STATE: FlowState = { failedOver: new Set(), checked: new Set(), roles: new Map(), pending: new Map() };

/** Where paths meet: the must-facts both have, the pending changes of either. */
function join(a: FlowState, b: FlowState): FlowState {
  return {
    failedOver: new Set([...a.failedOver].filter((x) => b.failedOver.has(x))),
    checked: new Set([...a.checked].filter((x) => b.checked.has(x))),
    roles: new Map([...a.roles].filter(([server, role]) => b.roles.get(server) === role)),
    pending: new Map([...a.pending, ...b.pending]),
  };
}

const keys = new WeakMap<FlowState, string>();
function stateKey(s: FlowState): string {
  let key = keys.get(s);
  if (key === undefined) {
    key = JSON.stringify([[...s.failedOver].sort(), [...s.checked].sort(), [...s.roles].sort(), [...s.pending.keys()].sort()]);
    keys.set(s, key);
  }
  return key;
}

const STATE_LIMIT = 16;

/** The distinct states that reach one step; joined into one when there are too many. */
class PathStates {
  private readonly states = new Map<string, FlowState>();
  private joined: FlowState | undefined;

  /** Adds a state; returns the state to propagate when it is new (or widened the join). */
  add(state: FlowState): FlowState | undefined {
    if (this.joined) {
      const widened = join(this.joined, state);
      if (stateKey(widened) === stateKey(this.joined)) return undefined;
      this.joined = widened;
      return widened;
    }
    const key = stateKey(state);
    if (this.states.has(key)) return undefined;
    if (this.states.size < STATE_LIMIT) {
      this.states.set(key, state);
      return state;
    }
    this.joined = [...this.states.values()].reduce(join, state);
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

/** What taking an edge teaches, independent of the path: a server's role, servers with no active copy. */
interface EdgeFacts {
  role?: { server: string; role: Role };
  checked: string[];
}

/**
 * Flow results by what the flow reads (see flowDigest): typing in a title, a comment or a command
 * that changes nothing the flow follows reuses the last result instead of following every path
 * of the runbook again.
 */
const flowResults = new Map<string, Diagnostic[]>();
const FLOW_RESULTS_LIMIT = 32;

export function clearFlowCache(): void {
  flowResults.clear();
}

export function checkFlow(sink: DiagnosticSink): void {
  const { model, l10n } = sink;
  const key = `${sink.uri}|${l10n.locale}|${model.parametersKey}|${model.runbook.procedures.map((p) => flowDigest(model, p)).join('')}`;
  const cached = flowResults.get(key);
  if (cached) {
    sink.diagnostics.push(...cached);
    return;
  }
  const before = sink.diagnostics.length;
  followPaths(sink);
  if (flowResults.size >= FLOW_RESULTS_LIMIT) flowResults.delete(flowResults.keys().next().value as string);
  flowResults.set(key, sink.diagnostics.slice(before));
}

const digests = new WeakMap<Procedure, string>();

/**
 * Everything of a procedure the flow checks read, hashed: ids and the lines they are on, monitors,
 * reuse, escalations, branches, and what its commands change (undoable changes, restarts, copy
 * status checks) with their ranges. Cached on the procedure, which the parser reuses while its
 * block is unchanged.
 */
function flowDigest(model: RunbookModel, procedure: Procedure): string {
  let digest = digests.get(procedure);
  if (digest !== undefined) return digest;
  const parts: unknown[] = [procedure.id?.text, procedure.monitors.map((m) => m.text), procedure.headerRange];
  for (const step of procedure.steps) {
    parts.push(step.id?.text, step.id?.range, step.headerRange, step.reuse?.range, step.reuse && model.lines[step.reuse.range.start.line]);
    for (const action of step.actions) {
      if (action.kind === 'escalate') parts.push('escalate', action.range);
      const run = action.kind === 'run' ? model.script(action) : undefined;
      if (run) parts.push(runEffects(model, run, (range) => run.toRange(range)), runCopyStatusServers(model, run));
    }
    for (const branch of step.branches) parts.push(branch.range, model.lines[branch.range.start.line]);
  }
  digest = createHash('sha1').update(JSON.stringify(parts)).digest('base64');
  digests.set(procedure, digest);
  return digest;
}

function followPaths(sink: DiagnosticSink): void {
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
  const facts = new Map<FlowEdge, EdgeFacts>();
  for (const node of model.nodes) for (const edge of graph.edges.get(node) ?? []) facts.set(edge, edgeFactsOf(model, node, edge));

  const after = (node: StepNode, state: FlowState): FlowState => apply(state, effects.get(node)!);
  const along = (edge: FlowEdge, state: FlowState): FlowState | undefined => learn(state, facts.get(edge)!);

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
  for (const entry of graph.entries) arrive(entry, EMPTY_STATE);
  for (let next = 0; next < queue.length; next++) {
    const { node, state } = queue[next]!;
    const out = after(node, state);
    for (const edge of graph.edges.get(node) ?? []) {
      if (!edge.to) continue;
      const taken = along(edge, out);
      if (taken) arrive(edge.to, taken);
    }
  }

  // Judged on the final states: a joined state only loses must-facts and gains pending changes.
  const reported = new Set<string>();
  for (const [node, known] of states) {
    const nodeEffects = effects.get(node)!;
    const ends = (graph.edges.get(node) ?? []).filter((edge) => !edge.to);
    if (ends.length === 0 && !nodeEffects.some((e) => e.kind === 'restart')) continue;
    for (const state of known.all()) {
      checkRestarts(sink, node, state, nodeEffects);
      const out = after(node, state);
      for (const edge of ends) {
        const taken = along(edge, out);
        if (!taken) continue;
        for (const [key, pending] of taken.pending) {
          if (reported.has(key)) continue;
          reported.add(key);
          sink.report('not-undone', pending.range, t('{0} is not undone on every path: the run can end {1} with it still in place.', pending.description, describeEnd(sink, edge)), {
            related: [{ range: edge.range, message: t('The run ends here without undoing it.') }],
          });
        }
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
  const inStep = node.source.step === node.step;
  // A reusing step's effects are reported where the reuse is written.
  return model.runsOf(node).flatMap((run) => runEffects(model, run, (range) => (inStep ? run.toRange(range) : node.step.reuse!.range)));
}

function runEffects(model: RunbookModel, run: RunScript, where: (range: PsRange) => Range): StepEffect[] {
  const effects: StepEffect[] = [];
  const { commands } = run.script;
  for (const command of commands) {
    const binding = model.bind(run, command);
    if (!binding) continue;
    // A command inside `Invoke-Command -ComputerName X { ... }` acts on X.
    const host = command.parent !== undefined ? model.bind(run, commands[command.parent]!) : undefined;
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
  return effects;
}

function apply(state: FlowState, effects: StepEffect[]): FlowState {
  if (!effects.some((e) => e.kind !== 'restart')) return state;
  const failedOver = new Set(state.failedOver);
  const checked = new Set(state.checked);
  const pending = new Map(state.pending);
  for (const effect of effects) {
    if (effect.kind === 'restart') continue;
    if (effect.kind === 'do') {
      const origin = `${effect.range.start.line}:${effect.range.start.character}`;
      pending.set(`${effect.rule}|${effect.target}|${origin}`, { rule: effect.rule!, target: effect.target, description: effect.description!, range: effect.range });
      if (effect.rule === 'failover') {
        failedOver.add(effect.target);
        // A check made before this failover says nothing about the copies now.
        checked.delete(effect.target);
      }
    } else {
      for (const [key, change] of pending) if (change.rule === effect.rule && change.target === effect.target) pending.delete(key);
      if (effect.rule === 'failover') failedOver.delete(effect.target);
    }
  }
  return { failedOver, checked, roles: state.roles, pending };
}

/** Applies what an edge teaches; undefined when the edge contradicts the path (a `cas` branch after the server was found a Mailbox). */
function learn(state: FlowState, facts: EdgeFacts): FlowState | undefined {
  const { role } = facts;
  const known = role ? state.roles.get(role.server) : undefined;
  if (role && known && known !== role.role) return undefined;
  const newRole = role && !known;
  const newChecked = facts.checked.filter((server) => !state.checked.has(server));
  if (!newRole && newChecked.length === 0) return state;
  return {
    failedOver: state.failedOver,
    checked: newChecked.length ? new Set([...state.checked, ...newChecked]) : state.checked,
    roles: newRole ? new Map([...state.roles, [role.server, role.role]]) : state.roles,
    pending: state.pending,
  };
}

/** What taking an edge tells, whatever the path: the server's role, or that it holds no active copy. */
function edgeFactsOf(model: RunbookModel, node: StepNode, edge: FlowEdge): EdgeFacts {
  const conditions = node.step.branches.filter((b) => b.kind === 'when' && b.condition).map((b) => b.condition!);
  const taken = edge.branch?.kind === 'when' ? edge.branch.condition : undefined;
  const facts: EdgeFacts = { checked: [] };

  // Roles: `when $S is mailbox` on the branch, or the other role when every condition tested it.
  if (taken?.kind === 'role' && taken.role) {
    facts.role = { server: '$' + taken.param.text.toLowerCase(), role: taken.role.text as Role };
  } else if (!taken && conditions.length > 0 && conditions.every((c) => c.kind === 'role')) {
    const tested = conditions as Extract<(typeof conditions)[number], { kind: 'role' }>[];
    const param = tested[0]!.param.text.toLowerCase();
    const roles = new Set(tested.map((c) => c.role?.text));
    if (tested.every((c) => c.param.text.toLowerCase() === param) && roles.size === 1) {
      facts.role = { server: '$' + param, role: [...roles][0] === 'mailbox' ? 'cas' : 'mailbox' };
    }
  }

  // No active copies: `when no Status is Mounted, ...` taken, or every "has an active copy" branch not taken.
  const activeStates = (c: (typeof conditions)[number]): boolean =>
    c.kind === 'property' && ['status', 'name'].includes(c.property.text.toLowerCase()) && !c.negated && c.values.some((v) => ACTIVE_COPY_STATES.includes(v.text.toLowerCase()));
  const noneActive =
    (taken && activeStates(taken) && taken.kind === 'property' && taken.quantifier?.text === 'no') ||
    (!taken && conditions.some((c) => activeStates(c) && c.kind === 'property' && (c.quantifier?.text ?? 'any') === 'any'));
  if (noneActive) facts.checked = copyStatusServers(model, node);
  return facts;
}

/** Servers whose copies the step lists with Get-MailboxDatabaseCopyStatus -Server X. */
function copyStatusServers(model: RunbookModel, node: StepNode): string[] {
  return model.runsOf(node).flatMap((run) => runCopyStatusServers(model, run));
}

function runCopyStatusServers(model: RunbookModel, run: RunScript): string[] {
  const servers: string[] = [];
  for (const command of run.script.commands) {
    const binding = model.bind(run, command);
    if (binding?.cmdlet.name.toLowerCase() !== 'get-mailboxdatabasecopystatus') continue;
    const server = binding.bound.get('server')?.argument?.value.toLowerCase();
    if (server) servers.push(server);
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

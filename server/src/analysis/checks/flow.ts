// Checks along every path of the runbook: unreachable steps, loops with no way out, changes that
// are not undone before the run ends, a Mailbox server restarted before its databases moved off.
import { createHash } from 'node:crypto';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { Condition, Procedure, Range } from '../../language/syntax';
import type { PsCommand } from '../../powershell/parser';
import { type Binding, targetServer } from '../binding';
import { type DiagnosticSink, workspaceKey } from '../diagnostics';
import { type FlowEdge, FlowGraph } from '../flow';
import { ByteBoundedCache } from '../../util/boundedCache';
import type { RunbookModel, RunScript, StepNode } from '../model';

type Role = 'mailbox' | 'cas';

const ACTIVE_COPY_STATES = ['mounted', 'mounting', 'dismounted', 'dismounting'];

/** A change that must be undone, and where it was made. */
interface Pending {
  rule: string;
  target: string;
  description: string;
  range: Range;
}

/**
 * What holds where a step starts, for one assignment of server roles: the servers failed over and
 * checked on every path (must-facts, intersected where paths join) and the changes left pending on
 * some path (may-facts, united), each a bit set over the runbook's servers or changes. The state
 * of a step is one such partition per distinct set of roles learnt on the way (a `cas` branch after
 * the server was found a Mailbox is ruled out), so the facts never multiply into whole path states:
 * N optional changes cost N bits per step, not 2^N states.
 */
interface Partition {
  roles: Map<string, Role>;
  failedOver: Uint32Array;
  checked: Uint32Array;
  pending: Uint32Array;
}

/** Past this many role assignments at one step (never in a real runbook), they are joined into one. */
const PARTITION_LIMIT = 8;

const has = (bits: Uint32Array, i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
const set = (bits: Uint32Array, i: number): void => {
  bits[i >>> 5]! |= 1 << (i & 31);
};
const unset = (bits: Uint32Array, i: number): void => {
  bits[i >>> 5]! &= ~(1 << (i & 31));
};

/** `into ∩= from`; whether `into` changed. */
function intersect(into: Uint32Array, from: Uint32Array): boolean {
  let changed = false;
  for (let w = 0; w < into.length; w++) {
    const value = into[w]! & from[w]!;
    if (value !== into[w]) {
      into[w] = value;
      changed = true;
    }
  }
  return changed;
}

/** `into ∪= from`; whether `into` changed. */
function unite(into: Uint32Array, from: Uint32Array): boolean {
  let changed = false;
  for (let w = 0; w < into.length; w++) {
    const value = into[w]! | from[w]!;
    if (value !== into[w]) {
      into[w] = value;
      changed = true;
    }
  }
  return changed;
}

function rolesKey(roles: Map<string, Role>): string {
  return roles.size === 0 ? '' : [...roles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([server, role]) => `${server}=${role}`).join(',');
}

function copyPartition(p: Partition): Partition {
  return { roles: new Map(p.roles), failedOver: p.failedOver.slice(), checked: p.checked.slice(), pending: p.pending.slice() };
}

/** The partitions that reach one step, by their roles. */
class StepState {
  readonly partitions = new Map<string, Partition>();
  private joined = false;

  /** Merges a partition in; whether anything changed (then the step must be followed again). */
  arrive(incoming: Partition): boolean {
    if (!this.joined) {
      const key = rolesKey(incoming.roles);
      const known = this.partitions.get(key);
      if (!known) {
        if (this.partitions.size < PARTITION_LIMIT) {
          this.partitions.set(key, copyPartition(incoming));
          return true;
        }
        this.joinAll();
      } else {
        return merge(known, incoming);
      }
    }
    const only = this.partitions.values().next().value as Partition;
    let changed = merge(only, incoming);
    for (const [server, role] of only.roles) {
      if (incoming.roles.get(server) !== role) {
        only.roles.delete(server);
        changed = true;
      }
    }
    return changed;
  }

  private joinAll(): void {
    const all = [...this.partitions.values()];
    const first = all[0]!;
    for (const other of all.slice(1)) {
      merge(first, other);
      for (const [server, role] of first.roles) if (other.roles.get(server) !== role) first.roles.delete(server);
    }
    this.partitions.clear();
    this.partitions.set('*', first);
    this.joined = true;
  }
}

function merge(into: Partition, from: Partition): boolean {
  const a = intersect(into.failedOver, from.failedOver);
  const b = intersect(into.checked, from.checked);
  const c = unite(into.pending, from.pending);
  return a || b || c;
}

/** A min-heap of step ranks, each at most once: the next step to follow is the earliest in order. */
class RankQueue {
  private readonly heap: number[] = [];
  private readonly queued = new Set<number>();

  push(rank: number): void {
    if (this.queued.has(rank)) return;
    this.queued.add(rank);
    const heap = this.heap;
    let i = heap.push(rank) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= rank) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = rank;
  }

  pop(): number | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const child = left + 1 < heap.length && heap[left + 1]! < heap[left]! ? left + 1 : left;
        if (heap[child]! >= last) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    this.queued.delete(top);
    return top;
  }
}

interface StepEffect {
  /** `moved-off` / `moved-onto`: active databases moved off a server or onto it (Move-ActiveMailboxDatabase); nothing to undo. */
  kind: 'do' | 'undo' | 'restart' | 'moved-off' | 'moved-onto';
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
const flowResults = new ByteBoundedCache<string, Diagnostic[]>(16 * 1024 * 1024, (key, diagnostics) => 2 * key.length + 600 * diagnostics.length + 64);

export function clearFlowCache(): void {
  flowResults.clear();
}

export function checkFlow(sink: DiagnosticSink): void {
  const { model, l10n } = sink;
  const key = `${sink.uri}|${l10n.locale}|${model.parametersKey}|${workspaceKey(model)}|${model.runbook.procedures.map((p) => flowDigest(model, p)).join('')}`;
  const cached = flowResults.get(key);
  if (cached) {
    sink.diagnostics.push(...cached);
    return;
  }
  const before = sink.diagnostics.length;
  followPaths(sink);
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
  // The header lines run to the end of their titles: a header range goes in only where a flow
  // diagnostic can point at it (a step with no id; the last step, whose falling through ends the
  // run), so typing in a title leaves the digest, and the last result, as they were.
  const parts: unknown[] = [procedure.id?.text, procedure.monitors.map((m) => m.text), procedure.headerRange.start];
  const last = procedure.steps.length - 1;
  for (const step of procedure.steps) {
    const header = !step.id || step.index === last ? step.headerRange : step.headerRange.start;
    parts.push(step.id?.text, step.id?.range, header, step.reuse?.range, step.reuse && model.lines[step.reuse.range.start.line]);
    for (const action of step.actions) {
      if (action.kind === 'escalate') parts.push('escalate', action.range);
      const run = action.kind === 'run' ? model.script(action) : undefined;
      if (run) {
        const read = readRun(model, run);
        parts.push(read.effects, read.copyStatusServers);
      }
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
      // In a recovery procedure the run starts at its first step: a later step is cut off by the step before it.
      const message =
        node.procedure.monitors.length > 0
          ? t('No path reaches the step {0}: nothing branches to it, and the step before it never goes on to it.', node.step.id?.text ?? '?')
          : t('No path reaches the step {0}: nothing branches to it and its procedure is not a recovery procedure (`for monitor`).', node.step.id?.text ?? '?');
      sink.report('unreachable-step', node.step.id?.range ?? node.step.headerRange, message, { unnecessary: true });
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
  for (const node of model.nodes) {
    const edges = graph.edges.get(node) ?? [];
    if (edges.length === 0) continue;
    const conditions = node.step.branches.filter((b) => b.kind === 'when' && b.condition).map((b) => b.condition!);
    for (const edge of edges) facts.set(edge, edgeFactsOf(model, node, edge, conditions));
  }

  // Number the servers and the changes, so states are bit sets.
  const servers = new Map<string, number>();
  const serverOf = (name: string): number => {
    let index = servers.get(name);
    if (index === undefined) servers.set(name, (index = servers.size));
    return index;
  };
  const changes: { key: string; pending: Pending }[] = [];
  const changeIndex = new Map<string, number>();
  /** The changes of each rule and server, which one undo takes back. */
  const changesOf = new Map<string, number[]>();
  for (const node of model.nodes) {
    for (const effect of effects.get(node)!) {
      serverOf(effect.target);
      if (effect.kind !== 'do') continue;
      const key = `${effect.rule}|${effect.target}|${effect.range.start.line}:${effect.range.start.character}`;
      if (changeIndex.has(key)) continue;
      changeIndex.set(key, changes.length);
      const group = `${effect.rule}|${effect.target}`;
      const members = changesOf.get(group);
      if (members) members.push(changes.length);
      else changesOf.set(group, [changes.length]);
      changes.push({ key, pending: { rule: effect.rule!, target: effect.target, description: effect.description!, range: effect.range } });
    }
  }
  for (const edgeFacts of facts.values()) for (const server of edgeFacts.checked) serverOf(server);
  const serverWords = Math.max(1, Math.ceil(servers.size / 32));
  const changeWords = Math.max(1, Math.ceil(changes.length / 32));

  /** What a step does to the facts, applied in the order its commands run. */
  const after = (node: StepNode, state: Partition): Partition => {
    const nodeEffects = effects.get(node)!;
    if (!nodeEffects.some((e) => e.kind !== 'restart')) return state;
    const out = copyPartition(state);
    for (const effect of nodeEffects) {
      if (effect.kind === 'restart') continue;
      const server = servers.get(effect.target)!;
      if (effect.kind === 'moved-off') {
        set(out.failedOver, server);
        unset(out.checked, server);
      } else if (effect.kind === 'moved-onto') {
        unset(out.failedOver, server);
        unset(out.checked, server);
      } else if (effect.kind === 'do') {
        set(out.pending, changeIndex.get(`${effect.rule}|${effect.target}|${effect.range.start.line}:${effect.range.start.character}`)!);
        if (effect.rule === 'failover') {
          set(out.failedOver, server);
          // A check made before this failover says nothing about the copies now.
          unset(out.checked, server);
        }
      } else {
        for (const change of changesOf.get(`${effect.rule}|${effect.target}`) ?? []) unset(out.pending, change);
        // Activation allowed again: databases may come back to the server.
        if (effect.rule === 'failover' || effect.rule === 'dag-maintenance') unset(out.failedOver, server);
      }
    }
    return out;
  };
  /** What taking an edge teaches; undefined when the edge contradicts the roles of the path. */
  const along = (edge: FlowEdge, state: Partition): Partition | undefined => {
    const { role, checked } = facts.get(edge)!;
    const known = role ? state.roles.get(role.server) : undefined;
    if (role && known && known !== role.role) return undefined;
    const newRole = role && !known;
    const newChecked = checked.filter((server) => !has(state.checked, servers.get(server)!));
    if (!newRole && newChecked.length === 0) return state;
    const out = copyPartition(state);
    if (newRole) out.roles.set(role.server, role.role);
    for (const server of newChecked) set(out.checked, servers.get(server)!);
    return out;
  };

  // Forward data flow to a fixed point over the (possibly cyclic) graph: a step is followed again
  // only when what reaches it changed. Steps are taken in reverse post-order (a step before the
  // steps it leads to, loops aside), so in a runbook without loops each step is followed once,
  // with everything that reaches it, instead of once per wave of facts arriving.
  const order = graph.reversePostOrder();
  const rank = new Map<StepNode, number>(order.map((node, i) => [node, i]));
  const states = new Map<StepNode, StepState>();
  const queue = new RankQueue();
  const arrive = (node: StepNode, state: Partition): void => {
    let known = states.get(node);
    if (!known) states.set(node, (known = new StepState()));
    if (known.arrive(state)) queue.push(rank.get(node)!);
  };
  const empty: Partition = { roles: new Map(), failedOver: new Uint32Array(serverWords), checked: new Uint32Array(serverWords), pending: new Uint32Array(changeWords) };
  // A run handed over from another runbook arrives with what that runbook did, which is not
  // followed here: its servers are taken as failed over and checked, so a restart there is not a
  // false error (nothing is pending either). A path from this runbook's own entries still counts.
  const handedOver: Partition = { ...empty, failedOver: new Uint32Array(serverWords).fill(0xffffffff), checked: new Uint32Array(serverWords).fill(0xffffffff) };
  for (const entry of graph.entries) arrive(entry, graph.handovers.has(entry) ? handedOver : empty);
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const node = order[next]!;
    for (const state of [...states.get(node)!.partitions.values()]) {
      const out = after(node, state);
      for (const edge of graph.edges.get(node) ?? []) {
        if (!edge.to) continue;
        const taken = along(edge, out);
        if (taken) arrive(edge.to, taken);
      }
    }
  }

  // Judged on the fixed point: each partition holds what every path with its roles has in common,
  // and every change some such path leaves pending.
  const reported = new Set<string>();
  const restartsReported = new Set<StepEffect>();
  // Steps in the order a breadth-first walk from the entries meets them: the nearest end is described.
  for (const node of graph.breadthFirst()) {
    const known = states.get(node);
    if (!known) continue;
    const nodeEffects = effects.get(node)!;
    const ends = (graph.edges.get(node) ?? []).filter((edge) => !edge.to);
    if (ends.length === 0 && !nodeEffects.some((e) => e.kind === 'restart')) continue;
    for (const state of known.partitions.values()) {
      checkRestarts(sink, node, state, nodeEffects, servers, restartsReported);
      const out = after(node, state);
      for (const edge of ends) {
        // A run handed over to another runbook goes on there, where this runbook's changes may be
        // undone: the flow is not followed into it, so nothing is reported rather than a false error.
        if (edge.end === 'handover') continue;
        const taken = along(edge, out);
        if (!taken) continue;
        for (let change = 0; change < changes.length; change++) {
          if (!has(taken.pending, change)) continue;
          const { key, pending } = changes[change]!;
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
  const reuse = node.step.reuse?.range;
  return model.runsOf(node).flatMap((run) => {
    const { effects } = readRun(model, run);
    return inStep ? effects : effects.map((effect) => ({ ...effect, range: reuse! }));
  });
}

/** What the flow reads of a run's commands: what they change, and the servers whose copies they list. */
interface RunReading {
  /** Ranges where the run is written. */
  effects: StepEffect[];
  copyStatusServers: string[];
}

/**
 * Each run read once per model: the digest and the flow read the same runs, and binding a command
 * is most of the cost of reading it (a cold 10k-line runbook bound every command three times).
 */
const readings = new WeakMap<RunbookModel, WeakMap<RunScript, RunReading>>();

function readRun(model: RunbookModel, run: RunScript): RunReading {
  let ofModel = readings.get(model);
  if (!ofModel) readings.set(model, (ofModel = new WeakMap()));
  const known = ofModel.get(run);
  if (known) return known;
  const reading: RunReading = { effects: [], copyStatusServers: [] };
  const { commands } = run.script;
  const bindings = commands.map((command) => model.bind(run, command));
  for (const [index, command] of commands.entries()) {
    const binding = bindings[index];
    if (!binding) {
      dagMaintenanceEffects(run, command, reading.effects);
      continue;
    }
    if (binding.cmdlet.name.toLowerCase() === 'get-mailboxdatabasecopystatus') {
      const server = binding.bound.get('server')?.argument?.value.toLowerCase();
      if (server) reading.copyStatusServers.push(server);
    }
    // A command inside `Invoke-Command -ComputerName X { ... }` acts on X.
    const host = command.parent !== undefined ? bindings[command.parent] : undefined;
    commandEffects(run, command, binding, host, reading.effects);
  }
  ofModel.set(run, reading);
  return reading;
}

/**
 * Exchange's own DAG maintenance scripts (in $exscripts), Microsoft's documented way to take a DAG
 * member down: StartDagServerMaintenance.ps1 -serverName X moves X's active databases off and blocks
 * activation there, a change StopDagServerMaintenance.ps1 -serverName X takes back.
 */
function dagMaintenanceEffects(run: RunScript, command: PsCommand, effects: StepEffect[]): void {
  // `.\StartDagServerMaintenance.ps1 …`, or `& "$exscripts\StartDagServerMaintenance.ps1" …` (named after `&`, the path where its name is).
  const invoked = command.name === '&' || command.name === '.' ? run.action.command.slice(command.nameRange.start, command.nameRange.end) : command.name;
  const script = /(?:^|[\\/])(Start|Stop)DagServerMaintenance\.ps1["']?$/i.exec(invoked.trim())?.[1]?.toLowerCase();
  if (!script) return;
  const at = command.elements.findIndex((e) => e.kind === 'parameter' && 'servername'.startsWith(e.name.toLowerCase()) && e.name.length >= 2);
  const parameter = command.elements[at];
  const next = command.elements[at + 1];
  const value = parameter?.kind === 'parameter' ? (parameter.colonArgument ?? (next?.kind === 'argument' ? next.argument : undefined)) : undefined;
  if (!value) return;
  const target = value.value.toLowerCase();
  const range = run.toRange(command.nameRange);
  if (script === 'start') {
    effects.push({ kind: 'moved-off', target, range });
    effects.push({ kind: 'do', rule: 'dag-maintenance', target, description: `StartDagServerMaintenance.ps1 -serverName ${value.value}`, range });
  } else {
    effects.push({ kind: 'undo', rule: 'dag-maintenance', target, range });
  }
}

function commandEffects(run: RunScript, command: PsCommand, binding: Binding, host: Binding | undefined, effects: StepEffect[]): void {
  const written = targetServer(binding) ?? (host ? targetServer(host) : undefined) ?? '';
  // Server names and PowerShell variables are case-insensitive; messages show them as written.
  const target = written.toLowerCase();
  for (const rule of binding.cmdlet.undo ?? []) {
    const bound = binding.bound.get(rule.parameter.toLowerCase());
    const value = bound?.argument?.value.toLowerCase();
    if (!bound || !value) continue;
    const description = `${binding.cmdlet.name} -${rule.parameter} ${rule.doValue}${written ? ` (${written})` : ''}`;
    if (value === rule.doValue.toLowerCase()) effects.push({ kind: 'do', rule: rule.id, target, description, range: run.toRange(bound.nameRange) });
    else if (value === rule.undoValue.toLowerCase()) effects.push({ kind: 'undo', rule: rule.id, target, range: run.toRange(bound.nameRange) });
  }
  // Move-ActiveMailboxDatabase -Server X moves every active database off X (as a failover does,
  // with nothing left to undo); -ActivateOnServer Y moves them onto Y. One database (-Identity) does not empty X.
  if (binding.cmdlet.name.toLowerCase() === 'move-activemailboxdatabase') {
    const from = binding.bound.get('server')?.argument;
    if (from && !binding.bound.has('identity')) effects.push({ kind: 'moved-off', target: from.value.toLowerCase(), range: run.toRange(command.nameRange) });
    const onto = binding.bound.get('activateonserver')?.argument;
    if (onto) effects.push({ kind: 'moved-onto', target: onto.value.toLowerCase(), range: run.toRange(command.nameRange) });
  }
  if (binding.cmdlet.name.toLowerCase() === 'restart-computer' && target) {
    effects.push({ kind: 'restart', target, description: written, range: run.toRange(command.nameRange) });
  }
}

/** What taking an edge tells, whatever the path: the server's role, or that it holds no active copy. */
function edgeFactsOf(model: RunbookModel, node: StepNode, edge: FlowEdge, conditions: Condition[]): EdgeFacts {
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
  return model.runsOf(node).flatMap((run) => readRun(model, run).copyStatusServers);
}

function checkRestarts(sink: DiagnosticSink, node: StepNode, state: Partition, effects: StepEffect[], servers: Map<string, number>, reported: Set<StepEffect>): void {
  const { model, l10n } = sink;
  const t = l10n.t;
  for (const effect of effects) {
    if (effect.kind !== 'restart' || reported.has(effect)) continue;
    if (roleOf(model, node, state, effect.target) !== 'mailbox') continue;
    const server = servers.get(effect.target)!;
    const failedOver = has(state.failedOver, server);
    if (failedOver && has(state.checked, server)) continue;
    reported.add(effect);
    const missing = !failedOver
      ? t('its databases were not moved off first (Set-MailboxServer -DatabaseCopyActivationDisabledAndMoveNow $true, or Move-ActiveMailboxDatabase -Server)')
      : t('no step checked that it holds no active copy (Get-MailboxDatabaseCopyStatus with `when no Status is Mounted, ...`)');
    sink.report('restart-before-failover', effect.range, t('The Mailbox server {0} is restarted, but on some path {1}.', effect.description ?? effect.target, missing));
  }
}

function roleOf(model: RunbookModel, node: StepNode, state: Partition, target: string): Role | undefined {
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

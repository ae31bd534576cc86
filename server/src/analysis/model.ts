// The analysed runbook: the syntax tree with its references resolved and its PowerShell parsed,
// built once per document version and shared by every feature (diagnostics, completion, ...).
import type { CatalogIndex } from '../catalog';
import { type Binding, bindCommand } from './binding';
import type { OutputProperty, OutputType } from '../catalog/types';
import { parseRunbook, splitLines } from '../language/parser';
import type { ParamDeclaration, Position, Procedure, Range, RunAction, Runbook, Step, StepReference } from '../language/syntax';
import { type PsArgument, type PsCommand, type PsHashEntry, type PsRange, type PsScript, parsePowerShell } from '../powershell/parser';
import type { RunbookIndex, WorkspaceRunbook } from './workspace';
import type { Steps } from '../util/cooperative';

/** A `run` action with its parsed PowerShell and the mapping back to document positions. */
export class RunScript {
  private readonly segmentOffsets: number[] = [];

  constructor(
    readonly action: RunAction,
    readonly script: PsScript,
  ) {
    let offset = 0;
    for (const segment of action.segments) {
      this.segmentOffsets.push(offset);
      offset += segment.length + 1;
    }
  }

  toPosition(offset: number): Position {
    // The last segment starting at or before the offset (the first when none does): a binary
    // search, as a command left open before thousands of lines has thousands of segments.
    const offsets = this.segmentOffsets;
    let index = 0;
    let high = offsets.length - 1;
    while (index < high) {
      const middle = (index + high + 1) >> 1;
      if (offsets[middle]! <= offset) index = middle;
      else high = middle - 1;
    }
    const segment = this.action.segments[index]!;
    return { line: segment.line, character: segment.character + Math.min(offset - this.segmentOffsets[index]!, segment.length) };
  }

  toRange(range: PsRange): Range {
    return { start: this.toPosition(range.start), end: this.toPosition(range.end) };
  }

  /** The offset in the command text of a document position, if the position is inside it. */
  toOffset(position: Position): number | undefined {
    const index = this.action.segments.findIndex((s) => s.line === position.line);
    if (index < 0) return undefined;
    const segment = this.action.segments[index]!;
    const column = position.character - segment.character;
    if (column < 0 || column > segment.length) return undefined;
    return this.segmentOffsets[index]! + column;
  }
}

/** A `run` action keeps its parsed script while the parser reuses the action (its block is unchanged). */
const runScripts = new WeakMap<RunAction, RunScript>();

/**
 * Parses the PowerShell of a document's `run` actions ahead of `new RunbookModel`, yielding after
 * each command parsed: the server drives it in slices (util/cooperative), so a first analysis of a
 * long runbook can be cancelled and lets other requests through. The model built next from the same
 * text gets the same actions (the parser reuses unchanged blocks) and finds their scripts here.
 */
export function* parseRunScripts(text: string, document = ''): Steps<void> {
  const runbook = parseRunbook(text, splitLines(text), document);
  yield;
  for (const procedure of runbook.procedures) {
    for (const step of procedure.steps) {
      for (const action of step.actions) {
        if (action.kind !== 'run' || action.command.trim() === '' || runScripts.has(action)) continue;
        runScripts.set(action, new RunScript(action, parsePowerShell(action.command)));
        yield;
      }
    }
  }
}

export interface StepNode {
  /** Unique key `procedureIndex:stepIndex`. */
  key: string;
  procedure: Procedure;
  step: Step;
  /** The step whose actions run: the step itself, or the step it reuses (chains followed). */
  source: { procedure: Procedure; step: Step };
  /** Whether following `step x = y` references ran into a cycle or a reference that does not resolve. */
  reuseBroken: boolean;
  /** Whether it was a cycle (a reference that does not resolve is reported where it is written). */
  reuseCycle?: boolean;
  /** When the reused step is in another runbook (`step again = pop:verify.rerun`): that runbook. */
  sourceRunbook?: { runbook: WorkspaceRunbook; model: RunbookModel };
}

/** Where a step reference leads: a procedure (and its step) of this runbook, or of another one. */
export interface ResolvedTarget {
  procedure: Procedure;
  step?: Step;
  /** Set when the target is in another runbook of the workspace. */
  foreign?: { runbook: WorkspaceRunbook; model: RunbookModel };
}

/** What a step's last command writes: the objects a `when` condition tests. */
export interface OutputShape {
  cmdlet: string;
  type: OutputType;
  /** After `Group-Object Status`, `Name` takes the values of Status. */
  groupedBy?: OutputProperty;
}

/**
 * What a step's PowerShell has given its variables by the end of one `run`: the step's earlier
 * `run` lines and this one run in one session, so `$s = New-PSSession ...` then `Import-PSSession $s`
 * is one script.
 */
export interface RunContext {
  /** Lower-case names of the variables assigned so far (assignments, foreach, -OutVariable ...). */
  assigned: ReadonlySet<string>;
  /** What a variable holds, by lower-case name, when it was assigned a pipeline the catalog knows. */
  types: ReadonlyMap<string, OutputShape>;
  /** Hashtables assigned so far, for splatting (`Set-MailboxServer @p`). */
  hashtables: ReadonlyMap<string, PsHashEntry[]>;
}

/** Parameters every cmdlet has whose value names a variable the cmdlet assigns. */
const VARIABLE_PARAMETERS = new Set(['outvariable', 'ov', 'errorvariable', 'ev', 'warningvariable', 'wv', 'informationvariable', 'iv', 'pipelinevariable', 'pv']);
/** Commands that write what their script block writes. */
const BLOCK_RUNNERS = new Set(['invoke-command', '&', '.']);
const FOR_EACH = 'foreach-object';

const GROUP_OBJECT = new Set(['group-object', 'group']);
const SELECT_OBJECT = new Set(['select-object', 'select']);
/** Commands that pass objects through unchanged as far as their properties are concerned. */
const PASS_THROUGH = new Set([
  'where-object', 'where', '?', 'sort-object', 'sort', 'format-list', 'fl', 'format-table', 'ft', 'select-object', 'select',
  'out-host', 'out-string', 'tee-object', 'out-default',
]);

export class RunbookModel {
  readonly runbook: Runbook;
  readonly lines: string[];
  readonly nodes: StepNode[] = [];
  private readonly nodesByStep = new Map<Step, StepNode>();
  private readonly proceduresById = new Map<string, Procedure>();
  private readonly paramsByName = new Map<string, ParamDeclaration>();
  private readonly scripts = new Map<RunAction, RunScript>();
  private readonly stepOfRun = new Map<RunScript, Step>();
  private readonly contexts = new Map<RunScript, RunContext>();
  /** Steps whose reuse chain has been followed (see resolveReuse). */
  private readonly reuseResolved = new Set<StepNode>();
  /** Every parsed `run` of the document with the step it is written in, in document order. */
  readonly allScripts: { node: StepNode; run: RunScript }[] = [];

  /** Scripts of reused steps of other runbooks, with the model that parsed them (see `script`). */
  private readonly foreignScripts = new Map<RunAction, RunbookModel>();
  private readonly foreignRuns = new Map<RunScript, RunbookModel>();

  /**
   * `document`: the document's URI, so parsed blocks are reused for this document alone.
   * `workspace`: the other runbooks, for references such as `pop-protocol:recover-deep`; without it
   * such references do not resolve.
   */
  constructor(
    readonly text: string,
    readonly catalog: CatalogIndex,
    readonly uri = '',
    readonly workspace?: RunbookIndex,
    /** The key parsed blocks are cached under: the URI, unless the same file is analysed twice. */
    private readonly parseKey = uri,
  ) {
    const document = parseKey;
    this.lines = splitLines(text);
    this.runbook = parseRunbook(text, this.lines, document);
    for (const procedure of this.runbook.procedures) {
      if (procedure.id && !this.proceduresById.has(procedure.id.text)) this.proceduresById.set(procedure.id.text, procedure);
    }
    for (const param of this.runbook.params) {
      const name = param.name.text.toLowerCase();
      if (!this.paramsByName.has(name)) this.paramsByName.set(name, param);
    }
    for (const procedure of this.runbook.procedures) {
      for (const step of procedure.steps) {
        const node: StepNode = { key: `${procedure.index}:${step.index}`, procedure, step, source: { procedure, step }, reuseBroken: false };
        this.nodes.push(node);
        this.nodesByStep.set(step, node);
        for (const action of step.actions) {
          if (action.kind !== 'run' || action.command.trim() === '') continue;
          let run = runScripts.get(action);
          if (!run) runScripts.set(action, (run = new RunScript(action, parsePowerShell(action.command))));
          this.scripts.set(action, run);
          this.stepOfRun.set(run, step);
          this.allScripts.push({ node, run });
        }
      }
    }
    for (const node of this.nodes) if (!this.reuseResolved.has(node)) this.resolveReuse(node);
  }

  private header: { end: number; parametersKey: string } | undefined;

  /** The last line of the runbook header (`runbook`, `healthset`, `param`, `source`): where a new `param` goes. */
  get headerEnd(): number {
    return this.headerFacts().end;
  }

  /** The declared parameters with their kinds, as a cache key: what checks read of the header. */
  get parametersKey(): string {
    return this.headerFacts().parametersKey;
  }

  /** Computed once per model: checks ask for both once per command, and a header can have 10,000 params. */
  private headerFacts(): { end: number; parametersKey: string } {
    if (this.header) return this.header;
    const { runbook } = this;
    let end = runbook.headerRange?.start.line ?? -1;
    // A loop, not Math.max(...spread): spreading 10,000 arguments is slow and can overflow the stack.
    for (const item of [...runbook.params, ...runbook.healthSets, ...runbook.sources]) end = Math.max(end, item.range.end.line);
    this.header = { end, parametersKey: runbook.params.map((p) => `${p.name.text}:${p.kind?.text ?? ''}`).join(',') };
    return this.header;
  }

  procedure(id: string): Procedure | undefined {
    return this.proceduresById.get(id);
  }

  param(name: string): ParamDeclaration | undefined {
    return this.paramsByName.get(name.toLowerCase());
  }

  node(step: Step): StepNode {
    return this.nodesByStep.get(step)!;
  }

  script(action: RunAction): RunScript | undefined {
    const own = this.scripts.get(action);
    if (own) return own;
    // A step of another runbook that a step of this one reuses: parsed by that runbook's model.
    const owner = this.foreignScripts.get(action);
    const run = owner?.script(action);
    if (owner && run) this.foreignRuns.set(run, owner);
    return run;
  }

  /** The scripts a step runs (a reusing step runs the reused step's). */
  runsOf(node: StepNode): RunScript[] {
    const runs: RunScript[] = [];
    for (const action of node.source.step.actions) {
      const run = action.kind === 'run' ? this.script(action) : undefined;
      if (run) runs.push(run);
    }
    return runs;
  }

  /** Each procedure's steps by id (the first of a duplicated id), built when first asked. */
  private readonly stepsById = new Map<Procedure, Map<string, Step>>();

  stepById(procedure: Procedure, id: string): Step | undefined {
    let steps = this.stepsById.get(procedure);
    if (!steps) {
      steps = new Map();
      for (const step of procedure.steps) if (step.id && !steps.has(step.id.text)) steps.set(step.id.text, step);
      this.stepsById.set(procedure, steps);
    }
    return steps.get(id);
  }

  /**
   * Resolves `-> x` / `step a = x`: a step of the same procedure, else a procedure (its first
   * step); `p.s` names a step of procedure p.
   */
  resolve(from: Procedure, reference: StepReference): ResolvedTarget | undefined {
    return this.resolveIn(undefined, from, reference);
  }

  /**
   * The runbook a qualified reference names: this one when it names itself, else the first of
   * the workspace's runbooks with that id (a duplicate id is reported on both files).
   */
  runbookNamed(id: string): { runbook: WorkspaceRunbook; model: RunbookModel } | 'self' | undefined {
    if (id === this.runbook.id?.text) return 'self';
    const found = this.workspace?.runbooks(id).find((r) => r.uri !== this.uri);
    return found ? { runbook: found, model: found.model() } : undefined;
  }

  /**
   * Resolves a reference written in `within` (another runbook's model, or this one when undefined).
   * References into this runbook's id resolve to this model, so a chain across files that comes
   * back here is seen as the same steps.
   */
  private resolveIn(within: { runbook: WorkspaceRunbook; model: RunbookModel } | undefined, from: Procedure, reference: StepReference): ResolvedTarget | undefined {
    if (reference.runbook) {
      const named = within && reference.runbook.text === within.model.runbook.id?.text ? within : this.runbookNamed(reference.runbook.text);
      if (!named) return undefined;
      const foreign = named === 'self' ? undefined : named;
      const model = foreign?.model ?? this;
      const procedure = model.procedure(reference.procedure?.text ?? reference.step.text);
      if (!procedure) return undefined;
      const step = reference.procedure ? model.stepById(procedure, reference.step.text) : procedure.steps[0];
      if (reference.procedure && !step) return undefined;
      const target: ResolvedTarget = { procedure };
      if (step) target.step = step;
      if (foreign) target.foreign = foreign;
      return target;
    }
    if (within) {
      const local = within.model.resolve(from, reference);
      return local && { ...local, foreign: within };
    }
    if (reference.procedure) {
      const procedure = this.procedure(reference.procedure.text);
      const step = procedure && this.stepById(procedure, reference.step.text);
      return procedure && step ? { procedure, step } : undefined;
    }
    const local = this.stepById(from, reference.step.text);
    if (local) return { procedure: from, step: local };
    const procedure = this.procedure(reference.step.text);
    if (procedure) {
      const first = procedure.steps[0];
      return first ? { procedure, step: first } : { procedure };
    }
    return undefined;
  }

  /** This runbook analysed again with a workspace (its parsed blocks are reused). */
  linked(workspace: RunbookIndex): RunbookModel {
    return new RunbookModel(this.text, this.catalog, this.uri, workspace, this.parseKey);
  }

  private referenced: Set<string> | undefined;

  /** The ids of the runbooks this one names in its references (`pop-protocol:recover-deep`). */
  referencedRunbooks(): ReadonlySet<string> {
    if (this.referenced) return this.referenced;
    this.referenced = new Set();
    for (const procedure of this.runbook.procedures) {
      for (const step of procedure.steps) {
        if (step.reuse?.runbook) this.referenced.add(step.reuse.runbook.text);
        for (const branch of step.branches) if (branch.target?.kind === 'step' && branch.target.reference.runbook) this.referenced.add(branch.target.reference.runbook.text);
      }
    }
    return this.referenced;
  }

  private inbound: Step[] | undefined;

  /**
   * Steps of this runbook that other runbooks of the workspace hand a run over to
   * (`-> pop:recover-deep`): a run can start there. Only files that mention `<id>:` are analysed.
   */
  handoverEntries(): Step[] {
    if (this.inbound) return this.inbound;
    const found = new Set<Step>();
    const id = this.runbook.id?.text;
    for (const other of id && this.workspace ? this.workspace.all() : []) {
      if (other.uri === this.uri || other.id === id || !other.mayReferTo(id!)) continue;
      const model = other.model();
      const within = { runbook: other, model };
      for (const procedure of model.runbook.procedures) {
        for (const step of procedure.steps) {
          for (const branch of step.branches) {
            if (branch.target?.kind !== 'step' || branch.target.reference.runbook?.text !== id) continue;
            const target = this.resolveIn(within, procedure, branch.target.reference);
            if (target?.step && !target.foreign) found.add(target.step);
          }
        }
      }
    }
    this.inbound = [...found];
    return this.inbound;
  }

  /**
   * Follows `step x = y` to the step whose actions run, across runbooks too. Each step of this
   * runbook is followed once: a chain of 3,000 reuses reuses what its next link found, instead of
   * walking the rest of the chain again.
   */
  private resolveReuse(start: StepNode): void {
    const chain: StepNode[] = [];
    const onChain = new Set<Step>();
    let at: { procedure: Procedure; step: Step; within?: { runbook: WorkspaceRunbook; model: RunbookModel } } = { procedure: start.procedure, step: start.step };
    let broken = false;
    let cycle = false;
    let source: { procedure: Procedure; step: Step; within?: { runbook: WorkspaceRunbook; model: RunbookModel } } | undefined;
    for (;;) {
      const node = at.within ? undefined : this.nodesByStep.get(at.step);
      if (node && this.reuseResolved.has(node)) {
        broken = node.reuseBroken;
        cycle = node.reuseCycle === true;
        source = { procedure: node.source.procedure, step: node.source.step };
        if (node.sourceRunbook) source.within = node.sourceRunbook;
        break;
      }
      if (!at.step.reuse) {
        source = at;
        if (node) this.reuseResolved.add(node);
        break;
      }
      if (node) chain.push(node);
      onChain.add(at.step);
      const next = this.resolveIn(at.within, at.procedure, at.step.reuse);
      if (!next?.step || onChain.has(next.step)) {
        broken = true;
        cycle = next?.step !== undefined;
        break;
      }
      at = { procedure: next.procedure, step: next.step };
      if (next.foreign) at.within = next.foreign;
    }
    for (const link of chain) {
      link.reuseBroken = broken;
      if (cycle) link.reuseCycle = true;
      if (!broken && source) {
        link.source = { procedure: source.procedure, step: source.step };
        if (source.within) {
          link.sourceRunbook = source.within;
          for (const action of source.step.actions) if (action.kind === 'run') this.foreignScripts.set(action, source.within.model);
        }
      }
      this.reuseResolved.add(link);
    }
  }

  /**
   * The variables the step has assigned by the end of this `run` (its earlier `run` lines included)
   * and what they hold.
   */
  contextOf(run: RunScript): RunContext {
    let context = this.contexts.get(run);
    if (context) return context;
    const owner = this.stepOfRun.has(run) ? undefined : this.foreignRuns.get(run);
    if (owner) return owner.contextOf(run);
    const step = this.stepOfRun.get(run);
    let current: RunContext = { assigned: new Set(), types: new Map(), hashtables: new Map() };
    for (const action of step?.actions ?? [run.action]) {
      const script = action.kind === 'run' ? this.scripts.get(action) : undefined;
      if (!script) continue;
      current = this.extend(current, script.script);
      this.contexts.set(script, current);
    }
    context = this.contexts.get(run) ?? current;
    return context;
  }

  private extend(before: RunContext, script: PsScript): RunContext {
    // Most commands assign nothing: the step's context passes on as it is.
    const assigns = script.assignments.length > 0 || script.variables.some((v) => v.assigned) ||
      script.commands.some((c) => c.elements.some((e) => e.kind === 'parameter' && VARIABLE_PARAMETERS.has(e.name.toLowerCase())));
    if (!assigns) return before;
    const assigned = new Set(before.assigned);
    const types = new Map(before.types);
    const hashtables = new Map(before.hashtables);
    for (const variable of script.variables) if (variable.assigned) assigned.add(variable.name.toLowerCase());
    for (const command of script.commands) {
      for (const element of command.elements) {
        if (element.kind !== 'parameter' || !VARIABLE_PARAMETERS.has(element.name.toLowerCase())) continue;
        const next = element.colonArgument ?? nextArgument(command, element);
        if (next && (next.kind === 'bareword' || next.kind === 'string')) assigned.add(next.value.replace(/^\+/, '').toLowerCase());
      }
    }
    for (const assignment of script.assignments) {
      const name = assignment.variable.toLowerCase();
      assigned.add(name);
      const shape = assignment.pipeline.length > 0 ? this.pipelineOutput(script, assignment.pipeline, { assigned, types, hashtables }) : undefined;
      if (shape) types.set(name, shape);
      else types.delete(name);
      if (assignment.hashtable) hashtables.set(name, assignment.hashtable);
      else hashtables.delete(name);
    }
    return { assigned, types, hashtables };
  }

  /** Binds a command of this `run`, its splats resolved against the step's hashtables. */
  bind(run: RunScript, command: PsCommand): Binding | undefined {
    return bindCommand(this.catalog, command, this.contextOf(run));
  }

  /** The step's last `run` with its last top-level pipeline. */
  private lastRun(node: StepNode): { run: RunScript; pipeline: number[] } | undefined {
    const runs = this.runsOf(node);
    const run = runs[runs.length - 1];
    const pipeline = run?.script.pipelines[run.script.pipelines.length - 1];
    return run && pipeline ? { run, pipeline } : undefined;
  }

  /**
   * Whether the step's last command is known to write nothing a condition could test
   * (`Restart-Service`), looking inside `Invoke-Command { ... }`, `& { ... }` and ForEach-Object.
   * A step with no `run` writes nothing; a pipeline that starts from a value writes that value.
   */
  writesNothing(node: StepNode): boolean {
    const runs = this.runsOf(node);
    // A command too deep to be parsed (powershell/parser.ts) may write anything.
    if (runs[runs.length - 1]?.script.tooDeep) return false;
    const last = this.lastRun(node);
    if (!last) return true;
    const { script } = last.run;
    let pipeline = last.pipeline;
    while (pipeline.length > 0) {
      const index = pipeline[0]!;
      const first = script.commands[index]!;
      if (first.position > 0) return false;
      const name = this.catalog.canonicalName(first.name).toLowerCase();
      if (!BLOCK_RUNNERS.has(name) && name !== FOR_EACH) {
        const cmdlet = this.catalog.cmdlet(first.name);
        return cmdlet !== undefined && !cmdlet.output;
      }
      pipeline = scriptBlockPipeline(script, index);
    }
    return false;
  }

  /** The objects the step's last command writes, when the catalog knows them. */
  outputOf(node: StepNode): OutputShape | undefined {
    const last = this.lastRun(node);
    return last ? this.pipelineOutput(last.run.script, last.pipeline, this.contextOf(last.run)) : undefined;
  }

  /** What reaches the command at `index` through its pipeline: the output of the commands (or value) before it. */
  inputOf(run: RunScript, index: number): OutputShape | undefined {
    const { script } = run;
    const command = script.commands[index];
    if (!command || command.position === 0) return undefined;
    const before = script.commands
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.pipeline === command.pipeline && c.position < command.position)
      .sort((a, b) => a.c.position - b.c.position)
      .map(({ i }) => i);
    if (before.length === 0) return this.headOutput(script, index, this.contextOf(run));
    return this.pipelineOutput(script, before, this.contextOf(run));
  }

  /** What the value at the head of a pipeline holds (`$r | ...`): a variable's assigned output. */
  private headOutput(script: PsScript, firstCommand: number, context: RunContext): OutputShape | undefined {
    const head = script.heads.find((h) => h.command === firstCommand);
    return head?.variable ? context.types.get(head.variable.toLowerCase()) : undefined;
  }

  private pipelineOutput(script: PsScript, pipeline: number[], context: RunContext): OutputShape | undefined {
    let shape: OutputShape | undefined;
    for (const [position, index] of pipeline.entries()) {
      const command = script.commands[index]!;
      const name = this.catalog.canonicalName(command.name).toLowerCase();
      if (position === 0) {
        // A pipeline that starts from a value: what the value holds, if a variable the step assigned.
        shape = command.position > 0 ? this.headOutput(script, index, context) : this.commandOutput(script, command, index, context);
        if (command.position === 0) {
          if (!shape) return undefined;
          continue;
        }
      }
      if (name === FOR_EACH && command.elements.some((e) => e.kind === 'argument' && e.argument.kind === 'scriptblock')) {
        // ForEach-Object writes what its block writes for each input object.
        shape = this.pipelineOutput(script, scriptBlockPipeline(script, index), context);
        continue;
      }
      if (!shape) return undefined;
      if (GROUP_OBJECT.has(name)) {
        const property = firstBareword(command);
        const grouped = property ? this.catalog.property(shape.type, property) : undefined;
        const groupInfo = this.catalog.outputType('GroupInfo') ?? { name: 'GroupInfo', properties: [{ name: 'Name' }, { name: 'Count' }, { name: 'Group' }] };
        shape = { cmdlet: command.name, type: groupInfo };
        if (grouped) shape.groupedBy = grouped;
      } else if (!PASS_THROUGH.has(name)) {
        return undefined;
      } else if (SELECT_OBJECT.has(name) && reshapes(command)) {
        // Objects of properties the runbook made up (`@{n='Since';e={…}}`), or the values of one
        // property (-ExpandProperty): what a condition may test there is not the cmdlet's to say.
        return undefined;
      }
    }
    return shape;
  }

  private commandOutput(script: PsScript, command: PsCommand, index: number, context: RunContext): OutputShape | undefined {
    // Invoke-Command and `& { ... }` write what their script block writes.
    if (BLOCK_RUNNERS.has(this.catalog.canonicalName(command.name).toLowerCase())) return this.pipelineOutput(script, scriptBlockPipeline(script, index), context);
    const cmdlet = this.catalog.cmdlet(command.name);
    const type = this.catalog.outputType(cmdlet?.output);
    return cmdlet && type ? { cmdlet: cmdlet.name, type } : undefined;
  }

  /** The property a condition tests, and its value set, given the step's output. */
  conditionProperty(shape: OutputShape, name: string): { property: OutputProperty; values?: string } | undefined {
    const property = this.catalog.property(shape.type, name);
    if (!property) return undefined;
    const values = shape.groupedBy && property.name.toLowerCase() === 'name' ? shape.groupedBy.values : property.values;
    return values ? { property, values } : { property };
  }
}

/** The last pipeline inside the script block of the command at `index`. */
function scriptBlockPipeline(script: PsScript, index: number): number[] {
  const inner = script.commands.map((c, i) => ({ c, i })).filter(({ c }) => c.parent === index);
  const last = inner[inner.length - 1]?.c.pipeline;
  return inner.filter(({ c }) => c.pipeline === last).map(({ i }) => i);
}

/** The argument written after a parameter (`-OutVariable r`). */
function nextArgument(command: PsCommand, parameter: PsCommand['elements'][number]): PsArgument | undefined {
  const next = command.elements[command.elements.indexOf(parameter) + 1];
  return next?.kind === 'argument' ? next.argument : undefined;
}

/** Select-Object with a calculated property or -ExpandProperty (or a prefix of it, as PowerShell binds `-exp`). */
function reshapes(command: PsCommand): boolean {
  return command.elements.some((e) =>
    e.kind === 'parameter' ? e.name.length >= 2 && 'expandproperty'.startsWith(e.name.toLowerCase()) : e.argument.text.includes('@{'),
  );
}

function firstBareword(command: PsCommand): string | undefined {
  for (const element of command.elements) {
    if (element.kind === 'parameter') {
      if (element.name.toLowerCase() === 'property' && element.colonArgument) return element.colonArgument.value;
      continue;
    }
    if (element.argument.kind === 'bareword' || element.argument.kind === 'string') return element.argument.value;
  }
  return undefined;
}

// The analysed runbook: the syntax tree with its references resolved and its PowerShell parsed,
// built once per document version and shared by every feature (diagnostics, completion, ...).
import type { CatalogIndex } from '../catalog';
import type { OutputProperty, OutputType } from '../catalog/types';
import { parseRunbook, splitLines } from '../language/parser';
import type { ParamDeclaration, Position, Procedure, Range, RunAction, Runbook, Step, StepReference } from '../language/syntax';
import { type PsCommand, type PsRange, type PsScript, parsePowerShell } from '../powershell/parser';

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
    let index = this.segmentOffsets.length - 1;
    while (index > 0 && this.segmentOffsets[index]! > offset) index--;
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

export interface StepNode {
  /** Unique key `procedureIndex:stepIndex`. */
  key: string;
  procedure: Procedure;
  step: Step;
  /** The step whose actions run: the step itself, or the step it reuses (chains followed). */
  source: { procedure: Procedure; step: Step };
  /** Whether following `step x = y` references ran into a cycle or a reference that does not resolve. */
  reuseBroken: boolean;
}

/** What a step's last command writes: the objects a `when` condition tests. */
export interface OutputShape {
  cmdlet: string;
  type: OutputType;
  /** After `Group-Object Status`, `Name` takes the values of Status. */
  groupedBy?: OutputProperty;
}

const GROUP_OBJECT = new Set(['group-object', 'group']);
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
  /** Steps whose reuse chain has been followed (see resolveReuse). */
  private readonly reuseResolved = new Set<StepNode>();
  /** Every parsed `run` of the document with the step it is written in, in document order. */
  readonly allScripts: { node: StepNode; run: RunScript }[] = [];

  /** `document`: the document's URI, so parsed blocks are reused for this document alone. */
  constructor(
    readonly text: string,
    readonly catalog: CatalogIndex,
    document = '',
  ) {
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
    return this.scripts.get(action);
  }

  /** The scripts a step runs (a reusing step runs the reused step's). */
  runsOf(node: StepNode): RunScript[] {
    const runs: RunScript[] = [];
    for (const action of node.source.step.actions) {
      const run = action.kind === 'run' ? this.scripts.get(action) : undefined;
      if (run) runs.push(run);
    }
    return runs;
  }

  /** Each procedure's steps by id (the first of a duplicated id), built when first asked. */
  private readonly stepsById = new Map<Procedure, Map<string, Step>>();

  private stepById(procedure: Procedure, id: string): Step | undefined {
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
  resolve(from: Procedure, reference: StepReference): { procedure: Procedure; step?: Step } | undefined {
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

  /**
   * Follows `step x = y` to the step whose actions run. Each step is followed once: a chain of
   * 3,000 reuses reuses what its next link found, instead of walking the rest of the chain again.
   */
  private resolveReuse(start: StepNode): void {
    const chain: StepNode[] = [];
    const onChain = new Set<StepNode>();
    let node = start;
    let broken = false;
    let source: { procedure: Procedure; step: Step } | undefined;
    for (;;) {
      if (this.reuseResolved.has(node)) {
        broken = node.reuseBroken;
        source = node.source;
        break;
      }
      if (!node.step.reuse) {
        source = { procedure: node.procedure, step: node.step };
        this.reuseResolved.add(node);
        break;
      }
      chain.push(node);
      onChain.add(node);
      const next = this.resolve(node.procedure, node.step.reuse);
      const nextNode = next?.step ? this.nodesByStep.get(next.step) : undefined;
      if (!nextNode || onChain.has(nextNode)) {
        broken = true;
        break;
      }
      node = nextNode;
    }
    for (const link of chain) {
      link.reuseBroken = broken;
      if (!broken && source) link.source = source;
      this.reuseResolved.add(link);
    }
  }

  /** The step's last top-level pipeline: what writes the objects its conditions test. */
  private lastPipeline(node: StepNode): { script: PsScript; pipeline: number[] } | undefined {
    const runs = this.runsOf(node);
    const script = runs[runs.length - 1]?.script;
    const pipeline = script?.pipelines[script.pipelines.length - 1];
    return script && pipeline ? { script, pipeline } : undefined;
  }

  /**
   * The command whose objects reach the end of the step's last pipeline (inside
   * `Invoke-Command { ... }` when that is where they come from).
   */
  writingCommand(node: StepNode): PsCommand | undefined {
    const last = this.lastPipeline(node);
    let pipeline = last?.pipeline;
    while (last && pipeline && pipeline.length > 0) {
      const first = last.script.commands[pipeline[0]!]!;
      if (first.name.toLowerCase() !== 'invoke-command') return first;
      pipeline = scriptBlockPipeline(last.script, pipeline[0]!);
    }
    return undefined;
  }

  /** The objects the step's last command writes, when the catalog knows them. */
  outputOf(node: StepNode): OutputShape | undefined {
    const last = this.lastPipeline(node);
    return last ? this.pipelineOutput(last.script, last.pipeline) : undefined;
  }

  /** What reaches the command at `index` through its pipeline: the output of the commands before it. */
  inputOf(script: PsScript, index: number): OutputShape | undefined {
    const command = script.commands[index];
    if (!command || command.position === 0) return undefined;
    const before = script.commands
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.pipeline === command.pipeline && c.position < command.position)
      .sort((a, b) => a.c.position - b.c.position)
      .map(({ i }) => i);
    return this.pipelineOutput(script, before);
  }

  private pipelineOutput(script: PsScript, pipeline: number[]): OutputShape | undefined {
    let shape: OutputShape | undefined;
    for (const [position, index] of pipeline.entries()) {
      const command = script.commands[index]!;
      const name = command.name.toLowerCase();
      if (position === 0) {
        shape = this.commandOutput(script, command, index);
        if (!shape) return undefined;
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
      }
    }
    return shape;
  }

  private commandOutput(script: PsScript, command: PsCommand, index: number): OutputShape | undefined {
    // Invoke-Command writes what its script block writes.
    if (command.name.toLowerCase() === 'invoke-command') return this.pipelineOutput(script, scriptBlockPipeline(script, index));
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

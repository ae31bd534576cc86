// Parses the PowerShell inside `run` actions with tree-sitter-powershell and reduces each command
// to a plain summary (commands, parameters, arguments, variables, comparisons) the analysis reads.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Language, type Node, Parser } from 'web-tree-sitter';
import { ByteBoundedCache } from '../util/boundedCache';
import { parseSimplePipeline, whereComparison } from './simple';

export interface PsRange {
  /** UTF-16 offsets into the command text, like tree-sitter's and LSP's. */
  start: number;
  end: number;
}

export type PsArgumentKind = 'string' | 'variable' | 'number' | 'bareword' | 'scriptblock' | 'expression';

export interface PsArgument {
  kind: PsArgumentKind;
  text: string;
  /** The string's content for strings, otherwise the text. */
  value: string;
  range: PsRange;
  /** For strings: the range of the content, without quotes. */
  valueRange: PsRange;
}

export type PsElement =
  /** `colon`: written `-Name:value`, so the argument after it is the parameter's, even a switch's (`-Confirm:$false`). */
  | { kind: 'parameter'; name: string; range: PsRange; colonArgument?: PsArgument; colon?: true }
  | { kind: 'argument'; argument: PsArgument };

export interface PsCommand {
  name: string;
  nameRange: PsRange;
  elements: PsElement[];
  range: PsRange;
  /** Id of the pipeline the command is in, and its place in it. */
  pipeline: number;
  position: number;
  /** Index (in `commands`) of the command whose script block argument holds this one. */
  parent?: number;
}

export interface PsVariable {
  /** Without `$`, braces and scope (`using:`, `script:`); lower case is not applied. */
  name: string;
  range: PsRange;
  assigned: boolean;
}

/** `$_.HealthSetName -eq "POP"` or `Where-Object HealthSetName -like POP*`. */
export interface PsComparison {
  property: string;
  operator: string;
  value: string;
  valueRange: PsRange;
  /** Every value of a list compared with `-in` / `-notin` (`$_.Name -in "A", "B"`), the first included. */
  values?: { value: string; valueRange: PsRange }[];
  /** The command (Where-Object, usually) whose script block or arguments hold the comparison. */
  command?: number;
}

/** `$r = Get-ServerHealth ...` or `$p = @{ Identity = $Server }`: what a variable is given. */
export interface PsAssignment {
  /** Without `$`, as written. */
  variable: string;
  range: PsRange;
  /** The pipeline assigned, as indexes into `commands` in pipeline order (empty for a plain value). */
  pipeline: number[];
  /** The entries of a hashtable literal, for splatting (`Set-MailboxServer @p`). */
  hashtable?: PsHashEntry[];
}

export interface PsHashEntry {
  key: string;
  keyRange: PsRange;
  value?: PsArgument;
}

/** A pipeline that starts from a value instead of a command: `$r | Format-List`, `'a','b' | % {...}`. */
export interface PsPipelineHead {
  /** Index of the first command after the value. */
  command: number;
  /** The variable piped, without `$`; absent for a literal or another expression. */
  variable?: string;
  range: PsRange;
}

export interface PsScript {
  commands: PsCommand[];
  /** Assignments in the order they are written. */
  assignments: PsAssignment[];
  /** Pipelines that start from a value; their commands' positions count the value as position 0. */
  heads: PsPipelineHead[];
  /** Top-level pipelines, as indexes into `commands`, in order. */
  pipelines: number[][];
  variables: PsVariable[];
  comparisons: PsComparison[];
  /** Where tree-sitter could not parse; empty when the command parsed cleanly. */
  errors: PsRange[];
  /**
   * The bracket past which the command nests deeper than MAX_NESTING: such a command is not parsed
   * (its summary is otherwise empty) and gets one warning instead.
   */
  tooDeep?: PsRange;
}

/**
 * How deep `(`, `{` and `[` may nest in one command before it is left unparsed. tree-sitter's time
 * grows steeply with depth (200 commands nested ~250 deep took ~3 s of CPU, bench/robust.mjs);
 * runbooks written by people nest a few levels. Documented in docs/language.md (`powershell-too-deep`).
 */
export const MAX_NESTING = 64;
const OPENING = /[({[]/g;

/**
 * The opening bracket at which the command nests deeper than MAX_NESTING, outside '…' and "…"
 * strings, or undefined. A quick count, not a parse: only commands nested this deep depend on it.
 */
export function tooDeepAt(text: string): PsRange | undefined {
  // Most commands have too few brackets to reach the limit: no scan for them.
  OPENING.lastIndex = 0;
  let brackets = 0;
  while (brackets <= MAX_NESTING && OPENING.test(text)) brackets++;
  if (brackets <= MAX_NESTING) return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '{' || c === '[') {
      if (++depth > MAX_NESTING) return { start: i, end: i + 1 };
    } else if ((c === ')' || c === '}' || c === ']') && depth > 0) depth--;
  }
  return undefined;
}

let parser: Parser | undefined;

/**
 * Whether pipelines of simple commands skip tree-sitter (powershell/simple.ts): same summaries, a
 * fraction of the time. Off only to measure the tree-sitter path against it (bench/robust.mjs).
 */
let fastPath = true;

export function setPowerShellFastPath(enabled: boolean): void {
  fastPath = enabled;
}

/** Finds a .wasm file next to the bundle (the shipped extension) or in node_modules (tests). */
function locate(file: string, packageFile: string): string {
  const beside = join(__dirname, file);
  if (existsSync(beside)) return beside;
  return require.resolve(packageFile);
}

export async function initPowerShellParser(): Promise<void> {
  if (parser) return;
  // V8 otherwise re-compiles the 1 MB grammar with TurboFan in the background: ~15 s of CPU at
  // start and a process that cannot exit until it is done, for no gain on commands this short
  // (bench/: parsing is faster with Liftoff alone).
  setFlagsFromString('--liftoff-only');
  await Parser.init({
    locateFile: (name: string) => locate(name, `web-tree-sitter/${name}`),
  });
  const language = await Language.load(locate('tree-sitter-powershell.wasm', 'tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const instance = new Parser();
  instance.setLanguage(language);
  parser = instance;
}

/**
 * Summaries by command text. Runbooks repeat commands (every "re-run the probe"), and re-analysis
 * on each keystroke would otherwise parse every command again; bounded by the bytes the summaries
 * hold (about 20 times their text, measured on the examples), so memory stays flat however long
 * the commands are.
 */
const CACHE_BYTES = 48 * 1024 * 1024;
const cache = new ByteBoundedCache<string, PsScript>(CACHE_BYTES, (text, script) => 2 * text.length * 4 + 400 * (script.commands.length + script.variables.length + script.comparisons.length + script.errors.length) + 200);

/**
 * PowerShell reads typographic quotes (typed by Chinese and Japanese input methods) as the plain
 * ones, every Unicode space (the ideographic space U+3000 those input methods type, a no-break
 * space pasted from a web page) as a space, and an en or em dash starting a parameter or operator
 * (`–Server`, `–eq`: what a word processor or a web page makes of `-`) as a dash;
 * tree-sitter-powershell does none of it. One UTF-16 unit each, so offsets stay the same.
 */
export function plainText(text: string): string {
  return text
    .replace(/[\u201C\u201D\u201E]/g, '"')
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    // Every space separator but the ASCII space itself (already one).
    .replace(/[^\P{Zs} ]/gu, ' ')
    .replace(/(?<=[\s(]|^)[\u2013\u2014\u2015](?=\p{L})/gu, '-');
}

export function parsePowerShell(text: string): PsScript {
  const cached = cache.get(text);
  if (cached) return cached;
  const plain = plainText(text);
  // Commands without typographic quotes (whose list texts tree-sitter's path takes from either
  // spelling) may take the fast path; it answers undefined for anything but the simple shape.
  const simple = fastPath && plain === text ? (parseSimplePipeline(plain) ?? unclosedSimple(plain)) : undefined;
  if (simple) {
    cache.set(text, simple);
    return simple;
  }
  const tooDeep = tooDeepAt(plain);
  if (tooDeep) {
    const script: PsScript = { commands: [], assignments: [], heads: [], pipelines: [], variables: [], comparisons: [], errors: [], tooDeep };
    cache.set(text, script);
    return script;
  }
  let script = listParse(plain, text);
  if (!script) {
    try {
      script = summarize(plain, text, [], plain);
    } catch {
      // Whatever tree-sitter or the summary cannot take stays a problem of this one command.
      script = { commands: [], assignments: [], heads: [], pipelines: [], variables: [], comparisons: [], errors: [{ start: 0, end: text.length }] };
    }
  }
  cache.set(text, script);
  return script;
}

/**
 * A block left unclosed (`Invoke-Command … {` and the lines of its body, no `}`) whose lines the fast
 * path reads once the block is closed: that summary, cut at the text's end, with the one error
 * tree-sitter gives such a text, over all of it (its error recovery cannot tell where the block was
 * meant to end). Its commands are the ones the admin wrote, the block's command included.
 */
function unclosedSimple(plain: string): PsScript | undefined {
  if (!unclosable(plain) || !plain.includes('\n')) return undefined;
  const closed = parseSimplePipeline(plain + '\n}');
  if (!closed) return undefined;
  const end = plain.length;
  const cut = (range: PsRange): void => {
    range.end = Math.min(range.end, end);
  };
  for (const command of closed.commands) {
    cut(command.range);
    for (const element of command.elements) {
      if (element.kind !== 'argument' || element.argument.range.end <= end) continue;
      const { argument } = element;
      cut(argument.range);
      cut(argument.valueRange);
      argument.text = argument.value = plain.slice(argument.range.start, end);
    }
  }
  return { ...closed, errors: [{ start: 0, end }] };
}

/** tree-sitter's reading of the text as written, no list comma blanked: what the list reading is tested against. */
export function parseAsWritten(text: string): PsScript {
  const plain = plainText(text);
  return summarize(plain, text, [], plain);
}

/**
 * tree-sitter-powershell has no bareword lists (`Format-Table Name, Status`, `-ComputerName
 * $Cas, $Mailbox`): it recovers from an error at each. The text with those commas blanked out (same
 * offsets) parses, and the list items are merged back into one argument. That parse is tried first
 * and taken when clean, since error recovery at every list costs more than the parse itself (a
 * 10,000-line block: 1.6 s as written, 0.45 s blanked). Where the text as written parses cleanly too,
 * the summary is the same (psFastPath.test.ts), but for `Name ,Status`: PowerShell reads the list
 * `Name, Status` (the blanked reading), tree-sitter an array `,Status` of its own. Undefined when the
 * text has no list, or no spelling of it parses cleanly but as written.
 */
function listParse(plain: string, original: string): PsScript | undefined {
  const commas = listCommas(plain);
  if (commas.length === 0) return undefined;
  // The commas of an array in parentheses (`@($Server, $Cas) | % { … }`) are tree-sitter's own: first
  // only the others are blanked; then, for a command inside parentheses (`(Get-Service A, B)`), all.
  const outside = commas.filter((at) => !at.inParentheses).map((at) => at.offset);
  if (unclosable(plain)) {
    // An error whatever is done with its commas: its one parse is the one with its lists read,
    // whose errors are the text's real ones.
    if (outside.length === 0) return undefined;
    try {
      return summarize(blank(plain, outside), original, outside, plain);
    } catch {
      return undefined;
    }
  }
  const all = commas.map((at) => at.offset);
  for (const blanked of outside.length === all.length ? [all] : outside.length > 0 ? [outside, all] : [all]) {
    const clean = cleanParse(plain, original, blanked);
    if (clean) return clean;
  }
  return undefined;
}

function blank(plain: string, commas: number[]): string {
  const characters = plain.split('');
  for (const at of commas) characters[at] = ' ';
  return characters.join('');
}

/** The summary of `plain` with the commas at `blanked` blanked out, if that parses cleanly. */
function cleanParse(plain: string, original: string, blanked: number[]): PsScript | undefined {
  try {
    // Only a clean parse is taken: one that still has errors is dropped before its tree is
    // walked (the walk, a call into wasm per node, costs more than the parse).
    const alternative = summarize(blank(plain, blanked), original, blanked, plain, true);
    return alternative && alternative.errors.length === 0 ? alternative : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `source` is what tree-sitter parses; `plain` the same before any list comma was blanked out of it.
 * With `cleanOnly`, a tree with errors (whose summary would list them) is not summarised: undefined.
 */
function summarize(source: string, original: string, commas: number[], plain: string): PsScript;
function summarize(source: string, original: string, commas: number[], plain: string, cleanOnly: true): PsScript | undefined;
function summarize(source: string, original: string, commas: number[], plain: string, cleanOnly = false): PsScript | undefined {
  if (!parser) throw new Error('The PowerShell parser is not initialised: call initPowerShellParser() first.');
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    // `hasError` is set exactly when the tree holds an ERROR or missing node, which collectErrors lists.
    if (cleanOnly && tree.rootNode.hasError) return undefined;
    return new Summarizer(original, commas, plain).summarize(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/**
 * Whether no spelling of the text's list commas can make it parse without an error: a `{` that starts
 * a token (at the start or after a blank) and no `}` anywhere. In tree-sitter-powershell's grammar
 * every `{` token (script block, statement block, hashtable, switch, function, class, enum) is closed
 * by a `}` token, and no other token starts with `{`; without quotes, `#`, `@`, `%` and backticks no
 * string, comment, here-string or verbatim argument can hold a blank before it. Blanking commas keeps
 * all of that true, so no clean parse is to be looked for: the one parse is the blanked one
 * (server/test/psFastPath.test.ts checks the claim against tree-sitter).
 */
export function unclosable(text: string): boolean {
  return !/[}"'#@%`]/.test(text) && /(?:^|[ \t\r\n])\{/.test(text);
}

/**
 * Commas between two list items outside quotes (`a, b`, `$x,$y`, `A*, B`, a calculated property
 * `Name, @{n='Since';e={…}}` and the names after one), and whether each is
 * directly inside parentheses (an array expression, where tree-sitter reads lists itself).
 */
function listCommas(text: string): { offset: number; inParentheses: boolean }[] {
  const commas: { offset: number; inParentheses: boolean }[] = [];
  const open: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '$' && text[i + 1] === '{') {
      // A braced variable name (`${ any text, even commas }`) ends at its first `}` no backtick escapes.
      const end = /(?<!`)\}/g;
      end.lastIndex = i + 2;
      const found = end.exec(text);
      if (!found) break;
      i = found.index;
    } else if (c === '(' || c === '{') open.push(c);
    else if (c === ')' || c === '}') open.pop();
    // A line break may follow a list comma (the list goes on), not come before one (the statement ended).
    else if (c === ',' && /[\p{L}\p{N}_*}][^\S\n]*$/u.test(text.slice(Math.max(0, i - 40), i)) && /^\s*(?:[\p{L}\p{N}_*$]|@\{)/u.test(text.slice(i + 1, i + 41))) {
      commas.push({ offset: i, inParentheses: open[open.length - 1] === '(' });
    }
  }
  return commas;
}

export function clearPowerShellCache(): void {
  cache.clear();
}

interface WalkContext {
  parent?: number;
  pipeline?: number;
  topLevel: boolean;
}

const range = (node: Node): PsRange => ({ start: node.startIndex, end: node.endIndex });

/** The value under a pipeline that holds one value and nothing else (`$true` in `@{ X = $true }`). */
function singleValue(node: Node): Node {
  let inner = node;
  while (inner.namedChildCount === 1 && inner.type !== 'string_literal' && inner.type !== 'script_block_expression' && inner.type !== 'array_literal_expression') {
    inner = inner.namedChild(0)!;
  }
  return inner;
}

class Summarizer {
  private readonly script: PsScript = { commands: [], assignments: [], heads: [], pipelines: [], variables: [], comparisons: [], errors: [] };
  private readonly pipelineLengths: number[] = [];

  /** `original` is the command as written; `commas` the list commas blanked out of what was parsed. */
  constructor(
    private readonly original: string,
    private readonly commas: number[],
    private readonly plain: string,
  ) {}

  summarize(root: Node): PsScript {
    this.walk(root, { topLevel: true });
    // Each is a walk of its own over the tree: only when the text can have what it looks for.
    if (this.original.includes('|')) this.pipelineHeads(root);
    if (this.original.includes('=')) this.assignments(root);
    if (root.hasError) this.collectErrors(root);
    return this.script;
  }

  /**
   * One walk over the tree, with an explicit stack rather than recursion: 300 nested `(` make a
   * tree thousands of levels deep, which would overflow the call stack. Children are visited in
   * document order (pushed in reverse), so commands get their indexes as a recursive walk gives them.
   * `parent` is the command whose script block we are in, if any.
   */
  private walk(root: Node, rootContext: WalkContext): void {
    const stack: { node: Node; context: WalkContext }[] = [{ node: root, context: rootContext }];
    const pushChildren = (node: Node, context: WalkContext): void => {
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child) stack.push({ node: child, context });
      }
    };
    while (stack.length > 0) {
      const { node, context } = stack.pop()!;
      // Each `type` is a call into wasm: read once.
      const type = node.type;
      switch (type) {
        case 'pipeline': {
          const pipeline = this.pipelineLengths.push(0) - 1;
          if (context.topLevel) this.script.pipelines.push([]);
          pushChildren(node, { ...context, pipeline });
          continue;
        }
        case 'command': {
          const pipeline = context.pipeline ?? this.pipelineLengths.push(0) - 1;
          const position = this.pipelineLengths[pipeline]!++;
          const children = node.namedChildren;
          const { index, elements } = this.command(node, children, pipeline, position, context.parent);
          if (context.topLevel) this.script.pipelines[this.script.pipelines.length - 1]?.push(index);
          // `& { ... }`: the block's commands run as the command's own. Pushed before the elements
          // so that, popped after them, it is walked after them as before.
          const block = children.find((c) => c?.type === 'command_name_expr');
          if (block) stack.push({ node: block, context: { parent: index, topLevel: false } });
          const inner: WalkContext = { parent: index, topLevel: false };
          for (let i = elements.length - 1; i >= 0; i--) {
            const element = elements[i];
            if (element) stack.push({ node: element, context: inner });
          }
          continue;
        }
        case 'variable':
          this.variable(node, false);
          continue;
        case 'assignment_expression': {
          const left = node.namedChild(0);
          if (left) this.markAssigned(left);
          break;
        }
        case 'foreach_statement': {
          const loopVariable = node.namedChildren.find((c) => c?.type === 'variable');
          if (loopVariable) this.variable(loopVariable, true);
          break;
        }
        case 'script_parameter': {
          // `{ param($Name) … }` (a script block run with -ArgumentList) or a function's
          // parameter: defined by the block itself, not a parameter the runbook must declare.
          const declared = node.namedChildren.find((c) => c?.type === 'variable');
          if (declared) this.variable(declared, true);
          break;
        }
        case 'comparison_expression':
          this.comparison(node, context.parent);
          break;
      }
      const inner: WalkContext = { ...context, topLevel: context.topLevel && type !== 'script_block' };
      // A pipeline's commands sit under pipeline_chain; anything deeper starts its own pipeline.
      if (type !== 'pipeline_chain') delete inner.pipeline;
      pushChildren(node, inner);
    }
  }

  /** Adds the command; its index, and the nodes of its elements (walked next: read once here, a call into wasm each). */
  private command(node: Node, children: (Node | null)[], pipeline: number, position: number, parent: number | undefined): { index: number; elements: (Node | null)[] } {
    const nameNode = node.childForFieldName('command_name');
    const elementsNode = node.childForFieldName('command_elements');
    const elementNodes = elementsNode?.namedChildren ?? [];
    const elements: PsElement[] = [];
    if (elementsNode) {
      for (const child of elementNodes) {
        if (!child || child.type === 'command_argument_sep' || child.type === 'redirection') continue;
        if (child.type === 'command_parameter') {
          const text = child.text;
          const name = text.replace(/^-+/, '').replace(/:$/, '');
          const parameter: PsElement = { kind: 'parameter', name, range: range(child) };
          // tree-sitter-powershell leaves the colon of `-Confirm:$false` out of the parameter token.
          if (text.endsWith(':') || this.original[child.endIndex] === ':') parameter.colon = true;
          elements.push(parameter);
          continue;
        }
        const argument = this.argument(child);
        if (argument.kind === 'bareword' && argument.text.includes('$')) this.barewordVariables(argument);
        const previous = elements[elements.length - 1];
        // `a, b`: one list argument, as PowerShell reads it.
        if (previous?.kind === 'argument' && this.commaBetween(previous.argument.range.end, argument.range.start)) {
          const range = { start: previous.argument.range.start, end: argument.range.end };
          const text = this.original.slice(range.start, range.end);
          previous.argument = { kind: 'expression', text, value: text, range, valueRange: range };
          continue;
        }
        // `-Identity:$x` is one parameter with its argument attached.
        if (previous?.kind === 'parameter' && this.plain[previous.range.end - 1] === ':') {
          previous.colonArgument = argument;
          continue;
        }
        elements.push({ kind: 'argument', argument });
      }
    }
    this.mergePlaceholders(elements);
    const invoked = children.find((c) => c?.type === 'command_invokation_operator');
    const command: PsCommand = {
      // `& { ... }` and `& $path` are named after their operator.
      name: nameNode && nameNode.type !== 'command_name_expr' ? nameNode.text : (invoked?.text ?? ''),
      nameRange: nameNode ? range(nameNode) : { start: node.startIndex, end: node.startIndex },
      elements,
      range: range(node),
      pipeline,
      position,
    };
    if (parent !== undefined) command.parent = parent;
    this.script.commands.push(command);
    const comparison = whereComparison(this.script.commands, this.script.commands.length - 1);
    if (comparison) this.script.comparisons.push(comparison);
    return { index: this.script.commands.length - 1, elements: elementNodes };
  }

  /** Whether a blanked list comma lies in [from, to): a binary search, the commas are in order (a 10,000-line command has 10,000). */
  private commaBetween(from: number, to: number): boolean {
    const { commas } = this;
    let low = 0;
    let high = commas.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (commas[middle]! < from) low = middle + 1;
      else high = middle;
    }
    return low < commas.length && commas[low]! < to;
  }

  /**
   * `<CAS server name>` left from the documentation is read as three barewords; as one argument it
   * binds to one parameter and is quoted whole in messages.
   */
  private mergePlaceholders(elements: PsElement[]): void {
    for (let i = 0; i < elements.length; i++) {
      const first = elements[i]!;
      if (first.kind !== 'argument' || first.argument.kind !== 'bareword' || !/^<[^>]*$/u.test(first.argument.text)) continue;
      let last = i + 1;
      while (last < elements.length) {
        const next = elements[last]!;
        if (next.kind !== 'argument' || next.argument.kind !== 'bareword') break;
        if (next.argument.text.includes('>')) break;
        last++;
      }
      const closing = elements[last];
      if (closing?.kind !== 'argument' || closing.argument.kind !== 'bareword' || !/^[^<]*>$/u.test(closing.argument.text)) continue;
      const range = { start: first.argument.range.start, end: closing.argument.range.end };
      const text = this.original.slice(range.start, range.end);
      first.argument = { kind: 'bareword', text, value: text, range, valueRange: range };
      elements.splice(i + 1, last - i);
    }
  }

  private argument(node: Node): PsArgument {
    let inner = node;
    // array_literal_expression > unary_expression > the value, when it is a single value.
    while ((inner.type === 'array_literal_expression' || inner.type === 'unary_expression') && inner.namedChildCount === 1) {
      inner = inner.namedChild(0)!;
    }
    // An argument's text with its list commas, not as parsed with them blanked (`{ Format-Table Name, Status }`).
    const text = this.commas.length > 0 ? this.plain.slice(node.startIndex, node.endIndex) : node.text;
    const base = { text, range: range(node), valueRange: range(node), value: text };
    switch (inner.type) {
      case 'string_literal': {
        const literal = inner.namedChild(0) ?? inner;
        const quoted = literal.text;
        const isHere = quoted.startsWith('@');
        const open = isHere ? 2 : 1;
        const value = quoted.slice(open, quoted.length - open);
        return { ...base, kind: 'string', value, valueRange: { start: literal.startIndex + open, end: literal.endIndex - open } };
      }
      case 'variable':
        return { ...base, kind: 'variable' };
      case 'integer_literal':
      case 'real_literal':
        return { ...base, kind: 'number' };
      case 'generic_token':
        return { ...base, kind: 'bareword' };
      case 'script_block_expression':
        return { ...base, kind: 'scriptblock' };
      default:
        return { ...base, kind: 'expression' };
    }
  }

  private variable(node: Node, assigned: boolean): void {
    this.variableNamed(node.text, range(node), assigned);
  }

  private variableNamed(text: string, at: PsRange, assigned: boolean): void {
    let name = text.replace(/^[$@]/, '').replace(/^\{(.*)\}$/, '$1');
    if (/^env:/i.test(name)) return;
    name = name.replace(/^(using|script|global|local|private):/i, '');
    // `${function:Restart-Service}`, `$variable:x`, `${c:\file}`: an item of a PowerShell drive, not a variable to declare.
    if (/^[A-Za-z]\w*:/.test(name)) return;
    this.script.variables.push({ name, range: at, assigned });
  }

  /** PowerShell expands variables inside a bareword argument (`sc.exe \\$Server stop`, `\\$Server\c$\Logs`); tree-sitter keeps it one token. */
  private barewordVariables(argument: PsArgument): void {
    const found = /(^|[^`])(\$(?:\{[^}]+\}|[A-Za-z_]\w*(?::[A-Za-z_]\w*)?))/g;
    for (let match = found.exec(argument.text); match; match = found.exec(argument.text)) {
      const start = argument.range.start + match.index + match[1]!.length;
      this.variableNamed(match[2]!, { start, end: start + match[2]!.length }, false);
    }
  }

  private markAssigned(node: Node): void {
    const variables = node.type === 'variable' ? [node] : node.descendantsOfType('variable');
    for (const v of variables) if (v) this.variable(v, true);
  }

  private comparison(node: Node, command: number | undefined): void {
    const operator = node.namedChildren.find((c) => c?.type === 'comparison_operator');
    if (!operator) return;
    const left = node.namedChild(0);
    const right = node.namedChildren[node.namedChildren.length - 1];
    if (!left || !right || right.id === left.id) return;
    const member = left.descendantsOfType('member_name').pop();
    if (!member) return;
    const literals = right.descendantsOfType('string_literal');
    const literal = literals[0];
    if (!literal) return;
    const argument = this.argument(literal);
    const comparison: PsComparison = { property: member.text, operator: operator.text.toLowerCase(), value: argument.value, valueRange: argument.valueRange };
    if (/^-[ic]?(not)?in$/.test(comparison.operator)) {
      comparison.values = literals.flatMap((l) => (l ? [this.argument(l)] : [])).map((a) => ({ value: a.value, valueRange: a.valueRange }));
    }
    if (command !== undefined) comparison.command = command;
    this.script.comparisons.push(comparison);
  }

  /** Pipelines whose first element is a value; the commands after it move one place down the pipeline. */
  private pipelineHeads(root: Node): void {
    for (const chain of root.descendantsOfType('pipeline_chain')) {
      const first = chain?.namedChild(0);
      if (!chain || !first || first.type === 'command') continue;
      const next = chain.namedChildren.find((c) => c?.type === 'command');
      const index = next ? this.script.commands.findIndex((c) => c.range.start === next.startIndex) : -1;
      if (index < 0) continue;
      const head: PsPipelineHead = { command: index, range: range(first) };
      const variable = /^\$([\w:]+)$/u.exec(first.text.trim())?.[1];
      if (variable) head.variable = variable.replace(/^(using|script|global|local|private):/i, '');
      this.script.heads.push(head);
      const pipeline = this.script.commands[index]!.pipeline;
      for (const command of this.script.commands) if (command.pipeline === pipeline) command.position++;
    }
  }

  private assignments(root: Node): void {
    for (const node of root.descendantsOfType('assignment_expression')) {
      const left = node?.namedChild(0);
      const value = node?.namedChildren[node.namedChildCount - 1];
      if (!node || !left || !value || value.id === left.id) continue;
      const variable = /^\$([\w:]+)$/u.exec(left.text.trim())?.[1]?.replace(/^(using|script|global|local|private):/i, '');
      if (!variable) continue;
      const inside = (r: PsRange): boolean => r.start >= value.startIndex && r.end <= value.endIndex;
      const { commands } = this.script;
      const top = commands.findIndex((c) => inside(c.range) && (c.parent === undefined || !inside(commands[c.parent]!.range)));
      const pipeline = top < 0 ? [] : commands.map((c, i) => ({ c, i })).filter(({ c }) => c.pipeline === commands[top]!.pipeline).sort((a, b) => a.c.position - b.c.position).map(({ i }) => i);
      const assignment: PsAssignment = { variable, range: range(left), pipeline };
      const hash = value.descendantsOfType('hash_literal_expression')[0];
      if (hash && value.text.trim() === hash.text.trim()) assignment.hashtable = this.hashEntries(hash);
      this.script.assignments.push(assignment);
    }
  }

  private hashEntries(hash: Node): PsHashEntry[] {
    const entries: PsHashEntry[] = [];
    for (const entry of hash.descendantsOfType('hash_entry')) {
      // Only the hashtable's own entries, not those of a hashtable nested in a value.
      if (!entry || entry.parent?.parent?.id !== hash.id) continue;
      const keyNode = entry.namedChild(0);
      const valueNode = entry.namedChild(1);
      if (!keyNode) continue;
      const literal = keyNode.descendantsOfType('string_literal')[0];
      const keyArgument = literal ? this.argument(literal) : undefined;
      const found: PsHashEntry = { key: keyArgument?.value ?? keyNode.text, keyRange: keyArgument?.valueRange ?? range(keyNode) };
      if (valueNode) found.value = this.argument(singleValue(valueNode));
      entries.push(found);
    }
    return entries;
  }

  /** The outermost ERROR and missing nodes; iterative for the same reason as `walk`. */
  private collectErrors(root: Node): void {
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'ERROR' || node.isMissing) {
        this.script.errors.push(range(node));
        continue;
      }
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child?.hasError) stack.push(child);
      }
    }
  }
}

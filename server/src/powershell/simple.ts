// The fast path of the PowerShell parser: pipelines of simple commands (`Verb-Noun -Param
// value ... | Verb-Noun ...` with words, numbers, strings with plain `$name`s, variables, lists, a
// `?{ $_.X -eq "v" }` filter or a `{ Verb-Noun ... }` block, whose pipelines may be on lines of their
// own) summarised without tree-sitter into
// exactly the summary the tree-sitter path gives (server/test/psFastPath.test.ts compares them).
// `$name = ` before such a pipeline is read too. Anything else (other assignments, statements,
// subexpressions, escapes, odd tokens) answers undefined and goes to tree-sitter.
import type { PsArgument, PsCommand, PsComparison, PsElement, PsScript, PsVariable } from './parser';

/** What separates words here: a space only (tree-sitter-powershell reads a tab inside a command as an error). */
const isBlank = (c: number): boolean => c === 32;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95; // _

/*
 * Runs of characters are skipped with sticky regular expressions rather than a loop per character:
 * on a cold start (the case this path is for) V8 still interprets our loops, while a regular
 * expression runs as compiled code from its first use.
 */
const LETTERS = /[A-Za-z]*/y;
const WORD_CHARS = /[A-Za-z0-9_]*/y;
const DIGITS = /[0-9]*/y;
const BAREWORD_CHARS = /[A-Za-z0-9_.\\:*\/-]*/y;
const BLANKS = / */y;
const SINGLE_QUOTED = /[^'\n\r]*/y;
const DOUBLE_QUOTED = /[^"$`\n\r]*/y;

/** `$name = ` before a pipeline: a plain variable assigned a pipeline's output (`$r = Get-ServerHealth ...`). */
const ASSIGNED = /\$([A-Za-z_][A-Za-z0-9_]*) *= */y;

/** Line breaks and the indentation after them, inside a block of several lines. */
const LINE_BREAKS = /[ \n]*/y;

const NEWLINE = 10;
const PIPE = 124;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** `$_.Property -eq "value"` operators the filter blocks may use (tree-sitter reads each as a comparison). */
const FILTER_OPERATORS = new Set(['eq', 'ne', 'like', 'notlike', 'match', 'notmatch', 'ieq', 'ine', 'ilike', 'ceq', 'cne', 'clike']);

class SimpleScanner {
  /** Inside `{ }` (one level at most): there a `}` ends a token too. */
  private inBlock = false;
  readonly commands: PsCommand[] = [];
  readonly variables: PsVariable[] = [];
  readonly comparisons: PsComparison[] = [];

  /** `at` is where the pipeline starts; `pipelineCount` the pipelines tree-sitter's walk numbered before it. */
  constructor(
    private readonly text: string,
    private at = 0,
    private pipelineCount = 0,
  ) {}

  /** Moves past the run of characters `pattern` (sticky, matching the empty string too) matches here. */
  private skip(pattern: RegExp): void {
    pattern.lastIndex = this.at;
    pattern.test(this.text);
    this.at = pattern.lastIndex;
  }

  private skipBlanks(): void {
    if (this.text.charCodeAt(this.at) === 32) this.skip(BLANKS);
  }

  /** Where a token must end: a blank, a pipe, a list comma, the end of the command, or the block's `}`. */
  private endsToken(at: number): boolean {
    if (at >= this.text.length) return true;
    const c = this.text.charCodeAt(at);
    return isBlank(c) || c === PIPE || c === COMMA || (this.inBlock && (c === CLOSE_BRACE || c === NEWLINE));
  }

  /** Whether the current pipeline ends here: the end of the text, or of the block. */
  private atPipelineEnd(): boolean {
    if (this.at >= this.text.length) return true;
    const c = this.text.charCodeAt(this.at);
    return this.inBlock && (c === CLOSE_BRACE || c === NEWLINE);
  }

  /**
   * The commands of one pipeline, numbered in document order as tree-sitter's walk numbers them
   * (a command before the commands of its script block); undefined when the text is not of the simple shape.
   */
  pipeline(parent?: number): number[] | undefined {
    const id = this.pipelineCount++;
    const members: number[] = [];
    this.skipBlanks();
    for (;;) {
      const index = this.command(members.length, id, parent);
      if (index === undefined) return undefined;
      members.push(index);
      this.skipBlanks();
      if (this.atPipelineEnd()) return members;
      // The command stopped at a pipe: the whitespace before it belongs to the command, as in tree-sitter.
      this.commands[index]!.range.end = this.at;
      if (this.text.charCodeAt(this.at) !== PIPE) return undefined;
      this.at++;
      this.skipBlanks();
    }
  }

  private command(position: number, pipeline: number, parent: number | undefined): number | undefined {
    const { text } = this;
    const start = this.at;
    if (text.charCodeAt(start) === 63 && text.charCodeAt(start + 1) === OPEN_BRACE && !this.inBlock) {
      // `?{ $_.Property -eq "value" }`: the alias is its own name, the block follows it directly.
      this.at++;
    } else {
      // Verb-Noun only: other names can be keywords (`foreach`, `if`) or aliases with their own syntax.
      this.skip(LETTERS);
      if (this.at === start || text.charCodeAt(this.at) !== 45 || !isLetter(text.charCodeAt(this.at + 1))) return undefined;
      this.at++;
      this.skip(WORD_CHARS);
      if (!this.endsToken(this.at) || text.charCodeAt(this.at) === COMMA) return undefined;
    }
    const nameRange = { start, end: this.at };
    const elements: PsElement[] = [];
    const index = this.commands.length;
    const command: PsCommand = { name: text.slice(start, nameRange.end), nameRange, elements, range: { start, end: this.at }, pipeline, position };
    if (parent !== undefined) command.parent = parent;
    this.commands.push(command);
    for (;;) {
      this.skipBlanks();
      if (this.atPipelineEnd() || text.charCodeAt(this.at) === PIPE) break;
      const c = text.charCodeAt(this.at);
      if (c === 45 && isLetter(text.charCodeAt(this.at + 1))) {
        const parameterStart = this.at;
        this.at++;
        // Letters only: tree-sitter-powershell ends a parameter at a digit (`-TimeoutSec41`).
        this.skip(LETTERS);
        const parameterEnd = this.at;
        const colon = text.charCodeAt(this.at) === 58;
        if (colon) {
          // `-Confirm:$false`: tree-sitter-powershell leaves the colon out of the parameter and reads
          // the value as the next argument; a colon with nothing after it is left to tree-sitter.
          this.at++;
          let next = this.at;
          while (next < text.length && isBlank(text.charCodeAt(next))) next++;
          if (next >= text.length || text.charCodeAt(next) === PIPE || text.charCodeAt(next) === CLOSE_BRACE) return undefined;
        } else if (!this.endsToken(this.at) || text.charCodeAt(this.at) === COMMA) return undefined;
        const parameter: PsElement = { kind: 'parameter', name: text.slice(parameterStart + 1, parameterEnd), range: { start: parameterStart, end: parameterEnd } };
        if (colon) parameter.colon = true;
        elements.push(parameter);
        command.range.end = this.at;
        continue;
      }
      const argument = c === OPEN_BRACE ? this.block(index) : this.argument();
      if (!argument) return undefined;
      elements.push({ kind: 'argument', argument });
      command.range.end = argument.range.end;
    }
    return index;
  }

  /**
   * A script block argument of one of two shapes: a filter (`{ $_.Name -eq "x" -and ... }`, whose
   * comparisons the checks read) or a pipeline of simple commands (`Invoke-Command ... { Restart-Service X }`).
   */
  private block(command: number): PsArgument | undefined {
    const { text } = this;
    if (this.inBlock) return undefined;
    const start = this.at;
    this.at++;
    this.inBlock = true;
    this.skipBlanks();
    const ok = text.charCodeAt(this.at) === NEWLINE ? this.statements(command) : text.charCodeAt(this.at) === 36 ? this.filter(command) : this.pipeline(command) !== undefined;
    this.inBlock = false;
    if (!ok) return undefined;
    this.skipBlanks();
    if (text.charCodeAt(this.at) !== CLOSE_BRACE) return undefined;
    this.at++;
    if (!this.endsToken(this.at) || text.charCodeAt(this.at) === COMMA) return undefined;
    const range = { start, end: this.at };
    const value = text.slice(start, this.at);
    return { kind: 'scriptblock', text: value, value, range, valueRange: { ...range } };
  }

  /**
   * A block of several lines (`Invoke-Command ... {` / one pipeline of simple commands a line / `}`),
   * each line a pipeline of its own, as tree-sitter numbers them; blank lines between them are skipped.
   * A line with a blank at its end is left to tree-sitter.
   */
  private statements(command: number): boolean {
    const { text } = this;
    for (;;) {
      // At a line's end: past it, and past the indentation (and blank lines) before the next.
      if (text.charCodeAt(this.at) !== NEWLINE) return false;
      this.skip(LINE_BREAKS);
      if (text.charCodeAt(this.at) === CLOSE_BRACE) return true;
      if (this.pipeline(command) === undefined) return false;
      if (isBlank(text.charCodeAt(this.at - 1))) return false;
    }
  }

  /** `$_.Name -op "value"` joined by `-and` / `-or`, each a comparison of the command. */
  private filter(command: number): boolean {
    const { text } = this;
    // The block's expression is a pipeline of its own in tree-sitter's tree: it takes a number.
    this.pipelineCount++;
    for (;;) {
      if (text.charCodeAt(this.at) !== 36 || text.charCodeAt(this.at + 1) !== 95 || text.charCodeAt(this.at + 2) !== 46) return false;
      this.variables.push({ name: '_', range: { start: this.at, end: this.at + 2 }, assigned: false });
      this.at += 3;
      const propertyStart = this.at;
      this.skip(LETTERS);
      if (this.at === propertyStart || !isBlank(text.charCodeAt(this.at))) return false;
      const property = text.slice(propertyStart, this.at);
      this.skipBlanks();
      const operator = this.operator();
      if (!operator || !FILTER_OPERATORS.has(operator)) return false;
      this.skipBlanks();
      const quote = text.charCodeAt(this.at);
      if (quote !== 34 && quote !== 39) return false;
      const value = this.item();
      if (value?.kind !== 'string') return false;
      this.comparisons.push({ property, operator: '-' + operator, value: value.value, valueRange: value.valueRange, command });
      this.skipBlanks();
      if (text.charCodeAt(this.at) === CLOSE_BRACE) return true;
      const joiner = this.operator();
      if (joiner !== 'and' && joiner !== 'or') return false;
      this.skipBlanks();
    }
  }

  /** `-word ` as a lower-case operator name, or undefined. */
  private operator(): string | undefined {
    const { text } = this;
    if (text.charCodeAt(this.at) !== 45) return undefined;
    const start = ++this.at;
    this.skip(LETTERS);
    if (this.at === start || !isBlank(text.charCodeAt(this.at))) return undefined;
    return text.slice(start, this.at).toLowerCase();
  }

  /** One argument: an item, or items separated by commas (one list argument, as PowerShell reads it). */
  private argument(): PsArgument | undefined {
    const { text } = this;
    const first = this.item();
    if (!first) return undefined;
    let last = first;
    for (;;) {
      const before = this.at;
      this.skipBlanks();
      if (text.charCodeAt(this.at) !== COMMA) {
        this.at = before;
        break;
      }
      // Only the commas the tree-sitter path reads as a list either way (parser.ts, listCommas):
      // a word character or `*` right before, and one or `$` within 40 characters after.
      // A blank before the comma (`$a ,B`): tree-sitter reads a unary comma there, two arguments.
      const comma = this.at;
      const ending = text.charCodeAt(before - 1);
      if (comma !== before || !(isWordChar(ending) || ending === 42)) return undefined;
      this.at++;
      this.skipBlanks();
      const starting = text.charCodeAt(this.at);
      if (this.at - comma > 40 || !(isWordChar(starting) || starting === 42 || starting === 36)) return undefined;
      const next = this.item();
      if (!next) return undefined;
      last = next;
    }
    if (last === first) return first;
    const range = { start: first.range.start, end: last.range.end };
    const list = text.slice(range.start, range.end);
    return { kind: 'expression', text: list, value: list, range, valueRange: range };
  }

  private item(): PsArgument | undefined {
    const { text } = this;
    const start = this.at;
    const c = text.charCodeAt(start);
    const word = (kind: 'bareword' | 'number' | 'variable'): PsArgument | undefined => {
      if (!this.endsToken(this.at)) return undefined;
      const range = { start, end: this.at };
      const value = text.slice(start, this.at);
      return { kind, text: value, value, range, valueRange: { ...range } };
    };
    if (c === 36) {
      // `$name`: not `$env:X`, `$using:x`, `${x}`, `$x.Property` or `$x[0]` (their end is a terminator or not a word).
      this.at++;
      if (!isLetter(text.charCodeAt(this.at)) && text.charCodeAt(this.at) !== 95) return undefined;
      this.skip(WORD_CHARS);
      const variable = word('variable');
      if (variable) this.variables.push({ name: variable.text.slice(1), range: { ...variable.range }, assigned: false });
      return variable;
    }
    if (c === 39 || c === 34) {
      // 'text' or "text" with nothing escaped, and in "text" no expansion but plain `$name`s
      // (`"$LogPath\pop"`), which tree-sitter reads as variables too.
      this.at++;
      const found: PsVariable[] = [];
      while (this.at < text.length) {
        this.skip(c === 34 ? DOUBLE_QUOTED : SINGLE_QUOTED);
        if (this.at >= text.length) break;
        const inner = text.charCodeAt(this.at);
        if (inner === c) break;
        if (inner === 10 || inner === 13 || (c === 34 && inner === 96)) return undefined;
        if (c === 34 && inner === 36) {
          const variableStart = this.at++;
          if (!isLetter(text.charCodeAt(this.at)) && text.charCodeAt(this.at) !== 95) return undefined;
          this.skip(WORD_CHARS);
          // What may follow: a space, `\ / - .` or the closing quote. `$scope:name`, `$a[0]` are read
          // otherwise, and tree-sitter-powershell takes a `#` right after a variable for a comment.
          const after = text.charCodeAt(this.at);
          if (!(after === 32 || after === 92 || after === 47 || after === 45 || after === 46 || after === 34)) return undefined;
          found.push({ name: text.slice(variableStart + 1, this.at), range: { start: variableStart, end: this.at }, assigned: false });
          continue;
        }
        this.at++;
      }
      if (this.at >= text.length) return undefined;
      this.at++;
      if (!this.endsToken(this.at)) return undefined;
      this.variables.push(...found);
      const range = { start, end: this.at };
      return { kind: 'string', text: text.slice(start, this.at), value: text.slice(start + 1, this.at - 1), range, valueRange: { start: start + 1, end: this.at - 1 } };
    }
    if (isDigit(c)) {
      // 10 and 1.5 are numbers; 10MB, 0x1F, 1e3 are left to tree-sitter.
      this.skip(DIGITS);
      if (text.charCodeAt(this.at) === 46 && isDigit(text.charCodeAt(this.at + 1))) {
        this.at++;
        this.skip(DIGITS);
      }
      return word('number');
    }
    if (isLetter(c) || c === 95 || c === 42) {
      this.at++;
      this.skip(BAREWORD_CHARS);
      return word('bareword');
    }
    return undefined;
  }
}

/** The simplified syntax `Where-Object HealthSetName -eq POP` as a comparison (shared with the tree-sitter path). */
export function whereComparison(commands: PsCommand[], index: number): PsComparison | undefined {
  const command = commands[index]!;
  if (!WHERE_NAMES.has(command.name.toLowerCase())) return undefined;
  const [property, operator, value] = command.elements.filter((e) => !(e.kind === 'parameter' && e.name.toLowerCase() === 'property'));
  if (property?.kind !== 'argument' || property.argument.kind !== 'bareword') return undefined;
  if (operator?.kind !== 'parameter' || !COMPARISON_OPERATORS.has('-' + operator.name.toLowerCase())) return undefined;
  if (value?.kind !== 'argument' || (value.argument.kind !== 'string' && value.argument.kind !== 'bareword')) return undefined;
  return { property: property.argument.text, operator: '-' + operator.name.toLowerCase(), value: value.argument.value, valueRange: value.argument.valueRange, command: index };
}

const COMPARISON_OPERATORS = new Set(['-eq', '-ne', '-like', '-notlike', '-match', '-notmatch', '-ieq', '-ilike', '-ceq', '-clike', '-in', '-contains']);
const WHERE_NAMES = new Set(['where-object', 'where', '?']);

/**
 * The summary of a pipeline of simple commands (its script block may hold one a line), or undefined for anything else. `text` is
 * what tree-sitter would be given (typographic quotes already made plain).
 */
export function parseSimplePipeline(text: string): PsScript | undefined {
  ASSIGNED.lastIndex = 0;
  const target = ASSIGNED.exec(text);
  // `$r = Get-X ...`: tree-sitter numbers the statement's pipeline first and the assigned one second.
  const scanner = target ? new SimpleScanner(text, target[0].length, 1) : new SimpleScanner(text);
  const top = scanner.pipeline();
  if (!top) return undefined;
  const { commands } = scanner;
  // Where-Object's simplified syntax, command by command, after the comparisons of a filter block
  // the command holds (tree-sitter's walk meets a command before its block).
  const comparisons: PsComparison[] = [];
  for (let i = 0; i < commands.length; i++) {
    const comparison = whereComparison(commands, i);
    if (comparison) comparisons.push(comparison);
    comparisons.push(...scanner.comparisons.filter((c) => c.command === i));
  }
  if (!target) return { commands, assignments: [], heads: [], pipelines: [top], variables: scanner.variables, comparisons, errors: [] };
  // tree-sitter's walk lists the assigned variable twice, as assigned and as read, before the pipeline's.
  const variable = target[1]!;
  const range = { start: 0, end: variable.length + 1 };
  const variables: PsVariable[] = [
    { name: variable, range, assigned: true },
    { name: variable, range: { ...range }, assigned: false },
    ...scanner.variables,
  ];
  return { commands, assignments: [{ variable, range: { ...range }, pipeline: [...top] }], heads: [], pipelines: [[], top], variables, comparisons, errors: [] };
}

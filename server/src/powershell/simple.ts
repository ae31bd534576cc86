// The fast path of the PowerShell parser: the common shape `Verb-Noun -Param value ... | Verb-Noun ...`
// with plain words, numbers, simple strings, variables and lists, summarised without tree-sitter
// into exactly the summary the tree-sitter path gives (server/test/psFastPath.test.ts proves it on
// every command of the examples, fixtures, fuzz mutants and generated runbooks). Anything else
// (script blocks, subexpressions, expandable strings, assignments, several statements, odd tokens)
// answers undefined and goes to tree-sitter.
import type { PsArgument, PsCommand, PsComparison, PsElement, PsScript, PsVariable } from './parser';

/** What separates words here: a space only (tree-sitter-powershell reads a tab inside a command as an error). */
const isBlank = (c: number): boolean => c === 32;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95; // _
/** Characters of a bare word after its first: letters, digits and `_ . \ : * / -`. */
const isBarewordChar = (c: number): boolean => isWordChar(c) || c === 46 || c === 92 || c === 58 || c === 42 || c === 47 || c === 45;

const PIPE = 124;
const COMMA = 44;

/** Where a token must end: a blank, a pipe, a list comma or the end of the command. */
function endsToken(text: string, at: number): boolean {
  if (at >= text.length) return true;
  const c = text.charCodeAt(at);
  return isBlank(c) || c === PIPE || c === COMMA;
}

class SimpleScanner {
  private at = 0;
  readonly variables: PsVariable[] = [];

  constructor(private readonly text: string) {}

  private skipBlanks(): void {
    while (this.at < this.text.length && isBlank(this.text.charCodeAt(this.at))) this.at++;
  }

  /** The commands of one pipeline, or undefined when the text is not of the simple shape. */
  scan(): PsCommand[] | undefined {
    const { text } = this;
    const commands: PsCommand[] = [];
    this.skipBlanks();
    for (;;) {
      const command = this.command(commands.length);
      if (!command) return undefined;
      commands.push(command);
      if (this.at >= text.length) return commands;
      // The command stopped at a pipe: the whitespace before it belongs to the command, as in tree-sitter.
      command.range.end = this.at;
      this.at++;
      this.skipBlanks();
    }
  }

  private command(position: number): PsCommand | undefined {
    const { text } = this;
    const start = this.at;
    // Verb-Noun only: other names can be keywords (`foreach`, `if`) or aliases with their own syntax.
    while (this.at < text.length && isLetter(text.charCodeAt(this.at))) this.at++;
    if (this.at === start || text.charCodeAt(this.at) !== 45 || !isLetter(text.charCodeAt(this.at + 1))) return undefined;
    this.at++;
    while (this.at < text.length && isWordChar(text.charCodeAt(this.at))) this.at++;
    if (!endsToken(text, this.at) || text.charCodeAt(this.at) === COMMA) return undefined;
    const nameRange = { start, end: this.at };
    const elements: PsElement[] = [];
    let end = this.at;
    for (;;) {
      this.skipBlanks();
      if (this.at >= text.length || text.charCodeAt(this.at) === PIPE) break;
      const c = text.charCodeAt(this.at);
      if (c === 45 && isLetter(text.charCodeAt(this.at + 1))) {
        const parameterStart = this.at;
        this.at++;
        // Letters only: tree-sitter-powershell ends a parameter at a digit (`-TimeoutSec41`).
        while (this.at < text.length && isLetter(text.charCodeAt(this.at))) this.at++;
        const parameterEnd = this.at;
        const colon = text.charCodeAt(this.at) === 58;
        // `-Confirm:$false`: tree-sitter-powershell leaves the colon out of the parameter and reads
        // the value as the next argument; a colon with nothing after it is left to tree-sitter.
        if (colon) {
          this.at++;
          let next = this.at;
          while (next < text.length && isBlank(text.charCodeAt(next))) next++;
          if (next >= text.length || text.charCodeAt(next) === PIPE) return undefined;
        } else if (!endsToken(text, this.at) || text.charCodeAt(this.at) === COMMA) return undefined;
        elements.push({ kind: 'parameter', name: text.slice(parameterStart + 1, parameterEnd), range: { start: parameterStart, end: parameterEnd } });
        end = this.at;
        continue;
      }
      const argument = this.argument();
      if (!argument) return undefined;
      elements.push({ kind: 'argument', argument });
      end = argument.range.end;
    }
    return { name: text.slice(start, nameRange.end), nameRange, elements, range: { start, end }, pipeline: 0, position };
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
      // a word character or `*` within 40 characters before, and one or `$` within 40 after.
      const comma = this.at;
      const ending = text.charCodeAt(before - 1);
      if (comma - before >= 40 || !(isWordChar(ending) || ending === 42)) return undefined;
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
      if (!endsToken(text, this.at)) return undefined;
      const range = { start, end: this.at };
      const value = text.slice(start, this.at);
      return { kind, text: value, value, range, valueRange: { ...range } };
    };
    if (c === 36) {
      // `$name`: not `$env:X`, `$using:x`, `${x}`, `$x.Property` or `$x[0]` (their end is a terminator or not a word).
      this.at++;
      if (!isLetter(text.charCodeAt(this.at)) && text.charCodeAt(this.at) !== 95) return undefined;
      while (this.at < text.length && isWordChar(text.charCodeAt(this.at))) this.at++;
      const variable = word('variable');
      if (variable) this.variables.push({ name: variable.text.slice(1), range: { ...variable.range }, assigned: false });
      return variable;
    }
    if (c === 39 || c === 34) {
      // 'text' or "text" without anything PowerShell would expand or escape inside.
      this.at++;
      while (this.at < text.length) {
        const inner = text.charCodeAt(this.at);
        if (inner === c) break;
        if (inner === 10 || inner === 13 || (c === 34 && (inner === 36 || inner === 96))) return undefined;
        this.at++;
      }
      if (this.at >= text.length) return undefined;
      this.at++;
      if (!endsToken(text, this.at)) return undefined;
      const range = { start, end: this.at };
      return { kind: 'string', text: text.slice(start, this.at), value: text.slice(start + 1, this.at - 1), range, valueRange: { start: start + 1, end: this.at - 1 } };
    }
    if (isDigit(c)) {
      // 10 and 1.5 are numbers; 10MB, 0x1F, 1e3 are left to tree-sitter.
      while (isDigit(text.charCodeAt(this.at))) this.at++;
      if (text.charCodeAt(this.at) === 46 && isDigit(text.charCodeAt(this.at + 1))) {
        this.at++;
        while (isDigit(text.charCodeAt(this.at))) this.at++;
      }
      return word('number');
    }
    if (isLetter(c) || c === 95 || c === 42) {
      this.at++;
      while (this.at < text.length && isBarewordChar(text.charCodeAt(this.at))) this.at++;
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
 * The summary of a one-line pipeline of simple commands, or undefined for anything else. `text` is
 * what tree-sitter would be given (typographic quotes already made plain).
 */
export function parseSimplePipeline(text: string): PsScript | undefined {
  // The tree-sitter path treats lists in long commands differently (parser.ts): leave those to it.
  if (text.length >= 4096) return undefined;
  const scanner = new SimpleScanner(text);
  const commands = scanner.scan();
  if (!commands) return undefined;
  const comparisons: PsComparison[] = [];
  for (let i = 0; i < commands.length; i++) {
    const comparison = whereComparison(commands, i);
    if (comparison) comparisons.push(comparison);
  }
  return { commands, assignments: [], heads: [], pipelines: [commands.map((_, i) => i)], variables: scanner.variables, comparisons, errors: [] };
}

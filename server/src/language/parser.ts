// The tolerant runbook parser: one construct per line, errors recorded with exact ranges, and
// parsing always continues with the next line so every later diagnostic still appears.
import { ByteBoundedCache } from '../util/boundedCache';
import { ASCII_PUNCTUATION, ContinuationScanner, isWordChar, type Token, tokenizeLine } from './lexer';
import {
  type Action,
  type Branch,
  type Condition,
  type Identifier,
  LINE_KEYWORDS,
  makeRange,
  PARAM_KINDS,
  type ParamDeclaration,
  type Procedure,
  type Range,
  type Runbook,
  type RunAction,
  type Step,
  type StepReference,
  type StringLiteral,
  type SyntaxError,
  type Target,
  fragment,
  type MessageFragment,
} from './syntax';

const ID = /^[\p{L}][\p{L}\p{N}_-]*$/u;

/**
 * Parsed blocks by document, start line, context and text. A document is the header and one block
 * per `procedure` line at column 0; typing inside a line changes one block, and every other block's
 * tree is reused as it is (same objects, same ranges), so re-analysis after a keystroke does not
 * re-parse a 10,000-line runbook. Blocks are never shared between documents: the parser's objects
 * are mutable (a procedure's index is set when its runbook is assembled), and two documents with
 * the same block at the same line must not rename or hover each other's procedures. Bounded by
 * the bytes the blocks hold (their text, and a syntax tree estimated at ~8 times it).
 */
const blocks = new ByteBoundedCache<string, { context: string; text: string; block: Runbook }[]>(64 * 1024 * 1024, (key, entries) =>
  entries.reduce((sum, entry) => sum + 18 * entry.text.length + 512, 2 * key.length),
);
const BLOCKS_PER_LINE = 2;
const BLOCK_START = /^procedure(\s|$)/;

/** Forgets every parsed block (tests compare incremental results with a fresh analysis). */
export function clearParseCache(): void {
  blocks.clear();
}

/** Forgets the blocks of one document (closed in the editor). */
export function forgetParsedDocument(document: string): void {
  blocks.deleteWhere((key) => key.startsWith(document + '\u0000'));
}

/** The bytes the parsed-block cache holds, as estimated (benchmarks print it). */
export function parseCacheBytes(): number {
  return blocks.bytes;
}

/** Splits a document into lines exactly as LSP does: at `\n`, `\r\n` and a lone `\r`. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * Parses a runbook; `lines` when the caller has split the text already (with splitLines).
 * `document` names the document (its URI) so that its parsed blocks are reused for it alone.
 */
export function parseRunbook(text: string, lines: string[] = splitLines(text), document = ''): Runbook {
  const starts = [0];
  for (let i = 1; i < lines.length; i++) if (lines[i]!.charCodeAt(0) === 112 && BLOCK_START.test(lines[i]!)) starts.push(i);
  const runbook: Runbook = { healthSets: [], params: [], sources: [], procedures: [], comments: [], errors: [], lineCount: lines.length };
  for (const [index, start] of starts.entries()) {
    const end = starts[index + 1] ?? lines.length;
    // A block's errors depend on whether a `runbook` line came before it.
    const context = runbook.headerRange ? 'h' : '-';
    const blockText = lines.slice(start, end).join('\n');
    // Looked up by start line and compared, rather than hashing whole blocks on every keystroke.
    const key = `${document}\u0000${start}`;
    const known = blocks.get(key) ?? [];
    let entry = known.find((b) => b.context === context && b.text === blockText);
    if (!entry) {
      entry = { context, text: blockText, block: new Parser(lines, start, end, runbook.headerRange !== undefined).parse() };
      const kept = [entry, ...known].slice(0, BLOCKS_PER_LINE);
      blocks.set(key, kept);
    }
    merge(runbook, entry.block);
  }
  return runbook;
}

function merge(into: Runbook, block: Runbook): void {
  if (block.headerRange && !into.headerRange) {
    into.headerRange = block.headerRange;
    if (block.id) into.id = block.id;
    if (block.title) into.title = block.title;
  }
  into.healthSets.push(...block.healthSets);
  into.params.push(...block.params);
  into.sources.push(...block.sources);
  into.comments.push(...block.comments);
  into.errors.push(...block.errors);
  for (const procedure of block.procedures) {
    // The only thing about a reused procedure that depends on the blocks before it.
    procedure.index = into.procedures.length;
    into.procedures.push(procedure);
  }
}

class Parser {
  private readonly runbook: Runbook;
  private procedure: Procedure | undefined;
  private step: Step | undefined;
  private lineNo: number;

  /** Parses lines [start, end); `headerBefore`: an earlier block has the `runbook` line. */
  constructor(
    private readonly lines: string[],
    private readonly start: number,
    private readonly end: number,
    private readonly headerBefore: boolean,
  ) {
    this.lineNo = start;
    this.runbook = { healthSets: [], params: [], sources: [], procedures: [], comments: [], errors: [], lineCount: lines.length };
  }

  parse(): Runbook {
    for (this.lineNo = this.start; this.lineNo < this.end; this.lineNo++) {
      const line = this.lines[this.lineNo]!;
      const indent = line.length - line.trimStart().length;
      if (indent === line.length) continue;
      if (line[indent] === '#') {
        this.runbook.comments.push(this.range(indent, line.length));
        continue;
      }
      this.parseLine(line, indent);
    }
    return this.runbook;
  }

  private parseLine(line: string, indent: number): void {
    // The rest of a `run` line is PowerShell: it is not ours to tokenize.
    let end = indent;
    while (end < line.length && isWordChar(line[end]!)) end++;
    if (end - indent === 3 && line.slice(indent, end).toLowerCase() === 'run') {
      const keyword = this.keyword({ kind: 'word', text: line.slice(indent, end), start: indent, end });
      return this.inStep(keyword, (step) => step.actions.push(this.parseRun(keyword, line, indent)));
    }
    const tokens = tokenizeLine(line, indent);
    // A comment after the content is the author's note, nothing the line says.
    if (tokens[tokens.length - 1]?.kind === 'comment') tokens.pop();
    for (const token of tokens) {
      const ascii = ASCII_PUNCTUATION[token.kind];
      if (ascii !== undefined && token.text !== ascii) this.error('full-width', 'The full-width `{0}` is read as `{1}`.', [token.text, ascii], this.tokenRange(token), ascii);
    }
    const keyword = this.keyword(tokens[0]!);
    const rest = tokens.slice(1);
    switch (keyword.kind === 'word' ? keyword.text : '') {
      case 'runbook':
        return this.parseRunbookLine(keyword, rest);
      case 'healthset':
        return this.inHeader(keyword, () => this.parseHealthSets(keyword, rest));
      case 'param':
        return this.inHeader(keyword, () => this.parseParam(keyword, rest));
      case 'source':
        return this.inHeader(keyword, () => {
          const source = this.expectString(rest, 0, keyword, fragment('the address of the topic'));
          if (source) this.runbook.sources.push(source);
          this.expectEnd(rest, 1);
        });
      case 'procedure':
        return this.parseProcedure(keyword, rest, line.length);
      case 'step':
        return this.parseStep(keyword, rest, line.length);
      case 'run':
        return this.inStep(keyword, (step) => step.actions.push(this.parseRun(keyword, line, indent)));
      case 'wait':
        return this.inStep(keyword, (step) => step.actions.push(this.parseWait(keyword, rest)));
      case 'manual':
      case 'ask':
      case 'escalate':
        return this.inStep(keyword, (step) => {
          const expected = { manual: fragment('an instruction'), ask: fragment('a yes/no question'), escalate: fragment('what to hand over') }[keyword.text as 'manual'];
          const text = this.expectString(rest, 0, keyword, expected);
          const action: Action = { kind: keyword.text as 'manual', keywordRange: this.tokenRange(keyword), range: this.lineRange(indent, rest) };
          if (text) action.text = text;
          step.actions.push(action);
          this.expectEnd(rest, 1);
        });
      case 'when':
      case 'otherwise':
        return this.inStep(keyword, (step) => step.branches.push(this.parseBranch(keyword, rest, indent)));
      default:
        this.error('syntax', 'Unknown line: a line starts with one of {0}.', [LINE_KEYWORDS.join(', ')], this.tokenRange(keyword));
    }
  }

  /** The line's keyword, read as `vocab` reads words (`Step` is `step`, with a warning). */
  private keyword(token: Token): Token {
    this.vocab(token, ...LINE_KEYWORDS);
    return token;
  }

  /**
   * The word of the language's vocabulary `token` is (`step`, `is`, `confirm`, `yes`, `mailbox`, …),
   * also when written in another case (`Step`, `Yes`, `Mailbox`: PowerShell people write commands
   * so): then it is read in lower case, so the rest of the runbook is checked as meant, with a
   * warning and a fix. Undefined when it is none of `words`.
   */
  private vocab(token: Token | undefined, ...words: string[]): string | undefined {
    if (token?.kind !== 'word') return undefined;
    if (words.includes(token.text)) return token.text;
    const lower = token.text.toLowerCase();
    if (!words.includes(lower)) return undefined;
    this.error('keyword-case', 'Keywords are written in lower case: `{0}`.', [lower], this.tokenRange(token), lower);
    token.text = lower;
    return lower;
  }

  // ---- header -------------------------------------------------------------------------------

  private parseRunbookLine(keyword: Token, rest: Token[]): void {
    if (this.runbook.headerRange || this.headerBefore) {
      this.error('misplaced', 'A file holds one runbook; this is a second `runbook` line.', [], this.tokenRange(keyword));
      return;
    }
    if (this.runbook.procedures.length > 0) {
      this.error('misplaced', '`runbook` must come before the first procedure.', [], this.tokenRange(keyword));
    }
    this.runbook.headerRange = this.lineRange(keyword.start, rest);
    const id = this.expectId(rest, 0, keyword, fragment('the runbook id'));
    if (id) this.runbook.id = id;
    const title = this.expectString(rest, 1, keyword, fragment('the runbook title'));
    if (title) this.runbook.title = title;
    this.expectEnd(rest, 2);
  }

  private inHeader(keyword: Token, parse: () => void): void {
    if (!this.runbook.headerRange && !this.headerBefore) {
      this.error('misplaced', '`{0}` belongs under the `runbook` line.', [keyword.text], this.tokenRange(keyword));
    } else if (this.procedure) {
      this.error('misplaced', '`{0}` belongs in the runbook header, before the first procedure.', [keyword.text], this.tokenRange(keyword));
    }
    parse();
  }

  private parseHealthSets(keyword: Token, rest: Token[]): void {
    const names = this.commaList(rest, 0, keyword, fragment('a health set name'));
    this.runbook.healthSets.push(...names.items);
    this.expectEnd(rest, names.next);
  }

  private parseParam(keyword: Token, rest: Token[]): void {
    const name = rest[0];
    if (!name || name.kind !== 'variable' || name.text.length < 2) {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a parameter name such as $Server'), 'param'], this.afterRange(keyword, name));
      return;
    }
    const declaration: ParamDeclaration = {
      name: { text: name.text.slice(1), range: this.tokenRange(name) },
      range: this.lineRange(keyword.start, rest),
    };
    let i = 1;
    if (rest[i]?.kind === 'colon') {
      i++;
      this.vocab(rest[i], ...PARAM_KINDS);
      const kind = this.expectWord(rest, i, rest[i - 1]!, fragment('a parameter kind (server, cas, mailbox, healthset, database, text, number)'));
      if (kind) declaration.kind = kind;
      i++;
    } else {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment(': and a parameter kind'), name.text], this.afterRange(name, rest[i]));
    }
    if (rest[i]?.kind === 'string') {
      declaration.description = this.stringLiteral(rest[i]!);
      i++;
    } else if (rest[i]?.kind === 'unterminated') {
      this.unterminated(rest[i]!);
      i++;
    }
    if (rest[i]?.kind === 'equals') {
      const value = this.expectString(rest, i + 1, rest[i]!, fragment('a default value'));
      if (value) declaration.defaultValue = value;
      i += 2;
    }
    this.runbook.params.push(declaration);
    this.expectEnd(rest, i);
  }

  // ---- procedures and steps -------------------------------------------------------------------

  private parseProcedure(keyword: Token, rest: Token[], lineLength: number): void {
    this.closeStep();
    this.closeProcedure();
    const procedure: Procedure = {
      monitors: [],
      steps: [],
      headerRange: this.range(keyword.start, lineLength),
      range: this.range(keyword.start, lineLength),
      index: this.runbook.procedures.length,
    };
    const id = this.expectId(rest, 0, keyword, fragment('a procedure id'));
    if (id) procedure.id = id;
    let i = 1;
    const title = this.expectString(rest, i, rest[0] ?? keyword, fragment('the procedure title'));
    if (title) procedure.title = title;
    if (rest[i]?.kind === 'string' || rest[i]?.kind === 'unterminated') i++;
    if (this.vocab(rest[i], 'for')) {
      const monitorKeyword = rest[i + 1];
      if (this.vocab(monitorKeyword, 'monitor') && monitorKeyword) {
        const list = this.commaList(rest, i + 2, monitorKeyword, fragment('a monitor name'));
        procedure.monitors.push(...list.items);
        i = list.next;
      } else {
        this.error('syntax', 'Expected `monitor` after `for`.', [], this.afterRange(rest[i]!, monitorKeyword));
        i = rest.length;
      }
    }
    this.expectEnd(rest, i);
    this.runbook.procedures.push(procedure);
    this.procedure = procedure;
  }

  private parseStep(keyword: Token, rest: Token[], lineLength: number): void {
    this.closeStep();
    if (!this.procedure) {
      this.error('misplaced', 'A step belongs inside a procedure: add a `procedure` line above it.', [], this.tokenRange(keyword));
      return;
    }
    const step: Step = {
      actions: [],
      branches: [],
      headerRange: this.range(keyword.start, lineLength),
      range: this.range(keyword.start, lineLength),
      index: this.procedure.steps.length,
    };
    const id = this.expectId(rest, 0, keyword, fragment('a step id'));
    if (id) step.id = id;
    let i = 1;
    if (rest[i]?.kind === 'equals') {
      const parsed = this.parseStepReference(rest, i + 1, rest[i]!, fragment('the step to reuse, such as verify.rerun'));
      if (parsed.reference) step.reuse = parsed.reference;
      i = parsed.next;
      if (rest[i]?.kind === 'string') step.title = this.stringLiteral(rest[i++]!);
    } else {
      const title = this.expectString(rest, i, rest[0] ?? keyword, fragment('the step title'));
      if (title) step.title = title;
      if (rest[i]?.kind === 'string' || rest[i]?.kind === 'unterminated') i++;
    }
    if (this.vocab(rest[i], 'confirm')) {
      step.confirm = this.tokenRange(rest[i]!);
      i++;
    }
    this.expectEnd(rest, i);
    this.procedure.steps.push(step);
    this.step = step;
  }

  private parseRun(keyword: Token, line: string, indent: number): RunAction {
    const start = keyword.end + (line[keyword.end] === ' ' ? 1 : 0);
    const segments = [{ line: this.lineNo, character: start, length: line.length - start }];
    let command = line.slice(start);
    if (command.trim() === '') {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a PowerShell command'), 'run'], this.range(keyword.start, keyword.end));
    }
    // Continuation lines: PowerShell's own rules (trailing ` or |, or an open { or ( ). A line that
    // starts with one of our keywords at the run's indentation or less ends the command anyway,
    // so an unclosed brace while typing does not swallow the rest of the runbook.
    const scanner = new ContinuationScanner();
    scanner.feed(command);
    /** The segments of the here-string being read (its text lines and its end line). */
    let hereString: { line: number; character: number; length: number }[] | undefined;
    let indented = false;
    while (scanner.continues() && this.lineNo + 1 < this.end) {
      const next = this.lines[this.lineNo + 1]!;
      const nextIndent = next.length - next.trimStart().length;
      const firstWord = next.trimStart().split(/\s/, 1)[0] ?? '';
      if (nextIndent <= indent && (LINE_KEYWORDS as readonly string[]).includes(firstWord.toLowerCase())) break;
      this.lineNo++;
      const segment = { line: this.lineNo, character: 0, length: next.length };
      segments.push(segment);
      if (scanner.inHereString) (hereString ??= []).push(segment);
      command += '\n' + next;
      scanner.feed('\n' + next);
      if (hereString && !scanner.inHereString) {
        // PowerShell ends a here-string only at a line that starts with "@; in a runbook that line
        // is indented with the command, so the end line's indentation is taken off each of the
        // here-string's lines (as far as they have it), and the text keeps what is beyond it.
        for (const s of hereString) {
          const text = this.lines[s.line]!;
          let strip = 0;
          while (strip < nextIndent && (text[strip] === ' ' || text[strip] === '\t')) strip++;
          s.character = strip;
          s.length = text.length - strip;
        }
        hereString = undefined;
        indented = true;
      }
    }
    if (indented) command = segments.map((s) => this.lines[s.line]!.slice(s.character, s.character + s.length)).join('\n');
    const last = segments[segments.length - 1]!;
    return {
      kind: 'run',
      command,
      segments,
      keywordRange: this.tokenRange(keyword, segments[0]!.line),
      range: makeRange(segments[0]!.line, indent, last.line, last.character + last.length),
    };
  }

  private parseWait(keyword: Token, rest: Token[]): Action {
    const action: Action = { kind: 'wait', keywordRange: this.tokenRange(keyword), range: this.lineRange(keyword.start, rest) };
    const amount = rest[0];
    if (amount?.kind === 'word' && /^\d+$/.test(amount.text)) {
      action.amount = { value: Number(amount.text), range: this.tokenRange(amount) };
      const unit = this.expectWord(rest, 1, amount, fragment('a unit (seconds, minutes or hours)'));
      if (unit) action.unit = unit;
    } else {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a whole number such as 10'), 'wait'], this.afterRange(keyword, amount));
    }
    this.expectEnd(rest, 2);
    return action;
  }

  // ---- branches -------------------------------------------------------------------------------

  private parseBranch(keyword: Token, rest: Token[], indent: number): Branch {
    const branch: Branch = { kind: keyword.text as 'when', keywordRange: this.tokenRange(keyword), range: this.lineRange(indent, rest) };
    const arrowAt = rest.findIndex((t) => t.kind === 'arrow');
    const conditionTokens = arrowAt < 0 ? rest : rest.slice(0, arrowAt);
    if (keyword.text === 'when') {
      const condition = this.parseCondition(keyword, conditionTokens);
      if (condition) branch.condition = condition;
    } else if (conditionTokens.length > 0) {
      this.error('syntax', '`otherwise` takes no condition: write `otherwise -> <target>`.', [], this.spanRange(conditionTokens));
    }
    if (arrowAt < 0) {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('-> and where to go'), rest[rest.length - 1]?.text ?? keyword.text], this.afterRange(rest[rest.length - 1] ?? keyword, undefined));
      return branch;
    }
    const target = this.parseTarget(rest[arrowAt]!, rest.slice(arrowAt + 1));
    if (target) branch.target = target;
    return branch;
  }

  private parseCondition(keyword: Token, tokens: Token[]): Condition | undefined {
    const first = tokens[0];
    if (!first) {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a condition such as ResultType is Succeeded'), 'when'], this.afterRange(keyword, undefined));
      return undefined;
    }
    if (first.kind === 'variable') {
      const condition: Condition = { kind: 'role', param: { text: first.text.slice(1), range: this.tokenRange(first) } };
      if (!this.vocab(tokens[1], 'is')) {
        this.error('syntax', 'Expected {0} after `{1}`.', [fragment('is mailbox or is cas'), first.text], this.afterRange(first, tokens[1]));
      } else {
        this.vocab(tokens[2], 'mailbox', 'cas');
        const role = this.expectWord(tokens, 2, tokens[1], fragment('mailbox or cas'));
        if (role) condition.role = role;
      }
      this.expectEnd(tokens, 3);
      return condition;
    }
    if (this.vocab(first, 'answer')) {
      const condition: Condition = { kind: 'answer', keyword: this.identifier(first) };
      if (!this.vocab(tokens[1], 'is')) {
        this.error('syntax', 'Expected {0} after `{1}`.', [fragment('is yes or is no'), 'answer'], this.afterRange(first, tokens[1]));
      } else {
        this.vocab(tokens[2], 'yes', 'no');
        const value = this.expectWord(tokens, 2, tokens[1], fragment('yes or no'));
        if (value) condition.value = value;
      }
      this.expectEnd(tokens, 3);
      return condition;
    }
    let i = 0;
    let quantifier: Identifier | undefined;
    if (this.vocab(first, 'all', 'any', 'no')) {
      quantifier = this.identifier(first);
      i++;
    }
    const property = this.expectWord(tokens, i, tokens[i - 1] ?? keyword, fragment('a property of the command output, such as ResultType'));
    if (!property) return undefined;
    const condition: Condition = { kind: 'property', property, values: [] };
    if (quantifier) condition.quantifier = quantifier;
    i++;
    if (!this.vocab(tokens[i], 'is')) {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('is and a value'), property.text], this.afterRange(tokens[i - 1]!, tokens[i]));
      return condition;
    }
    i++;
    if (this.vocab(tokens[i], 'not')) {
      condition.negated = this.tokenRange(tokens[i]!);
      i++;
    }
    const values = this.valueList(tokens, i, tokens[i - 1]!);
    condition.values = values.items;
    this.expectEnd(tokens, values.next);
    return condition;
  }

  /**
   * The values of a condition: words, or quoted as PowerShell people quote them (`"Succeeded"`,
   * `'Succeeded'`). A quoted value's range is its text inside the quotes, where a fix goes.
   */
  private valueList(tokens: Token[], from: number, after: Token): { items: Identifier[]; next: number } {
    const items: Identifier[] = [];
    let i = from;
    for (;;) {
      const token = tokens[i];
      if (token?.kind === 'string') {
        items.push({ text: token.text, range: this.range(token.start + 1, token.end - 1) });
        i++;
      } else if (token?.kind === 'other' && token.text === "'") {
        const close = tokens.findIndex((t, at) => at > i && t.kind === 'other' && t.text === "'");
        if (close < 0) {
          this.error('syntax', 'Expected {0} after `{1}`.', [fragment("the closing '"), "'"], this.afterRange(token, undefined));
          return { items, next: tokens.length };
        }
        items.push({ text: this.lines[this.lineNo]!.slice(token.end, tokens[close]!.start), range: this.range(token.end, tokens[close]!.start) });
        i = close + 1;
      } else {
        const item = this.expectWord(tokens, i, tokens[i - 1] ?? after, fragment('a value'));
        if (!item) return { items, next: i + 1 };
        items.push(item);
        i++;
      }
      if (tokens[i]?.kind !== 'comma') return { items, next: i };
      i++;
    }
  }

  private parseTarget(arrow: Token, tokens: Token[]): Target | undefined {
    const first = tokens[0];
    if (!first || first.kind !== 'word') {
      this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a step, a procedure, resolved or escalate'), '->'], this.afterRange(arrow, first));
      return undefined;
    }
    const end = this.vocab(first, 'resolved', 'escalate') as 'resolved' | 'escalate' | undefined;
    if (end) {
      const target: Target = { kind: end, keyword: this.tokenRange(first), range: this.spanRange(tokens.slice(0, 2)) };
      if (tokens[1]?.kind === 'string') target.reason = this.stringLiteral(tokens[1]);
      else if (tokens[1]?.kind === 'unterminated') this.unterminated(tokens[1]);
      else if (tokens[1]) this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a reason in quotes, or the end of the line'), first.text], this.tokenRange(tokens[1]));
      this.expectEnd(tokens, 2);
      return target;
    }
    const { reference, next } = this.parseStepReference(tokens, 0, arrow, fragment('a step, a procedure, resolved or escalate'));
    this.expectEnd(tokens, next);
    return reference ? { kind: 'step', reference, range: reference.range } : undefined;
  }

  /**
   * `step`, `procedure`, `procedure.step`, or in another runbook `runbook:procedure[.step]` (the
   * colon written without spaces around it), starting at `tokens[at]`.
   */
  private parseStepReference(tokens: Token[], at: number, after: Token, expected: MessageFragment): { reference?: StepReference; next: number } {
    let token = tokens[at];
    if (!token || token.kind !== 'word') {
      this.error('syntax', 'Expected {0} after `{1}`.', [expected, after.text], this.afterRange(after, token));
      return { next: at + 1 };
    }
    let runbook: Identifier | undefined;
    let next = at + 1;
    const colon = tokens[at + 1];
    if (colon?.kind === 'colon' && colon.start === token.end) {
      runbook = this.identifier(token);
      const procedureToken = tokens[at + 2];
      if (!procedureToken || procedureToken.kind !== 'word' || procedureToken.start !== colon.end) {
        this.error('syntax', 'Expected {0} after `{1}`.', [fragment('a procedure of that runbook, such as verify or verify.rerun'), `${token.text}:`], this.afterRange(colon, procedureToken));
        return { next: at + 2 };
      }
      token = procedureToken;
      next = at + 3;
    }
    const dot = token.text.indexOf('.');
    const start = runbook ? runbook.range.start : this.tokenRange(token).start;
    const range: Range = { start, end: this.tokenRange(token).end };
    let reference: StepReference;
    if (dot < 0) {
      reference = { step: this.identifier(token), range };
      if (runbook) reference.runbook = runbook;
    } else {
      reference = {
        procedure: { text: token.text.slice(0, dot), range: this.range(token.start, token.start + dot) },
        step: { text: token.text.slice(dot + 1), range: this.range(token.start + dot + 1, token.end) },
        range,
      };
      if (runbook) reference.runbook = runbook;
    }
    return { reference, next };
  }

  // ---- structure ------------------------------------------------------------------------------

  private inStep(keyword: Token, parse: (step: Step) => void): void {
    if (!this.step) {
      this.error('misplaced', '`{0}` belongs inside a step: add a `step` line above it.', [keyword.text], this.tokenRange(keyword));
      return;
    }
    parse(this.step);
    this.extendStep(this.step);
  }

  private extendStep(step: Step): void {
    const end = this.lines[this.lineNo]!.length;
    step.range = { start: step.range.start, end: { line: this.lineNo, character: end } };
    if (this.procedure) this.procedure.range = { start: this.procedure.range.start, end: step.range.end };
  }

  private closeStep(): void {
    if (this.step && this.procedure) {
      this.procedure.range = { start: this.procedure.range.start, end: this.step.range.end };
    }
    this.step = undefined;
  }

  private closeProcedure(): void {
    this.procedure = undefined;
  }

  // ---- token helpers --------------------------------------------------------------------------

  private commaList(tokens: Token[], from: number, after: Token, expected: MessageFragment): { items: Identifier[]; next: number } {
    const items: Identifier[] = [];
    let i = from;
    for (;;) {
      const item = this.expectWord(tokens, i, tokens[i - 1] ?? after, expected);
      if (!item) return { items, next: i + 1 };
      items.push(item);
      i++;
      if (tokens[i]?.kind !== 'comma') return { items, next: i };
      i++;
    }
  }

  private expectId(tokens: Token[], index: number, after: Token, expected: MessageFragment): Identifier | undefined {
    const token = tokens[index];
    if (token?.kind === 'word' && ID.test(token.text)) return this.identifier(token);
    if (token?.kind === 'word') {
      this.error('syntax', '`{0}` is not a valid id: use letters, digits, - and _, starting with a letter.', [token.text], this.tokenRange(token));
      return this.identifier(token);
    }
    this.error('syntax', 'Expected {0} after `{1}`.', [expected, after.text], this.afterRange(after, token));
    return undefined;
  }

  private expectWord(tokens: Token[], index: number, after: Token | undefined, expected: MessageFragment): Identifier | undefined {
    const token = tokens[index];
    if (token?.kind === 'word') return this.identifier(token);
    this.error('syntax', 'Expected {0} after `{1}`.', [expected, after?.text ?? ''], after ? this.afterRange(after, token) : this.range(0, 0));
    return undefined;
  }

  private expectString(tokens: Token[], index: number, after: Token, expected: MessageFragment): StringLiteral | undefined {
    const token = tokens[index];
    if (token?.kind === 'string') return this.stringLiteral(token);
    if (token?.kind === 'unterminated') {
      this.unterminated(token);
      return { value: token.text, range: this.tokenRange(token) };
    }
    this.error('syntax', 'Expected {0} in double quotes after `{1}`.', [expected, after.text], this.afterRange(after, token));
    return undefined;
  }

  private expectEnd(tokens: Token[], index: number): void {
    const extra = tokens.slice(index);
    if (extra.length > 0) {
      this.error('syntax', 'Unexpected `{0}`: nothing more belongs on this line.', [extra.map((t) => t.text).join(' ')], this.spanRange(extra));
    }
  }

  private unterminated(token: Token): void {
    this.error('syntax', 'This string has no closing double quote.', [], this.tokenRange(token));
  }

  private identifier(token: Token): Identifier {
    return { text: token.text, range: this.tokenRange(token) };
  }

  private stringLiteral(token: Token): StringLiteral {
    return { value: token.text, range: this.tokenRange(token) };
  }

  private error(code: SyntaxError['code'], message: string, args: (string | number | MessageFragment)[], range: Range, replacement?: string): void {
    const error: SyntaxError = { code, message, args, range };
    if (replacement !== undefined) error.replacement = replacement;
    this.runbook.errors.push(error);
  }

  private range(start: number, end: number): Range {
    return makeRange(this.lineNo, start, this.lineNo, end);
  }

  private tokenRange(token: Token, line = this.lineNo): Range {
    return makeRange(line, token.start, line, token.end);
  }

  private spanRange(tokens: Token[]): Range {
    if (tokens.length === 0) return this.range(0, 0);
    return this.range(tokens[0]!.start, tokens[tokens.length - 1]!.end);
  }

  private lineRange(start: number, rest: Token[]): Range {
    const line = this.lines[this.lineNo]!;
    return this.range(start, rest.length > 0 ? rest[rest.length - 1]!.end : line.trimEnd().length);
  }

  /** Where a missing token should have been: the unexpected token, or just after `after`. */
  private afterRange(after: Token, found: Token | undefined): Range {
    if (found) return this.tokenRange(found);
    return this.range(after.start, after.end);
  }
}

// Splits one line of a runbook into tokens. The language is line-oriented, so lines are lexed alone.

export type TokenKind = 'word' | 'variable' | 'string' | 'arrow' | 'equals' | 'comma' | 'colon' | 'unterminated' | 'comment' | 'other';

export interface Token {
  kind: TokenKind;
  /** Source text; for strings the unescaped value. */
  text: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}_\-.\\]/u;

/** Whether a character can be part of a word; ASCII without a regular expression (the hot path). */
export function isWordChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 92;
  return WORD.test(ch);
}

/**
 * Space between tokens: also the ideographic space (U+3000) Chinese and Japanese input methods
 * type, and the other Unicode spaces (a no-break space pasted from a web page), as PowerShell reads them.
 */
function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c === 32 || c === 9 || (c >= 128 && /\p{Zs}/u.test(ch));
}

/** The ASCII punctuation a full-width token stands for. */
export const ASCII_PUNCTUATION: Partial<Record<TokenKind, string>> = { arrow: '->', equals: '=', comma: ',', colon: ':' };

export function tokenizeLine(line: string, from = 0): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < line.length) {
    const ch = line[i]!;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const start = i;
    // `# …` after the line's content is a comment, as in PowerShell: the last token, to the end.
    if (ch === '#' && (i === from || isSpace(line[i - 1]!))) {
      tokens.push({ kind: 'comment', text: line.slice(i), start, end: line.length });
      break;
    }
    // Chinese and Japanese input methods type “ ” for quotes: a string may open with one, and then
    // closes with either kind.
    const curly = ch === '\u201C' || ch === '\u201D';
    if (ch === '"' || curly) {
      let value = '';
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          value += line[i + 1];
          i += 2;
          continue;
        }
        if (c === '"' || (curly && (c === '\u201D' || c === '\u201C'))) {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: closed ? 'string' : 'unterminated', text: value, start, end: i });
      continue;
    }
    if ((ch === '-' || ch === '\uFF0D') && (line[i + 1] === '>' || line[i + 1] === '\uFF1E')) {
      tokens.push({ kind: 'arrow', text: line.slice(i, i + 2), start, end: i + 2 });
      i += 2;
      continue;
    }
    if (ch === '$') {
      i++;
      while (i < line.length && isWordChar(line[i]!) && line[i] !== '.' && line[i] !== '\\' && !(line[i] === '-' && line[i + 1] === '>')) i++;
      tokens.push({ kind: 'variable', text: line.slice(start, i), start, end: i });
      continue;
    }
    if (isWordChar(ch)) {
      while (i < line.length && isWordChar(line[i]!) && !(line[i] === '-' && line[i + 1] === '>')) i++;
      tokens.push({ kind: 'word', text: line.slice(start, i), start, end: i });
      continue;
    }
    // Full-width ones too (，、：＝), as Chinese and Japanese input methods type them; the token
    // keeps what was written and the parser reports it (`full-width`).
    const single: Record<string, TokenKind> = { '=': 'equals', ',': 'comma', ':': 'colon', '\uFF1D': 'equals', '\uFF0C': 'comma', '\u3001': 'comma', '\uFF1A': 'colon' };
    tokens.push({ kind: single[ch] ?? 'other', text: ch, start, end: i + 1 });
    i++;
  }
  return tokens;
}

/**
 * Whether a PowerShell command continues on the next line: a trailing backtick or pipe, a
 * `{` / `(` still open, or a here-string not ended yet. Quoted strings are skipped so braces inside
 * them do not count.
 */
export function commandContinues(command: string): boolean {
  const scanner = new ContinuationScanner();
  scanner.feed(command);
  return scanner.continues();
}

/**
 * commandContinues, fed one line at a time: the parser adds each continuation line to what it has
 * scanned so far instead of scanning the whole command again (an unclosed `{` before 10,000 lines
 * would otherwise cost 10,000 scans of a growing command).
 */
export class ContinuationScanner {
  private depth = 0;
  private quote: string | undefined;
  private inComment = false;
  /** The character before the next one fed (for `#` after whitespace, and a backtick escape). */
  private previous = '';
  private escapeNext = false;
  /** The last character of the text fed that is not whitespace. */
  private lastVisible = '';
  /** Inside a here-string (`@"` / `@'` ending its line): its quote, until a line starts with quote + `@`. */
  private hereQuote: string | undefined;
  /** Only whitespace since the last line break (a here-string's end may be indented in a runbook). */
  private atLineStart = true;

  /** Adds text; continuation lines are fed as `\n` + the line. */
  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      // PowerShell reads typographic quotes (“ ” ‘ ’) as the plain ones.
      const c = plainQuote(text[i]!);
      // What trimEnd would keep: ASCII without a regular expression (this runs on every character).
      const code = c.charCodeAt(0);
      if (code > 32 ? code < 128 || !/\s/.test(c) : code !== 32 && (code < 9 || code > 13)) this.lastVisible = c;
      if (this.hereQuote) {
        if (c === '\n') this.atLineStart = true;
        else if (this.atLineStart && c === this.hereQuote && text[i + 1] === '@') {
          this.hereQuote = undefined;
          this.atLineStart = false;
          this.previous = '@';
          i++;
        } else if (c !== ' ' && c !== '\t') this.atLineStart = false;
        continue;
      }
      if (this.escapeNext) {
        this.escapeNext = false;
        this.previous = c;
        continue;
      }
      if (this.inComment) {
        // A comment runs to the end of its line.
        if (c === '\n') this.inComment = false;
        this.previous = c;
        continue;
      }
      if (this.quote) {
        if (c === '`' && this.quote === '"') this.escapeNext = true;
        else if (c === this.quote) this.quote = undefined;
        this.previous = c;
        continue;
      }
      if (c === '#' && (this.previous === '' || /\s/.test(this.previous))) this.inComment = true;
      else if (c === '@' && (text[i + 1] === '"' || text[i + 1] === "'") && restOfLineBlank(text, i + 2)) {
        this.hereQuote = plainQuote(text[i + 1]!);
        this.atLineStart = false;
        i++;
      } else if (c === '"' || c === "'") this.quote = c;
      else if (c === '`') this.escapeNext = true;
      else if (c === '{' || c === '(') this.depth++;
      else if (c === '}' || c === ')') this.depth--;
      this.previous = c;
    }
  }

  continues(): boolean {
    return this.lastVisible === '`' || this.lastVisible === '|' || this.depth > 0 || this.hereQuote !== undefined;
  }

  /** Inside a here-string: the line fed next is its text or its end. */
  get inHereString(): boolean {
    return this.hereQuote !== undefined;
  }
}

function restOfLineBlank(text: string, from: number): boolean {
  for (let i = from; i < text.length && text[i] !== '\n'; i++) if (text[i] !== ' ' && text[i] !== '\t' && text[i] !== '\r') return false;
  return true;
}

/** The ASCII quote PowerShell reads a typographic one as; other characters unchanged. */
export function plainQuote(c: string): string {
  if (c === '\u201C' || c === '\u201D' || c === '\u201E') return '"';
  if (c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B') return "'";
  return c;
}

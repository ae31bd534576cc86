// Splits one line of a runbook into tokens. The language is line-oriented, so lines are lexed alone.

export type TokenKind = 'word' | 'variable' | 'string' | 'arrow' | 'equals' | 'comma' | 'colon' | 'unterminated' | 'other';

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

export function tokenizeLine(line: string, from = 0): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const start = i;
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
    if (ch === '-' && line[i + 1] === '>') {
      tokens.push({ kind: 'arrow', text: '->', start, end: i + 2 });
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
    const single: Record<string, TokenKind> = { '=': 'equals', ',': 'comma', ':': 'colon' };
    tokens.push({ kind: single[ch] ?? 'other', text: ch, start, end: i + 1 });
    i++;
  }
  return tokens;
}

/**
 * Whether a PowerShell command continues on the next line: a trailing backtick or pipe, or a
 * `{` / `(` still open. Quoted strings are skipped so braces inside them do not count.
 */
export function commandContinues(command: string): boolean {
  const trimmed = command.trimEnd();
  if (trimmed.endsWith('`') || trimmed.endsWith('|')) return true;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    // PowerShell reads typographic quotes (“ ” ‘ ’) as the plain ones.
    const c = plainQuote(command[i]!);
    if (quote) {
      if (c === '`' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(command[i - 1]!))) {
      // A comment runs to the end of its line.
      const nl = command.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '`') i++;
    else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
  }
  return depth > 0;
}

/** The ASCII quote PowerShell reads a typographic one as; other characters unchanged. */
export function plainQuote(c: string): string {
  if (c === '\u201C' || c === '\u201D' || c === '\u201E') return '"';
  if (c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B') return "'";
  return c;
}

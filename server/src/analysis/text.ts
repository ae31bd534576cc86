// Small text helpers: edit distance for "did you mean", and wildcard matching as PowerShell's -like does it.

/** Words longer than this get no suggestion: nobody misspells a 65-character name into another. */
const MAX_SUGGESTED_LENGTH = 64;
/** At most this many edit distances per lookup, nearest lengths first. */
const CANDIDATE_BUDGET = 2_000;
/**
 * At most this many edit distances per unit of checking (one procedure's checks, the header's), so
 * a procedure with 20,000 dangling references costs linear time: past it, names get no suggestion.
 * Per unit, not per document, so a procedure's diagnostics do not depend on which others were
 * re-checked (they are cached per procedure).
 */
const UNIT_BUDGET = 60_000;
let unitBudget = Number.POSITIVE_INFINITY;

/** Runs one unit of checks with its own budget of edit distances for "did you mean". */
export function withSuggestionBudget<T>(unit: () => T): T {
  const outer = unitBudget;
  unitBudget = UNIT_BUDGET;
  try {
    return unit();
  } finally {
    unitBudget = outer;
  }
}

export function editDistance(a: string, b: string): number {
  return boundedDistance(a.toLowerCase(), b.toLowerCase(), Number.MAX_SAFE_INTEGER);
}

/**
 * The two rows of the distance table, kept between calls: a runbook with thousands of unknown names
 * makes tens of thousands of comparisons, and rows allocated per call were most of their cost
 * (and of the garbage collector's). Float64 holds the `limit + 1` of editDistance exactly.
 */
let previousRow = new Float64Array(64);
let currentRow = new Float64Array(64);

/**
 * Levenshtein distance of two lower-cased words, or `limit + 1` as soon as it must exceed `limit`:
 * only the diagonal band of width 2·limit+1 is computed, and only between the words' common prefix
 * and suffix, which never change the distance (`MSExchangePOP12` against `MSExchangePOP3` is `12`
 * against `3`): misspelt names mostly share a long start with the names they are compared with.
 */
function boundedDistance(x: string, y: string, limit: number): number {
  if (x === y) return 0;
  if (Math.abs(x.length - y.length) > limit) return limit + 1;
  const over = limit + 1;
  let first = 0;
  while (first < x.length && first < y.length && x.charCodeAt(first) === y.charCodeAt(first)) first++;
  let xEnd = x.length;
  let yEnd = y.length;
  while (xEnd > first && yEnd > first && x.charCodeAt(xEnd - 1) === y.charCodeAt(yEnd - 1)) {
    xEnd--;
    yEnd--;
  }
  // Rows and columns count from the first differing character.
  const rows = xEnd - first;
  const columns = yEnd - first;
  if (rows === 0 || columns === 0) return Math.min(rows + columns, over);
  if (previousRow.length <= columns) {
    previousRow = new Float64Array(columns * 2 + 1);
    currentRow = new Float64Array(columns * 2 + 1);
  }
  let previous = previousRow;
  let current = currentRow;
  for (let j = 0; j <= columns; j++) previous[j] = j <= limit ? j : over;
  for (let i = 1; i <= rows; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(columns, i + limit);
    current[0] = i <= limit ? i : over;
    if (from > 1) current[from - 1] = over;
    let best = current[0]!;
    const xi = x.charCodeAt(first + i - 1);
    for (let j = from; j <= to; j++) {
      const cost = xi === y.charCodeAt(first + j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost, over);
      current[j] = value;
      if (value < best) best = value;
    }
    if (to < columns) current[to + 1] = over;
    if (best > limit) return over;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return Math.min(previous[columns]!, over);
}

/** Candidates by length, and sorted in lower case for prefix search: built once per list. */
interface IndexedName {
  lower: string;
  name: string;
}

interface NameIndex {
  byLength: Map<number, IndexedName[]>;
  sorted: IndexedName[];
}

const indexes = new WeakMap<readonly string[], NameIndex>();

function nameIndex(candidates: Iterable<string>): NameIndex {
  const list = Array.isArray(candidates) ? (candidates as readonly string[]) : undefined;
  const known = list && indexes.get(list);
  if (known) return known;
  const index: NameIndex = { byLength: new Map(), sorted: [] };
  for (const name of candidates) {
    if (name.length > MAX_SUGGESTED_LENGTH * 2) continue;
    const indexed = { lower: name.toLowerCase(), name };
    let bucket = index.byLength.get(name.length);
    if (!bucket) index.byLength.set(name.length, (bucket = []));
    bucket.push(indexed);
    index.sorted.push(indexed);
  }
  index.sorted.sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
  // Kept for lists that live long (a model's ids, the catalog's names); fresh arrays are collected.
  if (list) indexes.set(list, index);
  return index;
}

const nameLists = new WeakMap<readonly { name: string }[], string[]>();

/**
 * The names of a list that lives long (the catalog's services, health sets, value sets), always as
 * the same array: its "did you mean" index is then built once, not once per unknown name.
 */
export function namesOf(items: readonly { name: string }[]): string[] {
  let names = nameLists.get(items);
  if (!names) nameLists.set(items, (names = items.map((item) => item.name)));
  return names;
}

/**
 * The closest candidates to a misspelt word, best first; none when nothing is close. Candidates are
 * indexed by length (once per list), tried nearest length first within a fixed budget, each with a
 * distance bounded by the threshold, so a runbook full of unknown names costs time linear in its
 * size, not in size × names.
 */
export function didYouMean(word: string, candidates: Iterable<string>, limit = 3): string[] {
  if (word.length === 0 || word.length > MAX_SUGGESTED_LENGTH) return [];
  const threshold = Math.max(2, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  const index = nameIndex(candidates);
  const scored: { name: string; distance: number }[] = [];
  // A word that is a prefix of a long name (PopCTPProb) is as good as one edit away.
  if (lower.length >= 4) {
    let low = 0;
    let high = index.sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (index.sorted[middle]!.lower < lower) low = middle + 1;
      else high = middle;
    }
    for (let i = low, taken = 0; i < index.sorted.length && taken < CANDIDATE_BUDGET && index.sorted[i]!.lower.startsWith(lower); i++, taken++) {
      if (index.sorted[i]!.lower.length > lower.length) scored.push({ name: index.sorted[i]!.name, distance: 1 });
    }
  }
  let budget = CANDIDATE_BUDGET;
  for (let gap = 0; gap <= threshold && budget > 0; gap++) {
    for (const length of gap === 0 ? [word.length] : [word.length - gap, word.length + gap]) {
      for (const { lower: candidate, name } of index.byLength.get(length) ?? []) {
        if (budget-- <= 0 || unitBudget-- <= 0) break;
        const distance = boundedDistance(lower, candidate, threshold);
        if (distance <= threshold) scored.push({ name, distance });
      }
    }
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

type WildcardPart = { kind: 'any' } | { kind: 'one' } | { kind: 'set'; chars: string; ranges: [string, string][] } | { kind: 'literal'; char: string };

/** Splits a -like pattern into parts; a `[` with no `]` is a literal, as PowerShell reads it. */
function wildcardParts(pattern: string): WildcardPart[] {
  const parts: WildcardPart[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (parts[parts.length - 1]?.kind !== 'any') parts.push({ kind: 'any' });
    } else if (c === '?') parts.push({ kind: 'one' });
    else if (c === '`' && i + 1 < pattern.length) parts.push({ kind: 'literal', char: pattern[++i]!.toLowerCase() });
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) {
        parts.push({ kind: 'literal', char: '[' });
        continue;
      }
      const body = pattern.slice(i + 1, close).toLowerCase();
      let chars = '';
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else chars += body[j];
      }
      parts.push({ kind: 'set', chars, ranges });
      i = close;
    } else parts.push({ kind: 'literal', char: c.toLowerCase() });
  }
  return parts;
}

function partMatches(part: WildcardPart, char: string): boolean {
  switch (part.kind) {
    case 'one':
      return true;
    case 'literal':
      return part.char === char;
    case 'set':
      // A range written backwards (`[z-a]`) matches nothing, where a regular expression would throw.
      return part.chars.includes(char) || part.ranges.some(([from, to]) => from <= char && char <= to);
    default:
      return false;
  }
}

/**
 * PowerShell -like: `*` any run, `?` one character, `[abc]`/`[a-z]` a set, `` ` `` escapes;
 * case-insensitive. No regular expression: any pattern, of any length, is matched in
 * O(pattern × text) and never throws.
 */
export function wildcardMatches(pattern: string, text: string): boolean {
  const parts = wildcardParts(pattern);
  const subject = text.toLowerCase();
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < subject.length) {
    const part = parts[p];
    if (part && part.kind !== 'any' && partMatches(part, subject[t]!)) {
      p++;
      t++;
    } else if (part?.kind === 'any') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (parts[p]?.kind === 'any') p++;
  return p === parts.length;
}

export function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

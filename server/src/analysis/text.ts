// Small text helpers: edit distance for "did you mean", and wildcard matching as PowerShell's -like does it.

export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return 0;
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The closest candidates to a misspelt word, best first; none when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const threshold = Math.max(2, Math.floor(word.length / 3));
  const scored: { name: string; distance: number }[] = [];
  const lower = word.toLowerCase();
  for (const name of candidates) {
    const candidate = name.toLowerCase();
    let distance = editDistance(lower, candidate);
    // A word that is a prefix of a long name (PopCTPProb) is as good as one edit away.
    if (candidate.startsWith(lower) && lower.length >= 4) distance = Math.min(distance, 1);
    if (distance <= threshold) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

/** PowerShell -like: `*` any run, `?` one character, `[abc]` a set; case-insensitive. */
export function wildcardMatches(pattern: string, text: string): boolean {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) source += '\\[';
      else {
        source += '[' + pattern.slice(i + 1, close).replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(source + '$', 'i').test(text);
}

export function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

// "Did you mean": the banded edit distance and the suggestions built on it give what a plain
// Levenshtein over every candidate gives, for random words of every length (rows are reused between calls).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, editDistance } from '../src/analysis/text';
import { random } from './mutate';

/** The textbook Levenshtein distance, case-insensitive: the reference. */
function levenshtein(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length]!;
}

/** didYouMean as its comment describes it, over every candidate without budgets. */
function reference(word: string, candidates: string[], limit = 3): string[] {
  if (word.length === 0 || word.length > 64) return [];
  const threshold = Math.max(2, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  const scored: { name: string; distance: number }[] = [];
  for (const name of candidates) {
    if (lower.length >= 4 && name.toLowerCase().startsWith(lower) && name.length > lower.length) scored.push({ name, distance: 1 });
    const distance = levenshtein(word, name);
    if (Math.abs(name.length - word.length) <= threshold && distance <= threshold) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

describe('did you mean', () => {
  const next = random(0x1234abcd);
  const word = (length: number): string => Array.from({ length }, () => 'abcdeABCDE-._'[Math.floor(next() * 13)]).join('');
  /** A word and its neighbours: a letter changed, dropped or added, so suggestions are near. */
  const near = (w: string): string => {
    const at = Math.floor(next() * (w.length + 1));
    const roll = next();
    return roll < 0.33 ? w.slice(0, at) + word(1) + w.slice(at + 1) : roll < 0.66 ? w.slice(0, at) + w.slice(at + 1) : w.slice(0, at) + word(1) + w.slice(at);
  };

  it('measures the distance of any two words as Levenshtein does, long ones after short ones and back', () => {
    for (let i = 0; i < 3000; i++) {
      const a = word(Math.floor(next() * (i % 10 === 0 ? 200 : 20)));
      const b = next() < 0.5 ? near(a) : word(Math.floor(next() * 20));
      assert.equal(editDistance(a, b), levenshtein(a, b), `${a} / ${b}`);
    }
  });

  it('suggests what a full search over every candidate suggests', () => {
    for (let i = 0; i < 300; i++) {
      const names = Array.from({ length: 40 }, () => word(3 + Math.floor(next() * 12)));
      const candidates = [...names, ...names.slice(0, 10).map(near)];
      for (let k = 0; k < 10; k++) {
        const typed = next() < 0.7 ? near(near(names[Math.floor(next() * names.length)]!)) : word(2 + Math.floor(next() * 12));
        assert.deepEqual(didYouMean(typed, candidates), reference(typed, candidates), typed);
      }
    }
  });

  it('names the values admins misspell', () => {
    assert.deepEqual(didYouMean('Unhealty', ['Healthy', 'Degraded', 'Unhealthy', 'Repairing', 'Disabled', 'Unavailable', 'UnInitialized']), ['Unhealthy']);
    assert.deepEqual(didYouMean('MSExchangePOP4', ['MSExchangePOP3', 'MSExchangePOP3BE', 'MSExchangeIMAP4', 'W3SVC']), ['MSExchangePOP3', 'MSExchangeIMAP4', 'MSExchangePOP3BE']);
  });
});

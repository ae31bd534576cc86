// Judges a probe or monitor name against the catalog, knowing how much of each health set the
// catalog holds: a name the catalog cannot judge is never called wrong.
import type { CatalogIndex } from '../../catalog';
import type { HealthSet, KnownMisspelling, Monitor, Probe } from '../../catalog/types';
import { didYouMean, hasWildcard, wildcardMatches } from '../text';

export type ItemKind = 'probe' | 'monitor' | 'item';

export type Judgement =
  | { verdict: 'known'; probe?: Probe; monitor?: Monitor }
  /** A wrong name the documentation itself prints (PopTestDeepMonitor). */
  | { verdict: 'misspelt'; misspelling: KnownMisspelling }
  /** Not a name of the health sets in context, which the catalog knows completely. */
  | { verdict: 'unknown'; suggestions: string[] }
  /** The catalog cannot tell: the health set is known only in part, or not at all. */
  | { verdict: 'unjudged' };

/**
 * `context` are the health sets the name is written for (`POP\x`, a filter on HealthSetName, the
 * runbook's `healthset`). With none, only a near miss of a name of a completely known health set is
 * judged unknown, and "did you mean" prefers the runbook's health sets (`runbookSets`); with a
 * context, it offers names of the context's health sets only.
 */
export function judgeItem(catalog: CatalogIndex, name: string, kind: ItemKind, context: HealthSet[], runbookSets: HealthSet[] = []): Judgement {
  const probe = kind === 'monitor' ? undefined : catalog.probe(name);
  const monitor = kind === 'probe' ? undefined : catalog.monitor(name);
  if (probe || monitor) return { verdict: 'known', ...(probe ? { probe } : {}), ...(monitor ? { monitor } : {}) };
  const misspelling = (kind !== 'probe' ? catalog.misspelling(name, 'monitor') : undefined) ?? (kind !== 'monitor' ? catalog.misspelling(name, 'probe') : undefined);
  if (misspelling) return { verdict: 'misspelt', misspelling };
  const namesOf = (sets: HealthSet[]): string[] =>
    sets.flatMap((h) => [...(kind !== 'monitor' ? catalog.probesOf(h.name).map((p) => p.name) : []), ...(kind !== 'probe' ? catalog.monitorsOf(h.name).map((m) => m.name) : [])]);
  if (context.length > 0) {
    if (!context.every((h) => h.catalogue === 'complete')) return { verdict: 'unjudged' };
    return { verdict: 'unknown', suggestions: didYouMean(name, namesOf(context)) };
  }
  const suggestions = didYouMean(name, namesOf(catalog.healthSets.filter((h) => h.catalogue === 'complete')));
  if (suggestions.length === 0) return { verdict: 'unjudged' };
  // A near miss: "did you mean" prefers the runbook's own health sets.
  const own = didYouMean(name, namesOf(runbookSets));
  return { verdict: 'unknown', suggestions: own.length > 0 ? own : suggestions };
}

/** For `-like` patterns: whether some name the catalog knows matches, or the catalog cannot tell. */
export function patternMatchesSome(catalog: CatalogIndex, pattern: string, kind: ItemKind, context: HealthSet[]): boolean {
  if (!hasWildcard(pattern)) return true;
  const sets = context.length > 0 ? context : catalog.healthSets;
  if (!sets.every((h) => h.catalogue === 'complete')) return true;
  const names = sets.flatMap((h) => [...(kind !== 'monitor' ? catalog.probesOf(h.name) : []), ...(kind !== 'probe' ? catalog.monitorsOf(h.name) : [])].map((i) => i.name));
  return names.some((n) => wildcardMatches(pattern, n));
}

/** The health sets of these names that the catalog has, in order, without repeats. */
export function healthSetsNamed(catalog: CatalogIndex, names: Iterable<string>): HealthSet[] {
  const found: HealthSet[] = [];
  for (const name of names) {
    const set = catalog.healthSet(name);
    if (set && !found.includes(set)) found.push(set);
  }
  return found;
}

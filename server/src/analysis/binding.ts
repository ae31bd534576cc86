// Binds a PowerShell command's parameters and arguments the way PowerShell does (names, aliases,
// unambiguous prefixes, positions), using the catalog's knowledge of the cmdlet.
import type { CatalogIndex } from '../catalog';
import type { Cmdlet, CmdletParameter } from '../catalog/types';
import type { PsArgument, PsCommand, PsHashEntry, PsRange } from '../powershell/parser';

export interface BoundParameter {
  parameter: CmdletParameter;
  /** The range of `-Name`, or of the argument when bound by position. */
  nameRange: PsRange;
  argument?: PsArgument;
  positional: boolean;
  /** Bound through a splatted hashtable: `nameRange` is the `@p`, the argument lies elsewhere. */
  splatted?: boolean;
  /** Written with a misspelling the catalog knows the intent of (`-ProtocolLoggingEnabled`). */
  misspelt?: boolean;
}

export interface Binding {
  cmdlet: Cmdlet;
  bound: Map<string, BoundParameter>;
  unknown: { name: string; range: PsRange; splatted?: boolean }[];
  ambiguous: { name: string; range: PsRange; candidates: string[] }[];
  /** Parameters written without the value they need. */
  missingValue: { parameter: CmdletParameter; range: PsRange }[];
  /** A splatted variable whose hashtable is not known: any parameter may be bound through it. */
  openSplat: boolean;
}

/** The hashtables a command's splats (`@p`) may refer to: what the step assigned before. */
export interface SplatContext {
  hashtables: ReadonlyMap<string, PsHashEntry[]>;
}

const isSplat = (argument: PsArgument): boolean => argument.kind === 'variable' && argument.text.startsWith('@');

export function findParameter(catalog: CatalogIndex, cmdlet: Cmdlet, written: string): { parameter?: CmdletParameter; candidates: string[] } {
  const name = written.toLowerCase();
  const all = catalog.parametersOf(cmdlet);
  const exact = all.find((p) => p.name.toLowerCase() === name || p.aliases?.some((a) => a.toLowerCase() === name));
  if (exact) return { parameter: exact, candidates: [] };
  const prefixed = all.filter((p) => p.name.toLowerCase().startsWith(name));
  if (prefixed.length === 1) return { parameter: prefixed[0]!, candidates: [] };
  return { candidates: prefixed.map((p) => p.name) };
}

/**
 * Bindings by command. Commands come from the PowerShell cache (one object per distinct command
 * text), so a command is bound once, not again by every check and on every keystroke. Bindings
 * are shared: nothing may change them.
 */
const bindings = new WeakMap<PsCommand, { catalog: CatalogIndex; splats: SplatContext['hashtables'] | undefined; binding: Binding | undefined }>();

/**
 * Binds a command; `context` resolves its splats (`Set-MailboxServer @p` after `$p = @{ ... }`).
 * Only a command that splats depends on the context.
 */
export function bindCommand(catalog: CatalogIndex, command: PsCommand, context?: SplatContext): Binding | undefined {
  const splats = command.elements.some((e) => e.kind === 'argument' && isSplat(e.argument)) ? context?.hashtables : undefined;
  const cached = bindings.get(command);
  if (cached?.catalog === catalog && cached.splats === splats) return cached.binding;
  const binding = bind(catalog, command, splats);
  bindings.set(command, { catalog, splats, binding });
  return binding;
}

function bind(catalog: CatalogIndex, command: PsCommand, splats: SplatContext['hashtables'] | undefined): Binding | undefined {
  const cmdlet = catalog.cmdlet(command.name);
  if (!cmdlet) return undefined;
  const binding: Binding = { cmdlet, bound: new Map(), unknown: [], ambiguous: [], missingValue: [], openSplat: false };
  const splatted: PsArgument[] = [];
  const positionals: PsArgument[] = [];
  const elements = command.elements;
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!;
    if (element.kind === 'argument') {
      if (isSplat(element.argument)) splatted.push(element.argument);
      else positionals.push(element.argument);
      continue;
    }
    const next = elements[i + 1];
    const found = findParameter(catalog, cmdlet, element.name);
    // A misspelling the catalog knows the intent of still does what was meant, for the checks that
    // follow it (protocol logging switched on is still to be switched off).
    const meant = found.parameter ? undefined : catalog.misspelling(element.name, 'parameter', cmdlet.name);
    const intended = meant ? findParameter(catalog, cmdlet, meant.right).parameter : undefined;
    if (!found.parameter) {
      if (found.candidates.length > 1) binding.ambiguous.push({ name: element.name, range: element.range, candidates: found.candidates });
      else binding.unknown.push({ name: element.name, range: element.range });
      // An unknown parameter most likely takes the argument after it.
      let argument = element.colonArgument;
      if (!element.colonArgument && next?.kind === 'argument' && (element.colon || intended?.type !== 'SwitchParameter')) {
        argument = next.argument;
        i++;
      }
      if (intended && !binding.bound.has(intended.name.toLowerCase())) {
        const bound: BoundParameter = { parameter: intended, nameRange: element.range, positional: false, misspelt: true };
        if (argument) bound.argument = argument;
        binding.bound.set(intended.name.toLowerCase(), bound);
      }
      continue;
    }
    const parameter = found.parameter;
    if (parameter.type === 'SwitchParameter') {
      const bound: BoundParameter = { parameter, nameRange: element.range, positional: false };
      if (element.colonArgument) bound.argument = element.colonArgument;
      else if (element.colon && next?.kind === 'argument') {
        // `-Confirm:$false`: the value is the switch's, not a positional argument.
        bound.argument = next.argument;
        i++;
      }
      binding.bound.set(parameter.name.toLowerCase(), bound);
      continue;
    }
    let argument = element.colonArgument;
    if (!argument && next?.kind === 'argument') {
      argument = next.argument;
      i++;
    }
    if (!argument) binding.missingValue.push({ parameter, range: element.range });
    const bound: BoundParameter = { parameter, nameRange: element.range, positional: false };
    if (argument) bound.argument = argument;
    binding.bound.set(parameter.name.toLowerCase(), bound);
  }
  for (const splat of splatted) {
    const entries = splats?.get(splat.text.slice(1).toLowerCase());
    if (!entries) {
      binding.openSplat = true;
      continue;
    }
    for (const entry of entries) {
      const found = findParameter(catalog, cmdlet, entry.key);
      if (!found.parameter) {
        // Reported where it is splatted: the hashtable may be on an earlier `run` line.
        binding.unknown.push({ name: entry.key, range: splat.range, splatted: true });
        continue;
      }
      const bound: BoundParameter = { parameter: found.parameter, nameRange: splat.range, positional: false, splatted: true };
      if (entry.value) bound.argument = entry.value;
      binding.bound.set(found.parameter.name.toLowerCase(), bound);
    }
  }
  const byPosition = cmdlet.parameters
    .filter((p) => p.position !== undefined && !binding.bound.has(p.name.toLowerCase()))
    .sort((a, b) => a.position! - b.position!);
  for (const [index, argument] of positionals.entries()) {
    const parameter = byPosition[index];
    if (!parameter) break;
    binding.bound.set(parameter.name.toLowerCase(), { parameter, nameRange: argument.range, argument, positional: true });
  }
  return binding;
}

/** The server a command acts on (`-Identity`, `-Server` or `-ComputerName`) as written. */
export function targetServer(binding: Binding): string | undefined {
  for (const name of ['identity', 'server', 'computername']) {
    const value = binding.bound.get(name)?.argument;
    if (value && (value.kind === 'variable' || value.kind === 'bareword' || value.kind === 'string')) return value.value;
  }
  return undefined;
}

// Runbook parameters for a step run: which values are still missing, which known servers fit a
// parameter's kind (CAS, Mailbox), the role of a server for `when $Server is mailbox`, and the
// command shown in the confirmation with the values filled in. Pure.
import type { StepParameter, StepPlan } from '../../../server/src/protocol';
import { quotePowerShellLiteral } from '../powershell/quote';

export type ServerRole = 'Mailbox' | 'ClientAccess';

export interface KnownServer {
  name: string;
  roles: ServerRole[];
}

/** What the health view knows about the organisation's servers, given to the runner. */
export interface ServerDirectory {
  servers(): KnownServer[];
}

const SERVER_KINDS = new Set(['server', 'cas', 'mailbox']);

export function isServerKind(kind: string): boolean {
  return SERVER_KINDS.has(kind.toLowerCase());
}

/** The known servers a parameter of this kind can name, sorted by name. */
export function serversForKind(servers: readonly KnownServer[], kind: string): KnownServer[] {
  const wanted = kind.toLowerCase();
  const fits = (s: KnownServer): boolean =>
    wanted === 'server' || (wanted === 'cas' && s.roles.includes('ClientAccess')) || (wanted === 'mailbox' && s.roles.includes('Mailbox'));
  if (!isServerKind(wanted)) return [];
  return servers.filter(fits).sort((a, b) => a.name.localeCompare(b.name));
}

function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

/** Value of a parameter in a map keyed by name, names compared as PowerShell does (any case). */
export function valueOf(values: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(values).find((k) => sameName(k, name));
  return key === undefined ? undefined : values[key];
}

/** The declared parameters a step uses, in declaration order. */
export function stepParameters(step: StepPlan, declared: readonly StepParameter[]): StepParameter[] {
  return declared.filter((p) => step.parameters.some((name) => sameName(name, p.name)));
}

/** The parameters of the step that have no value yet: these, and only these, are asked for. */
export function missingParameters(step: StepPlan, declared: readonly StepParameter[], values: Readonly<Record<string, string>>): StepParameter[] {
  return stepParameters(step, declared).filter((p) => (valueOf(values, p.name) ?? '').trim() === '');
}

/**
 * The roles a condition `when $X is mailbox|cas` sees for a server parameter: from its kind when the
 * kind says it, else from what the directory knows about the server named (both roles on an
 * Exchange 2016+ server). Undefined when unknown: the admin then picks the branch.
 */
export function roleOf(parameter: StepParameter, value: string | undefined, servers: readonly KnownServer[]): ('mailbox' | 'cas')[] | undefined {
  const kind = parameter.kind.toLowerCase();
  if (kind === 'mailbox') return ['mailbox'];
  if (kind === 'cas') return ['cas'];
  if (kind !== 'server' || !value) return undefined;
  const known = servers.find((s) => sameName(s.name, value));
  if (!known || known.roles.length === 0) return undefined;
  return known.roles.map((role) => (role === 'Mailbox' ? 'mailbox' : 'cas'));
}

/** The server a step acts on: the value of its first server-kind parameter. Names the terminal. */
export function targetServer(step: StepPlan, declared: readonly StepParameter[], values: Readonly<Record<string, string>>): string | undefined {
  const parameter = stepParameters(step, declared).find((p) => isServerKind(p.kind));
  return parameter ? valueOf(values, parameter.name) : undefined;
}

/**
 * The command as the confirmation shows it: each `$Param` replaced by its quoted value, so the
 * admin reads exactly what will act on which server. Display only: the terminal gets the
 * assignments and the command as written.
 */
export function withValues(command: string, values: Readonly<Record<string, string>>): string {
  return command.replace(/\$([\p{L}_][\p{L}\p{N}_]*)/gu, (whole, name: string) => {
    const value = valueOf(values, name);
    return value === undefined ? whole : quotePowerShellLiteral(value);
  });
}

// Result capture for a step run in the terminal: the PowerShell wrapped around the step's commands
// (capture the last pipeline's objects once, show them as written, report status and the tested
// properties as one JSON line between per-run markers) and the parser of what the terminal streams
// back. Pure and Windows PowerShell 5.1-compatible: no ?:, ??, &&, -AsHashtable, -EnumsAsStrings.
import { randomBytes } from 'node:crypto';
import { quotePowerShellLiteral } from '../powershell/quote';

/** The most objects whose properties are sent back: conditions over more than this are not sensible to read from a terminal. */
export const MAX_CAPTURED_OBJECTS = 500;

export interface StepScriptRequest {
  /** Per-run nonce, so earlier output (or the echoed command) can never be taken for this run's result. */
  nonce: string;
  /** `$Name = '<value>'` lines, values already quoted. */
  assignments: readonly string[];
  /** The step's `run` commands before the last, exactly as written. */
  commands: readonly string[];
  /** The last command split as the plan describes it: `pipeline` is captured once, `display` (e.g. `Format-List`) shows the captured objects. */
  last?: { pipeline: string; display?: string | undefined } | undefined;
  /** Properties the step's conditions test. */
  properties: readonly string[];
  /** Run first, before the step's error baseline (the connection made sure of). */
  prelude?: string | undefined;
}

export function newNonce(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The text sent to the terminal for one step. Everything runs once in the admin's shell, inside a
 * try so a terminating error still reaches the markers; `$Error` is compared before and after
 * because `$?` only describes the last statement, and `$LASTEXITCODE` is cleared first so a native
 * exit code from an earlier step is not taken for this one's.
 */
export function buildStepScript(request: StepScriptRequest): string {
  if (!/^[0-9a-z]+$/i.test(request.nonce)) throw new Error('The nonce must be alphanumeric.');
  const props = request.properties.map(quotePowerShellLiteral).join(', ');
  const display = request.last?.display?.trim();
  const lines: string[] = [];
  // Before the error baseline: an import's own SilentlyContinue look-ups land in $Error and are not the step's.
  if (request.prelude) lines.push(request.prelude);
  lines.push('$__exrE = $Error.Count; $__exrE0 = $null; if ($Error.Count) { $__exrE0 = $Error[0] }; $global:LASTEXITCODE = $null; $__exr = @(); $__exrOk = $true');
  lines.push('try {');
  lines.push(...request.assignments, ...request.commands);
  if (request.last) {
    // The newline before `)` keeps a trailing comment or backtick in the pipeline from eating the parenthesis.
    lines.push(`$__exr = @(${request.last.pipeline}`, '); $__exrOk = $?');
  }
  lines.push('} catch { $__exrOk = $false; Write-Error -ErrorRecord $_ -ErrorAction Continue }');
  lines.push(
    `$__exrCode = $LASTEXITCODE; if ($__exr.Count) { $__exr | ${display ? `${display} | ` : ''}Out-Host }`,
    '$__exrN = $Error.Count - $__exrE; if ($__exrN -le 0 -and $Error.Count -and -not [object]::ReferenceEquals($Error[0], $__exrE0)) { $__exrN = 1 }',
    `$__exrRows = @(foreach ($__exrO in @($__exr | Select-Object -First ${MAX_CAPTURED_OBJECTS})) { $__exrH = @{}; foreach ($__exrP in @(${props})) { $__exrV = $__exrO.$__exrP; if ($__exrV -is [System.Collections.IEnumerable] -and $__exrV -isnot [string]) { $__exrV = @($__exrV | ForEach-Object { [string]$_ }) } elseif ($null -ne $__exrV) { $__exrV = [string]$__exrV }; $__exrH[$__exrP] = $__exrV }; $__exrH })`,
    // The marker is assembled by -f so the echoed command line never contains it literally.
    `Write-Host ('<<<EXR:{0}>>>' -f '${request.nonce}'); Write-Host (ConvertTo-Json -Compress -Depth 5 -InputObject @{ ok = [bool]$__exrOk; errors = [int]$__exrN; exitCode = $__exrCode; count = $__exr.Count; objects = $__exrRows }); Write-Host ('<<<EXR:{0}:END>>>' -f '${request.nonce}')`,
    'Remove-Variable -Name __exr* -Scope Global -ErrorAction Ignore',
  );
  // One dot-sourced block: PSReadLine (and a shell without shell integration fed line by line)
  // keeps reading until its brace closes, so the step runs as one command, in the admin's scope.
  return ['. {', ...lines, '}'].join('\n');
}

// OSC (ESC ] ... BEL or ESC \), CSI (ESC [ ... final byte), and two-byte escapes (ESC = , ESC ( B ...).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMNOc]|\r/g;

/** The terminal stream as text: shell-integration OSC 633, colours, cursor queries and CRs removed. */
export function stripTerminalEscapes(text: string): string {
  return text.replace(ESCAPES, '');
}

export interface CapturedResult {
  /** `$?` of the last command (false when anything threw). */
  ok: boolean;
  /** Errors the step added to `$Error`. */
  errors: number;
  /** `$LASTEXITCODE` when a native command ran in the step. */
  exitCode: number | null;
  /** How many objects the last pipeline wrote. */
  count: number;
  /** The tested properties of the first objects, values as PowerShell prints them. */
  objects: Record<string, unknown>[];
}

export interface ParsedStepOutput {
  /** What the admin saw, escapes and the marker block removed. */
  text: string;
  /** Undefined when the markers never came (the command was interrupted, or the output could not be read). */
  result?: CapturedResult;
}

function asRows(value: unknown): Record<string, unknown>[] {
  // Windows PowerShell 5.1 may wrap an array as { value: [...], Count: n }.
  if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { value?: unknown }).value)) {
    return asRows((value as { value: unknown }).value);
  }
  if (!Array.isArray(value)) return value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
  return value.filter((row): row is Record<string, unknown> => !!row && typeof row === 'object');
}

export function parseStepOutput(raw: string, nonce: string): ParsedStepOutput {
  const text = stripTerminalEscapes(raw);
  const begin = `<<<EXR:${nonce}>>>`;
  const end = `<<<EXR:${nonce}:END>>>`;
  const from = text.lastIndexOf(begin);
  const to = from >= 0 ? text.indexOf(end, from) : -1;
  if (from < 0 || to < 0) return { text: text.trim() };
  // A terminal may wrap the JSON line at its width: JSON has no raw newlines, so drop them all.
  const json = text.slice(from + begin.length, to).replace(/\n/g, '');
  const shown = (text.slice(0, from) + text.slice(to + end.length)).trim();
  try {
    const data = JSON.parse(json) as { ok?: unknown; errors?: unknown; exitCode?: unknown; count?: unknown; objects?: unknown };
    const result: CapturedResult = {
      ok: data.ok === true,
      errors: typeof data.errors === 'number' ? data.errors : 0,
      exitCode: typeof data.exitCode === 'number' ? data.exitCode : null,
      count: typeof data.count === 'number' ? data.count : 0,
      objects: asRows(data.objects),
    };
    return { text: shown, result };
  } catch {
    return { text: shown };
  }
}

/** Whether the step failed, by what PowerShell reported rather than the terminal's 0/1. */
export function stepFailed(result: CapturedResult): boolean {
  return !result.ok || result.errors > 0 || (result.exitCode !== null && result.exitCode !== 0);
}

/** The last lines of the output, for the journal and the decoration's hover. */
export function outputExcerpt(text: string, maxLines = 20, maxChars = 2000): string {
  const lines = text.split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[0] === '') lines.shift();
  let excerpt = lines.slice(-maxLines).join('\n').trim();
  if (lines.length > maxLines) excerpt = `…\n${excerpt}`;
  return excerpt.length > maxChars ? `…${excerpt.slice(-maxChars)}` : excerpt;
}

// Result capture for a step run in the terminal: the step function each terminal defines once (it
// captures the last pipeline's objects once, shows them as written, and reports status and the
// tested properties as one JSON line between per-run markers), the short call that shows the step
// as written, and the parser of what the terminal streams back. Pure; the PowerShell is Windows
// PowerShell 5.1-compatible: no ?:, ??, &&, -AsHashtable, -EnumsAsStrings.
import { randomBytes } from 'node:crypto';
import { quotePowerShellLiteral } from '../powershell/quote';

/** The most objects whose properties are sent back: conditions over more than this are not sensible to read from a terminal. */
export const MAX_CAPTURED_OBJECTS = 500;

export interface StepScriptRequest {
  /** Per-run nonce, so earlier output (or the echoed command) can never be taken for this run's result. */
  nonce: string;
  /** `$Name = '<value>'` lines, values already quoted. */
  assignments: readonly string[];
  /** The step's `run` commands exactly as written, the last one included (its display commands too). */
  commands: readonly string[];
  /** Properties the step's conditions test. */
  properties: readonly string[];
}

export function newNonce(): string {
  return randomBytes(6).toString('hex');
}

/** The function each runner terminal defines once, and the environment variable that carries its definition. */
export const STEP_FUNCTION = 'Invoke-RunbookStep';
export const STEP_HELPER_VARIABLE = 'EXCHANGE_RUNBOOKS_STEP';

/** Defines the step function from the terminal's environment: one short line, no code typed. */
export const DEFINE_STEP_FUNCTION = `. ([scriptblock]::Create($env:${STEP_HELPER_VARIABLE}))`;

/**
 * The step function (Windows PowerShell 5.1-compatible: no ?:, ??, &&, -AsHashtable). The terminal
 * shows the step as the runbook writes it, `. Invoke-RunbookStep <nonce> @(<properties>) { <commands> }`,
 * and this does the capture the admin need not watch: it splits the block with PowerShell's own
 * parser (everything before the last statement; the last pipeline without its trailing
 * Format-* and Out-* commands, which then show the captured objects, so it runs once) and runs the
 * step inside a try, so a terminating error still reaches the markers. `$Error` is compared before
 * and after because `$?` only describes the last statement, and `$LASTEXITCODE` is cleared first so
 * a native exit code from an earlier step is not taken for this one's. The call is dot-sourced:
 * the step runs in the admin's scope, its assignments stay set, and the function's own variables
 * (named so nothing else uses them) are removed at the end. The step's pieces are its own text,
 * cut where PowerShell's parser says its statements and pipeline elements begin and end; the
 * properties and the nonce arrive as data, never as code.
 */
const STEP_FUNCTION_SCRIPT = String.raw`
function global:Invoke-RunbookStep {
  param([string]$__exrId, [string[]]$__exrTest, [scriptblock]$__exrStep)
  __EXR_PRELUDE__
  $__exrAll = $__exrStep.Ast.Extent.StartScriptPosition.GetFullScript()
  $__exrBody = @($__exrStep.Ast.EndBlock.Statements)
  $__exrBefore = ''; $__exrPipeline = ''; $__exrDisplay = ''
  if ($__exrBody.Count -gt 0) {
    $__exrLast = $__exrBody[$__exrBody.Count - 1]
    $__exrBefore = $__exrAll.Substring($__exrBody[0].Extent.StartOffset, $__exrLast.Extent.StartOffset - $__exrBody[0].Extent.StartOffset)
    $__exrPipeline = $__exrLast.Extent.Text
    if ($__exrLast -is [System.Management.Automation.Language.PipelineAst]) {
      $__exrParts = $__exrLast.PipelineElements
      $__exrFirst = $__exrParts.Count
      while ($__exrFirst -gt 1 -and $__exrParts[$__exrFirst - 1] -is [System.Management.Automation.Language.CommandAst] -and [string]$__exrParts[$__exrFirst - 1].GetCommandName() -match '^(format-[a-z]+|out-[a-z]+|fl|ft|fw|fc|ogv)$') { $__exrFirst-- }
      if ($__exrFirst -lt $__exrParts.Count) {
        $__exrFrom = $__exrLast.Extent.StartOffset
        $__exrPipeline = $__exrAll.Substring($__exrFrom, $__exrParts[$__exrFirst - 1].Extent.EndOffset - $__exrFrom)
        $__exrFrom = $__exrParts[$__exrFirst].Extent.StartOffset
        $__exrDisplay = $__exrAll.Substring($__exrFrom, $__exrLast.Extent.EndOffset - $__exrFrom)
      }
    }
  }
  $__exrShow = 'Out-Host'
  if ($__exrDisplay) { $__exrShow = $__exrDisplay + ' | Out-Host' }
  $__exrRun = New-Object System.Collections.ArrayList
  [void]$__exrRun.Add('$__exrE = $Error.Count; $__exrE0 = $null; if ($Error.Count) { $__exrE0 = $Error[0] }; $global:LASTEXITCODE = $null; $__exr = @(); $__exrOk = $true')
  [void]$__exrRun.Add('try {')
  if ($__exrBefore.Trim()) { [void]$__exrRun.Add($__exrBefore) }
  # The newline before the parenthesis keeps a trailing comment or backtick from eating it.
  if ($__exrPipeline) { [void]$__exrRun.Add('$__exr = @(' + $__exrPipeline); [void]$__exrRun.Add('); $__exrOk = $?') }
  [void]$__exrRun.Add('} catch { $__exrOk = $false; Write-Error -ErrorRecord $_ -ErrorAction Continue }')
  [void]$__exrRun.Add('$__exrCode = $LASTEXITCODE; if ($__exr.Count) { $__exr | ' + $__exrShow + ' }')
  [void]$__exrRun.Add('$__exrN = $Error.Count - $__exrE; if ($__exrN -le 0 -and $Error.Count -and -not [object]::ReferenceEquals($Error[0], $__exrE0)) { $__exrN = 1 }')
  [void]$__exrRun.Add('$__exrRows = @(foreach ($__exrO in @($__exr | Select-Object -First __EXR_MAX__)) { $__exrH = @{}; foreach ($__exrP in @($__exrTest)) { $__exrV = $__exrO.$__exrP; if ($__exrV -is [System.Collections.IEnumerable] -and $__exrV -isnot [string]) { $__exrV = @($__exrV | ForEach-Object { [string]$_ }) } elseif ($null -ne $__exrV) { $__exrV = [string]$__exrV }; $__exrH[$__exrP] = $__exrV }; $__exrH })')
  # Dark grey: the admin reads the step's output, not the block the runner reads back.
  [void]$__exrRun.Add('Write-Host (''<<<EXR:{0}>>>'' -f $__exrId) -ForegroundColor DarkGray; Write-Host (ConvertTo-Json -Compress -Depth 5 -InputObject @{ ok = [bool]$__exrOk; errors = [int]$__exrN; exitCode = $__exrCode; count = $__exr.Count; objects = $__exrRows }) -ForegroundColor DarkGray; Write-Host (''<<<EXR:{0}:END>>>'' -f $__exrId) -ForegroundColor DarkGray')
  [void]$__exrRun.Add('Remove-Variable -Name __exr* -ErrorAction Ignore')
  . ([scriptblock]::Create(($__exrRun -join [Environment]::NewLine)))
}
`;

/**
 * The step function's definition for a terminal: `prelude` (the connection made sure of) runs
 * first in every step, before the step's error baseline (an import's own SilentlyContinue look-ups
 * land in $Error and are not the step's).
 */
export function stepHelperScript(prelude?: string): string {
  return STEP_FUNCTION_SCRIPT.replace('__EXR_PRELUDE__', () => prelude ?? '').replace('__EXR_MAX__', String(MAX_CAPTURED_OBJECTS)).trim();
}

/**
 * What the terminal is sent for one step: the step as written, in one dot-sourced call of the
 * step function (PSReadLine, and a shell fed line by line, read on until the brace closes, so it
 * runs as one command). `define` first defines the function from the terminal's environment, for a
 * terminal whose start-up command may not have run.
 */
export function buildStepCall(request: StepScriptRequest, options: { define?: boolean } = {}): string {
  if (!/^[0-9a-z]+$/i.test(request.nonce)) throw new Error('The nonce must be alphanumeric.');
  const props = request.properties.map(quotePowerShellLiteral).join(', ');
  const call = [`. ${STEP_FUNCTION} ${request.nonce} @(${props}) {`, ...request.assignments, ...request.commands, '}'].join('\n');
  return options.define ? `${DEFINE_STEP_FUNCTION}\n${call}` : call;
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

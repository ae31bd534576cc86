// A persistent pwsh process for the rehearsal: scripts go in as base64 and values as JSON data (never
// spliced into code), answers come back as one marked JSON line. The CLI's own small wrapper, after
// the design measured in shared/reference/powershell-live.md §2 (node-powershell hangs on multi-line
// commands and mixes host text into data).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const MARKER = '\u001eEXR1 ';

/**
 * Defines `__ExrInvoke`: runs a script block with its parameters splatted from JSON, sorts the
 * streams (errors, warnings, host text, output) and writes one compact JSON answer line.
 */
const BOOTSTRAP = `
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
function global:__ExrInvoke([string]$Id, [string]$Script, [string]$ParamsJson) {
  $r = [ordered]@{ id = $Id; ok = $true; output = $null; errors = @(); host = @() }
  try {
    $sb = [scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Script)))
    $p = @{}
    $parsed = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ParamsJson)) | ConvertFrom-Json
    if ($parsed) { foreach ($prop in $parsed.PSObject.Properties) { $p[$prop.Name] = $prop.Value } }
    $all = @(& $sb @p 2>&1 3>&1 6>&1)
    $out = [Collections.Generic.List[object]]::new()
    foreach ($item in $all) {
      if ($item -is [Management.Automation.ErrorRecord]) { $r.errors += "$item" }
      elseif ($item -is [Management.Automation.WarningRecord]) { $r.host += "WARNING: $($item.Message)" }
      elseif ($item -is [Management.Automation.InformationRecord]) { $r.host += "$($item.MessageData)" }
      else { $out.Add($item) }
    }
    $r.output = $out.ToArray()
  } catch {
    $r.ok = $false
    $r.errors += "$_"
  }
  [Console]::Out.Write("${MARKER.replace('\u001e', '$([char]0x1e)')}" + (ConvertTo-Json -InputObject $r -Compress -Depth 6 -WarningAction SilentlyContinue) + "\`n")
}
`;

export interface PwshAnswer {
  ok: boolean;
  output: unknown;
  errors: string[];
  host: string[];
}

/** The pwsh to run: `EXR_PWSH`, else the package's own .tools/pwsh, else pwsh on PATH. */
export function findPwsh(packageRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.EXR_PWSH) return env.EXR_PWSH;
  const tool = join(packageRoot, '.tools', 'pwsh', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  if (existsSync(tool)) return tool;
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
    if (folder && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export class PwshProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private stderr = '';
  private next = 0;
  private pending: { id: string; resolve: (a: PwshAnswer) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private exited: Error | undefined;
  /** Lines pwsh wrote outside an answer (a script's own [Console]::WriteLine): kept for error messages. */
  readonly stray: string[] = [];

  constructor(executable: string, env: NodeJS.ProcessEnv) {
    // A clean, dumb terminal: no escape sequences in the JSON, no telemetry or update checks.
    const childEnv = { ...env, TERM: 'dumb', NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' };
    this.child = spawn(executable, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-'], { env: childEnv, stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    const onExit = (reason: string) => {
      this.exited = new Error(`pwsh ended (${reason}): ${this.stderr.trim() || this.stray.slice(-5).join('\n')}`);
      this.pending?.reject(this.exited);
      this.pending = undefined;
    };
    this.child.on('exit', (code, signal) => onExit(signal ?? `exit code ${code}`));
    this.child.on('error', (error) => onExit(error.message));
    // One line: `-Command -` runs each line as it comes; a multi-line script would wait for a blank line.
    this.child.stdin.write(`. ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64(BOOTSTRAP)}'))))\n`);
  }

  /** Runs a script (which may declare `param(...)`) with `params` splatted as data. One at a time. */
  invoke(script: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<PwshAnswer> {
    const run = this.queue.then(() => this.send(script, params, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private send(script: string, params: Record<string, unknown>, timeoutMs: number): Promise<PwshAnswer> {
    if (this.exited) return Promise.reject(this.exited);
    const id = String(++this.next);
    return new Promise<PwshAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error(`pwsh did not answer within ${timeoutMs / 1000} s`));
        this.dispose();
      }, timeoutMs);
      this.pending = {
        id,
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.child.stdin.write(`__ExrInvoke '${id}' '${b64(script)}' '${b64(JSON.stringify(params))}'\n`);
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      const at = line.indexOf(MARKER);
      if (at < 0) {
        if (line.trim()) this.stray.push(line);
        continue;
      }
      const answer = JSON.parse(line.slice(at + MARKER.length)) as PwshAnswer & { id: string };
      if (this.pending?.id === answer.id) {
        const { resolve } = this.pending;
        this.pending = undefined;
        resolve({ ok: answer.ok, output: answer.output, errors: answer.errors ?? [], host: answer.host ?? [] });
      }
    }
  }

  dispose(): void {
    if (this.exited) return;
    this.child.stdin.end();
    // The .NET tool's pwsh is a shim with a child: closing stdin ends both, a kill only the shim.
    setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, 3000).unref();
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

// One persistent PowerShell process for the health view and the probes, over node-powershell,
// with every trap the project measured in it neutralised (see docs/performance.md and the tests).
import type { ChildProcess } from 'node:child_process';
import { PowerShell } from 'node-powershell';
import { killProcessTree } from './processTree';
import { BOOTSTRAP_SCRIPT, HELLO_SCRIPT } from './scripts';

export type SessionState = 'idle' | 'starting' | 'ready' | 'restarting' | 'exited' | 'disposed';
export type SessionErrorKind = 'timeout' | 'exited' | 'start-failed' | 'disposed';

/**
 * What went wrong, as data: `message` is its English (logs, tests, the benchmarks), and the client
 * words the same reason in the user's language (sessionMessages.ts). `detail` is text from
 * PowerShell or the process (its errors, the tail of its stderr), shown as it came.
 */
export type SessionErrorReason =
  | { id: 'closed' }
  | { id: 'no-hello'; detail: string }
  | { id: 'startup-script'; detail: string }
  | { id: 'start-timeout'; ms: number }
  | { id: 'exited'; code?: number | null; signal?: string; cause?: string; detail?: string }
  | { id: 'request-timeout'; ms: number }
  | { id: 'no-answer'; detail: string }
  | { id: 'unexpected'; detail: string };

function withDetail(text: string, detail: string | undefined): string {
  return detail ? `${text}\n${detail}` : text;
}

export function englishSessionMessage(reason: SessionErrorReason): string {
  switch (reason.id) {
    case 'closed':
      return 'The PowerShell session was closed.';
    case 'no-hello':
      return `PowerShell did not answer its first request: ${reason.detail}`;
    case 'startup-script':
      return reason.detail || 'The start-up script failed.';
    case 'start-timeout':
      return `PowerShell did not start within ${reason.ms} ms.`;
    case 'exited': {
      const how = reason.signal ? `signal ${reason.signal}` : typeof reason.code === 'number' ? `exit code ${reason.code}` : reason.cause;
      return withDetail(how ? `PowerShell exited (${how}).` : 'PowerShell exited.', reason.detail);
    }
    case 'request-timeout':
      return `PowerShell did not answer within ${reason.ms} ms; the process was stopped and starts again on the next request.`;
    case 'no-answer':
      return withDetail('PowerShell ended the request without an answer.', reason.detail);
    case 'unexpected':
      return reason.detail;
  }
}

/** Why a request got no answer. Requests never reject with anything else. */
export class SessionError extends Error {
  constructor(
    readonly kind: SessionErrorKind,
    readonly reason: SessionErrorReason,
    /** English unless the client has put the reason into the user's language. */
    message: string = englishSessionMessage(reason),
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface InvokeResult<T> {
  /** The script ran to its end: no parse error, no terminating error (non-terminating ones are in `errors`). */
  ok: boolean;
  output: T[];
  errors: string[];
  warnings: string[];
  /** Write-Host and Write-Information text (and Verbose/Debug, prefixed), in order. */
  information: string[];
  /** Round trip as seen from Node. */
  durationMs: number;
}

export interface InvokeOptions {
  timeoutMs?: number;
  /** ConvertTo-Json depth below each output object (default 4). */
  depth?: number;
}

/** A script run once in every new process, before it counts as ready (a connection's start-up). */
export interface StartupScript {
  script: string;
  params?: Record<string, unknown>;
}

/** Structurally a VS Code LogOutputChannel, so the client can pass its channel as is. */
export interface SessionLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PowerShellSessionOptions {
  executable: string;
  /** Added to the cleaned environment (e.g. EXCHANGE_SIMULATOR=1); cannot undo TERM=dumb and friends. */
  env?: Record<string, string>;
  startupScript?: StartupScript;
  /** Sent before the process is stopped by dispose() (e.g. Remove-PSSession). */
  shutdownScript?: string;
  /** Process start + bootstrap + start-up script. Generous: 1.2-2.5 s starts were measured under load. */
  startupTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Wait before restarting after the process died: initial, doubling per consecutive failure, up to max. */
  restartBackoffMs?: { initial: number; max: number };
  log?: SessionLog;
}

export interface StateChange {
  state: SessionState;
  /** Why the process is gone, for 'exited'. */
  error?: SessionError;
}

/** One spawned process and what we know about it. */
interface Running {
  shell: PowerShell;
  child: ChildProcess;
  /** The .NET tool's shim spawns the real pwsh: its $PID, once it said hello. */
  realPid?: number;
  ready: boolean;
  gone: boolean;
  /** Killed on purpose (timeout, dispose): its exit is not a crash. */
  stopping: boolean;
  stderrTail: string;
  exited: Promise<void>;
  /** The request on the wire, failed by the exit handler. */
  current?: (error: SessionError) => void;
}

interface Pending {
  script: string;
  params: Record<string, unknown>;
  options: InvokeOptions;
  resolve(result: InvokeResult<unknown>): void;
  reject(error: SessionError): void;
}

interface Answer {
  id: string;
  ok: boolean;
  output: unknown[];
  errors: string[];
  warnings: string[];
  information: string[];
}

const MARKER = '\u001eEXR1 ';
const STDERR_TAIL = 2000;
/** Variables that change how pwsh writes its output, or which pwsh node-powershell starts. */
const DROPPED_ENV = /^(TERM|COLORTERM|TERM_PROGRAM.*|FORCE_COLOR|CLICOLOR.*|NODE_POWERSHELL|ELECTRON_RUN_AS_NODE|VSCODE_.*)$/i;

/**
 * The child's environment: the parent's minus what made node-powershell's output unparseable or its
 * executable unpredictable, plus the caller's, plus settings that cannot be overridden.
 */
export function sessionEnvironment(parent: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !DROPPED_ENV.test(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (!DROPPED_ENV.test(name)) env[name] = value;
  }
  // pwsh 7 writes ESC[?1h ESC[?1l around output and colours when TERM is set: the extension host has TERM=xterm.
  env.TERM = 'dumb';
  env.NO_COLOR = '1';
  env.POWERSHELL_TELEMETRY_OPTOUT = '1';
  env.POWERSHELL_UPDATECHECK = 'Off';
  return env;
}

/**
 * Parameters as JSON, every string prefixed with one character (stripped by __ExrDecode in the
 * session) so that pwsh 7's ConvertFrom-Json cannot turn a date-like string into a DateTime.
 */
export function encodeParams(params: Record<string, unknown>): string {
  const wire = (value: unknown): unknown => {
    if (typeof value === 'string') return '.' + value;
    if (value instanceof Date) return '.' + value.toISOString();
    if (Array.isArray(value)) return value.map(wire);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, wire(v)]));
    }
    return value;
  };
  return JSON.stringify(wire(params));
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The one line sent for a request: only base64 and a number, so nothing in it can be parsed as code. */
export function requestLine(id: string, script: string, params: Record<string, unknown>, depth: number): string {
  return `__ExrInvoke '${id}' '${base64(script)}' ${Math.max(0, Math.floor(depth))} '${base64(encodeParams(params))}'`;
}

/** Finds the answer to request `id` in what pwsh wrote to stdout; every other line is stray output. */
export function parseAnswer(stdout: string, id: string): { answer?: Answer; stray: string[] } {
  const stray: string[] = [];
  let answer: Answer | undefined;
  const prefix = `${MARKER}${id} `;
  for (const line of stdout.split(/\r?\n/)) {
    // Anything before the marker (a terminal escape sequence) is ignored, not parsed.
    const at = line.indexOf(prefix);
    if (at >= 0 && answer === undefined) {
      answer = JSON.parse(Buffer.from(line.slice(at + prefix.length).trim(), 'base64').toString('utf8')) as Answer;
    } else if (line.trim() !== '') {
      stray.push(line);
    }
  }
  return { answer, stray };
}

const asText = (value: unknown): string => (value === undefined || value === null ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.map((v) => String(v)) : value === undefined || value === null ? [] : [String(value)]);

/**
 * node-powershell keeps its ChildProcess and exit promise private. The class needs both (an exit
 * event for crash detection, the PID for killing the tree, a handler on the exit promise so that a
 * process dying with no request pending is not an unhandled rejection), so it reads them here and
 * fails loudly if a future version renames them.
 */
function internals(shell: PowerShell): { child: ChildProcess; exitPromise: Promise<void> } {
  const fields = shell as unknown as { process?: ChildProcess; exitPromise?: Promise<void> };
  if (!fields.process || typeof fields.process.on !== 'function' || !(fields.exitPromise instanceof Promise)) {
    throw new Error('node-powershell changed: its process and exitPromise fields are gone (client/src/powershell/session.ts)');
  }
  return { child: fields.process, exitPromise: fields.exitPromise };
}

/** A node-powershell shell that starts exactly this executable: NODE_POWERSHELL in our environment would otherwise win. */
function pinnedShell(executable: string, env: Record<string, string>): PowerShell {
  class PinnedPowerShell extends PowerShell {
    protected override setExecutable(): string {
      return executable;
    }
  }
  return new PinnedPowerShell({
    executableOptions: {
      '-NoProfile': true,
      '-NonInteractive': true,
      // Process scope only: lets the simulator module and RemoteExchange.ps1 load under a Restricted policy.
      ...(process.platform === 'win32' ? { '-ExecutionPolicy': 'Bypass' } : {}),
    },
    spawnOptions: { env, windowsHide: true },
    // Neutralised: node-powershell would throw away stdout when anything appears on stderr, and
    // its own timeout neither cancels nor kills. Failures are decided by the framed answer.
    throwOnInvocationError: false,
    invocationTimeout: 0,
  });
}

export class PowerShellSession {
  private readonly options: Required<Pick<PowerShellSessionOptions, 'startupTimeoutMs' | 'requestTimeoutMs' | 'restartBackoffMs'>> & PowerShellSessionOptions;
  private running?: Running;
  private starting?: Promise<Running>;
  private readonly queue: Pending[] = [];
  private busy = false;
  private disposed = false;
  private everStarted = false;
  private failures = 0;
  private notBefore = 0;
  private nextId = 0;
  private currentState: SessionState = 'idle';
  private readonly listeners = new Set<(change: StateChange) => void>();

  constructor(options: PowerShellSessionOptions) {
    this.options = { startupTimeoutMs: 60_000, requestTimeoutMs: 60_000, restartBackoffMs: { initial: 500, max: 30_000 }, ...options };
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** The real pwsh's PID (not the .NET tool's shim), while a process runs. */
  get pid(): number | undefined {
    return this.running && !this.running.gone ? (this.running.realPid ?? this.running.child.pid) : undefined;
  }

  /** The spawned process's PID (the shim for the .NET tool, else the same as `pid`). */
  get processId(): number | undefined {
    return this.running && !this.running.gone ? this.running.child.pid : undefined;
  }

  onDidChangeState(listener: (change: StateChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Runs `script` (which may declare `param(...)`) with `params` splatted in. Requests run one at a
   * time; the process is started (or restarted, after a backoff) when one needs it.
   */
  invoke<T = unknown>(script: string, params: Record<string, unknown> = {}, options: InvokeOptions = {}): Promise<InvokeResult<T>> {
    if (this.disposed) return Promise.reject(new SessionError('disposed', { id: 'closed' }));
    return new Promise<InvokeResult<unknown>>((resolve, reject) => {
      this.queue.push({ script, params, options, resolve, reject });
      void this.pump();
    }) as Promise<InvokeResult<T>>;
  }

  /** Stops the process tree; pending requests reject with 'disposed'. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    const running = this.running;
    if (running?.ready && !running.gone && !this.busy && this.options.shutdownScript) {
      this.busy = true;
      try {
        await this.request(running, this.options.shutdownScript, {}, 2, 5_000);
      } catch (error) {
        this.options.log?.warn(`PowerShell shutdown script failed: ${(error as Error).message}`);
      } finally {
        this.busy = false;
      }
    }
    this.disposed = true;
    const error = new SessionError('disposed', { id: 'closed' });
    for (const pending of this.queue.splice(0)) pending.reject(error);
    this.setState('disposed');
    if (running && !running.gone) {
      running.current?.(error);
      this.stop(running);
      await Promise.race([running.exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    }
  }

  private setState(state: SessionState, error?: SessionError): void {
    if (this.currentState === state || (this.currentState === 'disposed' && state !== 'disposed')) return;
    this.currentState = state;
    for (const listener of [...this.listeners]) {
      try {
        listener({ state, error });
      } catch (e) {
        this.options.log?.error(`State listener failed: ${(e as Error).message}`);
      }
    }
  }

  private async pump(): Promise<void> {
    if (this.busy || this.disposed) return;
    const pending = this.queue.shift();
    if (!pending) return;
    this.busy = true;
    try {
      const running = await this.ensureStarted();
      const result = await this.request(running, pending.script, pending.params, pending.options.depth ?? 4, pending.options.timeoutMs ?? this.options.requestTimeoutMs);
      this.failures = 0;
      pending.resolve(result);
    } catch (error) {
      pending.reject(error instanceof SessionError ? error : new SessionError('exited', { id: 'unexpected', detail: String((error as Error)?.message ?? error) }));
    } finally {
      this.busy = false;
      void this.pump();
    }
  }

  private ensureStarted(): Promise<Running> {
    if (this.running?.ready && !this.running.gone) return Promise.resolve(this.running);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<Running> {
    const wait = this.notBefore - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.disposed) throw new SessionError('disposed', { id: 'closed' });
    this.setState(this.everStarted ? 'restarting' : 'starting');
    this.everStarted = true;
    const deadline = Date.now() + this.options.startupTimeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    let running: Running | undefined;
    try {
      running = this.spawn();
      await this.send(running, `. ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${base64(BOOTSTRAP_SCRIPT)}'))))`, remaining());
      const hello = await this.request(running, HELLO_SCRIPT, {}, 2, remaining());
      const info = hello.output[0] as { pid?: number; version?: string; edition?: string } | undefined;
      if (!hello.ok || typeof info?.pid !== 'number') throw new SessionError('start-failed', { id: 'no-hello', detail: hello.errors.join('; ') });
      running.realPid = info.pid;
      this.options.log?.info(`PowerShell ${info.version} (${info.edition}) started: ${this.options.executable}, PID ${running.child.pid}${info.pid !== running.child.pid ? `, real pwsh PID ${info.pid}` : ''}`);
      const startup = this.options.startupScript;
      if (startup) {
        const result = await this.request(running, startup.script, startup.params ?? {}, 2, remaining());
        for (const line of result.information) this.options.log?.info(`start-up: ${line}`);
        for (const line of result.warnings) this.options.log?.warn(`start-up: ${line}`);
        if (!result.ok) throw new SessionError('start-failed', { id: 'startup-script', detail: result.errors.join('\n') });
      }
      running.ready = true;
      this.setState('ready');
      return running;
    } catch (error) {
      const reason = error instanceof SessionError ? error : new SessionError('start-failed', { id: 'unexpected', detail: String((error as Error)?.message ?? error) });
      if (running && !running.gone) this.stop(running);
      if (reason.kind === 'disposed') throw reason;
      this.failures++;
      this.notBefore = Date.now() + this.backoff();
      const failed = new SessionError('start-failed', reason.kind === 'timeout' ? { id: 'start-timeout', ms: this.options.startupTimeoutMs } : reason.reason);
      this.options.log?.error(`PowerShell could not start (${this.options.executable}): ${failed.message}`);
      this.setState('exited', failed);
      throw failed;
    }
  }

  private backoff(): number {
    const { initial, max } = this.options.restartBackoffMs;
    return this.failures === 0 ? 0 : Math.min(max, initial * 2 ** (this.failures - 1));
  }

  private spawn(): Running {
    const shell = pinnedShell(this.options.executable, sessionEnvironment(process.env, this.options.env));
    const { child, exitPromise } = internals(shell);
    // Handled here, so a process that dies between requests is never an unhandled rejection.
    exitPromise.catch(() => undefined);
    let markExited!: () => void;
    const running: Running = {
      shell,
      child,
      ready: false,
      gone: false,
      stopping: false,
      stderrTail: '',
      exited: new Promise<void>((resolve) => (markExited = resolve)),
    };
    this.running = running;
    child.stderr?.on('data', (chunk: Buffer | string) => {
      // node-powershell frames every command with 16-character delimiter lines on stderr too: not news.
      const text = asText(chunk).split(/\r?\n/).filter((line) => line.trim() !== '' && !/^[0-9A-Za-z]{16}$/.test(line.trim())).join('\n');
      if (text) running.stderrTail = (running.stderrTail + '\n' + text).slice(-STDERR_TAIL);
    });
    const onGone = (how: { code?: number | null; signal?: string; cause?: string }) => {
      if (running.gone) return;
      running.gone = true;
      // The shim's exit does not take the real pwsh with it.
      killProcessTree([running.realPid ?? 0, child.pid ?? 0]);
      if (this.running === running) this.running = undefined;
      const tail = running.stderrTail.trim();
      const error = new SessionError('exited', { id: 'exited', ...how, detail: tail });
      if (running.current) running.current(error);
      if (!running.stopping) {
        this.options.log?.error(error.message);
        if (running.ready) {
          this.failures++;
          this.notBefore = Date.now() + this.backoff();
        }
        // Requests that were waiting were meant for this process: the caller decides whether to ask again.
        for (const pending of this.queue.splice(0)) pending.reject(error);
      }
      if (!this.disposed) this.setState('exited', error);
      markExited();
    };
    child.on('exit', (code, signal) => onGone(signal ? { signal } : { code }));
    child.on('error', (error) => onGone({ cause: error.message }));
    return running;
  }

  /** Kills the whole tree on purpose (timeout, dispose, an answer that never came). */
  private stop(running: Running): void {
    running.stopping = true;
    // The next request must not pick this process before its exit event arrives.
    running.ready = false;
    if (this.running === running) this.running = undefined;
    killProcessTree([running.child.pid ?? 0, running.realPid ?? 0]);
  }

  /** Writes one line through node-powershell and returns what came back on stdout. */
  private send(running: Running, line: string, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (running.gone) {
        reject(new SessionError('exited', { id: 'exited' }));
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (running.current === fail) running.current = undefined;
        action();
      };
      const fail = (error: SessionError) => settle(() => reject(error));
      running.current = fail;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          fail(new SessionError('timeout', { id: 'request-timeout', ms: timeoutMs }));
          // The only way to stop a command here: SIGINT would stop the framing function as well.
          this.stop(running);
        }, timeoutMs);
      }
      running.shell.invoke(line).then(
        (result) => {
          const stderr = asText(result.stderr).trim();
          if (stderr) this.options.log?.warn(`PowerShell stderr: ${stderr}`);
          settle(() => resolve(asText(result.stdout)));
        },
        (error: unknown) => fail(new SessionError('exited', { id: 'exited', cause: String((error as Error)?.message ?? error) })),
      );
    });
  }

  /** One framed request: sends it, finds its answer, turns it into an InvokeResult. */
  private async request(running: Running, script: string, params: Record<string, unknown>, depth: number, timeoutMs: number): Promise<InvokeResult<unknown>> {
    const id = String(++this.nextId);
    const started = performance.now();
    const stdout = await this.send(running, requestLine(id, script, params, depth), timeoutMs);
    const { answer, stray } = parseAnswer(stdout, id);
    for (const line of stray) this.options.log?.info(`PowerShell: ${line}`);
    if (!answer) {
      // node-powershell resolves with empty output when the process was stopped by SIGTERM.
      this.stop(running);
      throw new SessionError('exited', { id: 'no-answer', detail: running.stderrTail.trim() });
    }
    return {
      ok: answer.ok === true,
      output: Array.isArray(answer.output) ? answer.output : [],
      errors: asStrings(answer.errors),
      warnings: asStrings(answer.warnings),
      information: asStrings(answer.information),
      durationMs: performance.now() - started,
    };
  }
}

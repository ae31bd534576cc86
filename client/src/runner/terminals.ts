// The runner's PowerShell terminals: one per target connection ("Exchange Runbooks: EX-MBX01
// (simulator)"), started without -NoProfile so shell integration comes up, prepared for the
// connection mode, and one command at a time through shell integration with its output read back.
// Also the terminal profile, so an admin can open the same shell by hand.
import * as vscode from 'vscode';
import { stripTerminalEscapes } from './capture';
import { type ConnectionSettings, connectionKey, startupCommand, terminalEnvironment } from './connection';

/**
 * Measured: 1.9-2.6 s in code-server at load 3-9, but 10.6-15 s on this project's shared 2-core
 * machine under test load; give a loaded machine room before we give up on reading output.
 */
const SHELL_INTEGRATION_TIMEOUT_MS = 30_000;
/** After integration came up, how long the first prompt may take to report its directory. */
const PROMPT_TIMEOUT_MS = 10_000;
/** Importing the simulator took 16 s in a pty on this loaded machine. */
const STARTUP_TIMEOUT_MS = 90_000;
/** A start-up the shell has not even begun by then was not accepted as typed: it is typed again. */
const STARTUP_START_MS = 15_000;
/** After the end event the read stream may still be flushing its last chunk. */
const STREAM_DRAIN_MS = 50;
/**
 * A step's END marker is the last thing it writes before its prompt: if shell integration has not
 * reported the command's end this long after it, the step is taken as ended (its exit code unknown)
 * rather than holding the terminal, and every step after it, for good.
 */
const END_MARKER_GRACE_MS = 3_000;

export const TERMINAL_PROFILE_ID = 'exchangeRunbooks.powershell';

export interface RunnerTerminal {
  readonly terminal: vscode.Terminal;
  readonly name: string;
  /** Resolves once the shell is prepared: true when shell integration is there (output can be read). */
  ready: Promise<boolean>;
  /** The step function is known to be defined there (its start-up command ran to its end, or a step reported back). */
  defined: boolean;
}

export type ExecutionResult =
  | { kind: 'ended'; raw: string; exitCode: number | undefined }
  | { kind: 'cancelled'; raw: string }
  | { kind: 'closed'; raw: string }
  /** Sent with sendText: nothing can be read back. */
  | { kind: 'unread' };

function modeLabel(mode: ConnectionSettings['mode']): string {
  switch (mode) {
    case 'simulator':
      return vscode.l10n.t('simulator');
    case 'local':
      return vscode.l10n.t('local');
    case 'remote':
      return vscode.l10n.t('remote');
  }
}

export function terminalName(settings: ConnectionSettings, target: string | undefined): string {
  return target ? vscode.l10n.t('Exchange Runbooks: {0} ({1})', target, modeLabel(settings.mode)) : vscode.l10n.t('Exchange Runbooks ({0})', modeLabel(settings.mode));
}

/**
 * Resolves once the shell sits at its first prompt, with whether shell integration is there.
 * Integration comes up before that: pwsh's shellIntegration.ps1 announces itself while it still
 * loads, and text typed then lost its Enter (measured: the start-up sat unexecuted in the prompt
 * until the next command's Ctrl+C cleared it). The first prompt reports the working directory, so
 * `cwd` being known means the prompt is drawn. A prompt that never reports it (a profile that
 * leaves the shell on another provider) is waited for only a while.
 */
function waitForPrompt(terminal: vscode.Terminal): Promise<boolean> {
  const atPrompt = (): boolean => terminal.shellIntegration?.cwd !== undefined;
  if (atPrompt()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let timer = setTimeout(() => done(terminal.shellIntegration !== undefined), SHELL_INTEGRATION_TIMEOUT_MS);
    const done = (value: boolean): void => {
      clearTimeout(timer);
      changed.dispose();
      closed.dispose();
      resolve(value);
    };
    const changed = vscode.window.onDidChangeTerminalShellIntegration((e) => {
      if (e.terminal !== terminal) return;
      if (atPrompt()) done(true);
      else {
        clearTimeout(timer);
        timer = setTimeout(() => done(true), PROMPT_TIMEOUT_MS);
      }
    });
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) done(false);
    });
  });
}

/**
 * The start of a command line for the log, on one line: a step's first line names its nonce (or
 * defines the step function, and the next line names it), and how sure VS Code is of the text.
 */
function commandLineHead(execution: vscode.TerminalShellExecution): string {
  const { value, confidence } = execution.commandLine;
  const head = value.replace(/\r?\n/g, ' \u23ce ').slice(0, 160);
  return `${JSON.stringify(head)}${value.length > 160 ? '…' : ''} (${value.length} chars, confidence ${vscode.TerminalShellExecutionCommandLineConfidence[confidence]})`;
}

export class RunnerTerminals implements vscode.Disposable {
  private readonly terminals = new Map<string, RunnerTerminal>();
  /**
   * Executions taken as ended by their END marker while shell integration still counts them as
   * running: it then reports what the terminal runs next as theirs, so the next step reads them too.
   */
  private readonly unended = new Map<vscode.Terminal, Set<vscode.TerminalShellExecution>>();
  private readonly disposables: vscode.Disposable[] = [];
  /** A number per execution object, so the log tells which execution executeCommand returned from the ones VS Code reports. */
  private readonly executionIds = new WeakMap<vscode.TerminalShellExecution, number>();
  private nextExecutionId = 1;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** The PowerShell executable and the connection, resolved when a terminal is made. */
    private readonly resolve: () => { shellPath: string; settings: ConnectionSettings } | undefined,
  ) {
    this.disposables.push(
      vscode.window.onDidCloseTerminal((closed) => {
        for (const [key, entry] of this.terminals) if (entry.terminal === closed) this.terminals.delete(key);
        this.unended.delete(closed);
      }),
      vscode.window.registerTerminalProfileProvider(TERMINAL_PROFILE_ID, { provideTerminalProfile: () => this.profile() }),
      vscode.window.onDidOpenTerminal((terminal) => this.prepareProfileTerminal(terminal)),
      vscode.window.onDidChangeTerminalShellIntegration((e) => this.log.trace(`Shell integration active in "${e.terminal.name}".`)),
      // At info: a step that hangs is diagnosed from which executions started and ended before it.
      vscode.window.onDidStartTerminalShellExecution((e) => this.isOwn(e.terminal) && this.log.info(`"${e.terminal.name}": execution ${this.executionId(e.execution)} started: ${commandLineHead(e.execution)}`)),
      vscode.window.onDidEndTerminalShellExecution((e) => this.isOwn(e.terminal) && this.log.info(`"${e.terminal.name}": execution ${this.executionId(e.execution)} ended (exit ${e.exitCode}): ${commandLineHead(e.execution)}`)),
    );
  }

  /** The terminal of a target connection, made and prepared on first use. */
  get(shellPath: string, settings: ConnectionSettings, target: string | undefined): RunnerTerminal {
    const key = connectionKey(settings, target);
    const existing = this.terminals.get(key);
    if (existing && existing.terminal.exitStatus === undefined) return existing;
    const name = terminalName(settings, target);
    const terminal = vscode.window.createTerminal({
      name,
      shellPath,
      // No -NoProfile: VS Code injects shell integration only for no arguments or -NoLogo.
      shellArgs: ['-NoLogo'],
      env: terminalEnvironment(settings),
      iconPath: new vscode.ThemeIcon('terminal-powershell'),
    });
    const entry: RunnerTerminal = { terminal, name, ready: Promise.resolve(false), defined: false };
    entry.ready = this.prepare(terminal, startupCommand(settings, target), entry);
    this.terminals.set(key, entry);
    this.log.info(`Runner terminal "${name}" started with ${shellPath}.`);
    return entry;
  }

  private async prepare(terminal: vscode.Terminal, startup: string, entry?: RunnerTerminal): Promise<boolean> {
    // The clock starts once the shell process exists: creating the pty can itself take seconds on a loaded machine.
    const pid = await terminal.processId;
    const integrated = await waitForPrompt(terminal);
    if (!integrated) {
      this.log.warn(`Shell integration did not come up in "${terminal.name}" (pid ${pid}, exit ${terminal.exitStatus?.code}) within ${SHELL_INTEGRATION_TIMEOUT_MS} ms: step output cannot be read back there.`);
      terminal.sendText(startup, true);
      return false;
    }
    let result = await this.runStartup(terminal, startup);
    if (result === 'not started') {
      // VS Code clears a prompt that holds text (Ctrl+C) before it types a command.
      this.log.warn(`The start-up command of "${terminal.name}" did not start within ${STARTUP_START_MS} ms: typing it again.`);
      result = await this.runStartup(terminal, startup);
    }
    if (result === 'not started' || result.kind === 'cancelled') this.log.warn(`The start-up command of "${terminal.name}" did not report its end within ${STARTUP_TIMEOUT_MS} ms.`);
    else if (result.kind === 'ended' && result.exitCode) this.log.warn(`The start-up command of "${terminal.name}" failed: ${startup}`);
    if (result !== 'not started' && result.kind === 'ended' && entry) entry.defined = true;
    return true;
  }

  /** The start-up command, bounded: one that never reports its end must not hold every step of this terminal. */
  private async runStartup(terminal: vscode.Terminal, startup: string): Promise<ExecutionResult | 'not started'> {
    const cancel = new vscode.CancellationTokenSource();
    let started = false;
    const watch = vscode.window.onDidStartTerminalShellExecution((e) => {
      if (e.terminal === terminal && e.execution.commandLine.value.trim() === startup.trim()) started = true;
    });
    const notStarted = setTimeout(() => {
      if (!started) cancel.cancel();
    }, STARTUP_START_MS);
    const timer = setTimeout(() => cancel.cancel(), STARTUP_TIMEOUT_MS);
    try {
      const result = await this.execute(terminal, startup, cancel.token, false);
      return result.kind === 'cancelled' && !started ? 'not started' : result;
    } finally {
      clearTimeout(notStarted);
      clearTimeout(timer);
      watch.dispose();
      cancel.dispose();
    }
  }

  /** A shell profile opened by hand: same shell, same connection as the runner's (its target is the configured server, if any). */
  private profile(): vscode.TerminalProfile | undefined {
    const resolved = this.resolve();
    if (!resolved) {
      void vscode.window.showErrorMessage(vscode.l10n.t('PowerShell was not found: the Exchange Runbooks shell cannot start. Set exchangeRunbooks.powershell.path.'));
      return undefined;
    }
    return new vscode.TerminalProfile({
      name: terminalName(resolved.settings, resolved.settings.server || undefined),
      shellPath: resolved.shellPath,
      shellArgs: ['-NoLogo'],
      env: terminalEnvironment(resolved.settings),
      iconPath: new vscode.ThemeIcon('terminal-powershell'),
    });
  }

  private prepareProfileTerminal(terminal: vscode.Terminal): void {
    if (this.isOwn(terminal)) return;
    const options = terminal.creationOptions as vscode.TerminalOptions;
    const resolved = this.resolve();
    if (!resolved || options.name !== terminalName(resolved.settings, resolved.settings.server || undefined)) return;
    void this.prepare(terminal, startupCommand(resolved.settings, resolved.settings.server || undefined));
  }

  private executionId(execution: vscode.TerminalShellExecution): string {
    let id = this.executionIds.get(execution);
    if (id === undefined) {
      id = this.nextExecutionId++;
      this.executionIds.set(execution, id);
    }
    return `#${id}`;
  }

  private isOwn(terminal: vscode.Terminal): boolean {
    return [...this.terminals.values()].some((entry) => entry.terminal === terminal);
  }

  /**
   * Runs one command and collects what the terminal shows until its end event. A cancelled command
   * is interrupted with Ctrl+C and settled here: its end event comes only when the next command starts.
   */
  async execute(terminal: vscode.Terminal, text: string, token?: vscode.CancellationToken, interrupt = true, marker?: string): Promise<ExecutionResult> {
    const integration = terminal.shellIntegration;
    if (!integration) {
      terminal.sendText(text, true);
      return { kind: 'unread' };
    }
    const execution = integration.executeCommand(text);
    // Read the execution executeCommand returned and, in case VS Code reports the command under
    // another execution object (seen with input typed ahead of a slow first prompt), one that starts
    // on this terminal with this command's text (its nonce): whichever ends first is the command's
    // end. A command still running before ours (a slow start-up) is never taken for it, except an
    // execution shell integration never ended (`unended`), which it reports this command under.
    // A step's command line holds its nonce; one VS Code could not read at all (empty) is taken too:
    // a terminal runs one step at a time, and the step's output is told apart by its nonce anyway.
    const ours = (e: vscode.TerminalShellExecution): boolean => {
      const line = e.commandLine.value;
      return marker ? line.includes(marker) || line.trim() === '' : line.trim() === text.trim();
    };
    const what = marker ? `step ${marker}` : 'command';
    const endMarker = marker ? `<<<EXR:${marker}:END>>>` : undefined;
    let markerSeen: ((from: vscode.TerminalShellExecution) => void) | undefined;
    const buffers = new Map<vscode.TerminalShellExecution, string>();
    const read = (e: vscode.TerminalShellExecution): void => {
      if (buffers.has(e)) return;
      buffers.set(e, '');
      void (async () => {
        for await (const data of e.read()) {
          const buffer = (buffers.get(e) ?? '') + data;
          buffers.set(e, buffer);
          // Only the prompt follows the marker: the stream's tail is enough (a long output is not re-scanned).
          if (endMarker && stripTerminalEscapes(buffer.slice(-4096)).includes(endMarker)) markerSeen?.(e);
        }
      })().catch((error: unknown) => this.log.warn(`Reading the terminal failed: ${String(error)}`));
    };
    read(execution);
    const stale = new Set(this.unended.get(terminal) ?? []);
    for (const e of stale) read(e);
    this.log.info(`"${terminal.name}": ${what} typed as execution ${this.executionId(execution)}, reading ${[...buffers.keys()].map((e) => this.executionId(e)).join(', ')}.`);
    const raw = (): string => [...buffers.values()].sort((a, b) => b.length - a.length)[0] ?? '';
    const subscriptions: vscode.Disposable[] = [];
    let grace: NodeJS.Timeout | undefined;
    let markerRead = false;
    type Outcome = { kind: 'ended'; exitCode: number | undefined } | { kind: 'cancelled' } | { kind: 'closed' };
    const outcome = await new Promise<Outcome>((resolvePromise) => {
      let settled = false;
      const resolve = (result: Outcome, how: string): void => {
        if (settled) return;
        settled = true;
        this.log.info(`"${terminal.name}": ${what} settled: ${how}.`);
        resolvePromise(result);
      };
      markerSeen = (from) => {
        markerRead = true;
        if (grace) return;
        this.log.info(`"${terminal.name}": ${what}'s END marker read from execution ${this.executionId(from)}.`);
        grace = setTimeout(() => {
          this.log.warn(`"${terminal.name}": the step's results came but shell integration did not report its end within ${END_MARKER_GRACE_MS} ms; taken as ended.`);
          const unended = this.unended.get(terminal) ?? new Set();
          for (const e of buffers.keys()) unended.add(e);
          this.unended.set(terminal, unended);
          resolve({ kind: 'ended', exitCode: undefined }, `taken as ended ${END_MARKER_GRACE_MS} ms after its END marker`);
        }, END_MARKER_GRACE_MS);
      };
      subscriptions.push(
        vscode.window.onDidStartTerminalShellExecution((e) => {
          if (e.terminal !== terminal || !ours(e.execution)) return;
          // Measured (4 of 17 host runs): the shell reported a step's command line other than the
          // text typed (its first line break shown as the continuation prompt), so VS Code started
          // a new execution and, still expecting the rest of the typed lines, holds back its end
          // until the next command starts. The step's END marker then ends it.
          if (e.execution !== execution && !buffers.has(e.execution)) {
            this.log.warn(`"${terminal.name}": ${what} reported under execution ${this.executionId(e.execution)}, not ${this.executionId(execution)} as typed: shell integration may report its end only when the next command starts.`);
          }
          read(e.execution);
        }),
        vscode.window.onDidEndTerminalShellExecution((e) => {
          this.unended.get(e.terminal)?.delete(e.execution);
          if (!buffers.has(e.execution)) return;
          // An execution an earlier step left unended ends when the next command starts, i.e. as
          // this one starts: that is the earlier command's end, not this one's, unless this
          // command's results came through it (VS Code reports a command under it then).
          if (stale.has(e.execution) && !markerRead) {
            this.log.info(`"${terminal.name}": execution ${this.executionId(e.execution)}, left unended by an earlier step, ended before ${what}'s results came; not taken for its end.`);
            return;
          }
          resolve({ kind: 'ended', exitCode: e.exitCode }, `execution ${this.executionId(e.execution)} ended (exit ${e.exitCode})`);
        }),
        vscode.window.onDidCloseTerminal((t) => {
          if (t === terminal) resolve({ kind: 'closed' }, 'the terminal closed');
        }),
      );
      if (token) {
        if (token.isCancellationRequested) resolve({ kind: 'cancelled' }, 'cancelled');
        subscriptions.push(token.onCancellationRequested(() => resolve({ kind: 'cancelled' }, 'cancelled')));
      }
    });
    for (const s of subscriptions) s.dispose();
    clearTimeout(grace);
    markerSeen = undefined;
    if (outcome.kind === 'cancelled') {
      if (interrupt) terminal.sendText('\u0003', false);
      return { kind: 'cancelled', raw: raw() };
    }
    if (outcome.kind === 'closed') return { kind: 'closed', raw: raw() };
    // The stream may still hold its last chunk when the end event comes: give it a moment to close.
    await new Promise((resolve) => setTimeout(resolve, STREAM_DRAIN_MS));
    return { kind: 'ended', raw: raw(), exitCode: outcome.exitCode };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const entry of this.terminals.values()) entry.terminal.dispose();
    this.terminals.clear();
  }
}

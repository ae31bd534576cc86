// The PowerShell session's errors in the user's language: session.ts stays free of VS Code (the
// benchmarks and unit tests load it in plain Node) and gives each error's reason as data; this
// words it through vscode.l10n. What PowerShell itself said (`detail`) is shown as it came.
import * as vscode from 'vscode';
import { SessionError, type SessionErrorReason } from './session';

function withDetail(text: string, detail: string | undefined): string {
  return detail ? `${text}\n${detail}` : text;
}

export function localizeSessionReason(reason: SessionErrorReason): string {
  switch (reason.id) {
    case 'closed':
      return vscode.l10n.t('The PowerShell session was closed.');
    case 'no-hello':
      return vscode.l10n.t('PowerShell did not answer its first request: {0}', reason.detail);
    case 'startup-script':
      // PowerShell's own errors say what failed (a missing snap-in, a refused connection).
      return reason.detail || vscode.l10n.t('The start-up script failed.');
    case 'start-timeout':
      return vscode.l10n.t('PowerShell did not start within {0} s.', Math.round(reason.ms / 1000));
    case 'exited': {
      const text = reason.signal
        ? vscode.l10n.t('PowerShell exited (signal {0}).', reason.signal)
        : typeof reason.code === 'number'
          ? vscode.l10n.t('PowerShell exited (exit code {0}).', reason.code)
          : reason.cause
            ? vscode.l10n.t('PowerShell exited ({0}).', reason.cause)
            : vscode.l10n.t('PowerShell exited.');
      return withDetail(text, reason.detail);
    }
    case 'request-timeout':
      return vscode.l10n.t('PowerShell did not answer within {0} s; the process was stopped and starts again on the next request.', Math.round(reason.ms / 1000));
    case 'no-answer':
      return withDetail(vscode.l10n.t('PowerShell ended the request without an answer.'), reason.detail);
    case 'unexpected':
      return reason.detail;
  }
}

/** What to show the user for any error: a session error in their language, anything else as it is. */
export function describeError(error: unknown): string {
  if (error instanceof SessionError) return localizeSessionReason(error.reason);
  return error instanceof Error ? error.message : String(error);
}

// Helpers for the in-host tests: the test workspace, opening runbooks as a user would, and
// polling (with a deadline) for what the language server publishes. Nothing sleeps a fixed time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/api';

export const EXTENSION_ID = 'exrunbooks.exchange-health-runbooks';
export const LANGUAGE_ID = 'exchange-runbook';

/** The workspace folder the runner opened: a throwaway copy holding examples/ and fixtures/. */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host must open a workspace folder (the runner copies examples/ and fixtures/ into one)');
  return folder.uri.fsPath;
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), ...segments));
}

/** Runbook files of a workspace subfolder, sorted; empty when the folder is missing. */
export function runbooksIn(folder: string): string[] {
  const dir = path.join(workspaceRoot(), folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.exrunbook'))
    .sort();
}

/** Writes a runbook into the workspace's scratch/ folder (new content each time) and returns it. */
export function writeScratch(name: string, content: string): vscode.Uri {
  const dir = path.join(workspaceRoot(), 'scratch');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return vscode.Uri.file(file);
}

/** Copies a fixture into scratch/ so a test can change it without affecting other tests. */
export function copyFixture(fixture: string, name: string): vscode.Uri {
  return writeScratch(name, fs.readFileSync(path.join(workspaceRoot(), 'fixtures', fixture), 'utf8'));
}

export async function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Activates the extension (as opening a runbook would) and waits until its language server runs. */
export async function activateExtension(): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded in this host`);
  const api = await extension.activate();
  assert.ok(api, 'activate() returns the language client wrapper');
  await waitFor(() => api.languageClient?.isRunning(), 'the runbook language server to be running');
  return api;
}

/** Opens a runbook in an editor, as a user would, and checks VS Code took it for a runbook. */
export async function openRunbook(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  assert.equal(document.languageId, LANGUAGE_ID, `${path.basename(uri.fsPath)} opens as ${LANGUAGE_ID}`);
  return document;
}

/** The diagnostic's code as a string (a code may come as { value, target } when it links to docs). */
export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function describeDiagnostics(diagnostics: readonly vscode.Diagnostic[]): string {
  if (diagnostics.length === 0) return '(none)';
  return diagnostics
    .map((d) => `  line ${d.range.start.line + 1}: [${codeOf(d) ?? 'no code'}] ${vscode.DiagnosticSeverity[d.severity]}: ${d.message}`)
    .join('\n');
}

/** Polls the diagnostics VS Code shows for a document until `predicate` holds. */
export async function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeout = 30_000,
): Promise<vscode.Diagnostic[]> {
  try {
    return await waitFor(() => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      return predicate(diagnostics) ? diagnostics : undefined;
    }, what, timeout);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nDiagnostics shown for ${path.basename(uri.fsPath)}:\n${describeDiagnostics(vscode.languages.getDiagnostics(uri))}`);
  }
}

interface DiagnosticReport {
  kind: 'full' | 'unchanged';
  items?: unknown[];
}

/**
 * The diagnostics VS Code shows for a document once the server has analysed it. A clean file
 * shows nothing before and after analysis, so ask the server for its report directly and wait
 * until VS Code shows as many diagnostics as the server reports.
 */
export async function settledDiagnostics(api: ExtensionApi, uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
  const client = api.languageClient;
  assert.ok(client, 'the language client exists');
  const report = await waitFor(
    () => client.sendRequest<DiagnosticReport>('textDocument/diagnostic', { textDocument: { uri: uri.toString() } }),
    `the server's diagnostic report for ${path.basename(uri.fsPath)}`,
  );
  const expected = report.kind === 'full' ? (report.items ?? []).length : undefined;
  if (expected === undefined) return vscode.languages.getDiagnostics(uri);
  return waitForDiagnostics(uri, (d) => d.length === expected, `${expected} diagnostic(s) shown for ${path.basename(uri.fsPath)}`);
}

/** The line (0-based) of the first line of `document` containing `text`, comment lines skipped. */
export function lineOf(document: vscode.TextDocument, text: string, after = 0): number {
  for (let line = after; line < document.lineCount; line++) {
    const lineText = document.lineAt(line).text;
    if (lineText.trimStart().startsWith('#')) continue;
    if (lineText.includes(text)) return line;
  }
  assert.fail(`no line containing ${JSON.stringify(text)} in ${path.basename(document.uri.fsPath)}`);
}

/** A position inside the first occurrence of `text` outside comments (offset characters into it). */
export function positionOf(document: vscode.TextDocument, text: string, offset = 1): vscode.Position {
  const line = lineOf(document, text);
  return new vscode.Position(line, document.lineAt(line).text.indexOf(text) + offset);
}

export function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** Text of hover contents, whatever form they take. */
export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

/** Applies `TextEdit`s to a document through a WorkspaceEdit, as an editor command would. */
export async function applyTextEdits(document: vscode.TextDocument, edits: vscode.TextEdit[]): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.set(document.uri, edits);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
}

/** A lint-clean runbook used by the feature tests (the example of docs/language.md). */
export const SAMPLE_RUNBOOK = `runbook pop "Troubleshooting the POP health set"
  healthset POP
  param $Server: server "Server named in the alert"

procedure verify "Verify the issue still exists"
  step health "Check the state of the health set"
    run Get-ServerHealth -Identity $Server | ?{$_.HealthSetName -eq "POP"}
    when all AlertValue is Healthy -> resolved "The health set recovered on its own"
  step rerun "Re-run the associated probe"
    run Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "The failure was transient"
    otherwise -> recover-ctp

procedure recover-ctp "PopCTPMonitor recovery" for monitor PopCTPMonitor
  step restart "Restart POP3 on the Client Access server" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }
  step again = verify.rerun
    when ResultType is Succeeded -> resolved
  step escalate "Escalate"
    escalate "Contact Microsoft Support with the probe output"
`;

// Shared by the unit tests: one language service, and short ways to analyse a runbook text.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import type { DiagnosticData } from '../src/analysis/diagnostics';
import { RunbookLanguageService } from '../src/languageService';

let service: Promise<RunbookLanguageService> | undefined;

export function languageService(): Promise<RunbookLanguageService> {
  service ??= RunbookLanguageService.create();
  return service;
}

export const URI = 'file:///work/test.exrunbook';

export async function diagnose(text: string, language = 'en'): Promise<Diagnostic[]> {
  const s = await languageService();
  return s.diagnostics(s.analyze(text), URI, language);
}

export function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

export function fixTitles(diagnostic: Diagnostic | undefined): string[] {
  return ((diagnostic?.data as DiagnosticData | undefined)?.fixes ?? []).map((f) => f.title);
}

export function fixTexts(diagnostic: Diagnostic | undefined): string[] {
  return ((diagnostic?.data as DiagnosticData | undefined)?.fixes ?? []).flatMap((f) => f.edits.map((e) => e.newText));
}

/** The text a diagnostic's range covers. */
export function covered(text: string, diagnostic: Diagnostic): string {
  const lines = text.split('\n');
  const { start, end } = diagnostic.range;
  if (start.line === end.line) return lines[start.line]!.slice(start.character, end.character);
  return [lines[start.line]!.slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line]!.slice(0, end.character)].join('\n');
}

/** A minimal valid runbook around some procedures, for checks that need a context. */
export function runbook(body: string, header = '  healthset POP.Proxy\n  param $Server: cas "Client Access server"'): string {
  return `runbook test "Test"\n${header}\n\n${body}`;
}

/** Applies edits to a text as an LSP client does (lines split at \n, \r\n and \r). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///edit.exrunbook', 'exchange-runbook', 1, text), edits);
}

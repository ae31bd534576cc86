// Opens text as a new, unsaved runbook named after what it holds (Save proposes `<name>.exrunbook`),
// never reusing an untitled document that is still open or closing.
import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../../server/src/protocol';

export async function openUntitledRunbook(name: string, content: string): Promise<vscode.TextEditor> {
  const taken = new Set(vscode.workspace.textDocuments.filter((d) => d.isUntitled).map((d) => d.uri.path));
  let path = `${name}.exrunbook`;
  for (let n = 2; taken.has(path); n++) path = `${name}-${n}.exrunbook`;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path }));
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, new vscode.Position(0, 0), content);
  await vscode.workspace.applyEdit(edit);
  if (document.languageId !== LANGUAGE_ID) await vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
  return vscode.window.showTextDocument(document);
}

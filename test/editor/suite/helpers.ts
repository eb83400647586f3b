import * as vscode from 'vscode';
import type { AttributedSpan } from '../../../src/core/attribution';

export interface VouchTestApi {
  readonly apiVersion: number;
  spansOf(uri: vscode.Uri): AttributedSpan[];
  recordAiEdit(report: unknown): Promise<number>;
}

export async function vouchApi(): Promise<VouchTestApi> {
  const extension = vscode.extensions.getExtension<VouchTestApi>('vouch-dev.vouch');
  if (!extension) throw new Error('Vouch is not installed in the test editor');
  return extension.activate();
}

export function workspaceUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the editor tests need a workspace folder');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/**
 * How long a wait may take before it counts as failed. Waits are on conditions, so this is only
 * reached when something is wrong; it is long because a busy 2-core machine (load 10) is slow.
 */
export const LOADED_TIMEOUT_MS = 120_000;

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = LOADED_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens a fresh scratch file in an editor, with `content`. */
export async function openScratch(name: string, content: string): Promise<vscode.TextEditor> {
  const uri = workspaceUri(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document);
}

/** Opens `name` with `content` and accepts `completion` as ghost text at `at` (default: the end of the content). */
export async function scratchWithGhostText(name: string, content: string, completion: string, at?: vscode.Position): Promise<vscode.TextEditor> {
  const editor = await openScratch(name, content);
  const position = at ?? editor.document.positionAt(content.length);
  editor.selection = new vscode.Selection(position, position);
  await acceptGhostText(editor, completion);
  return editor;
}

/** Asks the fake provider for ghost text and accepts it through Vouch's Tab command. */
export async function acceptGhostText(editor: vscode.TextEditor, text: string): Promise<void> {
  await vscode.commands.executeCommand('fakeAi.setNextCompletion', text);
  const before = editor.document.getText();
  await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  try {
    await waitFor('the ghost text to be accepted', async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await vscode.commands.executeCommand('vouch.acceptInlineSuggestion', { kind: 'inline' });
      return editor.document.getText() !== before;
    });
  } finally {
    await vscode.commands.executeCommand('fakeAi.setNextCompletion', undefined);
  }
}

export function textOf(document: vscode.TextDocument, span: AttributedSpan): string {
  return document.getText().slice(span.start, span.end);
}

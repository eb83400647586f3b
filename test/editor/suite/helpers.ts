import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitRunner } from '../../../src/git/gitRunner';
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

/** Sets `vouch.detection.externalWrites` (undefined: the default) and waits until the extension host has it (Vouch's listener runs first). */
export async function setExternalWrites(value: boolean | undefined): Promise<void> {
  const changed = new Promise<void>((resolve) => {
    const listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('vouch.detection.externalWrites')) return;
      listener.dispose();
      resolve();
    });
  });
  await vscode.workspace.getConfiguration('vouch').update('detection.externalWrites', value, vscode.ConfigurationTarget.Global);
  await changed;
}

/**
 * Runs `write` (a write of `uri`) while Vouch does not look at outside writes, and keeps it so
 * until the editor's event for the write has come (and `whileOff`, when given, has run). The
 * editor's file events reach every watcher of the extension host in one dispatch: once this one
 * has the write, Vouch's has had it too, while the setting was off.
 */
export async function writeUnseen(uri: vscode.Uri, write: () => void | Thenable<void>, whileOff?: () => Thenable<void>): Promise<void> {
  await setExternalWrites(false);
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, false, true);
  try {
    let delivered = false;
    const onWrite = (written: vscode.Uri) => {
      if (written.fsPath === uri.fsPath) delivered = true;
    };
    watcher.onDidChange(onWrite);
    watcher.onDidCreate(onWrite);
    await write();
    await waitFor(`the editor's event for the write to ${uri.fsPath}`, () => delivered);
    await whileOff?.();
  } finally {
    watcher.dispose();
    await setExternalWrites(undefined);
  }
}

/**
 * Writes a file as a test's set-up, which Vouch must not judge as another program's write (on a
 * busy machine its verdict could come in the middle of the test and mark the whole file AI).
 */
export function writeSetUpFile(uri: vscode.Uri, content: string): Promise<void> {
  return writeUnseen(uri, () => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content)));
}

/** Opens a fresh scratch file in an editor, with `content` (written as set-up, not as an outside write). */
export async function openScratch(name: string, content: string): Promise<vscode.TextEditor> {
  const uri = workspaceUri(name);
  await writeSetUpFile(uri, content);
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

/** The lines of Vouch's own log in this editor (its newest window session), from the user-data folder the harness names. */
export function vouchLogLines(): string[] {
  const userData = process.env.VOUCH_TEST_USER_DATA;
  if (!userData) return ['(no VOUCH_TEST_USER_DATA: Vouch\'s log is not known)'];
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 8) visit(full, depth + 1);
      else if (entry.isFile() && entry.name === 'Vouch.log') found.push(full);
    }
  };
  visit(path.join(userData, 'logs'), 0);
  const newest = found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  return newest ? fs.readFileSync(newest, 'utf8').split('\n') : ['(Vouch has not logged in this editor)'];
}

/**
 * Sets Vouch's log to debug level for the rest of the session (some decisions are logged only
 * there), through the output view's level command, which acts on the channel the view shows (not
 * yet shown at the first try, so it is asked again until Vouch's log says the level changed).
 */
export async function showVouchDebugLog(): Promise<void> {
  await vouchApi();
  const said = (line: string) => line.includes('[info] Log level: Debug');
  if (!vouchLogLines().some(said)) {
    await waitFor("Vouch's log at debug level", async () => {
      await vscode.commands.executeCommand('vouch.showLog');
      await vscode.commands.executeCommand(`workbench.action.output.activeOutputLogLevel.${vscode.LogLevel.Debug}`);
      return vouchLogLines().some(said);
    });
  }
  await vscode.commands.executeCommand('workbench.action.closePanel');
}

/** waitFor, and when it times out, the lines of Vouch's log that mention `about` in the error: what Vouch decided instead. */
export async function waitForLogged<T>(what: string, about: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = LOADED_TIMEOUT_MS): Promise<T> {
  try {
    return await waitFor(what, probe, timeoutMs);
  } catch (error) {
    const mentions = vouchLogLines().filter((line) => line.includes(about)).slice(-20);
    throw new Error(`${error instanceof Error ? error.message : String(error)}; Vouch's log about ${about}:\n${mentions.join('\n') || '(nothing)'}`);
  }
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the editor tests need a workspace folder');
  return folder.uri.fsPath;
}

const git = new GitRunner();

/** Runs git in the test workspace (through Vouch's own runner) and returns what it printed. */
export async function runGit(...args: string[]): Promise<string> {
  return (await git.run(args, { cwd: workspaceRoot() })).stdout;
}

interface GitExtensionRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly workingTreeChanges: ReadonlyArray<{ readonly uri: vscode.Uri }>; readonly untrackedChanges?: ReadonlyArray<{ readonly uri: vscode.Uri }> };
}

/** The built-in git extension's API (activated), with repositories typed as far as a test needs them. */
export async function gitExtensionApi<Repository extends { readonly rootUri: vscode.Uri }>(): Promise<{ readonly repositories: readonly Repository[] }> {
  const extension = vscode.extensions.getExtension<{ getAPI(version: 1): { repositories: Repository[] } }>('vscode.git');
  if (!extension) throw new Error('the git extension is missing');
  return (extension.isActive ? extension.exports : await extension.activate()).getAPI(1);
}

/** Waits until the git extension knows the file's repository and lists the file as changed (`listed`) or not (what Vouch asks it about an outside write). */
export async function waitForGitExtensionListing(uri: vscode.Uri, listed: boolean): Promise<void> {
  const api = await gitExtensionApi<GitExtensionRepository>();
  await waitFor(`the git extension to list ${uri.fsPath} as ${listed ? 'changed' : 'unchanged'}`, () => {
    const repository = api.repositories.find((candidate) => uri.fsPath.startsWith(candidate.rootUri.fsPath + path.sep));
    if (!repository) return false;
    const changes = [...repository.state.workingTreeChanges, ...(repository.state.untrackedChanges ?? [])];
    return changes.some((change) => change.uri.toString() === uri.toString()) === listed;
  });
}

/** The files a checkout, merge, rebase, reset or stash writes under .git, which Vouch takes as git activity (src/host/repositoryWatcher.ts). */
const GIT_OPERATION_TRACES = ['HEAD', 'ORIG_HEAD', 'MERGE_HEAD', 'REBASE_HEAD', 'CHERRY_PICK_HEAD', 'AUTO_MERGE', 'refs/stash'];
/** Vouch takes a write up to 3 s after a git operation's traces for that operation's own (src/host/detection/gitActivity.ts); a little more. */
const GIT_OPERATION_WINDOW_MS = 3_500;

/** Waits until the workspace repository's last git operation (an earlier test's checkout) is outside that window, so that a write made now is not git's. */
export async function waitPastGitOperations(): Promise<void> {
  const gitDir = path.join(workspaceRoot(), '.git');
  const newest = Math.max(0, ...GIT_OPERATION_TRACES.map((name) => fs.statSync(path.join(gitDir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0));
  const left = newest + GIT_OPERATION_WINDOW_MS - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}

/** The hover text at a line's start (where Vouch's hover answers: indentation and first character) or at `column`. */
export async function hoverText(uri: vscode.Uri, line: number, column = 0): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, column));
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

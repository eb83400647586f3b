import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner } from '../../../src/git/gitRunner';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { EditorSaves } from '../../../src/git/editorSaves';
import { findRepository } from '../../../src/git/repository';
import { acceptGhostText, openScratch, scratchWithGhostText, writeUnseen, textOf, vouchApi, vouchLogLines, waitFor, waitForGitExtensionListing, showVouchDebugLog, waitForLogged, waitPastGitOperations, workspaceRoot } from './helpers';

describe('Detection and attribution in the real editor', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Settles when the editor lets go of the file's document (fires onDidCloseTextDocument). */
  const letGoOf = (uri: vscode.Uri) =>
    new Promise<void>((resolve) => {
      const listener = vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.toString() !== uri.toString()) return;
        listener.dispose();
        resolve();
      });
    });

  it('records accepted ghost text as AI with the provider named, and typing as human', async () => {
    const api = await vouchApi();
    const editor = await scratchWithGhostText('scratch-accept.ts', 'const total = 1;\nfunction double(', 'x: number) {\n  return x * 2;\n}');
    const spans = api.spansOf(editor.document.uri);
    assert.equal(spans.length, 1);
    assert.equal(textOf(editor.document, spans[0]), 'x: number) {\n  return x * 2;\n}');
    assert.equal(spans[0].origin.kind, 'inline');
    assert.equal(spans[0].origin.tool, 'fake-ai');
    assert.equal(spans[0].confidence, 'high');

    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// typed by a person\n'));
    const after = api.spansOf(editor.document.uri);
    assert.equal(after.length, 1, 'typing elsewhere adds no AI span');
    assert.equal(textOf(editor.document, after[0]), 'x: number) {\n  return x * 2;\n}', 'the span moved with its text');
  });

  it('keeps accepted ghost text in the working state when a person saves and closes the file at once (the editor lets the document go)', async () => {
    const relative = 'scratch-accept-close.ts';
    const uri = vscode.Uri.file(path.join(workspaceRoot(), relative));
    const content = 'const total = 1;\nconst answer = ';
    fs.writeFileSync(uri.fsPath, content);
    // Opened as a person opens it: no extension holds the document once its tab closes.
    await vscode.commands.executeCommand('vscode.open', uri);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.toString() === uri.toString());
    editor.selection = new vscode.Selection(1, 15, 1, 15);
    await acceptGhostText(editor, 'total + 41;');
    const letGo = letGoOf(uri);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await letGo;
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    const spans = await waitForLogged(`the span of ${relative} to be kept in the working state`, relative, async () => {
      const stored = (await store.load(relative))?.spans ?? [];
      return stored.length > 0 ? stored : undefined;
    });
    assert.deepEqual(
      spans.map((span) => [span.start, span.end, span.origin.kind, span.origin.tool]),
      [[content.length, content.length + 'total + 41;'.length, 'inline', 'fake-ai']],
    );
  });

  it("keeps the AI spans a saved file had through Revert File of a person's edits above and below them", async () => {
    const api = await vouchApi();
    const lines = Array.from({ length: 12 }, (_, index) => (index === 6 ? 'function double(\n' : `const line${index} = ${index};\n`)).join('');
    const { relative, uri } = await committedClosedFile('reverted', lines);
    const editor = await vscode.window.showTextDocument(uri);
    // Accepted ghost text in the middle, saved.
    editor.selection = new vscode.Selection(6, 'function double('.length, 6, 'function double('.length);
    await acceptGhostText(editor, 'x: number) {\n  return x * 2;\n}');
    assert.ok(await editor.document.save());
    const saved = editor.document.getText();
    const spansAtSave = api.spansOf(uri).map((span) => [span.start, span.end, span.origin.kind, span.id]);
    assert.deepEqual(spansAtSave.map(([, , kind]) => kind), ['inline'], 'the accepted ghost text is AI');
    // A person edits the first and the last line, then reverts the file: the editor reports one
    // change across every line between them, the AI lines too.
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// a note\n'));
    await editor.edit((edit) => edit.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, '// the end\n'));
    assert.ok(editor.document.isDirty);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor(`the revert of ${relative}`, () => !editor.document.isDirty && editor.document.getText() === saved);
    assert.deepEqual(
      api.spansOf(uri).map((span) => [span.start, span.end, span.origin.kind, span.id]),
      spansAtSave,
      'the AI lines are AI again, as saved',
    );
  });

  it('undo removes the AI text and its span; redo brings the same span back', async () => {
    const api = await vouchApi();
    const editor = await scratchWithGhostText('scratch-undo.ts', 'let a = 1;\nconst answer = ', 'a + 41;');
    const [span] = api.spansOf(editor.document.uri);
    assert.ok(span);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => editor.document.getText() === 'let a = 1;\nconst answer = ');
    assert.deepEqual(api.spansOf(editor.document.uri), []);
    await vscode.commands.executeCommand('redo');
    await waitFor('redo', () => editor.document.getText() === 'let a = 1;\nconst answer = a + 41;');
    const redone = api.spansOf(editor.document.uri);
    assert.equal(redone.length, 1);
    assert.equal(redone[0].id, span.id);
  });

  it('records explicit reports and refuses malformed ones with a clear message', async () => {
    const api = await vouchApi();
    const editor = await openScratch('scratch-report.ts', 'one\ntwo\nthree\n');
    const recorded = await vscode.commands.executeCommand<number>('vouch.recordAiEdit', {
      uri: editor.document.uri.toString(),
      ranges: [{ start: { line: 1, character: 0 }, end: { line: 2, character: 5 } }],
      tool: 'claude-code',
      model: 'claude-sonnet',
      kind: 'agent',
    });
    assert.equal(recorded, 1);
    const [span] = api.spansOf(editor.document.uri);
    assert.equal(textOf(editor.document, span), 'two\nthree');
    assert.deepEqual(span.origin, { kind: 'agent', tool: 'claude-code', model: 'claude-sonnet' });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vouch.recordAiEdit', { uri: editor.document.uri.toString(), ranges: [], tool: 'x' })),
      /ranges must be a non-empty array/,
    );
    await assert.rejects(api.recordAiEdit({ uri: editor.document.uri.toString(), ranges: [{ start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }], tool: 'x' }), /outside/);
    assert.equal(api.spansOf(editor.document.uri).length, 1, 'a refused report records nothing');
  });

  it('marks a selection as AI and back as human', async () => {
    const api = await vouchApi();
    const editor = await openScratch('scratch-mark.ts', 'alpha\nbeta\n');
    editor.selection = new vscode.Selection(0, 0, 0, 5);
    await vscode.commands.executeCommand('vouch.markSelectionAsAi');
    assert.equal(textOf(editor.document, api.spansOf(editor.document.uri)[0]), 'alpha');
    await vscode.commands.executeCommand('vouch.markSelectionAsHuman');
    assert.deepEqual(api.spansOf(editor.document.uri), []);
  });

  it('keeps the spans of a file in the working state under .git/vouch', async () => {
    const api = await vouchApi();
    const editor = await scratchWithGhostText('scratch-persist.ts', 'x\nconst persisted = ', 'true;');
    await editor.document.save();
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const stateDir = vscode.Uri.joinPath(folder, '.git', 'vouch', 'working');
    const stored = await waitFor('the state file', async () => {
      const entries = await vscode.workspace.fs.readDirectory(stateDir).then(undefined, () => []);
      for (const [name] of entries.filter(([entry]) => entry.endsWith('.json'))) {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(stateDir, name)));
        if (text.includes('scratch-persist.ts')) return JSON.parse(text) as { spans: Array<{ id: string }> };
      }
      return undefined;
    });
    assert.deepEqual(stored.spans.map((span) => span.id), api.spansOf(editor.document.uri).map((span) => span.id));
  });
  it('records an outside write made well after a git operation whose watcher event arrives late', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await waitPastGitOperations();
    // A git trace written 20 s ago whose event reaches Vouch only now, as on a busy machine: the
    // operation's window is over when the agent writes, so the write must not be taken for git's.
    const trace = path.join(folder, '.git', 'ORIG_HEAD');
    fs.writeFileSync(trace, `${'0'.repeat(40)}\n`);
    const longAgo = new Date(Date.now() - 20_000);
    fs.utimesSync(trace, longAgo, longAgo);
    const relative = `late-event-${process.pid}-${Date.now()}.ts`;
    const written = 'export function addedByAnAgent(values: number[]): number {\n  return values.reduce((sum, value) => sum + value, 0);\n}\n';
    fs.writeFileSync(path.join(folder, relative), written);
    const stateDir = path.join(folder, '.git', 'vouch', 'working');
    const stored = await waitFor('the outside write in the working state', () => {
      for (const name of fs.existsSync(stateDir) ? fs.readdirSync(stateDir).filter((entry) => entry.endsWith('.json')) : []) {
        const text = fs.readFileSync(path.join(stateDir, name), 'utf8');
        if (text.includes(relative)) return JSON.parse(text) as { spans: Array<{ origin: { kind: string } }> };
      }
      return undefined;
    });
    assert.ok(stored.spans.some((span) => span.origin.kind === 'external-write'), JSON.stringify(stored.spans));
  });
  it('records an outside write to a closed file that is opened before Vouch has looked at the write', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const api = await vouchApi();
    const relative = `opened-at-once-${process.pid}-${Date.now()}.ts`;
    const written = 'export function writtenWhileClosed(limit: number): number[] {\n  return Array.from({ length: limit }, (_, index) => index * 2);\n}\n';
    await waitPastGitOperations(); // a write right after a checkout (another test's) counts as git's
    fs.writeFileSync(path.join(folder, relative), written);
    // A person opens the file at once (on a busy machine: before the watcher's event is even
    // delivered). The editor loads the agent's text as if it had always been there.
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder, relative)));
    assert.equal(document.getText(), written);
    const spans = await waitFor('the outside write in the opened document', () => {
      const found = api.spansOf(document.uri).filter((span) => span.origin.kind === 'external-write');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(spans.reduce((sum, span) => sum + span.end - span.start, 0), written.length);
  });
  /**
   * A committed file of the test workspace that no editor has open (`closed/<name>.ts`, made before
   * the editor started), once the git extension lists it clean and git is quiet.
   */
  async function committedClosedFile(name: string, text = 'export const retryLimit = 1;\n'): Promise<{ relative: string; uri: vscode.Uri }> {
    const relative = `closed/${name}.ts`;
    const uri = vscode.Uri.file(path.join(workspaceRoot(), relative));
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), text, `${relative} is as the harness made it`);
    await waitForGitExtensionListing(uri, false);
    await waitPastGitOperations();
    return { relative, uri };
  }

  const edited = 'export const retryLimit = 7;\n';
  const appended = 'export function nextDelay(attempt: number): number {\n  return 250 * 2 ** attempt;\n}\n';

  /** Waits for Vouch's decision about an outside write to the file (recorded or not) and returns its log line. */
  const outsideWriteDecision = (relative: string) =>
    waitForLogged(`Vouch to decide about the outside write to ${relative}`, relative, () =>
      vouchLogLines().find((line) => line.includes(`${relative} was changed by another program and not recorded`) || line.includes(`written to ${relative} by another program recorded`)),
    );

  /**
   * A person opens the file, types a line after its first, saves (Ctrl+S) and closes it (Ctrl+W); the text then.
   * `fromTheExplorer`: opened as a person opens it (the workbench's open command), so that no
   * extension holds the document: the editor lets it go when its tab closes. (A document an
   * extension opened is held for minutes after its tab closed.)
   */
  async function typeSaveAndClose(uri: vscode.Uri, fromTheExplorer = false): Promise<string> {
    if (fromTheExplorer) await vscode.commands.executeCommand('vscode.open', uri);
    else await vscode.window.showTextDocument(uri);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.toString() === uri.toString(), `${uri.fsPath} is open in the active editor`);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const typed = 'export const retryDelayMs = 2500; // typed by a person\n';
    for (const piece of typed.match(/.{1,4}/gs) ?? []) await vscode.commands.executeCommand('type', { text: piece });
    const before = `export const retryLimit = 1;\n${typed}`;
    assert.equal(editor.document.getText(), before);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    return before;
  }

  /**
   * The external-write spans of a file another program wrote after it was closed, once recorded. The
   * editor may still hold the closed document and reload it (the reload detector decides), or not
   * (the outside-write watcher decides, into the working state).
   */
  async function outsideWriteRanges(relative: string, uri: vscode.Uri): Promise<number[][]> {
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    const api = await vouchApi();
    return waitForLogged(`the function written to ${relative} to be recorded`, relative, async () => {
      const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
      const spans = (open ? api.spansOf(uri) : ((await store.load(relative))?.spans ?? [])).filter((span) => span.origin.kind === 'external-write');
      return spans.length > 0 ? spans.map((span) => [span.start, span.end]) : undefined;
    });
  }

  it("records another program's later write to a closed file against the text Vouch saw at a person's small edit, not the person's edit", async () => {
    const { relative, uri } = await committedClosedFile('seen-edit');
    // A person's small edit, made outside the editor: too small to count as AI, and not in the index.
    fs.writeFileSync(uri.fsPath, edited);
    await waitForGitExtensionListing(uri, true);
    await waitForLogged(`Vouch to look at the small edit of ${relative}`, relative, () => vouchLogLines().some((line) => line.includes(`${relative} was changed by another program: 1 character inserted`)));
    // Later another program (an agent) adds a function: compared with what Vouch saw, only the function is new.
    fs.appendFileSync(uri.fsPath, appended);
    const decision = await outsideWriteDecision(relative);
    assert.match(decision, new RegExp(`^.*${appended.length} characters written to .* recorded as AI`), decision);
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    const spans = (await store.load(relative))?.spans ?? [];
    assert.deepEqual(
      spans.map((span) => [span.start, span.end]),
      [[edited.length, edited.length + appended.length]],
      "the function is AI; the person's 7 is not",
    );
  });

  it("does not take a person's uncommitted edit Vouch never saw for AI when another program writes the file later", async () => {
    const { relative, uri } = await committedClosedFile('unseen-edit');
    // The person's edit happens while Vouch does not look at outside writes (the setting is off).
    await writeUnseen(
      uri,
      () => fs.writeFileSync(uri.fsPath, edited),
      () => waitForGitExtensionListing(uri, true),
    );
    // Another program adds a function. Vouch knows no text of the file from before that write: the
    // index is not it, because the file had uncommitted changes.
    fs.appendFileSync(uri.fsPath, appended);
    const decision = await outsideWriteDecision(relative);
    assert.match(decision, /it had uncommitted changes/, decision);
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    assert.deepEqual((await store.load(relative))?.spans ?? [], [], "the person's 7 is not AI, and nothing else is recorded");
  });

  it("records another program's code written to an open file right after a person saved it, and takes a rewrite that adds no new words for a formatter the save ran", async () => {
    const { relative, uri } = await committedClosedFile('saved-then-written');
    const api = await vouchApi();
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const typed = 'export const  spacedOut =   2\n';
    for (const piece of typed.match(/.{1,3}/gs) ?? []) await vscode.commands.executeCommand('type', { text: piece });
    const saved = `export const retryLimit = 1;\n${typed}`;
    assert.equal(editor.document.getText(), saved);
    assert.ok(await editor.document.save());
    // At once (well within 2.5 s of the save) an agent appends a function.
    fs.appendFileSync(uri.fsPath, appended);
    const aiRanges = await waitForLogged(`the function written to ${relative} to be recorded`, relative, () => {
      const spans = api.spansOf(uri).filter((span) => span.origin.kind === 'external-write');
      return spans.length > 0 ? spans.map((span) => [span.start, span.end]) : undefined;
    });
    assert.deepEqual(aiRanges, [[saved.length, saved.length + appended.length]], "the function is AI; the person's typed line is not");

    // The person types a long line and saves; at once a formatter run by the save rewrites the
    // file: spaces and semicolons, and the long line moved to the top (enough text to count as AI
    // if it were new). It adds no new words: not AI.
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    const typedAgain = 'export const  retryMessagesForTheFirstAttemptAndTheSecondOne =   12\n';
    for (const piece of typedAgain.match(/.{1,3}/gs) ?? []) await vscode.commands.executeCommand('type', { text: piece });
    assert.ok(await editor.document.save());
    const formatted = `export const retryMessagesForTheFirstAttemptAndTheSecondOne = 12;\nexport const retryLimit = 1;\nexport const spacedOut = 2;\n${appended}`;
    fs.writeFileSync(uri.fsPath, formatted);
    await waitForLogged(`Vouch to take the rewrite of ${relative} for a formatter's`, relative, () =>
      vouchLogLines().some((line) => line.includes(`Reload of ${relative} right after its save adds no new words`)),
    );
    assert.equal(editor.document.getText(), formatted);
    const functionStart = formatted.indexOf(appended);
    assert.deepEqual(
      api.spansOf(uri).map((span) => [span.start, span.end]),
      [[functionStart, functionStart + appended.length]],
      "only the agent's function is AI",
    );
  });

  it("keeps up with a reload that changes one character, so that another program's later write is taken as the lines it added", async () => {
    const text = 'export const retryLimit = 1;\nexport const retryDelayMs =\n  5;\nexport const retryBackoff = 2;\n';
    const { relative, uri } = await committedClosedFile('reloaded-twice', text);
    const api = await vouchApi();
    const editor = await vscode.window.showTextDocument(uri);
    // Another program changes one character on a line of two (a keystroke's size: no one's AI), and the editor reloads the file.
    const retuned = text.replace('  5;', '  6;');
    fs.writeFileSync(uri.fsPath, retuned);
    await waitFor(`the editor to reload ${relative}`, () => editor.document.getText() === retuned);
    // Then an agent adds an import at the top and a function at the end: one reload, reported as one
    // change across every line between them.
    const imported = "import { strict as assert } from 'node:assert';\n";
    const written = `${imported}${retuned}${appended}`;
    fs.writeFileSync(uri.fsPath, written);
    const aiRanges = await waitForLogged(`the agent's write to ${relative} to be recorded`, relative, () => {
      const spans = api.spansOf(uri).filter((span) => span.origin.kind === 'external-write');
      return spans.length > 0 ? spans.map((span) => [span.start, span.end]) : undefined;
    });
    assert.equal(editor.document.getText(), written);
    const functionStart = written.length - appended.length;
    assert.deepEqual(aiRanges, [[0, imported.length], [functionStart, written.length]], 'the import and the function are AI; the line changed by the first reload is not');
  });

  it("takes a save made in another editor window on the working tree for a person's, for an open and for a closed file", async () => {
    const repository = await findRepository(new GitRunner(), workspaceRoot());
    const api = await vouchApi();
    // Another window (its own extension host, the same working tree) notes its save, then writes the file.
    const saveInAnotherWindow = async (relative: string, text: string) => {
      await EditorSaves.of(repository).noteSaved(relative, text);
      fs.writeFileSync(path.join(workspaceRoot(), relative), text);
    };
    const open = await committedClosedFile('other-window-open');
    const editor = await vscode.window.showTextDocument(open.uri);
    const openText = `export const retryLimit = 1;\n${appended}`;
    await saveInAnotherWindow(open.relative, openText);
    await waitForLogged(`Vouch to take the reload of ${open.relative} for another window's save`, open.relative, () =>
      vouchLogLines().some((line) => line.includes(`Reload of ${open.relative} brought what an editor window saved`)),
    );
    assert.equal(editor.document.getText(), openText);
    assert.deepEqual(api.spansOf(open.uri), []);

    const closed = await committedClosedFile('other-window-closed');
    await saveInAnotherWindow(closed.relative, `export const retryLimit = 1;\n${appended}`);
    await waitForLogged(`Vouch to take the write of ${closed.relative} for another window's save`, closed.relative, () =>
      vouchLogLines().some((line) => line.includes(`${closed.relative} was saved by an editor window`)),
    );
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    assert.deepEqual((await store.load(closed.relative))?.spans ?? [], []);
  });

  it("takes a person's typing saved and closed at once (Ctrl+S, Ctrl+W) as the editor's, and records another program's later write to the file apart from it", async () => {
    const { relative, uri } = await committedClosedFile('saved-and-closed');
    await showVouchDebugLog(); // Vouch says at debug level when it took a write for its editor's
    const before = await typeSaveAndClose(uri);
    await waitForLogged(`Vouch to take the save of ${relative} for its editor's`, relative, () => vouchLogLines().some((line) => line.includes(`${relative} was written while a document of it was open: its editor's`)));
    // The agent comes once the save's writes have settled (one series with them: the next test).
    const savedAt = fs.statSync(uri.fsPath).mtimeMs;
    await waitFor('the save to be 3 s old', () => Date.now() - savedAt > 3_000);
    // Another program (an agent) adds a function: only the function is AI.
    fs.appendFileSync(uri.fsPath, appended);
    assert.deepEqual(await outsideWriteRanges(relative, uri), [[before.length, before.length + appended.length]], "the person's typed line is not AI; the function is");
  });

  it("records another program's write to a file a person saved and closed a moment before, once the editor has let the document go", async () => {
    const { relative, uri } = await committedClosedFile('saved-closed-let-go');
    const letGo = letGoOf(uri);
    const before = await typeSaveAndClose(uri, true);
    await letGo;
    // At once: the save's write and the agent's are one settling series of writes to the file, and
    // no document of it is left to reload.
    fs.appendFileSync(uri.fsPath, appended);
    assert.deepEqual(await outsideWriteRanges(relative, uri), [[before.length, before.length + appended.length]], "the person's typed line is not AI; the function is");
  });

  it('takes a rewrite that adds no new words right after a person saved and closed a file for a formatter the save ran', async () => {
    const { relative, uri } = await committedClosedFile('saved-closed-formatted');
    const letGo = letGoOf(uri);
    await typeSaveAndClose(uri, true);
    await letGo;
    // The typed line moved to the top and its comment re-spaced: more than enough characters to count as AI if they were new.
    fs.writeFileSync(uri.fsPath, 'export const retryDelayMs = 2500;   //   typed by a person\nexport const retryLimit = 1;\n');
    await waitForLogged(`Vouch to take the rewrite of ${relative} for a formatter's`, relative, () =>
      vouchLogLines().some((line) => line.includes(`${relative} was rewritten right after its editor saved and closed it, adding no new words`)),
    );
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    assert.deepEqual((await store.load(relative))?.spans ?? [], []);
  });

  it("takes a formatter's rewrite looked at apart from the save's writes (they settled first) for the formatter's, and an agent's later write for AI", async () => {
    const { relative, uri } = await committedClosedFile('saved-closed-formatted-late');
    await showVouchDebugLog(); // Vouch says at debug level when it took the save's writes for its editor's
    const letGo = letGoOf(uri);
    const typed = await typeSaveAndClose(uri, true);
    await letGo;
    // A formatter that writes a moment later: Vouch has already looked at the save's writes (a busy machine's order of events).
    await waitForLogged(`Vouch to take the save of ${relative} for its editor's`, relative, () => vouchLogLines().some((line) => line.includes(`${relative} was written while a document of it was open: its editor's`)));
    assert.equal(typed, 'export const retryLimit = 1;\nexport const retryDelayMs = 2500; // typed by a person\n');
    const formatted = 'export const retryDelayMs = 2500;   //   typed by a person\nexport const retryLimit = 1;\n';
    fs.writeFileSync(uri.fsPath, formatted);
    await waitForLogged(`Vouch to take the rewrite of ${relative} for a formatter's`, relative, () =>
      vouchLogLines().some((line) => line.includes(`${relative} was rewritten right after its editor saved and closed it, adding no new words`)),
    );
    // Then an agent adds a function: compared with the formatted text, only the function is AI.
    fs.appendFileSync(uri.fsPath, appended);
    assert.deepEqual(await outsideWriteRanges(relative, uri), [[formatted.length, formatted.length + appended.length]], "the person's line, moved by the formatter, is not AI; the function is");
  });

  it("records another program's write to a file a person has unsaved edits in, once the person takes the file's text (Revert File)", async () => {
    const { relative, uri } = await committedClosedFile('dirty-then-written');
    await showVouchDebugLog(); // Vouch says at debug level when it took a write for its editor's
    const api = await vouchApi();
    const editor = await vscode.window.showTextDocument(uri);
    // Accepted ghost text at the end of the first line, saved.
    editor.selection = new vscode.Selection(0, 'export const retryLimit = 1;'.length, 0, 'export const retryLimit = 1;'.length);
    await acceptGhostText(editor, ' // at most one retry');
    assert.ok(await editor.document.save());
    const saved = editor.document.getText();
    const ghost = saved.indexOf(' // at most one retry');
    assert.deepEqual(api.spansOf(uri).map((span) => [span.start, span.end, span.origin.kind]), [[ghost, ghost + ' // at most one retry'.length, 'inline']]);
    // The person types a line at the top and leaves it unsaved.
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    for (const piece of 'export const unsavedLine = 3;\n'.match(/.{1,3}/gs) ?? []) await vscode.commands.executeCommand('type', { text: piece });
    assert.ok(editor.document.isDirty);
    // An agent adds an import above the saved text and a function below it on disk; the editor keeps the person's unsaved text.
    const imported = "import { strict as assert } from 'node:assert';\n";
    const written = `${imported}${saved}${appended}`;
    fs.writeFileSync(uri.fsPath, written);
    // At once, maybe before the file watcher has told Vouch of the write: the write's time is the file's.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor(`the revert of ${relative}`, () => !editor.document.isDirty && editor.document.getText() === written);
    const aiRanges = await waitForLogged(`the import and the function written to ${relative} to be AI`, relative, () => {
      const spans = api.spansOf(uri).filter((span) => span.origin.kind === 'external-write');
      return spans.length > 0 ? spans.map((span) => [span.start, span.end]) : undefined;
    });
    assert.deepEqual(aiRanges, [[0, imported.length], [written.length - appended.length, written.length]], "the agent's import and function are AI");
    const moved = imported.length + ghost;
    assert.deepEqual(
      api.spansOf(uri).filter((span) => span.origin.kind === 'inline').map((span) => [span.start, span.end]),
      [[moved, moved + ' // at most one retry'.length]],
      'the saved ghost text is AI where the agent moved it',
    );
  });

  it("keeps an agent's `vouch mark` of a file a person has unsaved edits in, and applies it once the person takes the file's text (Revert File)", async () => {
    const { relative, uri } = await committedClosedFile('dirty-then-marked');
    await showVouchDebugLog();
    const api = await vouchApi();
    const editor = await openWithUnsavedLine(uri, relative);
    // The agent writes the file and reports its function from its hook; the editor keeps the person's unsaved text.
    const written = `export const retryLimit = 1;\n${appended}`;
    fs.writeFileSync(uri.fsPath, written);
    reportFromAgentHook(relative, '2-4');
    await waitForLogged(`Vouch to take in the report on ${relative}`, relative, () => vouchLogLines().some((line) => line.includes(relative) && line.includes('written outside this window')));
    // The person goes on typing: this window saves its working state over its own text again.
    await vscode.commands.executeCommand('type', { text: '// ' });
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    await waitForLogged(`the working state of ${relative} to be saved over the unsaved text`, relative, async () => (await store.load(relative))?.textLength === editor.document.getText().length);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor(`the revert of ${relative}`, () => !editor.document.isDirty && editor.document.getText() === written);
    const reported = await waitForLogged(`the reported function of ${relative} to be the agent's`, relative, () => {
      const spans = api.spansOf(uri).filter((span) => span.origin.tool === 'claude-code');
      return spans.length > 0 ? spans.map((span) => [span.start, span.end, span.origin.kind]) : undefined;
    });
    // `vouch mark --lines` marks the lines' text, not the line break that ends the last of them.
    assert.deepEqual(reported, [[written.length - appended.length, written.length - 1, 'agent']], "the agent's report, with its name, not a guess");
    assert.deepEqual(api.spansOf(uri).filter((span) => span.origin.tool !== 'claude-code'), [], 'nothing else is AI');
  });

  it("keeps an agent's `vouch mark` of a file a person has unsaved edits in and closes without saving them (Don't Save): the report is what is stored", async () => {
    const { relative, uri } = await committedClosedFile('dirty-then-marked-discarded');
    await showVouchDebugLog();
    await openWithUnsavedLine(uri, relative);
    const written = `export const retryLimit = 1;\n${appended}`;
    fs.writeFileSync(uri.fsPath, written);
    reportFromAgentHook(relative, '2-4');
    await waitForLogged(`Vouch to keep the report on ${relative}`, relative, () => vouchLogLines().some((line) => line.includes(relative) && line.includes('applied if the document takes the file\'s text')));
    const letGo = letGoOf(uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await letGo;
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), written, "the file holds the agent's text");
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    const spans = await waitForLogged(`the report on ${relative} to be stored`, relative, async () => {
      const stored = await store.load(relative);
      return stored && stored.textSha256 === sha256Hex(written) && stored.spans.length > 0 ? stored.spans : undefined;
    });
    assert.deepEqual(
      spans.map((span) => [span.start, span.end, span.origin.kind, span.origin.tool]),
      [[written.length - appended.length, written.length - 1, 'agent', 'claude-code']],
      "the agent's report, over the file's text",
    );
  });

  it("records another program's write to a file a person has unsaved edits in and closes without saving them (Don't Save)", async () => {
    const { relative, uri } = await committedClosedFile('dirty-then-discarded');
    await showVouchDebugLog();
    await openWithUnsavedLine(uri, relative);
    const written = `export const retryLimit = 1;\n${appended}`;
    fs.writeFileSync(uri.fsPath, written);
    await waitForLogged(`Vouch to see the write to ${relative}`, relative, () => vouchLogLines().some((line) => line.includes(`${relative} was written while a document of it with unsaved edits was open`)));
    // Closing asks whether to save; in the test editor the answer is Don't Save: the editor reverts the document to the file, then closes it.
    const letGo = letGoOf(uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await letGo;
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), written, "the file holds the agent's text");
    const store = await WorkingStateStore.open(new GitRunner(), workspaceRoot(), silentLogger);
    const spans = await waitForLogged(`the function written to ${relative} to be recorded`, relative, async () => {
      const stored = (await store.load(relative))?.spans ?? [];
      return stored.length > 0 ? stored : undefined;
    });
    assert.deepEqual(
      spans.map((span) => [span.start, span.end, span.origin.kind]),
      [[written.length - appended.length, written.length, 'external-write']],
      'the function is AI',
    );
  });

  it("takes a file git restored while a person had unsaved edits in it for git's, not AI, when the person takes the file's text (Revert File)", async () => {
    const committed = `export const retryLimit = 1;\n${appended}`;
    const { relative, uri } = await committedClosedFile('dirty-then-restored', committed);
    await showVouchDebugLog();
    const editor = await vscode.window.showTextDocument(uri);
    // The person deletes the function and saves, then types a line and leaves it unsaved.
    await editor.edit((edit) => edit.delete(new vscode.Range(1, 0, editor.document.lineCount, 0)));
    assert.ok(await editor.document.save());
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    for (const piece of 'export const unsavedLine = 3;\n'.match(/.{1,3}/gs) ?? []) await vscode.commands.executeCommand('type', { text: piece });
    assert.ok(editor.document.isDirty);
    // In a terminal, git brings the committed file back: the function is the index's, not AI.
    execFileSync('git', ['restore', '--', relative], { cwd: workspaceRoot() });
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), committed);
    await waitForLogged(`Vouch to see the write to ${relative}`, relative, () => vouchLogLines().some((line) => line.includes(`${relative} was written while a document of it with unsaved edits was open`)));
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor(`the revert of ${relative}`, () => !editor.document.isDirty && editor.document.getText() === committed);
    const decision = await waitForLogged(`Vouch to judge the restored function in ${relative}`, relative, () =>
      vouchLogLines().find((line) => line.includes(`Reload of ${relative} brought back what the index holds`) || line.includes(`Change of ${relative} during a git operation`)),
    );
    assert.ok(decision);
    assert.deepEqual((await vouchApi()).spansOf(uri), [], "nothing in the file is AI");
  });

  it("records another program's write to a file a person saved and closed a moment before (Ctrl+S, Ctrl+W, then the agent at once)", async () => {
    const { relative, uri } = await committedClosedFile('saved-closed-written');
    const before = await typeSaveAndClose(uri);
    // At once: the save's write and the agent's are one settling series of writes to the file.
    fs.appendFileSync(uri.fsPath, appended);
    assert.deepEqual(await outsideWriteRanges(relative, uri), [[before.length, before.length + appended.length]], "the person's typed line is not AI; the function is");
  });
});

/** Opens a file as a person opens it (so that the editor lets the document go when its tab closes) and types a line into it, unsaved. */
async function openWithUnsavedLine(uri: vscode.Uri, relative: string): Promise<vscode.TextEditor> {
  await vscode.commands.executeCommand('vscode.open', uri);
  await waitFor(`an editor of ${relative}`, () => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString());
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor);
  editor.selection = new vscode.Selection(1, 0, 1, 0);
  for (const piece of 'export const unsavedLine = 3;\n'.match(/.{1,3}/gs) ?? []) await vscode.commands.executeCommand('type', { text: piece });
  assert.ok(editor.document.isDirty);
  return editor;
}

/** What an agent's hook runs after writing a file: `vouch mark` of the lines it wrote, with the installed extension's CLI. */
function reportFromAgentHook(relative: string, lines: string): void {
  const cli = path.join(vscode.extensions.getExtension('vouch-dev.vouch')!.extensionPath, 'dist', 'cli.js');
  execFileSync(process.execPath, [cli, 'mark', relative, '--lines', lines, '--tool', 'claude-code'], { cwd: workspaceRoot() });
}

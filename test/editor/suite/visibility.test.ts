import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import { countReviewBlocks } from '../../../src/core/review/reviewModel';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { computeLineMarks, type LineMarkState, type LineRun } from '../../../src/core/visibility/lineMarks';
import type { AttributionSummary } from '../../../src/core/visibility/summary';
import { GitRunner } from '../../../src/git/gitRunner';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { NotesWriter } from '../../../src/git/notes/notesWriter';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { hoverText, openScratch, scratchWithGhostText, vouchApi, waitFor, workspaceUri, writeSetUpFile } from './helpers';
import { acceptedReview, aiSpanOver } from '../../support/spans';
import { seededRandom } from '../../support/seededRandom';

interface SummaryResult {
  readonly summary: AttributionSummary;
  readonly gutterRuns: Record<LineMarkState, LineRun[]>;
  readonly unreviewedBlocks: { workspace: number; file: number | undefined };
  readonly message: string;
  readonly shown: { readonly gutterRuns: Record<LineMarkState, LineRun[]> | 'off' | undefined; readonly unreviewedBlocks: { workspace: number; file: number | undefined } };
}

function summaryOf(uri: vscode.Uri): Promise<SummaryResult> {
  return Promise.resolve(vscode.commands.executeCommand<SummaryResult>('vouch.showSummary', uri));
}

/** Lines (0-based) the gutter marks with `state`. */
function linesIn(runs: readonly LineRun[]): number[] {
  return runs.flatMap((run) => Array.from({ length: run.endLine - run.startLine + 1 }, (_, index) => run.startLine + index));
}

const workspaceDir = () => workspaceUri('.').fsPath;

function spanAtOffsets(id: string, start: number, end: number, humanChangedChars: number, review: Review | undefined): AttributedSpan {
  return { id, start, end, origin: { kind: 'agent', tool: 'claude-code', model: 'test-model' }, confidence: 'high', insertedAt: Date.UTC(2026, 0, 5), insertedTextHash: '', insertedLength: end - start, humanChangedChars, ...(review ? { review } : {}) };
}

function agentSpanOver(text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(text, piece, { id: `test-${sha256Hex(piece).slice(0, 12)}`, origin: { kind: 'agent', tool: 'claude-code', model: 'test-model' }, ...extra });
}

describe('Visibility: gutter marks, hover, status bar and summary in the real editor', function () {
  const git = new GitRunner();

  afterEach(async () => {
    await vscode.workspace.getConfiguration('vouch').update('gutter.mode', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('marks exactly the accepted ghost-text lines as unreviewed, counts the block, and turns human-changed after typing in it', async () => {
    await vouchApi();
    const editor = await scratchWithGhostText('scratch-visible.ts', 'const before = 1;\nfunction add(\nconst after = 2;\n', 'a, b) {\n  return a + b;\n}', new vscode.Position(1, 13));
    const result = await waitFor('marks on the AI lines', async () => {
      const summary = await summaryOf(editor.document.uri);
      return summary.gutterRuns['ai-unreviewed'].length > 0 && summary;
    });
    // Line 1 starts with "function add(" typed by a person: a prefix, so the line is still plain unreviewed AI.
    assert.deepEqual(linesIn(result.gutterRuns['ai-human-changed']), []);
    assert.deepEqual(linesIn(result.gutterRuns['ai-unreviewed']), [1, 2, 3]);
    assert.deepEqual(linesIn(result.gutterRuns['ai-accepted']), []);
    assert.equal(result.summary.aiLines, 3);
    assert.equal(result.summary.totalLines, 5);
    assert.equal(result.unreviewedBlocks.file, 1);
    assert.ok(result.unreviewedBlocks.workspace >= 1);
    assert.match(result.message, /scratch-visible\.ts: 3 of 5 lines written by AI/);

    const hover = await hoverText(editor.document.uri, 2);
    assert.match(hover, /not reviewed/);
    assert.match(hover, /tool \*\*fake\\-ai\*\*/);
    for (const command of ['vouch.openReviewPanel', 'vouch.acceptBlock', 'vouch.rejectBlock']) assert.ok(hover.includes(`(command:${command}?`), `the hover links ${command}`);
    assert.equal(await hoverText(editor.document.uri, 0), '', 'no hover on human lines');
    assert.equal(await hoverText(editor.document.uri, 2, 9), '', 'none over the code of an AI line either: the language has it');
    assert.match(await hoverText(editor.document.uri, 2, '  return a + b;'.length), /not reviewed/, 'and again at its end, where the annotation is');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    const titles = lenses.map((lens) => lens.command?.title ?? '');
    assert.ok(titles.some((title) => /1 AI block unreviewed$/.test(title)), `the CodeLens counts the block: ${titles.join(' | ')}`);
    assert.ok(lenses.some((lens) => lens.command?.title === 'Review' && lens.command.command === 'vouch.openReviewPanel' && lens.range.start.line === 0));

    // A person edits inside the AI block: those lines now show as changed by a human.
    await editor.edit((edit) => edit.replace(new vscode.Range(2, 9, 2, 14), 'a * b'));
    const changed = await waitFor('human-changed marks', async () => {
      const summary = await summaryOf(editor.document.uri);
      return linesIn(summary.gutterRuns['ai-human-changed']).includes(2) && summary;
    });
    assert.deepEqual(linesIn(changed.gutterRuns['ai-human-changed']), [1, 2, 3]);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('shows a reviewed block as accepted (review from the stored working state)', async () => {
    const text = 'const human = 0;\nexport function greet(name: string) {\n  return `hi ${name}`;\n}\n';
    const block = 'export function greet(name: string) {\n  return `hi ${name}`;\n}';
    const uri = workspaceUri('src/reviewed.ts');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    const review = acceptedReview({ intent: 'greets a user <b>by name</b>', reviewer: { name: 'Rita Reviewer', email: 'rita@example.com' }, reviewedAt: '2026-01-06T08:00:00Z', textHash: sha256Hex(block) });
    await store.save('src/reviewed.ts', [agentSpanOver(text, block, { review })], text);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const result = await waitFor('accepted marks', async () => {
      const summary = await summaryOf(uri);
      return summary.gutterRuns['ai-accepted'].length > 0 && summary;
    });
    assert.deepEqual(linesIn(result.gutterRuns['ai-accepted']), [1, 2, 3]);
    assert.equal(result.summary.reviewedAiLines, 3);
    assert.equal(result.unreviewedBlocks.file, 0);
    const hover = await hoverText(uri, 1);
    assert.match(hover, /Review: \*\*accepted\*\* by Rita Reviewer/);
    assert.match(hover, /Intent: greets a user \\<b\\>by name\\<\\\/b\\>/, 'review text is escaped');
    await store.remove('src/reviewed.ts');
  });

  it('gives the marks and the block count of the whole text, whether it takes the whole text of the document (many spans) or reads the lines around them (few), with either line break', async () => {
    const cases = [
      { name: 'dense.ts', eol: '\n', lines: 600, every: 4 },
      { name: 'dense-crlf.ts', eol: '\r\n', lines: 600, every: 4 },
      { name: 'sparse.ts', eol: '\n', lines: 6_000, every: 1_000 },
    ];
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    for (const { name, eol, lines, every } of cases) {
      const lineTexts = Array.from({ length: lines }, (_, line) => (line % 17 === 5 ? '' : `  const value${line} = compute(${line}); // line ${line}`));
      const text = lineTexts.join(eol) + eol;
      const lineStart = (line: number) => lineTexts.slice(0, line).reduce((sum, lineText) => sum + lineText.length + eol.length, 0);
      // One AI span per `every` lines: whole lines, part of a line (a mixed line), two lines with the blank between, some accepted, some changed by a person.
      const spans: AttributedSpan[] = [];
      for (let first = 1; first + 3 < lines; first += every) {
        const index = spans.length;
        const line = lineTexts[first] === '' ? first + 1 : first;
        const start = lineStart(line) + (index % 4 === 1 ? 8 : 2);
        const end = index % 4 === 2 ? lineStart(line + 2) + lineTexts[line + 2].length : lineStart(line) + lineTexts[line].length;
        const review = index % 4 === 3 ? acceptedReview({ textHash: sha256Hex(text.slice(start, end)) }) : undefined;
        spans.push(spanAtOffsets(`dense-${index}`, start, end, index % 5 === 4 ? 3 : 0, review));
      }
      const repoPath = `src/${name}`;
      const uri = workspaceUri(repoPath);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      await store.save(repoPath, spans, text);
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document);
      const api = await vouchApi();
      await waitFor(`the spans of ${name}`, () => api.spansOf(uri).length === spans.length);
      const expected = computeLineMarks(document.getText(), api.spansOf(uri));
      const result = await waitFor(`the marks of ${name}`, async () => {
        const summary = await summaryOf(uri);
        return summary.unreviewedBlocks.file !== undefined && summary.unreviewedBlocks.file > 0 && summary;
      });
      for (const state of ['ai-unreviewed', 'ai-accepted', 'ai-human-changed'] as const) assert.deepEqual(result.gutterRuns[state], expected.runs[state], `${name}: ${state}`);
      assert.ok(expected.runs['ai-accepted'].length > 0 && expected.runs['ai-human-changed'].length > 0, `${name}: every state is shown`);
      assert.equal(result.unreviewedBlocks.file, countReviewBlocks({ path: repoPath, text: document.getText(), spans: api.spansOf(uri) }), `${name}: the block count`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await store.remove(repoPath);
    }
  });

  it('keeps the block count right while a person types a line of code into AI lines and breaks it off with Enter', async () => {
    // A lone AI line, then a two-line AI block (one insertion), between a person's lines.
    const text = 'const a = 0;\n  value1 = one();\nconst b = 0;\n  value3 = three();\n  value4 = four();\nconst c = 0;\n';
    const repoPath = 'src/typed-breaks.ts';
    const uri = workspaceUri(repoPath);
    await writeSetUpFile(uri, text);
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    const block = '  value3 = three();\n  value4 = four();';
    await store.save(repoPath, [agentSpanOver(text, 'value1 = one();', { insertedAt: 1 }), agentSpanOver(text, block.trimStart(), { insertedAt: 2 })], text);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const api = await vouchApi();
    await waitFor('the spans', () => api.spansOf(uri).length === 2);
    const countNow = async () => (await summaryOf(uri)).unreviewedBlocks.file;
    const coreCount = () => countReviewBlocks({ path: repoPath, text: document.getText(), spans: api.spansOf(uri) });
    assert.equal(await countNow(), 2);
    const type = async (text: string) => {
      const version = document.version;
      await vscode.commands.executeCommand('type', { text });
      await waitFor('the keystroke', () => document.version !== version);
    };
    /**
     * Types a person's statement at the start of a line's AI text, a few characters at a time, then
     * (after a pause in which the count is taken, as the status bar does) Enter: the count of just
     * before is carried over the line break when the rule says it keeps the blocks.
     */
    const typeLineAbove = async (line: number, statement: string) => {
      editor.selection = new vscode.Selection(line, 2, line, 2);
      for (const piece of statement.match(/.{1,3}/gs) ?? []) await type(piece);
      assert.equal(await countNow(), coreCount(), 'the count before the line break');
      await type('\n');
    };
    // Beside the lone AI line: the person's line above it joins no block.
    await typeLineAbove(1, 'let x = 1;');
    assert.equal(document.lineAt(1).text, '  let x = 1;');
    assert.equal(await countNow(), coreCount());
    assert.equal(coreCount(), 2);
    // Inside the two-line block: the person's line cuts its lines in two.
    await typeLineAbove(5, 'let y = 2;');
    assert.equal(document.lineAt(5).text, '  let y = 2;');
    assert.equal(coreCount(), 3);
    assert.equal(await waitFor('the count of the cut block', async () => ((await countNow()) === 3 ? 3 : undefined)), 3);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await store.remove(repoPath);
  });

  it('counts the blocks again when typing away from every span joins or splits them: a blank line between AI lines, a wholly AI line beside it', async () => {
    // Two AI lines of one insertion with a blank line between: one block. A person's character in
    // the blank line, or before the first line's AI text, makes two (the edit touches no span).
    const text = 'const a = 0;\n  ai_one();\n\n  ai_two();\nconst c = 0;\n';
    const repoPath = 'src/blank-between.ts';
    const uri = workspaceUri(repoPath);
    await writeSetUpFile(uri, text);
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    await store.save(repoPath, [agentSpanOver(text, 'ai_one();', { insertedAt: 1 }), agentSpanOver(text, 'ai_two();', { insertedAt: 1 })], text);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const api = await vouchApi();
    await waitFor('the spans', () => api.spansOf(uri).length === 2);
    const coreCount = () => countReviewBlocks({ path: repoPath, text: document.getText(), spans: api.spansOf(uri) });
    /** The count, and the unreviewed lines the editor shows (its decorations follow without an attribution change: the edits touch no span). */
    const countIs = async (expected: number, shownLines: readonly number[]) => {
      const what = `a block count of ${expected} and marks on lines ${shownLines.join(', ')} (text ${JSON.stringify(document.getText())})`;
      await waitFor(what, async () => {
        const { unreviewedBlocks, shown } = await summaryOf(uri);
        return unreviewedBlocks.file === expected && typeof shown.gutterRuns === 'object' && linesIn(shown.gutterRuns['ai-unreviewed']).join() === shownLines.join();
      });
    };
    const typeAt = async (line: number, character: number, typed: string) => {
      const version = document.version;
      editor.selection = new vscode.Selection(line, character, line, character);
      await vscode.commands.executeCommand('type', { text: typed });
      await waitFor('the keystroke', () => document.version !== version);
    };
    const deleteLeft = async () => {
      const version = document.version;
      await vscode.commands.executeCommand('deleteLeft');
      await waitFor('the deletion', () => document.version !== version);
    };
    await countIs(1, [1, 2, 3]);
    await typeAt(2, 0, ' ');
    assert.equal(coreCount(), 1, 'a blank line stays blank');
    await countIs(1, [1, 2, 3]);
    await typeAt(2, 1, 'x');
    assert.equal(coreCount(), 2);
    await countIs(2, [1, 3]);
    await deleteLeft();
    assert.equal(coreCount(), 1);
    await countIs(1, [1, 2, 3]);
    await typeAt(1, 0, 'x');
    assert.equal(coreCount(), 2, 'the first line is mixed now: it no longer joins across the blank line');
    await countIs(2, [1, 3]);
    await deleteLeft();
    await countIs(1, [1, 2, 3]);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await store.remove(repoPath);
  });

  it('keeps the gutter and the block count those of the whole text through runs of random typing in and around AI lines (seeded)', async () => {
    // AI lines whole and in part, blocks of one and of two insertions, blank lines between them,
    // a reviewed block: typing runs on one line (judged once per run), jumps, deletions and Enter.
    const lineTexts = Array.from({ length: 24 }, (_, line) => (line % 6 === 3 ? '' : `  let value${line} = compute(${line});`));
    const text = `${lineTexts.join('\n')}\n`;
    const repoPath = 'src/random-typing.ts';
    const uri = workspaceUri(repoPath);
    await writeSetUpFile(uri, text);
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    const pieceOf = (line: number, from = 2) => lineTexts[line].slice(from);
    const twoLines = `${pieceOf(7)}\n${lineTexts[8]}`;
    const spans = [
      agentSpanOver(text, pieceOf(1), { insertedAt: 1 }),
      agentSpanOver(text, pieceOf(2, 12), { insertedAt: 1 }),
      agentSpanOver(text, pieceOf(4), { insertedAt: 1 }),
      agentSpanOver(text, twoLines, { insertedAt: 2 }),
      agentSpanOver(text, pieceOf(13), { insertedAt: 3, review: acceptedReview({ textHash: sha256Hex(pieceOf(13)) }) }),
      agentSpanOver(text, pieceOf(16), { insertedAt: 4 }),
      agentSpanOver(text, pieceOf(17), { insertedAt: 5 }),
      agentSpanOver(text, pieceOf(20, 6), { insertedAt: 6 }),
    ];
    await store.save(repoPath, spans, text);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const api = await vouchApi();
    await waitFor('the spans', () => api.spansOf(uri).length === spans.length);
    const random = seededRandom(20261202);
    const pick = <T,>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
    const keystroke = async (run: () => Thenable<unknown>) => {
      const version = document.version;
      await run();
      await waitFor('the keystroke', () => document.version !== version);
    };
    for (let step = 0; step < 60; step++) {
      // Mostly on AI lines and the lines next to them; sometimes a new place.
      if (step === 0 || random() < 0.3) {
        const line = Math.min(document.lineCount - 1, pick([0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 18, 20]));
        const character = Math.floor(random() * (document.lineAt(line).text.length + 1));
        editor.selection = new vscode.Selection(line, character, line, character);
      }
      const keys = 1 + Math.floor(random() * 5);
      for (let key = 0; key < keys; key++) {
        const action = random();
        if (action < 0.1 && editor.selection.active.character > 0) await keystroke(() => vscode.commands.executeCommand('deleteLeft'));
        else if (action < 0.15) await keystroke(() => vscode.commands.executeCommand('type', { text: '\n' }));
        else await keystroke(() => vscode.commands.executeCommand('type', { text: pick(['x', ' ', '(', ';', 'q']) }));
      }
      // A pause: what the gutter and the status bar read now is what computing them again gives.
      const summary = await summaryOf(uri);
      const expected = computeLineMarks(document.getText(), api.spansOf(uri));
      const where = `step ${step}, text ${JSON.stringify(document.getText())}`;
      for (const state of ['ai-unreviewed', 'ai-accepted', 'ai-human-changed'] as const) assert.deepEqual(summary.gutterRuns[state], expected.runs[state], `${state} at ${where}`);
      assert.equal(summary.unreviewedBlocks.file ?? 0, countReviewBlocks({ path: repoPath, text: document.getText(), spans: api.spansOf(uri) }), `the block count at ${where}`);
    }
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await store.remove(repoPath);
  });

  it('keeps the AI marks of a file renamed in the editor: they follow it to its new name', async () => {
    const text = 'const a = 0;\nexport const ai = compute();\nconst b = 1;\n';
    const oldUri = workspaceUri('src/before-rename.ts');
    const newUri = workspaceUri('src/after-rename.ts');
    await writeSetUpFile(oldUri, text);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(oldUri));
    const api = await vouchApi();
    await vscode.commands.executeCommand('vouch.recordAiEdit', { uri: oldUri.toString(), ranges: [{ start: { line: 1, character: 0 }, end: { line: 1, character: 28 } }], tool: 'rename-ai', kind: 'agent' });
    await waitFor('the AI span', () => api.spansOf(oldUri).length === 1);
    const rename = new vscode.WorkspaceEdit();
    rename.renameFile(oldUri, newUri);
    assert.ok(await vscode.workspace.applyEdit(rename));
    const [span] = await waitFor('the AI span under the new name', () => api.spansOf(newUri).length === 1 && api.spansOf(newUri));
    const renamed = await vscode.workspace.openTextDocument(newUri);
    assert.equal(renamed.getText().slice(span.start, span.end), 'export const ai = compute();');
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    await waitFor('the working state under the new name', async () => (await store.load('src/after-rename.ts'))?.spans.length === 1);
    assert.equal(await store.load('src/before-rename.ts'), undefined, 'nothing left under the old name');
    const summary = await summaryOf(newUri);
    assert.deepEqual(linesIn(summary.gutterRuns['ai-unreviewed']), [1]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await store.remove('src/after-rename.ts');
  });

  it('marks committed AI lines from the Vouch note of their commit, and the toggle turns the gutter off and on', async () => {
    const text = 'export const one = 1;\nexport function twice(x: number) {\n  return x * 2;\n}\nexport const three = 3;\n';
    const aiText = 'export function twice(x: number) {\n  return x * 2;\n}';
    const uri = workspaceUri('src/committed.ts');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const cwd = workspaceDir();
    await git.run(['add', '--', 'src/committed.ts'], { cwd });
    await git.run(['commit', '-q', '-m', 'Add twice', '--', 'src/committed.ts'], { cwd });
    const commit = (await git.run(['rev-parse', 'HEAD'], { cwd })).stdout.trim();
    const writer = await NotesWriter.open(git, cwd, silentLogger);
    await recordFilesOfCommit({ git, topLevel: cwd, writer, logger: silentLogger }, { commit, files: [{ path: 'src/committed.ts', workingText: text, spans: [agentSpanOver(text, aiText)] }] });
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const result = await waitFor('committed marks', async () => {
      const summary = await summaryOf(uri);
      return summary.gutterRuns['ai-committed'].length > 0 && summary;
    });
    assert.deepEqual(linesIn(result.gutterRuns['ai-committed']), [1, 2, 3]);
    assert.equal(result.summary.committedAiLines, 3);
    const hover = await hoverText(uri, 2);
    assert.match(hover, /earlier commit, recorded in a Vouch note/);
    assert.ok(hover.includes(commit.slice(0, 12)));
    assert.match(hover, /“Add twice”/);

    // An unsaved line above moves the committed marks with the text (blame of the editor's text).
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// unsaved\n'));
    await waitFor('marks follow the unsaved edit', async () => linesIn((await summaryOf(uri)).gutterRuns['ai-committed']).join() === '2,3,4');

    assert.equal(await vscode.commands.executeCommand('vouch.toggleGutter'), 'off');
    const off = await summaryOf(uri);
    assert.deepEqual(linesIn(off.gutterRuns['ai-committed']), []);
    assert.equal(off.summary.committedAiLines, 3, 'the summary still counts the file');
    assert.equal(await hoverText(uri, 3), '', 'no hover while the gutter is off');
    assert.equal(await vscode.commands.executeCommand('vouch.toggleGutter'), 'all');
    await waitFor('marks back on', async () => linesIn((await summaryOf(uri)).gutterRuns['ai-committed']).join() === '2,3,4');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a large CRLF document: the gutter and the block count come from the lines around its spans, and its working state holds its exact text', async () => {
    const api = await vouchApi();
    // Over 20,000 lines: a large document, read by lines and pieces, never whole on the event path.
    const lines = Array.from({ length: 30_000 }, (_, line) => `  const row${line} = load(${line}); // a line of a large file`);
    const editor = await openScratch('scratch-large.ts', `${lines.join('\r\n')}\r\n`);
    const document = editor.document;
    assert.equal(document.eol, vscode.EndOfLine.CRLF);
    const ranges = [10, 29_990].map((line) => ({ start: { line, character: 0 }, end: { line: line + 2, character: 0 } }));
    await vscode.commands.executeCommand('vouch.recordAiEdit', { uri: document.uri.toString(), ranges, tool: 'large-file-ai', kind: 'agent' });
    await waitFor('the reported spans', () => api.spansOf(document.uri).length === 2);
    const result = await summaryOf(document.uri);
    assert.deepEqual(linesIn(result.gutterRuns['ai-unreviewed']), [10, 11, 29_990, 29_991]);
    assert.equal(result.summary.aiLines, 4);
    assert.equal(result.unreviewedBlocks.file, 2);
    // The working state names the document's exact text (hashed and written to git a piece at a time).
    const store = await WorkingStateStore.open(git, workspaceDir(), silentLogger);
    const text = document.getText();
    const textHash = sha256Hex(text);
    const stored = await waitFor('the working state of the large file', async () => {
      const state = await store.load('scratch-large.ts');
      return state && state.spans.length === 2 && state.textSha256 === textHash ? state : undefined;
    });
    assert.equal(stored.textLength, text.length);
    assert.equal(await store.readText(stored), text);
    assert.deepEqual(
      stored.spans.map((span) => text.slice(span.start, span.end)),
      api.spansOf(document.uri).map((span) => text.slice(span.start, span.end)),
    );
  });
});

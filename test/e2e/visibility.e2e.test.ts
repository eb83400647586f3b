import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../src/core/logger';
import { parseNote } from '../../src/core/notes/noteParser';
import { sha256Hex } from '../../src/core/textHash';
import { GitRunner } from '../../src/git/gitRunner';
import { recordFilesOfCommit } from '../../src/git/notes/commitRecording';
import { NotesWriter } from '../../src/git/notes/notesWriter';
import { WorkingStateStore } from '../../src/git/workingStateStore';
import { type LineMark as DomMark, type Workbench, waitUntil, workbenchForSuite } from './workbench';
import { acceptedReview, agentSpanOver } from '../support/spans';


/** The state each gutter icon names (its SVG's data-vouch-state; src/core/visibility/markStyle.ts). */
const STYLE_OF = { unreviewed: 'ai-unreviewed', accepted: 'ai-accepted', humanChanged: 'ai-human-changed', committed: 'ai-committed' } as const;

describe('e2e: attribution you can see (gutter marks, hover, status bar)', function () {
  const opened = workbenchForSuite(this);
  let workbench: Workbench;
  const git = new GitRunner();
  beforeEach(() => {
    workbench = opened();
  });

  const waitForMarks = (what: string, check: (marks: DomMark[]) => boolean): Promise<DomMark[]> => workbench.waitForLineMarks(what, check);

  const linesWith = (marks: DomMark[], style: string) => marks.filter((mark) => mark.state === style).map((mark) => mark.line);

  /** 1-based numbers of the visible lines whose text matches. */
  async function lineNumbersOf(patterns: RegExp[]): Promise<number[]> {
    const lines = await workbench.editorLines();
    return patterns.map((pattern) => {
      const index = lines.findIndex((line) => pattern.test(line));
      assert.ok(index >= 0, `no line matches ${pattern}`);
      return index + 1;
    });
  }

  /** Hovers a line and returns the hover's text once Vouch's part of it (matching `vouchPart`) is shown. */
  async function hoverLine(lineNumber: number, vouchPart: RegExp): Promise<string> {
    const { page } = workbench;
    // The start of the line, next to the gutter mark: where Vouch's hover answers.
    const box = await workbench.pointOnLine(lineNumber, 0);
    await page.mouse.move(box.x - 30, box.y);
    await page.mouse.move(box.x, box.y, { steps: 4 });
    await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { state: 'visible' });
    return workbench.waitForHoverText(vouchPart);
  }

  const dismissHover = () => workbench.dismissHover();

  it('marks exactly the accepted ghost-text lines, counts them in the status bar, and explains them in a hover', async () => {
    const { page } = workbench;
    await workbench.openFile('src/cart.ts');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await workbench.typeUntilGhostText('function add(');
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => document.querySelectorAll('.ghost-text-decoration').length === 0);
    const aiLines = await lineNumbersOf([/^function add\(a, b\) \{$/, /^ {2}return a \+ b;$/]);
    aiLines.push(aiLines[1] + 1);
    const marks = await waitForMarks('unreviewed marks', (found) => found.length >= 3);
    assert.deepEqual(linesWith(marks, STYLE_OF.unreviewed), aiLines, 'the marks sit exactly on the AI lines');
    assert.deepEqual(marks.map((mark) => mark.line), aiLines, 'and on no other line');
    assert.match(marks[0].color, /^#[0-9a-f]{6}$/i, 'the icon is drawn in a colour');
    const status = await page.waitForSelector('.statusbar-item:has-text("AI: 1 unreviewed")');
    assert.match((await status.textContent()) ?? '', /AI: 1 unreviewed \(1 in this file\)/);
    await workbench.screenshot('visibility-unreviewed');

    const hover = await hoverLine(aiLines[1], /AI-written, not reviewed/);
    assert.match(hover, /AI-written, not reviewed/);
    assert.match(hover, /tool fake-ai · inline completion · high confidence/);
    assert.match(hover, /Review: not reviewed/);
    assert.match(hover, /Review · Accept\.\.\. · Reject/, 'one way to the panel, then accept and reject');
    assert.doesNotMatch(hover, /Show in review panel/);
    await workbench.screenshot('visibility-hover-unreviewed');
    await dismissHover();
  });

  it('shows the lines a person typed inside as changed by a human', async () => {
    const { page } = workbench;
    const [returnLine] = await lineNumbersOf([/^ {2}return a \+ b;$/]);
    await workbench.openQuickInput('Control+G');
    await page.keyboard.type(`${returnLine}:11`);
    await page.keyboard.press('Enter');
    await page.keyboard.type(' * 2', { delay: 20 });
    const marks = await waitForMarks('human-changed marks', (found) => linesWith(found, STYLE_OF.humanChanged).length === 3);
    // Typing inside the span counts against the whole span (humanChangedChars), so its three lines change look.
    assert.deepEqual(linesWith(marks, STYLE_OF.humanChanged), [returnLine - 1, returnLine, returnLine + 1]);
    assert.deepEqual(linesWith(marks, STYLE_OF.unreviewed), []);
    await workbench.screenshot('visibility-human-changed');
    const hover = await hoverLine(returnLine, /since changed by a human/);
    assert.match(hover, /since changed by a human/);
    await dismissHover();
  });

  it('shows a reviewed block as accepted', async () => {
    const text = 'const human = 0;\n\nexport function greet(name: string) {\n  return `hi ${name}`;\n}\n';
    const block = 'export function greet(name: string) {\n  return `hi ${name}`;\n}';
    writeFileSync(path.join(workbench.workspace, 'src/reviewed.ts'), text);
    const store = await WorkingStateStore.open(git, workbench.workspace, silentLogger);
    const review = acceptedReview({ intent: 'Greets a user by name', reviewer: { name: 'Rita Reviewer', email: 'rita@example.com' }, reviewedAt: '2026-01-06T08:00:00Z', textHash: sha256Hex(block) });
    await store.save('src/reviewed.ts', [agentSpanOver(text, block, { review })], text);
    await workbench.openFile('src/reviewed.ts');
    const marks = await waitForMarks('accepted marks', (found) => linesWith(found, STYLE_OF.accepted).length === 3);
    assert.deepEqual(marks.map((mark) => [mark.line, mark.state]), [
      [3, 'ai-accepted'],
      [4, 'ai-accepted'],
      [5, 'ai-accepted'],
    ]);
    await workbench.screenshot('visibility-accepted');
    const hover = await hoverLine(4, /accepted by a reviewer/);
    assert.match(hover, /accepted by a reviewer/);
    assert.match(hover, /Review: accepted by Rita Reviewer <rita@example\.com> on 2026-01-06 08:00 UTC/);
    assert.match(hover, /Intent: Greets a user by name/);
    await workbench.screenshot('visibility-hover-accepted');
    await dismissHover();
  });

  it('keeps every mark on its line while typing inside the block changes its state and line breaks move it', async () => {
    const { page } = workbench;
    // src/reviewed.ts from the test before: lines 3-5 accepted. Typing inside makes the block human-changed
    // (two mark types change, two do not), then a line break above moves every mark a line down.
    await workbench.goToLine(4, 10);
    await page.keyboard.type('!', { delay: 20 });
    let marks = await waitForMarks('human-changed marks on lines 3-5', (found) => linesWith(found, STYLE_OF.humanChanged).join() === '3,4,5');
    assert.deepEqual(marks.map((mark) => [mark.line, mark.state]), [
      [3, 'ai-human-changed'],
      [4, 'ai-human-changed'],
      [5, 'ai-human-changed'],
    ]);
    await workbench.goToLine(1);
    await page.keyboard.press('Enter');
    await waitUntil('the line break above the block', async () => (await workbench.editorLines())[0] === '');
    marks = await waitForMarks('the marks moved to lines 4-6', (found) => linesWith(found, STYLE_OF.humanChanged).join() === '4,5,6');
    assert.deepEqual(marks.map((mark) => [mark.line, mark.state]), [
      [4, 'ai-human-changed'],
      [5, 'ai-human-changed'],
      [6, 'ai-human-changed'],
    ]);
    await workbench.screenshot('visibility-moved-after-typing');
  });

  it('marks the AI lines of a long file wherever a person scrolls to (the gutter is given the lines near the screen)', async () => {
    // 2,000 lines with an AI block near the top and one 1,800 lines further down, far outside the
    // lines an editor's gutter is first given (src/core/visibility/decorationRanges.ts).
    const lines = Array.from({ length: 2_000 }, (_, index) => `export const line${index + 1} = ${index + 1};`);
    const top = ['export function first(a: number) {', '  return a + 1;', '}'];
    const far = ['export function far(b: number) {', '  return b * 2;', '}'];
    lines.splice(2, 3, ...top);
    lines.splice(1_800, 3, ...far);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(path.join(workbench.workspace, 'src/long.ts'), text);
    const store = await WorkingStateStore.open(git, workbench.workspace, silentLogger);
    await store.save('src/long.ts', [agentSpanOver(text, top.join('\n')), agentSpanOver(text, far.join('\n'))], text);
    await workbench.openFile('src/long.ts');
    await waitForMarks('the marks of lines 3-5', (found) => linesWith(found, STYLE_OF.unreviewed).join() === '3,4,5');
    await workbench.goToLine(1_802);
    const marks = await waitForMarks('the marks of lines 1801-1803', (found) => linesWith(found, STYLE_OF.unreviewed).join() === '1801,1802,1803');
    assert.deepEqual(marks.map((mark) => [mark.line, mark.state]), [
      [1_801, 'ai-unreviewed'],
      [1_802, 'ai-unreviewed'],
      [1_803, 'ai-unreviewed'],
    ]);
    await workbench.screenshot('visibility-far-lines');
    // And back at the top: its block's marks again.
    await workbench.goToLine(1);
    await waitForMarks('the marks of lines 3-5 again', (found) => linesWith(found, STYLE_OF.unreviewed).join() === '3,4,5');
    // Two editors of the file, each scrolled its own way: each is given the marks near its own lines.
    const { page } = workbench;
    // The default keys: Ctrl+\ splits the editor, Ctrl+1 / Ctrl+2 focus a group, Ctrl+K W closes one.
    await page.keyboard.press('Control+Backslash');
    await page.waitForFunction(() => document.querySelectorAll('.editor-group-container').length === 2);
    await workbench.goToLine(1_802);
    await waitForMarks('the marks of lines 1801-1803 in the second editor', (found) => linesWith(found, STYLE_OF.unreviewed).join() === '1801,1802,1803');
    await workbench.screenshot('visibility-far-lines-split');
    await page.keyboard.press('Control+1');
    await waitForMarks('the marks of lines 3-5 in the first editor', (found) => linesWith(found, STYLE_OF.unreviewed).join() === '3,4,5');
    await page.keyboard.press('Control+2');
    await page.waitForFunction(() => document.querySelector('.editor-group-container.active') === document.querySelectorAll('.editor-group-container')[1]);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('KeyW');
    await page.waitForFunction(() => document.querySelectorAll('.editor-group-container').length === 1);
  });

  it('marks committed AI lines from the Vouch note of their commit', async () => {
    const cwd = workbench.workspace;
    const text = 'export const one = 1;\nexport function twice(x: number) {\n  return x * 2;\n}\nexport const three = 3;\n';
    const aiText = 'export function twice(x: number) {\n  return x * 2;\n}';
    writeFileSync(path.join(cwd, 'src/committed.ts'), text);
    await git.run(['add', '--', 'src/committed.ts'], { cwd });
    await git.run(['commit', '-q', '-m', 'Add twice', '--', 'src/committed.ts'], { cwd });
    const commit = (await git.run(['rev-parse', 'HEAD'], { cwd })).stdout.trim();
    const writer = await NotesWriter.open(git, cwd, silentLogger);
    await recordFilesOfCommit({ git, topLevel: cwd, writer, logger: silentLogger }, { commit, files: [{ path: 'src/committed.ts', workingText: text, spans: [agentSpanOver(text, aiText)] }] });
    await workbench.openFile('src/committed.ts');
    const marks = await waitForMarks('committed marks', (found) => linesWith(found, STYLE_OF.committed).length === 3);
    assert.deepEqual(marks.map((mark) => [mark.line, mark.state]), [
      [2, 'ai-committed'],
      [3, 'ai-committed'],
      [4, 'ai-committed'],
    ]);
    await workbench.screenshot('visibility-committed');
    const hover = await hoverLine(3, /AI-written in an earlier commit/);
    assert.match(hover, /AI-written in an earlier commit, recorded in a Vouch note/);
    assert.ok(hover.includes(commit.slice(0, 12)), 'names the commit');
    assert.match(hover, /“Add twice” by Dana Developer/);
    await workbench.screenshot('visibility-hover-committed');
    await dismissHover();
  });

  it('approves the selected committed AI lines from the command palette: the intent in an input box (required), the scope in a quick pick', async () => {
    const { page } = workbench;
    const cwd = workbench.workspace;
    const commit = (await git.run(['rev-parse', 'HEAD'], { cwd })).stdout.trim();
    // src/committed.ts is open: select lines 2-4 (the committed AI block).
    await workbench.openQuickInput('Control+G');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor.focused');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await page.waitForFunction(() => /Ln 4, Col \d+ \(\d+ selected\)/.test(document.querySelector('.statusbar-item[id="status.editor.selection"]')?.textContent ?? ''));
    await workbench.runCommand('Vouch: Approve Committed AI Lines');

    // The input box: an empty intent is refused in place; the typed one is taken.
    await workbench.waitForQuickInput(/Approve 3 committed AI line\(s\)/);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Intent is required/.test(document.querySelector('.quick-input-widget .quick-input-message')?.textContent ?? ''));
    const intent = 'Doubles a value for the chart scale';
    await page.keyboard.type(intent, { delay: 5 });
    await page.waitForFunction(() => !/Intent is required/.test(document.querySelector('.quick-input-widget .quick-input-message')?.textContent ?? ''));
    await page.keyboard.press('Enter');

    // The quick pick: the scope tags with what each means; "none" checked, then OK.
    await workbench.waitForQuickInput(/Scope: what may this code touch\?/);
    const none = page.locator('.quick-input-list .monaco-list-row', { hasText: 'touches nothing beyond its own logic' });
    await none.locator('input[type="checkbox"], .monaco-custom-toggle, .quick-input-list-checkbox').first().click();
    await page.waitForFunction(() => /1 Selected/i.test(document.querySelector('.quick-input-widget .quick-input-count')?.textContent ?? ''));
    await workbench.screenshot('approve-committed-scope');
    // OK, not Enter: Enter on the list row the click focused toggles the row again.
    await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).click();

    await workbench.waitForVouchLog(/approved 1 committed AI range\(s\) as Dana Developer <dana@example\.com>/, 'the approval');
    const note = parseNote((await git.run(['notes', '--ref', 'refs/notes/vouch', 'show', commit], { cwd })).stdout, sha256Hex);
    const review = note.records.map((record) => record.statement.predicate.files[0].ranges[0].review).find((item) => item);
    assert.equal(review?.intent, intent);
    assert.deepEqual(review?.scope, ['none']);
    assert.equal(review?.reviewer.email, 'dana@example.com');
    // The hover answers from the marks drawn last; they are redrawn once the committed history is read
    // again after the approval (later on a busy machine): hover again until the approval shows.
    const hover = await waitUntil('the hover to show the approval', async () => {
      const text = await hoverLine(3, /Vouch/);
      if (/Doubles a value for the chart scale/.test(text)) return text;
      await dismissHover();
      return undefined;
    });
    assert.match(hover, /Approve as another reviewer/);
    await dismissHover();
  });
});

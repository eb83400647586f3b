import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { waitUntil, workbenchForSuite, type Workbench } from './workbench';

/**
 * Issue 15's cards and decisions, seen in the real editor: each card shows its block as a diff
 * (context, what it replaced), a block is one AI insertion, a rejection can take whole lines and
 * asks for nothing, an accept can be undone, stale messages go, and the keybindings and command
 * palette entries work.
 */
describe('e2e: review cards, whole-line rejection, undo of an accept, keybindings', function () {
  const opened = workbenchForSuite(this);
  let workbench: Workbench;
  beforeEach(() => {
    workbench = opened();
  });

  async function acceptGhost(trigger: string): Promise<void> {
    await workbench.typeUntilGhostText(trigger);
    await workbench.page.keyboard.press('Tab');
    await workbench.page.waitForFunction(() => document.querySelectorAll('.ghost-text-decoration').length === 0);
  }


  async function blockIdsOf(frame: Frame, file: string): Promise<string[]> {
    return frame.$$eval(`section.vouch-file[data-path="${file}"] article.vouch-block`, (nodes) => nodes.map((node) => node.getAttribute('data-block-id') ?? ''));
  }

  const read = (file: string) => readFileSync(path.join(workbench.workspace, file), 'utf8');

  it('shows each block as a diff, separates marks a blank line apart, rejects whole lines, undoes an accept', async () => {
    const { page } = workbench;
    // src/cart.ts: a person replaces a committed line and the AI finishes it; then two greetings the AI completes.
    await workbench.openFile('src/cart.ts');
    await workbench.goToLine(9);
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await acceptGhost('const answer = ');
    await page.keyboard.press('Control+End');
    await acceptGhost('function greet(');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await acceptGhost('function greet(');
    await workbench.saveActiveEditor();
    // src/notes.txt: two lines marked as AI one at a time, a blank line apart.
    await workbench.openFile('src/notes.txt');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('alpha();\n\nbeta();', { delay: 5 });
    for (const line of [2, 4]) {
      await workbench.goToLine(line);
      await page.keyboard.press('End');
      await page.keyboard.press('Shift+Home');
      await page.waitForFunction((wanted) => new RegExp(`Ln ${wanted}, Col 1 \\(\\d+ selected\\)`).test(document.querySelector('.statusbar-item[id="status.editor.selection"]')?.textContent ?? ''), line);
      await workbench.runCommand('Vouch: Mark Selection as AI-Generated');
      // Vouch's own report of the selection it marked (line, column 1 to the end of the line).
      await workbench.waitForVouchLog(new RegExp(`Marked src/notes\\.txt ${line}:1-${line}:\\d+ as AI-generated`), `the mark of line ${line}`);
    }
    await workbench.saveActiveEditor();
    await workbench.waitForStoredSpans('src/notes.txt', (spans) => spans.length === 2, 'two marks');

    await workbench.runCommand('Vouch: Review AI Changes');
    const frame = await workbench.findFrame('article.vouch-block');
    await frame.waitForFunction(() => document.querySelectorAll('article.vouch-block').length === 5);
    const [answerId, greetId, secondGreetId] = await blockIdsOf(frame, 'src/cart.ts');
    const [alphaId, betaId] = await blockIdsOf(frame, 'src/notes.txt');
    assert.ok(alphaId && betaId, 'marks a blank line apart are two blocks');

    // The card of line 9: two lines of context above and below, the committed line it replaced, its own line.
    await frame.waitForSelector(`#vouch-block-${answerId} .vouch-line-removed`);
    const diff = await frame.$$eval(`#vouch-block-${answerId} .vouch-line`, (nodes) =>
      nodes.map((node) => `${node.className.replace('vouch-line vouch-line-', '')}|${node.querySelector('.vouch-line-marker')?.textContent ?? ''}|${node.querySelector('.vouch-line-text')?.textContent ?? ''}`),
    );
    assert.deepEqual(diff, [
      'context| |  let sum = 0;',
      'context| |  for (const item of items) sum += item.price;',
      'removed|-|  return sum;',
      'added|+|  const answer = 42;',
      'context| |}',
      'context| |function greet(name) {',
    ]);
    assert.ok(await frame.$(`#vouch-reject-lines-${answerId}`), 'a person typed on the line: "Reject whole lines" is offered');
    const heights = await frame.$$eval('article.vouch-block', (nodes) => nodes.map((node) => Math.round(node.getBoundingClientRect().height)));
    console.log(`      [review cards] card heights ${heights.join(', ')} px (line 9 with its diff: ${heights[0]} px)`);
    await frame.focus(`#vouch-block-${answerId}`);
    await workbench.screenshot('review-cards-diff');

    // Stale message 1: the intent error goes once the intent is typed.
    await frame.focus(`#vouch-intent-${answerId}`);
    await page.keyboard.press('Control+Enter');
    await frame.waitForFunction((id) => /Write the intent/.test(document.getElementById(`vouch-error-${id}`)?.textContent ?? ''), answerId);
    await workbench.screenshot('review-cards-intent-error');
    await page.keyboard.type('The answer the quiz expects', { delay: 2 });
    await frame.waitForFunction((id) => (document.getElementById(`vouch-error-${id}`)?.textContent ?? '') === '', answerId);

    // Undo of an accept: Ctrl+Enter accepts, "Undo accept" takes it back, the block waits again.
    await page.keyboard.press('Control+Enter');
    await frame.waitForFunction((id) => !document.getElementById(`vouch-block-${id}`), answerId);
    await frame.waitForSelector('#vouch-undo');
    assert.match(await frame.$eval('#vouch-undo-row', (node) => node.textContent ?? ''), /Accepted line 9 of src\/cart\.ts/);
    await workbench.waitForStoredSpans('src/cart.ts', (spans) => spans.some((span) => span.review?.decision === 'accepted'), 'the accepted span');
    await workbench.screenshot('review-cards-undo-offered');
    await frame.focus('#vouch-undo');
    await page.keyboard.press('Enter');
    await frame.waitForSelector(`#vouch-block-${answerId}`);
    assert.match(await frame.$eval('#vouch-status', (node) => node.textContent ?? ''), /Undid the accept of line 9 of src\/cart\.ts: it waits for review again/);
    await workbench.waitForStoredSpans('src/cart.ts', (spans) => spans.length > 0 && spans.every((span) => span.review === undefined), 'no review after the undo');
    await workbench.screenshot('review-cards-undo-done');

    // Reject whole lines: the person's half-typed "function greet(" goes with the AI's part; no intent asked.
    await frame.focus(`#vouch-reject-lines-${greetId}`);
    await page.keyboard.press('Enter');
    await frame.waitForFunction((id) => !document.getElementById(`vouch-block-${id}`), greetId);
    assert.match(await frame.$eval('#vouch-status', (node) => node.textContent ?? ''), /Rejected and removed whole lines 11-14 of src\/cart\.ts/);
    await workbench.screenshot('review-cards-rejected-lines');
    // Stale message 2: the rejection's notice goes at the next action.
    await frame.focus(`#vouch-intent-${alphaId}`);
    await page.keyboard.type('Starts the demo', { delay: 2 });
    await frame.waitForFunction(() => (document.getElementById('vouch-status')?.textContent ?? '') === '');

    // Marks a blank line apart get their own scopes: "none" (pre-filled) for alpha, "network" for beta.
    await page.keyboard.press('Control+Enter');
    await frame.waitForFunction((id) => document.activeElement?.id === `vouch-intent-${id}`, betaId);
    await page.keyboard.type('Calls the beta service', { delay: 2 });
    await frame.focus(`#vouch-scope-network-${betaId}`);
    await page.keyboard.press('Space');
    await frame.waitForFunction((id) => (document.getElementById(`vouch-scope-none-${id}`) as HTMLInputElement | null)?.checked === false, betaId);
    await page.keyboard.press('Control+Enter');
    const notes = await workbench.waitForStoredSpans('src/notes.txt', (spans) => spans.length === 2 && spans.every((span) => span.review?.decision === 'accepted'), 'two accepted marks');
    assert.deepEqual(
      [...notes].sort((a, b) => a.start - b.start).map((span) => span.review?.scope.join(',')),
      ['none', 'network'],
    );

    // In the editor: the greet lines are gone whole; the second greeting and line 9 remain.
    await page.keyboard.press('Control+1');
    await workbench.openFile('src/cart.ts');
    const cart = (await workbench.editorLines()).join('\n');
    assert.doesNotMatch(cart, /function greet\($/m, 'no half-typed line is left');
    assert.match(cart, /const answer = 42;/);
    assert.equal((cart.match(/function greet\(name\)/g) ?? []).length, 1, 'the second greeting is its own block and stays');
    await workbench.screenshot('review-cards-editor-after');
    assert.ok(await frame.$(`#vouch-block-${secondGreetId}`), 'the second greeting still waits');
  });

  it('reviews by keybindings and the command palette: next block, accept, open the panel, reject without an intent', async () => {
    const { page } = workbench;
    await workbench.openFile('src/cart.ts');
    await page.keyboard.press('Control+Home');
    // Ctrl+Alt+] moves to the next AI block: line 9.
    await page.keyboard.press('Control+Alt+BracketRight');
    await page.waitForFunction(() => /Ln 9,/.test(document.querySelector('.statusbar-item[id="status.editor.selection"]')?.textContent ?? ''));
    // Ctrl+Alt+Enter accepts it: the intent, then the scope pre-filled with "none".
    await page.keyboard.press('Control+Alt+Enter');
    await workbench.waitForQuickInput(/Accept AI code: line 9 of src\/cart\.ts/);
    await page.keyboard.type('The answer the quiz expects', { delay: 2 });
    await page.keyboard.press('Enter');
    await workbench.waitForQuickInput(/Scope: what may line 9 of src\/cart\.ts touch\?/);
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="none"]');
    await workbench.screenshot('review-keybinding-scope');
    await page.keyboard.press('Enter');
    await workbench.waitForStoredSpans(
      'src/cart.ts',
      (spans) => spans.some((span) => span.review?.decision === 'accepted' && span.review.scope.join(',') === 'none'),
      'line 9 accepted with scope none',
    );

    // The command palette's Reject on the remaining greeting: no intent asked; a person typed on its first line, so it asks what to remove.
    await page.keyboard.press('Control+Alt+BracketRight');
    await page.waitForFunction(() => /Ln 12,/.test(document.querySelector('.statusbar-item[id="status.editor.selection"]')?.textContent ?? ''));
    await workbench.runCommand('Vouch: Reject AI Block');
    await workbench.waitForQuickInput(/Reject AI code: lines 12-15 of src\/cart\.ts/);
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Remove the whole lines"]');
    await workbench.screenshot('review-palette-reject-choice');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitUntil('the second greeting to be removed whole', async () => !/greet/.test((await workbench.editorLines()).join('\n')));
    await workbench.saveActiveEditor();
    assert.doesNotMatch(read('src/cart.ts'), /greet/);

    // Ctrl+Alt+R opens the review panel: nothing waits any more.
    await page.keyboard.press('Control+Alt+KeyR');
    const frame = await workbench.findFrame('#vouch-summary');
    await frame.waitForFunction(() => /No AI code waits for review/.test(document.getElementById('vouch-summary')?.textContent ?? ''));
    // The panel was open since the first test: its old "Undo accept" (line 4 of src/notes.txt) is gone,
    // since the keybinding's accept and the palette's rejection came after it; nothing is left to undo.
    assert.equal(await frame.$('#vouch-undo'), null, 'no stale undo offer');
    assert.doesNotMatch(await frame.$eval('#vouch-status', (node) => node.textContent ?? ''), /Accepted line 4 of src\/notes\.txt/);
    // The CodeLens follows the same count: no "unreviewed" line is left above the file.
    await page.waitForFunction(() => ![...document.querySelectorAll('.contentWidgets .codelens-decoration')].some((lens) => /unreviewed/.test(lens.textContent ?? '')));
    // So does the gutter: the accepted line 9 alone is marked (the removed greeting's lines carry none).
    await workbench.waitForLineMarks('line 9 alone, accepted', (marks) => marks.length === 1 && marks[0].line === 9 && marks[0].state === 'ai-accepted');
    await workbench.screenshot('review-keybinding-panel');
  });
});

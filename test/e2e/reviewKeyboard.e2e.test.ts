import * as assert from 'node:assert/strict';
import { workbenchForSuite, type Workbench } from './workbench';

/**
 * Issue 15's measure: ten AI blocks reviewed with the keyboard alone. What counts is the keys
 * pressed after each intent is typed (typing the intent is the review itself): the goal is at most
 * 3 per block, and one intent for a group accepted together.
 */
describe('e2e: reviewing ten AI blocks with the keyboard alone', function () {
  const opened = workbenchForSuite(this);
  let workbench: Workbench;
  beforeEach(() => {
    workbench = opened();
  });

  it('accepts seven blocks one by one and three with "Accept all in this file", in a few keystrokes each', async () => {
    const { page } = workbench;
    const blockCount = 10;
    await workbench.openFile('src/notes.txt');
    await page.keyboard.press('Control+End');
    // Ten AI insertions, each after a line the person typed (so each is its own block).
    for (let i = 1; i <= blockCount; i++) {
      await page.keyboard.type(`# step ${i}`, { delay: 5 });
      await page.keyboard.press('Enter');
      await workbench.typeUntilGhostText('const answer = ');
      await page.keyboard.press('Tab');
      await page.waitForFunction(() => document.querySelectorAll('.ghost-text-decoration').length === 0);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
    }
    await workbench.waitForStoredSpans('src/notes.txt', (spans) => spans.length >= blockCount, `${blockCount} AI spans`);

    await workbench.runCommand('Vouch: Review AI Changes');
    const frame = await workbench.findFrame('article.vouch-block');
    await frame.waitForFunction((count) => document.querySelectorAll('article.vouch-block').length === count, blockCount);
    const ids = await frame.$$eval('article.vouch-block', (nodes) => nodes.map((node) => node.getAttribute('data-block-id') ?? ''));
    const focusedId = () => frame.evaluate(() => document.activeElement?.id ?? '');

    // From here on only the keyboard: every key pressed after an intent is counted.
    let keystrokes = 0;
    const press = async (key: string): Promise<void> => {
      keystrokes++;
      await page.keyboard.press(key);
    };
    // The panel opens with the first block's intent focused: typing starts at once.
    await frame.waitForFunction((id) => document.activeElement?.id === `vouch-intent-${id}`, ids[0]);
    // Compact cards: a one-line block with its context, intent, scope and buttons.
    const cardHeights = await frame.$$eval('article.vouch-block', (nodes) => nodes.map((node) => Math.round(node.getBoundingClientRect().height)));
    console.log(`      [keyboard review] card height ${cardHeights[0]} px for a one-line block with 2 lines of context (all ${Math.min(...cardHeights)}-${Math.max(...cardHeights)} px)`);
    assert.ok(Math.max(...cardHeights) <= 300, `cards are compact (${cardHeights.join(', ')} px)`);
    await workbench.screenshot('review-keyboard-cards');

    const single = 7;
    const perBlock: number[] = [];
    for (let i = 0; i < single; i++) {
      const id = ids[i];
      assert.equal(await focusedId(), `vouch-intent-${id}`, `block ${i + 1}'s intent has the focus`);
      await page.keyboard.type(`Answer ${i + 1} of the checkout quiz`, { delay: 2 });
      const before = keystrokes;
      await press('Control+Enter'); // accepts with the scope pre-filled from the risk hints ("none" here)
      await frame.waitForFunction((gone) => !document.getElementById(`vouch-block-${gone}`), id);
      await frame.waitForFunction((next) => document.activeElement?.id === `vouch-intent-${next}`, ids[i + 1]);
      perBlock.push(keystrokes - before);
      if (i === 0) await workbench.screenshot('review-keyboard-after-first');
    }

    // The last three together: Shift+Tab back to "Accept all in this file", one intent, Ctrl+Enter.
    const groupStart = keystrokes;
    for (let tries = 0; tries < 6 && !(await focusedId()).startsWith('vouch-accept-file-'); tries++) {
      // The webview's focus moves after the key is delivered, not when press() returns: read it only once it moved.
      await frame.evaluate(() => ((window as unknown as { vouchFocusBefore?: Element | null }).vouchFocusBefore = document.activeElement));
      await press('Shift+Tab');
      const moved = await frame
        .waitForFunction(() => document.activeElement !== (window as unknown as { vouchFocusBefore?: Element | null }).vouchFocusBefore, undefined, { timeout: 20_000 })
        .then(() => true, () => false);
      if (!moved) {
        // Seen only with two test editors running side by side on one machine: the key never reached the
        // panel's document. Say so, give the panel the focus back with a click (counted as a key), go on.
        const state = await frame.evaluate(() => ({ hasFocus: document.hasFocus(), active: document.activeElement?.id ?? '' }));
        console.log(`      [keyboard review] Shift+Tab did not move the focus (panel document focused: ${state.hasFocus}, active element '${state.active}'); clicking it to give the panel the keyboard back`);
        keystrokes++;
        await frame.click(state.active ? `#${state.active}` : 'textarea');
      }
    }
    assert.match(await focusedId(), /^vouch-accept-file-/, 'Shift+Tab reaches "Accept all in this file"');
    await press('Enter');
    await frame.waitForFunction(() => document.activeElement?.id === 'vouch-group-intent');
    let intentsTyped = 0;
    await page.keyboard.type('The remaining answers of the quiz', { delay: 2 });
    intentsTyped++;
    await workbench.screenshot('review-keyboard-group');
    await press('Control+Enter');
    await frame.waitForFunction(() => document.querySelectorAll('article.vouch-block').length === 0);
    const groupKeys = keystrokes - groupStart;
    const groupSize = blockCount - single;
    assert.match(await frame.$eval('#vouch-summary', (node) => node.textContent ?? ''), /No AI code waits for review/);
    await workbench.screenshot('review-keyboard-done');

    console.log(
      `      [keyboard review] ${blockCount} blocks in ${keystrokes} keystrokes after the intents: ` +
        `one by one ${perBlock.join(', ')}; ${groupSize} together ${groupKeys} with ${intentsTyped} intent ` +
        `(${(keystrokes / blockCount).toFixed(1)} per block)`,
    );
    for (const [index, count] of perBlock.entries()) assert.ok(count <= 3, `block ${index + 1} took ${count} keystrokes`);
    assert.ok(groupKeys <= 3 * groupSize, `the group of ${groupSize} took ${groupKeys} keystrokes`);
    assert.equal(intentsTyped, 1);

    // What was recorded: every span accepted, the group's with its one intent.
    const spans = await workbench.waitForStoredSpans(
      'src/notes.txt',
      (stored) => stored.length >= blockCount && stored.every((span) => span.review?.decision === 'accepted'),
      'ten accepted AI spans',
    );
    const intents = spans.map((span) => span.review?.intent ?? '');
    assert.equal(intents.filter((intent) => intent === 'The remaining answers of the quiz').length, groupSize);
    assert.ok(spans.every((span) => span.review?.scope.join(',') === 'none'));

    // The status bar agrees with the panel: no unreviewed AI block is counted any more.
    await page.waitForFunction(
      () => ![...document.querySelectorAll('.statusbar-item')].some((item) => /AI: \d+ unreviewed/.test(item.textContent ?? '')),
      undefined,
      { timeout: 120_000 },
    );
    await workbench.screenshot('review-keyboard-status-bar');
  });
});

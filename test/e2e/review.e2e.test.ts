import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { type Workbench, waitUntil, workbenchForSuite } from './workbench';

/** Presses Tab in the focused webview until `selector` has the focus (keyboard only, as a person would). */
async function tabTo(page: Page, frame: Frame, selector: string, maxPresses = 30): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await frame.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** `git add` from outside the editor, as in a terminal. */
function gitAdd(workspace: string, file: string): void {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  const result = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', 'add', '--', file], { cwd: workspace, env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

/** The text of Vouch's "AI: …" status bar item as the window shows it now ('' while it is hidden). */
async function aiStatusText(page: Page): Promise<string> {
  return page.evaluate(() => Array.from(document.querySelectorAll('.statusbar-item')).map((item) => (item as HTMLElement).innerText.trim()).find((text) => /^AI: /.test(text)) ?? '');
}

async function acceptGhost(workbench: Workbench, trigger: string, screenshotOffered?: string): Promise<void> {
  await workbench.typeUntilGhostText(trigger);
  if (screenshotOffered) await workbench.screenshot(screenshotOffered);
  await workbench.page.keyboard.press('Tab');
  await workbench.page.waitForFunction(() => document.querySelectorAll('.ghost-text-decoration').length === 0);
}

describe('e2e: reviewing AI code in the panel and the staging gate', function () {
  const opened = workbenchForSuite(this);
  let workbench: Workbench;
  beforeEach(() => {
    workbench = opened();
  });

  it('accepts one block and rejects another with the keyboard in the review panel', async () => {
    const { page } = workbench;
    await workbench.openFile('src/cart.ts');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await acceptGhost(workbench, 'function add(', 'review-ghost-offered');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.keyboard.type('// a greeting', { delay: 10 });
    await page.keyboard.press('Enter');
    await acceptGhost(workbench, 'function greet(');
    const before = (await workbench.editorLines()).join('\n');
    assert.match(before, /function add\(a, b\) \{/);
    assert.match(before, /const message = `Hello, \$\{name\}!`;/);
    await workbench.waitForLineMarks('both AI blocks marked', (marks) => marks.length >= 7);
    await workbench.screenshot('review-marked');

    await workbench.runCommand('Vouch: Review AI Changes');
    const frame = await workbench.findFrame('article.vouch-block');
    await frame.waitForFunction(() => document.querySelectorAll('article.vouch-block').length === 2, undefined);
    const titles = await frame.$$eval('.vouch-block-title', (nodes) => nodes.map((node) => node.textContent));
    assert.equal(titles.length, 2);
    assert.match(titles[0] ?? '', /src\/cart\.ts/);
    // Before any review, the panel says which key will sign the record (or why none will).
    await frame.waitForSelector('#vouch-signing');
    assert.match((await frame.$eval('#vouch-signing', (node) => node.textContent)) ?? '', /^(Your reviews will be signed with (SSH|OpenPGP) key|Reviews will not be signed: )/);
    await workbench.screenshot('review-panel');

    // First block (add): intent and scope "none" by keyboard, then Accept.
    const [addId, greetId] = await frame.$$eval('article.vouch-block', (nodes) => nodes.map((node) => node.getAttribute('data-block-id') ?? ''));
    await frame.focus(`#vouch-block-${addId}`);
    await tabTo(page, frame, `#vouch-intent-${addId}`);
    await page.keyboard.type('Adds two numbers for the cart total', { delay: 5 });
    // No risk hints: the scope comes pre-filled as "none"; the reviewer checks it and leaves it.
    await tabTo(page, frame, `#vouch-scope-none-${addId}`);
    assert.equal(await frame.$eval(`#vouch-scope-none-${addId}`, (node) => (node as HTMLInputElement).checked), true);
    await workbench.screenshot('review-panel-filled');
    await tabTo(page, frame, `#vouch-accept-${addId}`);
    await page.keyboard.press('Enter');
    await frame.waitForFunction((id) => !document.getElementById(`vouch-block-${id}`), addId);
    assert.match(await frame.$eval('#vouch-status', (node) => node.textContent ?? ''), /Accepted lines? .* of src\/cart\.ts/);
    // The status bar shows what the panel shows, from the same collect: read at the moment the panel changed, not waited for.
    assert.equal(await aiStatusText(page), 'AI: 1 unreviewed', 'the status bar counts the one block the panel still shows');

    // Second block (greet): intent, then Reject (remove).
    await frame.focus(`#vouch-block-${greetId}`);
    await tabTo(page, frame, `#vouch-intent-${greetId}`);
    await page.keyboard.type('A greeting nobody asked for', { delay: 5 });
    await tabTo(page, frame, `#vouch-reject-${greetId}`);
    await page.keyboard.press('Enter');
    await frame.waitForFunction(() => document.querySelectorAll('article.vouch-block').length === 0, undefined);
    assert.match(await frame.$eval('#vouch-summary', (node) => node.textContent ?? ''), /No AI code waits for review/);
    assert.equal(await aiStatusText(page), '', 'nothing waits: the status bar item is hidden (vouch.statusBar.visibility auto), not "AI: 1 unreviewed"');
    await workbench.screenshot('review-panel-done');

    // The rejected code is gone from the document; the accepted code stays.
    await page.keyboard.press('Control+1');
    await page.waitForSelector('.monaco-editor.focused');
    await page.keyboard.press('Control+End');
    const after = (await workbench.editorLines()).join('\n');
    assert.doesNotMatch(after, /Hello/);
    assert.match(after, /function add\(a, b\) \{\n {2}return a \+ b;\n\}/);
    assert.match(after, /function greet\($/m, 'only the AI text was removed; the typed prefix stays');
    await workbench.screenshot('review-editor-after');
  });

  it('warns when a file with unreviewed AI code is staged from a terminal', async () => {
    const { page } = workbench;
    await workbench.openFile('src/notes.txt');
    await page.keyboard.press('Control+End');
    await acceptGhost(workbench, 'const answer = ');
    await workbench.saveActiveEditor();
    assert.match(readFileSync(path.join(workbench.workspace, 'src/notes.txt'), 'utf8'), /const answer = 42;/, 'the AI text is on disk');
    // Staged at once, as a person may: the gate uses the editor's attribution of an open file.
    gitAdd(workbench.workspace, 'src/notes.txt');
    // Vouch reports the gate's decision in its log; the notification must then be there.
    await workbench.waitForVouchLog(/Staging gate \(warn\): src\/notes\.txt holds 1 AI block/, "the staging gate's warning about src/notes.txt");
    // This workbench (smoke-test driver) keeps notifications out of toasts; they are in the notification center.
    const expected = 'Staged: src/notes.txt holds 1 AI block that no one has reviewed.';
    if (!(await page.$('.notifications-center.visible'))) await workbench.runCommand('Notifications: Show Notifications');
    await page.waitForFunction((text) => (document.querySelector('.notifications-center') as HTMLElement | null)?.innerText.includes(text) ?? false, expected);
    const center = await page.evaluate(() => (document.querySelector('.notifications-center') as HTMLElement | null)?.innerText ?? '');
    assert.match(center, /Review\s+Unstage/, 'the warning offers Review and Unstage');
    await workbench.screenshot('gate-warning');
  });

  it('comes back after a window reload showing the same blocks, its bundle run from the code cache the first start kept', async () => {
    const frameBefore = await workbench.findFrame('article.vouch-block');
    const blocksBefore = await frameBefore.$$eval('article.vouch-block', (nodes) => nodes.map((node) => node.getAttribute('data-block-id')));
    assert.ok(blocksBefore.length > 0);
    // The first start of this editor compiled the bundle and keeps V8's code in the extension's global storage once its startup ran (extensionEntry.ts).
    assert.match(workbench.vouchLog(), /activated in [\d.]+ ms \(code loading [\d.]+ ms, compiled now;/);
    const { findFile } = await import('../../scripts/editor/vouchLog.mjs');
    await waitUntil("the extension's code cache in its global storage", () => findFile(path.join(workbench.userDataDir, 'User', 'globalStorage'), 'extension.js.v8-cache'));
    await workbench.reload();
    assert.match(workbench.vouchLog(), /activated in [\d.]+ ms \(code loading [\d.]+ ms, compiled code cached;/, 'the reloaded window runs the bundle from the code cache');
    const frameAfter = await workbench.findFrame('article.vouch-block');
    const blocksAfter = await frameAfter.$$eval('article.vouch-block', (nodes) => nodes.map((node) => node.getAttribute('data-block-id')));
    assert.deepEqual(blocksAfter, blocksBefore);
    await workbench.screenshot('review-panel-after-reload');
  });

  it('lists the unreviewed block in the AI Review view (its own container in the activity bar)', async () => {
    const { page } = workbench;
    // Its own container, so its badge does not add AI blocks to Source Control's count of changed files.
    await page.click('.activitybar .action-item a[aria-label^="AI Review"]');
    const header = await page.waitForSelector('.pane-header[aria-label*="AI Review"]');
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const row = await page.waitForSelector('.monaco-list-row[aria-label*="src/notes.txt, Line 2, AI code from fake-ai"]');
    assert.ok(row);
    await workbench.screenshot('review-scm-tree');
  });

  it("makes the gate warning's Unstage do nothing once the file was committed (VS Code cannot take a notification back)", async () => {
    const { page } = workbench;
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
    const commit = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', 'The answer'], { cwd: workbench.workspace, env, encoding: 'utf8' });
    assert.equal(commit.status, 0, commit.stderr);
    if (!(await page.$('.notifications-center.visible'))) await workbench.runCommand('Notifications: Show Notifications');
    const unstage = '.notifications-center .notification-list-item:has-text("Staged: src/notes.txt") .monaco-button:has-text("Unstage")';
    await page.waitForSelector(unstage);
    await page.click(unstage);
    await workbench.waitForVouchLog(/ignored Unstage from an out-of-date warning \(src\/notes\.txt/, 'the out-of-date Unstage to be ignored');
    await page.waitForFunction(() => (document.querySelector('.notifications-center') as HTMLElement | null)?.innerText.includes('That warning is out of date') ?? false);
    const staged = spawnSync('git', ['diff', '--cached', '--name-only'], { cwd: workbench.workspace, env, encoding: 'utf8' });
    assert.equal(staged.stdout, '', 'nothing was unstaged or staged');
    const log = spawnSync('git', ['log', '--format=%s', '-1'], { cwd: workbench.workspace, env, encoding: 'utf8' });
    assert.equal(log.stdout.trim(), 'The answer', 'the commit stands');
    await workbench.screenshot('gate-warning-after-commit');
  });
});


import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Workbench, workbenchForSuite } from './workbench';

interface WalkthroughManifest {
  contributes: { walkthroughs: { id: string; title: string; steps: { id: string; title: string; media: { markdown?: string } }[] }[] };
}

const repoRoot = path.resolve(__dirname, '..', '..');
// The manifest's texts are %keys% of package.nls.json (the English the editor shows).
const nls = JSON.parse(readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'), (_key, value: unknown) =>
  typeof value === 'string' && /^%[^%]+%$/.test(value) ? (nls[value.slice(1, -1)] ?? value) : value,
) as WalkthroughManifest;
const walkthrough = manifest.contributes.walkthroughs.find((entry) => entry.id === 'getStarted');

/** The heading of a step's markdown media (its first `# ` line): the text its media frame shows first. */
function mediaHeading(markdownPath: string): string {
  const heading = readFileSync(path.join(repoRoot, markdownPath), 'utf8').split('\n').find((line) => line.startsWith('# '));
  assert.ok(heading, `${markdownPath} starts with a heading`);
  return heading.slice(2).trim();
}

describe('e2e: the first hour (walkthrough)', function () {
  const opened = workbenchForSuite(this);
  let workbench: Workbench;
  beforeEach(() => {
    workbench = opened();
  });

  it('"Vouch: Get Started" in the command palette opens the walkthrough with every step', async () => {
    assert.ok(walkthrough, 'package.json contributes the getStarted walkthrough');
    const { page } = workbench;
    await workbench.runCommand('Vouch: Get Started');
    const expected = [walkthrough.title, ...walkthrough.steps.map((step) => step.title)];
    // The walkthrough page lists each step's title as a button; wait until all of them are there.
    const shown = await page.waitForFunction(
      (titles) => {
        const page = document.querySelector('.gettingStartedContainer');
        const text = page instanceof HTMLElement ? page.innerText : '';
        return titles.every((title) => text.includes(title)) ? text : undefined;
      },
      expected,
    );
    const text = (await shown.jsonValue()) as string;
    for (const title of expected) assert.ok(text.includes(title), `the walkthrough shows "${title}"`);
    // No step title is cut off (VS Code ends a title too long for the list with an ellipsis).
    const cutTitles = await page.$$eval('.gettingStartedContainer .getting-started-step .step-title', (nodes) =>
      nodes.filter((node) => node.scrollWidth > node.clientWidth + 1).map((node) => node.textContent),
    );
    assert.deepEqual(cutTitles, [], 'step titles fit their row');
    // Each step, opened in turn, shows its own text and its media (the markdown file, rendered in a webview).
    for (const [index, step] of walkthrough.steps.entries()) {
      const row = page.locator('.gettingStartedContainer .getting-started-step', { hasText: step.title });
      if (!(await row.evaluate((node) => node.classList.contains('expanded')))) await row.click();
      await page.waitForSelector('.gettingStartedContainer .getting-started-step.expanded');
      assert.ok(step.media.markdown, `step ${step.id} has markdown media`);
      const heading = mediaHeading(step.media.markdown);
      const media = await workbench.findFrame(`xpath=//h1[normalize-space()=${JSON.stringify(heading)}]`);
      // A step's picture (a PNG beside its markdown) is loaded and drawn, not a broken image.
      if (/!\[[^\]]*\]\(/.test(readFileSync(path.join(repoRoot, step.media.markdown), 'utf8'))) {
        await media.waitForFunction(() => document.images.length > 0 && Array.from(document.images).every((image) => image.complete && image.naturalWidth > 0));
      }
      await workbench.screenshot(`walkthrough-step-${index + 1}-${step.id}`);
    }
  });

  it("lists Vouch's settings in the Settings editor with the gate first", async () => {
    const { page } = workbench;
    await page.keyboard.press('Control+Comma');
    await page.waitForSelector('.settings-editor .suggest-input-container .monaco-editor.focused');
    await page.keyboard.type('@ext:vouch-dev.vouch', { delay: 10 });
    const titles = await page.waitForFunction(() => {
      const shown = Array.from(document.querySelectorAll('.settings-editor .settings-tree-container .setting-item-contents .setting-item-label'));
      const labels = shown.map((node) => (node.textContent ?? '').trim());
      return labels.length >= 3 && labels[0] === 'Gate' ? labels : undefined;
    });
    const labels = (await titles.jsonValue()) as string[];
    // vouch.signing.key is machine-scoped: code-server lists it under the Remote tab, not User.
    // The gate first, then what the gutter shows (mode, accepted marks, annotation, CodeLens), the status bar, sync.
    const expected = ['Gate', 'Mode', 'Show Accepted', 'Annotation', 'Enabled', 'Visibility', 'Sync After Push Pull'];
    assert.deepEqual(labels.slice(0, expected.length), expected, `the first settings shown: ${labels.join(', ')}`);
    await workbench.screenshot('settings-editor');
  });
  it('the AI Review view, with nothing to review, says so and links to the walkthrough', async () => {
    assert.ok(walkthrough);
    const { page } = workbench;
    await workbench.runCommand('View: Close All Editors');
    await page.waitForSelector('.gettingStartedContainer', { state: 'detached' });
    // The view's own focus command, as a person finds it in the palette.
    await workbench.runCommand('Focus on AI Review View');
    const welcome = page.locator('.welcome-view-content', { hasText: 'No AI code waits for review.' });
    await welcome.waitFor();
    // The button is whole inside the view's body, not cut off by the pane's bottom edge.
    const button = welcome.getByText('Get Started with Vouch');
    const [buttonBox, paneBox] = [await button.boundingBox(), await page.locator('.pane', { has: welcome }).locator('.pane-body').boundingBox()];
    assert.ok(buttonBox && paneBox);
    assert.ok(buttonBox.y + buttonBox.height <= paneBox.y + paneBox.height, `the button (bottom ${buttonBox.y + buttonBox.height}) fits the view (bottom ${paneBox.y + paneBox.height})`);
    await workbench.screenshot('walkthrough-welcome-view');
    await button.click();
    await page.waitForFunction((title) => (document.querySelector('.gettingStartedContainer') as HTMLElement | null)?.innerText.includes(title), walkthrough.title);
  });
});

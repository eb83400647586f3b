import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, type Workbench } from './workbench';

interface WalkthroughManifest {
  contributes: { walkthroughs: { id: string; title: string; steps: { id: string; title: string }[] }[] };
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as WalkthroughManifest;
const walkthrough = manifest.contributes.walkthroughs.find((entry) => entry.id === 'getStarted');

describe('e2e: the first hour (walkthrough)', function () {
  this.timeout(600_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });
  after(async () => {
    await workbench?.close();
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
    // The first step is open with its picture (the markdown of media/walkthrough/see-mark.md).
    await page.waitForSelector('.gettingStartedContainer .getting-started-step.expanded');
    const screenshot = await workbench.screenshot('walkthrough');
    assert.ok(readFileSync(screenshot).length > 0);
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
    await workbench.screenshot('walkthrough-welcome-view');
    await welcome.getByText('Get Started with Vouch').click();
    await page.waitForFunction((title) => (document.querySelector('.gettingStartedContainer') as HTMLElement | null)?.innerText.includes(title), walkthrough.title);
  });
});

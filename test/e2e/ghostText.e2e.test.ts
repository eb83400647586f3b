import * as assert from 'node:assert/strict';
import { openWorkbench, type Workbench } from './workbench';

describe('e2e: accepting AI ghost text in the real editor', function () {
  this.timeout(180_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await workbench?.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });
  after(async () => {
    await workbench?.close();
  });

  it('shows the fake provider\'s ghost text and inserts it with Tab', async () => {
    const { page } = workbench;
    await workbench.openFile('src/cart.ts');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await workbench.typeUntilGhostText('function add(');
    await workbench.screenshot('ghost-text-offered');
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => document.querySelectorAll('.ghost-text-decoration').length === 0);
    const lines = await workbench.editorLines();
    const joined = lines.join('\n');
    assert.match(joined, /function add\(a, b\) \{\n {2}return a \+ b;\n\}$/m);
    assert.doesNotMatch(joined, /\}\)/, "the auto-closed bracket was replaced, not left behind");
    await workbench.screenshot('ghost-text-accepted');
  });
});

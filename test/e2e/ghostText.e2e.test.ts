import * as assert from 'node:assert/strict';
import { openWorkbench, type LineMark, type Workbench } from './workbench';

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

  it('keeps the AI marks of the accepted lines through a save and a window reload', async () => {
    const { page } = workbench;
    await page.keyboard.press('Control+S');
    await page.waitForSelector('.tab.active:not(.dirty)', { timeout: 20_000 });
    const lines = await workbench.editorLines();
    const first = lines.findIndex((text) => text === 'function add(a, b) {') + 1;
    // The accepted ghost text spans this line (after the typed prefix) and the two below it.
    const expectedLines = [first, first + 1, first + 2];
    const marksBefore = await waitForMarks(workbench, (marks) => marks.length >= 3);
    assert.deepEqual(marksBefore.map((mark) => mark.line), expectedLines, `marks ${JSON.stringify(marksBefore)}`);
    await workbench.screenshot('reload-before');
    await workbench.reload();
    await workbench.openFile('src/cart.ts');
    const marksAfter = await waitForMarks(workbench, (marks) => marks.length === marksBefore.length);
    assert.deepEqual(marksAfter.map((mark) => [mark.line, mark.style]), marksBefore.map((mark) => [mark.line, mark.style]));
    const status = await page.waitForSelector('.statusbar-item:has-text("AI: 1 unreviewed")', { timeout: 20_000 });
    assert.ok(status);
    await workbench.screenshot('reload-after');
  });
});

async function waitForMarks(workbench: Workbench, check: (marks: LineMark[]) => boolean): Promise<LineMark[]> {
  const deadline = Date.now() + 30_000;
  let marks: LineMark[] = [];
  while (Date.now() < deadline) {
    marks = await workbench.lineMarks();
    if (check(marks)) return marks;
    await workbench.page.waitForTimeout(200);
  }
  throw new Error(`timed out waiting for gutter marks; saw ${JSON.stringify(marks)}`);
}

import * as assert from 'node:assert/strict';
import { waitUntil, type Workbench, workbenchForSuite } from './workbench';

describe('e2e: accepting AI ghost text in the real editor', function () {
  // The test can hold Vouch's working-state saves in git, as a slow git on a busy machine does.
  const opened = workbenchForSuite(this, { gatedHashObject: true });
  let workbench: Workbench;
  beforeEach(() => {
    workbench = opened();
  });

  it('shows the fake provider\'s ghost text and inserts it with Tab', async () => {
    const { page } = workbench;
    await workbench.openFile('src/cart.ts');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    // Vouch's save of the accepted text stays in git until the next test reloads the window.
    workbench.hashObjectGate?.hold();
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
    await workbench.saveActiveEditor();
    const lines = await workbench.editorLines();
    const first = lines.findIndex((text) => text === 'function add(a, b) {') + 1;
    // The accepted ghost text spans this line (after the typed prefix) and the two below it.
    const expectedLines = [first, first + 1, first + 2];
    const marksBefore = await workbench.waitForLineMarks('the marks of the accepted lines', (marks) => marks.length >= 3);
    assert.deepEqual(marksBefore.map((mark) => mark.line), expectedLines, `marks ${JSON.stringify(marksBefore)}`);
    await workbench.screenshot('reload-before');
    // Reloaded at once, as a person may, while Vouch's save of the accepted text is still in git:
    // the closing window must finish it.
    const gate = workbench.hashObjectGate;
    assert.ok(gate);
    await waitUntil('a working-state save of the accepted text to be under way (in git hash-object)', () => gate.waiting() > 0);
    await workbench.reload({ whenClosing: () => gate.release() });
    const stored = await workbench.storedSpans('src/cart.ts');
    assert.ok(stored.length > 0, 'attribution lost: the closing window did not finish its save; the working state holds no span of src/cart.ts');
    await workbench.openFile('src/cart.ts');
    // Vouch reports when the stored attribution is back in the editor; only then are marks due.
    await workbench.waitForVouchLog(/\] (Restored \d+ AI span\(s\) of src\/cart\.ts|Picked up attribution of src\/cart\.ts)/, 'the attribution of src/cart.ts restored');
    const marksAfter = await workbench.waitForLineMarks('the marks after the reload', (marks) => marks.length === marksBefore.length);
    assert.deepEqual(marksAfter.map((mark) => [mark.line, mark.state]), marksBefore.map((mark) => [mark.line, mark.state]));
    const status = await page.waitForSelector('.statusbar-item:has-text("AI: 1 unreviewed")');
    assert.ok(status);
    await workbench.screenshot('reload-after');
  });
});

import assert from 'node:assert/strict';
import { TypingPauses } from '../../../src/core/visibility/typingPause';

describe('TypingPauses: marks wait for typing on AI lines to pause', () => {
  it('waits until typing pauses for the quiet time', () => {
    const pauses = new TypingPauses(300, 1_000);
    pauses.noteKeystroke('a', 1_000, 1);
    assert.equal(pauses.waitFor('a', 1, 1_075), 225);
    pauses.noteKeystroke('a', 1_100, 2);
    assert.equal(pauses.waitFor('a', 2, 1_175), 225);
    assert.equal(pauses.waitFor('a', 2, 1_400), 0);
  });

  it('waits no longer than the maximum after the first keystroke while typing goes on', () => {
    const pauses = new TypingPauses(300, 1_000);
    for (let at = 0; at <= 960; at += 60) pauses.noteKeystroke('a', at, at);
    assert.equal(pauses.waitFor('a', 960, 980), 20);
    assert.equal(pauses.waitFor('a', 960, 1_000), 0);
    // The run that was due ended: the next keystroke starts a new one.
    pauses.noteKeystroke('a', 1_020, 1_020);
    assert.equal(pauses.waitFor('a', 1_020, 1_040), 280);
  });

  it('does not wait when another change came after the last keystroke, nor for other documents', () => {
    const pauses = new TypingPauses(300, 1_000);
    pauses.noteKeystroke('a', 0, 5);
    assert.equal(pauses.waitFor('b', 0, 10), 0);
    assert.equal(pauses.waitFor('a', 6, 10), 0, 'a review after the keystroke is shown at once');
    pauses.noteKeystroke('a', 20, 7);
    pauses.forget('a');
    assert.equal(pauses.waitFor('a', 7, 30), 0);
  });
});

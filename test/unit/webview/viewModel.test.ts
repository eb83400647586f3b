import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  INITIAL_PAGE_STATE,
  changedShareLabel,
  draftProblem,
  formatAge,
  neighbourBlockId,
  pageTextOf,
  parsePersistedState,
  pruneToBlocks,
  toggleScope,
  visibleText,
} from '../../../src/webview/viewModel';

const english = pageTextOf(undefined);

describe('review page view model', () => {
  it('checks drafts with the same rules as the core review model', () => {
    assert.equal(draftProblem({ intent: ' ', scope: ['files'], scopeNote: '' }, 'accept', english)?.field, 'intent');
    assert.equal(draftProblem({ intent: 'x', scope: [], scopeNote: '' }, 'accept', english)?.field, 'scope');
    assert.equal(draftProblem({ intent: 'x', scope: [], scopeNote: '' }, 'reject', english), undefined);
    assert.equal(draftProblem({ intent: '', scope: [], scopeNote: '' }, 'reject', english), undefined, 'a rejection needs no intent');
    assert.equal(draftProblem({ intent: 'x', scope: [], scopeNote: 'reads one file' }, 'accept', english), undefined);
    assert.equal(draftProblem({ intent: 'x', scope: ['none', 'data'], scopeNote: '' }, 'accept', english)?.field, 'scope');
    assert.equal(draftProblem({ intent: 'x'.repeat(2001), scope: ['none'], scopeNote: '' }, 'accept', english)?.field, 'intent');
  });

  it('keeps "none" exclusive and the scope in canonical order', () => {
    assert.deepEqual(toggleScope(['network'], 'files', true), ['files', 'network']);
    assert.deepEqual(toggleScope(['network', 'files'], 'none', true), ['none']);
    assert.deepEqual(toggleScope(['none'], 'data', true), ['data']);
    assert.deepEqual(toggleScope(['data', 'files'], 'data', false), ['files']);
  });

  it('makes control and bidirectional characters visible and keeps tabs', () => {
    assert.equal(visibleText('a\tb\u0000c\u001bd\u007f'), 'a\tb\u2400c\u241bd\u2421');
    assert.equal(visibleText('x\u202ey\u2066z'), 'x<U+202E>y<U+2066>z');
    assert.equal(visibleText('id\u3164 = a\u200b\u034f + b\ufe0f\u{e0041}'), 'id<U+3164> = a<U+200B><U+034F> + b<U+FE0F><U+E0041>', 'fillers, zero-width and tag characters are shown');
    assert.equal(visibleText('</script> & <b>'), '</script> & <b>');
  });

  it('formats ages and shares in words', () => {
    const now = 1_000_000_000;
    assert.equal(formatAge(now, now - 10_000, english), 'just now');
    assert.equal(formatAge(now, now - 60_000, english), '1 minute ago');
    assert.equal(formatAge(now, now - 3 * 3_600_000, english), '3 hours ago');
    assert.equal(formatAge(now, now - 3 * 86_400_000, english), '3 days ago');
    assert.equal(formatAge(now, now + 60_000, english), 'just now');
    assert.equal(changedShareLabel(0, english), 'unchanged by a person');
    assert.equal(changedShareLabel(0.001, english), 'under 1% changed by a person');
    assert.equal(changedShareLabel(0.5, english), '50% changed by a person');
  });

  it('finds the neighbouring block, wrapping around', () => {
    assert.equal(neighbourBlockId(['a', 'b', 'c'], undefined, 1), 'a');
    assert.equal(neighbourBlockId(['a', 'b', 'c'], undefined, -1), 'c');
    assert.equal(neighbourBlockId(['a', 'b', 'c'], 'c', 1), 'a');
    assert.equal(neighbourBlockId(['a', 'b', 'c'], 'a', -1), 'c');
    assert.equal(neighbourBlockId([], 'a', 1), undefined);
  });

  it('reads saved state defensively', () => {
    assert.deepEqual(parsePersistedState(undefined), INITIAL_PAGE_STATE);
    assert.deepEqual(parsePersistedState({ version: 2 }), INITIAL_PAGE_STATE);
    const parsed = parsePersistedState({
      version: 1,
      drafts: { 'blk-1': { intent: 'i', scope: ['data', 'bogus'], scopeNote: '' }, 'bad id': { intent: 'i', scope: [], scopeNote: '' }, 'blk-2': 'junk' },
      groupDraft: { intent: 3 },
      selected: ['blk-1', 7, 'x y'],
      focusedBlockId: 'blk-1',
    });
    assert.deepEqual(parsed, {
      version: 1,
      drafts: { 'blk-1': { intent: 'i', scope: ['data'], scopeNote: '' } },
      groupDraft: INITIAL_PAGE_STATE.groupDraft,
      selected: ['blk-1'],
      focusedBlockId: 'blk-1',
    });
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withMap: true }), fc.anything(), (drafts, junk) => {
        const state = parsePersistedState({ version: 1, drafts, selected: junk, groupDraft: junk });
        assert.equal(state.version, 1);
        assert.ok(Array.isArray(state.selected));
      }),
      { numRuns: 300 },
    );
  });

  it('prunes drafts and selection of blocks that are gone', () => {
    const state = { ...INITIAL_PAGE_STATE, drafts: { a: { intent: 'x', scope: [], scopeNote: '' }, b: { intent: 'y', scope: [], scopeNote: '' } }, selected: ['a', 'b'], focusedBlockId: 'b' };
    const pruned = pruneToBlocks(state, new Set(['a']));
    assert.deepEqual(Object.keys(pruned.drafts), ['a']);
    assert.deepEqual(pruned.selected, ['a']);
    assert.equal(pruned.focusedBlockId, undefined);
  });
});

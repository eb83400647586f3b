import * as assert from 'node:assert/strict';
import type { PageToHostMessage, PanelBlock, PanelFile } from '../../../src/shared/reviewProtocol';
import { ReviewPage } from '../../../src/webview/reviewPage';
import type { PersistedPageState } from '../../../src/webview/viewModel';
import { FakeDocument, all, byClass, one, setChecked, typeInto, type FakeElement } from './fakeDom';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

function block(id: string, path: string, startLine: number, lines: string[], extra: Partial<PanelBlock> = {}): PanelBlock {
  return {
    id,
    path,
    startLine,
    endLine: startLine + lines.length - 1,
    lines,
    textHash: `hash-${id}`,
    origins: [{ kind: 'inline', tool: 'github-copilot', model: 'gpt-4o' }],
    firstInsertedAt: NOW - 5 * 60_000,
    lastInsertedAt: NOW - 5 * 60_000,
    humanChangedShare: 0.25,
    riskHints: [],
    suggestedScope: [],
    previouslyRejected: false,
    ...extra,
  };
}

const FILES: PanelFile[] = [
  {
    path: 'src/api.ts',
    blocks: [
      block('blk-a', 'src/api.ts', 10, ['const r = await fetch(url);', 'return r.json();'], {
        riskHints: [{ category: 'network', message: 'Network access: fetch()', line: 1 }],
        suggestedScope: ['network'],
      }),
      block('blk-b', 'src/api.ts', 30, ['export const x = 1;']),
    ],
  },
  { path: 'src/util.ts', blocks: [block('blk-c', 'src/util.ts', 1, ['const y = 2;'])] },
];

function state(files: PanelFile[] = FILES, undoableAccept?: { undoId: string; message: string }): unknown {
  return { type: 'state', files, reviewer: { name: 'Ada', email: 'ada@example.com' }, ...(undoableAccept ? { undoableAccept } : {}) };
}

function setup(saved?: unknown) {
  const document = new FakeDocument();
  const posted: PageToHostMessage[] = [];
  const saves: PersistedPageState[] = [];
  const host = {
    postMessage: (message: PageToHostMessage) => posted.push(message),
    getState: () => saved,
    setState: (s: PersistedPageState) => saves.push(JSON.parse(JSON.stringify(s)) as PersistedPageState),
  };
  const page = new ReviewPage(document, document.root, host, () => NOW);
  page.start();
  const root = document.root;
  const el = (id: string): FakeElement => {
    const found = document.getElementById(id);
    assert.ok(found, `#${id} exists`);
    return found;
  };
  const blockEl = (id: string): FakeElement => {
    const found = all(root, (e) => e.getAttribute('data-block-id') === id);
    assert.equal(found.length, 1, `one [data-block-id=${id}]`);
    return found[0];
  };
  return { document, posted, saves, page, root, el, blockEl, lastSave: () => saves[saves.length - 1] };
}

describe('review page', () => {
  it('says which key will sign the reviews, as text, or why they will not be signed', () => {
    const { page, document } = setup();
    page.receive(state());
    assert.equal(document.getElementById('vouch-signing'), null, 'no line until the host says');
    page.receive({ ...(state() as object), signing: { signed: true, key: 'SSH key SHA256:<b>x</b>' } });
    const line = document.getElementById('vouch-signing');
    assert.ok(line);
    assert.equal(line.textContent, 'Your reviews will be signed with SSH key SHA256:<b>x</b>.');
    assert.equal(line.children.length, 0, 'the key is text, never markup');
    assert.equal(line.className, 'vouch-signing');
    page.receive({ ...(state() as object), signing: { signed: false, reason: 'no key set' } });
    assert.equal(document.getElementById('vouch-signing')?.textContent, 'Reviews will not be signed: no key set');
    assert.equal(document.getElementById('vouch-signing')?.className, 'vouch-signing vouch-warning');
  });

  it('says it is ready, shows loading, then renders files and blocks from the host state', () => {
    const { posted, page, root, el, blockEl } = setup();
    assert.deepEqual(posted, [{ type: 'ready' }]);
    assert.match(el('vouch-summary').textContent, /Loading/);

    page.receive(state());
    assert.equal(el('vouch-summary').textContent, '3 AI blocks in 2 files wait for review.');
    assert.equal(one(root, 'vouch-reviewer').textContent, 'Reviews are recorded as Ada <ada@example.com>.');
    assert.deepEqual(
      byClass(root, 'vouch-file').map((f) => f.getAttribute('data-path')),
      ['src/api.ts', 'src/util.ts'],
    );
    const a = blockEl('blk-a');
    assert.equal(one(a, 'vouch-block-title').textContent, 'Lines 10–11 of src/api.ts');
    assert.equal(one(a, 'vouch-origin').textContent, 'From github-copilot (inline, gpt-4o)');
    assert.equal(one(a, 'vouch-time').textContent, 'written 5 minutes ago');
    assert.equal(one(a, 'vouch-time').getAttribute('title'), new Date(NOW - 5 * 60_000).toISOString());
    assert.equal(one(a, 'vouch-changed').textContent, '25% changed by a person');
    assert.deepEqual(
      byClass(a, 'vouch-line-number').map((n) => n.textContent),
      ['10', '11'],
    );
    assert.deepEqual(
      byClass(a, 'vouch-line-text').map((n) => n.textContent),
      ['const r = await fetch(url);', 'return r.json();'],
    );
    assert.deepEqual(
      byClass(a, 'vouch-line-risk').map((l) => one(l, 'vouch-line-number').textContent),
      ['10'],
    );
    assert.equal(one(a, 'vouch-risk-network').textContent, 'Line 10: Network access: fetch()');
    assert.match(all(a, (e) => e.tagName === 'LABEL' && e.getAttribute('for') === 'vouch-scope-network-blk-a')[0].textContent, /suggested/);
    assert.equal(one(blockEl('blk-b'), 'vouch-no-risks').textContent, 'No risk hints found.');
  });

  it('says when a block was accepted but its text changed since (it waits for a new review)', () => {
    const { page, blockEl } = setup();
    page.receive(state([{ path: 'src/a.ts', blocks: [block('blk-x', 'src/a.ts', 2, ['const answer = 43;'], { changedAfterReview: true }), block('blk-y', 'src/a.ts', 9, ['z();'])] }]));
    assert.equal(one(blockEl('blk-x'), 'vouch-changed-after-review').textContent, 'Accepted before, but the text changed since');
    assert.equal(byClass(blockEl('blk-y'), 'vouch-changed-after-review').length, 0);
  });

  it('shows hostile code and text as text, never as markup', () => {
    const { document, page, root, blockEl } = setup();
    const evil = ['</script><script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'bell\u0007 esc\u001b', 'if (isAdmin \u202e) {'];
    page.receive(state([{ path: 'src/<b>x</b>.ts', blocks: [block('blk-e', 'src/<b>x</b>.ts', 1, evil, { origins: [{ kind: 'chat', tool: '<i>tool</i>' }] })] }]));
    const lines = byClass(blockEl('blk-e'), 'vouch-line-text').map((l) => l.textContent);
    assert.deepEqual(lines, ['</script><script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'bell\u2407 esc\u241b', 'if (isAdmin <U+202E>) {']);
    assert.equal(one(root, 'vouch-file-path').textContent, 'src/<b>x</b>.ts (1 block)');
    assert.equal(one(root, 'vouch-origin').textContent, 'From <i>tool</i> (chat)');
    for (const tag of document.createdTags) {
      assert.ok(['header', 'h1', 'h2', 'h3', 'p', 'div', 'section', 'article', 'ul', 'li', 'pre', 'code', 'span', 'label', 'input', 'textarea', 'fieldset', 'legend', 'button'].includes(tag), tag);
    }
    assert.equal(all(root, (e) => e.tagName === 'SCRIPT' || e.tagName === 'IMG').length, 0);
  });

  it('ignores a malformed host message and reports it back', () => {
    const { posted, page, el } = setup();
    page.receive(state());
    page.receive({ type: 'state', files: [{ path: 'x', blocks: [{ id: 'bad id!' }] }], reviewer: null });
    page.receive('<script>');
    assert.equal(el('vouch-summary').textContent, '3 AI blocks in 2 files wait for review.');
    const errors = posted.filter((m) => m.type === 'pageError');
    assert.equal(errors.length, 2);
    assert.match(errors[0].type === 'pageError' ? errors[0].reason : '', /^Ignored a message from the host: /);
  });

  it('refuses to send a decision without intent, explains why, and focuses the field', () => {
    const { posted, page, el, document } = setup();
    page.receive(state());
    el('vouch-accept-blk-a').dispatch('click');
    assert.equal(posted.filter((m) => m.type === 'decide').length, 0);
    assert.equal(el('vouch-error-blk-a').textContent, 'Write the intent: what is this code for?');
    assert.equal(el('vouch-intent-blk-a').getAttribute('aria-invalid'), 'true');
    assert.equal(document.activeElement?.id, 'vouch-intent-blk-a');

    typeInto(el('vouch-intent-blk-a'), 'Fetch the users');
    setChecked(el('vouch-scope-network-blk-a'), false); // unchecks the scope pre-filled from the risk hints
    el('vouch-accept-blk-a').dispatch('click');
    assert.equal(el('vouch-error-blk-a').textContent, 'Choose what this code may touch (or "none") before accepting.');
    assert.equal(document.activeElement?.id, 'vouch-scope-files-blk-a');
  });

  it('sends an accept with the text hash it showed, keeps drafts, and locks the block until the host answers', () => {
    const { posted, page, el, lastSave, blockEl } = setup();
    page.receive(state());
    typeInto(el('vouch-intent-blk-a'), '  Fetch the users  ');
    setChecked(el('vouch-scope-network-blk-a'), true);
    setChecked(el('vouch-scope-data-blk-a'), true);
    typeInto(el('vouch-scope-note-blk-a'), 'users API only');
    assert.deepEqual(lastSave().drafts['blk-a'], { intent: '  Fetch the users  ', scope: ['network', 'data'], scopeNote: 'users API only' });

    el('vouch-accept-blk-a').dispatch('click');
    assert.deepEqual(posted[posted.length - 1], {
      type: 'decide',
      blocks: [{ blockId: 'blk-a', textHash: 'hash-blk-a' }],
      decision: 'accept',
      intent: 'Fetch the users',
      scope: ['network', 'data'],
      scopeNote: 'users API only',
    });
    assert.equal(el('vouch-accept-blk-a').disabled, true);
    assert.equal(blockEl('blk-a').getAttribute('aria-busy'), 'true');
    assert.match(el('vouch-status').textContent, /Accepting lines 10–11 of src\/api.ts/);
    el('vouch-accept-blk-a').dispatch('click');
    assert.equal(posted.filter((m) => m.type === 'decide').length, 1, 'no second decision while one is pending');
  });

  it('makes "none" exclusive in the scope choices', () => {
    const { page, el, lastSave } = setup();
    page.receive(state());
    setChecked(el('vouch-scope-files-blk-b'), true);
    setChecked(el('vouch-scope-none-blk-b'), true);
    assert.equal(el('vouch-scope-files-blk-b').checked, false);
    assert.deepEqual(lastSave().drafts['blk-b'].scope, ['none']);
    setChecked(el('vouch-scope-secrets-blk-b'), true);
    assert.equal(el('vouch-scope-none-blk-b').checked, false);
    assert.deepEqual(lastSave().drafts['blk-b'].scope, ['secrets']);
  });

  it('warns when the chosen scope leaves out what the risk hints suggest', () => {
    const { page, el } = setup();
    page.receive(state());
    setChecked(el('vouch-scope-network-blk-a'), false);
    setChecked(el('vouch-scope-files-blk-a'), true);
    page.receive(state());
    assert.equal(el('vouch-scope-warning-blk-a').textContent, 'The risk hints suggest this code touches: network.');
  });

  it('sends reject (no scope needed) and open in editor', () => {
    const { posted, page, el } = setup();
    page.receive(state());
    typeInto(el('vouch-intent-blk-b'), 'Not needed');
    el('vouch-reject-blk-b').dispatch('click');
    assert.deepEqual(posted[posted.length - 1], {
      type: 'decide',
      blocks: [{ blockId: 'blk-b', textHash: 'hash-blk-b' }],
      decision: 'reject',
      intent: 'Not needed',
      scope: [],
      scopeNote: '',
    });
    el('vouch-open-blk-c').dispatch('click');
    assert.deepEqual(posted[posted.length - 1], { type: 'openInEditor', blockId: 'blk-c' });
    el('vouch-refresh').dispatch('click');
    assert.deepEqual(posted[posted.length - 1], { type: 'refresh' });
  });

  it('reviews selected blocks together', () => {
    const { posted, page, el, document, root } = setup();
    page.receive(state());
    assert.equal(document.getElementById('vouch-group'), null);
    setChecked(el('vouch-select-blk-a'), true);
    el('vouch-select-blk-c').focus();
    setChecked(el('vouch-select-blk-c'), true);
    assert.equal(document.activeElement?.id, 'vouch-select-blk-c', 'focus stays on the checkbox across the re-render');
    assert.match(el('vouch-group').textContent, /Review 2 selected blocks together/);
    typeInto(el('vouch-group-intent'), 'Wire up the API client');
    setChecked(el('vouch-group-scope-network'), true);
    one(root, 'vouch-group-accept').dispatch('click');
    assert.deepEqual(posted[posted.length - 1], {
      type: 'decide',
      blocks: [
        { blockId: 'blk-a', textHash: 'hash-blk-a' },
        { blockId: 'blk-c', textHash: 'hash-blk-c' },
      ],
      decision: 'accept',
      intent: 'Wire up the API client',
      scope: ['network'],
      scopeNote: '',
    });
    // The host applied it: both blocks are gone, the group and its draft too.
    page.receive(state([{ path: 'src/api.ts', blocks: [FILES[0].blocks[1]] }]));
    assert.equal(document.getElementById('vouch-group'), null);
    setChecked(el('vouch-select-blk-b'), true);
    assert.equal(el('vouch-group-intent').value, '');
  });

  it('shows a refused decision at its block and unlocks it', () => {
    const { page, el } = setup();
    page.receive(state());
    typeInto(el('vouch-intent-blk-b'), 'Constant');
    setChecked(el('vouch-scope-none-blk-b'), true);
    el('vouch-accept-blk-b').dispatch('click');
    assert.equal(el('vouch-accept-blk-b').disabled, true);
    page.receive({ type: 'notice', level: 'error', message: 'src/api.ts lines 30-30 changed since it was shown.', blockIds: ['blk-b'] });
    assert.equal(el('vouch-accept-blk-b').disabled, false);
    assert.equal(el('vouch-error-blk-b').textContent, 'src/api.ts lines 30-30 changed since it was shown.');
    assert.equal(el('vouch-alert').textContent, 'src/api.ts lines 30-30 changed since it was shown.');
    assert.equal(el('vouch-intent-blk-b').value, 'Constant', 'the draft survives');
  });

  it('moves focus to the next block when the focused one is decided', () => {
    const { page, el, document } = setup();
    page.receive(state());
    el('vouch-accept-blk-a').focus();
    page.receive(state([{ path: 'src/api.ts', blocks: [FILES[0].blocks[1]] }, FILES[1]]));
    assert.equal(document.activeElement?.id, 'vouch-block-blk-b');
  });

  it('keeps focus and caret in a text field across a live update', () => {
    const { page, el, document } = setup();
    page.receive(state());
    const intent = el('vouch-intent-blk-c');
    typeInto(intent, 'Half written');
    intent.focus();
    intent.selectionStart = 4;
    intent.selectionEnd = 4;
    page.receive(state());
    const again = el('vouch-intent-blk-c');
    assert.notEqual(again, intent);
    assert.equal(document.activeElement, again);
    assert.equal(again.value, 'Half written');
    assert.equal(again.selectionStart, 4);
  });

  it('restores drafts and selection after a reload', () => {
    const first = setup();
    first.page.receive(state());
    typeInto(first.el('vouch-intent-blk-c'), 'Keep me');
    setChecked(first.el('vouch-scope-data-blk-c'), true);
    setChecked(first.el('vouch-select-blk-a'), true);
    const saved = first.lastSave();

    const second = setup(saved);
    second.page.receive(state());
    assert.equal(second.el('vouch-intent-blk-c').value, 'Keep me');
    assert.equal(second.el('vouch-scope-data-blk-c').checked, true);
    assert.equal(second.el('vouch-select-blk-a').checked, true);
    assert.ok(second.document.getElementById('vouch-group'));
  });

  it('moves between blocks with Alt+Down/Alt+Up and J/K, but not while typing', () => {
    const { page, el, document, root } = setup();
    page.receive(state());
    assert.equal(document.activeElement?.id, 'vouch-intent-blk-a', 'the panel opens in the first intent');
    document.focused = null; // as after a click outside the blocks
    assert.equal(root.dispatch('keydown', { key: 'ArrowDown', altKey: true }).defaultPrevented, true);
    assert.equal(document.activeElement?.id, 'vouch-block-blk-b');
    document.activeElement?.dispatch('keydown', { key: 'j' });
    assert.equal(document.activeElement?.id, 'vouch-block-blk-c');
    document.activeElement?.dispatch('keydown', { key: 'k' });
    document.activeElement?.dispatch('keydown', { key: 'ArrowUp', altKey: true });
    assert.equal(document.activeElement?.id, 'vouch-block-blk-a');
    assert.equal(document.scrolledTo?.id, 'vouch-block-blk-a');
    const intent = el('vouch-intent-blk-a');
    intent.focus();
    assert.equal(intent.dispatch('keydown', { key: 'j' }).defaultPrevented, false);
    assert.equal(document.activeElement, intent);
  });

  it('focuses a block when the host asks', () => {
    const { page, document } = setup();
    page.receive(state());
    page.receive({ type: 'focus', blockId: 'blk-c' });
    assert.equal(document.activeElement?.id, 'vouch-block-blk-c');
  });

  it('labels every control for screen readers', () => {
    const { page, root, el } = setup();
    page.receive(state());
    setChecked(el('vouch-select-blk-a'), true);
    const labelled = new Set(all(root, (e) => e.tagName === 'LABEL').map((l) => l.getAttribute('for')));
    for (const control of all(root, (e) => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA')) {
      assert.ok(labelled.has(control.id) || control.getAttribute('aria-label'), `#${control.id} has a label`);
    }
    for (const button of all(root, (e) => e.tagName === 'BUTTON')) {
      assert.ok(button.textContent.length > 0, `#${button.id} has text`);
      assert.equal(button.getAttribute('type'), 'button');
    }
    // The intent is required to accept only (a rejection needs none), which the label says.
    for (const label of byClass(root, 'vouch-intent-label')) assert.match(label.textContent ?? '', /required to accept/);
    for (const article of byClass(root, 'vouch-block')) assert.ok(article.getAttribute('aria-labelledby'));
    assert.equal(all(root, (e) => e.getAttribute('role') === 'status').length, 1);
    assert.equal(all(root, (e) => e.getAttribute('role') === 'alert').length, 1);
  });

  it('says when nothing waits and when git has no reviewer', () => {
    const { page, el, root } = setup();
    page.receive({ type: 'state', files: [], reviewer: null });
    assert.equal(el('vouch-summary').textContent, 'No AI code waits for review.');
    assert.match(one(root, 'vouch-reviewer').textContent, /no user.name and user.email/);
    assert.equal(byClass(root, 'vouch-block').length, 0);
  });

  it('announces busy state and clears pending decisions when done', () => {
    const { page, el } = setup();
    page.receive(state());
    typeInto(el('vouch-intent-blk-c'), 'x');
    el('vouch-reject-blk-c').dispatch('click');
    page.receive({ type: 'busy', busy: true, message: 'Removing the block…' });
    assert.equal(el('vouch-status').textContent, 'Removing the block…');
    assert.equal(el('vouch-root').getAttribute('aria-busy'), 'true');
    page.receive({ type: 'busy', busy: false });
    assert.equal(el('vouch-reject-blk-c').disabled, false);
    assert.equal(el('vouch-root').getAttribute('aria-busy'), 'false');
  });

  describe('reviewing fast by keyboard', () => {
    it('pre-fills the scope from the risk hints ("none" when they found nothing)', () => {
      const { page, el } = setup();
      page.receive(state());
      assert.equal(el('vouch-scope-network-blk-a').checked, true);
      assert.equal(el('vouch-scope-none-blk-a').checked, false);
      assert.equal(el('vouch-scope-none-blk-b').checked, true);
    });

    it('puts the focus in the first intent field when the panel opens, so typing can start at once', () => {
      const { page, document } = setup();
      page.receive(state());
      assert.equal(document.activeElement?.id, 'vouch-intent-blk-a');
    });

    it('accepts the block being typed in with Ctrl+Enter, then puts the focus in the next intent field', () => {
      const { page, el, posted, document } = setup();
      page.receive(state());
      const intent = el('vouch-intent-blk-a');
      intent.focus();
      typeInto(intent, 'Loads the price list');
      assert.equal(intent.dispatch('keydown', { key: 'Enter', ctrlKey: true }).defaultPrevented, true);
      const decide = posted.find((m) => m.type === 'decide');
      assert.deepEqual(decide, {
        type: 'decide',
        blocks: [{ blockId: 'blk-a', textHash: 'hash-blk-a' }],
        decision: 'accept',
        intent: 'Loads the price list',
        scope: ['network'],
        scopeNote: '',
      });
      page.receive({ type: 'busy', busy: false });
      page.receive({ type: 'notice', level: 'info', message: 'Accepted lines 10-11 of src/api.ts.' });
      page.receive(state([{ path: 'src/api.ts', blocks: [FILES[0].blocks[1]] }, FILES[1]]));
      assert.equal(document.activeElement?.id, 'vouch-intent-blk-b');
      // J/K and Ctrl+Enter keep working from there: the focus is inside the next card.
      typeInto(el('vouch-intent-blk-b'), 'Exports the constant');
      el('vouch-intent-blk-b').dispatch('keydown', { key: 'Enter', ctrlKey: true });
      assert.equal(posted.filter((m) => m.type === 'decide').length, 2);
    });

    it('moves the focus on when the Accept button (disabled while the host works) had it', () => {
      const { page, el, document } = setup();
      page.receive(state());
      typeInto(el('vouch-intent-blk-b'), 'Exports the constant');
      el('vouch-accept-blk-b').focus();
      el('vouch-accept-blk-b').dispatch('click');
      page.receive(state([FILES[0].blocks[0] ? { path: 'src/api.ts', blocks: [FILES[0].blocks[0]] } : FILES[0], FILES[1]]));
      assert.equal(document.activeElement?.id, 'vouch-intent-blk-c');
    });

    it('rejects without an intent', () => {
      const { page, el, posted } = setup();
      page.receive(state());
      el('vouch-reject-blk-c').dispatch('click');
      assert.equal(posted.find((m) => m.type === 'decide' && m.decision === 'reject') !== undefined, true);
      assert.equal(el('vouch-error-blk-c').textContent, '');
    });

    it('drops the intent error once the intent is typed, and old notices on the next action', () => {
      const { page, el } = setup();
      page.receive(state());
      el('vouch-accept-blk-c').dispatch('click');
      assert.match(el('vouch-error-blk-c').textContent ?? '', /Write the intent/);
      typeInto(el('vouch-intent-blk-c'), 'D');
      assert.equal(el('vouch-error-blk-c').textContent, '');
      assert.equal(el('vouch-intent-blk-c').getAttribute('aria-invalid'), null);

      page.receive({ type: 'notice', level: 'info', message: 'Rejected and removed lines 30-30 of src/api.ts.' });
      assert.match(el('vouch-status').textContent ?? '', /Rejected and removed/);
      typeInto(el('vouch-intent-blk-a'), 'N');
      assert.equal(el('vouch-status').textContent, '');

      // Choosing blocks for a group review is a later action too.
      page.receive({ type: 'notice', level: 'info', message: 'Rejected and removed line 1 of src/util.ts.' });
      el('vouch-accept-file-0').dispatch('click');
      assert.equal(el('vouch-status').textContent, '');
      page.receive({ type: 'notice', level: 'error', message: 'The decision could not be recorded.' });
      setChecked(el('vouch-select-blk-c'), true);
      assert.equal(el('vouch-alert').textContent, '');
    });

    it('shows the block as a diff: context above and below, the replaced lines, the AI lines', () => {
      const { page, blockEl } = setup();
      const diffed = block('blk-d', 'src/d.ts', 4, ['  return items.reduce((a, b) => a + b, 0);'], {
        contextBefore: ['', 'function total(items) {'],
        contextAfter: ['}'],
        replacedLines: ['  let sum = 0;', '  return sum;'],
      });
      page.receive(state([{ path: 'src/d.ts', blocks: [diffed] }]));
      const lines = byClass(blockEl('blk-d'), 'vouch-line').map((line) => [
        line.className.replace('vouch-line vouch-line-', ''),
        one(line, 'vouch-line-number').textContent,
        one(line, 'vouch-line-marker').textContent,
        one(line, 'vouch-line-text').textContent,
      ]);
      assert.deepEqual(lines, [
        ['context', '2', ' ', ''],
        ['context', '3', ' ', 'function total(items) {'],
        ['removed', '', '-', '  let sum = 0;'],
        ['removed', '', '-', '  return sum;'],
        ['added', '4', '+', '  return items.reduce((a, b) => a + b, 0);'],
        ['context', '5', ' ', '}'],
      ]);
      assert.equal(one(blockEl('blk-d'), 'vouch-code').getAttribute('aria-label'), 'AI code, line 4, replacing 2 lines of the last commit');
    });

    it('offers "Reject whole lines" when a person typed on the block\'s lines, and sends it without an intent', () => {
      const { page, el, posted, document } = setup();
      const greet = block('blk-g', 'src/g.ts', 2, ['function greet(name) {', '}'], { personTextOnLines: true });
      page.receive(state([{ path: 'src/g.ts', blocks: [greet, block('blk-h', 'src/g.ts', 9, ['h();'])] }]));
      assert.equal(document.getElementById('vouch-reject-lines-blk-h'), null, 'only where a person typed on the lines');
      assert.match(el('vouch-reject-lines-blk-g').getAttribute('aria-label') ?? '', /with the text a person typed/);
      el('vouch-reject-lines-blk-g').dispatch('click');
      assert.deepEqual(posted.find((m) => m.type === 'decide'), {
        type: 'decide',
        blocks: [{ blockId: 'blk-g', textHash: 'hash-blk-g' }],
        decision: 'reject',
        intent: '',
        scope: [],
        scopeNote: '',
        wholeLines: true,
      });
      assert.equal(el('vouch-error-blk-g').textContent, '');
    });

    it('offers "Undo accept" after an accept, until the next decision, and sends the undo once', () => {
      const { page, el, posted, document } = setup();
      page.receive(state());
      typeInto(el('vouch-intent-blk-b'), 'Exports the constant');
      el('vouch-accept-blk-b').dispatch('click');
      page.receive({ type: 'busy', busy: false });
      page.receive({ type: 'notice', level: 'info', message: 'Accepted line 30 of src/api.ts.', undoId: 'undo-1' });
      page.receive(state([{ path: 'src/api.ts', blocks: [FILES[0].blocks[0]] }, FILES[1]], { undoId: 'undo-1', message: 'Accepted line 30 of src/api.ts.' }));
      assert.equal(el('vouch-undo-row').textContent, 'Accepted line 30 of src/api.ts.Undo accept');
      // Typing on clears the announcement, but the undo stays until the next decision.
      typeInto(el('vouch-intent-blk-c'), 'Y');
      assert.equal(el('vouch-status').textContent, '');
      assert.ok(document.getElementById('vouch-undo'));
      el('vouch-undo').dispatch('click');
      assert.deepEqual(posted.filter((m) => m.type === 'undoAccept'), [{ type: 'undoAccept', undoId: 'undo-1' }]);
      assert.equal(document.getElementById('vouch-undo'), null);
      page.receive({ type: 'notice', level: 'info', message: 'Accepted line 1 of src/util.ts.', undoId: 'undo-2' });
      assert.ok(document.getElementById('vouch-undo'));
      el('vouch-reject-blk-a').dispatch('click');
      assert.equal(document.getElementById('vouch-undo'), null, 'a new decision replaces the undo');
    });

    it('offers to undo only the accept the host can undo now: one made in the editor appears, one replaced elsewhere goes', () => {
      const { page, el, document } = setup();
      page.receive(state());
      typeInto(el('vouch-intent-blk-b'), 'Exports the constant');
      el('vouch-accept-blk-b').dispatch('click');
      page.receive({ type: 'busy', busy: false });
      page.receive({ type: 'notice', level: 'info', message: 'Accepted line 30 of src/api.ts.', undoId: 'undo-1' });
      page.receive(state(FILES, { undoId: 'undo-1', message: 'Accepted line 30 of src/api.ts.' }));
      assert.equal(el('vouch-undo-row').textContent, 'Accepted line 30 of src/api.ts.Undo accept');
      assert.equal(el('vouch-status').textContent, 'Accepted line 30 of src/api.ts.');
      // An editor command accepted another block: that accept is the one to undo now.
      page.receive(state(FILES, { undoId: 'undo-2', message: 'Accepted line 1 of src/util.ts.' }));
      assert.equal(el('vouch-undo-row').textContent, 'Accepted line 1 of src/util.ts.Undo accept');
      assert.equal(el('vouch-status').textContent, '', 'the replaced accept is no longer announced');
      // A rejection in the editor leaves nothing to undo: no offer, however old the page.
      page.receive(state(FILES));
      assert.equal(document.getElementById('vouch-undo'), null);
    });

    it('"Accept all in this file" groups the file\'s blocks under one intent, Ctrl+Enter accepts them together', () => {
      const { page, el, posted, document } = setup();
      page.receive(state());
      el('vouch-accept-file-0').dispatch('click');
      assert.equal(document.activeElement?.id, 'vouch-group-intent');
      assert.equal(el('vouch-group-scope-network').checked, true, 'pre-filled from the risk hints of the group');
      typeInto(el('vouch-group-intent'), 'The API client');
      el('vouch-group-intent').dispatch('keydown', { key: 'Enter', ctrlKey: true });
      const decide = posted.find((m) => m.type === 'decide');
      assert.ok(decide && decide.type === 'decide');
      assert.deepEqual(decide.blocks.map((b) => b.blockId), ['blk-a', 'blk-b']);
      assert.equal(decide.intent, 'The API client');
      assert.deepEqual(decide.scope, ['network']);
      page.receive(state([FILES[1]]));
      assert.equal(document.getElementById('vouch-group'), null);
      assert.equal(document.activeElement?.id, 'vouch-intent-blk-c');
    });
  });
});

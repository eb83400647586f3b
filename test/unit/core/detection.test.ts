import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TextReplacement } from '../../../src/core/attribution';
import { agentOfDiffTab, chatSessionFromQuery } from '../../../src/core/detection/agentSignals';
import {
  classifyChange,
  insertedRangesAfter,
  looksLikeRename,
  looksLikeTyping,
  mapRangeThroughChanges,
  subtractRanges,
  type ChangeSignals,
} from '../../../src/core/detection/changeClassification';

const switches = { chatEdits: true, agentDiffTabs: true, hiddenEditorEdits: true, externalWrites: true, minimumHeuristicChars: 40 };
const block = 'function total(items) {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n';

function signals(overrides: Partial<ChangeSignals>): ChangeSignals {
  return {
    changes: [{ offset: 0, deletedLength: 0, insertedText: block }],
    pasted: false,
    inSaveParticipant: false,
    gitOperation: false,
    partOfVisibleBatch: false,
    visible: false,
    reloadedFromDisk: false,
    settings: switches,
    ...overrides,
  };
}

function apply(text: string, changes: readonly TextReplacement[]): string {
  let result = text;
  for (const change of [...changes].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, change.offset) + change.insertedText + result.slice(change.offset + change.deletedLength);
  }
  return result;
}

describe('detection: change classification', () => {
  it('records a big edit to a document in no visible editor as an agent edit with medium confidence', () => {
    assert.deepEqual(classifyChange(signals({})), { author: 'ai', kind: 'agent', confidence: 'medium', signal: 'hidden-editor' });
  });

  it('never records pastes, save participants, git operations or refactoring batches', () => {
    assert.deepEqual(classifyChange(signals({ pasted: true, chatEditing: { tool: 'github-copilot' } })), { author: 'human', reason: 'paste' });
    assert.deepEqual(classifyChange(signals({ inSaveParticipant: true })), { author: 'human', reason: 'save-participant' });
    assert.deepEqual(classifyChange(signals({ gitOperation: true, reloadedFromDisk: true })), { author: 'human', reason: 'git-operation' });
    assert.deepEqual(classifyChange(signals({ partOfVisibleBatch: true })), { author: 'human', reason: 'refactoring' });
  });

  it('leaves visible editors to the human unless chat editing or an agent diff tab covers the file', () => {
    assert.deepEqual(classifyChange(signals({ visible: true })), { author: 'human', reason: 'visible-editor' });
    assert.deepEqual(classifyChange(signals({ visible: true, chatEditing: { tool: 'github-copilot', session: 's1' } })), {
      author: 'ai',
      kind: 'chat',
      confidence: 'high',
      signal: 'chat-editing-document',
      tool: 'github-copilot',
      session: 's1',
    });
    assert.equal(classifyChange(signals({ visible: true, agentDiffTab: { tool: 'cline' } })).author, 'ai');
  });

  it('keeps keystrokes human even while a chat session edits the file', () => {
    for (const insertedText of ['a', '()', '\n    ', '', '  ']) {
      const verdict = classifyChange(signals({ visible: true, chatEditing: { tool: 'x' }, changes: [{ offset: 3, deletedLength: 1, insertedText }] }));
      assert.equal(verdict.author, 'human', JSON.stringify(insertedText));
    }
    assert.ok(looksLikeTyping([{ offset: 1, deletedLength: 0, insertedText: 'x' }, { offset: 9, deletedLength: 0, insertedText: 'x' }]), 'multi-cursor typing');
  });

  it('treats rename-like edits (same short text at several places) as refactoring', () => {
    const rename = [5, 50, 90].map((offset) => ({ offset, deletedLength: 3, insertedText: 'customerTotalPrice' }));
    assert.ok(looksLikeRename(rename));
    assert.deepEqual(classifyChange(signals({ changes: rename })), { author: 'human', reason: 'refactoring' });
  });

  it('applies the size threshold to the heuristic detectors only', () => {
    const small = [{ offset: 0, deletedLength: 0, insertedText: 'const x = 1; // short' }];
    assert.deepEqual(classifyChange(signals({ changes: small })), { author: 'human', reason: 'below-threshold' });
    assert.deepEqual(classifyChange(signals({ changes: small, reloadedFromDisk: true })), { author: 'human', reason: 'below-threshold' });
    assert.equal(classifyChange(signals({ changes: small, chatEditing: { tool: 'x' } })).author, 'ai');
    assert.equal(classifyChange(signals({ changes: small, settings: { ...switches, minimumHeuristicChars: 5 } })).author, 'ai');
  });

  it('records a reload from disk as an external write, and each detector can be switched off', () => {
    assert.deepEqual(classifyChange(signals({ reloadedFromDisk: true, visible: true })), { author: 'ai', kind: 'external-write', confidence: 'medium', signal: 'disk-reload' });
    assert.deepEqual(classifyChange(signals({ reloadedFromDisk: true, settings: { ...switches, externalWrites: false } })), { author: 'human', reason: 'detector-off' });
    assert.deepEqual(classifyChange(signals({ settings: { ...switches, hiddenEditorEdits: false } })), { author: 'human', reason: 'detector-off' });
    assert.deepEqual(classifyChange(signals({ chatEditing: { tool: 'x' }, settings: { ...switches, chatEdits: false } })), { author: 'human', reason: 'detector-off' });
    assert.deepEqual(classifyChange(signals({ agentDiffTab: { tool: 'x' }, settings: { ...switches, agentDiffTabs: false } })), { author: 'human', reason: 'detector-off' });
  });
});

describe('detection: ranges through edits', () => {
  const replacementArb = (length: number) =>
    fc.record({ offset: fc.nat(length), deletedLength: fc.nat(5), insertedText: fc.string({ maxLength: 6 }) });

  /** Non-overlapping changes over a text of `length`, as one editor event reports them. */
  function disjoint(changes: TextReplacement[], length: number): TextReplacement[] {
    const sorted = [...changes].sort((a, b) => a.offset - b.offset);
    const result: TextReplacement[] = [];
    let end = -1;
    for (const change of sorted) {
      const deletedLength = Math.min(change.deletedLength, length - change.offset);
      if (change.offset <= end) continue;
      result.push({ ...change, deletedLength });
      end = change.offset + deletedLength;
    }
    return result;
  }

  it('finds the inserted text of an event in the text after it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.array(replacementArb(30), { maxLength: 4 }), (text, raw) => {
        const changes = disjoint(raw.map((c) => ({ ...c, offset: Math.min(c.offset, text.length) })), text.length);
        const after = apply(text, changes);
        const ranges = insertedRangesAfter(changes);
        const inserted = changes.filter((c) => c.insertedText).sort((a, b) => a.offset - b.offset).map((c) => c.insertedText);
        assert.deepEqual(ranges.map((range) => after.slice(range.start, range.end)), inserted);
      }),
    );
  });

  it('keeps a range on its characters through later edits, cutting out what was replaced', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 30 }), fc.nat(29), fc.nat(29), fc.array(replacementArb(30), { maxLength: 4 }), (text, a, b, raw) => {
        const start = Math.min(a, b, text.length);
        const end = Math.min(Math.max(a, b), text.length);
        // Tag every character so survivors can be traced: which original positions end up inside the pieces.
        const changes = disjoint(raw.map((c) => ({ ...c, offset: Math.min(c.offset, text.length), insertedText: c.insertedText.replace(/./gs, '\u0001') })), text.length);
        const tagged = Array.from({ length: text.length }, (_, i) => String.fromCharCode(0x100 + i)).join('');
        const after = apply(tagged, changes);
        const pieces = mapRangeThroughChanges({ start, end }, changes);
        const survivors = pieces.flatMap((piece) => [...after.slice(piece.start, piece.end)].map((ch) => ch.charCodeAt(0) - 0x100));
        const expected = [...after].map((ch) => ch.charCodeAt(0) - 0x100).filter((i) => i >= start && i < end);
        assert.deepEqual(survivors, expected);
      }),
    );
  });

  it('subtracts covered parts', () => {
    assert.deepEqual(subtractRanges({ start: 0, end: 10 }, [{ start: 2, end: 4 }, { start: 8, end: 12 }]), [
      { start: 0, end: 2 },
      { start: 4, end: 8 },
    ]);
    assert.deepEqual(subtractRanges({ start: 0, end: 10 }, [{ start: 0, end: 10 }]), []);
  });
});

describe('detection: agent signals', () => {
  it('reads the chat session from chat-editing URI queries of VS Code 1.139 and older builds', () => {
    assert.equal(chatSessionFromQuery(JSON.stringify({ kind: 'doc', documentId: 'd1', chatSessionResource: 'vscode-chat-session://local/abc' })), 'vscode-chat-session://local/abc');
    assert.equal(chatSessionFromQuery(JSON.stringify({ session: 'vscode-chat-session://local/xyz', requestId: 'r', undoStop: '' })), 'vscode-chat-session://local/xyz');
    assert.equal(chatSessionFromQuery(JSON.stringify({ kind: 'doc', chatSessionId: 'old-id' })), 'old-id');
    assert.equal(chatSessionFromQuery(JSON.stringify({ chatSessionResource: { scheme: 'vscode-chat-session', authority: 'local', path: '/q' } })), 'vscode-chat-session://local/q');
    assert.equal(chatSessionFromQuery('not json'), undefined);
    assert.equal(chatSessionFromQuery('{"kind":"doc"}'), undefined);
    assert.equal(chatSessionFromQuery(JSON.stringify({ session: 'a\nb' })), 'ab');
  });

  it('names agents by their diff tabs and ignores ordinary diffs', () => {
    assert.equal(agentOfDiffTab({ label: "cart.ts: Original ↔ Cline's Changes (Editable)", originalScheme: 'cline-diff', modifiedScheme: 'file' }), 'cline');
    assert.equal(agentOfDiffTab({ label: "cart.ts: Original ↔ Roo's Changes", originalScheme: 'cline-diff', modifiedScheme: 'file' }), 'cline');
    assert.equal(agentOfDiffTab({ label: "cart.ts: Original ↔ Roo's Changes", originalScheme: 'roo-diff', modifiedScheme: 'file' }), 'roo-code');
    assert.equal(agentOfDiffTab({ label: '[Claude Code] cart.ts', originalScheme: 'file', modifiedScheme: 'file' }), 'claude-code');
    assert.equal(agentOfDiffTab({ label: 'cart.ts (Working Tree)', originalScheme: 'git', modifiedScheme: 'file' }), undefined);
  });
});

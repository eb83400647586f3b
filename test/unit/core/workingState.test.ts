import * as assert from 'node:assert/strict';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import * as fc from 'fast-check';
import { buildNoteRecord } from '../../../src/core/notes/noteRecord';
import { originNameProblem, parseRecordLine } from '../../../src/core/notes/noteParser';
import { mergeSpans } from '../../../src/core/workingState/merge';
import { assertRepoPath, repoPathProblem } from '../../../src/core/workingState/repoPath';
import type { WorkingStateDocument } from '../../../src/core/workingState/stateFile';
import { acceptedReview, spanAt } from '../../support/spans';
import {
  WORKING_STATE_SCHEMA_VERSION,
  parseWorkingStateDocument,
  serializeWorkingStateDocument,
  spansProblem,
} from '../../../src/core/workingState/stateFile';

const HASH = 'b'.repeat(64);

function span(id: string, start: number, end: number, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return spanAt(id, start, end, { origin: { kind: 'agent', tool: 'claude-code', model: 'm1' }, insertedAt: 1000, insertedTextHash: HASH, ...extra });
}

const review = acceptedReview({ intent: 'parse the header', scope: ['files'], textHash: HASH });

function document(spans: AttributedSpan[], extra: Partial<WorkingStateDocument> = {}): WorkingStateDocument {
  return {
    version: WORKING_STATE_SCHEMA_VERSION,
    path: 'src/a.ts',
    spans,
    textBlob: 'c'.repeat(40),
    textSha256: HASH,
    textLength: 100,
    generation: 3,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

/** Whether a note record whose one range has `name` as its tool and model passes the note parser. */
function noteAccepts(name: string): boolean {
  const record = buildNoteRecord({
    commit: 'a'.repeat(40),
    tree: 'b'.repeat(40),
    patchId: null,
    files: [{ path: 'a.ts', blob: 'c'.repeat(40), ranges: [{ start: 1, end: 2, sha256: HASH, origin: { kind: 'agent', tool: name, model: name }, confidence: 'high', humanChangedShare: 0, review: null }] }],
  });
  return parseRecordLine(record.line).ok;
}

describe('working state file', () => {
  it('round-trips a document with reviews and optional fields', () => {
    const doc = document([
      span('a', 0, 10, { review }),
      span('b', 20, 30, { origin: { kind: 'chat', tool: 't', session: 's' } }),
      span('c', 40, 50, { origin: { kind: 'agent', tool: 'unknown-ai', candidates: ['fake-ai', 'github-copilot'] } }),
    ]);
    const parsed = parseWorkingStateDocument(serializeWorkingStateDocument(doc));
    assert.deepEqual(parsed, { kind: 'ok', document: doc });
  });

  it('drops unknown fields instead of carrying them along', () => {
    const raw = JSON.parse(serializeWorkingStateDocument(document([span('a', 0, 10)]))) as Record<string, unknown>;
    raw.extra = 1;
    (raw.spans as Record<string, unknown>[])[0].sneaky = '<script>';
    const parsed = parseWorkingStateDocument(JSON.stringify(raw));
    assert.equal(parsed.kind, 'ok');
    if (parsed.kind !== 'ok') return;
    assert.equal('extra' in parsed.document, false);
    assert.equal('sneaky' in parsed.document.spans[0], false);
  });

  it('reports a newer schema version as future-version', () => {
    const text = JSON.stringify({ ...document([]), version: 2 });
    assert.deepEqual(parseWorkingStateDocument(text), { kind: 'future-version', version: 2 });
  });

  const corruptCases: [string, string][] = [
    ['truncated JSON', serializeWorkingStateDocument(document([span('a', 0, 10)])).slice(0, 50)],
    ['not an object', '[]'],
    ['no version', JSON.stringify({ ...document([]), version: undefined })],
    ['absolute path', JSON.stringify(document([], { path: '/etc/passwd' }))],
    ['escaping path', JSON.stringify(document([], { path: 'a/../../b' }))],
    ['bad blob id', JSON.stringify(document([], { textBlob: 'HEAD' }))],
    ['negative generation', JSON.stringify(document([], { generation: -1 }))],
  ];
  for (const [name, text] of corruptCases) {
    it(`rejects a file with ${name} as corrupt`, () => {
      const parsed = parseWorkingStateDocument(text);
      assert.equal(parsed.kind, 'corrupt', JSON.stringify(parsed));
    });
  }

  // One bad span is set aside alone: the document loads with the others (the store keeps the file as it was).
  const badSpanCases: [string, string][] = [
    ['span past the text', JSON.stringify(document([span('a', 90, 101), span('k', 0, 5)]))],
    ['overlapping spans', JSON.stringify(document([span('a', 0, 10), span('b', 5, 12), span('k', 20, 25)]))],
    ['repeated id', JSON.stringify(document([span('a', 0, 10), span('a', 20, 30), span('k', 40, 45)]))],
    ['empty span', JSON.stringify(document([span('a', 5, 5), span('k', 60, 65)]))],
    ['unknown origin kind', JSON.stringify(document([{ ...span('a', 0, 10), origin: { kind: 'robot', tool: 'x' } } as unknown as AttributedSpan, span('k', 60, 65)]))],
    ['fractional offset', JSON.stringify(document([span('a', 0.5, 10), span('k', 60, 65)]))],
    ['candidates that are not a list of names', JSON.stringify(document([span('a', 0, 10, { origin: { kind: 'agent', tool: 'unknown-ai', candidates: 'fake-ai' as unknown as string[] } }), span('k', 60, 65)]))],
    ['bad review scope', JSON.stringify(document([span('a', 0, 10, { review: { ...review, scope: ['everything'] } as unknown as Review }), span('k', 60, 65)]))],
  ];
  for (const [name, text] of badSpanCases) {
    it(`sets aside a span with ${name} and keeps the others`, () => {
      const parsed = parseWorkingStateDocument(text);
      assert.equal(parsed.kind, 'ok', JSON.stringify(parsed));
      if (parsed.kind !== 'ok') return;
      assert.equal(parsed.setAsideSpans?.length, 1, JSON.stringify(parsed.setAsideSpans));
      assert.deepEqual(
        parsed.document.spans.map((kept) => kept.id).filter((id) => id === 'k'),
        ['k'],
      );
    });
  }

  it('checks spans before they are written', () => {
    assert.equal(spansProblem([span('a', 0, 5)], 5), undefined);
    assert.match(spansProblem([span('a', 0, 6)], 5) ?? '', /past the text length/);
    assert.match(spansProblem([span('a', 0, 5, { origin: { kind: 'agent', tool: 'claude-code ' } })], 5) ?? '', /origin\.tool/);
  });

  // The note's rule for tool and model names, applied to tool, model, session and candidates alike.
  const badNames: [string, string][] = [
    ['a trailing blank', 'claude-code '],
    ['a leading blank', ' claude-code'],
    ['a control character', 'claude\u0007code'],
    ['a newline', 'claude\ncode'],
    ['a bidi override', 'claude\u202ecode'],
    ['a zero-width character', 'claude\u200bcode'],
    ['a workflow-command start', '::set-output name=x::y'],
    ['an Azure logging command start', '##[error]x'],
    ['nothing', ''],
    ['201 characters', 'x'.repeat(201)],
  ];
  const fields: [string, (name: string) => AttributedSpan['origin']][] = [
    ['tool', (name) => ({ kind: 'agent', tool: name })],
    ['model', (name) => ({ kind: 'agent', tool: 'claude-code', model: name })],
    ['session', (name) => ({ kind: 'agent', tool: 'claude-code', session: name })],
    ['candidates', (name) => ({ kind: 'agent', tool: 'unknown-ai', candidates: ['copilot', name] })],
  ];
  for (const [field, origin] of fields) {
    for (const [what, name] of badNames) {
      it(`sets aside a span whose ${field} has ${what}, as the note would refuse it; the other span loads`, () => {
        assert.notEqual(originNameProblem(name), undefined);
        const text = serializeWorkingStateDocument(document([span('bad', 0, 10, { origin: origin(name) }), span('good', 20, 30)]));
        const parsed = parseWorkingStateDocument(text);
        assert.equal(parsed.kind, 'ok', JSON.stringify(parsed));
        if (parsed.kind !== 'ok') return;
        assert.deepEqual(parsed.document.spans.map((kept) => kept.id), ['good']);
        assert.equal(parsed.setAsideSpans?.length, 1);
        assert.match(parsed.setAsideSpans?.[0].reason ?? '', new RegExp(`spans\\[0\\]\\.origin\\.${field}`));
      });
    }
  }

  it('accepts a name exactly when the note parser does (property over generated names)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '-', '.', ' ', '\t', '\u0000', '\u202e', '\u200b', ':', '#', '[', 'é', '\u00a0'), maxLength: 12 }), (name) => {
        const parsed = parseWorkingStateDocument(serializeWorkingStateDocument(document([span('s', 0, 10, { origin: { kind: 'agent', tool: name, model: name } })])));
        assert.equal(parsed.kind, 'ok');
        if (parsed.kind !== 'ok') return;
        const kept = parsed.document.spans.length === 1;
        assert.equal(kept, originNameProblem(name) === undefined, JSON.stringify(name));
        assert.equal(kept, noteAccepts(name), JSON.stringify(name));
      }),
      { numRuns: 500 },
    );
  });
});

describe('repository paths', () => {
  it('accepts relative slash-separated paths and rejects the rest', () => {
    assert.equal(repoPathProblem('src/a.ts'), undefined);
    assert.equal(repoPathProblem('a b/ü.ts'), undefined);
    for (const bad of ['', '/abs', 'a//b', './a', 'a/../b', 'C:/x', '.git/config', 'a/\0']) {
      assert.notEqual(repoPathProblem(bad), undefined, bad);
    }
    // A backslash is a file-name character to git and POSIX; only where it separates directories is it refused.
    assert.equal(repoPathProblem('a\\b'), undefined);
    assert.match(repoPathProblem('a\\..\\..\\x', { backslashSeparates: true }) ?? '', /separator/);
    assert.throws(() => assertRepoPath('../x'), /invalid repository path/);
  });
});

describe('mergeSpans', () => {
  let next = 0;
  const newId = (): string => `piece-${next++}`;
  beforeEach(() => {
    next = 0;
  });

  it('keeps spans that either side added since the base', () => {
    const base = [span('a', 0, 10)];
    const ours = [span('a', 0, 10), span('o', 20, 30)];
    const theirs = [span('a', 0, 10), span('t', 40, 50)];
    assert.deepEqual(mergeSpans({ base, ours, theirs }, newId).map((s) => s.id), ['a', 'o', 't']);
  });

  it('drops spans that either side removed since the base', () => {
    const base = [span('a', 0, 10), span('b', 20, 30)];
    const ours = [span('b', 20, 30)];
    const theirs = [span('a', 0, 10)];
    assert.deepEqual(mergeSpans({ base, ours, theirs }, newId), []);
  });

  it('takes a review recorded by the other side and keeps our position', () => {
    const base = [span('a', 0, 10)];
    const ours = [span('a', 5, 15)];
    const theirs = [span('a', 0, 10, { review })];
    const merged = mergeSpans({ base, ours, theirs }, newId);
    assert.deepEqual(merged, [span('a', 5, 15, { review })]);
  });

  it('prefers our change when both sides changed the same field', () => {
    const other = { ...review, intent: 'other intent' };
    const base = [span('a', 0, 10)];
    const merged = mergeSpans({ base, ours: [span('a', 0, 10, { review })], theirs: [span('a', 0, 10, { review: other })] }, newId);
    assert.equal(merged[0].review?.intent, review.intent);
  });

  it('keeps a review that we removed only when the other side did not change it', () => {
    const base = [span('a', 0, 10, { review })];
    const merged = mergeSpans({ base, ours: [span('a', 0, 10)], theirs: [span('a', 0, 10, { review })] }, newId);
    assert.equal(merged[0].review, undefined);
    assert.equal('review' in merged[0], false);
  });

  it('keeps the larger human-changed count', () => {
    const base = [span('a', 0, 10)];
    const merged = mergeSpans({ base, ours: [span('a', 0, 10, { humanChangedChars: 2 })], theirs: [span('a', 0, 10, { humanChangedChars: 4 })] }, newId);
    assert.equal(merged[0].humanChangedChars, 4);
  });

  it('gives overlapping characters to the newer span and trims the older one around it', () => {
    const ours = [span('old', 0, 30, { insertedAt: 1 })];
    const theirs = [span('new', 10, 20, { insertedAt: 2, origin: { kind: 'agent', tool: 'cli' } })];
    const merged = mergeSpans({ base: [], ours, theirs }, newId);
    assert.deepEqual(
      merged.map((s) => [s.id, s.start, s.end]),
      [
        ['old', 0, 10],
        ['new', 10, 20],
        ['piece-0', 20, 30],
      ],
    );
  });

  it("gives overlapping characters to an exact report over a detector's guess, even when the guess is newer", () => {
    // A busy machine saw the file's reload (and guessed external-write) after the agent hook's `vouch mark`.
    const ours = [span('guess', 0, 30, { insertedAt: 5, confidence: 'medium', origin: { kind: 'external-write', tool: 'unknown-ai' } })];
    const theirs = [span('report', 0, 30, { insertedAt: 2, origin: { kind: 'agent', tool: 'claude-code' } })];
    assert.deepEqual(mergeSpans({ base: [], ours, theirs }, newId).map((s) => [s.id, s.start, s.end]), [['report', 0, 30]]);
    assert.deepEqual(mergeSpans({ base: [], ours: theirs, theirs: ours }, newId).map((s) => [s.id, s.start, s.end]), [['report', 0, 30]], 'whichever side holds it');
  });

  it('lets ours win overlaps of equal age, and never returns overlapping spans', () => {
    const ours = [span('o1', 0, 10), span('o2', 15, 25)];
    const theirs = [span('t1', 5, 18), span('t2', 24, 40)];
    const merged = mergeSpans({ base: [], ours, theirs }, newId);
    assert.deepEqual(
      merged.map((s) => [s.id, s.start, s.end]),
      [
        ['o1', 0, 10],
        ['t1', 10, 15],
        ['o2', 15, 25],
        ['t2', 25, 40],
      ],
    );
  });
});

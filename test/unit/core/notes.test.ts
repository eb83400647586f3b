import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan } from '../../../src/core/attribution';
import { base64ToBytes, bytesToBase64, canonicalJson, decodeUtf8Strict, utf8Bytes, type JsonValue } from '../../../src/core/notes/canonicalJson';
import { buildCommitRecord } from '../../../src/core/notes/recordFromSpans';
import { attributeLines, buildNoteRanges, hashLines, mapAttributionToBlob, splitLines, type AiLine } from '../../../src/core/notes/lineRanges';
import { searchLineWindows } from '../../../src/core/notes/lineSearch';
import { formatNoteLines, mergeNoteTexts, parseNote, parseRecordLine } from '../../../src/core/notes/noteParser';
import { buildNoteRecord, rangeAiShare, type NoteRange, type NoteRecordContent } from '../../../src/core/notes/noteRecord';
import { carryRecord, checkRecord } from '../../../src/core/notes/recordCheck';
import type { SpanReviewStatus } from '../../../src/core/review/reviewModel';
import { sha256Hex } from '../../../src/core/textHash';
import { acceptedReview, spanAt } from '../../support/spans';

const COMMIT = 'a'.repeat(40);
const TREE = 'b'.repeat(40);
const BLOB = 'c'.repeat(40);

function span(id: string, start: number, end: number, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return spanAt(id, start, end, { origin: { kind: 'inline', tool: 'github-copilot', model: 'gpt-4o' }, insertedAt: 1_700_000_000_000, insertedTextHash: sha256Hex('x'), ...extra });
}

const review = acceptedReview({ intent: 'parse the header — ünïcode', scope: ['files'], reviewedAt: '2025-01-02T03:04:05.000Z', textHash: sha256Hex('reviewed') });

function range(start: number, end: number, lines: readonly string[]): NoteRange {
  return { start, end, sha256: hashLines(lines, start, end), origin: { kind: 'chat', tool: 'claude-code' }, confidence: 'high', humanChangedShare: 0, review: null };
}

function sampleContent(lines: readonly string[] = ['a', 'b', 'c', 'd']): NoteRecordContent {
  return { commit: COMMIT, tree: TREE, patchId: 'd'.repeat(40), files: [{ path: 'src/x.ts', blob: BLOB, ranges: [range(2, 3, lines)] }] };
}

describe('notes: canonical JSON and base64', () => {
  it('sorts keys, drops undefined and has no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'é'], c: undefined }), '{"a":[true,null,"é"],"b":1}');
  });

  it('canonical JSON sorts keys at every depth, whether or not they came sorted', () => {
    const sortedCopy = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortedCopy);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedCopy((value as Record<string, unknown>)[key])]));
    };
    // A reference that never takes the engine's key order: each level joined by hand.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      if (value === null || typeof value !== 'object') return JSON.stringify(value);
      const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${reference((value as Record<string, unknown>)[key])}`);
      return `{${entries.join(',')}}`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal(canonicalJson(value as JsonValue), reference(value));
        assert.equal(canonicalJson(sortedCopy(value) as JsonValue), reference(value));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips bytes through strict base64 and rejects sloppy base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.deepEqual(base64ToBytes(bytesToBase64(bytes)), bytes);
      }),
    );
    assert.equal(base64ToBytes('YQ'), undefined);
    assert.equal(base64ToBytes('Y Q=='), undefined);
    assert.throws(() => decodeUtf8Strict(new Uint8Array([0xff, 0xfe])));
    assert.equal(decodeUtf8Strict(utf8Bytes('ü')), 'ü');
  });
});

describe('notes: records', () => {
  it('builds a one-line DSSE envelope over an in-toto statement that parses back exactly', () => {
    const record = buildNoteRecord(sampleContent());
    assert.ok(!record.line.includes('\n'));
    assert.match(record.line, /^[\x20-\x7e]+$/);
    const envelope = JSON.parse(record.line) as { payloadType: string; signatures: unknown[]; payload: string };
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
    assert.deepEqual(envelope.signatures, []);
    const statement = JSON.parse(decodeUtf8Strict(base64ToBytes(envelope.payload) as Uint8Array)) as { subject: unknown[]; predicate: { recordId: string } };
    assert.deepEqual(statement.subject, [
      { name: 'commit', digest: { gitCommit: COMMIT } },
      { name: 'tree', digest: { gitTree: TREE } },
      { name: 'file:src/x.ts', digest: { gitBlob: BLOB } },
    ]);
    assert.equal(statement.predicate.recordId, record.recordId);
    const parsed = parseRecordLine(record.line);
    assert.ok(parsed.ok);
    assert.equal(parsed.record.recordId, record.recordId);
    assert.deepEqual(parsed.record.payloadBytes, record.payloadBytes);
    assert.deepEqual(parsed.record.statement, record.statement);
  });

  it('gives equal content an equal id and line, and different content a different id', () => {
    const first = buildNoteRecord(sampleContent());
    const again = buildNoteRecord({ ...sampleContent(), files: [...sampleContent().files] });
    assert.equal(first.line, again.line);
    const other = buildNoteRecord({ ...sampleContent(), commit: 'e'.repeat(40) });
    assert.notEqual(other.recordId, first.recordId);
  });

  it('keeps non-ASCII review text exactly', () => {
    const lines = ['a', 'b'];
    const content: NoteRecordContent = {
      ...sampleContent(lines),
      files: [{ path: 'ü.ts', blob: BLOB, ranges: [{ ...range(1, 2, lines), review: { ...review, scope: [...review.scope], reviewer: { ...review.reviewer } } }] }],
    };
    const parsed = parseRecordLine(buildNoteRecord(content).line);
    assert.ok(parsed.ok);
    assert.equal(parsed.record.statement.predicate.files[0].ranges[0].review?.intent, review.intent);
  });

  it('reads aiShare when present (records without it mean 1) and rejects one outside (0, 1]', () => {
    const lines = ['a', 'b', 'c', 'd'];
    const withShare = (aiShare: number): NoteRecordContent => ({ ...sampleContent(lines), files: [{ path: 'src/x.ts', blob: BLOB, ranges: [{ ...range(2, 3, lines), aiShare }] }] });
    const mixed = parseRecordLine(buildNoteRecord(withShare(0.25)).line);
    assert.ok(mixed.ok);
    assert.equal(rangeAiShare(mixed.record.statement.predicate.files[0].ranges[0]), 0.25);
    const older = parseRecordLine(buildNoteRecord(sampleContent(lines)).line);
    assert.ok(older.ok);
    assert.equal(rangeAiShare(older.record.statement.predicate.files[0].ranges[0]), 1);
    for (const bad of [0, 1.5, -0.1]) {
      const parsed = parseRecordLine(buildNoteRecord(withShare(bad)).line);
      assert.ok(!parsed.ok && /aiShare/.test(parsed.reason), `aiShare ${bad} is refused`);
    }
  });

  it('rejects a bad record alone, with a reason, and reads the rest', () => {
    const good = buildNoteRecord(sampleContent()).line;
    const tampered = JSON.parse(good) as { payload: string };
    const statement = JSON.parse(decodeUtf8Strict(base64ToBytes(tampered.payload) as Uint8Array)) as { predicate: { files: { ranges: { start: number }[] }[] } };
    statement.predicate.files[0].ranges[0].start = 1;
    const tamperedLine = JSON.stringify({ ...tampered, payload: bytesToBase64(utf8Bytes(JSON.stringify(statement))) });
    const note = ['not json', good, '', tamperedLine, '{"payload":"","payloadType":"text/plain","signatures":[]}', good].join('\n');
    const parsed = parseNote(note);
    assert.equal(parsed.records.length, 1);
    assert.deepEqual(
      parsed.rejected.map((item) => item.line),
      [1, 4, 5],
    );
    assert.equal(parsed.rejected[0].reason, 'not JSON');
    assert.match(parsed.rejected[1].reason, /recordId: does not match/);
    assert.match(parsed.rejected[2].reason, /payloadType/);
  });

  it('names the schema problem of a malformed predicate', () => {
    const bad = (mutate: (predicate: Record<string, unknown>) => void): string => {
      const record = buildNoteRecord(sampleContent());
      const statement = JSON.parse(decodeUtf8Strict(record.payloadBytes)) as { predicate: Record<string, unknown> };
      mutate(statement.predicate);
      const result = parseRecordLine(JSON.stringify({ payload: bytesToBase64(utf8Bytes(JSON.stringify(statement))), payloadType: 'application/vnd.in-toto+json', signatures: [] }));
      assert.ok(!result.ok);
      return result.reason;
    };
    assert.match(bad((p) => (p.commit = 'HEAD')), /predicate\.commit: has an invalid form/);
    assert.match(bad((p) => (p.files = 'none')), /predicate\.files: must be an array/);
    assert.match(bad((p) => ((p.files as { path: string }[])[0].path = '../etc/passwd')), /relative repository path/);
    assert.match(bad((p) => (p.schemaVersion = 2)), /unsupported version/);
  });

  it('merges notes like cat_sort_uniq: sorted, unique, blank lines dropped', () => {
    assert.equal(mergeNoteTexts('b\na\n', '\nc\na\n'), 'a\nb\nc\n');
    assert.equal(formatNoteLines(['z', 'y', 'z']), 'y\nz\n');
  });
});

describe('notes: lines', () => {
  it('splits lines with or without a final newline', () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
    assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
    assert.deepEqual(splitLines('a\r\n\n'), ['a\r', '']);
  });

  it('marks a line AI when any of its non-whitespace characters is AI, with its character counts', () => {
    const text = 'human\n  ai line\nmixed ai\n   \nend';
    const ai = span('s1', text.indexOf('ai line'), text.indexOf('ai line') + 'ai line'.length);
    const mixed = span('s2', text.indexOf('ai\n   '), text.indexOf('ai\n   ') + 2);
    const lines = attributeLines(text, [ai, mixed]);
    assert.deepEqual(
      lines.map((item) => (item ? [item.span.id, item.aiChars, item.nonWhitespaceChars] : undefined)),
      [undefined, ['s1', 6, 6], ['s2', 2, 7], undefined, undefined],
    );
  });

  it('names a line by a span that needs review when another span on it is accepted', () => {
    const text = 'a = 1; b = 2;\n';
    const accepted = span('acc', 0, 6, { review: { ...review, textHash: sha256Hex('a = 1;') } });
    const open = span('open', 7, 13);
    const [line] = attributeLines(text, [accepted, open]);
    assert.deepEqual([line?.span.id, line?.status], ['open', 'unreviewed']);
  });

  it('counts a blank line inside an AI block as AI, like the ledger does', () => {
    const text = 'human\nfn a() {\n\n  body();\n}\n\nhuman again\n';
    const block = span('b', text.indexOf('fn a'), text.indexOf('}') + 1);
    assert.deepEqual(
      attributeLines(text, [block]).map((item) => item?.span.id),
      [undefined, 'b', 'b', 'b', 'b', undefined, undefined],
    );
  });

  it('maps working attribution into the blob, leaving unstaged lines pending', () => {
    const working = 'keep\nAI one\nhuman\nAI two (unstaged)\n';
    const blob = 'new header\nkeep\nAI one\nhuman\n';
    const one = span('one', working.indexOf('AI one'), working.indexOf('AI one') + 6);
    const two = span('two', working.indexOf('AI two'), working.indexOf('AI two') + 17);
    const mapped = mapAttributionToBlob(working, [one, two], blob);
    assert.ok(mapped);
    assert.deepEqual(
      mapped.lines.map((item) => item?.span.id),
      [undefined, undefined, 'one', undefined],
    );
    assert.deepEqual(mapped.committedSpanIds, ['one']);
    assert.deepEqual(mapped.pendingSpanIds, ['two']);
    assert.deepEqual(mapped.committedPieces, [{ spanId: 'one', start: one.start, end: one.end }]);
  });

  it('splits a span committed in part: the characters of its committed lines are the committed piece', () => {
    const working = 'x\nAI 1\nAI 2\nAI 3 unstaged\n';
    const blob = 'x\nAI 1\nAI 2\n';
    const whole = span('w', 2, working.length - 1);
    const mapped = mapAttributionToBlob(working, [whole], blob);
    assert.ok(mapped);
    assert.deepEqual(mapped.committedPieces, [{ spanId: 'w', start: 2, end: working.indexOf('AI 3') }]);
    assert.deepEqual([mapped.committedSpanIds, mapped.pendingSpanIds], [[], ['w']]);
    assert.deepEqual(
      mapped.lines.map((item) => item?.span.id),
      [undefined, 'w', 'w'],
    );
  });

  it('groups consecutive lines of equal origin and review and pools the human share', () => {
    const lines = ['a', 'b', 'c', 'd', 'e'];
    const whole = (item: AttributedSpan, status: SpanReviewStatus = 'unreviewed'): AiLine => ({ span: item, status, aiChars: 1, nonWhitespaceChars: 1 });
    const first = span('1', 0, 10, { insertedLength: 10, humanChangedChars: 5 });
    const second = span('2', 0, 30, { insertedLength: 30, humanChangedChars: 0 });
    const reviewed = span('3', 0, 5, { review });
    const ranges = buildNoteRanges(lines, [whole(first), whole(second), undefined, whole(reviewed, 'accepted'), whole(first)]);
    assert.deepEqual(
      ranges.map((item) => [item.start, item.end, item.humanChangedShare, item.aiShare, item.review?.intent ?? null]),
      [
        [1, 2, 0.125, 1, null],
        [4, 4, 0, 1, review.intent],
        [5, 5, 0.5, 1, null],
      ],
    );
    assert.equal(ranges[0].sha256, sha256Hex('a\nb\n'));
  });

  it('gives mixed lines ranges of their own with their pooled AI share, and records no review for text changed after it', () => {
    const text = 'const a = 42;\nconst b = 43;\nfoo();\nbar();\n';
    const reviewed = { ...review, textHash: sha256Hex('stale text') };
    const spans = [span('m1', 10, 13), span('m2', 24, 27), span('w', 28, text.length - 1, { review: reviewed })];
    const ranges = buildNoteRanges(splitLines(text), attributeLines(text, spans));
    assert.deepEqual(
      ranges.map((item) => [item.start, item.end, item.aiShare, item.review]),
      [
        [1, 2, 0.3, null],
        [3, 4, 1, null],
      ],
    );
  });

  it('keeps a mixed share below 1 and above 0 after rounding', () => {
    const text = `${'x'.repeat(99_999)}y\n`;
    const [range] = buildNoteRanges(splitLines(text), attributeLines(text, [span('s', 0, 99_999)]));
    assert.equal(range.aiShare, 0.9999);
    const [low] = buildNoteRanges(splitLines(text), attributeLines(text, [span('t', 99_999, 100_000)]));
    assert.equal(low.aiShare, 0.0001);
  });

  it('finds a window by hash, nearest first, only in allowed lines', () => {
    const lines = ['x', 'a', 'b', 'y', 'a', 'b'];
    const hash = hashLines(lines, 2, 3);
    const find = (length: number, preferred: number, allowed?: (line: number) => boolean) => searchLineWindows(lines, length, hash, preferred, { allowed }).starts;
    assert.deepEqual(find(2, 5), [5, 2]);
    assert.deepEqual(find(2, 1, (line) => line >= 4), [5]);
    assert.deepEqual(find(7, 1), []);
  });

  it('maps identical text one to one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', ' ', '\n', 'xy'), { maxLength: 40 }), fc.nat(50), fc.nat(50), (parts, from, length) => {
        const text = parts.join('');
        const start = Math.min(from, text.length);
        const end = Math.min(text.length, start + length);
        const spans = [span('s', start, end)];
        const mapped = mapAttributionToBlob(text, spans, text);
        assert.ok(mapped);
        assert.deepEqual(mapped.lines, attributeLines(text, spans));
      }),
    );
  });
});

describe('notes: building, checking and carrying records', () => {
  it('builds the record of a commit and reports committed and pending spans', () => {
    const working = 'one\ntwo\n';
    const result = buildCommitRecord({
      commit: COMMIT,
      tree: TREE,
      patchId: null,
      files: [
        { path: 'a.ts', workingText: working, spans: [span('s', 4, 7)] },
        { path: 'gone.ts', workingText: 'x', spans: [span('g', 0, 1)] },
      ],
      blobs: new Map([['a.ts', { path: 'a.ts', blob: BLOB, text: working }]]),
    });
    assert.ok(result.record);
    assert.deepEqual(
      result.record.statement.predicate.files.map((file) => [file.path, file.ranges.map((item) => [item.start, item.end])]),
      [['a.ts', [[2, 2]]]],
    );
    assert.deepEqual(result.files[0].committedSpanIds, ['s']);
    assert.deepEqual(result.files[1].pendingSpanIds, ['g']);
    assert.equal(result.files[1].skipped, 'the file is not in the commit');
    const none = buildCommitRecord({ commit: COMMIT, tree: TREE, patchId: null, files: [{ path: 'a.ts', workingText: working, spans: [] }], blobs: new Map([['a.ts', { path: 'a.ts', blob: BLOB, text: working }]]) });
    assert.equal(none.record, undefined);
  });

  it('reports ranges valid, moved or stale against a commit’s lines', () => {
    const lines = ['a', 'b', 'c', 'd'];
    const record = buildNoteRecord(sampleContent(lines));
    assert.equal(checkRecord(record, COMMIT, () => lines).status, 'valid');
    const moved = checkRecord(record, 'f'.repeat(40), () => ['new', ...lines]);
    assert.equal(moved.status, 'valid');
    assert.equal(moved.writtenForOtherCommit, true);
    assert.deepEqual(moved.files[0].ranges[0], { start: 2, end: 3, status: 'moved', movedTo: 3 });
    const stale = checkRecord(record, COMMIT, () => ['a', 'B', 'c', 'd']);
    assert.equal(stale.status, 'stale');
    assert.equal(stale.files[0].ranges[0].status, 'stale');
    assert.equal(checkRecord(record, COMMIT, () => undefined).files[0].status, 'missing');
  });

  it('carries a record by line hashes only into lines the target added', () => {
    const lines = ['a', 'const first = computeFirst(input);', 'const second = computeSecond(first);', 'return combine(first, second);'];
    const source = buildNoteRecord({ ...sampleContent(lines), files: [{ path: 'src/x.ts', blob: BLOB, ranges: [range(2, 4, lines)] }] });
    const targetLines = ['z', ...lines];
    const target = (added: number[]) => ({ commit: 'e'.repeat(40), tree: TREE, patchId: null, files: new Map([['src/x.ts', { blob: 'f'.repeat(40), lines: targetLines, addedLines: new Set(added) }]]) });
    const carried = carryRecord(source, target([3, 4, 5]), 'line-hashes');
    assert.ok(carried);
    const predicate = carried.statement.predicate;
    assert.deepEqual(predicate.carriedFrom, { recordId: source.recordId, commit: COMMIT, match: 'line-hashes' });
    assert.deepEqual([predicate.files[0].ranges[0].start, predicate.files[0].ranges[0].end], [3, 5]);
    assert.equal(predicate.files[0].blob, 'f'.repeat(40));
    assert.equal(carryRecord(source, target([1, 2, 3, 4]), 'line-hashes'), undefined);
    assert.ok(carryRecord(source, target([]), 'patch-id'));
    assert.ok(parseRecordLine(carried.line).ok);
  });
});

describe('notes: docs/note-schema.json', () => {
  // ajv is a devDependency: the schema check always runs.
  type Validate = ((value: unknown) => boolean) & { errors?: unknown };
  let validate: Validate | undefined;
  before(function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv2020 = (require('ajv/dist/2020') as { default: new (options: object) => { compile(schema: object): Validate } }).default;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schema = require('../../../docs/note-schema.json') as object;
    validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
  });

  it('accepts the statements Vouch writes and rejects ones the parser rejects', () => {
    const lines = ['a', 'b', 'c', 'd'];
    const withReview: NoteRecordContent = {
      ...sampleContent(lines),
      carriedFrom: { recordId: 'f'.repeat(64), commit: COMMIT, match: 'patch-id' },
      files: [{ path: 'src/x.ts', blob: BLOB, ranges: [{ ...range(1, 2, lines), review: { ...review, scope: ['files'], reviewer: { ...review.reviewer } } }] }],
    };
    for (const content of [sampleContent(lines), withReview]) {
      const statement = JSON.parse(decodeUtf8Strict(buildNoteRecord(content).payloadBytes)) as { predicate: Record<string, unknown> };
      assert.ok(validate?.(statement), JSON.stringify(validate?.errors));
      assert.equal(validate?.({ ...statement, predicate: { ...statement.predicate, commit: 'HEAD' } }), false);
      assert.equal(validate?.({ ...statement, predicate: { ...statement.predicate, schemaVersion: 2 } }), false);
      assert.equal(validate?.({ ...statement, predicate: { ...statement.predicate, extra: true } }), true, 'unknown fields are ignored');
    }
  });
});

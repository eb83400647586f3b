import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { base64ToBytes, bytesToBase64, decodeUtf8Strict, utf8Bytes } from '../../../src/core/notes/canonicalJson';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { parseNote, parseRecordLine } from '../../../src/core/notes/noteParser';
import { buildNoteRecord, type NoteRecordContent } from '../../../src/core/notes/noteRecord';
import { sha256Hex } from '../../../src/core/textHash';
import { nativeSha256Hex } from '../../../src/git/blame/nativeSha256';

function content(intent: string, start: number): NoteRecordContent {
  const lines = ['a', 'b', 'c', 'd', 'e'];
  return {
    commit: 'a'.repeat(40),
    tree: 'b'.repeat(40),
    patchId: null,
    files: [
      {
        path: 'src/ü.ts',
        blob: 'c'.repeat(40),
        ranges: [
          {
            start,
            end: start + 1,
            sha256: hashLines(lines, start, start + 1),
            origin: { kind: 'inline', tool: 'github-copilot', model: 'gpt-4o' },
            confidence: 'high',
            humanChangedShare: 0.25,
            review: { decision: 'accepted', intent, scope: ['files'], reviewer: { name: 'Ada', email: 'ada@example.com' }, reviewedAt: '2025-01-02T03:04:05.000Z', textHash: sha256Hex('x') },
          },
        ],
      },
    ],
  };
}

describe('note parsing with node\'s native sha256 (blame overlay)', () => {
  it('hashes exactly as core\'s sha256Hex, for any text including lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        assert.equal(nativeSha256Hex(text), sha256Hex(text));
      }),
    );
    assert.equal(nativeSha256Hex('\ud800'), sha256Hex('\ud800'));
    assert.equal(nativeSha256Hex(''), sha256Hex(''));
  });

  it('parses a note to the same records and rejections as the default hasher', () => {
    const good = buildNoteRecord(content('parse the header — ünïcode \ud83d\ude00', 2)).line;
    const other = buildNoteRecord(content('another', 3)).line;
    const envelope = JSON.parse(good) as { payload: string };
    const statement = JSON.parse(decodeUtf8Strict(base64ToBytes(envelope.payload) as Uint8Array)) as { predicate: { files: { ranges: { end: number }[] }[] } };
    statement.predicate.files[0].ranges[0].end = 4;
    const tampered = JSON.stringify({ ...envelope, payload: bytesToBase64(utf8Bytes(JSON.stringify(statement))) });
    const note = [good, 'not json', tampered, '', other, good].join('\n');
    const native = parseNote(note, nativeSha256Hex);
    assert.deepEqual(native, parseNote(note));
    assert.equal(native.records.length, 2);
    assert.deepEqual(
      native.rejected.map((rejected) => [rejected.line, rejected.reason.slice(0, 30)]),
      [
        [2, 'not JSON'],
        [3, 'predicate.recordId: does not m'],
      ],
    );
  });

  it('checks the record id with the hash function it is given', () => {
    const line = buildNoteRecord(content('intent', 1)).line;
    assert.ok(parseRecordLine(line, nativeSha256Hex).ok);
    const wrongHash = parseRecordLine(line, () => '0'.repeat(64));
    assert.deepEqual(wrongHash, { ok: false, reason: 'predicate.recordId: does not match the record content' });
  });
});

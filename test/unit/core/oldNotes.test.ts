import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNote } from '../../../src/core/notes/noteParser';
import { bytesToBase64, canonicalJson, decodeUtf8Strict, type JsonValue } from '../../../src/core/notes/canonicalJson';
import { sha256Hex } from '../../../src/core/textHash';

/** Notes written by earlier Vouch versions (how each was made: test/fixtures/old-notes/README.md). */
function oldNote(commit: string): string {
  return readFileSync(join(__dirname, '../../fixtures/old-notes', `${commit}.note`), 'utf8');
}

/** The note line of `statement` re-encoded unsigned, with its record id recomputed. */
function lineOf(statement: { predicate: Record<string, unknown> }): string {
  const withoutId = { ...statement, predicate: { ...statement.predicate, recordId: '' } };
  const recordId = sha256Hex(canonicalJson(withoutId as unknown as JsonValue));
  const payload = canonicalJson({ ...statement, predicate: { ...statement.predicate, recordId } } as unknown as JsonValue);
  return JSON.stringify({ payload: bytesToBase64(new TextEncoder().encode(payload)), payloadType: 'application/vnd.in-toto+json', signatures: [] });
}

function statementOf(line: string): { subject: { name: string; digest: Record<string, string> }[]; predicate: Record<string, unknown> } {
  const envelope = JSON.parse(line) as { payload: string };
  return JSON.parse(decodeUtf8Strict(Uint8Array.from(atob(envelope.payload), (c) => c.charCodeAt(0)))) as ReturnType<typeof statementOf>;
}

describe('notes written by earlier Vouch versions', () => {
  it('reads records whose subjects name the files by bare path (before file:<path>)', () => {
    const first = parseNote(oldNote('e25594a'));
    assert.deepEqual(first.rejected, []);
    assert.equal(first.records.length, 1);
    assert.deepEqual(first.records[0].statement.predicate.files.map((file) => file.path), ['a.js', 'b.js', 'c.js']);
    const withApproval = parseNote(oldNote('77782ba'));
    assert.deepEqual(withApproval.rejected, []);
    assert.equal(withApproval.records.length, 2);
  });

  it('still refuses an old-shape subject list that does not match the predicate position by position', () => {
    const [line] = oldNote('e25594a').split('\n');
    const statement = statementOf(line);
    const swapped = { ...statement, subject: [statement.subject[0], statement.subject[1], statement.subject[3], statement.subject[2], statement.subject[4]] };
    assert.equal(parseNote(lineOf(swapped)).records.length, 0);
    const wrongBlob = { ...statement, subject: statement.subject.map((subject, index) => (index === 2 ? { name: subject.name, digest: { gitBlob: 'f'.repeat(40) } } : subject)) };
    assert.equal(parseNote(lineOf(wrongBlob)).records.length, 0);
    const missingFile = { ...statement, subject: statement.subject.slice(0, 4) };
    assert.equal(parseNote(lineOf(missingFile)).records.length, 0);
    // The unchanged statement, re-encoded the same way, still reads (the cases above fail for their change alone).
    assert.equal(parseNote(lineOf(statement)).records.length, 1);
  });
});

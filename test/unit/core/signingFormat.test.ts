import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkSigner, matchPattern, matchPatternList, parseAllowedSigners, parseSignerTime } from '../../../src/core/signing/allowedSigners';
import { buildClaimEnvelope, parseClaimEnvelope } from '../../../src/core/signing/attributionClaim';
import { decodeBase64EitherAlphabet, preAuthEncoding } from '../../../src/core/signing/dsse';
import { findDuplicateJsonKey } from '../../../src/core/signing/jsonDuplicateKeys';
import { bytesToBase64, decodeUtf8Strict, utf8Bytes } from '../../../src/core/notes/canonicalJson';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { buildNoteRecord, computeRecordId, type NoteRecordContent, type NoteStatement } from '../../../src/core/notes/noteRecord';
import { hashLines } from '../../../src/core/notes/lineRanges';

const COMMIT = 'a'.repeat(40);
const TREE = 'b'.repeat(40);
const ED25519_LINE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ7Wb8bJ0nqdmS7DFCKZ1T9rr7d4EQdZ7aP7rUF6zPzG test';
const OTHER_LINE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDo2RlLrdmHkGB0h0HWkdPdoqIb0L5sBmVD6ZOFVfmNp other';

function content(paths: readonly string[]): NoteRecordContent {
  const lines = ['x', 'y'];
  return {
    commit: COMMIT,
    tree: TREE,
    patchId: null,
    files: paths.map((path, index) => ({
      path,
      blob: String(index + 1).repeat(40).slice(0, 40),
      ranges: [{ start: 1, end: 2, sha256: hashLines(lines, 1, 2), origin: { kind: 'chat' as const, tool: 'claude-code' }, confidence: 'high' as const, humanChangedShare: 0, review: null }],
    })),
  };
}

/** A record line whose statement was changed by `mutate` (record id recomputed unless told not to). */
function lineWith(mutate: (statement: Record<string, unknown>) => void, envelopeExtra: Record<string, unknown> = {}, encode = bytesToBase64): string {
  const record = buildNoteRecord(content(['src/a.ts']));
  const statement = JSON.parse(decodeUtf8Strict(record.payloadBytes)) as Record<string, unknown>;
  mutate(statement);
  const predicate = statement.predicate as Record<string, unknown>;
  predicate.recordId = computeRecordId(statement as unknown as NoteStatement);
  return JSON.stringify({ payload: encode(utf8Bytes(JSON.stringify(statement))), payloadType: 'application/vnd.in-toto+json', signatures: [], ...envelopeExtra });
}

describe('signing: DSSE pre-authentication encoding', () => {
  it('is DSSEv1 SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes', () => {
    assert.equal(new TextDecoder().decode(preAuthEncoding('http://example.com/HelloWorld', utf8Bytes('hello world'))), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    assert.equal(new TextDecoder().decode(preAuthEncoding('application/vnd.in-toto+json', utf8Bytes(''))), 'DSSEv1 28 application/vnd.in-toto+json 0 ');
    assert.equal(new TextDecoder().decode(preAuthEncoding('tÿpe', utf8Bytes('ü'))), 'DSSEv1 5 tÿpe 2 ü');
  });

  it('keeps the body bytes exactly, whatever they are', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        const pae = preAuthEncoding('t', body);
        const head = utf8Bytes(`DSSEv1 1 t ${body.length} `);
        assert.deepEqual(pae.subarray(0, head.length), head);
        assert.deepEqual(pae.subarray(head.length), body);
      }),
    );
  });
});

describe('signing: base64 in either alphabet', () => {
  it('reads standard and URL-safe base64, padded or not, as the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const standard = bytesToBase64(bytes);
        const urlSafe = standard.replace(/\+/g, '-').replace(/\//g, '_');
        for (const text of [standard, standard.replace(/=+$/, ''), urlSafe, urlSafe.replace(/=+$/, '')]) assert.deepEqual(decodeBase64EitherAlphabet(text), bytes, text);
      }),
    );
  });

  it('refuses mixed alphabets, whitespace and bad lengths', () => {
    assert.equal(decodeBase64EitherAlphabet('+_8='), undefined);
    assert.equal(decodeBase64EitherAlphabet('YW Jj'), undefined);
    assert.equal(decodeBase64EitherAlphabet('YWJjZ'), undefined);
    assert.equal(decodeBase64EitherAlphabet('YQ='), undefined);
  });
});

describe('signing: duplicate JSON keys', () => {
  it('finds a key that occurs twice in one object, at any depth, also when escaped', () => {
    assert.equal(findDuplicateJsonKey('{"a":1,"b":2,"a":3}'), 'a');
    assert.equal(findDuplicateJsonKey('{"x":[{"k":1},{"k":2,"k":3}]}'), 'k');
    assert.equal(findDuplicateJsonKey('{"a":1,"\\u0061":2}'), 'a');
    assert.equal(findDuplicateJsonKey('{"a":{"a":{"a":1}},"b":"{\\"b\\":1,\\"b\\":2}"}'), undefined);
    assert.equal(findDuplicateJsonKey('[{"a":1},{"a":2}]'), undefined);
    assert.equal(findDuplicateJsonKey('{"s":"a\\\\","s2":"\\"}"}'), undefined);
  });

  it('never reports a JSON text serialised from a value, and always finds an injected duplicate', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.string(), (value, key) => {
        const text = JSON.stringify(value);
        assert.equal(findDuplicateJsonKey(text), undefined);
        const withKey = JSON.stringify({ [key]: 1, ...value, [key]: 2 }); // one key, set twice: serialised once
        assert.equal(findDuplicateJsonKey(withKey), undefined);
        const injected = `{${JSON.stringify(key)}:0,${JSON.stringify(key)}:1${text === '{}' ? '' : `,${text.slice(1, -1)}`}}`;
        assert.equal(findDuplicateJsonKey(injected), key);
      }),
    );
  });
});

describe('signing: readers follow DSSE and in-toto', () => {
  it('ignores unknown fields in the envelope, signatures, statement, subjects and predicate', () => {
    const line = lineWith(
      (statement) => {
        statement.extension = { by: 'someone' };
        (statement.predicate as Record<string, unknown>).futureField = [1, 2];
        (statement.subject as Record<string, unknown>[])[0].annotations = { x: 'y' };
      },
      { extra: true, signatures: [{ sig: 'c2ln', keyid: '', extra: 1 }] },
    );
    const parsed = parseRecordLine(line);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  });

  it('reads an envelope without "signatures" as unsigned (DSSE: empty fields may be omitted)', () => {
    const withEmpty = JSON.parse(lineWith(() => undefined)) as Record<string, unknown>;
    delete withEmpty.signatures;
    const parsed = parseRecordLine(JSON.stringify(withEmpty));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.deepEqual(parsed.record.envelope.signatures, []);
    const notAnArray = parseRecordLine(JSON.stringify({ ...withEmpty, signatures: null }));
    assert.ok(!notAnArray.ok && /envelope\.signatures: must be an array/.test(notAnArray.reason));
    const noPayloadType = parseRecordLine(JSON.stringify({ payload: withEmpty.payload }));
    assert.ok(!noPayloadType.ok && /missing "payloadType"/.test(noPayloadType.reason));
    const claim = buildClaimEnvelope({ principal: 'agent@example.com', tool: 'claude-code', kind: 'chat', path: 'a.ts', start: 1, end: 1, sha256: 'c'.repeat(64), createdAt: '2024-01-01T00:00:00Z' });
    const { signatures: _omitted, ...claimWithoutSignatures } = claim.envelope;
    const readClaim = parseClaimEnvelope(claimWithoutSignatures);
    assert.ok(readClaim.ok, readClaim.ok ? '' : readClaim.reason);
    assert.deepEqual(readClaim.value.envelope.signatures, []);
  });

  it('reads a payload in URL-safe base64 without padding', () => {
    const urlSafe = (bytes: Uint8Array) => bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const line = lineWith((statement) => {
      // Characters whose base64 holds + and / in the standard alphabet.
      (statement.predicate as Record<string, unknown>).note = '\u00fb\u00ff\u00fe>>>???';
    }, {}, urlSafe);
    assert.ok(/[-_]/.test((JSON.parse(line) as { payload: string }).payload));
    const parsed = parseRecordLine(line);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  });

  it('accepts a subject with several digests and refuses one without its git digest', () => {
    assert.ok(parseRecordLine(lineWith((statement) => ((statement.subject as { digest: Record<string, string> }[])[0].digest.sha256 = 'f'.repeat(64)))).ok);
    const missing = parseRecordLine(lineWith((statement) => ((statement.subject as { digest: Record<string, string> }[])[0].digest = { sha256: 'f'.repeat(64) })));
    assert.ok(!missing.ok);
    assert.match(missing.reason, /does not match the predicate \(gitCommit\)/);
  });

  it('gives files named commit and tree their own unique subjects', () => {
    const record = buildNoteRecord(content(['commit', 'tree']));
    const names = record.statement.subject.map((subject) => subject.name);
    assert.deepEqual(names, ['commit', 'tree', 'file:commit', 'file:tree']);
    assert.ok(parseRecordLine(record.line).ok);
  });

  it('refuses a subject named twice, a subject the predicate does not describe, and a missing one', () => {
    const twice = parseRecordLine(lineWith((statement) => (statement.subject as unknown[]).push((statement.subject as unknown[])[0])));
    assert.ok(!twice.ok);
    assert.match(twice.reason, /appears twice/);
    const extra = parseRecordLine(lineWith((statement) => (statement.subject as unknown[]).push({ name: 'file:other', digest: { gitBlob: 'e'.repeat(40) } })));
    assert.ok(!extra.ok);
    assert.match(extra.reason, /names nothing the predicate describes/);
    const missing = parseRecordLine(lineWith((statement) => (statement.subject as unknown[]).pop()));
    assert.ok(!missing.ok);
    assert.match(missing.reason, /must list the commit, the tree and every file/);
  });

  it('refuses duplicate keys in the envelope and in the payload before anything else', () => {
    const good = buildNoteRecord(content(['src/a.ts'])).line;
    const envelopeDuplicate = good.replace('{"payload"', '{"payloadType":"x","payload"');
    const first = parseRecordLine(envelopeDuplicate);
    assert.ok(!first.ok);
    assert.match(first.reason, /envelope: duplicate key "payloadType"/);
    const record = buildNoteRecord(content(['src/a.ts']));
    const payloadText = decodeUtf8Strict(record.payloadBytes).replace('{"_type"', '{"predicateType":"https://example.com/other","_type"');
    const payloadDuplicate = JSON.stringify({ payload: bytesToBase64(utf8Bytes(payloadText)), payloadType: 'application/vnd.in-toto+json', signatures: [] });
    const second = parseRecordLine(payloadDuplicate);
    assert.ok(!second.ok);
    assert.match(second.reason, /payload: duplicate key "predicateType"/);
  });
});

describe('signing: allowed signers file', () => {
  it('reads principals, options and keys as ssh-keygen documents them', () => {
    const file = parseAllowedSigners(
      [
        '# comment',
        '',
        `ada@example.com,bob@example.com ${ED25519_LINE}`,
        `"*@example.com" namespaces="vouch-attestation-v1,file",valid-after="20240101",valid-before=20250101Z ${OTHER_LINE}`,
        `ca@example.com cert-authority ${OTHER_LINE}`,
        `bad@example.com unknown-option ${OTHER_LINE}`,
        'broken line',
      ].join('\n'),
    );
    assert.equal(file.signers.length, 3);
    assert.deepEqual(
      file.problems.map((problem) => problem.line),
      [6, 7],
    );
    const [first, second, third] = file.signers;
    assert.equal(first.principals, 'ada@example.com,bob@example.com');
    assert.equal(first.keyType, 'ssh-ed25519');
    assert.equal(second.principals, '*@example.com');
    assert.equal(second.namespaces, 'vouch-attestation-v1,file');
    assert.equal(second.validAfter, new Date(2024, 0, 1).getTime());
    assert.equal(second.validBefore, Date.UTC(2025, 0, 1));
    assert.ok(third.certAuthority);
  });

  it('parses YYYYMMDD[HHMM[SS]][Z] times', () => {
    assert.equal(parseSignerTime('20240229Z'), Date.UTC(2024, 1, 29));
    assert.equal(parseSignerTime('202402291230Z'), Date.UTC(2024, 1, 29, 12, 30));
    assert.equal(parseSignerTime('20240229123045Z'), Date.UTC(2024, 1, 29, 12, 30, 45));
    assert.equal(parseSignerTime('2024022912'), undefined);
    assert.equal(parseSignerTime('20241301'), undefined);
  });

  it('matches ssh pattern-lists: wildcards, negation', () => {
    assert.ok(matchPattern('ada@example.com', '*@example.com'));
    assert.ok(matchPattern('ada@example.com', 'ad?@*.com'));
    assert.ok(!matchPattern('ada@example.com.evil', '*@example.com'));
    assert.ok(matchPatternList('ada@example.com', 'bob@x,*@example.com'));
    assert.ok(!matchPatternList('ada@example.com', '*@example.com,!ada@*'));
    assert.ok(!matchPatternList('ada@example.com', '!bob@example.com'));
  });

  it('checks key, principal, namespace and validity window', () => {
    const file = parseAllowedSigners(
      [`ada@example.com ${ED25519_LINE}`, `bob@example.com namespaces="git",valid-after=20240101Z,valid-before=20250101Z ${OTHER_LINE}`].join('\n'),
    );
    const ada = file.signers[0].keyBlob;
    const bob = file.signers[1].keyBlob;
    const at = (iso: string) => Date.parse(iso);
    const namespace = 'vouch-attestation-v1';
    assert.ok(checkSigner(file, { principal: 'ada@example.com', namespace, keyBlob: ada, time: at('2030-01-01T00:00:00Z') }).ok);
    const wrongPerson = checkSigner(file, { principal: 'bob@example.com', namespace, keyBlob: ada, time: at('2024-06-01T00:00:00Z') });
    assert.ok(!wrongPerson.ok && wrongPerson.reason === 'not-listed');
    const wrongNamespace = checkSigner(file, { principal: 'bob@example.com', namespace, keyBlob: bob, time: at('2024-06-01T00:00:00Z') });
    assert.ok(!wrongNamespace.ok && wrongNamespace.reason === 'namespace');
    const expired = checkSigner(file, { principal: 'bob@example.com', namespace: 'git', keyBlob: bob, time: at('2025-06-01T00:00:00Z') });
    assert.ok(!expired.ok && expired.reason === 'expired');
    const early = checkSigner(file, { principal: 'bob@example.com', namespace: 'git', keyBlob: bob, time: at('2023-06-01T00:00:00Z') });
    assert.ok(!early.ok && early.reason === 'not-yet-valid');
  });
});

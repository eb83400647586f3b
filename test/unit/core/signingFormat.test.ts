import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkSigner, matchPattern, matchPatternList, parseAllowedSigners, parseSignerTime } from '../../../src/core/signing/allowedSigners';
import { buildClaimEnvelope, parseClaimEnvelope } from '../../../src/core/signing/attributionClaim';
import { decodeBase64EitherAlphabet, preAuthEncoding } from '../../../src/core/signing/dsse';
import { findDuplicateJsonKey } from '../../../src/core/signing/jsonDuplicateKeys';
import { bytesToBase64, decodeUtf8Strict, utf8Bytes } from '../../../src/core/notes/canonicalJson';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { buildNoteRecord, computeRecordId, type NoteRecordContent, type NoteStatement } from '../../../src/core/notes/noteRecord';
import { hashLines } from '../../../src/core/notes/lineRanges';
import { KeyDir, sshKeygen, type TestSshKey } from '../git/signingKeys';

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
  const NAMESPACE = 'vouch-attestation-v1';
  const adaKey = () => parseAllowedSigners(`ada@example.com ${ED25519_LINE}`).signers[0].keyBlob;
  /** checkSigner for ada's key in vouch's namespace, at `iso`. */
  const allows = (fileText: string, iso = '2024-06-01T12:00:00.500Z', principal = 'ada@example.com') =>
    checkSigner(parseAllowedSigners(fileText), { principal, namespace: NAMESPACE, keyBlob: adaKey(), time: Date.parse(iso) }).ok;

  it('reads principals, options and keys as ssh-keygen documents them', () => {
    const file = parseAllowedSigners(
      [
        '# comment',
        '',
        `ada@example.com,bob@example.com ${ED25519_LINE}`,
        `"*@example.com" namespaces="vouch-attestation-v1,file",valid-after="20240101",valid-before="20250101Z" ${OTHER_LINE}`,
        `ca@example.com cert-authority ${OTHER_LINE}`,
        `bad@example.com unknown-option ${OTHER_LINE}`,
        'broken line',
      ].join('\n'),
    );
    assert.equal(file.signers.length, 3);
    assert.deepEqual(file.problems, [
      { line: 6, reason: 'bad options: unknown key option' },
      { line: 7, reason: 'missing key' },
    ]);
    const [first, second, third] = file.signers;
    assert.equal(first.principals, 'ada@example.com,bob@example.com');
    assert.equal(first.keyType, 'ssh-ed25519');
    assert.equal(second.principals, '*@example.com');
    assert.equal(second.namespaces, 'vouch-attestation-v1,file');
    assert.equal(second.validAfter, new Date(2024, 0, 1).getTime());
    assert.equal(second.validBefore, Date.UTC(2025, 0, 1));
    assert.ok(third.certAuthority);
  });

  it('parses the times parse_absolute_time accepts: 8, 12 or 14 digits, Z, z or UTC for UTC', () => {
    assert.equal(parseSignerTime('20240229Z', 'valid-after'), Date.UTC(2024, 1, 29));
    assert.equal(parseSignerTime('202402291230Z', 'valid-after'), Date.UTC(2024, 1, 29, 12, 30));
    assert.equal(parseSignerTime('20240229123045Z', 'valid-after'), Date.UTC(2024, 1, 29, 12, 30, 45));
    assert.equal(parseSignerTime('20240229z', 'valid-before'), Date.UTC(2024, 1, 29));
    assert.equal(parseSignerTime('20240229UTC', 'valid-before'), Date.UTC(2024, 1, 29));
    assert.equal(parseSignerTime('202402291230utc', 'valid-before'), Date.UTC(2024, 1, 29, 12, 30));
    // timegm rolls days and seconds over; strptime allows seconds up to 61.
    assert.equal(parseSignerTime('20230231Z', 'valid-after'), Date.UTC(2023, 2, 3));
    assert.equal(parseSignerTime('20200101000061Z', 'valid-after'), Date.UTC(2020, 0, 1, 0, 1, 1));
    for (const refused of ['2024022912', '20241301', '20240229ZZ', '20240229 Z', 'UTC', 'Z', '20240229+0100', '19700101Z', '19691231235959Z', '00800101Z']) {
      assert.equal(parseSignerTime(refused, 'valid-after'), undefined, refused);
    }
    assert.equal(parseSignerTime('19700101000001Z', 'valid-after'), 1000);
  });

  it('reads local times as mktime with tm_isdst 0 does, or stricter where JavaScript cannot tell', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      // glibc reads summer dates as standard time (CET): 2024-07-01 00:00 is 2024-06-30T23:00Z.
      assert.equal(parseSignerTime('20240701', 'valid-after'), Date.UTC(2024, 5, 30, 23));
      assert.equal(parseSignerTime('20240101', 'valid-after'), Date.UTC(2023, 11, 31, 23));
      // valid-before takes the earlier of the zone's two offsets (never later than ssh-keygen's bound).
      assert.equal(parseSignerTime('20240701', 'valid-before'), Date.UTC(2024, 5, 30, 22));
      process.env.TZ = 'UTC';
      assert.equal(parseSignerTime('20240701', 'valid-before'), Date.UTC(2024, 6, 1));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('does not use a line whose option value lacks its quotes (opt_dequote: missing start quote)', () => {
    for (const option of ['namespaces=vouch-attestation-v1', 'valid-after=20200101', 'valid-before=20990101', 'valid-after=20200101Z']) {
      const text = `ada@example.com ${option} ${ED25519_LINE}`;
      assert.deepEqual(parseAllowedSigners(text).problems, [{ line: 1, reason: 'bad options: missing start quote' }], option);
      assert.ok(!allows(text), option);
    }
    assert.deepEqual(parseAllowedSigners(`ada@example.com namespaces="vouch ${ED25519_LINE}`).problems, [{ line: 1, reason: 'invalid options' }]);
    assert.ok(allows(`ada@example.com namespaces="vouch-attestation-v1",valid-after="20200101",valid-before="20990101" ${ED25519_LINE}`));
  });

  it('does not use a line that repeats an option clause, whatever the values', () => {
    for (const [options, clause] of [
      ['namespaces="git",namespaces="vouch-attestation-v1"', 'namespaces'],
      ['valid-after="20200101Z",valid-after="20210101Z"', 'valid-after'],
      ['valid-before="20200101",valid-before="20990101"', 'valid-before'],
      ['VALID-BEFORE="20990101",valid-before="20990101"', 'valid-before'],
    ]) {
      const text = `ada@example.com ${options} ${ED25519_LINE}`;
      assert.deepEqual(parseAllowedSigners(text).problems, [{ line: 1, reason: `bad options: multiple "${clause}" clauses` }], options);
      assert.ok(!allows(text), options);
    }
    // cert-authority has no such rule in sshsig.c.
    assert.equal(parseAllowedSigners(`ada@example.com cert-authority,cert-authority ${ED25519_LINE}`).signers.length, 1);
  });

  it('skips a line OpenSSH cannot parse and still reads the next ones', () => {
    const good = `ada@example.com ${ED25519_LINE}`;
    for (const bad of ['bob@example.com garbage', `bob@example.com foo="x" ${OTHER_LINE}`, `ada@example.com valid-after="2020" ${ED25519_LINE}`, '"unclosed quote', 'lonely']) {
      const file = parseAllowedSigners(`${bad}\n${good}\n`);
      assert.equal(file.problems.length, 1, bad);
      assert.equal(file.problems[0].line, 1, bad);
      assert.deepEqual(file.signers.map((signer) => signer.line), [2], bad);
      assert.ok(allows(`${bad}\n${good}\n`), bad);
    }
  });

  it('reads quotes inside the principals field as strdelimw does', () => {
    assert.equal(parseAllowedSigners(`a"b,ada@example.com" ${ED25519_LINE}`).signers[0].principals, 'ab,ada@example.com');
    assert.ok(allows(`a"b,ada@example.com" ${ED25519_LINE}`));
    assert.equal(parseAllowedSigners(`"ada@example.com, bob@example.com" ${ED25519_LINE}`).signers[0].principals, 'ada@example.com, bob@example.com');
    // The quoted part ends the word: the rest of the token is read as options.
    assert.deepEqual(parseAllowedSigners(`"ada"@example.com ${ED25519_LINE}`).problems, [{ line: 1, reason: 'bad options: unknown key option' }]);
  });

  it('checks validity at the review time cut to whole seconds, as ssh-keygen -Overify-time does', () => {
    const until = `ada@example.com valid-before="20240601120000Z" ${ED25519_LINE}`;
    assert.ok(allows(until, '2024-06-01T12:00:00.999Z'));
    assert.ok(!allows(until, '2024-06-01T12:00:01.000Z'));
    const from = `ada@example.com valid-after="20240601120000Z" ${ED25519_LINE}`;
    assert.ok(allows(from, '2024-06-01T12:00:00.000Z'));
    assert.ok(!allows(from, '2024-06-01T11:59:59.999Z'));
  });

  it('matches ssh pattern-lists: wildcards, negation, bytes', () => {
    assert.ok(matchPattern('ada@example.com', '*@example.com'));
    assert.ok(matchPattern('ada@example.com', 'ad?@*.com'));
    assert.ok(!matchPattern('ada@example.com.evil', '*@example.com'));
    assert.ok(matchPatternList('ada@example.com', 'bob@x,*@example.com'));
    assert.ok(!matchPatternList('ada@example.com', '*@example.com,!ada@*'));
    assert.ok(!matchPatternList('ada@example.com', '!bob@example.com'));
    // match.c compares bytes: `?` is one byte, not one character.
    assert.ok(!matchPattern('\u00e9@example.com', '?@example.com'));
    assert.ok(matchPattern('\u00e9@example.com', '??@example.com'));
    // A sub-pattern of 1023 bytes or more fails the whole list in match.c.
    assert.ok(!matchPatternList('ada@example.com', `ada@example.com,${'x'.repeat(1023)}`));
    assert.ok(matchPatternList('ada@example.com', `ada@example.com,${'x'.repeat(1022)}`));
  });

  it('reads a file given as bytes, skipping a line that is not UTF-8', () => {
    const bytes = new Uint8Array([...utf8Bytes('ada@exampl'), 0xff, ...utf8Bytes(`e.com ${ED25519_LINE}\nbob@example.com ${OTHER_LINE}\n`)]);
    const file = parseAllowedSigners(bytes);
    assert.deepEqual(file.problems, [{ line: 1, reason: 'not UTF-8' }]);
    assert.deepEqual(file.signers.map((signer) => signer.principals), ['bob@example.com']);
    // A byte order mark stays part of the principals, as in OpenSSH.
    assert.equal(parseAllowedSigners(utf8Bytes(`\ufeffada@example.com ${ED25519_LINE}`)).signers[0].principals, '\ufeffada@example.com');
  });

  it('checks key, principal, namespace and validity window', () => {
    const file = parseAllowedSigners(
      [`ada@example.com ${ED25519_LINE}`, `bob@example.com namespaces="git",valid-after="20240101Z",valid-before="20250101Z" ${OTHER_LINE}`].join('\n'),
    );
    const ada = file.signers[0].keyBlob;
    const bob = file.signers[1].keyBlob;
    const at = (iso: string) => Date.parse(iso);
    assert.ok(checkSigner(file, { principal: 'ada@example.com', namespace: NAMESPACE, keyBlob: ada, time: at('2030-01-01T00:00:00Z') }).ok);
    const wrongPerson = checkSigner(file, { principal: 'bob@example.com', namespace: NAMESPACE, keyBlob: ada, time: at('2024-06-01T00:00:00Z') });
    assert.ok(!wrongPerson.ok && wrongPerson.reason === 'not-listed');
    const wrongNamespace = checkSigner(file, { principal: 'bob@example.com', namespace: NAMESPACE, keyBlob: bob, time: at('2024-06-01T00:00:00Z') });
    assert.ok(!wrongNamespace.ok && wrongNamespace.reason === 'namespace');
    const expired = checkSigner(file, { principal: 'bob@example.com', namespace: 'git', keyBlob: bob, time: at('2025-06-01T00:00:00Z') });
    assert.ok(!expired.ok && expired.reason === 'expired');
    const early = checkSigner(file, { principal: 'bob@example.com', namespace: 'git', keyBlob: bob, time: at('2023-06-01T00:00:00Z') });
    assert.ok(!early.ok && early.reason === 'not-yet-valid');
  });
});

describe('signing: allowed signers file, cross-checked with ssh-keygen -Y verify', function () {
  this.timeout(120_000);
  const NAMESPACE = 'vouch-attestation-v1';
  let keys: KeyDir;
  let ada: TestSshKey;
  let otherLine: string;
  let message: string;
  let signature: string;
  let adaBlob: Uint8Array;

  before(() => {
    keys = new KeyDir();
    ada = keys.sshKey('ada', 'ed25519');
    otherLine = keys.sshKey('bob', 'ed25519').publicLine;
    message = path.join(keys.dir, 'message');
    writeFileSync(message, 'DSSEv1 4 type 4 body');
    execFileSync(sshKeygen, ['-Y', 'sign', '-q', '-f', ada.privatePath, '-n', NAMESPACE, message], { stdio: 'ignore' });
    signature = `${message}.sig`;
    adaBlob = parseAllowedSigners(`x ${ada.publicLine}`).signers[0].keyBlob;
  });
  after(() => keys.cleanup());

  /** Both verdicts for ada's signature, as `principal`, at `iso` (ssh-keygen gets the second, as the docs' recipe gives it). */
  function verdicts(fileText: string, iso: string, zone: string, principal = 'ada@example.com'): { vouch: boolean; sshKeygen: boolean } {
    const file = path.join(keys.dir, 'allowed_signers');
    writeFileSync(file, fileText);
    const verifyTime = `${iso.replace(/[-:T]/g, '').slice(0, 14)}Z`;
    const run = spawnSync(sshKeygen, ['-Y', 'verify', '-f', file, '-I', principal, '-n', NAMESPACE, '-s', signature, `-Overify-time=${verifyTime}`], { input: readFileSync(message), env: { ...process.env, TZ: zone } });
    const saved = process.env.TZ;
    process.env.TZ = zone;
    try {
      const vouch = checkSigner(parseAllowedSigners(readFileSync(file)), { principal, namespace: NAMESPACE, keyBlob: adaBlob, time: Date.parse(iso) }).ok;
      return { vouch, sshKeygen: run.status === 0 };
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  }

  it('gives the verdict ssh-keygen gives for the deviations found (unquoted, repeated, skipped lines, time forms, quotes, boundary second)', () => {
    const key = ada.publicLine;
    const cases: [string, string][] = [
      [`ada@example.com namespaces=vouch-attestation-v1 ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after=20200101 ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-before=20990101 ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com namespaces="git",namespaces="vouch-attestation-v1" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-before="20200101",valid-before="20990101" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`bob@example.com garbage\nada@example.com ${key}`, '2024-06-01T12:00:00.700Z'],
      [`bob@example.com foo="x" ${key}\nada@example.com ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after="20200101UTC" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after="20200101z" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after="20240601120001utc" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`a"b,ada@example.com" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-before="20240601120000Z" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-before="20240601115959Z" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after="20240601120000Z" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after="20240601120001Z" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com ,namespaces="vouch-attestation-v1" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com namespaces="vouch-attestation-v1", ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com cert-authority="x" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com namespaces="x\\"y,vouch-*" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-after="19691231Z" ${key}`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com valid-before="20230231Z" ${key}`, '2023-03-02T12:00:00.000Z'],
      [`ada@example.com\t${key.replace(' ', '\t')}\r`, '2024-06-01T12:00:00.700Z'],
      [`ada@example.com ${key.replace(' ', '\v')}`, '2024-06-01T12:00:00.700Z'],
    ];
    for (const [fileText, iso] of cases) {
      const outcome = verdicts(`${fileText}\n`, iso, 'UTC');
      assert.equal(outcome.vouch, outcome.sshKeygen, `${JSON.stringify(fileText.replace(key, 'KEY'))}: vouch ${outcome.vouch}, ssh-keygen ${outcome.sshKeygen}`);
    }
  });

  it('never accepts what ssh-keygen rejects, and agrees in UTC, for lines made of option fragments', () => {
    const principal = fc.constantFrom('ada@example.com', '"ada@example.com"', 'a"da@example.co"m', '*@example.com', '!ada@example.com,*', 'bob@example.com', 'ada@example.com,!ada*');
    const time = fc.constantFrom('20200101', '20200101Z', '20990101z', '202406011200UTC', '20240601120000Z', '20240601120000', '2024060112', '20240631', '20241301Z');
    const clause = fc.oneof(
      fc.constantFrom('cert-authority', 'namespaces="vouch-attestation-v1"', 'namespaces="git"', 'namespaces=vouch-attestation-v1', 'NAMESPACES="vouch-*"', 'namespaces=""', 'foo="x"', ''),
      fc.tuple(fc.constantFrom('valid-after', 'valid-before', 'Valid-After'), time, fc.boolean()).map(([name, value, quoted]) => `${name}=${quoted ? `"${value}"` : value}`),
    );
    const line = fc.tuple(principal, fc.array(clause, { maxLength: 3 })).map(([who, clauses]) => `${who} ${clauses.length > 0 ? `${clauses.join(',')} ` : ''}${ada.publicLine}`);
    const fileText = fc.array(fc.oneof(line, fc.constant(otherLine), fc.constant('bob@example.com garbage')), { minLength: 1, maxLength: 3 }).map((lines) => `${lines.join('\n')}\n`);
    fc.assert(
      fc.property(fileText, fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'), (text, zone) => {
        const outcome = verdicts(text, '2024-06-01T12:00:00.700Z', zone);
        if (outcome.vouch) assert.ok(outcome.sshKeygen, `vouch accepts what ssh-keygen rejects (TZ=${zone}): ${text.replaceAll(ada.publicLine, 'KEY')}`);
        if (zone === 'UTC') assert.equal(outcome.vouch, outcome.sshKeygen, `verdicts differ: ${text.replaceAll(ada.publicLine, 'KEY')}`);
      }),
      { numRuns: 150 },
    );
  });
});

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import type { VerifyResultJson } from '../../../src/cli/commands/verify';
import type { Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { bytesToBase64, decodeUtf8Strict, utf8Bytes } from '../../../src/core/notes/canonicalJson';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { computeRecordId, type NoteStatement } from '../../../src/core/notes/noteRecord';
import { recordPae } from '../../../src/core/signing/signedRecord';
import { sha256Hex } from '../../../src/core/textHash';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { signerSource } from '../../../src/git/signing/recordSigning';
import { acceptedReview } from '../../support/spans';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';
import { KeyDir, makeGpgHome, sshKeygen, type TestSshKey } from '../git/signingKeys';

const aiText = 'export const sum = (a, b) => a + b;';

function review(email: string): Review {
  return acceptedReview({ intent: 'adds the sum helper', reviewer: { name: email.split('@')[0], email }, reviewedAt: '2025-06-01T00:00:00.000Z', textHash: sha256Hex(aiText) });
}

describe('vouch verify --allowed-signers (real keys)', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  let keys: KeyDir;
  let home: string;
  let ada: TestSshKey;
  let bob: TestSshKey;
  let allowedFile: string;

  beforeEach(async () => {
    repo = await TestRepo.create();
    keys = new KeyDir();
    home = keys.home();
    ada = keys.sshKey('ada', 'ed25519');
    bob = keys.sshKey('bob', 'ecdsa');
    allowedFile = path.join(keys.dir, 'allowed_signers');
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada, options: 'namespaces="vouch-attestation-v1"' }, { principal: 'bob@example.com', key: bob }]));
    await repo.commitFiles({ 'README.md': 'demo\n' }, 'base');
  });
  afterEach(() => {
    repo.cleanup();
    keys.cleanup();
  });

  /** Commits `file` with one AI line reviewed by `reviewer`, its record signed with `key` (VOUCH_SIGNING_KEY). */
  async function commitSigned(file: string, reviewer: string, key: string | undefined, extraEnv: Record<string, string | undefined> = {}): Promise<string> {
    const text = `// ${file}\n${aiText}\n`;
    const commit = await repo.commitFiles({ [file]: text }, `add ${file}`);
    const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: key, ...extraEnv };
    const signer = key === undefined ? undefined : signerSource(gitRunner, repo.dir, silentLogger, { env });
    const span = { ...aiSpan(text, aiText), review: review(reviewer) };
    const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files: [{ path: file, workingText: text, spans: [span] }] });
    if (key !== undefined) assert.ok(result.signing?.signedBy, `test setup: signed (${result.signing?.unsigned})`);
    return commit;
  }

  async function verdicts(...args: string[]): Promise<{ code: number; result: VerifyResultJson; stderr: string }> {
    const run = await vouch(repo.dir, 'verify', '--json', '--allowed-signers', allowedFile, ...args);
    return { code: run.code, result: JSON.parse(run.stdout) as VerifyResultJson, stderr: run.stderr };
  }

  async function noteLine(commit: string): Promise<string> {
    return (await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit])).split('\n')[0];
  }

  async function replaceNote(commit: string, line: string): Promise<void> {
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', line, commit]);
  }

  it('passes records signed by each reviewer with ed25519, ecdsa and rsa keys, and names the key', async () => {
    const carol = keys.sshKey('carol', 'rsa');
    writeFileSync(allowedFile, `${readFileSync(allowedFile, 'utf8')}carol@example.com ${carol.publicLine}\n`);
    await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    await commitSigned('b.js', 'bob@example.com', bob.privatePath);
    await commitSigned('c.js', 'carol@example.com', carol.privatePath);
    const { code, result } = await verdicts('--require-signed', 'HEAD~3..HEAD');
    assert.equal(code, 0, JSON.stringify(result.problems));
    const found = result.commits.flatMap((item) => item.signatures ?? []);
    assert.deepEqual(
      found.map((item) => [item.path, item.principal, item.verdict]),
      [
        ['a.js', 'ada@example.com', 'valid'],
        ['b.js', 'bob@example.com', 'valid'],
        ['c.js', 'carol@example.com', 'valid'],
      ],
    );
    assert.ok(found.every((item) => item.keyid?.startsWith('SHA256:')));
    const text = await vouch(repo.dir, 'verify', '--allowed-signers', allowedFile, '--require-signed', 'HEAD~3..HEAD');
    assert.match(text.stdout, /OK: .*3 of 3 reviewed range\(s\) signed by their reviewer; all AI code is reviewed and valid and signed/);
  });

  it('passes a record signed by a key held only in a test-started ssh-agent', async () => {
    const agentKey = keys.sshKey('agent-key', 'ed25519');
    const env = keys.startAgent(agentKey);
    writeFileSync(agentKey.privatePath, '');
    writeFileSync(allowedFile, `ada@example.com ${agentKey.publicLine}\n`);
    await commitSigned('a.js', 'ada@example.com', agentKey.publicLine, { SSH_AUTH_SOCK: env.SSH_AUTH_SOCK });
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 0, JSON.stringify(result.problems));
  });

  it('rejects a changed payload as bad-signature', async () => {
    const commit = await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    const envelope = JSON.parse(await noteLine(commit)) as { payload: string; payloadType: string; signatures: unknown[] };
    const statement = JSON.parse(decodeUtf8Strict(Buffer.from(envelope.payload, 'base64'))) as NoteStatement & { predicate: { files: { ranges: { review: { intent: string } }[] }[] } };
    statement.predicate.files[0].ranges[0].review.intent = 'something else entirely';
    (statement.predicate as { recordId: string }).recordId = computeRecordId(statement);
    await replaceNote(commit, JSON.stringify({ ...envelope, payload: bytesToBase64(utf8Bytes(JSON.stringify(statement))) }));
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 1);
    assert.deepEqual(
      result.problems.map((problem) => [problem.kind, problem.path, problem.start, problem.end]),
      [['bad-signature', 'a.js', 2, 2]],
    );
    assert.match(result.problems[0].message, /does not match the record/);
  });

  it('rejects a changed line in the file as stale', async () => {
    await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    await repo.git(['config', 'notes.rewriteRef', 'refs/notes/vouch']);
    repo.write('a.js', '// a.js\nexport const sum = (a, b) => a - b;\n');
    await repo.git(['add', 'a.js']);
    await repo.git(['commit', '-q', '--amend', '--no-edit']);
    const { code, result } = await verdicts('HEAD');
    assert.equal(code, 1);
    assert.deepEqual(
      result.problems.map((problem) => problem.kind),
      ['stale'],
    );
  });

  it("rejects another person's key as unknown-signer", async () => {
    await commitSigned('a.js', 'ada@example.com', bob.privatePath);
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 1);
    assert.equal(result.problems[0].kind, 'unknown-signer');
    assert.match(result.problems[0].message, /a\.js:2-2: vouched for by ada@example\.com: unknown-signer: SHA256:\S+: the key is not listed for ada@example\.com/);
  });

  it('rejects a signature made for another namespace as bad-signature', async () => {
    const commit = await commitSigned('a.js', 'ada@example.com', undefined);
    const parsed = parseRecordLine(await noteLine(commit));
    assert.ok(parsed.ok);
    const data = path.join(keys.dir, 'pae');
    writeFileSync(data, recordPae(parsed.record));
    assert.equal(spawnSync(sshKeygen, ['-Y', 'sign', '-n', 'git', '-f', ada.privatePath, data]).status, 0);
    const sig = bytesToBase64(readFileSync(`${data}.sig`));
    await replaceNote(commit, JSON.stringify({ ...JSON.parse(parsed.record.line), signatures: [{ keyid: 'SHA256:x', sig }] }));
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 1);
    assert.equal(result.problems[0].kind, 'bad-signature');
    assert.match(result.problems[0].message, /namespace "git"/);
  });

  it('rejects a key outside its validity window at the review time as unknown-signer', async () => {
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada, options: 'valid-before="20250101Z"' }]));
    await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 1);
    assert.equal(result.problems[0].kind, 'unknown-signer');
    assert.match(result.problems[0].message, /valid only until 2025-01-01/);
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada, options: 'valid-after="20250101Z",valid-before="20260101Z"' }]));
    assert.equal((await verdicts('--require-signed', 'HEAD')).code, 0);
  });

  it('rejects a signed record copied onto another commit as wrong-subject', async () => {
    const first = await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    const line = await noteLine(first);
    repo.write('a.js', `${readFileSync(path.join(repo.dir, 'a.js'), 'utf8')}// more\n`);
    const second = await repo.commitAll('more');
    await replaceNote(second, line);
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 1);
    assert.equal(result.problems[0].kind, 'wrong-subject');
    assert.match(result.problems[0].message, new RegExp(`made for commit ${first.slice(0, 12)}, not this one`));
  });

  it('reports a GPG-signed record as unknown-signer (allowed signers list SSH keys)', async function () {
    const gpgHome = makeGpgHome(keys.dir);
    if (!gpgHome) this.skip();
    await commitSigned('a.js', 'ada@example.com', gpgHome.fingerprint, { GNUPGHOME: gpgHome.home });
    const parsed = parseRecordLine(await noteLine(await repo.text(['rev-parse', 'HEAD'])));
    assert.ok(parsed.ok);
    assert.equal(parsed.record.envelope.signatures[0].keyid, gpgHome.fingerprint);
    const { code, result } = await verdicts('--require-signed', 'HEAD');
    assert.equal(code, 1);
    assert.equal(result.problems[0].kind, 'unknown-signer');
  });

  it('checks a GPG-signed record against the auditor\'s OpenPGP keyring: valid for the key\'s user id, unknown-signer otherwise, bad-signature when changed', async function () {
    const gpgHome = makeGpgHome(keys.dir);
    if (!gpgHome) this.skip();
    const commit = await commitSigned('a.js', 'ada@example.com', gpgHome.fingerprint, { GNUPGHOME: gpgHome.home });
    const keyringFile = path.join(keys.dir, 'auditor-keys.asc');
    const exported = spawnSync(gpgHome.gpg, ['--batch', '--armor', '--export', gpgHome.fingerprint], { env: { ...process.env, GNUPGHOME: gpgHome.home } });
    assert.equal(exported.status, 0);
    writeFileSync(keyringFile, exported.stdout);
    const ok = await vouch(repo.dir, 'verify', '--json', '--require-signed', '--openpgp-keyring', keyringFile, 'HEAD');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const parsedOk = JSON.parse(ok.stdout) as VerifyResultJson;
    assert.equal(parsedOk.commits[0].signatures?.[0].verdict, 'valid');

    // Another person's OpenPGP key in the keyring: the signature is good but not the reviewer's.
    const other = makeGpgHome(keys.dir, 'Eve <eve@example.com>');
    assert.ok(other);
    const otherKeyring = path.join(keys.dir, 'other-keys.gpg');
    writeFileSync(otherKeyring, spawnSync(other.gpg, ['--batch', '--export', other.fingerprint], { env: { ...process.env, GNUPGHOME: other.home } }).stdout);
    const unknown = await vouch(repo.dir, 'verify', '--json', '--require-signed', '--openpgp-keyring', otherKeyring, 'HEAD');
    assert.equal(unknown.code, 1);
    assert.equal((JSON.parse(unknown.stdout) as VerifyResultJson).problems[0].kind, 'unknown-signer');

    // The same signature over a changed payload.
    const line = await noteLine(commit);
    const envelope = JSON.parse(line) as { payload: string; payloadType: string; signatures: unknown[] };
    const statement = JSON.parse(decodeUtf8Strict(Buffer.from(envelope.payload, 'base64'))) as NoteStatement;
    const changed = { ...statement, predicate: { ...statement.predicate, patchId: statement.predicate.patchId === null ? 'f'.repeat(40) : null } };
    const forged = { ...changed, predicate: { ...changed.predicate, recordId: computeRecordId(changed) } };
    await replaceNote(commit, JSON.stringify({ ...envelope, payload: bytesToBase64(utf8Bytes(JSON.stringify(forged))) }));
    const bad = await vouch(repo.dir, 'verify', '--json', '--require-signed', '--openpgp-keyring', keyringFile, 'HEAD');
    assert.equal(bad.code, 1);
    assert.ok((JSON.parse(bad.stdout) as VerifyResultJson).problems.some((problem) => problem.kind === 'bad-signature'), bad.stdout);
  });

  it('checks a carried record: valid through the record it came from; a forged patchId is bad-carry', async () => {
    const original = await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    await repo.git(['checkout', '-q', '-b', 'other', 'HEAD~1']);
    await repo.git(['cherry-pick', original]);
    const picked = await repo.text(['rev-parse', 'HEAD']);
    const reconciled = await vouch(repo.dir, 'reconcile', 'HEAD~1..HEAD');
    assert.equal(reconciled.code, 0, reconciled.stderr);
    const carried = await verdicts('--require-signed', 'HEAD');
    assert.equal(carried.code, 0, JSON.stringify(carried.result.problems));
    assert.match(carried.result.commits[0].signatures?.[0].detail ?? '', new RegExp(`carried from ${original.slice(0, 12)}`));
    const parsed = parseRecordLine(await noteLine(picked));
    assert.ok(parsed.ok);
    const statement = JSON.parse(decodeUtf8Strict(parsed.record.payloadBytes)) as NoteStatement;
    (statement.predicate as { patchId: string }).patchId = 'f'.repeat(40);
    (statement.predicate as { recordId: string }).recordId = computeRecordId(statement);
    await replaceNote(picked, JSON.stringify({ payload: bytesToBase64(utf8Bytes(JSON.stringify(statement))), payloadType: 'application/vnd.in-toto+json', signatures: [] }));
    const forged = await verdicts('HEAD');
    assert.equal(forged.code, 1);
    assert.deepEqual(
      forged.result.problems.map((problem) => problem.kind),
      ['bad-carry'],
    );
  });

  it("carries an agent's signed claim (vouch mark --sign) into the record: written by the agent, vouched for by the reviewer", async () => {
    const agent = keys.sshKey('agent', 'ed25519');
    const text = `// a.js\n${aiText}\n`;
    repo.write('a.js', text);
    const marked = await vouch(repo.dir, 'mark', 'a.js', '--lines', '2', '--tool', 'claude-code', '--model', 'claude-sonnet-4', '--session', 's-1', '--sign', '--key', agent.privatePath, '--principal', 'claude-code@agents.example.com');
    assert.equal(marked.code, 0, marked.stderr);
    assert.match(marked.stdout, /signed the claim for lines 2-2 as claude-code@agents\.example\.com \(SHA256:/);
    const commit = await repo.commitAll('add a.js');
    const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: ada.privatePath } });
    await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files: [{ path: 'a.js', workingText: text, spans: [{ ...aiSpan(text, aiText), review: review('ada@example.com') }] }] });
    const parsed = parseRecordLine(await noteLine(commit));
    assert.ok(parsed.ok);
    assert.ok(parsed.record.statement.predicate.files[0].ranges[0].agentClaim, 'the claim travelled into the record');
    assert.deepEqual(readdirSync(path.join(repo.dir, '.git', 'vouch', 'claims')), [], 'a carried claim leaves the pending claims');

    // The agent's key listed: both valid.
    writeFileSync(allowedFile, `${readFileSync(allowedFile, 'utf8')}claude-code@agents.example.com ${agent.publicLine}\n`);
    const trusted = await verdicts('--require-signed', 'HEAD');
    assert.equal(trusted.code, 0, JSON.stringify(trusted.result.problems));
    assert.deepEqual(
      (trusted.result.commits[0].signatures ?? []).map((item) => [item.role, item.principal, item.verdict]),
      [
        ['agent', 'claude-code@agents.example.com', 'valid'],
        ['reviewer', 'ada@example.com', 'valid'],
      ],
    );
    const shown = await vouch(repo.dir, 'notes', 'show', '--allowed-signers', allowedFile);
    assert.match(shown.stdout, /signature of ada@example\.com: valid {2}written by agent claude-code@agents\.example\.com: valid/);

    // The agent's key not in the allowed signers: unknown-signer, named per file and lines.
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada }]));
    const untrusted = await verdicts('--require-signed', 'HEAD');
    assert.equal(untrusted.code, 1);
    assert.deepEqual(
      untrusted.result.problems.map((problem) => [problem.kind, problem.path, problem.start]),
      [['unknown-signer', 'a.js', 2]],
    );
    assert.match(untrusted.result.problems[0].message, /a\.js:2-2: written by agent claude-code@agents\.example\.com: unknown-signer/);
  });

  it('vouch mark --sign --key takes a key file path relative to the directory it runs in', async () => {
    const agent = keys.sshKey('agent', 'ed25519');
    repo.write('a.js', `${aiText}\n`);
    const relative = path.relative(repo.dir, agent.privatePath);
    assert.ok(!path.isAbsolute(relative));
    const marked = await vouch(repo.dir, 'mark', 'a.js', '--lines', '1', '--tool', 'claude-code', '--sign', '--key', relative, '--principal', 'claude-code@agents.example.com');
    assert.equal(marked.code, 0, marked.stderr);
    assert.match(marked.stdout, /signed the claim for lines 1-1 as claude-code@agents\.example\.com \(SHA256:/);
  });

  it('vouch mark --sign needs a key and a principal', async () => {
    repo.write('a.js', `${aiText}\n`);
    const noKey = await vouch(repo.dir, 'mark', 'a.js', '--lines', '1', '--tool', 'claude-code', '--sign', '--principal', 'p@example.com');
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /--sign needs a key/);
    const noPrincipal = await vouch(repo.dir, 'mark', 'a.js', '--lines', '1', '--tool', 'claude-code', '--sign', '--key', ada.privatePath);
    assert.equal(noPrincipal.code, 2);
    assert.equal((await vouch(repo.dir, 'mark', 'a.js', '--lines', '1', '--tool', 'claude-code', '--key', ada.privatePath)).code, 2);
  });

  it('vouch notes show prints the signer and the verdict, and says unsigned', async () => {
    await commitSigned('u.js', 'ada@example.com', undefined);
    const unsigned = await vouch(repo.dir, 'notes', 'show');
    assert.match(unsigned.stdout, /^record [0-9a-f]{12} \(valid; unsigned\)$/m);
    await commitSigned('a.js', 'ada@example.com', bob.privatePath);
    const shown = await vouch(repo.dir, 'notes', 'show');
    assert.match(shown.stdout, /^record [0-9a-f]{12} \(valid; signed by SHA256:\S+ \(signature valid\)\)$/m);
    const judged = await vouch(repo.dir, 'notes', 'show', '--allowed-signers', allowedFile);
    assert.match(judged.stdout, /a\.js:2-2 .* signature of ada@example\.com: unknown-signer \(SHA256:\S+: the key is not listed for ada@example\.com\)/);
  });

  it('skips a line of the allowed signers file that ssh-keygen skips, says so, and reads the next lines', async () => {
    await commitSigned('a.js', 'ada@example.com', ada.privatePath);
    const adaLine = `ada@example.com ${ada.publicLine}`;
    writeFileSync(allowedFile, `bob@example.com garbage\nbob@example.com foo="x" ${bob.publicLine}\n${adaLine}\n`);
    const passed = await verdicts('--require-signed', 'HEAD');
    assert.equal(passed.code, 0, passed.stderr);
    assert.match(passed.stderr, /line 1 skipped, as ssh-keygen skips it: missing key/);
    assert.match(passed.stderr, /line 2 skipped, as ssh-keygen skips it: bad options: unknown key option/);
    // A skipped line lists no key: ada's own line with an unquoted value does not count.
    writeFileSync(allowedFile, `ada@example.com namespaces=vouch-attestation-v1 ${ada.publicLine}\n`);
    const failed = await verdicts('--require-signed', 'HEAD');
    assert.equal(failed.code, 1);
    assert.equal(failed.result.problems[0].kind, 'unknown-signer');
    assert.match(failed.stderr, /line 1 skipped, as ssh-keygen skips it: bad options: missing start quote/);
  });
});

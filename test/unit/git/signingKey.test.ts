import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeBase64EitherAlphabet } from '../../../src/core/signing/dsse';
import { recordPae } from '../../../src/core/signing/signedRecord';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { silentLogger } from '../../../src/core/logger';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { recordPendingSpansOfCommit } from '../../../src/git/notes/commitRecording';
import { signerSource } from '../../../src/git/signing/recordSigning';
import { resolveSigningKey } from '../../../src/git/signing/signingKey';
import { verifySshSignature } from '../../../src/git/signing/sshVerify';
import { readGitReviewer } from '../../../src/git/staging/gitReviewer';
import { KeyDir, sshKeygen } from './signingKeys';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';
import { recordingLogger } from '../../support/recordingLogger';

describe('signing: which key signs', function () {
  this.timeout(60_000);
  let keys: KeyDir;
  let repo: TestRepo;
  let home: string;
  let env: Record<string, string | undefined>;

  beforeEach(async () => {
    keys = new KeyDir();
    repo = await TestRepo.create();
    home = keys.home();
    env = keys.isolatedEnv();
  });
  afterEach(() => {
    keys.cleanup();
    repo.cleanup();
  });

  it('signs nothing without a key', async () => {
    assert.equal(await resolveSigningKey(gitRunner, repo.dir, silentLogger, { env }), undefined);
  });

  it("takes the user's global git signing config, never the repository's own (logged once)", async () => {
    const key = keys.sshKey('ada', 'ed25519');
    writeFileSync(path.join(home, '.gitconfig'), `[user]\n\tsigningkey = ~/../${path.basename(key.publicPath)}\n[gpg]\n\tformat = ssh\n`);
    await repo.git(['config', 'user.signingkey', '/tmp/someone-elses-key']);
    await repo.git(['config', 'gpg.ssh.program', '/tmp/evil-program']);
    const logger = recordingLogger();
    const choice = await resolveSigningKey(gitRunner, repo.dir, logger, { env });
    assert.equal(choice?.format, 'ssh');
    assert.equal(choice?.key, path.join(home, '..', path.basename(key.publicPath)));
    assert.equal(choice?.program, sshKeygen);
    await resolveSigningKey(gitRunner, repo.dir, logger, { env });
    const ignored = logger.lines.filter((line) => /ignoring .*from this repository's own git config/.test(line));
    assert.equal(ignored.length, 1, logger.lines.join('\n'));
    assert.match(ignored[0], /user\.signingkey/);
    assert.match(ignored[0], /gpg\.ssh\.program/);
  });

  it('prefers the setting, then VOUCH_SIGNING_KEY, over git config; a hex id is an OpenPGP key', async () => {
    const key = keys.sshKey('ada', 'ed25519');
    writeFileSync(path.join(home, '.gitconfig'), `[user]\n\tsigningkey = ABCDEF\n`);
    assert.equal((await resolveSigningKey(gitRunner, repo.dir, silentLogger, { env }))?.format, 'openpgp');
    const fromEnv = await resolveSigningKey(gitRunner, repo.dir, silentLogger, { env: { ...env, VOUCH_SIGNING_KEY: key.publicLine } });
    assert.deepEqual([fromEnv?.format, fromEnv?.key, fromEnv?.source], ['ssh', key.publicLine, 'VOUCH_SIGNING_KEY']);
    const fromSetting = await resolveSigningKey(gitRunner, repo.dir, silentLogger, { env: { ...env, VOUCH_SIGNING_KEY: key.publicLine }, settingKey: key.privatePath });
    assert.equal(fromSetting?.key, key.privatePath);
  });

  it('signs with a key file VOUCH_SIGNING_KEY names by a path relative to where the command runs (ssh-keygen runs elsewhere)', async () => {
    const key = keys.sshKey('ada', 'ed25519');
    const text = 'const r = 1;\n';
    const commit = await repo.commitFiles({ 'r.ts': text }, 'r');
    const writer = await repo.writer();
    const before = process.cwd();
    process.chdir(keys.dir);
    let result;
    try {
      const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { ...env, VOUCH_SIGNING_KEY: path.basename(key.privatePath) } });
      result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer, logger: silentLogger, signer }, { commit, files: [{ path: 'r.ts', workingText: text, spans: [aiSpan(text, 'const r = 1;')] }] });
    } finally {
      process.chdir(before);
    }
    assert.equal(result.signing?.unsigned, undefined);
    assert.match(result.signing?.signedBy ?? '', /^SHA256:/);
  });

  it('records the key fingerprint in a review, never a path', async () => {
    const key = keys.sshKey('ada', 'ed25519');
    await repo.git(['config', 'user.name', 'Ada']);
    await repo.git(['config', 'user.email', 'ada@example.com']);
    const reviewer = await readGitReviewer(gitRunner, repo.dir, { env: { ...env, VOUCH_SIGNING_KEY: key.privatePath } });
    assert.match(reviewer?.signingKey ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('signs the record written from the pending attribution (editor commits, record-commit hook)', async () => {
    const key = keys.sshKey('ada', 'ecdsa');
    const text = 'const b = 2;\n';
    const commit = await repo.commitFiles({ 'b.ts': text }, 'b');
    const provider = { pendingFiles: async () => [{ path: 'b.ts', workingText: text, spans: [aiSpan(text, 'const b = 2;')] }], markCommitted: async () => undefined };
    const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { ...env, VOUCH_SIGNING_KEY: key.privatePath } });
    const result = await recordPendingSpansOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, provider, commit);
    assert.match(result.signing?.signedBy ?? '', /^SHA256:/);
    const parsed = parseRecordLine(await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit]));
    assert.ok(parsed.ok);
    const armored = new TextDecoder().decode(decodeBase64EitherAlphabet(parsed.record.envelope.signatures[0].sig));
    assert.equal(verifySshSignature(armored, recordPae(parsed.record), 'vouch-attestation-v1').status, 'valid');
  });

  it('signs the record of a commit over the DSSE PAE of its payload, or writes it unsigned with the reason', async () => {
    const key = keys.sshKey('ada', 'ed25519');
    const text = 'const a = 1;\n';
    const commit = await repo.commitFiles({ 'a.ts': text }, 'a');
    const files = [{ path: 'a.ts', workingText: text, spans: [aiSpan(text, 'const a = 1;')] }];
    const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { ...env, VOUCH_SIGNING_KEY: key.privatePath } });
    const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files });
    assert.match(result.signing?.signedBy ?? '', /^SHA256:/);
    const note = await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit]);
    const parsed = parseRecordLine(note);
    assert.ok(parsed.ok);
    const [signature] = parsed.record.envelope.signatures;
    assert.equal(signature.keyid, result.signing?.signedBy);
    const armored = new TextDecoder().decode(decodeBase64EitherAlphabet(signature.sig));
    assert.equal(verifySshSignature(armored, recordPae(parsed.record), 'vouch-attestation-v1').status, 'valid');

    const locked = keys.sshKey('locked', 'ed25519', 'a passphrase');
    const second = await repo.commitFiles({ 'b.ts': text }, 'b');
    const lockedSigner = signerSource(gitRunner, repo.dir, silentLogger, { env: { ...env, VOUCH_SIGNING_KEY: locked.privatePath } });
    const unsigned = await recordFilesOfCommit(
      { git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer: lockedSigner },
      { commit: second, files: [{ path: 'b.ts', workingText: text, spans: [aiSpan(text, 'const a = 1;')] }] },
    );
    assert.match(unsigned.signing?.unsigned ?? '', /needs a passphrase/);
    assert.ok(unsigned.write && unsigned.write.applied === 1, 'the record is written anyway');
  });
});

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeBase64EitherAlphabet, VOUCH_SIGNATURE_NAMESPACE } from '../../../src/core/signing/dsse';
import { createGpgSigner, createSshSigner, SigningError, sshKeyFingerprint } from '../../../src/git/signing/recordSigners';
import { verifySshSignature } from '../../../src/git/signing/sshVerify';
import { KeyDir, makeGpgHome, sshKeygen, type TestSshKey } from './signingKeys';

const message = new TextEncoder().encode('DSSEv1 28 application/vnd.in-toto+json 5 hello');

function sigText(sig: string): string {
  return new TextDecoder().decode(decodeBase64EitherAlphabet(sig));
}

/** ssh-keygen -Y verify as the reference: exit 0 when the signature is valid for `principal`. */
function referenceVerify(keys: KeyDir, key: TestSshKey, armored: string, data: Uint8Array, namespace = VOUCH_SIGNATURE_NAMESPACE): boolean {
  const allowed = path.join(keys.dir, 'allowed');
  writeFileSync(allowed, `ada@example.com ${key.publicLine}\n`);
  const sigFile = path.join(keys.dir, 'reference.sig');
  writeFileSync(sigFile, armored);
  return spawnSync(sshKeygen, ['-Y', 'verify', '-f', allowed, '-I', 'ada@example.com', '-n', namespace, '-s', sigFile], { input: data }).status === 0;
}

describe('signing: SSH signatures made by ssh-keygen, checked natively', function () {
  this.timeout(60_000);
  let keys: KeyDir;
  beforeEach(() => (keys = new KeyDir()));
  afterEach(() => keys.cleanup());

  for (const type of ['ed25519', 'ecdsa', 'ecdsa384', 'ecdsa521', 'rsa'] as const) {
    it(`${type}: signs the bytes given, keyid is the fingerprint, and the native check agrees with ssh-keygen`, async () => {
      const key = keys.sshKey(`ada-${type}`, type);
      const signature = await createSshSigner(keys.choice(key.privatePath)).sign(message);
      const fingerprint = spawnSync(sshKeygen, ['-l', '-E', 'sha256', '-f', key.publicPath], { encoding: 'utf8' }).stdout.split(' ')[1];
      assert.equal(signature.keyid, fingerprint);
      assert.equal(sshKeyFingerprint(key.privatePath), fingerprint);
      const armored = sigText(signature.sig);
      assert.match(armored, /^-----BEGIN SSH SIGNATURE-----\n/);
      const native = verifySshSignature(armored, message, VOUCH_SIGNATURE_NAMESPACE);
      assert.equal(native.status, 'valid');
      assert.ok(referenceVerify(keys, key, armored, message));
      const changed = new Uint8Array(message);
      changed[changed.length - 1] ^= 1;
      assert.equal(verifySshSignature(armored, changed, VOUCH_SIGNATURE_NAMESPACE).status, 'bad');
      assert.ok(!referenceVerify(keys, key, armored, changed));
      const otherNamespace = verifySshSignature(armored, message, 'git');
      assert.equal(otherNamespace.status, 'bad');
      assert.ok(!referenceVerify(keys, key, armored, message, 'git'));
    });
  }

  it('refuses a signature made for another namespace even over the same bytes', () => {
    const key = keys.sshKey('ada', 'ed25519');
    const file = path.join(keys.dir, 'data');
    writeFileSync(file, message);
    const made = spawnSync(sshKeygen, ['-Y', 'sign', '-n', 'file', '-f', key.privatePath, file]);
    assert.equal(made.status, 0);
    const armored = spawnSync('cat', [`${file}.sig`], { encoding: 'utf8' }).stdout;
    const result = verifySshSignature(armored, message, VOUCH_SIGNATURE_NAMESPACE);
    assert.equal(result.status, 'bad');
    assert.match(result.status === 'bad' ? result.reason : '', /namespace "file"/);
  });

  it('signs with a key held only in a test-started ssh-agent, given its public key', async () => {
    const key = keys.sshKey('agent-only', 'ed25519');
    const env = keys.startAgent(key);
    writeFileSync(key.privatePath, ''); // the private key is now only in the agent
    const signature = await createSshSigner(keys.choice(key.publicLine), env).sign(message);
    assert.equal(verifySshSignature(sigText(signature.sig), message, VOUCH_SIGNATURE_NAMESPACE).status, 'valid');
    const viaPubFile = await createSshSigner(keys.choice(key.publicPath), env).sign(message);
    assert.equal(verifySshSignature(sigText(viaPubFile.sig), message, VOUCH_SIGNATURE_NAMESPACE).status, 'valid');
  });

  it('fails fast with a clear message when the key needs a passphrase and no agent holds it', async () => {
    const key = keys.sshKey('locked', 'ed25519', 'secret passphrase');
    const started = Date.now();
    await assert.rejects(
      createSshSigner(keys.choice(key.privatePath), { ...process.env, SSH_AUTH_SOCK: undefined, DISPLAY: ':0', SSH_ASKPASS: '/bin/false' }).sign(message),
      (error: unknown) => error instanceof SigningError && /needs a passphrase and no ssh-agent holds it/.test(error.message),
    );
    assert.ok(Date.now() - started < 20_000, 'no hang');
  });

  it('signs with a GPG key from a temporary GNUPGHOME: detached armored signature, keyid the fingerprint', async function () {
    const gpgHome = makeGpgHome(keys.dir);
    if (!gpgHome) this.skip();
    const env = { ...process.env, GNUPGHOME: gpgHome.home };
    const signature = await createGpgSigner({ format: 'openpgp', key: gpgHome.fingerprint, program: gpgHome.gpg, source: 'the test' }, env).sign(message);
    assert.equal(signature.keyid, gpgHome.fingerprint);
    const armored = sigText(signature.sig);
    assert.match(armored, /^-----BEGIN PGP SIGNATURE-----/);
    const sigFile = path.join(keys.dir, 'data.asc');
    const dataFile = path.join(keys.dir, 'data');
    writeFileSync(sigFile, armored);
    writeFileSync(dataFile, message);
    assert.equal(spawnSync(gpgHome.gpg, ['--batch', '--verify', sigFile, dataFile], { env, stdio: 'ignore' }).status, 0);
    writeFileSync(dataFile, 'changed');
    assert.notEqual(spawnSync(gpgHome.gpg, ['--batch', '--verify', sigFile, dataFile], { env, stdio: 'ignore' }).status, 0);
  });
});

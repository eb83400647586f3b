// Why a record was written unsigned, told from ssh-keygen's own messages (real ssh-keygen, no
// terminal, no agent): a key file's name never decides the advice, and a missing key file says it
// is missing (not "not in your ssh-agent" because its name holds "agent", nor "needs a passphrase").
// The same for gpg (real gpg, a temporary GNUPGHOME), told from its status lines (--status-fd): a
// key id, user id or home directory holding "passphrase" or "pinentry" never decides the advice.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { explainGpgFailure, explainSshFailure } from '../../../src/git/signing/recordSigners';
import { signerSource } from '../../../src/git/signing/recordSigning';
import { KeyDir, addGpgKey, makeGpgHome, stopGpgAgent } from './signingKeys';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';

describe('signing: why a record is unsigned', function () {
  this.timeout(60_000);
  let keys: KeyDir;
  let repo: TestRepo;
  let home: string;
  let env: Record<string, string | undefined>;

  beforeEach(async () => {
    keys = new KeyDir();
    repo = await TestRepo.create();
    home = keys.home();
    // No SSH_AUTH_SOCK: no agent.
    env = keys.isolatedEnv();
  });
  /** GPG homes made by a test: their gpg-agents are stopped after it. */
  let gpgHomes: string[] = [];
  afterEach(() => {
    for (const gpgHome of gpgHomes) stopGpgAgent(gpgHome);
    gpgHomes = [];
    keys.cleanup();
    repo.cleanup();
  });

  /** A GPG home with Ada's signing key (undefined when gpg is not installed); its agent is stopped after the test. */
  function gpgHome(): { home: string; fingerprint: string; gpg: string } | undefined {
    const made = makeGpgHome(keys.dir);
    if (made) gpgHomes.push(made.home);
    return made;
  }

  /** Why a commit's record was written unsigned with the key `extra` chooses. */
  async function unsignedReason(name: string, extra: Record<string, string>): Promise<string> {
    const text = `const ${name} = 1;\n`;
    const commit = await repo.commitFiles({ [`${name}.ts`]: text }, name);
    const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { ...env, ...extra } });
    const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files: [{ path: `${name}.ts`, workingText: text, spans: [aiSpan(text, text.trimEnd())] }] });
    assert.ok(result.write && result.write.applied === 1, 'the record is written anyway');
    assert.equal(result.signing?.signedBy, undefined);
    return result.signing?.unsigned ?? '';
  }

  it('says a missing key file is missing, whatever its name (VOUCH_SIGNING_KEY and global user.signingkey)', async () => {
    const missing = path.join(keys.dir, 'ci-agent-key');
    const fromEnv = await unsignedReason('a', { VOUCH_SIGNING_KEY: missing });
    assert.match(fromEnv, /the SSH key file .*ci-agent-key \(VOUCH_SIGNING_KEY\) does not exist/);
    assert.doesNotMatch(fromEnv, /ssh-agent \(SSH_AUTH_SOCK\)|passphrase|gpg/);
    writeFileSync(path.join(home, '.gitconfig'), `[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = ${path.join(keys.dir, 'passphrase-agent-key')}\n`);
    const fromConfig = await unsignedReason('b', {});
    assert.match(fromConfig, /the SSH key file .*passphrase-agent-key \(your global git config .*\) does not exist/);
    assert.doesNotMatch(fromConfig, /ssh-agent \(SSH_AUTH_SOCK\)|needs a passphrase/);
  });

  it('a .pub whose private key is neither beside it nor in an agent is not a passphrase problem, whatever its name', async () => {
    const key = keys.sshKey('passphrase-less', 'ed25519');
    rmSync(key.privatePath);
    const reason = await unsignedReason('c', { VOUCH_SIGNING_KEY: key.publicPath });
    assert.doesNotMatch(reason, /needs a passphrase/);
    assert.match(reason, /is not in your ssh-agent/);
  });

  it("a key that needs a passphrase still says so, and a literal key without an agent says no agent is reachable", async () => {
    const locked = keys.sshKey('agent-locked', 'ed25519', 'a passphrase');
    assert.match(await unsignedReason('d', { VOUCH_SIGNING_KEY: locked.privatePath }), /needs a passphrase and no ssh-agent holds it/);
    const literal = keys.sshKey('plain', 'ed25519').publicLine;
    assert.match(await unsignedReason('e', { VOUCH_SIGNING_KEY: literal }), /no agent is reachable \(SSH_AUTH_SOCK\)/);
  });

  it('gpg: a key id that names no secret key says so, whatever words the id holds', async function () {
    const made = gpgHome();
    if (!made) this.skip();
    const gpgEnv = { GNUPGHOME: made.home };
    const byId = await unsignedReason('g1', { ...gpgEnv, VOUCH_SIGNING_KEY: 'DEADBEEFDEADBEEF' });
    assert.match(byId, /gpg has no secret key for DEADBEEFDEADBEEF \(VOUCH_SIGNING_KEY\)/);
    // The old matcher read any "passphrase" or "pinentry" in gpg's output, the id it quotes included.
    const worded = await unsignedReason('g2', { ...gpgEnv, VOUCH_SIGNING_KEY: 'Pat Passphrase <pinentry@example.com>' });
    assert.match(worded, /gpg has no secret key for Pat Passphrase <pinentry@example\.com> \(VOUCH_SIGNING_KEY\)/);
    assert.doesNotMatch(worded, /needs a passphrase/);
    writeFileSync(path.join(home, '.gitconfig'), `[user]\n\tsigningkey = passphrase-pinentry@example.com\n`);
    const fromConfig = await unsignedReason('g3', gpgEnv);
    assert.match(fromConfig, /gpg has no secret key for passphrase-pinentry@example\.com \(your global git config \(user\.signingkey\)\)/);
  });

  it("gpg: a gpg.program wrapper that sends gpg's status lines to stderr (as git asks: --status-fd=2) still signs", async function () {
    const made = gpgHome();
    if (!made) this.skip();
    const wrapper = path.join(keys.dir, 'gpg-for-git');
    writeFileSync(wrapper, `#!/bin/sh\nfor arg do shift; [ "$arg" = 1 ] && [ "$previous" = --status-fd ] && arg=2; set -- "$@" "$arg"; previous=$arg; done\nexec ${made.gpg} "$@"\n`, { mode: 0o755 });
    writeFileSync(path.join(home, '.gitconfig'), `[gpg]\n\tprogram = ${wrapper}\n`);
    const text = 'const wrapped = 1;\n';
    const commit = await repo.commitFiles({ 'wrapped.ts': text }, 'wrapped');
    const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { ...env, GNUPGHOME: made.home, VOUCH_SIGNING_KEY: made.fingerprint } });
    const result = await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files: [{ path: 'wrapped.ts', workingText: text, spans: [aiSpan(text, text.trimEnd())] }] });
    assert.equal(result.signing?.unsigned, undefined, result.signing?.unsigned);
    assert.ok(result.signing?.signedBy, 'signed through the wrapper');
  });

  it('gpg: a key that cannot sign (certify only) says so, though its user id holds "passphrase"', async function () {
    const made = gpgHome();
    if (!made) this.skip();
    addGpgKey(made.gpg, made.home, 'Pass Phrase <passphrase@example.com>', { usage: 'cert' });
    const reason = await unsignedReason('g4', { GNUPGHOME: made.home, VOUCH_SIGNING_KEY: 'passphrase@example.com' });
    assert.match(reason, /the OpenPGP key passphrase@example\.com \(VOUCH_SIGNING_KEY\) cannot sign/);
    assert.doesNotMatch(reason, /needs a passphrase/);
  });

  it("gpg: a home directory named for a passphrase (gpg quotes it in a warning) does not decide the advice", async function () {
    const made = gpgHome();
    if (!made) this.skip();
    const worded = mkdtempSync(path.join(keys.dir, 'pinentry-passphrase-'));
    gpgHomes.push(worded);
    addGpgKey(made.gpg, worded, 'Ada <ada@example.com>');
    chmodSync(worded, 0o755); // gpg: WARNING: unsafe permissions on homedir '.../pinentry-passphrase-...'
    const reason = await unsignedReason('g5', { GNUPGHOME: worded, VOUCH_SIGNING_KEY: 'DEADBEEFDEADBEEF' });
    assert.match(reason, /gpg has no secret key for DEADBEEFDEADBEEF/);
  });

  it('gpg: a passphrase-protected key, with no pinentry to ask, says it needs a passphrase', async function () {
    const made = gpgHome();
    if (!made) this.skip();
    const locked = addGpgKey(made.gpg, made.home, 'Locked <locked@example.com>', { passphrase: 'a passphrase' });
    stopGpgAgent(made.home); // the agent that made the key would still hold its passphrase
    const reason = await unsignedReason('g6', { GNUPGHOME: made.home, VOUCH_SIGNING_KEY: locked });
    assert.match(reason, new RegExp(`the OpenPGP key ${locked} \\(VOUCH_SIGNING_KEY\\) needs a passphrase and gpg-agent does not hold it`));
  });

  it('gpg: no gpg-agent to reach says so (not a passphrase, not a missing key)', async function () {
    const made = gpgHome();
    if (!made) this.skip();
    stopGpgAgent(made.home);
    writeFileSync(path.join(made.home, 'gpg.conf'), `agent-program ${path.join(keys.dir, 'no-such-gpg-agent')}\n`);
    const reason = await unsignedReason('g7', { GNUPGHOME: made.home, VOUCH_SIGNING_KEY: made.fingerprint });
    assert.match(reason, /gpg could not reach gpg-agent, which holds the secret keys/);
  });

  it("reads gpg's status lines, never its messages", () => {
    const choice = { key: 'passphrase@example.com', source: 'VOUCH_SIGNING_KEY' };
    const noKey = 'gpg: skipped "passphrase@example.com": No secret key\ngpg: signing failed: No secret key\n';
    assert.match(explainGpgFailure('[GNUPG:] INV_SGNR 9 passphrase@example.com\n[GNUPG:] FAILURE sign 17\n', noKey, choice), /^gpg has no secret key for/);
    assert.match(explainGpgFailure('[GNUPG:] INV_SGNR 1 passphrase@example.com\n', noKey, choice), /^gpg has no secret key for/);
    assert.match(explainGpgFailure('[GNUPG:] INV_SGNR 5 passphrase@example.com\n[GNUPG:] FAILURE sign 101\n', '', choice), /cannot sign: it has expired/);
    assert.match(explainGpgFailure('[GNUPG:] INV_SGNR 4 passphrase@example.com\n', '', choice), /cannot sign: it is revoked/);
    assert.match(explainGpgFailure('[GNUPG:] INV_SGNR 2 passphrase@example.com\n', '', choice), /names more than one key/);
    assert.match(explainGpgFailure('[GNUPG:] BEGIN_SIGNING H8\n[GNUPG:] FAILURE sign 67108949\n', 'gpg: signing failed: No pinentry\n', choice), /needs a passphrase and gpg-agent does not hold it/);
    assert.match(explainGpgFailure('[GNUPG:] INV_SGNR 0 passphrase@example.com\n[GNUPG:] FAILURE sign 33554509\n', '', choice), /could not reach gpg-agent/);
    // The words alone decide nothing: with no status line that says why, gpg's own words are quoted.
    const said = explainGpgFailure('', "gpg: WARNING: unsafe permissions on homedir '/home/pinentry'\ngpg: passphrase problem\n", choice);
    assert.match(said, /^gpg could not sign with passphrase@example\.com \(VOUCH_SIGNING_KEY\): gpg: WARNING/);
  });

  it("reads ssh-keygen's messages with the key's path taken out", () => {
    const choice = { key: '/keys/agent-passphrase', source: 'VOUCH_SIGNING_KEY' };
    assert.match(explainSshFailure("Couldn't load public key /keys/agent-passphrase: No such file or directory\n", choice), /does not exist \(No such file or directory\)/);
    assert.match(explainSshFailure("Couldn't load public key /keys/agent-passphrase: Permission denied\n", choice), /cannot be read \(Permission denied\)/);
    assert.match(explainSshFailure('Load key "/keys/agent-passphrase": incorrect passphrase supplied to decrypt private key\n', choice), /needs a passphrase/);
    assert.match(explainSshFailure("Couldn't find key in agent\n", choice), /is not in your ssh-agent/);
    assert.match(explainSshFailure('No private key found for public key "/keys/agent-passphrase"\n', choice), /is not in your ssh-agent/);
    assert.match(explainSshFailure('Signing file /tmp/x/payload\nsomething else about /keys/agent-passphrase\n', choice), /^ssh-keygen could not sign/);
  });
});

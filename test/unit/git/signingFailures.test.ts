// Why a record was written unsigned, told from ssh-keygen's own messages (real ssh-keygen, no
// terminal, no agent): a key file's name never decides the advice, and a missing key file says it
// is missing (not "not in your ssh-agent" because its name holds "agent", nor "needs a passphrase").
import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { explainSshFailure } from '../../../src/git/signing/recordSigners';
import { signerSource } from '../../../src/git/signing/recordSigning';
import { KeyDir } from './signingKeys';
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
  afterEach(() => {
    keys.cleanup();
    repo.cleanup();
  });

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

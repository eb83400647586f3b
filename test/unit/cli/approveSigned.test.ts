// `vouch approve` with a signing key (real ssh-keygen keys): the approval's review names the key it
// is signed with (reviewer.signingKey), as reviews accepted in the editor and by `vouch review` do,
// and verify counts an agent's claim once though the approval repeats its range (and the claim).
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import type { VerifyResultJson } from '../../../src/cli/commands/verify';
import { parseNote } from '../../../src/core/notes/noteParser';
import { TestRepo } from '../../support/testRepo';
import { KeyDir, type TestSshKey } from '../git/signingKeys';

describe('vouch approve, signed (real keys)', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  let keys: KeyDir;
  let home: string;
  let ada: TestSshKey;
  let agent: TestSshKey;
  let allowedFile: string;
  let saved: { key?: string; home?: string };

  beforeEach(async () => {
    repo = await TestRepo.create();
    keys = new KeyDir();
    home = keys.home();
    ada = keys.sshKey('ada', 'ed25519');
    agent = keys.sshKey('agent', 'ed25519');
    allowedFile = path.join(keys.dir, 'allowed_signers');
    await repo.commitFiles({ 'README.md': 'demo\n' }, 'base');
    await repo.git(['config', 'user.email', 'ada@example.com']);
    // The in-process CLI signs with VOUCH_SIGNING_KEY; HOME keeps the global git config out.
    saved = { key: process.env.VOUCH_SIGNING_KEY, home: process.env.HOME };
    process.env.VOUCH_SIGNING_KEY = ada.privatePath;
    process.env.HOME = home;
  });
  afterEach(() => {
    if (saved.key === undefined) delete process.env.VOUCH_SIGNING_KEY;
    else process.env.VOUCH_SIGNING_KEY = saved.key;
    process.env.HOME = saved.home;
    repo.cleanup();
    keys.cleanup();
  });

  /** A commit whose AI lines carry an agent's signed claim and no review, recorded; then approved by Ada. */
  async function approvedCommit(): Promise<string> {
    repo.write('a.js', 'export function answer() {\n  return 42;\n}\n');
    const marked = await vouch(repo.dir, 'mark', 'a.js', '--lines', '1-3', '--tool', 'claude-code', '--sign', '--key', agent.privatePath, '--principal', 'bot@agents.example.com');
    assert.equal(marked.code, 0, marked.stderr);
    const commit = await repo.commitAll('add a.js');
    const recorded = await vouch(repo.dir, 'record-commit', commit);
    assert.equal(recorded.code, 0, recorded.stderr);
    const approved = await vouch(repo.dir, 'approve', commit, '--intent', 'returns the answer', '--scope', 'none');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /approved as .* \(signed by SHA256:/);
    return commit;
  }

  it("records the signing key's fingerprint in the approval's review, the key that signed it", async () => {
    const commit = await approvedCommit();
    const note = parseNote(await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit]));
    const approval = note.records.find((record) => record.statement.predicate.files[0].ranges[0].review !== null);
    assert.ok(approval);
    const reviewer = approval.statement.predicate.files[0].ranges[0].review?.reviewer;
    assert.match(reviewer?.signingKey ?? '', /^SHA256:/, JSON.stringify(reviewer));
    assert.equal(reviewer?.signingKey, approval.envelope.signatures[0]?.keyid);
  });

  it('counts an agent claim once though the approval repeats it', async () => {
    const commit = await approvedCommit();
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada }, { principal: 'bot@agents.example.com', key: agent }]));
    const verified = await vouch(repo.dir, 'verify', commit, '--allowed-signers', allowedFile);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /1 of 1 reviewed range\(s\) signed by their reviewer, 1 of 1 agent claim\(s\) valid/);
    // The agent's key not allowed: one claim, one problem.
    writeFileSync(allowedFile, keys.allowedSigners([{ principal: 'ada@example.com', key: ada }]));
    const failed = await vouch(repo.dir, 'verify', commit, '--json', '--require-signed', '--allowed-signers', allowedFile);
    assert.equal(failed.code, 1);
    assert.deepEqual((JSON.parse(failed.stdout) as VerifyResultJson).problems.map((problem) => problem.kind), ['unknown-signer']);
    const text = await vouch(repo.dir, 'verify', commit, '--allowed-signers', allowedFile);
    assert.match(text.stdout, /0 of 1 agent claim\(s\) valid/);
  });
});

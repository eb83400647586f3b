import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Review } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { bytesToBase64, decodeUtf8Strict, utf8Bytes } from '../../../src/core/notes/canonicalJson';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { sha256Hex } from '../../../src/core/textHash';
import { recordFilesOfCommit } from '../../../src/git/notes/commitRecording';
import { signerSource } from '../../../src/git/signing/recordSigning';
import { TestRepo, aiSpan, gitRunner } from '../../support/testRepo';
import { KeyDir } from '../git/signingKeys';

const root = path.resolve(__dirname, '..', '..', '..');
const doc = readFileSync(path.join(root, 'docs', 'verify-without-vouch.md'), 'utf8');
/** The shell block under "## The recipe", run exactly as the document shows it. */
const recipe = /## The recipe\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';

describe('docs/verify-without-vouch.md', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  let keys: KeyDir;

  beforeEach(async () => {
    repo = await TestRepo.create();
    keys = new KeyDir();
  });
  afterEach(() => {
    repo.cleanup();
    keys.cleanup();
  });

  function runRecipe(commit: string, allowed: string): { status: number | null; output: string } {
    const run = spawnSync('bash', ['-c', recipe], { cwd: repo.dir, env: { ...process.env, COMMIT: commit, ALLOWED_SIGNERS: allowed }, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  it('checks a real signed note with a shell, base64, jq and ssh-keygen, and fails on a changed one', async () => {
    assert.ok(recipe.includes('ssh-keygen -Y verify'), 'the recipe block was found');
    const ada = keys.sshKey('ada', 'ed25519');
    const home = keys.home();
    const text = 'const answer = 42;\n';
    const commit = await repo.commitFiles({ 'a.js': text }, 'a');
    const review: Review = { decision: 'accepted', intent: 'the answer', scope: ['none'], reviewer: { name: 'Ada', email: 'ada@example.com' }, reviewedAt: '2025-06-01T12:00:00.000Z', textHash: sha256Hex('const answer = 42;') };
    const signer = signerSource(gitRunner, repo.dir, silentLogger, { env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', VOUCH_SIGNING_KEY: ada.privatePath } });
    await recordFilesOfCommit({ git: gitRunner, topLevel: repo.dir, writer: await repo.writer(), logger: silentLogger, signer }, { commit, files: [{ path: 'a.js', workingText: text, spans: [{ ...aiSpan(text, 'const answer = 42;'), review }] }] });
    const allowed = path.join(keys.dir, 'allowed');
    writeFileSync(allowed, `ada@example.com namespaces="vouch-attestation-v1" ${ada.publicLine}\n`);

    const good = runRecipe(commit, allowed);
    assert.equal(good.status, 0, good.output);
    assert.match(good.output, /Good "vouch-attestation-v1" signature for ada@example\.com with ED25519 key SHA256:/);

    // Outside the key's validity window at the review time: refused.
    writeFileSync(allowed, `ada@example.com valid-before="20250101Z" ${ada.publicLine}\n`);
    assert.notEqual(runRecipe(commit, allowed).status, 0);
    writeFileSync(allowed, `ada@example.com namespaces="vouch-attestation-v1" ${ada.publicLine}\n`);

    // A changed payload (signature kept): refused.
    const line = (await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', commit])).split('\n')[0];
    const parsed = parseRecordLine(line);
    assert.ok(parsed.ok);
    const changed = decodeUtf8Strict(parsed.record.payloadBytes).replace('the answer', 'something else');
    await repo.git(['notes', '--ref', 'refs/notes/vouch', 'add', '-f', '-m', JSON.stringify({ ...JSON.parse(line), payload: bytesToBase64(utf8Bytes(changed)) }), commit]);
    const bad = runRecipe(commit, allowed);
    assert.notEqual(bad.status, 0, bad.output);
  });
});

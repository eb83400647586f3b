import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouchNotHanging } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

const vouch = vouchNotHanging;

describe('files named in options (--policy, --allowed-signers, --openpgp-keyring, --pending) are read bounded', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  let fifo: string;
  let directory: string;
  let oversized: string;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'base.txt': 'a\n' });
    // As a pull request's checkout can hold: a committed symlink to a device.
    symlinkSync('/dev/zero', path.join(repo.dir, 'vouch-policy.json'));
    const head = await repo.commitAll('policy');
    // notes show reads --allowed-signers only for a commit that has a note.
    await repo.recordAi(head, [{ path: 'base.txt', text: 'a\n', aiText: 'a\n' }]);
    fifo = path.join(repo.dir, '..', `${path.basename(repo.dir)}-fifo`);
    execFileSync('mkfifo', [fifo]);
    directory = path.join(repo.dir, '..', `${path.basename(repo.dir)}-dir`);
    mkdirSync(directory);
    oversized = path.join(repo.dir, '..', `${path.basename(repo.dir)}-big`);
    writeFileSync(oversized, Buffer.alloc(64 * 1024 * 1024 + 1, 0x20));
  });
  afterEach(() => {
    execFileSync('rm', ['-rf', fifo, directory, oversized]);
    repo.cleanup();
  });

  const commands: readonly (readonly string[])[] = [
    ['verify', 'HEAD', '--policy'],
    ['report', 'HEAD', '--policy'],
    ['verify', 'HEAD', '--allowed-signers'],
    ['verify', 'HEAD', '--openpgp-keyring'],
    ['report', 'HEAD', '--allowed-signers'],
    ['blame', 'base.txt', '--allowed-signers'],
    ['blame', 'base.txt', '--openpgp-keyring'],
    ['notes', 'show', 'HEAD', '--allowed-signers'],
    ['record-commit', 'HEAD', '--pending'],
  ];

  for (const command of commands) {
    it(`vouch ${command.join(' ')}: a FIFO, /dev/zero, a symlink to it, a directory or an oversized file is a usage error at once`, async () => {
      const cases: readonly [string, RegExp][] = [
        [fifo, /not a regular file/],
        ['/dev/zero', /not a regular file/],
        [path.join(repo.dir, 'vouch-policy.json'), /not a regular file/],
        [directory, /not a regular file/],
        [oversized, /over the \d+-byte limit/],
        [path.join(repo.dir, 'no-such-file'), /no such file/],
      ];
      for (const [file, expected] of cases) {
        const result = await vouch(repo.dir, ...command, file);
        assert.equal(result.code, 2, `${file}: ${result.stderr}`);
        assert.match(result.stderr, expected, file);
        assert.ok(result.stderr.includes(command[command.length - 1]), `the message names the option: ${result.stderr}`);
      }
    });
  }

  it('--policy given relative to the working directory, a committed symlink to /dev/zero, is refused', async () => {
    const result = await vouch(repo.dir, 'verify', 'HEAD', '--policy', 'vouch-policy.json');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--policy vouch-policy\.json: it is not a regular file/);
  });

  it('a regular policy file reached through a symlink is still read', async () => {
    writeFileSync(path.join(repo.dir, 'real-policy.json'), '{"version":1,"rules":[]}\n');
    symlinkSync('real-policy.json', path.join(repo.dir, 'linked-policy.json'));
    const viaLink = await vouch(repo.dir, 'verify', 'HEAD', '--policy', 'linked-policy.json');
    const direct = await vouch(repo.dir, 'verify', 'HEAD', '--policy', 'real-policy.json');
    assert.equal(viaLink.code, direct.code, `${viaLink.stderr} / ${direct.stderr}`);
    assert.doesNotMatch(viaLink.stderr, /cannot read/);
  });
});

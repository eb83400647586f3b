import * as assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitRunner } from '../../../src/git/gitRunner';
import { findRepository, pathInRepository, resolveRepoPath } from '../../../src/git/repository';

describe('one containment rule for repository paths (pathInRepository)', function () {
  this.timeout(20_000);
  const top = path.join(path.sep, 'work', 'repo');

  it('gives the /-separated repository path of a file inside, and nothing for the top level itself or outside', () => {
    assert.equal(pathInRepository(top, path.join(top, 'src', 'a.ts')), 'src/a.ts');
    assert.equal(pathInRepository(top, top), undefined);
    assert.equal(pathInRepository(top, path.join(top, '..', 'other', 'a.ts')), undefined);
    assert.equal(pathInRepository(top, path.join(path.sep, 'work', 'repository', 'a.ts')), undefined, 'a sibling whose name starts with the top level is outside');
  });

  it('keeps names that start with two dots inside; only a .. segment leaves', () => {
    assert.equal(pathInRepository(top, path.join(top, '..config')), '..config');
    assert.equal(pathInRepository(top, path.join(top, 'src', '..', '..', 'x')), undefined);
  });

  it('never takes a path through a .git directory for a file of the working tree', () => {
    assert.equal(pathInRepository(top, path.join(top, '.git', 'COMMIT_EDITMSG')), undefined);
    assert.equal(pathInRepository(top, path.join(top, 'sub', '.git', 'config')), undefined);
    assert.equal(pathInRepository(top, path.join(top, '.github', 'ci.yml')), '.github/ci.yml');
  });

  it('resolveRepoPath finds a file whose name starts with two dots (it was taken for outside the repository)', async () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'vouch-paths-')));
    try {
      const git = new GitRunner();
      await git.run(['init', '-q'], { cwd: dir });
      writeFileSync(path.join(dir, '..notes.ts'), 'x\n');
      const repository = await findRepository(git, dir);
      assert.deepEqual(await resolveRepoPath(repository, dir, '..notes.ts'), { kind: 'ok', repoPath: '..notes.ts', absolutePath: path.join(dir, '..notes.ts') });
      assert.equal((await resolveRepoPath(repository, dir, path.join('..', 'elsewhere.ts'))).kind, 'missing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

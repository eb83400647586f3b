import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributedSpan } from '../../../src/core/attribution';
import { GitRunner } from '../../../src/git/gitRunner';
import type { RepositoryLocation } from '../../../src/git/repository';
import { findRepository } from '../../../src/git/repository';
import { readStagedText, stagePaths, stagedChanges, stagedEntry, stagedPaths, unstagePaths } from '../../../src/git/staging/stagedFiles';
import { checkStagedChangesInStore, checkStagedFiles, checkStagedFilesInStore, pendingBlocksInText, storedAttribution } from '../../../src/git/staging/stagedReview';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { silentLogger } from '../../../src/core/logger';
import { aiSpanOver } from '../../support/spans';
import { TestRepo } from '../../support/testRepo';

const git = new GitRunner();

function aiSpan(id: string, text: string, piece: string): AttributedSpan {
  return aiSpanOver(text, piece, { id, insertedAt: 1 });
}

describe('staging: index reads and writes with real git', () => {
  let dir: string;
  let repository: RepositoryLocation;
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  beforeEach(async () => {
    dir = (await TestRepo.create({ prefix: 'vouch-staging-', user: { name: 'T', email: 't@example.com' } })).dir;
    repository = await findRepository(git, dir);
  });
  afterEach(() => TestRepo.remove(dir));

  it('lists, reads, unstages and stages before the first commit (no HEAD)', async () => {
    write('a.ts', 'staged\n');
    write('*.ts', 'a file with a glob name\n');
    await stagePaths(git, repository, ['a.ts']);
    write('a.ts', 'working\n');
    assert.deepEqual(await stagedPaths(git, repository), ['a.ts'], 'the glob-named file was not staged by the pathspec a.ts');
    assert.equal(await readStagedText(git, repository, 'a.ts'), 'staged\n');
    await stagePaths(git, repository, ['*.ts']);
    assert.deepEqual(await stagedPaths(git, repository), ['*.ts', 'a.ts'], 'a literal pathspec stages only the file named *.ts');
    assert.equal(await readStagedText(git, repository, '*.ts'), 'a file with a glob name\n');
    await unstagePaths(git, repository, ['a.ts']);
    assert.deepEqual(await stagedPaths(git, repository), ['*.ts']);
    assert.equal(await readStagedText(git, repository, 'a.ts'), undefined);
  });

  it('unstages back to HEAD after a commit and keeps the working tree', async () => {
    write('a.ts', 'one\n');
    await stagePaths(git, repository, ['a.ts']);
    await git.run(['commit', '-q', '-m', 'one'], { cwd: dir });
    write('a.ts', 'two\n');
    await stagePaths(git, repository, ['a.ts']);
    assert.equal(await readStagedText(git, repository, 'a.ts'), 'two\n');
    await unstagePaths(git, repository, ['a.ts']);
    assert.equal(await readStagedText(git, repository, 'a.ts'), 'one\n');
    assert.deepEqual(await stagedPaths(git, repository), []);
    const entry = await stagedEntry(git, repository, 'a.ts');
    assert.equal(entry?.mode, '100644');
  });

  it('reads another index file when asked (hooks of git commit -a)', async () => {
    write('a.ts', 'one\n');
    const indexFile = path.join(dir, 'other-index');
    await git.run(['add', 'a.ts'], { cwd: dir, env: { GIT_INDEX_FILE: indexFile } });
    assert.deepEqual(await stagedPaths(git, repository), []);
    assert.deepEqual(await stagedPaths(git, repository, { indexFile }), ['a.ts']);
    assert.equal(await readStagedText(git, repository, 'a.ts', { indexFile }), 'one\n');
  });

  it('carries working spans onto the staged text: unstaged AI text is not reported, staged AI text is', async () => {
    const working = 'keep\nconst a = fetch(u);\nmiddle\nconst b = 2;\n';
    const spans = [aiSpan('a', working, 'const a = fetch(u);'), aiSpan('b', working, 'const b = 2;')];
    const staged = 'keep\nmiddle\nconst b = 2;\n';
    const blocks = pendingBlocksInText('x.ts', { text: working, spans }, staged);
    assert.deepEqual(
      blocks.map((block) => [block.startLine, block.endLine, block.spanIds]),
      [[3, 3, ['b']]],
    );

    write('x.ts', staged);
    await stagePaths(git, repository, ['x.ts']);
    write('x.ts', working);
    const checks = await checkStagedFiles(git, repository, ['x.ts', 'not-staged.ts'], async (repoPath) => (repoPath === 'x.ts' ? { text: working, spans } : undefined));
    assert.equal(checks.length, 1);
    assert.deepEqual(checks[0].blocks.map((block) => block.lines), [['const b = 2;']]);
  });

  it('checks many staged files from the working state in a fixed number of git processes, with the same result as one file at a time', async () => {
    const store = new WorkingStateStore(repository, git, silentLogger);
    const names = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'unrecorded.ts'];
    for (const [index, name] of names.entries()) {
      const text = `const human${index} = ${index};\nconst ai${index} = () => ${index};\n`;
      write(name, text);
      if (name !== 'unrecorded.ts') await store.save(name, [aiSpan(`s${index}`, text, `const ai${index} = () => ${index};`)], text);
    }
    await stagePaths(git, repository, names);
    // b.ts is staged with a line more than the text its marks were recorded on.
    write('b.ts', 'const human1 = 1;\nconst ai1 = () => 1;\nconst more = 1;\n');
    await stagePaths(git, repository, ['b.ts']);
    let processes = 0;
    const counting = new Proxy(git, {
      get: (target, key, receiver) => (key === 'run' ? (...args: Parameters<GitRunner['run']>) => (processes++, target.run(...args)) : Reflect.get(target, key, receiver)),
    });
    const batched = await checkStagedFilesInStore(counting, repository, store, names);
    assert.equal(processes, 3, 'ls-files, cat-file --batch-check, cat-file --batch');
    const oneByOne = await checkStagedFiles(git, repository, names, (repoPath) => storedAttribution(store, repoPath));
    assert.deepEqual(batched, oneByOne);
    assert.equal(batched.length, 5);
    assert.ok(batched.every((check) => check.blocks.length === 1));
  });

  it('checks what is staged with one git process when each file with AI spans is staged and on disk as its recorded text (the pre-commit hook)', async () => {
    const store = new WorkingStateStore(repository, git, silentLogger);
    const names = ['a.ts', 'b.ts', 'c.ts', 'unrecorded.ts'];
    for (const [index, name] of names.entries()) {
      const text = `const human${index} = ${index};\nconst ai${index} = () => ${index};\n`;
      write(name, text);
      if (name !== 'unrecorded.ts') await store.save(name, [aiSpan(`s${index}`, text, `const ai${index} = () => ${index};`)], text);
    }
    await stagePaths(git, repository, names);
    let processes = 0;
    const counting = new Proxy(git, {
      get: (target, key, receiver) => (key === 'run' ? (...args: Parameters<GitRunner['run']>) => (processes++, target.run(...args)) : Reflect.get(target, key, receiver)),
    });
    const staged = await checkStagedChangesInStore(counting, repository, store);
    assert.equal(processes, 1, 'git diff --cached --raw only: the texts come from the working tree');
    assert.deepEqual(staged, await checkStagedFiles(git, repository, names, (repoPath) => storedAttribution(store, repoPath)));
    assert.deepEqual(staged.map((check) => check.repoPath), ['a.ts', 'b.ts', 'c.ts']);

    // b.ts staged with a line more than its recorded text, c.ts changed on disk after staging: both read from git.
    write('b.ts', 'const human1 = 1;\nconst ai1 = () => 1;\nconst more = 1;\n');
    await stagePaths(git, repository, ['b.ts']);
    write('c.ts', 'changed after staging\n');
    processes = 0;
    const mixed = await checkStagedChangesInStore(counting, repository, store);
    assert.equal(processes, 3, 'git diff --cached --raw, cat-file --batch-check, cat-file --batch');
    assert.deepEqual(mixed, await checkStagedFiles(git, repository, names, (repoPath) => storedAttribution(store, repoPath)));
    assert.ok(mixed.every((check) => check.blocks.length === 1));
  });

  it('lists the staged regular files with their blobs in one git diff, as stagedPaths and stagedEntry tell them', async () => {
    write('a.ts', 'one\n');
    write('gone.ts', 'gone\n');
    write('name with space.ts', 'x\n');
    await stagePaths(git, repository, ['a.ts', 'gone.ts']);
    await git.run(['commit', '-q', '-m', 'one'], { cwd: dir });
    write('a.ts', 'two\n');
    write('new\nline.ts', 'n\n');
    await git.run(['rm', '-q', 'gone.ts'], { cwd: dir });
    await git.run(['add', '-A'], { cwd: dir });
    const changes = await stagedChanges(git, repository);
    const paths = await stagedPaths(git, repository);
    assert.deepEqual([...changes.keys()].sort(), [...paths].sort());
    for (const repoPath of paths) assert.deepEqual(changes.get(repoPath), await stagedEntry(git, repository, repoPath));
    assert.equal(changes.size, 3);
  });
});

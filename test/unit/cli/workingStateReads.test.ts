import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { sha256Hex } from '../../../src/core/textHash';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

// check, status and record-commit follow renamed files first (which reads the working state), then build their
// report from it: the state files are read once per command, not once to follow renames and again
// (twice, for check --staged) for the report. Counted with a spy on the store's one file reader.
describe('check, status and record-commit read each working-state file once', function () {
  this.timeout(120_000);
  let repo: TestRepo;
  let reads: string[];
  const original = Object.getOwnPropertyDescriptor(WorkingStateStore.prototype, 'loadFile')?.value as WorkingStateStore['loadFile'];

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'a.ts': 'const a = 1;\n', 'b.ts': 'const b = 1;\n', 'old.ts': 'const o = 1;\nconst p = 2;\nconst q = 3;\n' });
    repo.write('a.ts', 'const a = 1;\nexport const aiA = a + 1;\n');
    repo.write('b.ts', 'const b = 1;\nexport const aiB = b + 1;\n');
    repo.write('old.ts', 'const o = 1;\nconst p = 2;\nconst q = 3;\nexport const aiO = o + p;\n');
    for (const file of ['a.ts', 'b.ts', 'old.ts']) assert.equal((await vouch(repo.dir, 'mark', file, '--lines', file === 'old.ts' ? '4' : '2', '--tool', 'copilot')).code, 0);
    await repo.git(['add', 'a.ts', 'b.ts']);
    reads = [];
    WorkingStateStore.prototype.loadFile = function (this: WorkingStateStore, stateFile: string) {
      reads.push(path.basename(stateFile));
      return original.call(this, stateFile);
    };
  });
  afterEach(() => {
    WorkingStateStore.prototype.loadFile = original;
    repo.cleanup();
  });

  /** How many times each state file was read, sorted (one number per file). */
  const readsPerFile = (): number[] => [...reads.reduce((counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1), new Map<string, number>()).values()].sort();

  for (const args of [['check', '--staged'], ['check'], ['status']]) {
    it(`vouch ${args.join(' ')}: every state file read once, with the same report`, async () => {
      const result = await vouch(repo.dir, ...args);
      assert.deepEqual(readsPerFile(), [1, 1, 1], `reads: ${reads.join(', ')}`);
      if (args[1] === '--staged') assert.match(result.stdout, /2 AI blocks staged[^]*a\.ts\s+line 2[^]*b\.ts\s+line 2/);
      else if (args[0] === 'check') assert.match(result.stdout, /3 AI blocks in the working tree/);
      else assert.match(result.stdout, /3 AI blocks in 3 files, 3 waiting for review/);
    });
  }

  it('vouch record-commit: every state file read once (renames followed and pending spans from one reading)', async () => {
    await repo.git(['commit', '-q', '-m', 'a and b']);
    reads = [];
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stdout, /recorded 2 AI line\(s\) in 2 file\(s\)/);
    assert.deepEqual(readsPerFile(), [1, 1, 1], `reads: ${reads.join(', ')}`);
  });

  it('vouch record-commit of a commit that renamed a file: its marks follow it, every state file read once', async () => {
    await repo.git(['mv', 'old.ts', 'new.ts']);
    await repo.git(['add', 'new.ts']);
    await repo.git(['commit', '-q', '-m', 'rename']);
    reads = [];
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stderr, /old\.ts was renamed to new\.ts in [0-9a-f]{12}; its AI marks follow it/);
    assert.match(recorded.stdout, /recorded 3 AI line\(s\) in 3 file\(s\)/);
    // The move reads old.ts's and new.ts's state itself (as for check --staged); the others once.
    const readsOf = (repoPath: string) => reads.filter((name) => name === `${sha256Hex(repoPath)}.json`).length;
    assert.deepEqual([readsOf('a.ts'), readsOf('b.ts')], [1, 1], `reads: ${reads.join(', ')}`);
    assert.match(await repo.text(['notes', '--ref', 'refs/notes/vouch', 'show', 'HEAD']), /\S/);
  });

  it('a file renamed with git mv: its marks follow it, and the other state files are still read once', async () => {
    await repo.git(['mv', 'old.ts', 'new.ts']);
    await repo.git(['add', 'new.ts']);
    const gate = await vouch(repo.dir, 'check', '--staged');
    assert.match(gate.stderr, /old\.ts was renamed to new\.ts; its AI marks follow it/);
    assert.match(gate.stdout, /3 AI blocks staged[^]*new\.ts\s+line 4/);
    const readsOf = (repoPath: string) => reads.filter((name) => name === `${sha256Hex(repoPath)}.json`).length;
    assert.deepEqual([readsOf('a.ts'), readsOf('b.ts')], [1, 1], `reads: ${reads.join(', ')}`);
    reads = [];
    const status = await vouch(repo.dir, 'status');
    assert.match(status.stdout, /new\.ts\n\s+line 4\s+unreviewed/);
    assert.deepEqual(readsPerFile(), [1, 1, 1], `reads: ${reads.join(', ')}`);
  });
});

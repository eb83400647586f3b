import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

const BASE = Array.from({ length: 20 }, (_, index) => `const line${index + 1} = ${index + 1};`).join('\n') + '\n';
const WITH_AI = BASE.replace('const line10 = 10;\n', 'const line10 = 10;\nexport const aiA = line1 + line2;\nexport const aiB = aiA * 2;\n');

/** The ranges (path, start, end, decision) of a commit's note. */
async function notedRanges(repo: TestRepo, commit: string): Promise<Array<[string, number, number, string | undefined]>> {
  const note = await repo.reader().readNote(commit);
  return (note?.records[0].statement.predicate.files ?? []).flatMap((file) => file.ranges.map((range): [string, number, number, string | undefined] => [file.path, range.start, range.end, range.review?.decision]));
}

// AI lines marked, then the file renamed outside the editor (git mv): the marks go with it.
describe('AI marks follow a file renamed with git mv (check, status, record-commit)', function () {
  this.timeout(120_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'old.ts': BASE });
    repo.write('old.ts', WITH_AI);
    assert.equal((await vouch(repo.dir, 'mark', 'old.ts', '--lines', '11-12', '--tool', 'copilot')).code, 0);
  });
  afterEach(() => repo.cleanup());

  it('gates the renamed file\'s AI lines under its new name, and records them once reviewed', async () => {
    await repo.git(['mv', 'old.ts', 'new.ts']);
    await repo.git(['add', '-A']);
    const gate = await vouch(repo.dir, 'check', '--staged');
    assert.equal(gate.code, 1, 'the AI lines are staged under the new name, unreviewed');
    assert.match(gate.stdout, /new\.ts\s+lines 11-12/);
    assert.match(gate.stderr, /old\.ts was renamed to new\.ts; its AI marks follow it/);
    assert.match((await vouch(repo.dir, 'status')).stdout, /new\.ts\n\s+lines 11-12\s+unreviewed/);
    assert.equal((await vouch(repo.dir, 'review', 'new.ts', '--lines', '11-12', '--intent', 'adds', '--scope', 'none')).code, 0);
    assert.equal((await vouch(repo.dir, 'check', '--staged')).code, 0);
    const commit = await repo.commitAll('rename with AI lines');
    assert.equal((await vouch(repo.dir, 'record-commit')).code, 0);
    assert.deepEqual(await notedRanges(repo, commit), [['new.ts', 11, 12, 'accepted']]);
    assert.equal((await vouch(repo.dir, 'verify', commit)).code, 0);
  });

  it('records the AI lines of a file a commit renamed when no gate ran before it (no hooks, an editor commit)', async () => {
    await repo.git(['mv', 'old.ts', 'new.ts']);
    const commit = await repo.commitAll('rename with AI lines, no hooks');
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(recorded.stderr, /old\.ts was renamed to new\.ts in [0-9a-f]{12}; its AI marks follow it/);
    assert.deepEqual(await notedRanges(repo, commit), [['new.ts', 11, 12, undefined]]);
    assert.equal((await vouch(repo.dir, 'verify', commit)).code, 1, 'unreviewed AI lines fail verify');
  });

  it('leaves the marks where they are when the new path has AI marks of its own', async () => {
    repo.write('new.ts', WITH_AI);
    assert.equal((await vouch(repo.dir, 'mark', 'new.ts', '--lines', '1', '--tool', 'claude-code')).code, 0);
    rmSync(path.join(repo.dir, 'old.ts'));
    await repo.git(['add', '-A']);
    assert.match(await repo.text(['diff', '--cached', '--name-status', '-M']), /^R\d+\told\.ts\tnew\.ts$/, 'git pairs them as a rename');
    const status = await vouch(repo.dir, 'status');
    assert.doesNotMatch(status.stderr, /renamed/);
    assert.match(status.stdout, /old\.ts\s+\(file is gone/);
  });
});

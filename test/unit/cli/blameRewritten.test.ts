import * as assert from 'node:assert/strict';
import type { BlameJsonLine } from '../../../src/cli/commands/blame';
import { vouch } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';

const BASE = 'const a = 1;\nconst b = 2;\n';
const AI = 'export const ai1 = a + b;\nexport const ai2 = ai1 * 2;\nexport const ai3 = ai2 - a;\n';

/** Which lines blame shows as AI. */
async function aiLinesOfBlame(repo: TestRepo, path: string): Promise<number[]> {
  const result = await vouch(repo.dir, 'blame', path, '--json');
  assert.equal(result.code, 0, result.stderr);
  const lines = (JSON.parse(result.stdout) as { lines: BlameJsonLine[] }).lines;
  return lines.filter((line) => line.attribution === 'ai').map((line) => line.line);
}

// notes.rewriteRef copies a note to the amended or rebased commit as it is: its ranges name the
// lines of the commit it was written for. Blame shows them where they are in the commit it blames.
describe('vouch blame of a commit whose note was carried by notes.rewriteRef (amend)', function () {
  this.timeout(60_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ 'f.ts': BASE });
    repo.write('f.ts', BASE + AI);
    assert.equal((await vouch(repo.dir, 'mark', 'f.ts', '--lines', '3-5', '--tool', 'copilot')).code, 0);
    assert.equal((await vouch(repo.dir, 'review', 'f.ts', '--lines', '3-5', '--intent', 'sums', '--scope', 'none')).code, 0);
    await repo.commitAll('ai lines');
    assert.equal((await vouch(repo.dir, 'record-commit')).code, 0);
    assert.equal((await vouch(repo.dir, 'notes', 'rewrite-ref', '--enable')).code, 0);
    assert.deepEqual(await aiLinesOfBlame(repo, 'f.ts'), [3, 4, 5]);
  });
  afterEach(() => repo.cleanup());

  it('shows the AI lines where the amend moved them, and the person\'s new line as not AI', async () => {
    repo.write('f.ts', `${BASE}const human = 0;\n${AI}`);
    await repo.git(['commit', '-q', '--amend', '-a', '--no-edit']);
    const shown = await vouch(repo.dir, 'notes', 'show', 'HEAD');
    assert.match(shown.stdout, /f\.ts:3-5 {2}moved to 4-6/);
    assert.deepEqual(await aiLinesOfBlame(repo, 'f.ts'), [4, 5, 6]);
  });

  it('shows no AI lines for a range the amend changed (stale), as verify reports it', async () => {
    repo.write('f.ts', BASE + AI.replace('ai2 = ai1 * 2', 'ai2 = ai1 * 3'));
    await repo.git(['commit', '-q', '--amend', '-a', '--no-edit']);
    assert.equal((await vouch(repo.dir, 'verify', 'HEAD')).code, 1);
    assert.deepEqual(await aiLinesOfBlame(repo, 'f.ts'), []);
  });
});

import * as assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { capture } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';
import type { StatusReport } from '../../../src/cli/commands/status';
import { silentLogger } from '../../../src/core/logger';
import { GitRunner } from '../../../src/git/gitRunner';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { sha256Hex } from '../../../src/core/textHash';
import { acceptedReview } from '../../support/spans';

const git = new GitRunner();

const review = acceptedReview();

describe('vouch status', () => {
  let dir: string;
  const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}\n`).join('');

  beforeEach(async () => {
    dir = (await TestRepo.create({ prefix: 'vouch-status-' })).dir;
    writeFileSync(path.join(dir, 'a.txt'), lines);
    writeFileSync(path.join(dir, 'b.txt'), lines);
  });
  afterEach(() => TestRepo.remove(dir));

  async function mark(file: string, range: string, tool: string, extra: string[] = []): Promise<void> {
    const io = capture(dir);
    assert.equal(await runCli(['mark', file, '--lines', range, '--tool', tool, ...extra], io), 0, io.err);
  }

  async function status(args: string[] = []): Promise<{ code: number; out: string; err: string }> {
    const io = capture(dir);
    const code = await runCli(['status', ...args], io);
    return { code, out: io.out, err: io.err };
  }

  it('prints help that documents the JSON output', async () => {
    const result = await status(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.out, /Usage: vouch status \[--json\]/);
    assert.match(result.out, /"unreviewedBlocks"/);
  });

  it('says so when there is no AI code', async () => {
    const result = await status();
    assert.equal(result.code, 0);
    assert.equal(result.out, 'No AI-written code in uncommitted changes.\n');
    const json = JSON.parse((await status(['--json'])).out) as StatusReport;
    assert.deepEqual(json, { version: 2, repository: dir, files: [], totals: { files: 0, blocks: 0, unreviewedBlocks: 0 } });
  });

  it('lists blocks per file with their lines and review state, in text and JSON', async () => {
    await mark('b.txt', '2-3', 'claude-code', ['--model', 'opus']);
    await mark('a.txt', '5', 'aider');
    await mark('a.txt', '9-10', 'copilot-cli', ['--kind', 'chat', '--session', 's9']);
    // Record a review of the b.txt block, as the editor would.
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    const b = await store.load('b.txt');
    await store.save('b.txt', b!.spans.map((span) => ({ ...span, review: { ...review, textHash: sha256Hex(lines.slice(span.start, span.end)) } })), lines);

    const json = await status(['--json']);
    assert.equal(json.code, 0, json.err);
    const report = JSON.parse(json.out) as StatusReport;
    assert.equal(report.repository, dir);
    assert.deepEqual(
      report.files.map((file) => ({ path: file.path, exists: file.exists, blocks: file.blocks.map(({ spanIds, ...rest }) => ({ ...rest, spans: spanIds.length })) })),
      [
        {
          path: 'a.txt',
          exists: true,
          blocks: [
            { startLine: 5, endLine: 5, review: 'unreviewed', origins: [{ kind: 'agent', tool: 'aider' }], spans: 1 },
            { startLine: 9, endLine: 10, review: 'unreviewed', origins: [{ kind: 'chat', tool: 'copilot-cli', session: 's9' }], spans: 1 },
          ],
        },
        {
          path: 'b.txt',
          exists: true,
          blocks: [{ startLine: 2, endLine: 3, review: 'accepted', origins: [{ kind: 'agent', tool: 'claude-code', model: 'opus' }], spans: 1 }],
        },
      ],
    );
    assert.deepEqual(report.totals, { files: 2, blocks: 3, unreviewedBlocks: 2 });

    const text = await status();
    assert.equal(
      text.out,
      [
        'a.txt',
        '  line 5           unreviewed            aider [agent]',
        '  lines 9-10       unreviewed            copilot-cli [chat]',
        'b.txt',
        '  lines 2-3        accepted              claude-code (opus) [agent]',
        '',
        '3 AI blocks in 2 files, 2 waiting for review.',
        '',
      ].join('\n'),
    );
  });

  it('shows blocks at their lines in the file as it is now, after outside edits', async () => {
    await mark('a.txt', '5-6', 'aider');
    writeFileSync(path.join(dir, 'a.txt'), 'new first\nnew second\n' + lines.replace('line 6\n', 'xyz\n'));
    const report = JSON.parse((await status(['--json'])).out) as StatusReport;
    assert.deepEqual(
      report.files[0].blocks.map((block) => [block.startLine, block.endLine]),
      [[7, 7]],
    );
  });

  it('reports a file that was deleted but still has state', async () => {
    await mark('a.txt', '1', 'aider');
    unlinkSync(path.join(dir, 'a.txt'));
    const report = JSON.parse((await status(['--json'])).out) as StatusReport;
    assert.deepEqual(report.files, [{ path: 'a.txt', exists: false, blocks: [] }]);
    assert.match((await status()).out, /a\.txt {2}\(file is gone/);
  });

  it('keeps going when a state file is corrupt, with a warning on stderr', async () => {
    await mark('a.txt', '1', 'aider');
    await mark('b.txt', '2', 'aider');
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    writeFileSync(store.stateFileFor('a.txt'), '{"version":1,');
    const result = await status(['--json']);
    assert.equal(result.code, 0);
    assert.deepEqual((JSON.parse(result.out) as StatusReport).files.map((file) => file.path), ['b.txt']);
    assert.match(result.err, /set aside working state file .* because not JSON/);
  });

  it('exits 2 for unknown options and 1 outside a repository', async () => {
    assert.equal((await status(['--yaml'])).code, 2);
    const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-nogit-')));
    try {
      const io = capture(outside);
      assert.equal(await runCli(['status'], io), 1);
      assert.match(io.err, /not inside a git working tree/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

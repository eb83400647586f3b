import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { silentLogger } from '../../../src/core/logger';
import { BlameOverlay, DEFAULT_NOTE_READ_AHEAD } from '../../../src/git/blame/blameOverlay';
import { DEFAULT_PROMPT_SEARCH_LIMITS, searchGitAiNotesForKeys } from '../../../src/git/notes/gitAiPromptSearch';
import { TestRepo, gitRunner } from '../../support/testRepo';
import { recordingLogger } from '../../support/recordingLogger';

const PROMPT_KEY = 'c9883b05a2487d6d';
/** Nothing is read ahead of blame: only the notes of the commits blame names are read. */
const NO_READ_AHEAD = { ...DEFAULT_NOTE_READ_AHEAD, maxNotes: 0 };

function gitAiNote(file: string, lines: readonly string[], prompts: Record<string, unknown>): string {
  return `${file}\n${lines.map((line) => `  ${line}`).join('\n')}\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', prompts }, null, 2)}\n`;
}

function prompt(tool: string, model: string): Record<string, unknown> {
  return { agent_id: { tool, id: `session-${tool}`, model }, human_author: null, total_additions: 1, total_deletions: 0, accepted_lines: 1, overriden_lines: 0 };
}

/**
 * git-ai resolves a legacy prompt key missing from its note by searching all of refs/notes/ai for
 * `"<key>"` and taking the newest commit's record; Vouch did so only in the notes it had read.
 */
describe('git-ai prompts missing from their note: searched in all of refs/notes/ai (real git)', function () {
  this.timeout(60_000);
  let repo: TestRepo;
  let older: string;
  let newer: string;

  before(async () => {
    repo = await TestRepo.create();
    // Two commits whose notes hold the prompt record (an original and a later reuse, different tools), then unrelated commits.
    older = await repo.commitFiles({ 'src/original.js': 'const original = 1;\n' }, 'original');
    await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', gitAiNote('src/original.js', [`${PROMPT_KEY} 1`], { [PROMPT_KEY]: prompt('cursor', 'claude-3-sonnet') }), older]);
    newer = await repo.commitFiles({ 'src/reused.js': 'const reused = 1;\n' }, 'reused');
    await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', gitAiNote('src/reused.js', [`${PROMPT_KEY} 1`], { [PROMPT_KEY]: prompt('claude-code', 'claude-sonnet-4-5') }), newer]);
    for (let index = 0; index < 3; index++) {
      const commit = await repo.commitFiles({ [`src/other${index}.js`]: `const other = ${index};\n` }, `other ${index}`);
      await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', gitAiNote(`src/other${index}.js`, ['0123456789abcdef 1'], { '0123456789abcdef': prompt('copilot', 'gpt-4o') }), commit]);
    }
    // The cherry-picked commit: its note names the key without the record; line 2's key is nowhere.
    const picked = await repo.commitFiles({ 'src/picked.js': 'const picked = 1;\nconst orphan = 2;\n' }, 'picked');
    await repo.git(['notes', '--ref', 'refs/notes/ai', 'add', '-m', gitAiNote('src/picked.js', [`${PROMPT_KEY} 1`, 'ffffffffffffffff 2'], {}), picked]);
  });
  after(() => rmSync(repo.dir, { recursive: true, force: true }));

  it('finds, per key, the commits whose notes hold it, newest commit first', async () => {
    const result = await searchGitAiNotesForKeys(gitRunner, repo.dir, [PROMPT_KEY, 'ffffffffffffffff', 'not a "key"\n']);
    assert.ok(result.ok);
    assert.deepEqual(result.commitsByKey.get(PROMPT_KEY), [newer, older]);
    assert.equal(result.commitsByKey.has('ffffffffffffffff'), false, 'a key only in attestation lines (unquoted) is not a record');
    assert.equal(result.commitsByKey.size, 1, 'a key with quotes or a newline is never searched');
  });

  it("blame resolves the cherry-pick's key from a note blame does not name, taking the newest commit's record, as git-ai does", async () => {
    const overlay = new BlameOverlay(gitRunner, repo.dir, silentLogger, undefined, NO_READ_AHEAD);
    const annotation = await overlay.annotateFile('src/picked.js');
    assert.deepEqual(
      annotation.aiLines.map((line) => [line.line, line.source, line.origin.tool, line.origin.model]),
      [[0, 'git-ai', 'claude-code', 'claude-sonnet-4-5']],
    );
  });

  it('gives up when the search exceeds its output limit (logged), and keeps to the notes read so far', async () => {
    const logger = recordingLogger();
    const overlay = new BlameOverlay(gitRunner, repo.dir, logger, undefined, NO_READ_AHEAD, { ...DEFAULT_PROMPT_SEARCH_LIMITS, maxOutputBytes: 16 });
    const annotation = await overlay.annotateFile('src/picked.js');
    assert.deepEqual(annotation.aiLines, [], 'no note read so far holds the record');
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0], /were not searched in refs\/notes\/ai \(git grep produced more than 16 bytes\)/);
  });

  it('finds nothing, without an error, in a repository without refs/notes/ai', async () => {
    const empty = await TestRepo.create();
    try {
      await empty.commitFiles({ 'a.txt': 'a\n' }, 'a');
      assert.deepEqual(await searchGitAiNotesForKeys(gitRunner, empty.dir, [PROMPT_KEY]), { ok: true, commitsByKey: new Map() });
    } finally {
      rmSync(empty.dir, { recursive: true, force: true });
    }
  });
});

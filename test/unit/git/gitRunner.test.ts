import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitError, GitRunner, assertObjectId, findGitExecutable } from '../../../src/git/gitRunner';

describe('GitRunner', () => {
  let dir: string;
  const git = new GitRunner();

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-git-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an absolute git executable', () => {
    assert.ok(path.isAbsolute(findGitExecutable()));
  });

  it('runs git with an argument array and returns its output', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const result = await git.run(['rev-parse', '--is-inside-work-tree'], { cwd: dir });
    assert.equal(result.stdout.trim(), 'true');
  });

  it('delivers the result, or the failure, even when its logger throws (the editor closed the log channel during shutdown)', async () => {
    const closed = () => {
      throw new Error('Channel has been closed');
    };
    const withClosedLog = new GitRunner(findGitExecutable(), { trace: closed, debug: closed, info: closed, warn: closed, error: closed });
    await git.run(['init', '-q'], { cwd: dir });
    const blob = await withClosedLog.run(['hash-object', '-w', '--stdin'], { cwd: dir, input: Buffer.from('AI text\n') });
    assert.equal(blob.stdout.trim(), (await git.run(['hash-object', '--stdin'], { cwd: dir, input: Buffer.from('AI text\n') })).stdout.trim());
    await assert.rejects(withClosedLog.run(['cat-file', '-e', 'HEAD'], { cwd: dir }), GitError);
  });

  it('does not inherit GIT_* variables from the parent process', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    process.env.GIT_DIR = '/nonexistent/elsewhere';
    try {
      const result = await git.run(['rev-parse', '--git-dir'], { cwd: dir });
      assert.equal(result.stdout.trim(), '.git');
    } finally {
      delete process.env.GIT_DIR;
    }
  });

  it('never runs repository hooks', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const { writeFileSync, existsSync } = await import('node:fs');
    const marker = path.join(dir, 'hook-ran');
    writeFileSync(path.join(dir, '.git/hooks/pre-commit'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    await git.run(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: dir });
    assert.equal(existsSync(marker), false);
  });

  it('reports failures as typed errors', async () => {
    await assert.rejects(git.run(['rev-parse', 'HEAD'], { cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.kind, 'not-a-repository');
      return true;
    });
    await git.run(['init', '-q'], { cwd: dir });
    await assert.rejects(git.run(['rev-parse', '--verify', 'nope'], { cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.kind, 'exit-code');
      assert.equal(error.exitCode, 128);
      return true;
    });
  });

  it('accepts exit codes the caller declares as answers', async () => {
    await git.run(['init', '-q'], { cwd: dir });
    const result = await git.run(['diff', '--quiet', '--no-index', '/dev/null', '/dev/null'], { cwd: dir, okExitCodes: [1] });
    assert.equal(result.exitCode, 0);
  });

  it('validates object ids', () => {
    assert.equal(assertObjectId('a'.repeat(40)), 'a'.repeat(40));
    assert.throws(() => assertObjectId('HEAD'));
    assert.throws(() => assertObjectId('--upload-pack=evil'));
  });
});

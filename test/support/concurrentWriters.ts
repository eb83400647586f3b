// Two editor windows, a terminal and an agent hook recording, reviewing and committing on one
// repository at once, each its own process (see concurrentWriterProcess.ts); afterwards the notes
// are counted against what each writer committed: every AI line committed must be in its commit's
// record exactly once, and no line recorded that the commit did not add.
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/core/logger';
import { GitRunner } from '../../src/git/gitRunner';
import { NotesReader } from '../../src/git/notes/notesReader';
import { bundleForNode, runCliProcess, sharedCliBundle, writeCliLauncher } from './cliProcess';
import type { WriterLog, WriterRole } from './concurrentWriterProcess';

const projectRoot = path.resolve(__dirname, '..', '..');
/** The Claude Code Edit payload the agent writer sends, with its own file and text put in. */
const agentEditFixture = path.join(projectRoot, 'test/fixtures/agent-hooks/claude-code-edit.json');
const git = new GitRunner();

export interface ConcurrentWritersFigures {
  readonly seconds: number;
  readonly writers: readonly { readonly name: string; readonly role: WriterRole; readonly commits: number }[];
  readonly commits: number;
  readonly aiLinesCommitted: number;
  /** AI lines found in their commit's records (each counted once per record that holds it). */
  readonly aiLinesRecorded: number;
  readonly records: number;
  /** Committed AI lines in no record of their commit. */
  readonly lost: number;
  /** Committed AI lines in more than one record of their commit (extra copies). */
  readonly duplicated: number;
  /** Lines recorded in a commit that did not add them as AI (recorded twice across commits). */
  readonly unexpected: number;
  readonly failures: readonly string[];
}

export interface ConcurrentRepository {
  readonly dir: string;
  readonly repo: string;
  readonly cli: string;
  /** concurrentWriterProcess.ts bundled for plain node: four writers start in a node start each, not a TypeScript loader's compile. */
  readonly writerScript: string;
}

/** A repository with one commit and Vouch's git hooks installed, running a bundled CLI. */
export async function createConcurrentRepository(prefix = 'vouch-writers-'): Promise<ConcurrentRepository> {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  const repo = path.join(dir, 'repo');
  const [cli, writerScript] = await Promise.all([sharedCliBundle(), bundleForNode(path.join(__dirname, 'concurrentWriterProcess.ts'), path.join(dir, 'concurrent-writer.js'))]);
  const launcher = writeCliLauncher(path.join(dir, 'vouch'), cli);
  await git.run(['init', '-q', '-b', 'main', repo], { cwd: dir });
  for (const [key, value] of [
    ['user.name', 'Writer'],
    ['user.email', 'writer@example.com'],
    ['commit.gpgsign', 'false'],
  ]) {
    await git.run(['config', key, value], { cwd: repo });
  }
  writeFileSync(path.join(repo, 'README.md'), 'concurrent writers\n');
  await git.run(['add', 'README.md'], { cwd: repo });
  await git.run(['commit', '-q', '-m', 'start'], { cwd: repo });
  const installed = await runCliProcess(cli, repo, ['install-hooks', '--vouch-path', launcher]);
  if (installed.code !== 0) throw new Error(`install-hooks: ${installed.stderr}`);
  return { dir, repo, cli, writerScript };
}

function runWriter(setup: ConcurrentRepository, role: WriterRole, name: string, seconds: number): Promise<WriterLog> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [setup.writerScript, role, setup.repo, setup.cli, String(seconds), name, agentEditFixture], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as WriterLog);
      } catch {
        reject(new Error(`writer ${name} exited with ${code}: ${stderr.slice(-2000)}`));
      }
    });
  });
}

/** Runs two windows, a terminal and an agent for `seconds`, then counts the records. */
export async function runConcurrentWriters(setup: ConcurrentRepository, seconds: number): Promise<ConcurrentWritersFigures> {
  const logs = await Promise.all([
    runWriter(setup, 'window', 'window1', seconds),
    runWriter(setup, 'window', 'window2', seconds),
    runWriter(setup, 'terminal', 'terminal', seconds),
    runWriter(setup, 'agent', 'agent', seconds),
  ]);
  const reader = new NotesReader(git, setup.repo, silentLogger);
  const counts = { aiLinesCommitted: 0, aiLinesRecorded: 0, records: 0, lost: 0, duplicated: 0, unexpected: 0 };
  const failures = logs.flatMap((log) => log.failures.map((failure) => `${log.name}: ${failure}`));
  for (const log of logs) {
    for (const { commit, aiLines } of log.commits) {
      counts.aiLinesCommitted += aiLines.length;
      const note = await reader.readNote(commit);
      if (note && note.rejected.length > 0) failures.push(`${log.name}: ${commit.slice(0, 12)}: ${note.rejected.length} unreadable record(s)`);
      const perLine = new Map<number, number>();
      for (const record of note?.records ?? []) {
        counts.records++;
        for (const file of record.statement.predicate.files) {
          if (file.path !== log.file) {
            counts.unexpected += file.ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0);
            continue;
          }
          for (const range of file.ranges) for (let line = range.start; line <= range.end; line++) perLine.set(line, (perLine.get(line) ?? 0) + 1);
        }
      }
      for (const line of aiLines) {
        const count = perLine.get(line) ?? 0;
        if (count === 0) counts.lost++;
        counts.aiLinesRecorded += count;
        counts.duplicated += Math.max(0, count - 1);
        perLine.delete(line);
      }
      for (const count of perLine.values()) counts.unexpected += count;
    }
  }
  return {
    seconds,
    writers: logs.map((log) => ({ name: log.name, role: log.role, commits: log.commits.length })),
    commits: logs.reduce((sum, log) => sum + log.commits.length, 0),
    ...counts,
    failures,
  };
}

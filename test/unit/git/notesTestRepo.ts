// Temporary git repositories for the notes tests (real git, cleaned up by the caller).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AttributedSpan } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import type { CommittedFileInput } from '../../../src/core/notes/recordFromSpans';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner, type GitResult } from '../../../src/git/gitRunner';
import { recordFilesOfCommit, type RecordCommitResult } from '../../../src/git/notes/commitRecording';
import { NotesReader } from '../../../src/git/notes/notesReader';
import { NotesWriter, type NotesWriterOptions } from '../../../src/git/notes/notesWriter';

export const gitRunner = new GitRunner();

/** Every commit gets its own second, so commits with equal trees and parents still differ. */
let clock = 1_700_000_000;

export function nextDateEnv(): Record<string, string> {
  clock += 1;
  const date = `@${clock} +0000`;
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}

export class TestRepo {
  private constructor(readonly dir: string) {}

  static async create(options: { bare?: boolean; dir?: string } = {}): Promise<TestRepo> {
    const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'vouch-notes-'));
    mkdirSync(dir, { recursive: true });
    const repo = new TestRepo(dir);
    await repo.git(['init', '-q', ...(options.bare ? ['--bare'] : []), '-b', 'main']);
    await repo.configure();
    return repo;
  }

  static async clone(source: string, dir: string): Promise<TestRepo> {
    await gitRunner.run(['clone', '-q', source, dir], { cwd: path.dirname(dir) });
    const repo = new TestRepo(dir);
    await repo.configure();
    return repo;
  }

  private async configure(): Promise<void> {
    await this.git(['config', 'user.name', 'Test Person']);
    await this.git(['config', 'user.email', 'test@example.com']);
    await this.git(['config', 'commit.gpgsign', 'false']);
  }

  git(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<GitResult> {
    return gitRunner.run(args, { cwd: this.dir, env, input });
  }

  async text(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
    return (await this.git(args, env)).stdout.trim();
  }

  write(file: string, text: string): void {
    const full = path.join(this.dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }

  async commitAll(message: string): Promise<string> {
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '-m', message], nextDateEnv());
    return this.text(['rev-parse', 'HEAD']);
  }

  writer(options: NotesWriterOptions = {}): Promise<NotesWriter> {
    return NotesWriter.open(gitRunner, this.dir, silentLogger, options);
  }

  reader(): NotesReader {
    return new NotesReader(gitRunner, this.dir, silentLogger);
  }

  /** Records `aiText` (which must occur in the committed file) as AI written in `commit`. */
  async recordAi(commit: string, files: readonly { path: string; text: string; aiText: string; tool?: string }[]): Promise<RecordCommitResult> {
    const inputs: CommittedFileInput[] = files.map((file) => ({ path: file.path, workingText: file.text, spans: [aiSpan(file.text, file.aiText, file.tool)] }));
    return recordFilesOfCommit({ git: gitRunner, topLevel: this.dir, writer: await this.writer(), logger: silentLogger }, { commit, files: inputs });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function aiSpan(text: string, aiText: string, tool = 'github-copilot'): AttributedSpan {
  const start = text.indexOf(aiText);
  if (start < 0) throw new Error(`test setup: ${JSON.stringify(aiText)} not in text`);
  return {
    id: `span-${sha256Hex(`${tool}:${aiText}`).slice(0, 8)}`,
    start,
    end: start + aiText.length,
    origin: { kind: 'inline', tool },
    confidence: 'high',
    insertedAt: 1_700_000_000_000,
    insertedTextHash: sha256Hex(aiText),
    insertedLength: aiText.length,
    humanChangedChars: 0,
  };
}

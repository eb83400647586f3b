// Temporary git repositories for the tests (real git, cleaned up by the caller): a user, commits
// at fixed times, and the notes writer and reader of the repository.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AttributedSpan } from '../../src/core/attribution';
import { silentLogger } from '../../src/core/logger';
import type { CommittedFileInput } from '../../src/core/notes/recordFromSpans';
import { sha256Hex } from '../../src/core/textHash';
import { GitRunner, type GitResult } from '../../src/git/gitRunner';
import { recordFilesOfCommit, type RecordCommitResult } from '../../src/git/notes/commitRecording';
import { NotesReader } from '../../src/git/notes/notesReader';
import { NotesWriter, type NotesWriterOptions } from '../../src/git/notes/notesWriter';
import { aiSpanOver } from './spans';

export const gitRunner = new GitRunner();

const TEST_USER: TestUser = { name: 'Test Person', email: 'test@example.com' };

/** Every commit gets its own second, so commits with equal trees and parents still differ. */
let clock = 1_700_000_000;

export function nextDateEnv(): Record<string, string> {
  clock += 1;
  const date = `@${clock} +0000`;
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}

/** The committer of a test repository's commits (its git user.name and user.email). */
export interface TestUser {
  readonly name: string;
  readonly email: string;
}

export interface TestRepoOptions {
  readonly bare?: boolean;
  /** Where to create it (default: a new temporary directory named `prefix`XXXXXX). */
  readonly dir?: string;
  readonly prefix?: string;
  readonly user?: TestUser;
}

/** Files by repository path, and their text. */
export type TestFiles = Readonly<Record<string, string>>;

export class TestRepo {
  private constructor(
    readonly dir: string,
    private readonly user: TestUser,
  ) {}

  static async create(options: TestRepoOptions = {}): Promise<TestRepo> {
    const dir = options.dir ?? realpathSync(mkdtempSync(path.join(tmpdir(), options.prefix ?? 'vouch-notes-')));
    mkdirSync(dir, { recursive: true });
    const repo = new TestRepo(dir, options.user ?? TEST_USER);
    await repo.git(['init', '-q', ...(options.bare ? ['--bare'] : []), '-b', 'main']);
    await repo.configure();
    return repo;
  }

  /** A repository whose first commit (message `base` unless `message` says otherwise) holds `files`. */
  static async withBaseCommit(files: TestFiles, options: TestRepoOptions & { readonly message?: string } = {}): Promise<TestRepo> {
    const repo = await TestRepo.create(options);
    await repo.commitFiles(files, options.message ?? 'base');
    return repo;
  }

  static async clone(source: string, dir: string): Promise<TestRepo> {
    await gitRunner.run(['clone', '-q', source, dir], { cwd: path.dirname(dir) });
    const repo = new TestRepo(dir, TEST_USER);
    await repo.configure();
    return repo;
  }

  private async configure(): Promise<void> {
    await this.git(['config', 'user.name', this.user.name]);
    await this.git(['config', 'user.email', this.user.email]);
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
    return this.head();
  }

  /** Writes `files` and commits everything; returns the new commit. */
  async commitFiles(files: TestFiles, message: string): Promise<string> {
    for (const [file, text] of Object.entries(files)) this.write(file, text);
    return this.commitAll(message);
  }

  head(): Promise<string> {
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
    TestRepo.remove(this.dir);
  }

  /** Removes a test repository (or any temporary directory) known by its path. */
  static remove(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An inline-completion span of `tool` over `aiText` in `text`, inserted at the repository tests' fixed time. */
export function aiSpan(text: string, aiText: string, tool = 'github-copilot'): AttributedSpan {
  return aiSpanOver(text, aiText, { id: `span-${sha256Hex(`${tool}:${aiText}`).slice(0, 8)}`, origin: { kind: 'inline', tool }, insertedAt: 1_700_000_000_000 });
}

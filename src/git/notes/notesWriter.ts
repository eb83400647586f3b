/**
 * Writes note records so that none is ever lost: journal first, then a compare-and-swap of
 * `refs/notes/vouch` to a notes commit built on a private ref (never the user's index or working
 * tree), with bounded, jittered retries. Plain `git notes add` would update the ref without
 * compare-and-swap and lose concurrent notes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../core/logger';
import { mergeNoteTexts } from '../../core/notes/noteParser';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { sha256Hex } from '../../core/textHash';
import { GitError, assertObjectId, type GitRunner } from '../gitRunner';
import { ZERO_OID, readBlobs, readRef, resolveRepository } from './gitObjects';
import { isProcessAlive } from '../workingState/fileLock';
import { NotesJournal, type JournalEntry } from './notesJournal';

export const PRIVATE_REF_PREFIX = 'refs/notes/vouch-tmp/';
/** A private ref older than this belongs to a writer that is gone, whatever its pid says. */
const PRIVATE_REF_MAX_AGE_MS = 60 * 60 * 1000;
const HOST_TAG = sha256Hex(hostname()).slice(0, 8);

export interface NotesWriterOptions {
  readonly ref?: string;
  /** Attempts when another writer moved the ref first. */
  readonly maxAttempts?: number;
  /** Attempts while someone holds the ref's lock file. */
  readonly lockAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export type NotesWriteErrorKind = 'locked' | 'contention';

/** The ref could not be updated; the records stay pending in the journal and are re-applied later. */
export class NotesWriteError extends Error {
  constructor(
    readonly kind: NotesWriteErrorKind,
    message: string,
    readonly pendingRecords: number,
    readonly lockFile?: string,
  ) {
    super(message);
    this.name = 'NotesWriteError';
  }
}

export interface NoteRecordToWrite {
  readonly commit: string;
  readonly line: string;
}

export interface ApplyResult {
  /** Journal entries now seen in the ref (written now or already there). */
  readonly applied: number;
  /** Notes commits made: 0 when every record was already in the ref. */
  readonly notesCommits: number;
  readonly attempts: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isLockError(error: GitError): string | undefined {
  const match = /Unable to create '([^']+\.lock)': File exists/.exec(error.stderr);
  return match ? match[1] : undefined;
}

export class NotesWriter {
  private readonly ref: string;
  private readonly maxAttempts: number;
  private readonly lockAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  private identityEnv: Promise<Record<string, string>> | undefined;
  private orphansRemoved = false;

  private constructor(
    private readonly git: GitRunner,
    private readonly topLevel: string,
    readonly journal: NotesJournal,
    private readonly logger: Logger,
    options: NotesWriterOptions,
  ) {
    this.ref = options.ref ?? NOTES_REF;
    this.maxAttempts = options.maxAttempts ?? 60;
    this.lockAttempts = options.lockAttempts ?? 12;
    this.baseDelayMs = options.baseDelayMs ?? 20;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
  }

  static async open(git: GitRunner, cwd: string, logger: Logger, options: NotesWriterOptions = {}): Promise<NotesWriter> {
    const dirs = await resolveRepository(git, cwd);
    return new NotesWriter(git, dirs.topLevel, new NotesJournal(dirs.commonDir, logger), logger, options);
  }

  /** Journals the records, then applies every pending record (these and any left by earlier runs). */
  async append(records: readonly NoteRecordToWrite[]): Promise<ApplyResult> {
    await this.journalRecords(records);
    return this.replayPending();
  }

  /** Saves the records in the journal (crash-safe); from then on they reach the ref with this or a later write. */
  async journalRecords(records: readonly NoteRecordToWrite[]): Promise<void> {
    for (const record of records) {
      assertObjectId(record.commit);
      await this.journal.add(record.commit, record.line);
    }
  }

  /** Applies the records still pending in the journal. Calls from one process run one at a time. */
  replayPending(): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyPending());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyPending(): Promise<ApplyResult> {
    if (!this.orphansRemoved) {
      // Once per writer: orphans come from writers that died before this one started.
      await this.removeOrphanedPrivateRefs();
      this.orphansRemoved = true;
    }
    let lockFailures = 0;
    let lastLockFile: string | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const entries = await this.applicableEntries();
      if (entries.length === 0) return { applied: 0, notesCommits: 0, attempts: attempt - 1 };
      try {
        const outcome = await this.tryApply(entries);
        if (outcome) {
          this.journal.remove(entries);
          return { applied: entries.length, notesCommits: outcome.commits, attempts: attempt };
        }
      } catch (error) {
        if (!(error instanceof GitError)) throw error;
        const lockFile = isLockError(error);
        if (!lockFile) throw error;
        lastLockFile = lockFile;
        lockFailures++;
        if (lockFailures >= this.lockAttempts) break;
      }
      await sleep(Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt, 16)));
    }
    const pending = this.journal.list().length;
    if (lastLockFile && lockFailures >= this.lockAttempts) {
      throw new NotesWriteError(
        'locked',
        `could not update ${this.ref}: the lock file ${lastLockFile} has existed through ${lockFailures} attempts. ` +
          `If no git process is running, remove that file yourself; ${pending} record(s) stay pending and will be written next time.`,
        pending,
        lastLockFile,
      );
    }
    throw new NotesWriteError('contention', `could not update ${this.ref}: other writers kept moving it through ${this.maxAttempts} attempts; ${pending} record(s) stay pending`, pending);
  }

  /** Pending entries whose commit exists; entries for vanished commits are set aside so they cannot block every later write. */
  private async applicableEntries(): Promise<JournalEntry[]> {
    const entries = this.journal.list();
    if (entries.length === 0) return entries;
    const commits = [...new Set(entries.map((entry) => entry.commit))];
    const check = await this.git.run(['cat-file', '--batch-check'], { cwd: this.topLevel, input: `${commits.join('\n')}\n` });
    const present = new Set(
      check.stdout
        .split('\n')
        .filter((line) => / commit \d+$/.test(line))
        .map((line) => line.split(' ')[0]),
    );
    const missing = entries.filter((entry) => !present.has(entry.commit));
    if (missing.length > 0) this.journal.setAside(missing, 'its commit is not in this repository');
    return entries.filter((entry) => present.has(entry.commit));
  }

  /**
   * One compare-and-swap attempt. Resolves to the number of notes commits made, or undefined when
   * another writer moved the ref first. Lock errors are thrown for the caller to count.
   */
  private async tryApply(entries: readonly JournalEntry[]): Promise<{ commits: number } | undefined> {
    const old = await readRef(this.git, this.topLevel, this.ref);
    const privateRef = `${PRIVATE_REF_PREFIX}${HOST_TAG}-${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
    const env = await this.identity();
    let created = false;
    try {
      if (old) {
        await this.git.run(['update-ref', privateRef, old, ZERO_OID], { cwd: this.topLevel });
        created = true;
      }
      const byCommit = new Map<string, string[]>();
      for (const entry of entries) byCommit.set(entry.commit, [...(byCommit.get(entry.commit) ?? []), entry.line]);
      let commits = 0;
      for (const [commit, lines] of byCommit) {
        const existing = old ? await this.readNoteAt(privateRef, commit) : '';
        const merged = mergeNoteTexts(existing, ...lines);
        if (merged === mergeNoteTexts(existing)) continue;
        const blob = await this.git.run(['hash-object', '-w', '--stdin'], { cwd: this.topLevel, input: merged });
        await this.git.run(['notes', '--ref', privateRef, 'add', '-f', '-C', assertObjectId(blob.stdout.trim()), assertObjectId(commit)], { cwd: this.topLevel, env });
        created = true;
        commits++;
      }
      if (commits === 0) return { commits: 0 };
      const next = await readRef(this.git, this.topLevel, privateRef);
      if (!next) throw new GitError('exit-code', `private notes ref ${privateRef} vanished`, []);
      try {
        await this.git.run(['update-ref', '-m', 'vouch: add note records', this.ref, next, old ?? ZERO_OID], { cwd: this.topLevel });
      } catch (error) {
        if (error instanceof GitError && !isLockError(error)) {
          this.logger.debug(`vouch: ${this.ref} moved during the write; retrying`);
          return undefined;
        }
        throw error;
      }
      return { commits };
    } finally {
      if (created) await this.deletePrivateRef(privateRef);
    }
  }

  private async readNoteAt(notesRef: string, commit: string): Promise<string> {
    const listed = await this.git.run(['notes', '--ref', notesRef, 'list', assertObjectId(commit)], { cwd: this.topLevel, okExitCodes: [1] });
    const blobId = listed.stdout.trim();
    if (listed.exitCode !== 0 || !blobId) return '';
    const read = (await readBlobs(this.git, this.topLevel, [blobId], MAX_NOTE_BYTES)).get(blobId);
    if (read?.text === undefined) {
      // Never drop what is there: refuse to rewrite a note we cannot read.
      throw new GitError('exit-code', `the note on ${commit} cannot be read (${read?.problem ?? 'unknown'}); not rewriting it`, []);
    }
    return read.text;
  }

  private async deletePrivateRef(privateRef: string): Promise<void> {
    // Deleting a ref takes packed-refs.lock, which concurrent writers contend for: retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.git.run(['update-ref', '-d', privateRef], { cwd: this.topLevel });
        return;
      } catch (error) {
        if (attempt < 8 && error instanceof GitError && isLockError(error)) {
          await sleep(Math.random() * this.baseDelayMs * 2 ** attempt);
          continue;
        }
        this.logger.warn(`vouch: could not delete ${privateRef} (a later write removes it): ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
  }

  /** Deletes private refs left by writers that died (by pid on this host, or by age). */
  private async removeOrphanedPrivateRefs(): Promise<void> {
    const listed = await this.git.run(['for-each-ref', '--format=%(refname) %(objectname)', PRIVATE_REF_PREFIX], { cwd: this.topLevel });
    for (const line of listed.stdout.split('\n').filter(Boolean)) {
      const [refName, id] = line.split(' ');
      const [host, pidText, timeText] = refName.slice(PRIVATE_REF_PREFIX.length).split('-');
      const pid = Number(pidText);
      const age = Date.now() - Number(timeText);
      const dead = host === HOST_TAG && Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid);
      if (!dead && !(age > PRIVATE_REF_MAX_AGE_MS)) continue;
      try {
        await this.git.run(['update-ref', '-d', refName, assertObjectId(id)], { cwd: this.topLevel });
        this.logger.info(`vouch: removed orphaned ${refName}`);
      } catch (error) {
        // Its lock may be held by a dying git process; a later run will try again.
        this.logger.debug(`vouch: could not remove ${refName}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** git needs an identity for the notes commit; fall back to a neutral one when the user has none. */
  private identity(): Promise<Record<string, string>> {
    this.identityEnv ??= this.git.run(['var', 'GIT_COMMITTER_IDENT'], { cwd: this.topLevel, okExitCodes: [128] }).then(
      (result): Record<string, string> =>
        result.exitCode === 0
          ? {}
          : { GIT_AUTHOR_NAME: 'Vouch', GIT_AUTHOR_EMAIL: 'vouch@localhost', GIT_COMMITTER_NAME: 'Vouch', GIT_COMMITTER_EMAIL: 'vouch@localhost' },
    );
    return this.identityEnv as Promise<Record<string, string>>;
  }
}

/**
 * Writes note records so that none is ever lost: journal first, then a compare-and-swap of
 * `refs/notes/vouch` to a notes commit built on a private ref (never the user's index or working
 * tree), with bounded, jittered retries. Plain `git notes add` would update the ref without
 * compare-and-swap and lose concurrent notes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import type { Logger } from '../../core/logger';
import { mergeNoteTexts } from '../../core/notes/noteParser';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { sha256Hex } from '../../core/textHash';
import { GitError, assertObjectId, type GitRunner } from '../gitRunner';
import { readBlobs } from '../blobReads';
import { findRepository, type RepositoryLocation } from '../repository';
import { isProcessAlive } from '../workingState/fileLock';
import { NotesJournal, type JournalEntry } from './notesJournal';
import { errorMessage } from '../../core/errorMessage';

export const PRIVATE_REF_PREFIX = 'refs/notes/vouch-tmp/';
/** A private ref older than this belongs to a writer that is gone, whatever its pid says. */
const PRIVATE_REF_MAX_AGE_MS = 60 * 60 * 1000;
/** This host's tag in private ref names (computed when needed: hashing costs a hook's start time). */
const hostTag = () => sha256Hex(hostname()).slice(0, 8);

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

/**
 * What fast-import says when another writer moved the ref first: before its own read (the new tip
 * would not contain the ref's value) or between its read and its compare-and-swap.
 */
const MOVED_MEANWHILE = /Not updating |cannot lock ref '[^']*': (?:is at [0-9a-f]+ but expected|reference already exists|reference is missing|unable to resolve reference)/;

/** A note blob found in the notes tree: whose note it is and where it sits. */
interface FoundNote {
  readonly commit: string;
  readonly path: string;
  readonly blob: string;
  readonly size: number;
}

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
  private identity: Promise<string> | undefined;
  private orphansRemoved = false;

  private constructor(
    private readonly git: GitRunner,
    private readonly topLevel: string,
    /** The git directory all worktrees share (the journal and agents' claims live under it). */
    readonly commonDir: string,
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
    return NotesWriter.forRepository(git, await findRepository(git, cwd), logger, options);
  }

  /** A writer for a repository already found (no git call). */
  static forRepository(git: GitRunner, repository: RepositoryLocation, logger: Logger, options: NotesWriterOptions = {}): NotesWriter {
    return new NotesWriter(git, repository.topLevel, repository.commonDir, new NotesJournal(repository.commonDir, logger), logger, options);
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
    let lockFailures = 0;
    let lastLockFile: string | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        const outcome = await this.tryApply();
        if (outcome) {
          this.journal.remove(outcome.entries);
          return { applied: outcome.entries.length, notesCommits: outcome.commits, attempts: outcome.entries.length === 0 ? attempt - 1 : attempt };
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

  /**
   * One compare-and-swap attempt over the pending entries, in at most four git processes: read the
   * ref (and, once per writer, private refs left by older writers), check the entries' commits and
   * find their notes, read those notes, and let `git fast-import` write blobs, tree and notes commit
   * and move the ref. fast-import moves the ref only from the value it reads to a commit that
   * contains it (our commit's parent is the value we read), so a writer that moved the ref first
   * makes this attempt fail and retry. Resolves to the entries applied and the notes commits made,
   * or undefined when another writer moved the ref first. Lock errors are thrown for the caller to count.
   */
  private async tryApply(): Promise<{ entries: JournalEntry[]; commits: number } | undefined> {
    const entries = this.journal.list();
    if (entries.length === 0) return { entries, commits: 0 };
    const old = await this.readNotesRef();
    const commits = [...new Set(entries.map((entry) => entry.commit))];
    const notes = await this.findNotes(commits, old);
    const missing = entries.filter((entry) => !notes.present.has(entry.commit));
    if (missing.length > 0) this.journal.setAside(missing, 'its commit is not in this repository');
    const applicable = entries.filter((entry) => notes.present.has(entry.commit));
    if (applicable.length === 0) return { entries: [], commits: 0 };
    const existing = await this.readNotes(notes.found);
    const byCommit = new Map<string, string[]>();
    for (const entry of applicable) byCommit.set(entry.commit, [...(byCommit.get(entry.commit) ?? []), entry.line]);
    const changed: { commit: string; text: string }[] = [];
    for (const [commit, lines] of byCommit) {
      const before = mergeNoteTexts(...(existing.get(commit) ?? []));
      const merged = mergeNoteTexts(before, ...lines);
      if (merged !== before) changed.push({ commit, text: merged });
    }
    if (changed.length === 0) return { entries: applicable, commits: 0 };
    const committer = await this.committer();
    const message = 'vouch: add note records\n';
    const stream: (string | Buffer)[] = [`commit ${this.ref}\ncommitter ${committer}\ndata ${Buffer.byteLength(message)}\n${message}`];
    if (old) stream.push(`from ${old}\n`);
    for (const { commit, text } of changed) {
      // The note goes where fast-import's fan-out puts it; copies at other depths would be read as well.
      for (const note of notes.found) if (note.commit === commit) stream.push(`D ${note.path}\n`);
      const bytes = Buffer.from(text, 'utf8');
      stream.push(`N inline ${assertObjectId(commit)}\ndata ${bytes.length}\n`, bytes, '\n');
    }
    stream.push('\ndone\n');
    try {
      await this.git.run(['fast-import', '--quiet', '--done'], { cwd: this.topLevel, input: Buffer.concat(stream.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part))) });
    } catch (error) {
      if (error instanceof GitError && !isLockError(error) && MOVED_MEANWHILE.test(error.stderr)) {
        this.logger.debug(`vouch: ${this.ref} moved during the write; retrying`);
        return undefined;
      }
      throw error;
    }
    return { entries: applicable, commits: changed.length };
  }

  /** The notes ref's value (undefined when it does not exist); the first call also removes private refs orphaned by older writers. */
  private async readNotesRef(): Promise<string | undefined> {
    const patterns = this.orphansRemoved ? [this.ref] : [this.ref, PRIVATE_REF_PREFIX];
    const listed = await this.git.run(['for-each-ref', '--format=%(objectname) %(refname)', ...patterns], { cwd: this.topLevel });
    let old: string | undefined;
    const privateRefs: { refName: string; id: string }[] = [];
    for (const line of listed.stdout.split('\n').filter(Boolean)) {
      const space = line.indexOf(' ');
      const id = assertObjectId(line.slice(0, space));
      const refName = line.slice(space + 1);
      if (refName === this.ref) old = id;
      else if (refName.startsWith(PRIVATE_REF_PREFIX)) privateRefs.push({ refName, id });
    }
    if (!this.orphansRemoved) {
      // Once per writer: orphans come from writers that died before this one started.
      this.orphansRemoved = true;
      await this.removeOrphanedPrivateRefs(privateRefs);
    }
    return old;
  }

  /**
   * Which of `commits` exist (as commits), and the blobs of their notes under `notesCommit`, in one
   * `git cat-file --batch-check`. A note may sit at any fan-out depth (git splits the commit id into
   * two-digit directories as a notes tree grows), so every depth is asked; a note found at several
   * is read from all of them, as git does.
   */
  private async findNotes(commits: readonly string[], notesCommit: string | undefined): Promise<{ present: Set<string>; found: FoundNote[] }> {
    const names: { kind: 'commit' | 'notes' | 'note'; commit: string; name: string; path?: string }[] = commits.map((commit) => ({ kind: 'commit', commit, name: commit }));
    if (notesCommit) {
      names.push({ kind: 'notes', commit: notesCommit, name: notesCommit });
      for (const commit of commits) for (const notePath of notePathsOf(commit)) names.push({ kind: 'note', commit, name: `${notesCommit}:${notePath}`, path: notePath });
    }
    const check = await this.git.run(['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], { cwd: this.topLevel, input: `${names.map((entry) => entry.name).join('\n')}\n` });
    const lines = check.stdout.split('\n');
    const present = new Set<string>();
    const found: FoundNote[] = [];
    names.forEach((entry, index) => {
      const line = lines[index] ?? '';
      if (line.endsWith(' missing') || line.endsWith(' ambiguous')) return;
      const [id, type, size] = line.split(' ');
      if (entry.kind === 'commit' && type === 'commit') present.add(entry.commit);
      else if (entry.kind === 'notes' && type !== 'commit') throw new GitError('exit-code', `${this.ref} points at a ${type}, not a notes commit; not writing to it`, []);
      else if (entry.kind === 'note' && type === 'blob') found.push({ commit: entry.commit, path: entry.path as string, blob: assertObjectId(id), size: Number(size) });
    });
    return { present, found };
  }

  /** The texts of the notes found, per commit. Never drops what is there: a note that cannot be read stops the write. */
  private async readNotes(found: readonly FoundNote[]): Promise<Map<string, string[]>> {
    const texts = new Map<string, string[]>();
    if (found.length === 0) return texts;
    const tooLarge = found.find((note) => !(note.size <= MAX_NOTE_BYTES));
    if (tooLarge) throw new GitError('exit-code', `the note on ${tooLarge.commit} cannot be read (${tooLarge.size} bytes, larger than ${MAX_NOTE_BYTES}); not rewriting it`, []);
    const reads = await readBlobs(this.git, this.topLevel, found.map((note) => note.blob), MAX_NOTE_BYTES);
    for (const note of found) {
      const read = reads.get(note.blob);
      if (read?.text === undefined) throw new GitError('exit-code', `the note on ${note.commit} cannot be read (${read?.problem ?? 'unknown'}); not rewriting it`, []);
      texts.set(note.commit, [...(texts.get(note.commit) ?? []), read.text]);
    }
    return texts;
  }

  /**
   * Deletes private refs left by writers that died (by pid on this host, or by age). Writers of
   * this version make none; older versions built each notes commit on one.
   */
  private async removeOrphanedPrivateRefs(privateRefs: readonly { refName: string; id: string }[]): Promise<void> {
    for (const { refName, id } of privateRefs) {
      const [host, pidText, timeText] = refName.slice(PRIVATE_REF_PREFIX.length).split('-');
      const pid = Number(pidText);
      const age = Date.now() - Number(timeText);
      const dead = host === hostTag() && Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid);
      if (!dead && !(age > PRIVATE_REF_MAX_AGE_MS)) continue;
      try {
        await this.git.run(['update-ref', '-d', refName, assertObjectId(id)], { cwd: this.topLevel });
        this.logger.info(`vouch: removed orphaned ${refName}`);
      } catch (error) {
        // Its lock may be held by a dying git process; a later run will try again.
        this.logger.debug(`vouch: could not remove ${refName}: ${errorMessage(error)}`);
      }
    }
  }

  /**
   * The committer of notes commits, as fast-import wants it ("Name <email> <seconds> <zone>"): the
   * user's identity (as `git notes` would use it), else a neutral one; dated now.
   */
  private async committer(): Promise<string> {
    this.identity ??= this.git.run(['var', 'GIT_COMMITTER_IDENT'], { cwd: this.topLevel, okExitCodes: [128] }).then((result) => {
      const match = /^(.*<[^<>\n]*>) \d+ [+-]\d{4}$/.exec(result.stdout.trim());
      return result.exitCode === 0 && match ? match[1] : 'Vouch <vouch@localhost>';
    });
    const offset = -new Date().getTimezoneOffset();
    const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    return `${await this.identity} ${Math.floor(Date.now() / 1000)} ${zone}`;
  }
}

/** Every path at which a notes tree can hold the note of `commit`: no fan-out, then one more two-digit directory per level. */
function notePathsOf(commit: string): string[] {
  const paths: string[] = [];
  for (let level = 0; 2 * level < commit.length - 2; level++) {
    const directories: string[] = [];
    for (let index = 0; index < level; index++) directories.push(commit.slice(2 * index, 2 * index + 2));
    paths.push([...directories, commit.slice(2 * level)].join('/'));
  }
  return paths;
}

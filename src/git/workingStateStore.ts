import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AttributedSpan, EditAuthor } from '../core/attribution';
import { subtractRanges, type OffsetRange } from '../core/detection/changeClassification';
import { AttributionLedger } from '../core/ledger/attributionLedger';
import type { Logger } from '../core/logger';
import { reanchorSpans } from '../core/reanchor';
import { sha256Hex } from '../core/textHash';
import { gitBlobIdOfText, nativeSha256HexInSlices, utf8BytesInSlices } from './blame/nativeSha256';
import { hashingUtf8Pieces, sha256OfPieces, type TextPieces } from './textPieces';
import { mergeSpans } from '../core/workingState/merge';
import { assertRepoPath } from '../core/workingState/repoPath';
import type { SetAsideSpan, WorkingStateDocument } from '../core/workingState/stateFile';
import {
  WORKING_STATE_SCHEMA_VERSION,
  parseWorkingStateDocument,
  serializeWorkingStateDocument,
  spansProblem,
} from '../core/workingState/stateFile';
import type { GitRunner } from './gitRunner';
import { GitError, assertObjectId } from './gitRunner';
import type { RepositoryLocation } from './repository';
import { MAX_DOCUMENT_BYTES, findRepository } from './repository';
import { TEMPORARY_MARKER, writeFileAtomic } from './atomicWrite';
import { readRegularFile } from './regularFile';
import type { FileLockOptions } from './workingState/fileLock';
import { DEFAULT_FILE_LOCK_OPTIONS, withFileLock } from './workingState/fileLock';
import { errorMessage } from '../core/errorMessage';

export interface WorkingStateStoreOptions {
  readonly lock?: FileLockOptions;
  /** State files larger than this are set aside unread (hostile or broken). */
  readonly maxStateFileBytes?: number;
  /** Last-known texts larger than this are not read back from git. */
  readonly maxTextBytes?: number;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export interface SaveOptions {
  /**
   * A blob the repository holds and keeps (the file as a commit has it). When the saved text is
   * that blob, it names the text and git is not asked to store it again.
   */
  readonly storedBlob?: string;
  /**
   * What this writer last read or wrote of the document (loadForText's or its last save's `base`):
   * the base of the three-way merge, so what it removed since stays removed. Without it nothing is
   * taken as removed: every span another writer stored is kept.
   */
  readonly base?: StoredBase;
}

export interface SaveResult {
  /** What is now on disk. */
  readonly document: WorkingStateDocument;
  /**
   * True when another writer had changed the file since the writer last read or wrote it (its `base`), so the
   * saved spans are a merge (see core/workingState/merge.ts): the caller should adopt
   * `document.spans` instead of the spans it passed.
   */
  readonly merged: boolean;
  /** The state file written. */
  readonly stateFile: string;
  /**
   * With `merged`: the other writer's state as it was on disk, when it was over another text than
   * the one saved (e.g. an agent's `vouch mark` of the file while an editor holds unsaved edits):
   * its spans that are not in that text could not be placed in the merge.
   */
  readonly otherWriterOnOtherText?: WorkingStateDocument;
  /** Its identity right after this write (see isStillWritten); undefined if it could not be read. */
  readonly written: FileIdentity | undefined;
  /** The writer's base for its next save: what it wrote. */
  readonly base: StoredBase;
}

export interface LoadOptions {
  /** The document's state as the caller has just read it (e.g. from loadAll): used instead of reading its file again. */
  readonly loaded?: WorkingStateDocument;
}

export interface SpansForText {
  readonly document: WorkingStateDocument;
  /** The stored spans moved onto the given text. */
  readonly spans: AttributedSpan[];
  /** False when the given text is the last known text, so the spans were used as stored. */
  readonly reanchored: boolean;
  /** For a caller that edits these spans and saves them back: the `base` of that save. */
  readonly base: StoredBase;
}

const STATE_FILE_NAME = /^[0-9a-f]{64}\.json$/;
const DEFAULT_MAX_STATE_FILE_BYTES = 32 * 1024 * 1024;
/** A stored text is a document's text: the document limit applies. */
const DEFAULT_MAX_TEXT_BYTES = MAX_DOCUMENT_BYTES;
/** Temporary files this old belong to writers that were killed; younger ones may still be in use. */
const ABANDONED_TEMPORARY_MS = 10 * 60 * 1000;

type Inspection =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly document: WorkingStateDocument; readonly setAsideSpans?: readonly SetAsideSpan[]; readonly identity?: FileIdentity }
  | { readonly kind: 'bad'; readonly label: 'corrupt' | 'future'; readonly reason: string; readonly identity: FileIdentity };

/** A file as written once: an atomic write (a rename) makes a new inode each time. */
export interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The version of a document's state a writer last read or wrote, and the spans it took from it:
 * the base of the merge in its next save. Each writer keeps its own (an editor's ledger, a
 * detector recording a closed file, the commit recorder, the CLI): a base kept per store would let
 * one writer's read stand for another's, and that one's next save would drop spans it never had.
 */
export interface StoredBase {
  readonly generation: number;
  readonly updatedAt: string;
  /** The spans the writer took from this version: ids only matter. */
  readonly spans: readonly AttributedSpan[];
  /**
   * False when the writer took only some of the stored spans: they were read over another text and
   * some could not be placed on the writer's (an editor that has not reloaded a file an agent just
   * wrote and reported). The file then holds spans the writer never had, so its next save merges.
   */
  readonly complete: boolean;
}

/** The base of a writer that took `taken` (by default every span) from `document`. */
export function storedBaseOf(document: WorkingStateDocument, taken: readonly AttributedSpan[] = document.spans): StoredBase {
  return { generation: document.generation, updatedAt: document.updatedAt, spans: taken, complete: taken.length === document.spans.length };
}

/** Where a repository's working state lives (per worktree: its own git directory). */
export function workingStateDirectory(repository: RepositoryLocation): string {
  return path.join(repository.gitDir, 'vouch', 'working');
}

/**
 * Uncommitted attribution of a repository, one JSON file per document under
 * `<git dir>/vouch/working/`, shared by every window and the CLI.
 *
 * - Writes are crash-safe (temp file, fsync, rename, directory fsync) and happen under a short
 *   per-file lock as read-modify-write: when the file moved on since the writer last saw it (its `base`), the
 *   disk spans are re-anchored and merged by span id instead of being overwritten.
 * - The last known text is kept as a git blob (`hash-object -w`), named in the file.
 * - Bad files (corrupt, truncated, future schema, oversized, not a regular file) are renamed
 *   aside to `*.corrupt-<time>` / `*.future-<time>` with a log line; the others still load.
 */
export class WorkingStateStore {
  /** The directory to watch for changes made by other windows and the CLI (`*.json`). */
  readonly stateDirectory: string;
  /** Each state file as this store last wrote it: while it is still that file, a save whose base is that write need not read it back. */
  private readonly lastWritten = new Map<string, { readonly identity: FileIdentity; readonly generation: number }>();
  private stateFilesRead = 0;
  private readonly blobByTextHash = new Map<string, string>();
  /** Hash and blob of texts given as pieces, by their key (a document's uri and version). */
  private readonly blobByTextKey = new Map<string, { textSha256: string; textBlob: string }>();
  private readonly lockOptions: FileLockOptions;
  private readonly maxStateFileBytes: number;
  private readonly maxTextBytes: number;
  private readonly now: () => number;
  private readonly newId: (() => string) | undefined;

  static async open(git: GitRunner, cwd: string, logger: Logger, options: WorkingStateStoreOptions = {}): Promise<WorkingStateStore> {
    return new WorkingStateStore(await findRepository(git, cwd), git, logger, options);
  }

  constructor(
    readonly repository: RepositoryLocation,
    private readonly git: GitRunner,
    private readonly logger: Logger,
    options: WorkingStateStoreOptions = {},
  ) {
    this.stateDirectory = workingStateDirectory(repository);
    this.lockOptions = options.lock ?? DEFAULT_FILE_LOCK_OPTIONS;
    this.maxStateFileBytes = options.maxStateFileBytes ?? DEFAULT_MAX_STATE_FILE_BYTES;
    this.maxTextBytes = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
    this.now = options.now ?? Date.now;
    this.newId = options.newId;
  }

  /** How many state files this store has read and parsed (what reading back its own writes would cost). */
  get statesRead(): number {
    return this.stateFilesRead;
  }

  /** The state file of a document (it may not exist). */
  stateFileFor(repoPath: string): string {
    return path.join(this.stateDirectory, `${sha256Hex(assertRepoPath(repoPath))}.json`);
  }

  /** True for names of state files in `stateDirectory` (what a watcher should react to). */
  static isStateFileName(name: string): boolean {
    return STATE_FILE_NAME.test(name);
  }

  /** Paths of all documents that have working state. */
  async list(): Promise<string[]> {
    return (await this.loadAll()).map((document) => document.path);
  }

  /** One document's state, or undefined when it has none (or its file was bad and set aside). */
  async load(repoPath: string): Promise<WorkingStateDocument | undefined> {
    const document = await this.loadFile(this.stateFileFor(repoPath));
    if (document && document.path !== repoPath) return undefined;
    return document;
  }

  /** Reads one state file by its location (e.g. from a file watcher event). Never throws for bad content. */
  async loadFile(stateFile: string): Promise<WorkingStateDocument | undefined> {
    let inspection = await this.inspect(stateFile);
    if (inspection.kind === 'bad') {
      await this.withLock(stateFile, () => this.setAsideIfUnchanged(stateFile, inspection as Extract<Inspection, { kind: 'bad' }>));
      inspection = await this.inspect(stateFile); // a writer may have replaced it meanwhile
    }
    if (inspection.kind === 'ok' && inspection.setAsideSpans) {
      await this.withLock(stateFile, () => this.setAsideSpansIfUnchanged(stateFile, inspection as Extract<Inspection, { kind: 'ok' }>));
      inspection = await this.inspect(stateFile);
    }
    if (inspection.kind !== 'ok') return undefined;
    return inspection.document;
  }

  /** Every document's state. Bad files are set aside and logged; they never stop the others. */
  async loadAll(): Promise<WorkingStateDocument[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.stateDirectory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    await this.removeAbandonedTemporaries(names);
    const documents: WorkingStateDocument[] = [];
    for (const name of names.filter((entry) => STATE_FILE_NAME.test(entry)).sort()) {
      try {
        const document = await this.loadFile(path.join(this.stateDirectory, name));
        if (document) documents.push(document);
      } catch (error) {
        this.logger.error(`vouch: could not read working state ${name}: ${errorMessage(error)}`);
      }
    }
    return documents.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The last known text of a document, or undefined when git no longer has it. */
  async readText(document: WorkingStateDocument): Promise<string | undefined> {
    if (document.textLength === 0) return '';
    const blob = assertObjectId(document.textBlob);
    try {
      const { stdoutBytes } = await this.git.run(['cat-file', 'blob', blob], {
        cwd: this.repository.topLevel,
        maxOutputBytes: this.maxTextBytes,
      });
      const text = stdoutBytes.toString('utf8');
      if ((await nativeSha256HexInSlices(text)) === document.textSha256) return text;
      this.logger.warn(`vouch: last known text of ${document.path} (blob ${blob}) does not match its recorded hash`);
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      this.logger.warn(`vouch: last known text of ${document.path} (blob ${blob}) is not available: ${error.message}`);
    }
    return undefined;
  }

  /**
   * A document's spans moved onto `currentText` (the file as it is now). When the last known text
   * is gone from git (pruned) and the text changed, the spans cannot be placed: the state file is
   * set aside as `*.stale-<time>` (nothing is deleted) and undefined is returned.
   */
  async loadForText(repoPath: string, currentText: string | TextPieces, options: LoadOptions = {}): Promise<SpansForText | undefined> {
    const document = options.loaded?.path === repoPath ? options.loaded : await this.load(repoPath);
    // No stored state (most documents): the text is never read.
    if (!document) return undefined;
    const currentSha256 = typeof currentText === 'string' ? await nativeSha256HexInSlices(currentText) : await sha256OfPieces(currentText);
    if (document.textSha256 === currentSha256) return { document, spans: document.spans.slice(), reanchored: false, base: storedBaseOf(document) };
    const lastText = await this.readText(document);
    if (lastText === undefined) {
      const stateFile = this.stateFileFor(repoPath);
      await this.withLock(stateFile, async () => {
        const current = await this.inspect(stateFile);
        if (current.kind === 'ok' && current.document.generation === document.generation) {
          await this.moveAside(stateFile, 'stale', `its last known text is gone from git, so its ${document.spans.length} spans cannot be placed on the changed file`);
        }
      });
      return undefined;
    }
    const whole = typeof currentText === 'string' ? currentText : await currentText.whole();
    const spans = reanchorSpans(lastText, whole, document.spans, { newId: this.newId });
    // Spans that could not be placed were never the caller's: its save must not read their absence as its removal.
    const placed = new Set(spans.map((span) => span.id));
    return { document, spans, reanchored: true, base: storedBaseOf(document, document.spans.filter((span) => placed.has(span.id))) };
  }

  /**
   * Marks `ranges` of `text` (what the file holds now) with `author` where no stored span covers
   * them, and saves: how another program's write to a file no editor holds is recorded. Returns
   * the number of characters marked (0: nothing was saved).
   */
  async markUncovered(repoPath: string, text: string, ranges: readonly OffsetRange[], author: EditAuthor): Promise<number> {
    const loaded = await this.loadForText(repoPath, text);
    const spans = loaded?.spans ?? [];
    const ledger = AttributionLedger.fromSpans(spans);
    const covered = spans.map((span) => ({ start: span.start, end: span.end }));
    let marked = 0;
    for (const range of ranges) {
      for (const piece of subtractRanges(range, covered)) {
        ledger.markRange(piece.start, piece.end, author, text.slice(piece.start, piece.end));
        marked += piece.end - piece.start;
      }
    }
    if (marked > 0) await this.save(repoPath, ledger.spans(), text, { base: loaded?.base });
    return marked;
  }

  /**
   * Saves a document's spans over `text` (the text they refer to). Read-modify-write under the
   * file's lock; merges with the disk state when it is not the writer's `base` (another writer
   * changed it since this one last read or wrote it).
   */
  async save(repoPath: string, spans: readonly AttributedSpan[], text: string | TextPieces, options: SaveOptions = {}): Promise<SaveResult> {
    assertRepoPath(repoPath);
    const problem = spansProblem(spans, text.length);
    if (problem) throw new Error(`refusing to save working state of ${repoPath}: ${problem}`);
    const { textSha256, textBlob } = typeof text === 'string' ? await this.writeTextBlob(text, options.storedBlob) : await this.writePiecesBlob(text);
    await fs.mkdir(this.stateDirectory, { recursive: true });
    const stateFile = this.stateFileFor(repoPath);
    return this.withLock(stateFile, async () => {
      const base = options.base;
      const lastWritten = this.lastWritten.get(stateFile);
      // The writer's base is this store's last write and the file is still it (no other writer since): nothing to read back or merge.
      if (base?.complete && lastWritten && base.generation > 0 && lastWritten.generation === base.generation && (await WorkingStateStore.isStillWritten(stateFile, lastWritten.identity))) {
        return this.write(stateFile, repoPath, spans, text, { textSha256, textBlob }, base.generation, false);
      }
      let disk = await this.inspect(stateFile);
      if (disk.kind === 'bad') {
        await this.setAsideIfUnchanged(stateFile, disk);
        disk = { kind: 'missing' };
      }
      if (disk.kind === 'ok' && disk.setAsideSpans) {
        // This write replaces the file: the spans left out are kept first, in the copy set aside.
        await this.setAsideSpansIfUnchanged(stateFile, disk);
        disk = await this.inspect(stateFile);
      }
      let toWrite: readonly AttributedSpan[] = spans;
      let merged = false;
      const onDisk = disk.kind === 'ok' && disk.document.path === repoPath ? disk.document : undefined;
      if (onDisk && (!base?.complete || onDisk.generation !== base.generation || onDisk.updatedAt !== base.updatedAt)) {
        // The one place a save needs the whole text: another writer's spans are moved onto it.
        const ourText = typeof text === 'string' ? text : await text.whole();
        const theirText = onDisk.textSha256 === textSha256 ? ourText : await this.readText(onDisk);
        if (theirText === undefined) {
          await this.moveAside(stateFile, 'stale', 'it changed since this writer read it and its text is gone from git, so it cannot be merged');
        } else {
          const theirs = reanchorSpans(theirText, ourText, onDisk.spans, { newId: this.newId });
          toWrite = mergeSpans({ base: base?.spans ?? [], ours: spans, theirs }, this.newId);
          merged = true;
        }
      }
      const result = await this.write(stateFile, repoPath, toWrite, text, { textSha256, textBlob }, Math.max(onDisk?.generation ?? 0, base?.generation ?? 0), merged);
      return merged && onDisk && onDisk.textSha256 !== textSha256 ? { ...result, otherWriterOnOtherText: onDisk } : result;
    });
  }

  /** Writes a document's state (under its lock) as the generation after `generation`. */
  private async write(stateFile: string, repoPath: string, spans: readonly AttributedSpan[], text: { readonly length: number }, blob: { textSha256: string; textBlob: string }, generation: number, merged: boolean): Promise<SaveResult> {
    const document: WorkingStateDocument = {
      version: WORKING_STATE_SCHEMA_VERSION,
      path: repoPath,
      spans: spans.map((span) => ({ ...span })),
      textBlob: blob.textBlob,
      textSha256: blob.textSha256,
      textLength: text.length,
      generation: generation + 1,
      updatedAt: new Date(this.now()).toISOString(),
    };
    await writeFileAtomic(stateFile, serializeWorkingStateDocument(document));
    // Each atomic write is a new file (a rename): its identity, taken under the lock, names this write alone.
    const stat = await fs.lstat(stateFile).catch(() => undefined);
    const written = stat ? identityOf(stat) : undefined;
    if (written) this.lastWritten.set(stateFile, { identity: written, generation: document.generation });
    else this.lastWritten.delete(stateFile);
    return { document, merged, stateFile, written, base: storedBaseOf(document) };
  }

  /**
   * Whether a state file on disk is still the one a save wrote (same inode, size and modification
   * time; `written` from its SaveResult): a watcher's event for it is then that save's own write,
   * which needs no reading back.
   */
  static async isStillWritten(stateFile: string, written: FileIdentity): Promise<boolean> {
    const stat = await fs.lstat(stateFile).catch(() => undefined);
    return stat !== undefined && sameIdentity(identityOf(stat), written);
  }

  /**
   * Moves a document's state to the path its file was renamed to (git mv, a rename in the editor):
   * its spans over its last known text, as they are. Not when the new path has spans of its own
   * (two attributions are not guessed into one: the old state stays where it is) or the old text
   * is gone from git. Returns whether it moved.
   */
  async move(fromPath: string, toPath: string): Promise<boolean> {
    assertRepoPath(toPath);
    if (fromPath === toPath) return false;
    const from = await this.load(fromPath);
    if (!from || from.spans.length === 0) return false;
    const there = await this.load(toPath);
    if (there && there.spans.length > 0) return false;
    const text = await this.readText(from);
    if (text === undefined) return false;
    await this.save(toPath, from.spans, text, { storedBlob: from.textBlob });
    await this.remove(fromPath);
    return true;
  }

  /** Deletes a document's state (the document itself is gone). Returns whether there was any. */
  async remove(repoPath: string): Promise<boolean> {
    const stateFile = this.stateFileFor(repoPath);
    this.lastWritten.delete(stateFile);
    return this.withLock(stateFile, async () => {
      try {
        await fs.unlink(stateFile);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    });
  }

  private async writeTextBlob(text: string, storedBlob: string | undefined): Promise<{ textSha256: string; textBlob: string }> {
    const textSha256 = await nativeSha256HexInSlices(text);
    const cached = this.blobByTextHash.get(textSha256);
    if (cached) return { textSha256, textBlob: cached };
    // The text is a blob git holds already (a file as committed): no `git hash-object -w`.
    if (storedBlob !== undefined && gitBlobIdOfText(text, assertObjectId(storedBlob)) === storedBlob) return { textSha256, textBlob: storedBlob };
    const { stdout } = await this.git.run(['hash-object', '-w', '--no-filters', '--stdin'], {
      cwd: this.repository.topLevel,
      input: await utf8BytesInSlices(text),
    });
    return this.rememberBlob(undefined, textSha256, stdout);
  }

  /** Hashes and writes a text given in pieces in one pass, each piece on its way to git; reused by the text's key. */
  private async writePiecesBlob(text: TextPieces): Promise<{ textSha256: string; textBlob: string }> {
    const known = text.key === undefined ? undefined : this.blobByTextKey.get(text.key);
    if (known) return known;
    const reading = hashingUtf8Pieces(text);
    const { stdout } = await this.git.run(['hash-object', '-w', '--no-filters', '--stdin'], { cwd: this.repository.topLevel, input: reading.bytes });
    return this.rememberBlob(text.key, reading.sha256(), stdout);
  }

  private rememberBlob(key: string | undefined, textSha256: string, hashObjectOutput: string): { textSha256: string; textBlob: string } {
    const textBlob = assertObjectId(hashObjectOutput.trim());
    if (this.blobByTextHash.size >= 256) this.blobByTextHash.clear();
    this.blobByTextHash.set(textSha256, textBlob);
    if (key !== undefined) {
      if (this.blobByTextKey.size >= 256) this.blobByTextKey.clear();
      this.blobByTextKey.set(key, { textSha256, textBlob });
    }
    return { textSha256, textBlob };
  }

  private withLock<T>(stateFile: string, action: () => Promise<T>): Promise<T> {
    return withFileLock(`${stateFile}.lock`, this.logger, this.lockOptions, action);
  }

  /** Reads and validates one state file without following symlinks or reading past the size limit. */
  private async inspect(stateFile: string): Promise<Inspection> {
    this.stateFilesRead++;
    const read = await readRegularFile(stateFile, { maxBytes: this.maxStateFileBytes });
    if (read.kind === 'missing') return { kind: 'missing' };
    if (read.kind !== 'ok') {
      const stat = await fs.lstat(stateFile).catch(() => undefined);
      return { kind: 'bad', label: 'corrupt', reason: read.reason, identity: stat ? identityOf(stat) : { ino: -1, size: -1, mtimeMs: -1 } };
    }
    const identity = identityOf(read);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
    } catch {
      return { kind: 'bad', label: 'corrupt', reason: 'it is not UTF-8 text', identity };
    }
    const parsed = parseWorkingStateDocument(text);
    if (parsed.kind === 'future-version') {
      return { kind: 'bad', label: 'future', reason: `it has schema version ${parsed.version}; this Vouch reads version ${WORKING_STATE_SCHEMA_VERSION}`, identity };
    }
    if (parsed.kind === 'corrupt') return { kind: 'bad', label: 'corrupt', reason: parsed.reason, identity };
    if (path.basename(stateFile) !== `${sha256Hex(parsed.document.path)}.json`) {
      return { kind: 'bad', label: 'corrupt', reason: `it names ${JSON.stringify(parsed.document.path)}, which does not match its file name`, identity };
    }
    return { ...parsed, identity };
  }

  /**
   * Keeps a file that holds spans the reader left out as it was (`*.corrupt-<time>`, nothing is
   * lost) and writes it back without them, so every reader sees the same spans and no later write
   * drops them unseen. Unless a writer replaced it since it was inspected. Call under its lock.
   */
  private async setAsideSpansIfUnchanged(stateFile: string, inspection: Extract<Inspection, { kind: 'ok' }>): Promise<void> {
    const setAside = inspection.setAsideSpans ?? [];
    const stat = await fs.lstat(stateFile).catch(() => undefined);
    if (setAside.length === 0 || !stat || !inspection.identity || !sameIdentity(identityOf(stat), inspection.identity)) return;
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    const target = `${stateFile}.corrupt-${stamp}`;
    await fs.copyFile(stateFile, target, fsConstants.COPYFILE_EXCL);
    const document = inspection.document;
    await writeFileAtomic(stateFile, serializeWorkingStateDocument({ ...document, generation: document.generation + 1, updatedAt: new Date(this.now()).toISOString() }));
    const reasons = setAside.map((span) => span.reason).join('; ');
    this.logger.warn(
      `vouch: set aside ${setAside.length} span(s) of the working state of ${document.path} (${stateFile}) because ${reasons}; the file as it was is kept as ${target}. Its other ${document.spans.length} span(s) and other files are not affected.`,
    );
  }

  /** Moves a bad file aside, unless a writer replaced it since it was inspected. Call under its lock. */
  private async setAsideIfUnchanged(stateFile: string, bad: Extract<Inspection, { kind: 'bad' }>): Promise<void> {
    const stat = await fs.lstat(stateFile).catch(() => undefined);
    if (!stat || !sameIdentity(identityOf(stat), bad.identity)) return;
    await this.moveAside(stateFile, bad.label, bad.reason);
  }

  private async moveAside(stateFile: string, label: 'corrupt' | 'future' | 'stale', reason: string): Promise<void> {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    const target = `${stateFile}.${label}-${stamp}`;
    try {
      await fs.rename(stateFile, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.logger.warn(`vouch: set aside working state file ${stateFile} because ${reason}; kept as ${target}. Other files are not affected.`);
  }

  private async removeAbandonedTemporaries(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (!name.includes(TEMPORARY_MARKER) || !STATE_FILE_NAME.test(name.slice(0, name.indexOf(TEMPORARY_MARKER)))) continue;
      const file = path.join(this.stateDirectory, name);
      const stat = await fs.lstat(file).catch(() => undefined);
      if (stat?.isFile() && this.now() - stat.mtimeMs > ABANDONED_TEMPORARY_MS) {
        await fs.rm(file, { force: true });
        this.logger.info(`vouch: removed abandoned temporary file ${file}`);
      }
    }
  }
}

function identityOf(stat: { ino: number; size: number; mtimeMs: number }): FileIdentity {
  return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

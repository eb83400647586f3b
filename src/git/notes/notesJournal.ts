/**
 * The journal of note records not yet seen in `refs/notes/vouch`: one small file per record under
 * `<git common dir>/vouch/journal/`, written crash-safely (temporary file, fsync, rename), so a
 * record survives a crash or kill at any point and is re-applied by the next writer.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import { parseRecordLine } from '../../core/notes/noteParser';
import { MAX_RECORD_LINE_BYTES } from '../../core/notes/noteRecord';
import { nativeSha256Hex } from '../blame/nativeSha256';
import { readRegularFileSync } from '../regularFile';
import { TEMPORARY_MARKER, writeFileAtomic } from '../atomicWrite';
import { isObjectId } from '../gitRunner';
import { isProcessAlive } from '../workingState/fileLock';

export interface JournalEntry {
  /** File name within the journal directory. */
  readonly name: string;
  readonly commit: string;
  readonly line: string;
}

/** A record that `vouch verify` would reject was handed to the journal; it is refused whole. */
export class InvalidRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

const ENTRY_SUFFIX = '.record';
const SET_ASIDE_SUFFIX = '.set-aside';
/** An entry holds one record line (at most MAX_RECORD_LINE_BYTES) wrapped in a little JSON. */
const MAX_ENTRY_BYTES = 2 * MAX_RECORD_LINE_BYTES + 1024;
/** A temporary file older than this belongs to a writer that died mid-write. */
const TEMP_FILE_MAX_AGE_MS = 10 * 60 * 1000;

export class NotesJournal {
  readonly directory: string;

  constructor(
    gitCommonDir: string,
    private readonly logger: Logger,
  ) {
    this.directory = path.join(gitCommonDir, 'vouch', 'journal');
  }

  /** Saves `line` for `commit` durably; returns the entry (the same record twice is one entry). */
  async add(commit: string, line: string): Promise<JournalEntry> {
    if (!isObjectId(commit)) throw new Error(`not a commit id: ${JSON.stringify(commit.slice(0, 80))}`);
    if (line.includes('\n')) throw new Error('a note record must be one line');
    // What a reader (vouch verify) would reject is never journaled, so never written into a note.
    const parsed = parseRecordLine(line, nativeSha256Hex);
    if (!parsed.ok) throw new InvalidRecordError(`not a valid Vouch record, nothing was written: ${parsed.reason}`);
    mkdirSync(this.directory, { recursive: true });
    const digest = nativeSha256Hex(`${commit}\0${line}`);
    const name = `${commit}.${digest.slice(0, 32)}${ENTRY_SUFFIX}`;
    await writeFileAtomic(path.join(this.directory, name), `${JSON.stringify({ commit, line })}\n`, { mode: 0o600 });
    return { name, commit, line };
  }

  /** Pending entries, oldest first by name; an entry that is not a valid record (or not a regular file) is set aside with a log line. */
  list(): JournalEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: JournalEntry[] = [];
    for (const name of names.sort()) {
      if (name.includes(TEMPORARY_MARKER)) {
        this.removeAbandonedTemp(name);
        continue;
      }
      if (!name.endsWith(ENTRY_SUFFIX)) continue;
      const entry = this.readEntry(name);
      if (entry.ok) entries.push(entry.entry);
      else this.setAsideFile(name, entry.reason);
    }
    return entries;
  }

  remove(entries: readonly JournalEntry[]): void {
    for (const entry of entries) {
      try {
        unlinkSync(path.join(this.directory, entry.name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (entries.length > 0) this.syncDirectory();
  }

  /** Moves entries that can never apply (their commit is gone) out of the way, keeping their content. */
  setAside(entries: readonly JournalEntry[], reason: string): void {
    for (const entry of entries) this.setAsideFile(entry.name, reason);
  }

  /** One entry, read without blocking or following links, and checked as a record the reader would accept. */
  private readEntry(name: string): { ok: true; entry: JournalEntry } | { ok: false; reason: string } {
    const read = readRegularFileSync(path.join(this.directory, name), { maxBytes: MAX_ENTRY_BYTES });
    if (read.kind !== 'ok') return { ok: false, reason: read.kind === 'missing' ? 'it vanished' : read.reason };
    let parsed: { commit?: unknown; line?: unknown };
    try {
      parsed = JSON.parse(read.bytes.toString('utf8')) as { commit?: unknown; line?: unknown };
    } catch {
      return { ok: false, reason: 'it is not JSON' };
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.commit !== 'string' || !isObjectId(parsed.commit) || typeof parsed.line !== 'string' || parsed.line.includes('\n')) {
      return { ok: false, reason: 'it is not a {commit, line} entry' };
    }
    const record = parseRecordLine(parsed.line, nativeSha256Hex);
    if (!record.ok) return { ok: false, reason: `its line is not a valid Vouch record: ${record.reason}` };
    return { ok: true, entry: { name, commit: parsed.commit, line: parsed.line } };
  }

  /** Moves a bad entry out of the way (kept for inspection) so it can neither reach a note nor block later writes. */
  private setAsideFile(name: string, reason: string): void {
    try {
      renameSync(path.join(this.directory, name), path.join(this.directory, `${name}${SET_ASIDE_SUFFIX}`));
      this.logger.warn(`vouch: set aside journal entry ${name} (${reason}); it is kept as ${name}${SET_ASIDE_SUFFIX}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private removeAbandonedTemp(name: string): void {
    const pid = Number(name.slice(name.indexOf(TEMPORARY_MARKER) + TEMPORARY_MARKER.length).split('-')[0]);
    const file = path.join(this.directory, name);
    try {
      const age = Date.now() - statSync(file).mtimeMs;
      if ((Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) || age > TEMP_FILE_MAX_AGE_MS) unlinkSync(file);
    } catch {
      // already gone, or not ours to remove right now
    }
  }

  private syncDirectory(): void {
    if (process.platform === 'win32') return;
    try {
      const handle = openSync(this.directory, 'r');
      try {
        fsyncSync(handle);
      } finally {
        closeSync(handle);
      }
    } catch {
      // some file systems cannot fsync a directory; the rename is still atomic
    }
  }
}

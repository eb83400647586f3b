/**
 * The journal of note records not yet seen in `refs/notes/vouch`: one small file per record under
 * `<git common dir>/vouch/journal/`, written crash-safely (temporary file, fsync, rename), so a
 * record survives a crash or kill at any point and is re-applied by the next writer.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import { TEMPORARY_MARKER, writeFileAtomic } from '../atomicWrite';
import { isObjectId } from '../gitRunner';
import { isProcessAlive } from '../workingState/fileLock';

export interface JournalEntry {
  /** File name within the journal directory. */
  readonly name: string;
  readonly commit: string;
  readonly line: string;
}

const ENTRY_SUFFIX = '.record';
const SET_ASIDE_SUFFIX = '.set-aside';
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
    mkdirSync(this.directory, { recursive: true });
    const digest = createHash('sha256').update(commit).update('\0').update(line).digest('hex');
    const name = `${commit}.${digest.slice(0, 32)}${ENTRY_SUFFIX}`;
    await writeFileAtomic(path.join(this.directory, name), `${JSON.stringify({ commit, line })}\n`, { mode: 0o600 });
    return { name, commit, line };
  }

  /** Pending entries, oldest first by name; unreadable entries are logged and left in place. */
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
      try {
        const parsed = JSON.parse(readFileSync(path.join(this.directory, name), 'utf8')) as { commit?: unknown; line?: unknown };
        if (typeof parsed.commit !== 'string' || !isObjectId(parsed.commit) || typeof parsed.line !== 'string' || parsed.line.includes('\n')) {
          throw new Error('unexpected content');
        }
        entries.push({ name, commit: parsed.commit, line: parsed.line });
      } catch (error) {
        this.logger.warn(`vouch: ignoring unreadable journal entry ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
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
    for (const entry of entries) {
      try {
        renameSync(path.join(this.directory, entry.name), path.join(this.directory, `${entry.name}${SET_ASIDE_SUFFIX}`));
        this.logger.warn(`vouch: set aside journal entry ${entry.name} (${reason}); it is kept as ${entry.name}${SET_ASIDE_SUFFIX}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
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

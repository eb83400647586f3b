/**
 * Committed AI lines of a file's current (possibly unsaved) text: `git blame --porcelain
 * --contents -` of that text (or of the file itself when the editor has no unsaved change), then the notes (Vouch and git-ai) of the commits blame names, read
 * in one batch. Which commits have notes is listed in parallel with blame and kept until
 * `invalidateNotes()` (the host calls it when a notes ref moves); parsed note blobs are kept by
 * blob id (a blob never changes).
 */
import type { Logger } from '../../core/logger';
import type { ParsedNote } from '../../core/notes/noteParser';
import { parseNote } from '../../core/notes/noteParser';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { mapCommittedAiLines, type CommittedAiLine } from '../../core/visibility/committedLines';
import { GIT_AI_NOTES_REF, parseGitAiNote, type GitAiNote } from '../../core/visibility/gitAiNote';
import { GitError, type GitRunner } from '../gitRunner';
import { readBlobs } from '../notes/gitObjects';
import { NotesReader } from '../notes/notesReader';
import { isUncommittedId, parseBlamePorcelain } from './blamePorcelain';
import { nativeSha256Hex } from './nativeSha256';

/** Default for `vouch.blame.maxFileBytes`: larger documents get no blame. */
export const DEFAULT_BLAME_MAX_BYTES = 1024 * 1024;
const BLAME_TIMEOUT_MS = 30_000;
const MAX_CACHED_NOTE_BLOBS = 5_000;

export interface CommittedOverlay {
  readonly lines: CommittedAiLine[];
  /** Why there is no blame (too large, binary, not committed yet...), when there is none. */
  readonly skipped?: string;
}

/** Why a text gets no blame, or undefined when it may be blamed. Binary: it holds a NUL character. */
export function blameSkipReason(text: string, maxBytes: number): string | undefined {
  // UTF-16 length is a lower bound of the UTF-8 size; exact enough for a limit, and O(1).
  if (text.length > maxBytes) return `larger than the blame limit of ${maxBytes} bytes`;
  if (text.includes('\0')) return 'a binary file';
  return undefined;
}

type ParsedBlob = { readonly kind: 'vouch'; readonly note: ParsedNote } | { readonly kind: 'git-ai'; readonly note: GitAiNote | undefined };

export class BlameOverlay {
  private readonly reader: NotesReader;
  private listings: Promise<[Map<string, string>, Map<string, string>]> | undefined;
  private readonly parsedBlobs = new Map<string, ParsedBlob>();

  constructor(
    private readonly git: GitRunner,
    private readonly topLevel: string,
    private readonly logger: Logger,
    private readonly maxBytes: () => number = () => DEFAULT_BLAME_MAX_BYTES,
  ) {
    this.reader = new NotesReader(git, topLevel, logger, NOTES_REF);
  }

  /** Forget which commits have notes (a notes ref moved: commit, sync, another tool). */
  invalidateNotes(): void {
    this.listings = undefined;
  }

  /**
   * Committed AI lines of `text`, the current content of `repoPath` (repository-relative,
   * '/'-separated). `savedOnDisk`: the editor holds no unsaved change, so the file on disk has the
   * same lines and git can blame it directly; otherwise git blames `text` (`--contents -`), which
   * costs git an extra diff of the text against HEAD.
   */
  async committedAiLines(repoPath: string, text: string, options: { readonly savedOnDisk?: boolean } = {}): Promise<CommittedOverlay> {
    const skipped = blameSkipReason(text, this.maxBytes());
    if (skipped) return { lines: [], skipped };
    const listings = this.noteListings();
    const args = options.savedOnDisk ? ['blame', '--porcelain', '--', repoPath] : ['blame', '--porcelain', '--contents', '-', '--', repoPath];
    let output: string;
    try {
      output = (await this.git.run(args, { cwd: this.topLevel, ...(options.savedOnDisk ? {} : { input: text }), timeoutMs: BLAME_TIMEOUT_MS })).stdout;
    } catch (error) {
      // A file git does not know yet (or a repository without commits) has no history to show.
      if (error instanceof GitError && error.kind === 'exit-code' && /no such path|bad revision|does not have any commits|no such ref/i.test(error.stderr)) {
        return { lines: [], skipped: 'not committed yet' };
      }
      throw error;
    }
    const blame = parseBlamePorcelain(output);
    const [vouchListing, gitAiListing] = await listings;
    const named = new Set<string>();
    for (const line of blame.lines) if (!isUncommittedId(line.commit)) named.add(line.commit);
    const wanted = new Map<string, 'vouch' | 'git-ai'>();
    const vouchBlobOf = new Map<string, string>();
    const gitAiBlobOf = new Map<string, string>();
    for (const commit of named) {
      const vouchBlob = vouchListing.get(commit);
      if (vouchBlob) {
        vouchBlobOf.set(commit, vouchBlob);
        if (!this.parsedBlobs.has(vouchBlob)) wanted.set(vouchBlob, 'vouch');
      }
      const gitAiBlob = gitAiListing.get(commit);
      if (gitAiBlob) {
        gitAiBlobOf.set(commit, gitAiBlob);
        if (!this.parsedBlobs.has(gitAiBlob)) wanted.set(gitAiBlob, 'git-ai');
      }
    }
    if (wanted.size > 0) await this.readAndParse(wanted);
    const vouchNotes = new Map<string, ParsedNote>();
    for (const [commit, blob] of vouchBlobOf) {
      const parsed = this.parsedBlobs.get(blob);
      if (parsed?.kind === 'vouch') vouchNotes.set(commit, parsed.note);
    }
    const gitAiNotes = new Map<string, GitAiNote>();
    for (const [commit, blob] of gitAiBlobOf) {
      const parsed = this.parsedBlobs.get(blob);
      if (parsed?.kind === 'git-ai' && parsed.note) gitAiNotes.set(commit, parsed.note);
    }
    return { lines: mapCommittedAiLines(blame.lines, vouchNotes, gitAiNotes, blame.commits) };
  }

  private noteListings(): Promise<[Map<string, string>, Map<string, string>]> {
    if (!this.listings) {
      const listing = Promise.all([this.reader.listNotes(NOTES_REF), this.reader.listNotes(GIT_AI_NOTES_REF)]);
      this.listings = listing;
      // A failed listing is not kept: the next request tries again.
      listing.catch(() => {
        if (this.listings === listing) this.listings = undefined;
      });
    }
    return this.listings;
  }

  /** Reads every wanted note blob in one batch and parses each by its ref's format. */
  private async readAndParse(wanted: ReadonlyMap<string, 'vouch' | 'git-ai'>): Promise<void> {
    const reads = await readBlobs(this.git, this.topLevel, [...wanted.keys()], MAX_NOTE_BYTES);
    if (this.parsedBlobs.size + wanted.size > MAX_CACHED_NOTE_BLOBS) this.parsedBlobs.clear();
    for (const [blob, kind] of wanted) {
      const read = reads.get(blob);
      if (read?.text === undefined) {
        this.logger.warn(`vouch: note blob ${blob} not read: ${read?.problem ?? 'not returned'}`);
        continue;
      }
      if (kind === 'vouch') {
        const note = parseNote(read.text, nativeSha256Hex);
        for (const rejected of note.rejected) this.logger.debug(`vouch: a record in note ${blob} was rejected (line ${rejected.line}): ${rejected.reason}`);
        this.parsedBlobs.set(blob, { kind, note });
      } else {
        this.parsedBlobs.set(blob, { kind, note: parseGitAiNote(read.text) });
      }
    }
  }
}

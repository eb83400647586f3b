/**
 * Committed AI lines of a file's current (possibly unsaved) text: `git blame --porcelain` of the
 * saved file, carried through the editor's unsaved changes by a line diff (`--contents -` of the
 * text itself only when they differ widely), then
 * the notes (Vouch and git-ai) of the commits blame names. While blame runs, the notes are listed
 * and, when there are few enough, every listed note blob is read in one batch and parsed in short
 * slices, so first use costs about the longer of blame and notes rather than their sum. Listings
 * and blames of saved files are kept until `invalidateHistory()` (the host calls it when HEAD, a
 * branch or a notes ref moves); parsed note blobs are kept by blob id (a blob never changes).
 */
import { readRegularFile } from '../regularFile';
import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../../core/logger';
import type { ParsedNote } from '../../core/notes/noteParser';
import { parseNote } from '../../core/notes/noteParser';
import { placedWhereFound, reviewCoverageNeedsLines } from '../../core/notes/recordCheck';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { carryOriginKey, mapCommittedAiLines, mapKnownHumanLines, type CommittedAiLine, type CommittedKnownHumanLine, type ReviewCoverageChecks } from '../../core/visibility/committedLines';
import type { CarryChains, CarryOrigin } from '../../core/notes/carryChain';
import { carryChainsOf } from '../notes/carryChains';
import { GIT_AI_NOTES_REF, parseGitAiNote, resolveForeignPrompts, type GitAiAgent, type GitAiNote } from '../../core/visibility/gitAiNote';
import { mapUnchangedLines } from '../../core/visibility/lineMapping';
import { GitError, assertObjectId, type GitRunner } from '../gitRunner';
import { readBlobs } from '../blobReads';
import { DEFAULT_PROMPT_SEARCH_LIMITS, searchGitAiNotesForKeys, type PromptSearchLimits } from '../notes/gitAiPromptSearch';
import { NotesReader } from '../notes/notesReader';
import { isUncommittedId, parseBlamePorcelain, type BlameResult } from './blamePorcelain';
import { nativeSha256Hex } from './nativeSha256';
import { errorMessage } from '../../core/errorMessage';

/** Default for `vouch.blame.maxFileBytes`: larger documents get no blame. */
export const DEFAULT_BLAME_MAX_BYTES = 1024 * 1024;
const BLAME_TIMEOUT_MS = 30_000;
const MAX_CACHED_NOTE_BLOBS = 5_000;
const MAX_CACHED_SAVED_BLAMES = 64;
/** Notes read per missing git-ai prompt key, newest first, when the newest holding the key lacks its record. */
const MAX_PROMPT_CANDIDATES = 4;
/**
 * Reading notes ahead of blame: every listed note is read when there are at most `maxNotes`, each
 * only up to an equal share of `maxBytes` (the others are read after blame, when it names their
 * commits); parsing them yields to the event loop every `sliceMs`, so it never holds up the host.
 */
export interface NoteReadAhead {
  readonly maxNotes: number;
  readonly maxBytes: number;
  readonly sliceMs: number;
}

export const DEFAULT_NOTE_READ_AHEAD: NoteReadAhead = { maxNotes: 2_000, maxBytes: 16 * 1024 * 1024, sliceMs: 8 };

export interface CommittedOverlay {
  readonly lines: CommittedAiLine[];
  /** Why there is no blame (too large, binary, not committed yet...), when there is none. */
  readonly skipped?: string;
}

/** A file's blame with the committed AI and known-human lines of its commits. */
export interface FileAnnotation {
  readonly blame: BlameResult;
  readonly aiLines: readonly CommittedAiLine[];
  readonly knownHumanLines: readonly CommittedKnownHumanLine[];
  /** The Vouch notes read for the blamed commits (for checking the signatures of the records shown). */
  readonly vouchNotes: ReadonlyMap<string, ParsedNote>;
}

/**
 * Whether a text of `characters` UTF-16 code units is over `maxBytes` UTF-8 bytes (the
 * `vouch.blame.maxFileBytes` limit), told from its length alone: a code unit is 1 to 3 UTF-8 bytes
 * (a surrogate pair, 2 units, is 4 bytes), so `characters <= bytes <= 3 * characters`. True: over;
 * false: within; undefined: only the text's exact UTF-8 size can tell (blameSkipReason counts it).
 * The editor asks this first, so a 50 MB document's text is never taken just to be refused.
 */
export function overBlameLimitByLength(characters: number, maxBytes: number): boolean | undefined {
  if (characters > maxBytes) return true;
  if (characters * 3 <= maxBytes) return false;
  return undefined;
}

/** Why a text gets no blame, or undefined when it may be blamed. Too large: over `maxBytes` UTF-8 bytes, exactly. Binary: it holds a NUL character. */
export function blameSkipReason(text: string, maxBytes: number): string | undefined {
  // Buffer.byteLength counts without encoding a copy, and only when the length alone cannot tell.
  if (overBlameLimitByLength(text.length, maxBytes) ?? Buffer.byteLength(text, 'utf8') > maxBytes) return blameLimitReason(maxBytes);
  if (text.includes('\0')) return 'a binary file';
  return undefined;
}

/** The reason a text over the blame limit gets no blame (said the same way by the editor's early check). */
export function blameLimitReason(maxBytes: number): string {
  return `larger than the blame limit of ${maxBytes} bytes (UTF-8)`;
}

type NoteKind = 'vouch' | 'git-ai';
type ParsedBlob = { readonly kind: 'vouch'; readonly note: ParsedNote } | { readonly kind: 'git-ai'; readonly note: GitAiNote | undefined };

/** Annotated commit -> note blob, per notes ref. */
interface NoteListings {
  readonly vouch: ReadonlyMap<string, string>;
  readonly gitAi: ReadonlyMap<string, string>;
}

export class BlameOverlay {
  private readonly reader: NotesReader;
  private listings: Promise<NoteListings> | undefined;
  /** The listing of this history once it has come (until history moves). */
  private listed: NoteListings | undefined;
  private readonly parsedBlobs = new Map<string, ParsedBlob>();
  /** Blame of each file as saved, until history moves: edits in the editor reuse it, no git process per edit. */
  private readonly savedBlames = new Map<string, { readonly savedText: string; readonly overlay: CommittedOverlay }>();
  private historyGeneration = 0;
  /** Note blobs read ahead of blame and not parsed yet. */
  private readonly unparsedBlobs = new Map<string, { readonly kind: NoteKind; readonly text: string }>();
  private parsingAhead = false;
  /** git-ai prompt keys missing from their notes -> the record found in refs/notes/ai (null: none), until history moves. */
  private readonly foreignPrompts = new Map<string, GitAiAgent | null>();
  /** Where carried records' reviews are signed (the records they were carried from), until history moves. */
  private carryChains: CarryChains | undefined;

  constructor(
    private readonly git: GitRunner,
    private readonly topLevel: string,
    private readonly logger: Logger,
    private readonly maxBytes: () => number = () => DEFAULT_BLAME_MAX_BYTES,
    private readonly readAheadLimits: NoteReadAhead = DEFAULT_NOTE_READ_AHEAD,
    private readonly promptSearchLimits: PromptSearchLimits = DEFAULT_PROMPT_SEARCH_LIMITS,
  ) {
    this.reader = new NotesReader(git, topLevel, logger, NOTES_REF);
  }

  /** HEAD, a branch or a notes ref moved (commit, checkout, sync, another tool): forget blames and note listings. */
  invalidateHistory(): void {
    this.historyGeneration++;
    this.listings = undefined;
    this.listed = undefined;
    this.savedBlames.clear();
    this.foreignPrompts.clear();
    this.carryChains = undefined;
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
    // Neither notes ref holds a note: no line is a committed AI line, with no read of the file, diff or blame (typing in a repository without notes).
    if (this.listed && this.listed.vouch.size === 0 && this.listed.gitAi.size === 0) return { lines: [] };
    if (!options.savedOnDisk) {
      // Unsaved text: blame the saved file (what git blames fastest) and carry its lines through the
      // editor's changes; lines the editor changed are not committed anyway. Only when the texts
      // differ widely does git blame the text itself (--contents -).
      const saved = await this.savedText(repoPath);
      const mapLine = saved === undefined || blameSkipReason(saved, this.maxBytes()) ? undefined : mapUnchangedLines(saved, text);
      if (saved !== undefined && mapLine) {
        const onDisk = await this.blameSaved(repoPath, saved);
        const lines: CommittedAiLine[] = [];
        for (const line of onDisk.lines) {
          const moved = mapLine(line.line);
          if (moved !== undefined) lines.push(moved === line.line ? line : { ...line, line: moved });
        }
        return onDisk.skipped ? onDisk : { lines };
      }
    }
    return options.savedOnDisk ? this.blameSaved(repoPath, text) : this.blameAndMap(repoPath, text, false);
  }

  /** The overlay of the file as saved (`savedText`), blamed once per saved text and history. */
  private async blameSaved(repoPath: string, savedText: string): Promise<CommittedOverlay> {
    const cached = this.savedBlames.get(repoPath);
    if (cached && cached.savedText === savedText) return cached.overlay;
    const generation = this.historyGeneration;
    const overlay = await this.blameAndMap(repoPath, savedText, true);
    if (generation === this.historyGeneration) {
      if (this.savedBlames.size >= MAX_CACHED_SAVED_BLAMES) this.savedBlames.clear();
      this.savedBlames.set(repoPath, { savedText, overlay });
    }
    return overlay;
  }

  /** The file as saved in the working tree (byte-order mark dropped, as editors show it), if readable. */
  private async savedText(repoPath: string): Promise<string | undefined> {
    try {
      const file = path.join(this.topLevel, ...repoPath.split('/'));
      const read = await readRegularFile(file, { maxBytes: this.maxBytes() * 4, followSymlink: true });
      if (read.kind !== 'ok') return undefined;
      const text = read.bytes.toString('utf8');
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    } catch {
      return undefined;
    }
  }

  private async blameAndMap(repoPath: string, text: string, savedOnDisk: boolean): Promise<CommittedOverlay> {
    const options = { savedOnDisk };
    const args = options.savedOnDisk ? ['blame', '--porcelain', '--', repoPath] : ['blame', '--porcelain', '--contents', '-', '--', repoPath];
    // Blame is the long pole: spawn it before the note listing's processes (spawning is synchronous).
    const blamed = this.git.run(args, { cwd: this.topLevel, ...(options.savedOnDisk ? {} : { input: text }), timeoutMs: BLAME_TIMEOUT_MS });
    const listings = this.noteListings();
    let output: string;
    try {
      output = (await blamed).stdout;
    } catch (error) {
      // A file git does not know yet (or a repository without commits) has no history to show.
      if (error instanceof GitError && error.kind === 'exit-code' && /no such path|bad revision|does not have any commits|no such ref/i.test(error.stderr)) {
        return { lines: [], skipped: 'not committed yet' };
      }
      throw error;
    }
    const blame = parseBlamePorcelain(output);
    const { vouchNotes, gitAiNotes, origins, coverage } = await this.notesOfBlame(blame, listings);
    return { lines: mapCommittedAiLines(blame.lines, vouchNotes, gitAiNotes, blame.commits, origins, coverage) };
  }

  /**
   * Every line of `repoPath` at commit `rev` (or, without one, as saved in the working tree) with
   * the commit blame names, and the lines the notes of those commits record as AI or, in git-ai
   * notes, as typed by a known person: what `vouch blame` prints, from the same reading as the hover.
   */
  async annotateFile(repoPath: string, rev?: string): Promise<FileAnnotation> {
    const args = rev === undefined ? ['blame', '--porcelain', '--', repoPath] : ['blame', '--porcelain', assertObjectId(rev), '--', repoPath];
    const blamed = this.git.run(args, { cwd: this.topLevel, timeoutMs: BLAME_TIMEOUT_MS });
    const listings = this.noteListings();
    const blame = parseBlamePorcelain((await blamed).stdout);
    const { vouchNotes, gitAiNotes, origins, coverage } = await this.notesOfBlame(blame, listings);
    const aiLines = mapCommittedAiLines(blame.lines, vouchNotes, gitAiNotes, blame.commits, origins, coverage);
    return { blame, aiLines, knownHumanLines: mapKnownHumanLines(blame.lines, gitAiNotes, aiLines), vouchNotes };
  }

  /** The parsed Vouch and git-ai notes of the commits blame names. */
  private async notesOfBlame(
    blame: BlameResult,
    listings: Promise<NoteListings>,
  ): Promise<{ vouchNotes: Map<string, ParsedNote>; gitAiNotes: Map<string, GitAiNote>; origins: Map<string, CarryOrigin>; coverage: ReviewCoverageChecks }> {
    const { vouch: vouchListing, gitAi: gitAiListing } = await listings;
    const named = new Set<string>();
    for (const line of blame.lines) if (!isUncommittedId(line.commit)) named.add(line.commit);
    const vouchBlobOf = new Map<string, string>();
    const gitAiBlobOf = new Map<string, string>();
    const toRead = new Map<string, NoteKind>();
    const want = (blob: string, kind: NoteKind) => {
      if (!this.parsedBlobs.has(blob) && !this.unparsedBlobs.has(blob)) toRead.set(blob, kind);
    };
    for (const commit of named) {
      const vouchBlob = vouchListing.get(commit);
      if (vouchBlob) {
        vouchBlobOf.set(commit, vouchBlob);
        want(vouchBlob, 'vouch');
      }
      const gitAiBlob = gitAiListing.get(commit);
      if (gitAiBlob) {
        gitAiBlobOf.set(commit, gitAiBlob);
        want(gitAiBlob, 'git-ai');
      }
    }
    const justRead = toRead.size > 0 ? await this.readAndParse(toRead) : new Map<string, ParsedBlob>();
    // Read ahead but not parsed yet (blame finished first): parse just these now.
    const parsedBlob = (blob: string) => this.parsedBlobs.get(blob) ?? justRead.get(blob) ?? this.parseReadAhead(blob);
    const vouchNotes = new Map<string, ParsedNote>();
    for (const [commit, blob] of vouchBlobOf) {
      const parsed = parsedBlob(blob);
      if (parsed?.kind === 'vouch') vouchNotes.set(commit, parsed.note);
    }
    // A record carried by notes.rewriteRef (amend, rebase) names the lines of the commit it was written
    // for: its ranges are placed where the check finds them in this commit, and stale ones left out.
    const carried = new Map([...vouchNotes].filter(([commit, note]) => note.records.some((record) => record.statement.predicate.commit !== commit)));
    if (carried.size > 0) {
      const checks = await this.reader.checkCommitNotes(carried);
      for (const [commit, note] of carried) {
        const check = checks.get(commit);
        if (check) vouchNotes.set(commit, placedWhereFound(note, commit, check));
      }
    }
    const gitAiNotes = new Map<string, GitAiNote>();
    for (const [commit, blob] of gitAiBlobOf) {
      const parsed = parsedBlob(blob);
      if (parsed?.kind === 'git-ai' && parsed.note) gitAiNotes.set(commit, parsed.note);
    }
    return { vouchNotes, gitAiNotes: await this.withForeignPrompts(gitAiNotes, gitAiListing), origins: await this.carryOrigins(vouchNotes), coverage: await this.reviewCoverage(vouchNotes) };
  }

  /**
   * Whether each accepted review covers the committed lines, where only those lines tell (the
   * first Vouch versions' reviews: reviewCoverageNeedsLines): the check of those notes against
   * their commits, which verify and notes show make too. Other notes are not read again.
   */
  private async reviewCoverage(vouchNotes: ReadonlyMap<string, ParsedNote>): Promise<ReviewCoverageChecks> {
    const needed = new Map([...vouchNotes].filter(([, note]) => note.records.some(reviewCoverageNeedsLines)));
    return needed.size > 0 ? this.reader.checkCommitNotes(needed) : new Map();
  }

  /** For each record `vouch reconcile` carried: the record its reviews are signed in (carryChain.ts). */
  private async carryOrigins(vouchNotes: ReadonlyMap<string, ParsedNote>): Promise<Map<string, CarryOrigin>> {
    const origins = new Map<string, CarryOrigin>();
    for (const [commit, note] of vouchNotes) {
      for (const record of note.records) {
        if (!record.statement.predicate.carriedFrom) continue;
        this.carryChains ??= carryChainsOf(this.git, this.topLevel, this.reader);
        let origin: CarryOrigin;
        try {
          origin = await this.carryChains.origin(commit, record);
        } catch (error) {
          origin = { kind: 'broken', sourceFound: false, detail: `the record it was carried from could not be read (${errorMessage(error)})` };
        }
        origins.set(carryOriginKey(commit, record.recordId), origin);
      }
    }
    return origins;
  }

  /**
   * The notes with each legacy prompt key missing from its note resolved as git-ai resolves it: the
   * record in the newest note of refs/notes/ai that holds the key (searchGitAiNotesForKeys, bounded).
   * When that search fails or hits a limit, the notes read so far are searched instead.
   */
  private async withForeignPrompts(notes: Map<string, GitAiNote>, listing: ReadonlyMap<string, string>): Promise<Map<string, GitAiNote>> {
    const missing = new Set<string>();
    for (const note of notes.values()) for (const key of note.missingPrompts) if (!this.foreignPrompts.has(key)) missing.add(key);
    let searched: ReadonlyMap<string, GitAiAgent | undefined> = new Map();
    if (missing.size > 0) {
      const generation = this.historyGeneration;
      const found = await this.searchForeignPrompts(missing, listing);
      if (!found) return resolveForeignPrompts(notes, this.knownGitAiNotes(notes));
      if (generation === this.historyGeneration) for (const key of missing) this.foreignPrompts.set(key, found.get(key) ?? null);
      searched = found;
    }
    const lookup = (key: string) => (searched.has(key) ? searched.get(key) : (this.foreignPrompts.get(key) ?? undefined));
    return new Map([...notes].map(([commit, note]) => [commit, note.missingPrompts.size > 0 ? note.withForeignPrompts(lookup) : note]));
  }

  /** Per key, the prompt record of the newest git-ai note holding it; undefined when the search could not be made. */
  private async searchForeignPrompts(keys: ReadonlySet<string>, listing: ReadonlyMap<string, string>): Promise<Map<string, GitAiAgent | undefined> | undefined> {
    const search = await searchGitAiNotesForKeys(this.git, this.topLevel, keys, this.promptSearchLimits);
    if (!search.ok) {
      this.logger.warn(`vouch: git-ai prompts missing from their notes were not searched in ${GIT_AI_NOTES_REF} (${search.reason}); only the notes read so far were`);
      return undefined;
    }
    const candidates = new Map<string, string[]>();
    const toRead = new Map<string, NoteKind>();
    for (const [key, commits] of search.commitsByKey) {
      const blobs = commits.map((commit) => listing.get(commit)).filter((blob): blob is string => blob !== undefined).slice(0, MAX_PROMPT_CANDIDATES);
      candidates.set(key, blobs);
      for (const blob of blobs) if (!this.parsedBlobs.has(blob) && !this.unparsedBlobs.has(blob)) toRead.set(blob, 'git-ai');
    }
    const justRead = toRead.size > 0 ? await this.readAndParse(toRead) : new Map<string, ParsedBlob>();
    const found = new Map<string, GitAiAgent | undefined>();
    for (const key of keys) {
      for (const blob of candidates.get(key) ?? []) {
        const parsed = this.parsedBlobs.get(blob) ?? justRead.get(blob) ?? this.parseReadAhead(blob);
        const agent = parsed?.kind === 'git-ai' ? parsed.note?.promptRecord(key) : undefined;
        if (agent) {
          found.set(key, agent);
          break;
        }
      }
    }
    return found;
  }

  /**
   * The git-ai notes read so far (those of this blame first, then every note read ahead): where a legacy
   * key's missing prompt is looked up. Lazy: only walked when a note lacks a prompt.
   */
  private *knownGitAiNotes(first: ReadonlyMap<string, GitAiNote>): Iterable<GitAiNote> {
    yield* first.values();
    for (const parsed of [...this.parsedBlobs.values()]) if (parsed.kind === 'git-ai' && parsed.note) yield parsed.note;
    const waiting = [...this.unparsedBlobs].filter(([, unparsed]) => unparsed.kind === 'git-ai').map(([blob]) => blob);
    for (const blob of waiting) {
      const parsed = this.parseReadAhead(blob);
      if (parsed?.kind === 'git-ai' && parsed.note) yield parsed.note;
    }
  }

  private noteListings(): Promise<NoteListings> {
    if (!this.listings) {
      const listing = Promise.all([this.reader.listNotesInOneProcess(NOTES_REF), this.reader.listNotesInOneProcess(GIT_AI_NOTES_REF)]).then(async ([vouch, gitAi]) => {
        const listings: NoteListings = { vouch, gitAi };
        await this.readAhead(listings);
        if (this.listings === listing) this.listed = listings;
        return listings;
      });
      this.listings = listing;
      // A failed listing is not kept: the next request tries again.
      listing.catch(() => {
        if (this.listings === listing) this.listings = undefined;
      });
    }
    return this.listings;
  }

  /**
   * Reads every listed note blob not parsed yet in one batch, when there are few and small enough,
   * and starts parsing them in the background. Runs while git blame runs. Blobs that are not read
   * here (too large, missing, not a blob) are left to the read after blame, which reports them when
   * blame names their commits.
   */
  private async readAhead(listings: NoteListings): Promise<void> {
    const wanted = new Map<string, NoteKind>();
    for (const [blobs, kind] of [
      [listings.vouch.values(), 'vouch'],
      [listings.gitAi.values(), 'git-ai'],
    ] as const) {
      for (const blob of blobs) if (!this.parsedBlobs.has(blob) && !this.unparsedBlobs.has(blob)) wanted.set(blob, kind);
    }
    if (wanted.size === 0 || wanted.size > this.readAheadLimits.maxNotes) return;
    try {
      const maxBytesEach = Math.min(MAX_NOTE_BYTES, Math.floor(this.readAheadLimits.maxBytes / wanted.size));
      const reads = await readBlobs(this.git, this.topLevel, [...wanted.keys()], maxBytesEach);
      for (const [blob, kind] of wanted) {
        const text = reads.get(blob)?.text;
        if (text !== undefined && !this.parsedBlobs.has(blob)) this.unparsedBlobs.set(blob, { kind, text });
      }
    } catch (error) {
      this.logger.debug(`vouch: notes not read ahead of blame (read after it instead): ${errorMessage(error)}`);
      return;
    }
    this.parseAhead().catch((error: unknown) => this.logger.warn(`vouch: parsing notes ahead of blame failed: ${errorMessage(error)}`));
  }

  /** Parses the blobs read ahead, a slice at a time; blame's caller parses any it needs sooner itself. */
  private async parseAhead(): Promise<void> {
    if (this.parsingAhead) return;
    this.parsingAhead = true;
    try {
      let sliceStarted = performance.now();
      // A Map iterator visits entries added while it runs and skips ones deleted before it gets there.
      for (const blob of this.unparsedBlobs.keys()) {
        this.parseReadAhead(blob);
        if (performance.now() - sliceStarted > this.readAheadLimits.sliceMs) {
          await nextTurn();
          sliceStarted = performance.now();
        }
      }
    } finally {
      this.parsingAhead = false;
    }
  }

  private parseReadAhead(blob: string): ParsedBlob | undefined {
    const unparsed = this.unparsedBlobs.get(blob);
    if (!unparsed) return undefined;
    this.unparsedBlobs.delete(blob);
    if (this.parsedBlobs.size >= MAX_CACHED_NOTE_BLOBS) this.parsedBlobs.clear();
    const parsed = this.parse(blob, unparsed.kind, unparsed.text);
    this.parsedBlobs.set(blob, parsed);
    return parsed;
  }

  /** Reads every wanted note blob in one batch and parses each by its ref's format. */
  private async readAndParse(wanted: ReadonlyMap<string, NoteKind>): Promise<Map<string, ParsedBlob>> {
    const reads = await readBlobs(this.git, this.topLevel, [...wanted.keys()], MAX_NOTE_BYTES);
    if (this.parsedBlobs.size + wanted.size > MAX_CACHED_NOTE_BLOBS) this.parsedBlobs.clear();
    const parsed = new Map<string, ParsedBlob>();
    for (const [blob, kind] of wanted) {
      const read = reads.get(blob);
      if (read?.text === undefined) {
        this.logger.warn(`vouch: note blob ${blob} not read: ${read?.problem ?? 'not returned'}`);
        continue;
      }
      const note = this.parse(blob, kind, read.text);
      parsed.set(blob, note);
      this.parsedBlobs.set(blob, note);
    }
    return parsed;
  }

  private parse(blob: string, kind: NoteKind, text: string): ParsedBlob {
    if (kind === 'git-ai') return { kind, note: parseGitAiNote(text) };
    const note = parseNote(text, nativeSha256Hex);
    for (const rejected of note.rejected) this.logger.debug(`vouch: a record in note ${blob} was rejected (line ${rejected.line}): ${rejected.reason}`);
    return { kind, note };
  }
}

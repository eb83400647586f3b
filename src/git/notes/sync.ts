/**
 * `vouch sync`: fetch the remote's notes into `refs/notes/remotes/<remote>/vouch`, merge them into
 * `refs/notes/vouch` with cat_sort_uniq semantics (per commit: union of record lines, sorted,
 * unique) in a merge commit built off to the side, compare-and-swap the local ref, push without
 * force; repeat up to 5 rounds while someone else keeps pushing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/logger';
import { mergeNoteTexts } from '../../core/notes/noteParser';
import { MAX_NOTE_BYTES, NOTES_REF } from '../../core/notes/noteRecord';
import { GitError, assertObjectId, type GitRunner } from '../gitRunner';
import { ZERO_OID, readRef } from '../revisions';
import { readBlobs } from '../blobReads';
import type { NotesWriter } from './notesWriter';

/** Rounds of fetch-merge-push while others push too, with jittered back-off between them (50 clones at once need a few dozen). */
export const MAX_SYNC_ROUNDS = 40;
const MAX_BACKOFF_MS = 30_000;

/**
 * How long to wait before round `round` (2, 3, ...) after a lost race: random, up to the length of
 * the last round times 2^(round - 2), at most 30 s. Scaled by the round's own length, so that on a
 * slow machine (or a slow remote) the contenders spread over as many push windows as they need,
 * instead of colliding again within one.
 */
export function syncBackoffMs(round: number, lastRoundMs: number, random: () => number = Math.random): number {
  return random() * Math.min(MAX_BACKOFF_MS, Math.max(50, lastRoundMs) * 2 ** Math.min(Math.max(round - 2, 0), 10));
}

export interface SyncReport {
  readonly remote: string;
  readonly rounds: number;
  /** Commits whose notes differed on both sides and were merged line by line. */
  readonly mergedNotes: number;
  /** How the local ref moved: unchanged, fast-forwarded to the remote's, or merged. */
  readonly localUpdate: 'unchanged' | 'fast-forward' | 'merge';
  readonly pushed: boolean;
  readonly warnings: readonly string[];
}

export interface SyncDeps {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly writer: NotesWriter;
  readonly logger: Logger;
}

export function remoteNotesRef(remote: string): string {
  return `refs/notes/remotes/${remote}/vouch`;
}

function refspecDestinationMatches(destination: string, ref: string): boolean {
  const expression = destination.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${expression}$`).test(ref);
}

/** A configured fetch refspec that force-updates a local notes ref: a plain `git fetch` would overwrite unpushed notes. */
export interface ForcedNotesFetch {
  /** The config key, `remote.<name>.fetch`. */
  readonly key: string;
  readonly remote: string;
  readonly refspec: string;
  /** What to tell the person (also the CLI's warning). */
  readonly message: string;
}

/** The fetch refspecs that force-update `ref` (default refs/notes/vouch), one per configured value. */
export async function forcedNotesFetches(git: GitRunner, cwd: string, ref: string = NOTES_REF): Promise<ForcedNotesFetch[]> {
  const result = await git.run(['config', '--get-regexp', '^remote\\..*\\.fetch$'], { cwd, okExitCodes: [1] });
  const forced: ForcedNotesFetch[] = [];
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const refspec = line.slice(space + 1);
    if (!refspec.startsWith('+')) continue;
    const destination = refspec.slice(1).split(':')[1];
    if (destination && refspecDestinationMatches(destination, ref)) {
      const message = `${key} = ${refspec} force-fetches into ${ref}: a plain 'git fetch' overwrites notes you have not pushed. Use 'vouch sync' and drop the '+' (or the refspec).`;
      forced.push({ key, remote: key.slice('remote.'.length, -'.fetch'.length), refspec, message });
    }
  }
  return forced;
}

/** Warnings for fetch refspecs that force-update local notes refs: a plain `git fetch` would overwrite unpushed notes. */
export async function forcedNotesFetchWarnings(git: GitRunner, cwd: string, ref: string = NOTES_REF): Promise<string[]> {
  return (await forcedNotesFetches(git, cwd, ref)).map((forced) => forced.message);
}

async function isAncestor(git: GitRunner, cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await git.run(['merge-base', '--is-ancestor', ancestor, descendant], { cwd, okExitCodes: [1] });
  return result.exitCode === 0;
}

/** Fetches the remote's notes ref into its tracking ref; undefined when the remote has none. */
async function fetchRemoteNotes(git: GitRunner, cwd: string, remote: string, ref: string): Promise<string | undefined> {
  const tracking = remoteNotesRef(remote);
  try {
    // --refmap= stops configured refspecs (perhaps a forced +refs/notes/*) from also updating local refs.
    await git.run(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--refmap=', '--end-of-options', remote, `+${ref}:${tracking}`], { cwd, timeoutMs: 300_000 });
  } catch (error) {
    if (error instanceof GitError && /couldn't find remote ref/i.test(error.stderr)) return undefined;
    throw error;
  }
  return readRef(git, cwd, tracking);
}

export async function syncNotes(deps: SyncDeps, options: { readonly remote?: string; readonly ref?: string; readonly maxRounds?: number } = {}): Promise<SyncReport> {
  const { git, topLevel, writer, logger } = deps;
  const ref = options.ref ?? NOTES_REF;
  const remotes = (await git.run(['remote'], { cwd: topLevel })).stdout.split('\n').filter(Boolean);
  const remote = options.remote ?? (remotes.includes('origin') ? 'origin' : remotes.length === 1 ? remotes[0] : undefined);
  if (!remote) throw new GitError('exit-code', remotes.length === 0 ? 'this repository has no remote to sync with' : `name the remote to sync with: ${remotes.join(', ')}`, []);
  if (!remotes.includes(remote)) throw new GitError('exit-code', `no such remote: ${JSON.stringify(remote)}`, []);
  const warnings = await forcedNotesFetchWarnings(git, topLevel, ref);
  for (const warning of warnings) logger.warn(`vouch: ${warning}`);
  await writer.replayPending();

  const maxRounds = options.maxRounds ?? MAX_SYNC_ROUNDS;
  let mergedNotes = 0;
  let localUpdate: SyncReport['localUpdate'] = 'unchanged';
  // Notes commits are immutable: what was read or checked of one stays true for the whole sync, so a
  // round after a lost race runs fewer git processes (and its push window is shorter).
  const known: KnownNotesCommits = { commits: new Set(), notes: new Map() };
  let lastRoundMs = 0;
  for (let round = 1; round <= maxRounds; round++) {
    if (round > 1) await sleep(syncBackoffMs(round, lastRoundMs));
    const roundStarted = Date.now();
    const remoteTip = await fetchRemoteNotes(git, topLevel, remote, ref);
    if (remoteTip) await requireNotesCommit(git, topLevel, remoteTip, `${remote}'s ${ref}`, known);
    const local = await readRef(git, topLevel, ref);
    if (local) await requireNotesCommit(git, topLevel, local, `the local ${ref}`, known);
    let target = local;
    if (remoteTip && remoteTip !== local) {
      // Union, always: a note the other side removed (plain 'git notes remove') is not a merge
      // result, so the remote's tip is taken only when it already holds every local record.
      const union = local ? await unionOfNotes(deps, local, remoteTip, known) : undefined;
      if (!local || (union?.remoteHoldsAll && (await isAncestor(git, topLevel, local, remoteTip)))) {
        target = remoteTip;
        localUpdate = 'fast-forward';
      } else if (!(union?.localHoldsAll && (await isAncestor(git, topLevel, remoteTip, local)))) {
        target = await commitNotes(deps, union?.notes ?? new Map(), [local, remoteTip]);
        known.commits.add(target);
        if (union) known.notes.set(target, union.notes);
        mergedNotes = union?.mergedNotes ?? 0;
        localUpdate = 'merge';
      }
      if (target !== local) {
        try {
          await git.run(['update-ref', '-m', `vouch: sync with ${remote}`, ref, target as string, local ?? ZERO_OID], { cwd: topLevel });
        } catch (error) {
          if (!(error instanceof GitError)) throw error;
          logger.debug(`vouch: ${ref} moved during sync (${error.stderr.trim()}); next round`);
          lastRoundMs = Date.now() - roundStarted;
          continue;
        }
      }
    }
    if (!target || target === remoteTip) return { remote, rounds: round, mergedNotes, localUpdate, pushed: false, warnings };
    try {
      await git.run(['push', '--quiet', '--no-verify', '--end-of-options', remote, `${ref}:${ref}`], { cwd: topLevel, timeoutMs: 300_000 });
      return { remote, rounds: round, mergedNotes, localUpdate, pushed: true, warnings };
    } catch (error) {
      if (error instanceof GitError && /rejected|non-fast-forward|fetch first|stale info|failed to update ref|cannot lock ref|failed to lock/i.test(error.stderr)) {
        logger.debug(`vouch: push of ${ref} to ${remote} rejected; next round`);
        lastRoundMs = Date.now() - roundStarted;
        continue;
      }
      throw error;
    }
  }
  throw new GitError('exit-code', `${remote}'s notes kept changing through ${maxRounds} fetch-merge-push rounds; run 'vouch sync' again`, []);
}

interface KnownNotesCommits {
  /** Ids checked to be commits. */
  readonly commits: Set<string>;
  /** The notes (annotated commit -> blob) of notes commits read or made. */
  readonly notes: Map<string, ReadonlyMap<string, string>>;
}

/** Refuses a notes ref that points at anything but a commit (a blob or a tree is never adopted). */
async function requireNotesCommit(git: GitRunner, cwd: string, id: string, what: string, known: KnownNotesCommits): Promise<void> {
  if (known.commits.has(id)) return;
  const type = (await git.run(['cat-file', '-t', assertObjectId(id)], { cwd })).stdout.trim();
  if (type !== 'commit') {
    throw new GitError('exit-code', `${what} points at a ${type} (${id.slice(0, 12)}), not a notes commit; not syncing with it. Whoever pushed it should push a notes commit there again.`, []);
  }
  known.commits.add(id);
}

interface NotesUnion {
  /** Annotated commit -> note blob holding every record line of both sides. */
  readonly notes: Map<string, string>;
  /** Commits whose notes differed on both sides and were merged line by line. */
  readonly mergedNotes: number;
  readonly remoteHoldsAll: boolean;
  readonly localHoldsAll: boolean;
}

/** The union of two notes commits: every note of either side; a commit noted on both gets the union of both notes' lines (cat_sort_uniq). */
async function unionOfNotes(deps: SyncDeps, local: string, remote: string, known: KnownNotesCommits): Promise<NotesUnion> {
  const { git, topLevel } = deps;
  const localNotes = await notesAtKnown(deps, local, known);
  const remoteNotes = await notesAtKnown(deps, remote, known);
  const notes = new Map(remoteNotes);
  let remoteHoldsAll = true;
  let localHoldsAll = true;
  const conflicts: [string, string, string][] = [];
  for (const [commit, blob] of localNotes) {
    const theirs = notes.get(commit);
    if (!theirs) {
      notes.set(commit, blob);
      remoteHoldsAll = false;
    } else if (theirs !== blob) conflicts.push([commit, blob, theirs]);
  }
  for (const commit of remoteNotes.keys()) if (!localNotes.has(commit)) localHoldsAll = false;
  const texts = await readBlobs(
    git,
    topLevel,
    conflicts.flatMap(([, a, b]) => [a, b]),
    MAX_NOTE_BYTES,
  );
  for (const [commit, mine, theirs] of conflicts) {
    const mineText = texts.get(mine)?.text;
    const theirsText = texts.get(theirs)?.text;
    if (mineText === undefined || theirsText === undefined) {
      throw new GitError('exit-code', `the note on ${commit} cannot be read on one side; not merging (${texts.get(mine)?.problem ?? texts.get(theirs)?.problem})`, []);
    }
    const merged = mergeNoteTexts(mineText, theirsText);
    if (merged !== mergeNoteTexts(theirsText)) remoteHoldsAll = false;
    if (merged !== mergeNoteTexts(mineText)) localHoldsAll = false;
    const blob = await git.run(['hash-object', '-w', '--stdin'], { cwd: topLevel, input: merged });
    notes.set(commit, assertObjectId(blob.stdout.trim()));
  }
  return { notes, mergedNotes: conflicts.length, remoteHoldsAll, localHoldsAll };
}

/** A notes commit holding `notes` as a flat tree (git reads it like any fan-out), with the given parents. */
async function commitNotes(deps: SyncDeps, notes: ReadonlyMap<string, string>, parents: readonly string[]): Promise<string> {
  const { git, topLevel } = deps;
  const treeInput = [...notes].map(([commit, blob]) => `100644 blob ${blob}\t${commit}\n`).join('');
  const tree = assertObjectId((await git.run(['mktree'], { cwd: topLevel, input: treeInput })).stdout.trim());
  const identity = await git.run(['var', 'GIT_COMMITTER_IDENT'], { cwd: topLevel, okExitCodes: [128] });
  const env: Record<string, string> =
    identity.exitCode === 0 ? {} : { GIT_AUTHOR_NAME: 'Vouch', GIT_AUTHOR_EMAIL: 'vouch@localhost', GIT_COMMITTER_NAME: 'Vouch', GIT_COMMITTER_EMAIL: 'vouch@localhost' };
  const commit = await git.run(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', assertObjectId(parent)]), '-m', 'Notes merged by vouch sync (union of both sides, cat_sort_uniq)'], { cwd: topLevel, env });
  return assertObjectId(commit.stdout.trim());
}

async function notesAtKnown(deps: SyncDeps, notesCommit: string, known: KnownNotesCommits): Promise<ReadonlyMap<string, string>> {
  let notes = known.notes.get(notesCommit);
  if (!notes) {
    notes = await notesAt(deps, notesCommit);
    known.notes.set(notesCommit, notes);
  }
  return notes;
}

/** The notes of a notes commit that is not (yet) a ref's tip. */
async function notesAt(deps: SyncDeps, notesCommit: string): Promise<Map<string, string>> {
  const result = await deps.git.run(['ls-tree', '-r', '-z', assertObjectId(notesCommit)], { cwd: deps.topLevel });
  const notes = new Map<string, string>();
  for (const entry of result.stdout.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, blob] = entry.slice(0, tab).split(' ');
    const annotated = entry.slice(tab + 1).replace(/\//g, '');
    if (type === 'blob' && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(annotated)) notes.set(annotated, assertObjectId(blob));
  }
  return notes;
}

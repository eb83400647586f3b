/**
 * The text files had in the last commit (HEAD), read in a few batch git processes: what the review
 * panel diffs a file against to show what each AI block replaced.
 */
import { blobsAtPaths, readBlobs } from '../blobReads';
import { readRef } from '../revisions';
import type { GitRunner } from '../gitRunner';
import type { RepositoryLocation } from '../repository';

/** Larger files are not diffed for the panel: the diff would cost more than it shows. */
const MAX_DIFFED_BYTES = 2 * 1024 * 1024;

export interface CommittedTexts {
  /** The commit read; undefined before the first commit. */
  readonly head: string | undefined;
  /** By repository path; a path missing from HEAD, not a regular file or too large is absent. */
  readonly texts: ReadonlyMap<string, string>;
}

/** The HEAD commit id, or undefined before the first commit. */
export function headCommit(git: GitRunner, repository: RepositoryLocation): Promise<string | undefined> {
  return readRef(git, repository.topLevel, 'HEAD^{commit}');
}

/** The texts of `repoPaths` in `head` (UTF-8, a leading byte-order mark dropped, as the editor reads them). */
export async function committedTexts(git: GitRunner, repository: RepositoryLocation, head: string | undefined, repoPaths: readonly string[]): Promise<CommittedTexts> {
  const texts = new Map<string, string>();
  if (head === undefined || repoPaths.length === 0) return { head, texts };
  const blobs = await blobsAtPaths(git, repository.topLevel, head, repoPaths);
  const reads = await readBlobs(git, repository.topLevel, [...blobs.values()], MAX_DIFFED_BYTES);
  for (const [repoPath, blob] of blobs) {
    const text = reads.get(blob)?.text;
    if (text !== undefined) texts.set(repoPath, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  }
  return { head, texts };
}

/** The blob of `repoPath` in HEAD, or undefined (no commit yet, not in HEAD, not a regular file). */
export async function headBlob(git: GitRunner, repository: RepositoryLocation, repoPath: string): Promise<string | undefined> {
  const head = await headCommit(git, repository);
  if (head === undefined) return undefined;
  return (await blobsAtPaths(git, repository.topLevel, head, [repoPath])).get(repoPath);
}

/**
 * AI marks follow a file renamed outside the editor (`git mv`, or `mv` then `git add -A`): a path
 * with working state whose file is gone from the working tree takes its state to the path git
 * pairs it with as a rename, in what is staged or in a commit. Without it the marks stay on a path
 * that no commit holds, and the gate and the record never see the AI lines under their new name.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { GitRunner } from '../gitRunner';
import type { WorkingStateStore } from '../workingStateStore';
import type { WorkingStateDocument } from '../../core/workingState/stateFile';
import { indexEnvironment, type IndexOptions } from './stagedFiles';

export interface FollowedRename {
  readonly from: string;
  readonly to: string;
}

/** Where the renames come from: the staged changes (the gate, status), or a commit against its first parent (the record). */
export type RenameSource = { readonly staged: IndexOptions } | { readonly commit: string };

/**
 * Moves the working state of renamed files to their new paths, over the working state the caller
 * has read (loadAll) and goes on using (check --staged, status, record-commit), so it is read once:
 * returns the moves made and the documents as they are after them (sorted by path; a moved one is
 * read again under its new path).
 */
export async function followRenamedDocuments(
  git: GitRunner,
  topLevel: string,
  store: WorkingStateStore,
  source: RenameSource,
  documents: readonly WorkingStateDocument[],
): Promise<{ readonly followed: FollowedRename[]; readonly documents: readonly WorkingStateDocument[] }> {
  const gone = new Set<string>();
  for (const document of documents) if (await isGoneFromWorkingTree(topLevel, document.path)) gone.add(document.path);
  if (gone.size === 0) return { followed: [], documents };
  const followed: FollowedRename[] = [];
  for (const rename of await renamesIn(git, topLevel, source)) {
    if (gone.has(rename.from) && (await store.move(rename.from, rename.to))) followed.push(rename);
  }
  if (followed.length === 0) return { followed, documents };
  const changed = new Set(followed.flatMap((rename) => [rename.from, rename.to]));
  const after = documents.filter((document) => !changed.has(document.path));
  for (const rename of followed) {
    const moved = await store.load(rename.to);
    if (moved) after.push(moved);
  }
  return { followed, documents: after.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

async function isGoneFromWorkingTree(topLevel: string, repoPath: string): Promise<boolean> {
  try {
    await fs.lstat(path.join(topLevel, ...repoPath.split('/')));
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/** Renames git finds (its default similarity, 50%) among the staged changes or a commit's. */
async function renamesIn(git: GitRunner, topLevel: string, source: RenameSource): Promise<FollowedRename[]> {
  const options = ['-z', '--name-status', '-M', '--diff-filter=R', '--no-ext-diff', '--no-textconv'];
  const { stdout } =
    'commit' in source
      ? await git.run(['diff-tree', '-r', '--no-commit-id', ...options, source.commit], { cwd: topLevel })
      : await git.run(['diff', '--cached', ...options], { cwd: topLevel, env: indexEnvironment(source.staged) });
  // "R<score>\0<old path>\0<new path>\0" per rename.
  const fields = stdout.split('\0');
  const renames: FollowedRename[] = [];
  for (let at = 0; at + 2 < fields.length; at += 3) {
    if (!/^R\d*$/.test(fields[at])) break;
    renames.push({ from: fields[at + 1], to: fields[at + 2] });
  }
  return renames;
}

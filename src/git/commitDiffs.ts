/** What a commit changed relative to its first parent: paths, blob ids, added lines, patch-id. */
import { GitError, assertObjectId, type GitRunner } from './gitRunner';

/** `git patch-id --stable` of the commit's diff to its first parent; null for an empty diff. */
export async function patchIdOfCommit(git: GitRunner, cwd: string, commit: string): Promise<string | null> {
  const diff = await git.run(['diff-tree', '--patch', '--root', '-r', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', assertObjectId(commit)], { cwd });
  if (!diff.stdout.includes('\ndiff --git ')) return null;
  const result = await git.run(['patch-id', '--stable'], { cwd, input: diff.stdoutBytes });
  const id = result.stdout.trim().split(' ')[0];
  return id ? assertObjectId(id) : null;
}

function unquoteGitPath(text: string): string {
  if (!text.startsWith('"')) return text;
  const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', r: '\r', v: '\v' };
  const bytes: number[] = [];
  for (let index = 1; index < text.length - 1; index++) {
    const char = text[index];
    if (char === '\\') {
      const next = text[index + 1];
      if (/[0-7]/.test(next)) {
        bytes.push(parseInt(text.slice(index + 1, index + 4), 8));
        index += 3;
      } else {
        bytes.push((escapes[next] ?? next).charCodeAt(0));
        index += 1;
      }
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Per changed file of `commit`, the 1-based lines it added or changed relative to its first parent. */
export async function addedLinesOfCommit(git: GitRunner, cwd: string, commit: string): Promise<Map<string, Set<number>>> {
  // Explicit prefixes: a user's diff.noprefix or diff.mnemonicPrefix must not change the headers parsed below.
  const diff = await git.run(
    ['diff-tree', '--patch', '--root', '-r', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', assertObjectId(commit)],
    { cwd },
  );
  const added = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  for (const line of diff.stdout.split('\n')) {
    if (line.startsWith('diff --git ')) current = undefined;
    else if (line.startsWith('+++ ')) {
      // git ends the name with a tab when it holds a space (so patch tools see where it ends). A tab
      // inside a name is always quoted as "\t", so a raw tab at the end is never part of the name.
      const name = line.slice(4).replace(/\t$/, '');
      if (name === '/dev/null') current = undefined;
      else {
        const path = unquoteGitPath(name).replace(/^b\//, '');
        current = new Set<number>();
        added.set(path, current);
      }
    } else if (line.startsWith('@@ ') && current) {
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!match) continue;
      const start = Number(match[1]);
      const count = match[2] === undefined ? 1 : Number(match[2]);
      for (let lineNumber = start; lineNumber < start + count; lineNumber++) current.add(lineNumber);
    }
  }
  return added;
}

export interface CommitChanges {
  readonly commit: string;
  readonly tree: string;
  /** Repository paths the commit changed relative to its first parent (the root commit: all its files). */
  readonly paths: readonly string[];
  /** Blob ids of the changed paths that are regular files in the commit (deleted files, links and submodules are absent). */
  readonly blobs: ReadonlyMap<string, string>;
  /** `git patch-id --stable` of the commit's diff to its first parent; null for an empty diff. */
  readonly patchId: string | null;
  /** The commit's parents, first parent first (none for a root commit). */
  readonly parents: readonly string[];
}

/**
 * What recording a commit needs to know about it, in two git processes: one `git diff-tree` gives
 * the tree, the changed paths with their new blob ids (raw part) and the patch (for patch-id), and
 * `git patch-id` hashes the patch. The same answers as treeOfCommit, changedPathsOfCommit,
 * blobsAtPaths (for the changed paths) and patchIdOfCommit together.
 */
export async function readCommitChanges(git: GitRunner, cwd: string, commit: string): Promise<CommitChanges> {
  const diff = await git.run(
    ['diff-tree', '--always', '--root', '-r', '-z', '--no-renames', '--patch-with-raw', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', '--format=%T %P', assertObjectId(commit)],
    { cwd },
  );
  const bytes = diff.stdoutBytes;
  const fail = (what: string) => new GitError('exit-code', `unexpected git diff-tree output (${what})`, ['diff-tree']);
  // "<tree> <parents>\0" then, when the diff is not empty, "\n", the raw entries ":<modes> <ids> <status>\0<path>\0", "\0" and the patch.
  let offset = bytes.indexOf(0);
  if (offset < 0) throw fail('no tree');
  const [treeId, ...parentIds] = bytes.subarray(0, offset).toString('utf8').trim().split(' ');
  const tree = assertObjectId(treeId);
  const parents = parentIds.filter(Boolean).map((id) => assertObjectId(id));
  offset++;
  if (bytes[offset] === 10) offset++;
  const paths: string[] = [];
  const blobs = new Map<string, string>();
  while (offset < bytes.length && bytes[offset] === 58 /* ':' */) {
    const metaEnd = bytes.indexOf(0, offset);
    const pathEnd = metaEnd < 0 ? -1 : bytes.indexOf(0, metaEnd + 1);
    if (pathEnd < 0) throw fail('raw entry');
    const [, newMode, , newId, status] = bytes.subarray(offset + 1, metaEnd).toString('utf8').split(' ');
    const path = bytes.subarray(metaEnd + 1, pathEnd).toString('utf8');
    paths.push(path);
    if (status !== 'D' && (newMode === '100644' || newMode === '100755')) blobs.set(path, assertObjectId(newId));
    offset = pathEnd + 1;
  }
  if (bytes[offset] === 0) offset++;
  const patch = bytes.subarray(offset);
  let patchId: string | null = null;
  if (patch.includes('diff --git ')) {
    const result = await git.run(['patch-id', '--stable'], { cwd, input: patch });
    const id = result.stdout.trim().split(' ')[0];
    patchId = id ? assertObjectId(id) : null;
  }
  return { commit, tree, paths, blobs, patchId, parents };
}

/** Repository paths the commit changed relative to its first parent (the root commit: all its files). */
export async function changedPathsOfCommit(git: GitRunner, cwd: string, commit: string): Promise<string[]> {
  const result = await git.run(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', '--root', '--no-renames', assertObjectId(commit)], { cwd });
  return result.stdout.split('\0').filter(Boolean);
}

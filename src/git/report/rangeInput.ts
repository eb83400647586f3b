/**
 * Reads what the range report needs from git: each commit's author and added lines, its Vouch
 * records checked against its blobs, and the lines of the files those records name (for risk hints).
 */
import { splitLines } from '../../core/notes/lineRanges';
import { checkRecord } from '../../core/notes/recordCheck';
import type { ReportCommitInput } from '../../core/report/rangeReport';
import { assertObjectId, type GitRunner } from '../gitRunner';
import { addedLinesOfCommit } from '../commitDiffs';
import { blobsAtPaths, readBlobs } from '../blobReads';
import type { NotesReader } from '../notes/notesReader';
import { carryChainsOf } from '../notes/carryChains';

/** Files larger than this are not read; their ranges count as stale. */
const MAX_READ_FILE_BYTES = 16 * 1024 * 1024;
const MAX_AUTHOR = 300;

/** `Name <email>` of each commit's author, from one git process. */
export async function authorsOf(git: GitRunner, cwd: string, commits: readonly string[]): Promise<Map<string, string>> {
  const authors = new Map<string, string>();
  if (commits.length === 0) return authors;
  const result = await git.run(['log', '--no-walk=unsorted', '--stdin', '--format=%H%x00%an <%ae>%x00'], { cwd, input: `${commits.map(assertObjectId).join('\n')}\n` });
  const fields = result.stdout.split('\0');
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const commit = fields[index].trim();
    if (commit) authors.set(commit, fields[index + 1].slice(0, MAX_AUTHOR));
  }
  return authors;
}

/** `addedLines: false` skips each commit's diff (one git process per commit) for callers that use only the records. */
export async function readReportInput(git: GitRunner, cwd: string, reader: NotesReader, commits: readonly string[], options: { readonly addedLines?: boolean } = {}): Promise<ReportCommitInput[]> {
  const notes = await reader.readNotes(commits);
  const authors = await authorsOf(git, cwd, commits);
  const chains = carryChainsOf(git, cwd, reader);
  const inputs: ReportCommitInput[] = [];
  for (const commit of commits) {
    const addedLines = options.addedLines === false ? new Map<string, Set<number>>() : await addedLinesOfCommit(git, cwd, commit);
    const note = notes.get(commit);
    const linesOf = new Map<string, string[]>();
    if (note && note.records.length > 0) {
      const paths = [...new Set(note.records.flatMap((record) => record.statement.predicate.files.map((file) => file.path)))];
      const blobIds = await blobsAtPaths(git, cwd, commit, paths);
      const texts = await readBlobs(git, cwd, [...new Set(blobIds.values())], MAX_READ_FILE_BYTES);
      for (const [path, blob] of blobIds) {
        const text = texts.get(blob)?.text;
        if (text !== undefined) linesOf.set(path, splitLines(text));
      }
    }
    const records = [];
    for (const record of note?.records ?? []) {
      // A carried record's reviews are signed in the record it was carried from (carryChain.ts).
      const origin = record.statement.predicate.carriedFrom ? await chains.origin(commit, record) : undefined;
      records.push({ record, check: checkRecord(record, commit, (path) => linesOf.get(path)), ...(origin ? { origin } : {}) });
    }
    inputs.push({
      commit,
      author: authors.get(commit) ?? 'unknown author',
      addedLines,
      records,
      unreadableRecords: note?.rejected.length ?? 0,
      fileLines: (path) => linesOf.get(path),
    });
  }
  return inputs;
}

// A generated history for blame tests and the blame benchmark: one file, `commits` commits made
// with `git fast-import`, each inserting and rewriting lines, each with a Vouch note that marks
// its AI lines. A model of the file says, for each line, which commit wrote it and whether AI did.
import { hashLines } from '../../../src/core/notes/lineRanges';
import { buildNoteRecord, type NoteRange } from '../../../src/core/notes/noteRecord';
import { GitRunner } from '../../../src/git/gitRunner';
import { seededRandom } from '../../support/seededRandom';
import { TestRepo } from '../../support/testRepo';

export interface ModelLine {
  readonly text: string;
  /** Index of the commit that wrote the line. */
  readonly commit: number;
  readonly ai: boolean;
}

export interface GeneratedHistory {
  readonly dir: string;
  readonly file: string;
  /** Commit ids, oldest first. */
  readonly commits: string[];
  /** The file at the last commit, with who wrote each line. */
  readonly lines: ModelLine[];
  readonly git: GitRunner;
}

function dataCommand(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

function aiRanges(lines: readonly ModelLine[], commit: number): NoteRange[] {
  const texts = lines.map((line) => line.text);
  const ranges: NoteRange[] = [];
  let start = -1;
  for (let index = 0; index <= lines.length; index++) {
    const ai = index < lines.length && lines[index].commit === commit && lines[index].ai;
    if (ai && start < 0) start = index + 1;
    if (!ai && start > 0) {
      ranges.push({
        start,
        end: index,
        sha256: hashLines(texts, start, index),
        origin: { kind: commit % 3 === 0 ? 'chat' : 'inline', tool: commit % 3 === 0 ? 'claude-code' : 'github-copilot' },
        confidence: 'high',
        humanChangedShare: 0,
        review: null,
      });
      start = -1;
    }
  }
  return ranges;
}

/**
 * Builds the history in a new temporary directory (the caller removes `dir`). Each commit after the
 * first inserts `insertPerCommit` lines (AI on even commits) and rewrites `rewritePerCommit` lines.
 */
export async function generateHistory(options: { lines: number; commits: number; insertPerCommit?: number; rewritePerCommit?: number; seed?: number }): Promise<GeneratedHistory> {
  const git = new GitRunner();
  const { dir } = await TestRepo.create({ prefix: 'vouch-blame-', user: { name: 'History Maker', email: 'history@example.com' } });
  const file = 'src/big.ts';
  const next = seededRandom(options.seed ?? 7);
  const insertPerCommit = options.insertPerCommit ?? 4;
  const rewritePerCommit = options.rewritePerCommit ?? 6;
  const baseLines = Math.max(1, options.lines - insertPerCommit * (options.commits - 1));
  let lines: ModelLine[] = Array.from({ length: baseLines }, (_, index) => ({ text: `const base${index} = ${index}; // c0`, commit: 0, ai: index % 5 === 0 }));
  const snapshots: ModelLine[][] = [lines];
  let stream = '';
  for (let commit = 0; commit < options.commits; commit++) {
    if (commit > 0) {
      lines = lines.slice();
      const at = Math.floor(next() * lines.length);
      const inserted = Array.from({ length: insertPerCommit }, (_, k) => ({ text: `export const c${commit}i${k} = ${k}; // inserted`, commit, ai: commit % 2 === 0 }));
      lines.splice(at, 0, ...inserted);
      for (let k = 0; k < rewritePerCommit; k++) {
        const target = Math.floor(next() * lines.length);
        lines[target] = { text: `  rewritten(${commit}, ${k}); // line ${target}`, commit, ai: (commit + k) % 3 !== 0 };
      }
      snapshots.push(lines);
    }
    const content = `${lines.map((line) => line.text).join('\n')}\n`;
    const time = 1_700_000_000 + commit * 60;
    stream += `commit refs/heads/main\nmark :${commit + 1}\ncommitter History Maker <history@example.com> ${time} +0000\n`;
    stream += dataCommand(`Commit ${commit}`);
    if (commit > 0) stream += `from :${commit}\n`;
    stream += `M 100644 inline ${file}\n${dataCommand(content)}`;
  }
  await git.run(['fast-import', '--quiet'], { cwd: dir, input: stream });
  const commits = (await git.run(['rev-list', '--reverse', 'main'], { cwd: dir })).stdout.split('\n').filter(Boolean);
  const objects = (await git.run(['cat-file', '--batch-check=%(objectname)'], { cwd: dir, input: commits.map((id) => `${id}^{tree}\n${id}:${file}\n`).join('') })).stdout.split('\n');
  let notes = `commit refs/notes/vouch\ncommitter History Maker <history@example.com> 1800000000 +0000\n${dataCommand('Notes')}`;
  commits.forEach((commit, index) => {
    const ranges = aiRanges(snapshots[index], index);
    if (ranges.length === 0) return;
    const record = buildNoteRecord({ commit, tree: objects[index * 2], patchId: null, files: [{ path: file, blob: objects[index * 2 + 1], ranges }] });
    notes += `N inline ${commit}\n${dataCommand(`${record.line}\n`)}`;
  });
  await git.run(['fast-import', '--quiet'], { cwd: dir, input: notes });
  await git.run(['reset', '-q', '--hard', 'main'], { cwd: dir });
  return { dir, file, commits, lines, git };
}

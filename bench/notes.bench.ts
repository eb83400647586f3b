// Writing the Vouch note for a commit of 200 files with 5,000 AI ranges (budget: under 1 s),
// next to one plain `git notes add` for scale. Real git in a temporary repository.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AttributedSpan } from '../src/core/attribution';
import { silentLogger } from '../src/core/logger';
import type { CommittedFileInput } from '../src/core/notes/recordFromSpans';
import { GitRunner } from '../src/git/gitRunner';
import { recordFilesOfCommit } from '../src/git/notes/commitRecording';
import { NotesWriter } from '../src/git/notes/notesWriter';
import { recordBenchResults } from './results';

const FILES = 200;
const RANGES_PER_FILE = 25; // 200 x 25 = 5,000 AI ranges
const RUNS = 5;
const git = new GitRunner();

function makeFile(fileIndex: number, round: number): { text: string; spans: AttributedSpan[]; unstagedText: string } {
  const lines: string[] = [];
  const spans: AttributedSpan[] = [];
  let offset = 0;
  const push = (line: string) => {
    lines.push(line);
    offset += line.length + 1;
  };
  push(`// file ${fileIndex} round ${round}`);
  for (let range = 0; range < RANGES_PER_FILE; range++) {
    push(`const human${range} = ${range};`);
    const start = offset;
    // Two AI lines per range; a different tool on alternate ranges keeps ranges from merging.
    push(`export function ai${range}(value) {`);
    push(`  return value * ${range + fileIndex} + ${round};`);
    spans.push({
      id: `f${fileIndex}r${range}`,
      start,
      end: offset - 1,
      origin: { kind: range % 2 === 0 ? 'inline' : 'chat', tool: range % 2 === 0 ? 'github-copilot' : 'claude-code' },
      confidence: 'high',
      insertedAt: 1_700_000_000_000,
      insertedTextHash: '',
      insertedLength: offset - 1 - start,
      humanChangedChars: range % 3,
    });
    push('}');
  }
  const text = `${lines.join('\n')}\n`;
  return { text, spans, unstagedText: `${text}// an unstaged line\n` };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-bench-notes-'));
  try {
    const run = (args: string[], env: Record<string, string> = {}) => git.run(args, { cwd: dir, env });
    await run(['init', '-q', '-b', 'main']);
    await run(['config', 'user.name', 'Bench']);
    await run(['config', 'user.email', 'bench@example.com']);
    const writer = await NotesWriter.open(git, dir, silentLogger);
    const timings: Record<'identical' | 'withUnstaged' | 'plainNotesAdd', number[]> = { identical: [], withUnstaged: [], plainNotesAdd: [] };
    let clock = 1_700_000_000;
    for (let round = 0; round < RUNS * 2; round++) {
      const inputs: CommittedFileInput[] = [];
      const withUnstaged = round % 2 === 1;
      for (let fileIndex = 0; fileIndex < FILES; fileIndex++) {
        const file = makeFile(fileIndex, round);
        const relative = `src/dir${fileIndex % 10}/file${fileIndex}.js`;
        mkdirSync(path.join(dir, path.dirname(relative)), { recursive: true });
        writeFileSync(path.join(dir, relative), file.text);
        inputs.push({ path: relative, workingText: withUnstaged ? file.unstagedText : file.text, spans: file.spans });
      }
      await run(['add', '-A']);
      clock++;
      await run(['commit', '-q', '-m', `round ${round}`], { GIT_AUTHOR_DATE: `@${clock} +0000`, GIT_COMMITTER_DATE: `@${clock} +0000` });
      const commit = (await run(['rev-parse', 'HEAD'])).stdout.trim();
      const started = performance.now();
      const result = await recordFilesOfCommit({ git, topLevel: dir, writer, logger: silentLogger }, { commit, files: inputs });
      const elapsed = performance.now() - started;
      const ranges = result.record?.statement.predicate.files.reduce((sum, file) => sum + file.ranges.length, 0) ?? 0;
      if (ranges !== FILES * RANGES_PER_FILE) throw new Error(`expected ${FILES * RANGES_PER_FILE} ranges, got ${ranges}`);
      timings[withUnstaged ? 'withUnstaged' : 'identical'].push(elapsed);
      const plainStarted = performance.now();
      await run(['notes', '--ref', 'refs/notes/plain', 'add', '-m', 'plain note', commit]);
      timings.plainNotesAdd.push(performance.now() - plainStarted);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const figures = {
      files: FILES,
      aiRanges: FILES * RANGES_PER_FILE,
      runs: RUNS,
      recordCommitMedianMs: Math.round(median(timings.identical)),
      recordCommitWithUnstagedMedianMs: Math.round(median(timings.withUnstaged)),
      plainGitNotesAddMedianMs: Math.round(median(timings.plainNotesAdd)),
      budgetMs: 1000,
    };
    console.log(`note for ${FILES} files / ${FILES * RANGES_PER_FILE} AI ranges: ${figures.recordCommitMedianMs} ms median (working text = commit)`);
    console.log(`  with an unstaged line per file (diff mapping): ${figures.recordCommitWithUnstagedMedianMs} ms median`);
    console.log(`  one plain 'git notes add' for scale:           ${figures.plainGitNotesAddMedianMs} ms median`);
    console.log(`  budget: ${figures.budgetMs} ms -> ${Math.max(figures.recordCommitMedianMs, figures.recordCommitWithUnstagedMedianMs) < figures.budgetMs ? 'within' : 'OVER'}`);
    recordBenchResults('notes', figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

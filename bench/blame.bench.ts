// Blame overlay on a 5,000-line file with a history of 500 commits, each with a Vouch note
// (budget: at most 1.15x a plain `git blame --porcelain` of the same file, measured side by side,
// alternating, in one run). The history is generated with git fast-import.
import { rmSync } from 'node:fs';
import { silentLogger } from '../src/core/logger';
import { BlameOverlay } from '../src/git/blame/blameOverlay';
import { generateHistory } from '../test/unit/git/blameHistory';
import { recordBenchResults } from './results';

const LINES = 5_000;
const COMMITS = 500;
const RUNS = 15;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

async function main(): Promise<void> {
  const generationStarted = performance.now();
  const history = await generateHistory({ lines: LINES, commits: COMMITS });
  const generationMs = performance.now() - generationStarted;
  try {
    const { git, dir, file } = history;
    const text = `${history.lines.map((line) => line.text).join('\n')}\n`;
    const notes = (await git.run(['notes', '--ref', 'refs/notes/vouch', 'list'], { cwd: dir })).stdout.split('\n').filter(Boolean).length;
    if (history.lines.length !== LINES || history.commits.length !== COMMITS || notes !== COMMITS) {
      throw new Error(`generated ${history.lines.length} lines, ${history.commits.length} commits, ${notes} notes`);
    }
    const expectedAi = history.lines.filter((line) => line.ai).length;
    const warmOverlay = new BlameOverlay(git, dir, silentLogger, () => 16 * 1024 * 1024);
    // The editor's text with an edit not saved yet: a new line near the top and a changed line below.
    const unsavedLines = text.split('\n');
    unsavedLines.splice(10, 0, '// typed, not saved yet');
    unsavedLines[2000] = `${unsavedLines[2000]} // changed`;
    const unsavedText = unsavedLines.join('\n');
    const timings: Record<'plain' | 'overlayCold' | 'overlayWarm' | 'overlayUnsaved', number[]> = { plain: [], overlayCold: [], overlayWarm: [], overlayUnsaved: [] };
    let aiLines = 0;
    let namedCommits = 0;
    for (let run = -1; run < RUNS; run++) {
      // Alternate the order each run so neither side always runs first on a warm cache.
      const steps: Array<[keyof typeof timings, () => Promise<unknown>]> = [
        ['plain', () => git.run(['blame', '--porcelain', '--', file], { cwd: dir })],
        ['overlayCold', () => new BlameOverlay(git, dir, silentLogger, () => 16 * 1024 * 1024).committedAiLines(file, text, { savedOnDisk: true })],
        ['overlayWarm', () => warmOverlay.committedAiLines(file, text, { savedOnDisk: true })],
        ['overlayUnsaved', () => warmOverlay.committedAiLines(file, unsavedText)],
      ];
      if (run % 2 === 1) steps.reverse();
      for (const [name, step] of steps) {
        const started = performance.now();
        const result = await step();
        const elapsed = performance.now() - started;
        if (run >= 0) timings[name].push(elapsed);
        if (name === 'overlayCold') {
          const lines = (result as Awaited<ReturnType<BlameOverlay['committedAiLines']>>).lines;
          aiLines = lines.length;
          namedCommits = new Set(lines.map((line) => line.commit)).size;
        }
      }
    }
    if (aiLines !== expectedAi) throw new Error(`the overlay found ${aiLines} AI lines, the model says ${expectedAi}`);
    const plain = median(timings.plain);
    const cold = median(timings.overlayCold);
    const warm = median(timings.overlayWarm);
    const unsaved = median(timings.overlayUnsaved);
    // The machine is shared: the fastest of the runs shows each side's cost with the least interference.
    const fastest = (name: keyof typeof timings) => Math.min(...timings[name]);
    const figures = {
      lines: LINES,
      commits: COMMITS,
      notes,
      committedAiLines: aiLines,
      commitsWithAiLinesShown: namedCommits,
      runs: RUNS,
      historyGenerationMs: Math.round(generationMs),
      plainBlameMedianMs: Number(plain.toFixed(1)),
      overlayFirstMedianMs: Number(cold.toFixed(1)),
      overlayMedianMs: Number(warm.toFixed(1)),
      overlayUnsavedMedianMs: Number(unsaved.toFixed(1)),
      overlayFirstRatio: Number((cold / plain).toFixed(3)),
      overlayUnsavedRatio: Number((unsaved / plain).toFixed(3)),
      overlayRatio: Number((warm / plain).toFixed(3)),
      plainBlameFastestMs: Number(fastest('plain').toFixed(1)),
      overlayFastestRatio: Number((fastest('overlayWarm') / fastest('plain')).toFixed(3)),
      overlayUnsavedFastestRatio: Number((fastest('overlayUnsaved') / fastest('plain')).toFixed(3)),
      overlayFirstFastestRatio: Number((fastest('overlayCold') / fastest('plain')).toFixed(3)),
      budgetRatio: 1.15,
    };
    console.log(`history: ${COMMITS} commits with ${notes} notes, ${LINES} lines, generated in ${figures.historyGenerationMs} ms`);
    console.log(`plain git blame --porcelain:                 ${figures.plainBlameMedianMs} ms median of ${RUNS}`);
    console.log(`overlay, saved file (blame + notes):         ${figures.overlayMedianMs} ms median -> ratio ${figures.overlayRatio} (notes listed and parsed once, as in the editor)`);
    console.log(`overlay, unsaved text (2 lines edited):      ${figures.overlayUnsavedMedianMs} ms median -> ratio ${figures.overlayUnsavedRatio}`);
    console.log(`overlay, first use (lists + parses 500 notes): ${figures.overlayFirstMedianMs} ms median -> ratio ${figures.overlayFirstRatio}`);
    console.log(`  fastest-run ratios: saved ${figures.overlayFastestRatio}, unsaved ${figures.overlayUnsavedFastestRatio}, first use ${figures.overlayFirstFastestRatio} (plain fastest ${figures.plainBlameFastestMs} ms)`);
    const verdict = (ratio: number) => (ratio <= figures.budgetRatio ? 'within' : 'OVER');
    console.log(`  ${aiLines} committed AI lines found (model: ${expectedAi}); budget ratio ${figures.budgetRatio}: saved ${verdict(figures.overlayRatio)}, unsaved ${verdict(figures.overlayUnsavedRatio)}, first use ${verdict(figures.overlayFirstRatio)}`);
    recordBenchResults('blame', figures);
  } finally {
    rmSync(history.dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

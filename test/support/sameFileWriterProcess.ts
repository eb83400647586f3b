// One of two writers of the same file's working state at once (test/unit/git/concurrentWriters.test.ts),
// run as its own process from a bundle (bundleForNode):
//   node sameFileWriter.cjs <repo> <file> <name> <parity> <minRounds>
// As an editor window does: it keeps its own spans, adds one AI span per round on its own lines (even
// or odd by `parity`), saves them all, and adopts what the store merged when the other writer had
// saved meanwhile. It prints 'ready', starts on 'go' (stdin), and stops after `minRounds` rounds once
// its saved state holds a span of the other writer (so the two surely overlapped), at most MAX_ROUNDS.
// Prints one JSON line: the ids it added, how many saves merged, the rounds it made.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributedSpan } from '../../src/core/attribution';
import { silentLogger } from '../../src/core/logger';
import { sha256Hex } from '../../src/core/textHash';
import { GitRunner } from '../../src/git/gitRunner';
import { DEFAULT_FILE_LOCK_OPTIONS } from '../../src/git/workingState/fileLock';
import { WorkingStateStore } from '../../src/git/workingStateStore';

export const SAME_FILE_MAX_ROUNDS = 500;

export interface SameFileWriterLog {
  readonly name: string;
  readonly added: readonly string[];
  readonly merges: number;
  readonly rounds: number;
  readonly sawOther: boolean;
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    let input = '';
    process.stdin.on('data', (chunk: Buffer) => {
      input += chunk.toString();
      if (input.includes('go\n')) resolve();
    });
  });
}

async function main(): Promise<void> {
  const [repo, file, name, parityText, minRoundsText] = process.argv.slice(2);
  const parity = Number(parityText);
  const minRounds = Number(minRoundsText);
  // A long lock wait: on a machine at load ~40 the other writer can hold the lock for seconds while it
  // is descheduled, past the editor's 5 s (the full unit run timed out there once); what is tested is the merge.
  const store = await WorkingStateStore.open(new GitRunner(), repo, silentLogger, { lock: { ...DEFAULT_FILE_LOCK_OPTIONS, maxWaitMs: 60_000 } });
  const text = readFileSync(path.join(repo, file), 'utf8');
  const lineStarts = [0];
  for (let index = text.indexOf('\n'); index >= 0 && index + 1 < text.length; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  if (lineStarts.length < 2 * SAME_FILE_MAX_ROUNDS) throw new Error(`${file} needs ${2 * SAME_FILE_MAX_ROUNDS} lines`);
  process.stdout.write('ready\n');
  await waitForGo();
  const loaded = await store.loadForText(file, text);
  let spans: readonly AttributedSpan[] = loaded?.spans ?? [];
  let base = loaded?.base;
  const added: string[] = [];
  let merges = 0;
  let sawOther = false;
  let round = 0;
  while (round < SAME_FILE_MAX_ROUNDS && !(round >= minRounds && sawOther)) {
    const line = parity + 2 * round;
    const start = lineStarts[line];
    const end = lineStarts[line + 1] - 1;
    const span: AttributedSpan = {
      id: `${name}-${round}`,
      start,
      end,
      origin: { kind: 'inline', tool: `tool-${name}` },
      confidence: 'high',
      insertedAt: Date.now(),
      insertedTextHash: sha256Hex(text.slice(start, end)),
      insertedLength: end - start,
      humanChangedChars: 0,
    };
    added.push(span.id);
    // Sorted by offset, as a ledger hands them over.
    const result = await store.save(file, [...spans, span].sort((a, b) => a.start - b.start), text, { base });
    base = result.base;
    // What the store wrote is this writer's state from now on (the editor adopts a merge the same way).
    spans = result.document.spans;
    if (result.merged) merges++;
    if (spans.some((item) => !item.id.startsWith(`${name}-`))) sawOther = true;
    round++;
  }
  const log: SameFileWriterLog = { name, added, merges, rounds: round, sawOther };
  process.stdout.write(`${JSON.stringify(log)}\n`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(String(error instanceof Error ? error.stack : error));
    process.exit(3);
  });
}

import * as assert from 'node:assert/strict';
import { bundleForNode } from '../../support/cliProcess';
import { countFault } from '../../support/faultFigures';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributedSpan } from '../../../src/core/attribution';
import type { Logger } from '../../../src/core/logger';
import { GitRunner } from '../../../src/git/gitRunner';
import { WorkingStateStore } from '../../../src/git/workingStateStore';

const projectRoot = path.resolve(__dirname, '../../..');
const RUNS_PER_REPOSITORY = 10;
const REPOSITORIES = 3;

/**
 * What the writer stores at each generation, so a reader can tell a complete write from a torn
 * one. Shared with the child as source text.
 */
function spansForGeneration(generation: number): AttributedSpan[] {
  const count = 50 + (generation % 7) * 150;
  return Array.from({ length: count }, (_, i) => ({
    id: `g${generation}-s${i}`,
    start: i * 10,
    end: i * 10 + 5,
    origin: { kind: 'agent' as const, tool: 'crash-test', model: `gen-${generation}` },
    confidence: 'high' as const,
    insertedAt: generation,
    insertedTextHash: 'f'.repeat(64),
    insertedLength: 5,
    humanChangedChars: 0,
  }));
}

const TEXT = 'x'.repeat(9) + '\n';
const TEXT_REPEAT = 2000;

const childSource = (): string => `
import { GitRunner } from ${JSON.stringify(path.join(projectRoot, 'src/git/gitRunner'))};
import { WorkingStateStore } from ${JSON.stringify(path.join(projectRoot, 'src/git/workingStateStore'))};
import { silentLogger } from ${JSON.stringify(path.join(projectRoot, 'src/core/logger'))};
${spansForGeneration.toString()}
const text = ${JSON.stringify(TEXT)}.repeat(${TEXT_REPEAT});
async function main(): Promise<void> {
  const store = await WorkingStateStore.open(new GitRunner(), process.argv[2], silentLogger, { lock: { staleAfterMs: 100, maxWaitMs: 20000 } });
  let announced = false;
  for (;;) {
    // The writer replaces what it read: that version is the base of its save.
    const current = await store.loadForText('a.txt', text);
    await store.save('a.txt', spansForGeneration((current?.document.generation ?? 0) + 1), text, { base: current?.base });
    if (!announced) {
      process.stdout.write('writing\\n');
      announced = true;
    }
  }
}
main().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(3);
});
`;

class CollectingLogger implements Logger {
  readonly problems: string[] = [];
  trace(): void {}
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.problems.push(message);
  }
  error(message: string | Error): void {
    this.problems.push(String(message));
  }
}

/** Starts the writer, waits until it is writing, kills it with SIGKILL after a random delay. */
function runAndKill(script: string, repository: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, repository], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', () => {
      if (killed) return;
      killed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

describe('WorkingStateStore crash safety', function () {
  this.timeout(120_000);
  const git = new GitRunner();
  let dir: string;

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-crash-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`a writer killed with SIGKILL mid-write leaves the old or the new state (${RUNS_PER_REPOSITORY * REPOSITORIES} kills)`, async () => {
    const source = path.join(dir, 'writer.ts');
    writeFileSync(source, childSource());
    const script = await bundleForNode(source, path.join(dir, 'writer.cjs'));
    const expectedText = TEXT.repeat(TEXT_REPEAT);
    const lanes = Array.from({ length: REPOSITORIES }, async (_, lane) => {
      const repository = path.join(dir, `repo${lane}`);
      await git.run(['init', '-q', repository], { cwd: dir });
      let lastGeneration = 0;
      const generations: number[] = [];
      for (let run = 0; run < RUNS_PER_REPOSITORY; run++) {
        await runAndKill(script, repository, Math.floor(Math.random() * 60));
        const logger = new CollectingLogger();
        const store = await WorkingStateStore.open(git, repository, logger);
        const documents = await store.loadAll();
        assert.deepEqual(logger.problems, [], 'no state file was set aside');
        assert.equal(documents.length, 1);
        const [document] = documents;
        assert.ok(document.generation >= lastGeneration, `generation went back from ${lastGeneration} to ${document.generation}`);
        assert.deepEqual(document.spans, spansForGeneration(document.generation));
        assert.equal(await store.readText(document), expectedText);
        const names = readdirSync(store.stateDirectory);
        assert.ok(!names.some((name) => /\.(corrupt|future|stale)-/.test(name)), names.join(', '));
        countFault('working-state writer killed (SIGKILL)', { survived: true });
        lastGeneration = document.generation;
        generations.push(document.generation);
      }
      return generations;
    });
    const perLane = await Promise.all(lanes);
    // The kills must have landed while the writers were busy, not after they had settled: most
    // runs of a repository end at a generation of their own. (Counted per repository, because
    // every repository starts again at generation 1.)
    const distinct = perLane.reduce((sum, generations) => sum + new Set(generations).size, 0);
    const total = perLane.reduce((sum, generations) => sum + generations.length, 0);
    assert.ok(distinct > total / 2, `generations per repository: ${perLane.map((generations) => generations.join(',')).join(' | ')}`);
  });
});

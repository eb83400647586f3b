import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, statSync, watch, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleForNode } from '../../support/cliProcess';
import { countFault } from '../../support/faultFigures';
import { createRepository } from './checkReviewHelpers';

const projectRoot = path.resolve(__dirname, '../../..');
const BLOCKS = 40;
const BODY = `${'const filler = "0123456789abcdefghijklmnopqrstuvwxyz0123456789";\n'.repeat(90_000)}`;
const KILLS = 14;

/** The file after `removed` rejections: the first `removed` AI lines are gone, the rest stays. */
function contentAfter(removed: number): string {
  let head = '';
  for (let block = removed; block < BLOCKS; block++) head += `ai-${block} generated line\n`;
  return head + BODY;
}

/** Marks the first AI line and rejects it, again and again, through the real CLI code. */
const childSource = (): string => `
import { readFileSync } from 'node:fs';
import { runCli } from ${JSON.stringify(path.join(projectRoot, 'src/cli/cli'))};
const [cwd, file] = process.argv.slice(2);
const io = { cwd, stdout: () => undefined, stderr: (text: string) => process.stderr.write(text) };
async function main(): Promise<void> {
  let announced = false;
  for (;;) {
    const lines = readFileSync(file, 'utf8').split('\\n');
    const index = lines.findIndex((line) => line.startsWith('ai-'));
    if (index < 0) return;
    await runCli(['mark', file, '--lines', String(index + 1), '--tool', 'crash-agent'], io);
    if (!announced) {
      process.stdout.write('rejecting\\n');
      announced = true;
    }
    await runCli(['review', file, '--lines', String(index + 1), '--intent', 'not wanted', '--reject'], io);
  }
}
main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exit(3);
});
`;

/**
 * Runs the child and kills it with SIGKILL: either at the `nth` change the file system reports in
 * the file's directory (the write itself: truncation, temporary file, rename), or after `delayMs`.
 */
function runAndKill(script: string, dir: string, file: string, when: { nth: number } | { delayMs: number }): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, file], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let events = 0;
    const watcher = watch(dir, (_event, name) => {
      if (!name || !name.startsWith(path.basename(file))) return;
      if ('nth' in when && ++events === when.nth) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => {
      if ('delayMs' in when) setTimeout(() => child.kill('SIGKILL'), when.delayMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      watcher.close();
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

describe('vouch review --reject crash safety', function () {
  this.timeout(300_000);

  it(`a rejection killed with SIGKILL at any point leaves the old or the new file, never an empty or partial one (${KILLS} kills)`, async () => {
    const { dir, remove } = await createRepository('vouch-reject-crash-', { 'big.txt': contentAfter(0) });
    try {
      const file = path.join(dir, 'big.txt');
      chmodSync(file, 0o640);
      const source = path.join(dir, 'child.ts');
      writeFileSync(source, childSource());
      const script = await bundleForNode(source, path.join(dir, 'child.cjs'));
      const valid = new Map(Array.from({ length: BLOCKS + 1 }, (_, removed) => [contentAfter(removed).length, removed]));
      let removed = 0;
      for (let run = 0; run < KILLS; run++) {
        // Most kills land inside the write (the 1st-3rd file event); the rest at a random moment.
        const when = run % 3 === 2 ? { delayMs: Math.floor(Math.random() * 1500) } : { nth: 1 + (run % 4) };
        const outcome = await runAndKill(script, dir, file, when);
        const text = readFileSync(file, 'utf8');
        const after = valid.get(text.length);
        const intact = after !== undefined && text === contentAfter(after) && after >= removed;
        countFault('review --reject killed (SIGKILL)', { survived: intact, lost: intact ? 0 : 1 });
        assert.ok(intact, `run ${run} (${JSON.stringify(when)}, ${outcome}): the file has ${text.length} bytes, neither the old nor a new content`);
        assert.equal(statSync(file).mode & 0o777, 0o640, 'the file keeps its mode');
        removed = after;
        if (outcome === 'finished') break;
      }
      assert.ok(removed > 0 && removed < BLOCKS, `the kills fell during the rejections (${removed} of ${BLOCKS} removed)`);
      const leftovers = readdirSync(dir).filter((name) => name !== '.git' && name !== 'big.txt' && name !== 'child.ts' && name !== 'child.cjs' && !name.startsWith('big.txt.tmp-'));
      assert.deepEqual(leftovers, []);
    } finally {
      remove();
    }
  });
});

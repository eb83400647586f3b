import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeStreamedJson, type JsonElementStream } from '../../../src/cli/streamedJson';
import { jsonOutput } from '../../../src/core/text/displayText';
import { vouch } from '../../support/cliRun';
import { runCli } from '../../../src/cli/cli';
import type { VerifyResultJson } from '../../../src/cli/commands/verify';
import { TestRepo, nextDateEnv } from '../../support/testRepo';

/** A sequence given to the writer as a stream; the reference model is the plain array. */
class ElementStream implements JsonElementStream {
  constructor(readonly elements: readonly unknown[]) {}
  *jsonElements(): Iterable<unknown> {
    yield* this.elements;
  }
}

/** Values with streams in them, and the same values with plain arrays in their place. */
const streamedValue = fc.letrec<{ value: [unknown, unknown] }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }).map((value) => [value, value] as [unknown, unknown]),
    fc.constantFrom('\u009b2J', 'a\u202eb', 'x ##vso[y', '##[error]', '\u{e0100}').map((text) => [text, text] as [unknown, unknown]),
    fc.constantFrom<[unknown, unknown]>([undefined, undefined], [new Date(0), new Date(0)], [() => 1, () => 1]),
    fc.array(tie('value'), { maxLength: 4 }).map((pairs) => [new ElementStream(pairs.map((pair) => pair[0])), pairs.map((pair) => pair[1])] as [unknown, unknown]),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('k\u200b##[')).filter((key) => key !== '__proto__'), tie('value'), { maxKeys: 4 }).map((entries) => {
      const streamed: Record<string, unknown> = {};
      const plain: Record<string, unknown> = {};
      for (const [key, [a, b]] of Object.entries(entries)) {
        streamed[key] = a;
        plain[key] = b;
      }
      return [streamed, plain] as [unknown, unknown];
    }),
  ),
})).value;

async function streamed(value: unknown): Promise<{ text: string; pieces: string[] }> {
  const pieces: string[] = [];
  await writeStreamedJson(value, (piece) => pieces.push(piece));
  return { text: pieces.join(''), pieces };
}

describe('streamed JSON output', function () {
  this.timeout(60_000);

  it('writes exactly the text of jsonOutput (without its newline), streams written as arrays', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 6 }).filter((key) => key !== '__proto__'), streamedValue, { maxKeys: 5 }).map((entries) => {
          const streamedRoot: Record<string, unknown> = {};
          const plainRoot: Record<string, unknown> = {};
          for (const [key, [a, b]] of Object.entries(entries)) {
            streamedRoot[key] = a;
            plainRoot[key] = b;
          }
          return [streamedRoot, plainRoot] as const;
        }),
        async ([value, reference]) => {
          assert.equal(`${(await streamed(value)).text}\n`, jsonOutput(reference));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes the elements as they come, in bounded pieces, waiting for the reader between pieces', async () => {
    const total = 20_000;
    let produced = 0;
    let writtenWhileProducing = 0;
    const elements = {
      *jsonElements() {
        for (let index = 0; index < total; index++) {
          produced++;
          yield { commit: index.toString(16).padStart(40, '0'), records: 0, problems: [] };
        }
      },
    };
    const pieces: number[] = [];
    let waits = 0;
    await writeStreamedJson(
      { ok: true, commits: elements, problems: [] },
      (piece) => {
        pieces.push(piece.length);
        if (produced < total) writtenWhileProducing++;
      },
      async () => {
        waits++;
        // Nothing more is made while the reader has not taken the last piece.
        const before = produced;
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(produced, before);
      },
    );
    assert.equal(waits, pieces.length - 1, 'a wait after every full piece');
    assert.ok(writtenWhileProducing > 10, `pieces written before the last element was made: ${writtenWhileProducing}`);
    assert.ok(Math.max(...pieces) < 2 * 65_536, `largest piece ${Math.max(...pieces)} characters`);
  });

  it('vouch verify --json writes a long range in pieces and the JSON is exact', async () => {
    const repo = await TestRepo.create();
    try {
      // 1,500 commits without notes (fast-import): the range's JSON is ~300 KB.
      const commits = 1_500;
      const date = nextDateEnv().GIT_COMMITTER_DATE;
      let stream = '';
      for (let index = 0; index < commits; index++) {
        stream += `commit refs/heads/main\nmark :${index + 1}\ncommitter Test <test@example.com> ${date.slice(1)}\ndata 2\nc\n${index > 0 ? `from :${index}\n` : ''}M 644 inline f.txt\ndata ${String(index).length}\n${index}\n`;
      }
      await repo.git(['fast-import', '--quiet'], {}, stream);
      const pieces: string[] = [];
      const code = await runCli(['verify', '--json', '--max-commits', '2000', 'main~1499..main'], { cwd: repo.dir, stdout: (text) => pieces.push(text), stderr: () => undefined });
      assert.equal(code, 0);
      const text = pieces.join('');
      const parsed = JSON.parse(text) as VerifyResultJson;
      assert.equal(parsed.commits.length, commits - 1);
      assert.deepEqual(Object.keys(parsed), ['ok', 'range', 'requireSigned', 'commits', 'problems']);
      assert.ok(Math.max(...pieces.map((piece) => piece.length)) < 2 * 65_536, 'the output came in pieces, not as one string');
      // The same text jsonOutput gives for the parsed result (layout and order unchanged).
      assert.equal(text, jsonOutput(parsed));
      const plain = await vouch(repo.dir, 'verify', '--max-commits', '2000', 'main~1499..main');
      assert.equal(plain.code, 0, plain.stderr);
    } finally {
      repo.cleanup();
    }
  });
});

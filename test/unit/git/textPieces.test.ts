import * as assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributedSpan } from '../../../src/core/attribution';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner } from '../../../src/git/gitRunner';
import { TextChangedError, stringPieces, type TextPieces } from '../../../src/git/textPieces';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { spanAt } from '../../support/spans';

const git = new GitRunner();

function span(id: string, start: number, end: number): AttributedSpan {
  return spanAt(id, start, end, { origin: { kind: 'agent', tool: 'claude-code' }, insertedAt: 1000, insertedTextHash: 'd'.repeat(64) });
}

/** TextPieces of `text` in pieces of `size` that record what was read, and when. */
function recordingPieces(text: string, size: number, options: { key?: string; changeAfter?: number } = {}): TextPieces & { read: number; wholeCalls: number } {
  const result = {
    length: text.length,
    key: options.key,
    read: 0,
    wholeCalls: 0,
    async *pieces() {
      for (let start = 0; start < text.length; start += size) {
        if (options.changeAfter !== undefined && start >= options.changeAfter) throw new TextChangedError('the test document');
        result.read++;
        yield text.slice(start, start + size);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    whole() {
      result.wholeCalls++;
      return Promise.resolve(text);
    },
  };
  return result;
}

describe('texts given in pieces (a big editor document is never taken whole)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(async () => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-pieces-')));
    await git.run(['init', '-q'], { cwd: dir });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('git reads its standard input a piece at a time, as the pieces come', async () => {
    const pieces = ['first piece, ', 'ü and 😀, ', 'x'.repeat(300_000)];
    let produced = 0;
    async function* input() {
      for (const piece of pieces) {
        produced++;
        yield piece;
      }
    }
    const result = await git.run(['hash-object', '--stdin'], { cwd: dir, input: input() });
    const expected = await git.run(['hash-object', '--stdin'], { cwd: dir, input: pieces.join('') });
    assert.equal(result.stdout, expected.stdout);
    assert.equal(produced, pieces.length);
  });

  it('a piece reader that fails stops git and the run fails with its error', async () => {
    async function* input() {
      yield 'some text';
      throw new TextChangedError('the test document');
    }
    await assert.rejects(git.run(['hash-object', '-w', '--stdin'], { cwd: dir, input: input() }), TextChangedError);
  });

  it('saves spans over a text in pieces exactly as over the string, without taking the whole text', async () => {
    const text = 'line of the document\n'.repeat(50_000);
    const spans = [span('a', 21, 42), span('b', 500_000, 500_021)];
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    const pieces = recordingPieces(text, 65_536, { key: 'doc@1' });
    const saved = await store.save('big.txt', spans, pieces);
    assert.equal(pieces.wholeCalls, 0, 'no merge, so the whole text was never asked for');
    assert.equal(pieces.read, Math.ceil(text.length / 65_536));
    assert.equal(saved.document.textSha256, sha256Hex(text));
    assert.equal(saved.document.textLength, text.length);
    assert.equal(await store.readText(saved.document), text);
    // The same key again (new spans, same text): nothing is read.
    const again = recordingPieces(text, 65_536, { key: 'doc@1' });
    const second = await store.save('big.txt', [spans[0]], again);
    assert.equal(again.read, 0);
    assert.equal(second.document.textBlob, saved.document.textBlob);
    // And a string save of the same text names the same blob.
    const byString = await (await WorkingStateStore.open(git, dir, silentLogger)).save('other.txt', spans, text);
    assert.equal(byString.document.textBlob, saved.document.textBlob);
  });

  it('a text that changes while it is read saves nothing, and says so', async () => {
    const text = 'abc\n'.repeat(100_000);
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    await store.save('doc.txt', [span('a', 0, 3)], stringPieces(text));
    const before = await store.load('doc.txt');
    await assert.rejects(store.save('doc.txt', [span('a', 0, 3), span('b', 4, 7)], recordingPieces(text, 50_000, { changeAfter: 200_000 })), TextChangedError);
    assert.deepEqual(await store.load('doc.txt'), before);
  });

  it('merges with another writer from the whole text, read once', async () => {
    const text = 'shared line\n'.repeat(1_000);
    const ours = await WorkingStateStore.open(git, dir, silentLogger);
    const theirs = await WorkingStateStore.open(git, dir, silentLogger);
    const first = await ours.save('doc.txt', [span('ours-1', 0, 11)], stringPieces(text));
    const read = await theirs.loadForText('doc.txt', text);
    await theirs.save('doc.txt', [span('ours-1', 0, 11), span('theirs', 12, 23)], text, { base: read?.base });
    const pieces = recordingPieces(text, 4_096, { key: 'doc@2' });
    const merged = await ours.save('doc.txt', [span('ours-1', 0, 11), span('ours-2', 24, 35)], pieces, { base: first.base });
    assert.equal(merged.merged, true);
    assert.equal(pieces.wholeCalls, 1);
    assert.deepEqual(
      merged.document.spans.map((item) => item.id),
      ['ours-1', 'theirs', 'ours-2'],
    );
  });
});

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import {
  MAX_INTENT_LENGTH,
  blockId,
  buildFileBlocks,
  buildReviewBlocks,
  countReviewBlocks,
  buildReviewFiles,
  createReview,
  nextBlockStartLine,
  rejectionRemovals,
  reviewBlocks,
  spanReviewStatus,
  validateReviewRequest,
  wholeLineRemovals,
  type ReviewRequest,
} from '../../../src/core/review/reviewModel';
import { applyRemovals } from '../../../src/git/replaceFileText';
import { deriveLineAttribution, groupAiLines } from '../../../src/core/ledger/lineAttribution';
import { sha256Hex } from '../../../src/core/textHash';
import { aiSpanOver } from '../../support/spans';

const reviewer = { name: 'Ada Lovelace', email: 'ada@example.com' };
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);

function span(id: string, text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(text, piece, { id, insertedAt: 1000, ...extra });
}

function request(overrides: Partial<ReviewRequest> = {}): ReviewRequest {
  return { decision: 'accepted', intent: 'Parse the config file', scope: ['files'], reviewer, now: NOW, ...overrides };
}

describe('review model: blocks', () => {
  const text = ['line one', 'const a = fetch(u);', 'const b = 2;', 'human line', '', 'const c = 3;', 'end'].join('\n');

  it('groups touching spans on contiguous lines into one block with 1-based lines, code and origin', () => {
    const spans = [
      span('s1', text, 'const a = fetch(u);\n'),
      span('s2', text, 'const b = 2;', { origin: { kind: 'chat', tool: 'claude-code', model: 'opus' }, insertedAt: 2000 }),
      span('s3', text, 'const c = 3;'),
    ];
    const blocks = buildReviewBlocks({ path: 'src/a.ts', text, spans });
    assert.equal(blocks.length, 2);
    const [first, second] = blocks;
    assert.deepEqual(first.spanIds, ['s1', 's2']);
    assert.equal(first.startLine, 2);
    assert.equal(first.endLine, 3);
    assert.deepEqual(first.lines, ['const a = fetch(u);', 'const b = 2;']);
    assert.equal(first.textHash, sha256Hex('const a = fetch(u);\nconst b = 2;'));
    assert.deepEqual(first.origins, [
      { kind: 'inline', tool: 'github-copilot' },
      { kind: 'chat', tool: 'claude-code', model: 'opus' },
    ]);
    assert.equal(first.firstInsertedAt, 1000);
    assert.equal(first.lastInsertedAt, 2000);
    assert.deepEqual(first.riskHints, [{ category: 'network', evidenceMessage: 'fetch()', evidenceArgs: [], message: 'Network access: fetch()', evidence: 'fetch()', line: 1 }]);
    assert.deepEqual(first.suggestedScope, ['network']);
    assert.equal(first.spans[1].textHash, sha256Hex('const b = 2;'));
    assert.deepEqual(second.spanIds, ['s3']);
    assert.equal(second.startLine, 6);
    assert.equal(first.id, blockId('src/a.ts', ['s2', 's1']));
    assert.notEqual(first.id, second.id);
  });

  it('builds (and counts) the same blocks needing review as buildFileBlocks filtered by state (property)', () => {
    const lines = ['const a = fetch(u);', '', 'const b = 2;', 'exec(cmd)', '  x', 'end'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...lines), { minLength: 1, maxLength: 12 }),
        fc.array(fc.record({ at: fc.nat(), length: fc.integer({ min: 1, max: 30 }), review: fc.constantFrom('none', 'accepted', 'changed', 'rejected'), insertedAt: fc.constantFrom(1000, 2000) }), { maxLength: 6 }),
        (textLines, wanted) => {
          const text = textLines.join('\n');
          const spans: AttributedSpan[] = [];
          let cursor = 0;
          wanted.forEach((want, index) => {
            const start = cursor + (want.at % 7);
            const end = Math.min(text.length, start + want.length);
            if (end <= start) return;
            cursor = end;
            const piece = text.slice(start, end);
            const reviewed = createReview({ ...request({ decision: want.review === 'rejected' ? 'rejected' : 'accepted' }), text: want.review === 'changed' ? `${piece}!` : piece });
            assert.ok(reviewed.ok);
            spans.push({ ...aiSpanOver(text, piece, { id: `s${index}`, insertedAt: want.insertedAt }), start, end, ...(want.review === 'none' ? {} : { review: reviewed.value }) });
          });
          const input = { path: 'a.ts', text, spans };
          const needingReview = buildReviewBlocks(input);
          assert.deepEqual(
            needingReview,
            buildFileBlocks(input).filter((block) => block.state !== 'accepted'),
          );
          assert.equal(countReviewBlocks(input), needingReview.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves out accepted spans and keeps rejected spans whose text is back', () => {
    const accepted = createReview({ ...request(), text: 'const b = 2;' });
    const rejected = createReview({ ...request({ decision: 'rejected' }), text: 'const c = 3;' });
    assert.ok(accepted.ok && rejected.ok);
    const spans = [span('s2', text, 'const b = 2;', { review: accepted.value }), span('s3', text, 'const c = 3;', { review: rejected.value })];
    const blocks = buildReviewBlocks({ path: 'a.ts', text, spans });
    assert.deepEqual(
      blocks.map((b) => [b.spanIds, b.previouslyRejected]),
      [[['s3'], true]],
    );
  });

  it('weights the human-changed share by inserted length', () => {
    const spans = [
      span('s1', text, 'const a = fetch(u);', { insertedLength: 30, humanChangedChars: 15 }),
      span('s2', text, 'const b = 2;', { insertedLength: 10, humanChangedChars: 0 }),
    ];
    const [block] = buildReviewBlocks({ path: 'a.ts', text, spans });
    assert.equal(block.humanChangedShare, 15 / 40);
  });

  it('shows a whitespace-only span only inside a block, as the gutter and notes do, and clamps spans past the end', () => {
    const t = 'a\n\nb';
    const blank: AttributedSpan = { ...span('w', t, '\n'), start: 1, end: 2 };
    const past: AttributedSpan = { ...span('p', t, 'b'), end: 99 };
    const blocks = buildReviewBlocks({ path: 'x.txt', text: t, spans: [blank, past] });
    assert.deepEqual(
      blocks.map((b) => [b.startLine, b.endLine, b.lines, b.spanIds]),
      [[3, 3, ['b'], ['p']]],
    );
    const inside = 'x = 1   \ny = 2\n';
    const top = span('top', inside, 'x = 1');
    const gap = span('gap', inside, '   \n');
    const bottom = span('bottom', inside, 'y = 2');
    const [block, ...rest] = buildReviewBlocks({ path: 'y.py', text: inside, spans: [bottom, gap, top] });
    assert.deepEqual(rest, []);
    assert.deepEqual([block.startLine, block.endLine, block.spanIds], [1, 2, ['top', 'gap', 'bottom']], 'whitespace between AI lines is reviewed with them');
  });

  it('makes one block per AI insertion: marks a blank line (or a typed line break) apart are two blocks', () => {
    const t = ['// person', 'const a = 1;', '', 'const b = 2;', 'const c = 3;', '// end'].join('\n');
    const a = span('a', t, 'const a = 1;', { insertedAt: 1000 });
    const b = span('b', t, 'const b = 2;', { insertedAt: 2000 });
    const c = span('c', t, 'const c = 3;', { insertedAt: 3000 });
    assert.deepEqual(
      buildReviewBlocks({ path: 'a.ts', text: t, spans: [a, b, c] }).map((block) => [block.startLine, block.endLine, block.spanIds]),
      [
        [2, 2, ['a']],
        [4, 4, ['b']],
        [5, 5, ['c']],
      ],
    );
    // The blocks of separate insertions can be decided separately, with their own scopes.
    const blocks = buildReviewBlocks({ path: 'a.ts', text: t, spans: [a, b, c] });
    const reviews = reviewBlocks(blocks, [{ blockId: blocks[1].id, textHash: blocks[1].textHash }], request({ scope: ['network'] }));
    assert.ok(reviews.ok);
    assert.deepEqual(reviews.value.map((entry) => entry.spanId), ['b']);
  });

  it('keeps one insertion one block: a span a person split, and the spans of one AI edit across a blank line', () => {
    const t = ['function f() {', '  return 1;', '', '  // typed', '}'].join('\n');
    const left = span('left', t, 'function f() {\n  return 1;\n', { insertedAt: 5000 });
    const right = span('right', t, '}', { insertedAt: 5000 });
    // "  // typed" is a person's line between the two parts: two runs of AI lines, as before.
    assert.deepEqual(
      buildReviewBlocks({ path: 'f.ts', text: t, spans: [left, right] }).map((block) => [block.startLine, block.endLine]),
      [
        [1, 2],
        [5, 5],
      ],
    );
    const u = ['const x = 1;', '', 'const y = 2;'].join('\n');
    const x = span('x', u, 'const x = 1;', { insertedAt: 7000 });
    const y = span('y', u, 'const y = 2;', { insertedAt: 7000 });
    assert.deepEqual(
      buildReviewBlocks({ path: 'u.ts', text: u, spans: [x, y] }).map((block) => [block.startLine, block.endLine, block.spanIds]),
      [[1, 3, ['x', 'y']]],
    );
  });

  it('keeps a line whole: insertions sharing a line, or nested in another, are one block', () => {
    const t = ['const a = f(1) + g(2);', 'const b = 3;', 'const c = 4;'].join('\n');
    const outer = span('outer', t, 'const a = f(1)', { insertedAt: 1 });
    const inner = span('inner', t, ' + g(2);\n', { insertedAt: 2 });
    const tail = span('tail', t, 'const b = 3;', { insertedAt: 1 });
    const last = span('last', t, 'const c = 4;', { insertedAt: 9 });
    assert.deepEqual(
      buildReviewBlocks({ path: 'n.ts', text: t, spans: [outer, inner, tail, last] }).map((block) => [block.startLine, block.endLine, block.spanIds]),
      [
        [1, 2, ['outer', 'inner', 'tail']],
        [3, 3, ['last']],
      ],
    );
  });

  it('draws its lines from the ledger line rule (deriveLineAttribution + groupAiLines) for one insertion', () => {
    const t = ['human', 'ai one', '', 'ai two', 'mixed ai', 'human', '   ', 'ai three'].join('\n');
    const spans = [span('a', t, 'ai one'), span('b', t, 'ai two\nmixed'), span('c', t, 'ai three')];
    const expected = groupAiLines(deriveLineAttribution(t, spans)).map((b) => [b.startLine + 1, b.endLine + 1]);
    assert.deepEqual(
      buildReviewBlocks({ path: 'z.txt', text: t, spans }).map((b) => [b.startLine, b.endLine]),
      expected,
    );
    assert.deepEqual(expected, [[2, 5], [8, 8]]);
  });

  it('keeps CRLF out of the lines but inside the hash of the exact text', () => {
    const t = 'x\r\nconst y = 1;\r\nconst z = 2;\r\n';
    const [block] = buildReviewBlocks({ path: 'a.ts', text: t, spans: [span('s', t, 'const y = 1;\r\nconst z = 2;')] });
    assert.deepEqual(block.lines, ['const y = 1;', 'const z = 2;']);
    assert.equal(block.textHash, sha256Hex('const y = 1;\r\nconst z = 2;\r'));
  });

  it('lists only files with blocks, sorted by path', () => {
    const files = buildReviewFiles([
      { path: 'b.ts', text, spans: [span('s1', text, 'const b = 2;')] },
      { path: 'empty.ts', text, spans: [] },
      { path: 'a.ts', text, spans: [span('s2', text, 'end')] },
    ]);
    assert.deepEqual(
      files.map((f) => f.path),
      ['a.ts', 'b.ts'],
    );
  });

  it('knows the manifest section from the text before the block', () => {
    const manifest = '{\n  "name": "x",\n  "dependencies": {\n    "left-pad": "^1.3.0"\n  }\n}\n';
    const [block] = buildReviewBlocks({ path: 'package.json', text: manifest, spans: [span('d', manifest, '"left-pad": "^1.3.0"')] });
    assert.deepEqual(
      block.riskHints.map((h) => h.category),
      ['dependency'],
    );
  });
});

describe('review model: decisions', () => {
  it('creates a review with the hash of the exact text and a normalised request', () => {
    const result = createReview({ ...request({ intent: '  Load settings\r\nfrom disk  ', scope: ['network', 'files'], scopeNote: ' only ~/.config ' }), text: 'abc' });
    assert.ok(result.ok);
    const expected: Review = {
      decision: 'accepted',
      intent: 'Load settings\nfrom disk',
      scope: ['files', 'network'],
      scopeNote: 'only ~/.config',
      reviewer,
      reviewedAt: '2025-01-02T03:04:05.000Z',
      textHash: sha256Hex('abc'),
    };
    assert.deepEqual(result.value, expected);
  });

  const refusals: Array<[string, Partial<ReviewRequest>, RegExp]> = [
    ['empty intent', { intent: '   \n ' }, /Intent is required/],
    ['too long intent', { intent: 'x'.repeat(MAX_INTENT_LENGTH + 1) }, /too long/],
    ['control characters', { intent: 'ok\u0007' }, /control characters/],
    ['bidi override', { intent: 'ok \u202e gnp.exe' }, /bidirectional/],
    ['unknown scope', { scope: ['files', 'root'] }, /Unknown scope tag.*"root"/],
    ['none with others', { scope: ['none', 'network'] }, /"none" cannot be combined/],
    ['no scope on accept', { scope: [] }, /Scope is required/],
    ['too long scope note', { scopeNote: 'n'.repeat(501) }, /Scope note is too long/],
    ['no reviewer email', { reviewer: { name: 'A', email: ' ' } }, /name and an email/],
    ['an invisible character in the reviewer name', { reviewer: { name: 'Alice\u034f', email: 'a@example.com' } }, /must not hold control, invisible/],
    ['a control character in the reviewer email', { reviewer: { name: 'Alice', email: 'a@example.com\u001b[2K' } }, /must not hold control, invisible/],
    ['a command marker in the reviewer name', { reviewer: { name: 'Alice ##[add-mask]x', email: 'a@example.com' } }, /must not hold control, invisible/],
    ['bad time', { now: Number.NaN }, /valid time/],
    ['unknown decision', { decision: 'maybe' as never }, /Unknown decision/],
  ];
  it('finds the next AI block below a line, wrapping to the first', () => {
    const blocks = [{ startLine: 20 }, { startLine: 5 }, { startLine: 12 }];
    assert.equal(nextBlockStartLine(blocks, 1), 5);
    assert.equal(nextBlockStartLine(blocks, 5), 12, 'inside or on a block, the next one');
    assert.equal(nextBlockStartLine(blocks, 13), 20);
    assert.equal(nextBlockStartLine(blocks, 20), 5, 'wraps around');
    assert.equal(nextBlockStartLine([], 3), undefined);
  });

  it('accepts a rejection without an intent (the code is removed; asking why would only slow the reviewer)', () => {
    const result = validateReviewRequest(request({ decision: 'rejected', intent: '  ', scope: [] }));
    assert.equal(result.ok, true, result.ok ? '' : result.reason);
    assert.equal(result.ok && result.value.intent, '');
  });

  for (const [name, overrides, reason] of refusals) {
    it(`refuses ${name}`, () => {
      const result = validateReviewRequest(request(overrides));
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.reason, reason);
    });
  }

  it('lets a rejection go without scope, and keeps a signing key', () => {
    const result = validateReviewRequest(request({ decision: 'rejected', scope: [], reviewer: { ...reviewer, signingKey: ' ABC ' } }));
    assert.ok(result.ok);
    assert.deepEqual(result.value.reviewer, { ...reviewer, signingKey: 'ABC' });
  });

  it('accepts a scope note alone as the scope', () => {
    assert.ok(validateReviewRequest(request({ scope: [], scopeNote: 'reads one env var' })).ok);
  });

  const text = 'one\nconst a = 1;\nconst b = 2;\nmid\nconst c = 3;\n';
  const spans = [span('s1', text, 'const a = 1;'), span('s2', text, 'const b = 2;'), span('s3', text, 'const c = 3;')];
  const blocks = buildReviewBlocks({ path: 'a.ts', text, spans });

  it('reviews each span of the chosen blocks with that span own text hash', () => {
    const result = reviewBlocks(
      blocks,
      blocks.map((b) => ({ blockId: b.id, textHash: b.textHash })),
      request(),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((r) => [r.path, r.spanId, r.review.textHash]),
      [
        ['a.ts', 's1', sha256Hex('const a = 1;')],
        ['a.ts', 's2', sha256Hex('const b = 2;')],
        ['a.ts', 's3', sha256Hex('const c = 3;')],
      ],
    );
  });

  it('refuses a block that changed or vanished since it was shown', () => {
    const stale = reviewBlocks(blocks, [{ blockId: blocks[0].id, textHash: sha256Hex('old text') }], request());
    assert.match(stale.ok ? '' : stale.reason, /changed since it was shown/);
    const gone = reviewBlocks(blocks, [{ blockId: 'blk-nope', textHash: blocks[0].textHash }], request());
    assert.match(gone.ok ? '' : gone.reason, /no longer waiting/);
    const none = reviewBlocks(blocks, [], request());
    assert.equal(none.ok, false);
    const invalid = reviewBlocks(blocks, [{ blockId: blocks[0].id, textHash: blocks[0].textHash }], request({ intent: '' }));
    assert.equal(invalid.ok, false);
  });
});

describe('review model: status after review', () => {
  const text = 'const a = 1;\n';
  const base = span('s', text, 'const a = 1;');
  const review = createReview({ ...request(), text: 'const a = 1;' });
  assert.ok(review.ok);

  it('is unreviewed without a review', () => {
    assert.equal(spanReviewStatus(base, text), 'unreviewed');
  });

  it('is accepted while the text is the reviewed text', () => {
    assert.equal(spanReviewStatus({ ...base, review: review.value }, text), 'accepted');
  });

  it('is accepted-changed-after-review after a human edit inside the span', () => {
    const edited = 'const a = 42;\n';
    assert.equal(spanReviewStatus({ ...base, end: base.end + 1, review: review.value }, edited), 'accepted-changed-after-review');
  });

  it('is rejected-still-present for a rejected span whose text is there', () => {
    const rejected = createReview({ ...request({ decision: 'rejected', scope: [] }), text: 'const a = 1;' });
    assert.ok(rejected.ok);
    assert.equal(spanReviewStatus({ ...base, review: rejected.value }, text), 'rejected-still-present');
  });
});

describe('review model: removing rejected text', () => {
  const remove = (text: string, pieces: Array<[number, number]>) => {
    let result = text;
    for (const r of [...rejectionRemovals(text, pieces.map(([start, end]) => ({ start, end })))].reverse()) {
      result = result.slice(0, r.offset) + result.slice(r.offset + r.deletedLength);
    }
    return result;
  };
  const at = (text: string, piece: string): [number, number] => [text.indexOf(piece), text.indexOf(piece) + piece.length];

  it('takes whole lines with them, with or without the span holding the line break', () => {
    const text = 'keep\n  ai one\nai two\nkeep\n';
    assert.equal(remove(text, [at(text, 'ai one'), at(text, 'ai two')]), 'keep\nkeep\n');
    assert.equal(remove(text, [at(text, '  ai one\nai two\n')]), 'keep\nkeep\n');
    const last = 'keep\nai last';
    assert.equal(remove(last, [at(last, 'ai last')]), 'keep');
  });

  it('removes only the characters of a span inside a line', () => {
    const text = 'function add(a, b) {\n  return a + b;\n}\nnext\n';
    assert.equal(remove(text, [at(text, 'a, b) {\n  return a + b;\n}')]), 'function add(\nnext\n');
    const crlf = 'x = 1\r\nai();\r\ny = 2\r\n';
    assert.equal(remove(crlf, [at(crlf, 'ai();')]), 'x = 1\r\ny = 2\r\n');
  });

  it('says when a block shares its lines with a person\'s text, and can then remove its whole lines', () => {
    const text = '// a greeting\nfunction greet(name) {\n  return name;\n}\nnext();\n';
    const ai = span('g', text, 'name) {\n  return name;\n}');
    const [block] = buildReviewBlocks({ path: 'g.ts', text, spans: [ai] });
    assert.equal(block.personTextOnLines, true);
    assert.deepEqual([block.startLine, block.endLine], [2, 4]);
    const onlyAi = remove(text, [[ai.start, ai.end]]);
    assert.equal(onlyAi, '// a greeting\nfunction greet(\nnext();\n', 'the AI text alone leaves the half-typed line');
    assert.equal(applyRemovals(text, wholeLineRemovals(text, [block])), '// a greeting\nnext();\n');
    const whole = 'x();\ny();\n';
    const [plain] = buildReviewBlocks({ path: 'w.ts', text: whole, spans: [span('y', whole, 'y();')] });
    assert.equal(plain.personTextOnLines, false);
  });

  it('removes whole lines at the end of the file, merges touching blocks, and ignores lines past the end', () => {
    const text = 'a\nb\nc\nd';
    assert.equal(applyRemovals(text, wholeLineRemovals(text, [{ startLine: 4, endLine: 4 }])), 'a\nb\nc');
    assert.equal(applyRemovals(text, wholeLineRemovals(text, [{ startLine: 3, endLine: 3 }, { startLine: 2, endLine: 2 }])), 'a\nd');
    assert.equal(applyRemovals(text, wholeLineRemovals(text, [{ startLine: 3, endLine: 3 }, { startLine: 4, endLine: 4 }])), 'a\nb\n');
    assert.equal(applyRemovals(text, wholeLineRemovals(text, [{ startLine: 1, endLine: 4 }])), '');
    assert.deepEqual(wholeLineRemovals(text, [{ startLine: 9, endLine: 9 }]), []);
  });
});

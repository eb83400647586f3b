import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import { parseNote } from '../../../src/core/notes/noteParser';
import { buildNoteRecord, type NoteRange } from '../../../src/core/notes/noteRecord';
import { sha256Hex } from '../../../src/core/textHash';
import { mapCommittedAiLines, type BlameLine } from '../../../src/core/visibility/committedLines';
import { parseGitAiNote } from '../../../src/core/visibility/gitAiNote';
import { HOVER_COMMAND_IDS, committedHoverMarkdown, escapeMarkdownText, uncommittedHoverMarkdown } from '../../../src/core/visibility/hoverText';
import { SpanStatusCache, committedLineShownAt, computeLineMarks, uncommittedMarkAt } from '../../../src/core/visibility/lineMarks';
import { formatSummary, summarizeLineMarks } from '../../../src/core/visibility/summary';
import { english } from '../../../src/core/text/translate';
import { textAndSpans } from '../../support/spanArbitraries';
import { acceptedReview, aiSpanOver } from '../../support/spans';

function span(id: string, text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(text, piece, { id, insertedAt: Date.UTC(2026, 0, 2, 3, 4), insertedTextHash: '', ...extra });
}

function review(text: string, extra: Partial<Review> = {}): Review {
  return acceptedReview({ reviewer: { name: 'Rita Reviewer', email: 'rita@example.com' }, reviewedAt: '2026-01-03T10:00:00Z', textHash: sha256Hex(text), ...extra });
}

const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);

function noteRange(start: number, end: number, extra: Partial<NoteRange> = {}): NoteRange {
  return { start, end, sha256: '0'.repeat(64), origin: { kind: 'chat', tool: 'claude-code', model: 'opus' }, confidence: 'high', humanChangedShare: 0.25, review: null, ...extra };
}

describe('visibility: line marks', () => {
  const text = 'human one\nfunction add(a, b) {\n  return a + b;\n}\nhuman two\nconst x = ai();\n';

  it('marks exactly the AI lines, as unreviewed runs; human lines get nothing', () => {
    const spans = [span('s1', text, 'function add(a, b) {\n  return a + b;\n}')];
    const marks = computeLineMarks(text, spans);
    assert.deepEqual(marks.runs['ai-unreviewed'], [{ startLine: 1, endLine: 3 }]);
    assert.deepEqual(marks.runs['ai-accepted'], []);
    assert.deepEqual(marks.runs['ai-human-changed'], []);
    assert.deepEqual(marks.uncommitted.map((mark) => mark.line), [1, 2, 3]);
    assert.equal(uncommittedMarkAt(marks, 0), undefined);
    assert.equal(uncommittedMarkAt(marks, 2)?.state, 'ai-unreviewed');
  });

  it('accepted when the reviewed text is unchanged; human-changed when it changed after the review', () => {
    const block = 'function add(a, b) {\n  return a + b;\n}';
    const accepted = computeLineMarks(text, [span('s1', text, block, { review: review(block) })]);
    assert.deepEqual(accepted.runs['ai-accepted'], [{ startLine: 1, endLine: 3 }]);
    const changed = computeLineMarks(text, [span('s1', text, block, { review: review('function add(a, b) {\n  return a - b;\n}') })]);
    assert.deepEqual(changed.runs['ai-human-changed'], [{ startLine: 1, endLine: 3 }]);
    assert.deepEqual(changed.runs['ai-accepted'], []);
  });

  it('human-changed: humanChangedChars > 0 or human text typed inside the AI text; a prefix before AI text is not a change; a rejected span whose text is back is unreviewed', () => {
    const marks = computeLineMarks(text, [
      span('s1', text, 'function add(a, b) {', { humanChangedChars: 3 }),
      span('s2', text, 'return a + b;\n}', { review: review('x', { decision: 'rejected' }) }),
      span('s3', text, 'ai()'),
    ]);
    assert.deepEqual(marks.runs['ai-human-changed'], [{ startLine: 1, endLine: 1 }]);
    assert.deepEqual(marks.runs['ai-unreviewed'], [
      { startLine: 2, endLine: 3 },
      { startLine: 5, endLine: 5 },
    ]);
    assert.equal(uncommittedMarkAt(marks, 5)?.lineKind, 'mixed');
    // "let v = " typed by a person, then AI text, then the person typed " + 1" inside it.
    const typedInside = 'first\nlet v = compute(x) + 1 + other(y);\n';
    const inside = computeLineMarks(typedInside, [span('a', typedInside, 'compute(x)'), span('b', typedInside, ' + other(y)')]);
    assert.deepEqual(inside.runs['ai-human-changed'], [{ startLine: 1, endLine: 1 }]);
  });

  it('committed lines are marked where no uncommitted AI text is, and merge into runs', () => {
    const spans = [span('s1', text, '  return a + b;')];
    const marks = computeLineMarks(text, spans, [4, 0, 2, 1, 99, 1]);
    assert.deepEqual(marks.runs['ai-committed'], [
      { startLine: 0, endLine: 1 },
      { startLine: 4, endLine: 4 },
    ]);
    assert.deepEqual(marks.runs['ai-unreviewed'], [{ startLine: 2, endLine: 2 }]);
    assert.deepEqual(marks.committedLines, [0, 1, 4]);
  });

  it('the committed line shown at a line is the one the assembled runs show, without assembling them', () => {
    fc.assert(
      fc.property(textAndSpans, fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 30 }), ({ text, spans }, committedLines) => {
        const marks = computeLineMarks(text, spans, committedLines);
        const committed = committedLines.map((line) => ({ line }));
        for (let line = -2; line <= marks.lineCount + 2; line++) {
          assert.equal(committedLineShownAt(marks, committed, line)?.line, marks.committedLines.includes(line) ? line : undefined, `line ${line}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the status cache hashes a reviewed span again only when its text changed', () => {
    const block = 'function add(a, b) {';
    const cache = new SpanStatusCache();
    const reviewed = span('s1', text, block, { review: review(block) });
    assert.equal(cache.statusOf(reviewed, text), 'accepted');
    const edited = text.replace('add(a, b)', 'add(a, c)');
    assert.equal(cache.statusOf(reviewed, edited), 'accepted-changed-after-review');
    assert.equal(cache.statusOf(reviewed, text), 'accepted');
  });
});

describe('visibility: hover text', () => {
  const hostile = 'x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> **bold**\n# heading';

  it('shows invisible and format characters as escapes, so a look-alike name cannot pass for another', () => {
    for (const hidden of ['\u3164', '\u034f', '\ufe0f', '\u202e', '\u200b', '\u{e0041}', '\u001b']) {
      const escaped = escapeMarkdownText(`copilot${hidden}`);
      assert.notEqual(escaped, escapeMarkdownText('copilot'), JSON.stringify(hidden));
      assert.doesNotMatch(escaped, /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u, `${JSON.stringify(hidden)} is not left raw`);
    }
    assert.equal(escapeMarkdownText('two\nlines\tand tab'), 'two lines and tab');
  });

  it('escapes hostile text from spans so it cannot add links, HTML or formatting', () => {
    const escaped = escapeMarkdownText(hostile);
    assert.doesNotMatch(escaped, /\n/);
    assert.doesNotMatch(escaped, /(^|[^\\])[[\]()<>*#]/, 'every metacharacter is escaped');
    const text = 'const a = 1;';
    const markdown = uncommittedHoverMarkdown({
      documentUri: 'file:///w/a.ts',
      state: 'ai-accepted',
      mixedLine: false,
      spans: [{ span: span('s1', text, text, { origin: { kind: 'agent', tool: hostile, model: hostile }, review: review(text, { intent: hostile, scopeNote: hostile }) }), status: 'accepted' }],
      blockSpanIds: ['s1'],
    }, english);
    const commands = [...markdown.matchAll(/\]\(command:([\w.]+)/g)].map((match) => match[1]);
    assert.deepEqual(commands, ['vouch.openReviewPanel', 'vouch.acceptBlock', 'vouch.rejectBlock'], 'Review (the panel at this block), Accept, Reject: the panel is linked once');
    for (const command of commands) assert.ok(HOVER_COMMAND_IDS.includes(command));
    assert.doesNotMatch(markdown, /[^\\]<img/, 'HTML stays escaped');
  });

  it('says when no signal named the tool, with the candidates as such', () => {
    const text = 'const a = 1;';
    const markdown = (origin: { kind: 'agent'; tool: string; candidates?: string[] }) =>
      uncommittedHoverMarkdown({ documentUri: 'file:///w/a.ts', state: 'ai-unreviewed', mixedLine: false, spans: [{ span: span('s1', text, text, { origin }), status: 'unreviewed' }], blockSpanIds: ['s1'] }, english);
    assert.match(markdown({ kind: 'agent', tool: 'unknown-ai', candidates: ['github-copilot', 'tab*nine'] }), /tool \*\*unknown-ai\*\* \(no signal named it; active AI tools then: github\\-copilot, tab\\\*nine\)/);
    assert.match(markdown({ kind: 'agent', tool: 'unknown-ai' }), /tool \*\*unknown-ai\*\* \(no signal named it\)/);
    assert.doesNotMatch(markdown({ kind: 'agent', tool: 'cline' }), /no signal named it/);
  });

  it('says origin, time, human share, review and links with {uri, spanIds}', () => {
    const text = 'const a = 1;';
    const markdown = uncommittedHoverMarkdown({
      documentUri: 'file:///w/a.ts',
      state: 'ai-human-changed',
      mixedLine: true,
      spans: [{ span: span('s1', text, text, { humanChangedChars: 3, insertedLength: 12, origin: { kind: 'inline', tool: 'fake-ai', model: 'm-1' } }), status: 'unreviewed' }],
      blockSpanIds: ['s1', 's2'],
    }, english);
    assert.match(markdown, /since changed by a human/);
    assert.match(markdown, /tool \*\*fake\\-ai\*\* · inline completion · model m\\-1 · high confidence/);
    assert.match(markdown, /high confidence · 2026-01-02 03:04 UTC/);
    assert.match(markdown, /Changed by a human: 25% of the AI's characters/);
    assert.match(markdown, /Review: \*\*not reviewed\*\*/);
    assert.match(markdown, /a person also typed on this line/);
    assert.ok(markdown.split('\n').filter((line) => line.trim() !== '').length <= 6, 'short: title, origin, share, review, actions');
    const link = /\[Accept\.\.\.\]\(command:vouch\.acceptBlock\?([^ )]+)/.exec(markdown);
    assert.ok(link);
    assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), [{ uri: 'file:///w/a.ts', spanIds: ['s1', 's2'] }]);
  });

  it('a committed accepted review that does not cover the lines (reviewCovers false) says the text changed after it, and offers to approve the lines', () => {
    const line = { line: 0, commit: COMMIT_A, source: 'vouch' as const, path: 'a', originalLine: 1, origin: { tool: 'copilot' }, review: review('x') };
    const changed = committedHoverMarkdown({ ...line, reviewCovers: false }, english, 'file:///w/a');
    assert.match(changed, /Review: \*\*accepted\*\* by Rita Reviewer .* — \*\*the text changed after this review\*\*/);
    assert.match(changed, /\[Approve these AI lines…\]/);
    const covered = committedHoverMarkdown({ ...line, reviewCovers: true }, english, 'file:///w/a');
    assert.doesNotMatch(covered, /changed after/);
    assert.match(covered, /\[Approve as another reviewer…\]/);
  });

  it('committed lines name the commit, the source of the note, and the recorded review', () => {
    const markdown = committedHoverMarkdown({
      line: 3,
      commit: COMMIT_A,
      source: 'vouch',
      path: 'src/a.ts',
      originalLine: 7,
      origin: { kind: 'chat', tool: 'claude-code' },
      confidence: 'medium',
      humanChangedShare: 0.5,
      review: { ...review('x'), intent: 'parse input' },
      commitInfo: { commit: COMMIT_A, author: 'Ann', authorTime: 1_700_000_000, summary: 'Add parser' },
    }, english);
    assert.match(markdown, /earlier commit, recorded in a Vouch note/);
    assert.match(markdown, /Commit: `aaaaaaaaaaaa` “Add parser” by Ann on 2023-11-14 22:13 UTC/);
    assert.match(markdown, /Review: \*\*accepted\*\* by Rita Reviewer \\<rita\\@example\\.com\\>/);
    assert.match(markdown, /Intent: parse input/);
    assert.doesNotMatch(markdown, /AI wrote/);
    const mixed = committedHoverMarkdown({ line: 0, commit: COMMIT_A, source: 'vouch', path: 'a', originalLine: 1, origin: { tool: 'github-copilot' }, aiShare: 0.2, review: null }, english);
    assert.match(mixed, /AI wrote 20% of the characters of these lines; a person wrote the rest/);
    const gitAi = committedHoverMarkdown({ line: 0, commit: COMMIT_B, source: 'git-ai', path: 'a', originalLine: 1, origin: { tool: 'cursor' } }, english);
    assert.match(gitAi, /recorded by git-ai \(refs\/notes\/ai\)/);
    assert.match(gitAi, /git-ai records no review/);
  });
});

describe('visibility: summary', () => {
  it('counts AI lines, reviewed ones (uncommitted accepted + committed accepted) and shares', () => {
    const text = 'a\nb\nc\nd\n';
    const marks = computeLineMarks(text, [span('s1', text, 'a', { review: review('a') }), span('s2', text, 'b')], [2, 3]);
    const committed = [
      { line: 2, commit: COMMIT_A, source: 'vouch' as const, path: 'f', originalLine: 1, origin: { tool: 't' }, review: review('c') },
      { line: 3, commit: COMMIT_A, source: 'vouch' as const, path: 'f', originalLine: 2, origin: { tool: 't' }, review: null },
    ];
    const summary = summarizeLineMarks(text, marks, committed);
    assert.equal(summary.totalLines, 4);
    assert.equal(summary.aiLines, 4);
    assert.equal(summary.reviewedAiLines, 2);
    assert.equal(summary.reviewedShare, 0.5);
    assert.equal(formatSummary('f.ts', summary, english), 'f.ts: 4 of 4 lines written by AI (100%); 2 of them reviewed and accepted (50%) — 1 unreviewed, 2 from earlier commits.');
  });

  it('a committed accepted review of text changed after it (reviewCovers false) is not counted as reviewed, as in vouch report', () => {
    const text = 'a\nb\n';
    const marks = computeLineMarks(text, [], [0, 1]);
    const line = { commit: COMMIT_A, source: 'vouch' as const, path: 'f', origin: { tool: 't' }, review: review('a') };
    const committed = [
      { ...line, line: 0, originalLine: 1, reviewCovers: true },
      { ...line, line: 1, originalLine: 2, reviewCovers: false },
    ];
    assert.equal(summarizeLineMarks(text, marks, committed).reviewedAiLines, 1);
  });
});

describe('visibility: committed lines from blame and notes', () => {
  const blame: BlameLine[] = [
    { finalLine: 1, commit: COMMIT_A, originalLine: 1, path: 'src/a.ts' },
    { finalLine: 2, commit: COMMIT_A, originalLine: 5, path: 'src/a.ts' },
    { finalLine: 3, commit: COMMIT_B, originalLine: 2, path: 'old/a.ts' },
    { finalLine: 4, commit: COMMIT_B, originalLine: 9, path: 'old/a.ts' },
    { finalLine: 5, commit: '0'.repeat(40), originalLine: 5, path: 'src/a.ts' },
  ];

  it('maps each blamed line through the note of its commit, at its line in that commit', () => {
    const record = buildNoteRecord({ commit: COMMIT_A, tree: COMMIT_A, patchId: null, files: [{ path: 'src/a.ts', blob: COMMIT_B, ranges: [noteRange(4, 6)] }] });
    const vouch = new Map([[COMMIT_A, parseNote(record.line)]]);
    const gitAi = parseGitAiNote('old/a.ts\n  p1 1-2,9\n---\n{"prompts":{"p1":{"agent_id":{"tool":"cursor","model":"gpt"}}}}');
    assert.ok(gitAi);
    const lines = mapCommittedAiLines(blame, vouch, new Map([[COMMIT_B, gitAi]]));
    assert.deepEqual(
      lines.map((line) => [line.line, line.source, line.origin.tool, line.originalLine]),
      [
        [1, 'vouch', 'claude-code', 5],
        [2, 'git-ai', 'cursor', 2],
        [3, 'git-ai', 'cursor', 9],
      ],
    );
    assert.equal(lines[0].humanChangedShare, 0.25);
    assert.equal(lines[0].review, null);
  });

  it('a line held by several records (a later approval) shows the accepted review, whatever the order of the records', () => {
    const approval = { decision: 'accepted' as const, intent: 'approved later', scope: ['none' as const], reviewer: { name: 'Rita', email: 'rita@example.com' }, reviewedAt: '2026-01-01T00:00:00.000Z', textHash: '0'.repeat(64) };
    const original = buildNoteRecord({ commit: COMMIT_A, tree: COMMIT_A, patchId: null, files: [{ path: 'src/a.ts', blob: COMMIT_B, ranges: [noteRange(4, 6)] }] });
    const approved = buildNoteRecord({ commit: COMMIT_A, tree: COMMIT_A, patchId: null, files: [{ path: 'src/a.ts', blob: COMMIT_B, ranges: [noteRange(4, 6, { review: approval })] }] });
    const lineOf = (note: string) => mapCommittedAiLines([{ finalLine: 5, commit: COMMIT_A, originalLine: 5, path: 'src/a.ts' }], new Map([[COMMIT_A, parseNote(note)]]))[0];
    assert.equal(lineOf(`${original.line}\n${approved.line}`).review?.intent, 'approved later');
    assert.equal(lineOf(`${approved.line}\n${original.line}`).review?.intent, 'approved later');
    const hover = committedHoverMarkdown(lineOf(`${approved.line}\n${original.line}`), english, 'file:///w/src/a.ts');
    assert.match(hover, /\[Approve as another reviewer…\]\(command:vouch\.approveCommittedLines\?/);
    const unreviewed = committedHoverMarkdown(lineOf(original.line), english, 'file:///w/src/a.ts');
    const link = /\[Approve these AI lines…\]\(command:vouch\.approveCommittedLines\?([^ )]+)/.exec(unreviewed);
    assert.deepEqual(link && JSON.parse(decodeURIComponent(link[1])), [{ uri: 'file:///w/src/a.ts', line: 4 }]);
    assert.ok(HOVER_COMMAND_IDS.includes('vouch.approveCommittedLines'));
  });

  it('git-ai notes are read best-effort and never throw on garbage', () => {
    assert.equal(parseGitAiNote(''), undefined);
    assert.equal(parseGitAiNote('{"not": "git-ai"}'), undefined);
    assert.equal(parseGitAiNote('\u0000\u0001 garbage\n   \n---\n{'), undefined);
    const note = parseGitAiNote('"a b.ts"\n  h 3-1,2,x-y,4-5\nsrc/c.ts\n  h2 7\n---\nnot json');
    assert.ok(note);
    // No metadata: the keys have no prompt here (untracked), until another note's prompt names them.
    assert.equal(note.files.size, 0);
    assert.deepEqual([...note.missingPrompts].sort(), ['h', 'h2']);
    const resolved = note.withForeignPrompts((key) => (key === 'h' ? { tool: 'cursor', keyKind: 'legacy-prompt', key } : undefined));
    assert.deepEqual(resolved.files.get('a b.ts'), [
      { start: 2, end: 2, tool: 'cursor', keyKind: 'legacy-prompt', key: 'h' },
      { start: 4, end: 5, tool: 'cursor', keyKind: 'legacy-prompt', key: 'h' },
    ]);
    assert.equal(resolved.files.get('src/c.ts'), undefined);
  });
});

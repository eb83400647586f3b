// Translation flows end to end without the editor: core's text builders and the review page are
// driven with a pseudo-locale translator (every letter of a message turned into its full-width
// form), the way the host drives them with vscode.l10n.t. What they show must then hold no plain
// ASCII word except the data put in (here written in other scripts, so it cannot hide English),
// and every message they asked for must be in l10n/bundle.l10n.json, which translators start from.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributedSpan, Review } from '../../../src/core/attribution';
import { english, type Translate } from '../../../src/core/text/translate';
import { lineRangeLabel } from '../../../src/core/text/lines';
import { RISK_CATEGORIES, RISK_EVIDENCE_MESSAGES, riskHintMessage } from '../../../src/core/review/riskHints';
import type { CommittedAiLine } from '../../../src/core/visibility/committedLines';
import { committedHoverMarkdown, uncommittedHoverMarkdown } from '../../../src/core/visibility/hoverText';
import { committedAnnotation, formatAge, uncommittedAnnotation, unreviewedBlocksTitle } from '../../../src/core/visibility/lineAnnotation';
import type { UncommittedLineMark } from '../../../src/core/visibility/lineMarks';
import { createReview, reviewBlocks, validateReviewRequest, type ReviewBlock } from '../../../src/core/review/reviewModel';
import { describeLineShare, formatLineShare, formatSummary } from '../../../src/core/visibility/summary';
import { REVIEW_PAGE_MESSAGES, translatePageMessages } from '../../../src/shared/reviewPageText';
import type { PageToHostMessage, PanelBlock } from '../../../src/shared/reviewProtocol';
import { ReviewPage } from '../../../src/webview/reviewPage';
import { aiSpanOver } from '../../support/spans';
import { FakeDocument, all, byClass, one, setChecked, type FakeElement } from '../webview/fakeDom';

const bundle: Record<string, string> = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'l10n', 'bundle.l10n.json'), 'utf8'));

/** A pseudo locale: each ASCII letter of the message (placeholders kept) becomes its full-width form, and the whole is bracketed. */
function pseudoLocale(): { readonly t: Translate; readonly asked: Set<string>; readonly translate: (message: string) => string } {
  const asked = new Set<string>();
  const translate = (message: string): string => {
    asked.add(message);
    return `⟦${message.replace(/\{\d+\}|[A-Za-z]/g, (piece) => (piece.length > 1 ? piece : String.fromCharCode(piece.charCodeAt(0) + 0xfee0)))}⟧`;
  };
  return { asked, translate, t: (message, ...args) => english(translate(message), ...args) };
}

/** ASCII words left in shown text: each is English that did not go through the translator. */
function untranslatedWords(shown: string, identifiers: readonly string[] = []): string[] {
  // Command-link targets are ids for the editor, not text.
  let rest = shown.replace(/\]\(command:[^)]*\)/g, ']()');
  for (const identifier of identifiers) rest = rest.split(identifier).join(' ');
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}

const NOW = Date.UTC(2026, 5, 10, 12, 0);
const HOUR = 3_600_000;
const COMMIT = '0123456789'.repeat(4);
const code = 'ー = 一;';

function review(extra: Partial<Review> = {}): Review {
  return { decision: 'accepted', intent: 'намерение', scope: ['none'], scopeNote: 'заметка', reviewer: { name: 'Даша', email: 'даша@пример' }, reviewedAt: new Date(NOW - 50 * HOUR).toISOString(), textHash: '0'.repeat(64), ...extra };
}

function span(id: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(code, code, { id, origin: { kind: 'agent', tool: 'ツール', model: 'модель' }, confidence: 'medium', insertedAt: NOW - 2 * HOUR, ...extra });
}

function mark(state: UncommittedLineMark['state']): UncommittedLineMark {
  return { line: 0, state, lineKind: 'mixed', spanIds: ['s1'] };
}

/** Everything core builds for the editor (hovers, annotations, CodeLens, summary, AI share, line labels, risk hint categories), through `t`. */
function coreTexts(t: Translate): string[] {
  const spans = [
    { span: span('s1', { humanChangedChars: 2, review: review() }), status: 'accepted-changed-after-review' as const },
    { span: span('s2', { review: review({ decision: 'rejected' }) }), status: 'rejected-still-present' as const },
    { span: span('s3', { origin: { kind: 'inline', tool: 'ツール' }, confidence: 'high' }), status: 'unreviewed' as const },
    { span: span('s4', { origin: { kind: 'external-write', tool: 'ツール' }, confidence: 'low' }), status: 'unreviewed' as const },
  ];
  const committed: CommittedAiLine = {
    line: 3,
    commit: COMMIT,
    source: 'vouch',
    path: '源/文件',
    originalLine: 7,
    origin: { kind: 'chat', tool: 'ツール' },
    confidence: 'medium',
    humanChangedShare: 0.004,
    aiShare: 0.5,
    review: review(),
    commitInfo: { commit: COMMIT, author: 'Аня', authorTime: 1_700_000_000, summary: 'сводка' },
    record: { id: 'r', signatures: 1, start: 7, end: 7 },
  };
  const gitAi: CommittedAiLine = {
    line: 4,
    commit: COMMIT,
    source: 'git-ai',
    path: '源/文件',
    originalLine: 8,
    origin: { tool: 'ツール' },
    gitAi: { keyKind: 'session', key: 'ключ', humanAuthor: 'Аня' },
  };
  const summary = {
    totalLines: 10,
    aiLines: 6,
    uncommittedAiLines: 4,
    committedAiLines: 2,
    reviewedAiLines: 1,
    linesByState: { 'ai-unreviewed': 2, 'ai-accepted': 1, 'ai-human-changed': 1, 'ai-committed': 2 },
    aiShare: 0.6,
    reviewedShare: 1 / 6,
  };
  const texts = [
    uncommittedHoverMarkdown({ documentUri: 'file:///源', state: 'ai-human-changed', mixedLine: true, spans, blockSpanIds: ['s1'] }, t),
    uncommittedHoverMarkdown({ documentUri: 'file:///源', state: 'ai-unreviewed', mixedLine: false, spans: spans.slice(2), blockSpanIds: ['s3'] }, t),
    uncommittedHoverMarkdown({ documentUri: 'file:///源', state: 'ai-accepted', mixedLine: false, spans: spans.slice(0, 1), blockSpanIds: ['s1'] }, t),
    committedHoverMarkdown(committed, t, 'file:///源'),
    committedHoverMarkdown({ ...committed, review: null, record: { id: 'r', signatures: 0, start: 7, end: 7 } }, t, 'file:///源'),
    committedHoverMarkdown(gitAi, t),
    committedHoverMarkdown({ ...gitAi, gitAi: { keyKind: 'legacy-prompt', key: 'ключ' } }, t),
    uncommittedAnnotation({ mark: mark('ai-unreviewed'), spans: spans.slice(2), now: NOW }, t),
    uncommittedAnnotation({ mark: mark('ai-accepted'), spans: spans.slice(0, 1), now: NOW }, t),
    uncommittedAnnotation({ mark: mark('ai-accepted'), spans: spans.slice(2), now: NOW }, t),
    uncommittedAnnotation({ mark: mark('ai-human-changed'), spans, now: NOW }, t),
    uncommittedAnnotation({ mark: mark('ai-human-changed'), spans: spans.slice(2), now: NOW }, t),
    uncommittedAnnotation({ mark: mark('ai-unreviewed'), spans: [], now: NOW }, t),
    committedAnnotation(committed, NOW, t),
    committedAnnotation(gitAi, NOW, t),
    unreviewedBlocksTitle(1, t),
    unreviewedBlocksTitle(3, t),
    formatSummary('源/文件', summary, t),
    formatSummary('源/文件', { ...summary, aiLines: 0 }, t),
    formatLineShare({ totalLines: 1000, aiLines: 3, reviewedAiLines: 1 }, t),
    formatLineShare({ totalLines: 10, aiLines: 0, reviewedAiLines: 0 }, t),
    describeLineShare({ totalLines: 10, aiLines: 3, reviewedAiLines: 1 }, t),
    lineRangeLabel({ startLine: 3, endLine: 3 }, t),
    lineRangeLabel({ startLine: 3, endLine: 9 }, t),
  ];
  // The category is translated; the evidence after it is what the detector found (here data).
  // The category and what was found are translated; the code the evidence names (here 'ー') is data.
  for (const category of RISK_CATEGORIES) texts.push(riskHintMessage({ category, evidenceMessage: '{0}()', evidenceArgs: ['ー'] }, t));
  for (const evidenceMessage of RISK_EVIDENCE_MESSAGES) texts.push(riskHintMessage({ category: 'secret', evidenceMessage, evidenceArgs: ['ー'] }, t));
  for (const age of [10_000, 5 * 60_000, 3 * HOUR, 49 * HOUR, 65 * 24 * HOUR, 800 * 24 * HOUR]) texts.push(formatAge(NOW - age, NOW, t) ?? '');
  // Why a decision was refused (the panel's error under a card, the editor's error message).
  const reviewer = { name: 'Даша', email: 'даша@пример' };
  const decision = { decision: 'accepted' as const, intent: 'намерение', scope: ['none'], reviewer, now: NOW };
  const refusals = [
    validateReviewRequest({ ...decision, intent: '' }, t),
    validateReviewRequest({ ...decision, intent: 'я'.repeat(5_000) }, t),
    validateReviewRequest({ ...decision, intent: 'я\u0007' }, t),
    validateReviewRequest({ ...decision, scopeNote: 'я\u202e' }, t),
    validateReviewRequest({ ...decision, scopeNote: 'я'.repeat(5_000) }, t),
    validateReviewRequest({ ...decision, scope: [] }, t),
    validateReviewRequest({ ...decision, scope: 'none' as unknown as string[] }, t),
    validateReviewRequest({ ...decision, scope: ['none', 'network'] }, t),
    validateReviewRequest({ ...decision, reviewer: { name: '', email: '' } }, t),
    validateReviewRequest({ ...decision, now: Number.NaN }, t),
    validateReviewRequest({ ...decision, decision: 'решено' as unknown as 'accepted' }, t),
    validateReviewRequest({ ...decision, intent: 42 as unknown as string }, t),
    createReview({ ...decision, text: undefined as unknown as string }, t),
    reviewBlocks([], [], decision, t),
    reviewBlocks([], [{ blockId: 'b1', textHash: 'h' }], decision, t),
    reviewBlocks([{ id: 'b1', textHash: 'other', path: '源/文件', startLine: 3, endLine: 4, spans: [] } as unknown as ReviewBlock], [{ blockId: 'b1', textHash: 'h' }], decision, t),
  ];
  for (const refusal of refusals) texts.push(refusal.ok ? 'the request was taken, not refused' : refusal.reason);
  return texts;
}

function block(id: string, startLine: number, extra: Partial<PanelBlock> = {}): PanelBlock {
  return {
    id,
    path: '源/文件',
    startLine,
    endLine: startLine,
    lines: [code],
    textHash: `hash-${id}`,
    origins: [{ kind: 'agent', tool: 'ツール', model: 'модель' }],
    firstInsertedAt: NOW - 3 * HOUR,
    lastInsertedAt: NOW - 3 * HOUR,
    humanChangedShare: 0,
    riskHints: [],
    suggestedScope: [],
    previouslyRejected: false,
    ...extra,
  };
}

/** The page's every kind of text: header, blocks of each state, the group form, an error, busy, and undo; all its text, labels and placeholders collected. */
function pageTexts(strings: unknown): { texts: string[]; posted: PageToHostMessage[] } {
  const document = new FakeDocument();
  const posted: PageToHostMessage[] = [];
  const page = new ReviewPage(document, document.root, { postMessage: (message) => posted.push(message), getState: () => undefined, setState: () => undefined }, () => NOW);
  const texts: string[] = [];
  const collect = (): void => {
    texts.push(document.root.textContent);
    for (const element of all(document.root, () => true)) {
      for (const name of ['aria-label', 'placeholder']) {
        const value = element.getAttribute(name);
        if (value !== null) texts.push(value);
      }
    }
  };
  page.start();
  page.receive(strings);
  collect();
  page.receive({
    type: 'state',
    files: [
      {
        path: '源/文件',
        blocks: [
          block('a', 4, {
            endLine: 5,
            lines: [code, code],
            firstInsertedAt: NOW - 30 * HOUR,
            lastInsertedAt: NOW - 90_000,
            humanChangedShare: 0.25,
            riskHints: [{ category: 'network', message: 'сеть', line: 1 }],
            suggestedScope: ['network'],
            previouslyRejected: true,
            changedAfterReview: true,
            personTextOnLines: true,
            replacedLines: [code],
          }),
          block('b', 9, { humanChangedShare: 0.001, replacedLines: [code, code], firstInsertedAt: NOW - 60 * HOUR, lastInsertedAt: NOW - 60 * HOUR }),
        ],
      },
      { path: '源/二', blocks: [block('c', 1, { path: '源/二', firstInsertedAt: NOW - 50 * 60_000, lastInsertedAt: NOW - 50 * 60_000 })] },
    ],
    reviewer: { name: 'Даша', email: 'даша@пример' },
    signing: { signed: false, reason: 'причина' },
  });
  collect();
  const root = document.root as FakeElement;
  setChecked(byClass(root, 'vouch-scope-network')[0], false);
  setChecked(byClass(root, 'vouch-scope-files')[0], true);
  byClass(root, 'vouch-accept-file')[0].dispatch('click');
  collect();
  byClass(root, 'vouch-accept').at(-1)?.dispatch('click');
  collect();
  page.receive({ type: 'state', files: [], reviewer: null, signing: { signed: true, key: 'ключ' } });
  page.receive({ type: 'busy', busy: true });
  collect();
  page.receive({ type: 'notice', level: 'info', message: 'принято', undoId: 'u1' });
  collect();
  one(root, 'vouch-undo').dispatch('click');
  collect();
  return { texts, posted };
}

describe('l10n: core texts and the review page take their words from the translator', () => {
  it('core builders show no English of their own under a pseudo locale, and every message they use is in the bundle', () => {
    const { t, asked } = pseudoLocale();
    const texts = coreTexts(t);
    // Scope tags are identifiers (the same in notes and on the command line); the CLI command is a command.
    const leftOver = texts.flatMap((text) => untranslatedWords(text, ['none', '`vouch verify --allowed-signers`']).map((word) => `${word} in ${JSON.stringify(text.slice(0, 120))}`));
    assert.deepEqual(leftOver, []);
    assert.ok(asked.size > 60, `the builders asked for ${asked.size} messages`);
    assert.deepEqual([...asked].filter((message) => !(message in bundle)), [], 'run node scripts/l10n.mjs to add them to l10n/bundle.l10n.json');
    // And the English the CLI and tests get is the message itself.
    assert.equal(unreviewedBlocksTitle(3, english), '3 AI blocks unreviewed');
  });

  it('the review page shows the strings the host sent (validated by the protocol), and nothing in English besides', () => {
    const { translate } = pseudoLocale();
    const { texts, posted } = pageTexts({ type: 'strings', strings: translatePageMessages(translate) });
    assert.deepEqual(posted.filter((message) => message.type === 'pageError'), [], 'the strings message was accepted');
    // Origin kinds are shown as recorded, as identifiers (inline, agent, chat).
    const leftOver = texts.flatMap((text) => untranslatedWords(text, ['agent']).map((word) => `${word} in ${JSON.stringify(text.slice(0, 160))}`));
    assert.deepEqual(leftOver, []);
    assert.ok(texts.some((text) => text.includes(translate('Review AI changes'))));
    assert.deepEqual(REVIEW_PAGE_MESSAGES.filter((message) => !(message in bundle)), [], 'run node scripts/l10n.mjs to add them to l10n/bundle.l10n.json');
  });

  it('without strings, or with strings that fail validation, the page stays in English and says why', () => {
    const { translate } = pseudoLocale();
    const bad = { ...translatePageMessages(translate), 'Accept {0}': 'Accept {0} {1}' };
    for (const strings of [undefined, bad, { ...translatePageMessages(translate), Accept: 7 }]) {
      const { texts, posted } = pageTexts(strings === undefined ? { type: 'busy', busy: false } : { type: 'strings', strings });
      assert.ok(texts.some((text) => text.includes('Review AI changes')), 'English');
      assert.ok(texts.every((text) => !text.includes('⟦')), 'no translated text was taken');
      if (strings !== undefined) assert.match(posted.find((message) => message.type === 'pageError')?.reason ?? '', /message\.strings\["Accept( \{0\})?"\]/);
    }
  });
});

/**
 * The hover of an AI line, as Markdown. Everything that comes from spans or notes is hostile input
 * (a note can be written by anyone with push access): it is flattened to one line, shortened, and
 * every Markdown/HTML metacharacter is escaped, so it can neither inject links nor command URIs.
 * The only links are the command links built here, to the ids in HOVER_COMMAND_IDS.
 */
import { humanChangedShare, UNKNOWN_AI_TOOL, type AttributedSpan, type Confidence, type OriginKind, type Review } from '../attribution';
import type { NoteReview } from '../notes/noteRecord';
import type { SpanReviewStatus } from '../review/reviewModel';
import type { CommittedAiLine } from './committedLines';
import type { LineMarkState } from './lineMarks';
import type { Translate } from '../text/translate';
import { escapeDisplay } from '../text/displayText';

export const REVIEW_PANEL_COMMAND = 'vouch.openReviewPanel';
export const ACCEPT_BLOCK_COMMAND = 'vouch.acceptBlock';
export const REJECT_BLOCK_COMMAND = 'vouch.rejectBlock';
export const APPROVE_COMMITTED_COMMAND = 'vouch.approveCommittedLines';
/** The commands a hover may run: the host trusts exactly these (MarkdownString enabledCommands). */
export const HOVER_COMMAND_IDS: readonly string[] = [REVIEW_PANEL_COMMAND, ACCEPT_BLOCK_COMMAND, REJECT_BLOCK_COMMAND, APPROVE_COMMITTED_COMMAND];

/** Arguments of the committed-line hover command: the document and the hovered line (0-based). */
export interface CommittedLineCommandArgs {
  readonly uri: string;
  readonly line: number;
}

/** Arguments of every hover command: the document and the spans of the hovered line's block. */
export interface BlockCommandArgs {
  readonly uri: string;
  readonly spanIds: readonly string[];
}

/** What a mark means, in the user's language (a function per state: `t` gets literal messages). */
const STATE_LABELS: Readonly<Record<LineMarkState, (t: Translate) => string>> = {
  'ai-unreviewed': (t) => t('AI-written, not reviewed'),
  'ai-accepted': (t) => t('AI-written, accepted by a reviewer'),
  'ai-human-changed': (t) => t('AI-written, since changed by a human'),
  'ai-committed': (t) => t('AI-written in an earlier commit'),
};

const KIND_LABELS: Readonly<Record<OriginKind, (t: Translate) => string>> = {
  inline: (t) => t('inline completion'),
  'inline-partial': (t) => t('inline completion (partly accepted)'),
  'next-edit': (t) => t('next-edit suggestion'),
  chat: (t) => t('chat edit'),
  agent: (t) => t('agent edit'),
  'external-write': (t) => t('file rewritten outside the editor'),
  manual: (t) => t('marked as AI by hand'),
  api: (t) => t('reported by an extension'),
};

const CONFIDENCE_LABELS: Readonly<Record<Confidence, (t: Translate) => string>> = {
  high: (t) => t('high confidence'),
  medium: (t) => t('medium confidence'),
  low: (t) => t('low confidence'),
};

export function stateLabel(state: LineMarkState, t: Translate): string {
  return STATE_LABELS[state](t);
}

const MAX_SHOWN_TEXT = 300;
const MAX_SHOWN_SPANS = 3;

/** Escapes text for Markdown: one line, bounded, every ASCII punctuation that Markdown or HTML reads escaped. */
export function escapeMarkdownText(value: unknown, maxLength = MAX_SHOWN_TEXT): string {
  let text = typeof value === 'string' ? value : String(value);
  // Line breaks and tabs would break the layout; every other control, format or invisible
  // character (bidi overrides, U+3164, variation selectors) is shown as an escape, as in the CLI,
  // so text cannot disguise itself or pass for another name.
  text = escapeDisplay(text.replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, ' '));
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~&"'$:=^%@/]/g, (char) => `\\${char}`);
}

/**
 * Where on a line Vouch's hover answers: the indentation and the first character (next to the
 * gutter mark), and the end of the line (where the current-line annotation is). Elsewhere the
 * line's code keeps the language's own hover to itself. Columns are 0-based, end exclusive.
 */
export function hoverAnchorColumns(lineText: string, character: number): { readonly start: number; readonly end: number } | undefined {
  const firstNonBlank = lineText.search(/\S/);
  const startEnd = firstNonBlank < 0 ? lineText.length : firstNonBlank + 1;
  if (character <= startEnd) return { start: 0, end: startEnd };
  if (character >= lineText.length) return { start: lineText.length, end: lineText.length };
  return undefined;
}

/** `2026-05-01 14:03 UTC`, or "unknown time" for a value that is not a time. */
export function formatTime(value: number | string | undefined, t: Translate): string {
  if (value === undefined) return t('unknown time');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return t('unknown time');
  return t('{0} UTC', date.toISOString().slice(0, 16).replace('T', ' '));
}

export function formatShare(share: number, t: Translate): string {
  if (!Number.isFinite(share) || share <= 0) return t('{0}%', 0);
  const percent = share * 100;
  return percent < 1 ? t('<1%') : t('{0}%', Math.round(percent));
}

function commandLink(label: string, command: string, args: BlockCommandArgs | CommittedLineCommandArgs): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify([args]))} "${label}")`;
}

function originLine(origin: { readonly kind?: OriginKind; readonly tool: string; readonly model?: string; readonly candidates?: readonly string[] }, confidence: Confidence | undefined, t: Translate): string {
  // Unknown is said as such: the candidates were active, none is claimed.
  const tool =
    origin.tool === UNKNOWN_AI_TOOL
      ? origin.candidates && origin.candidates.length > 0
        ? t('tool **{0}** (no signal named it; active AI tools then: {1})', UNKNOWN_AI_TOOL, origin.candidates.slice(0, 5).map((name) => escapeMarkdownText(name, 200)).join(', '))
        : t('tool **{0}** (no signal named it)', UNKNOWN_AI_TOOL)
      : t('tool **{0}**', escapeMarkdownText(origin.tool, 200));
  const parts = [tool];
  // A kind or confidence from a newer note is shown as recorded.
  if (origin.kind) parts.push(escapeMarkdownText(Object.hasOwn(KIND_LABELS, origin.kind) ? KIND_LABELS[origin.kind](t) : origin.kind));
  if (origin.model) parts.push(t('model {0}', escapeMarkdownText(origin.model, 200)));
  if (confidence) parts.push(Object.hasOwn(CONFIDENCE_LABELS, confidence) ? CONFIDENCE_LABELS[confidence](t) : t('{0} confidence', escapeMarkdownText(confidence)));
  return t('Origin: {0}', parts.join(' · '));
}

/**
 * Whether the review of a committed range is signed. A record `vouch reconcile` carried counts
 * through the record it was carried from, never through its own signature (core/notes/carryChain.ts).
 */
function recordSignatureLine(record: NonNullable<CommittedAiLine['record']>, t: Translate): string {
  if (record.carryProblem !== undefined) return t('Record: carried by {0}, but its origin does not check out ({1}): the review is **not signed**', '`vouch reconcile`', escapeMarkdownText(record.carryProblem, 300));
  if (record.carriedFrom !== undefined) {
    const from = `\`${record.carriedFrom.slice(0, 12)}\``;
    return record.signatures > 0
      ? t('Record: carried by {0} from {1}; the review is signed there, not verified here ({2} checks it)', '`vouch reconcile`', from, '`vouch verify --allowed-signers`')
      : t('Record: carried by {0} from {1}, where the review is **unsigned**', '`vouch reconcile`', from);
  }
  return record.signatures > 0 ? t('Record: signature present, not verified here ({0}; {1} checks it)', record.signatures, '`vouch verify --allowed-signers`') : t('Record: **unsigned**');
}

function reviewLine(review: Review | NoteReview | null | undefined, t: Translate, status?: SpanReviewStatus): string {
  if (!review) return t('Review: **not reviewed**');
  const who = `${escapeMarkdownText(review.reviewer.name, 200)} \\<${escapeMarkdownText(review.reviewer.email, 200)}\\>`;
  const when = formatTime(review.reviewedAt, t);
  const decided = review.decision === 'accepted' ? t('Review: **accepted** by {0} on {1}', who, when) : t('Review: **rejected** by {0} on {1}', who, when);
  const after =
    status === 'accepted-changed-after-review'
      ? t(' — **the text changed after this review**')
      : status === 'rejected-still-present'
        ? t(' — **the rejected text is back; it needs a new decision**')
        : '';
  const scope = review.scope.length > 0 ? review.scope.map((tag) => escapeMarkdownText(tag)).join(', ') : t('not stated');
  const scopeNote = review.scopeNote ? ` (${escapeMarkdownText(review.scopeNote)})` : '';
  return [`${decided}${after}`, t('Intent: {0}', escapeMarkdownText(review.intent)), t('Scope: {0}', `${scope}${scopeNote}`)].join('  \n');
}

/** How the hover explains "changed by a human", so people know what the share measures. */
export function humanChangedExplanation(t: Translate): string {
  return t('share of the characters the AI inserted that a person has since replaced or deleted');
}

/** The short form of one span: origin and time on one line, the human share only when there is one, then the review. */
function spanSection(span: AttributedSpan, status: SpanReviewStatus, t: Translate): string {
  const share = humanChangedShare(span);
  const lines = [`${originLine(span.origin, span.confidence, t)} · ${formatTime(span.insertedAt, t)}`];
  if (share > 0) lines.push(t("Changed by a human: {0} of the AI's characters", formatShare(share, t)));
  lines.push(reviewLine(span.review, t, status));
  return lines.join('  \n');
}

export interface UncommittedHoverInput {
  readonly documentUri: string;
  readonly state: Exclude<LineMarkState, 'ai-committed'>;
  /** The hovered line mixes human and AI characters. */
  readonly mixedLine: boolean;
  /** The spans on the hovered line with their review status. */
  readonly spans: ReadonlyArray<{ readonly span: AttributedSpan; readonly status: SpanReviewStatus }>;
  /** The spans of the whole block around the line: what the command links act on. */
  readonly blockSpanIds: readonly string[];
}

/** The hover of an uncommitted AI line: what it is, where it came from, its review, and one line of actions. */
export function uncommittedHoverMarkdown(input: UncommittedHoverInput, t: Translate): string {
  const title = input.mixedLine ? t('**Vouch** · {0} (a person also typed on this line)', stateLabel(input.state, t)) : t('**Vouch** · {0}', stateLabel(input.state, t));
  const sections = [title];
  for (const { span, status } of input.spans.slice(0, MAX_SHOWN_SPANS)) sections.push(spanSection(span, status, t));
  if (input.spans.length > MAX_SHOWN_SPANS) sections.push(t('and {0} more AI span(s) on this line', input.spans.length - MAX_SHOWN_SPANS));
  const args: BlockCommandArgs = { uri: input.documentUri, spanIds: input.blockSpanIds };
  // "Review" opens the panel at this block: the one way to it (it used to be there twice).
  const links = [commandLink(t('Review'), REVIEW_PANEL_COMMAND, args), commandLink(t('Accept...'), ACCEPT_BLOCK_COMMAND, args), commandLink(t('Reject'), REJECT_BLOCK_COMMAND, args)];
  sections.push(links.join(' · '));
  return sections.join('\n\n');
}

/** `documentUri`: with it, a Vouch-recorded line gets the link that approves it (a forgotten review, or a second approver). */
export function committedHoverMarkdown(line: CommittedAiLine, t: Translate, documentUri?: string): string {
  const source = line.source === 'vouch' ? t('recorded in a Vouch note (refs/notes/vouch)') : t('recorded by git-ai (refs/notes/ai)');
  const info = line.commitInfo;
  const commitParts = [t('Commit: {0}', `\`${line.commit.slice(0, 12)}\``)];
  if (info?.summary) commitParts.push(`“${escapeMarkdownText(info.summary, 120)}”`);
  if (info?.author) commitParts.push(t('by {0}', escapeMarkdownText(info.author, 200)));
  if (info?.authorTime !== undefined) commitParts.push(t('on {0}', formatTime(info.authorTime * 1000, t)));
  const details = [
    originLine(line.origin, line.confidence, t),
    commitParts.join(' '),
    t('Line {0} of {1} in that commit', line.originalLine, escapeMarkdownText(line.path, 500)),
  ];
  if (line.gitAi) {
    const session = escapeMarkdownText(line.gitAi.conversationId ?? line.gitAi.key, 200);
    details.push(line.gitAi.keyKind === 'session' ? t('Session: {0} (git-ai session)', session) : t('Session: {0} (git-ai legacy prompt)', session));
    if (line.gitAi.humanAuthor) details.push(t('Directed by: {0}', escapeMarkdownText(line.gitAi.humanAuthor, 200)));
  }
  if (line.aiShare !== undefined && line.aiShare < 1) details.push(t('AI wrote {0} of the characters of these lines; a person wrote the rest', formatShare(line.aiShare, t)));
  if (line.humanChangedShare !== undefined) details.push(t('Changed by a human before the commit: {0} ({1})', formatShare(line.humanChangedShare, t), humanChangedExplanation(t)));
  // An accepted review of text changed after it (reviewCovers false, vouch verify's reviewed-text-differs) says so.
  details.push(line.review === undefined ? t('Review: git-ai records no review') : reviewLine(line.review, t, line.reviewCovers === false ? 'accepted-changed-after-review' : undefined));
  if (line.record) details.push(recordSignatureLine(line.record, t));
  const parts = [t('**Vouch** · {0}, {1}', stateLabel('ai-committed', t), source), details.join('  \n')];
  if (documentUri !== undefined && line.source === 'vouch') {
    const label = line.review?.decision === 'accepted' && line.reviewCovers !== false ? t('Approve as another reviewer…') : t('Approve these AI lines…');
    parts.push(commandLink(label, APPROVE_COMMITTED_COMMAND, { uri: documentUri, line: line.line }));
  }
  return parts.join('\n\n---\n\n');
}

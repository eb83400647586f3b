/** Figures of "Vouch: Show Attribution Summary" for one file, from its line marks. Pure. */
import type { CommittedAiLine } from './committedLines';
import type { LineMarks, LineMarkState } from './lineMarks';
import type { Translate } from '../text/translate';

export interface AttributionSummary {
  /** Lines of the file (a final empty line after a trailing newline does not count). */
  readonly totalLines: number;
  readonly aiLines: number;
  readonly uncommittedAiLines: number;
  readonly committedAiLines: number;
  /** AI lines a reviewer accepted: uncommitted accepted lines, and committed lines whose note records an accepted review of them (not of text changed after it: reviewCovers). */
  readonly reviewedAiLines: number;
  readonly linesByState: Readonly<Record<LineMarkState, number>>;
  /** 0..1 */
  readonly aiShare: number;
  /** 0..1, of the AI lines. */
  readonly reviewedShare: number;
}

export function summarizeLineMarks(text: string, marks: LineMarks, committed: readonly CommittedAiLine[]): AttributionSummary {
  const totalLines = text.length === 0 ? 0 : text.endsWith('\n') ? marks.lineCount - 1 : marks.lineCount;
  const linesByState: Record<LineMarkState, number> = { 'ai-unreviewed': 0, 'ai-accepted': 0, 'ai-human-changed': 0, 'ai-committed': 0 };
  for (const mark of marks.uncommitted) linesByState[mark.state]++;
  linesByState['ai-committed'] = marks.committedLines.length;
  const shown = new Set(marks.committedLines);
  let reviewedCommitted = 0;
  for (const line of committed) if (shown.has(line.line) && line.review?.decision === 'accepted' && line.reviewCovers !== false) reviewedCommitted++;
  const uncommittedAiLines = marks.uncommitted.length;
  const committedAiLines = marks.committedLines.length;
  const aiLines = uncommittedAiLines + committedAiLines;
  const reviewedAiLines = linesByState['ai-accepted'] + reviewedCommitted;
  return {
    totalLines,
    aiLines,
    uncommittedAiLines,
    committedAiLines,
    reviewedAiLines,
    linesByState,
    aiShare: totalLines > 0 ? Math.min(1, aiLines / totalLines) : 0,
    reviewedShare: aiLines > 0 ? reviewedAiLines / aiLines : 0,
  };
}

function percent(share: number, t: Translate): string {
  return t('{0}%', Math.round(share * 100));
}

/** One sentence for a notification. `path` is shown as given (the caller passes a workspace-relative path). */
export function formatSummary(path: string, summary: AttributionSummary, t: Translate): string {
  if (summary.aiLines === 0) return t('{0}: no AI lines ({1} lines).', path, summary.totalLines);
  const parts = [
    t('{0}: {1} of {2} lines written by AI ({3})', path, summary.aiLines, summary.totalLines, percent(summary.aiShare, t)),
    t('{0} of them reviewed and accepted ({1})', summary.reviewedAiLines, percent(summary.reviewedShare, t)),
  ];
  const details: string[] = [];
  if (summary.linesByState['ai-unreviewed'] > 0) details.push(t('{0} unreviewed', summary.linesByState['ai-unreviewed']));
  if (summary.linesByState['ai-human-changed'] > 0) details.push(t('{0} changed by a human', summary.linesByState['ai-human-changed']));
  if (summary.committedAiLines > 0) details.push(t('{0} from earlier commits', summary.committedAiLines));
  const sentence = parts.join('; ');
  return details.length > 0 ? t('{0} — {1}.', sentence, details.join(', ')) : t('{0}.', sentence);
}

/** Lines of a file or a repository, and how many of them AI wrote and a reviewer accepted: what the AI Share view adds up. */
export interface LineShare {
  readonly totalLines: number;
  readonly aiLines: number;
  readonly reviewedAiLines: number;
}

export function addShares(shares: Iterable<LineShare>): LineShare {
  let totalLines = 0;
  let aiLines = 0;
  let reviewedAiLines = 0;
  for (const share of shares) {
    totalLines += share.totalLines;
    aiLines += share.aiLines;
    reviewedAiLines += share.reviewedAiLines;
  }
  return { totalLines, aiLines, reviewedAiLines };
}

/** `30% AI · 50% of it reviewed` (shares rounded down below 1% shown as `<1%`). */
export function formatLineShare(share: LineShare, t: Translate): string {
  if (share.aiLines === 0) return t('no AI lines ({0} lines)', share.totalLines);
  const part = (count: number, of: number) => {
    if (of <= 0 || count <= 0) return t('{0}%', 0);
    const value = (count / of) * 100;
    return value < 1 ? t('<1%') : t('{0}%', Math.round(value));
  };
  return t('{0} AI · {1} of it reviewed', part(share.aiLines, Math.max(share.totalLines, share.aiLines)), part(share.reviewedAiLines, share.aiLines));
}

/** The tooltip and screen-reader text: the counts behind the shares. */
export function describeLineShare(share: LineShare, t: Translate): string {
  return t('{0} of {1} lines written by AI; {2} of those reviewed and accepted', share.aiLines, share.totalLines, share.reviewedAiLines);
}

/** Figures of "Vouch: Show Attribution Summary" for one file, from its line marks. Pure. */
import type { CommittedAiLine } from './committedLines';
import type { LineMarks, LineMarkState } from './lineMarks';

export interface AttributionSummary {
  /** Lines of the file (a final empty line after a trailing newline does not count). */
  readonly totalLines: number;
  readonly aiLines: number;
  readonly uncommittedAiLines: number;
  readonly committedAiLines: number;
  /** AI lines a reviewer accepted: uncommitted accepted lines, and committed lines whose note records an accepted review. */
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
  for (const line of committed) if (shown.has(line.line) && line.review?.decision === 'accepted') reviewedCommitted++;
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

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** One sentence for a notification. `path` is shown as given (the caller passes a workspace-relative path). */
export function formatSummary(path: string, summary: AttributionSummary): string {
  if (summary.aiLines === 0) return `${path}: no AI lines (${summary.totalLines} lines).`;
  const parts = [
    `${path}: ${summary.aiLines} of ${summary.totalLines} lines written by AI (${percent(summary.aiShare)})`,
    `${summary.reviewedAiLines} of them reviewed and accepted (${percent(summary.reviewedShare)})`,
  ];
  const details: string[] = [];
  if (summary.linesByState['ai-unreviewed'] > 0) details.push(`${summary.linesByState['ai-unreviewed']} unreviewed`);
  if (summary.linesByState['ai-human-changed'] > 0) details.push(`${summary.linesByState['ai-human-changed']} changed by a human`);
  if (summary.committedAiLines > 0) details.push(`${summary.committedAiLines} from earlier commits`);
  return `${parts.join('; ')}${details.length > 0 ? ` — ${details.join(', ')}` : ''}.`;
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
export function formatLineShare(share: LineShare): string {
  if (share.aiLines === 0) return `no AI lines (${share.totalLines} lines)`;
  const part = (count: number, of: number) => {
    if (of <= 0 || count <= 0) return '0%';
    const value = (count / of) * 100;
    return value < 1 ? '<1%' : `${Math.round(value)}%`;
  };
  return `${part(share.aiLines, Math.max(share.totalLines, share.aiLines))} AI · ${part(share.reviewedAiLines, share.aiLines)} of it reviewed`;
}

/** The tooltip and screen-reader text: the counts behind the shares. */
export function describeLineShare(share: LineShare): string {
  return `${share.aiLines} of ${share.totalLines} lines written by AI; ${share.reviewedAiLines} of those reviewed and accepted`;
}

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

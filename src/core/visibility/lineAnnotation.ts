/**
 * The current-line annotation (as GitLens shows blame at the end of the cursor's line) and the
 * file's CodeLens title. Plain text: the editor shows it as CSS content, so names from spans and
 * notes (hostile) go through `escapeDisplay` (control and bidi characters made visible) and are
 * shortened.
 */
import { UNKNOWN_AI_TOOL, type AttributedSpan, type Review } from '../attribution';
import type { NoteReview } from '../notes/noteRecord';
import type { SpanReviewStatus } from '../review/reviewModel';
import { escapeDisplay } from '../text/displayText';
import type { CommittedAiLine } from './committedLines';
import type { UncommittedLineMark } from './lineMarks';
import type { Translate } from '../text/translate';

const MAX_NAME = 40;

function shown(value: string): string {
  const text = escapeDisplay(value.trim());
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME - 1)}…` : text;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `now`, `5m`, `3h`, `2d`, `4mo`, `1y`: how long ago `time` was, for a glance. */
export function formatAge(time: number | string | undefined, now: number, t: Translate): string | undefined {
  if (time === undefined) return undefined;
  const at = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(at)) return undefined;
  const age = Math.max(0, now - at);
  if (age < MINUTE) return t('now');
  if (age < HOUR) return t('{0}m', Math.floor(age / MINUTE));
  if (age < DAY) return t('{0}h', Math.floor(age / HOUR));
  if (age < 30 * DAY) return t('{0}d', Math.floor(age / DAY));
  if (age < 365 * DAY) return t('{0}mo', Math.floor(age / (30 * DAY)));
  return t('{0}y', Math.floor(age / (365 * DAY)));
}

function toolName(tool: string, t: Translate): string {
  return tool === UNKNOWN_AI_TOOL ? t('unknown AI tool') : shown(tool);
}

function reviewedBy(review: Review | NoteReview, now: number, t: Translate): string {
  const age = formatAge(review.reviewedAt, now, t);
  const who = shown(review.reviewer.name || review.reviewer.email);
  return age ? t('reviewed by {0} · {1}', who, age) : t('reviewed by {0}', who);
}

export interface UncommittedAnnotationInput {
  readonly mark: UncommittedLineMark;
  /** The spans of the line with their review status (first one names the tool). */
  readonly spans: ReadonlyArray<{ readonly span: AttributedSpan; readonly status: SpanReviewStatus }>;
  readonly now: number;
}

/** `AI · claude-code · unreviewed`, `AI · reviewed by Dana · 2d`, `AI · copilot · changed after review`. */
export function uncommittedAnnotation(input: UncommittedAnnotationInput, t: Translate): string {
  const first = input.spans[0];
  const tool = first ? toolName(first.span.origin.tool, t) : t('AI tool');
  switch (input.mark.state) {
    case 'ai-accepted': {
      const review = first?.span.review;
      return review ? t('AI · {0}', reviewedBy(review, input.now, t)) : t('AI · {0} · accepted', tool);
    }
    case 'ai-human-changed':
      return input.spans.some(({ status }) => status === 'accepted-changed-after-review') ? t('AI · {0} · changed after review', tool) : t('AI · {0} · changed by a person · unreviewed', tool);
    default:
      return t('AI · {0} · unreviewed', tool);
  }
}

/**
 * `AI · reviewed by Dana · 2d · 1a2b3c4`, `AI · copilot · 1a2b3c4 · changed after review` (an
 * accepted review that does not cover the committed lines: reviewCovers), or
 * `AI · git-ai · 1a2b3c4 · not reviewed` for a committed AI line.
 */
export function committedAnnotation(line: CommittedAiLine, now: number, t: Translate): string {
  const commit = line.commit.slice(0, 7);
  const review = line.review;
  if (review && review.decision === 'accepted' && line.reviewCovers === false) return t('AI · {0} · {1} · changed after review', toolName(line.origin.tool, t), commit);
  if (review && review.decision === 'accepted') return t('AI · {0} · {1}', reviewedBy(review, now, t), commit);
  return t('AI · {0} · {1} · not reviewed', toolName(line.origin.tool, t), commit);
}

/** The CodeLens title of a file: `3 AI blocks unreviewed`. */
export function unreviewedBlocksTitle(count: number, t: Translate): string {
  return count === 1 ? t('{0} AI block unreviewed', count) : t('{0} AI blocks unreviewed', count);
}

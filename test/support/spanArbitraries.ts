// fast-check arbitraries of texts with AI spans, shared by the property tests of what shows spans by line.
import fc from 'fast-check';
import type { AttributedSpan, Review } from '../../src/core/attribution';
import { sha256Hex } from '../../src/core/textHash';

export function review(decision: Review['decision'], text: string): Review {
  return { decision, intent: 'i', scope: ['none'], reviewer: { name: 'R', email: 'r@example.com' }, reviewedAt: '2025-01-01T00:00:00.000Z', textHash: sha256Hex(text) };
}

/** Texts with long human stretches, blank runs and CRLF lines; sorted spans from cut points, some reviewed. */
export const textAndSpans = fc
  .array(fc.constantFrom('a', 'b;', ' ', '\t', '\n', '\n', '\n', '\r\n', '\u00a0', 'é', 'x\n', 'human line\n', '\n  \n'), { minLength: 0, maxLength: 100 })
  .map((parts) => parts.join(''))
  .chain((text) =>
    fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: text.length }), { maxLength: 16 }),
        fc.array(fc.constantFrom('none', 'none', 'accepted', 'accepted-stale', 'rejected'), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
      )
      .map(([cuts, reviews, insertions]) => {
        const points = [...cuts].sort((a, b) => a - b);
        const spans: AttributedSpan[] = [];
        for (let index = 0; index + 1 < points.length; index += 2) {
          const [start, end] = [points[index], points[index + 1]];
          const kind = reviews[index / 2];
          const spanReview = kind === 'accepted' ? review('accepted', text.slice(start, end)) : kind === 'accepted-stale' ? review('accepted', 'other') : kind === 'rejected' ? review('rejected', text.slice(start, end)) : undefined;
          spans.push({
            id: `s${index}`,
            start,
            end,
            origin: { kind: 'inline', tool: 'github-copilot' },
            confidence: 'high',
            insertedAt: insertions[index / 2],
            insertedTextHash: '',
            insertedLength: end - start,
            humanChangedChars: 0,
            ...(spanReview ? { review: spanReview } : {}),
          });
        }
        return { text, spans };
      }),
  );


import * as assert from 'node:assert/strict';
import type { AttributedSpan, Review } from '../../src/core/attribution';
import { sha256Hex } from '../../src/core/textHash';

/**
 * An AI span over the first occurrence of `piece` in `text`, as tests build them: an inline
 * completion from github-copilot, unchanged by a person, unless `extra` says otherwise.
 */
export function aiSpanOver(text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  const start = text.indexOf(piece);
  assert.ok(start >= 0, `${JSON.stringify(piece)} is not in the text`);
  return spanAt(`span-${sha256Hex(piece).slice(0, 12)}`, start, start + piece.length, { insertedAt: Date.UTC(2026, 0, 5, 9, 30), insertedTextHash: sha256Hex(piece), ...extra });
}

/**
 * A span over [start, end) as the ledger reports one: a high-confidence inline completion from
 * github-copilot inserted at time 0 with no text hash, unchanged by a person, unless `extra` says otherwise.
 */
export function spanAt(id: string, start: number, end: number, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return {
    id,
    start,
    end,
    origin: { kind: 'inline', tool: 'github-copilot' },
    confidence: 'high',
    insertedAt: 0,
    insertedTextHash: '',
    insertedLength: end - start,
    humanChangedChars: 0,
    ...extra,
  };
}

/** An accepted review by Ada of the text hashed 'a'.repeat(64), at 2025-01-01, unless `extra` says otherwise. */
export function acceptedReview(extra: Partial<Review> = {}): Review {
  return {
    decision: 'accepted',
    intent: 'adds numbers',
    scope: ['none'],
    reviewer: { name: 'Ada', email: 'ada@example.com' },
    reviewedAt: '2025-01-01T00:00:00.000Z',
    textHash: 'a'.repeat(64),
    ...extra,
  };
}

/** An AI span over `piece` written by an agent (claude-code, model e2e-model), as the end-to-end tests store them. */
export function agentSpanOver(text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(text, piece, { id: `agent-${sha256Hex(piece).slice(0, 12)}`, origin: { kind: 'agent', tool: 'claude-code', model: 'e2e-model' }, ...extra });
}

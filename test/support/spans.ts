import * as assert from 'node:assert/strict';
import type { AttributedSpan } from '../../src/core/attribution';
import { sha256Hex } from '../../src/core/textHash';

/**
 * An AI span over the first occurrence of `piece` in `text`, as tests build them: an inline
 * completion from github-copilot, unchanged by a person, unless `extra` says otherwise.
 */
export function aiSpanOver(text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  const start = text.indexOf(piece);
  assert.ok(start >= 0, `${JSON.stringify(piece)} is not in the text`);
  return {
    id: `span-${sha256Hex(piece).slice(0, 12)}`,
    start,
    end: start + piece.length,
    origin: { kind: 'inline', tool: 'github-copilot' },
    confidence: 'high',
    insertedAt: Date.UTC(2026, 0, 5, 9, 30),
    insertedTextHash: sha256Hex(piece),
    insertedLength: piece.length,
    humanChangedChars: 0,
    ...extra,
  };
}

/** An AI span over `piece` written by an agent (claude-code, model e2e-model), as the end-to-end tests store them. */
export function agentSpanOver(text: string, piece: string, extra: Partial<AttributedSpan> = {}): AttributedSpan {
  return aiSpanOver(text, piece, { id: `agent-${sha256Hex(piece).slice(0, 12)}`, origin: { kind: 'agent', tool: 'claude-code', model: 'e2e-model' }, ...extra });
}

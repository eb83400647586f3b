/** Validates the JSON form of pending spans that `vouch record-commit --pending` accepts. */
import { ORIGIN_KINDS, SCOPE_TAGS, type AttributedSpan, type Confidence, type Review } from '../../core/attribution';
import { originNameProblem } from '../../core/notes/noteParser';
import type { CommittedFileInput } from '../../core/notes/recordFromSpans';
import { DISPLAY_SAFE_NAME } from '../../core/text/displayText';

export const CONFIDENCES_FOR_INPUT: readonly Confidence[] = ['high', 'medium', 'low'];

function fail(at: string, message: string): never {
  throw new Error(`${at}: ${message}`);
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'must be an object');
  return value as Record<string, unknown>;
}

function string(value: unknown, at: string, max = 10_000): string {
  if (typeof value !== 'string' || value.length > max) fail(at, `must be a string of at most ${max} characters`);
  return value;
}

function integer(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(at, 'must be a non-negative integer');
  return value;
}

function oneOf<T extends string>(value: unknown, at: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(at, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function review(value: unknown, at: string): Review {
  const input = record(value, at);
  const reviewer = record(input.reviewer, `${at}.reviewer`);
  if (!Array.isArray(input.scope)) fail(`${at}.scope`, 'must be an array');
  return {
    decision: oneOf(input.decision, `${at}.decision`, ['accepted', 'rejected'] as const),
    intent: string(input.intent, `${at}.intent`),
    scope: input.scope.map((tag, index) => oneOf(tag, `${at}.scope[${index}]`, SCOPE_TAGS)),
    ...(input.scopeNote !== undefined ? { scopeNote: string(input.scopeNote, `${at}.scopeNote`) } : {}),
    reviewer: {
      name: displaySafe(string(reviewer.name, `${at}.reviewer.name`, 1000), `${at}.reviewer.name`),
      email: displaySafe(string(reviewer.email, `${at}.reviewer.email`, 1000), `${at}.reviewer.email`),
      ...(reviewer.signingKey !== undefined ? { signingKey: string(reviewer.signingKey, `${at}.reviewer.signingKey`) } : {}),
    },
    reviewedAt: string(input.reviewedAt, `${at}.reviewedAt`, 64),
    textHash: string(input.textHash, `${at}.textHash`, 64),
  };
}

/** The note's rule for origin names, checked here so bad input is refused whole before anything is written. */
function originName(value: unknown, at: string): string {
  const name = string(value, at, 1000);
  const problem = originNameProblem(name);
  if (problem) fail(at, problem);
  return name;
}

function displaySafe(name: string, at: string): string {
  if (!DISPLAY_SAFE_NAME.test(name)) fail(at, 'has an invalid form (a blank at either end, a control, invisible or bidi character, or a CI workflow-command start)');
  return name;
}

function span(value: unknown, at: string, textLength: number): AttributedSpan {
  const input = record(value, at);
  const origin = record(input.origin, `${at}.origin`);
  const start = integer(input.start, `${at}.start`);
  const end = integer(input.end, `${at}.end`);
  if (end < start || end > textLength) fail(at, 'start..end must lie within workingText');
  return {
    id: string(input.id, `${at}.id`, 200),
    start,
    end,
    origin: {
      kind: oneOf(origin.kind, `${at}.origin.kind`, ORIGIN_KINDS),
      tool: originName(origin.tool, `${at}.origin.tool`),
      ...(origin.model !== undefined ? { model: originName(origin.model, `${at}.origin.model`) } : {}),
      ...(origin.session !== undefined ? { session: originName(origin.session, `${at}.origin.session`) } : {}),
    },
    confidence: oneOf(input.confidence ?? 'high', `${at}.confidence`, CONFIDENCES_FOR_INPUT),
    insertedAt: integer(input.insertedAt ?? 0, `${at}.insertedAt`),
    insertedTextHash: string(input.insertedTextHash ?? '', `${at}.insertedTextHash`, 64),
    insertedLength: integer(input.insertedLength ?? end - start, `${at}.insertedLength`),
    humanChangedChars: integer(input.humanChangedChars ?? 0, `${at}.humanChangedChars`),
    ...(input.review !== undefined ? { review: review(input.review, `${at}.review`) } : {}),
  };
}

export function parsePendingFilesJson(json: string): CommittedFileInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('not JSON');
  }
  const files = record(parsed, 'input').files;
  if (!Array.isArray(files)) fail('input.files', 'must be an array');
  return files.map((value, index) => {
    const at = `files[${index}]`;
    const file = record(value, at);
    const workingText = string(file.workingText, `${at}.workingText`, 64 * 1024 * 1024);
    if (!Array.isArray(file.spans)) fail(`${at}.spans`, 'must be an array');
    return {
      path: string(file.path, `${at}.path`, 4096),
      workingText,
      spans: file.spans.map((item, spanIndex) => span(item, `${at}.spans[${spanIndex}]`, workingText.length)),
    };
  });
}

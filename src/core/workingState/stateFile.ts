/**
 * The on-disk schema of one working-state file: the uncommitted attribution of one document.
 * Files are written by the extension (any window) and the CLI and read by all of them, so parsing
 * treats the content as hostile: every field is type- and range-checked, unknown fields are
 * dropped. A span that fails is set aside alone, with its reason (the caller keeps the file as it
 * was); a file whose own fields fail is reported whole.
 */
import type {
  AttributedSpan,
  Confidence,
  Origin,
  OriginKind,
  Review,
  ReviewDecision,
  Reviewer,
  ScopeTag,
} from '../attribution';
import { ORIGIN_KINDS, SCOPE_TAGS } from '../attribution';
import { originNameProblem } from '../notes/noteParser';
import { repoPathProblem } from './repoPath';
import { errorMessage } from '../errorMessage';

export const WORKING_STATE_SCHEMA_VERSION = 1;

export interface WorkingStateDocument {
  readonly version: typeof WORKING_STATE_SCHEMA_VERSION;
  /** The document, relative to the repository's top level, '/'-separated. */
  readonly path: string;
  /** Spans over the text identified by `textBlob`, sorted by start, not overlapping. */
  readonly spans: readonly AttributedSpan[];
  /** Git blob id of the text the spans refer to (the last known text). */
  readonly textBlob: string;
  /** sha256 (hex) of that text, so a reader can tell "unchanged" without reading the blob. */
  readonly textSha256: string;
  /** Length of that text in UTF-16 code units (what span offsets count). */
  readonly textLength: number;
  /** Increases by one on every write; a writer that sees it moved merges instead of overwriting. */
  readonly generation: number;
  /** ISO-8601 time of the last write. */
  readonly updatedAt: string;
}

/** A span left out of a document that loaded: its index in the file's `spans` and why. */
export interface SetAsideSpan {
  readonly index: number;
  readonly reason: string;
}

export type WorkingStateParseResult =
  /** `setAsideSpans`, present when not empty: spans left out of `document`, which holds the others. */
  | { readonly kind: 'ok'; readonly document: WorkingStateDocument; readonly setAsideSpans?: readonly SetAsideSpan[] }
  | { readonly kind: 'corrupt'; readonly reason: string }
  | { readonly kind: 'future-version'; readonly version: number };

const HEX64 = /^[0-9a-f]{64}$/;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const MAX_ID_LENGTH = 200;
const MAX_NAME_LENGTH = 1000;
const MAX_FREE_TEXT_LENGTH = 100_000;
const CONFIDENCES: readonly Confidence[] = ['high', 'medium', 'low'];
const DECISIONS: readonly ReviewDecision[] = ['accepted', 'rejected'];

export function serializeWorkingStateDocument(document: WorkingStateDocument): string {
  return `${JSON.stringify(document)}\n`;
}

export function parseWorkingStateDocument(text: string): WorkingStateParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', reason: `not JSON (${errorMessage(error)})` };
  }
  if (!isRecord(value)) return { kind: 'corrupt', reason: 'not a JSON object' };
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { kind: 'corrupt', reason: 'missing or invalid version' };
  }
  if (version > WORKING_STATE_SCHEMA_VERSION) return { kind: 'future-version', version };
  try {
    const setAsideSpans: SetAsideSpan[] = [];
    const document = readDocument(value, setAsideSpans);
    return setAsideSpans.length > 0 ? { kind: 'ok', document, setAsideSpans } : { kind: 'ok', document };
  } catch (error) {
    if (error instanceof SchemaError) return { kind: 'corrupt', reason: error.message };
    throw error;
  }
}

/** Why `spans` cannot be stored for a text of `textLength` characters, or undefined when they can. */
export function spansProblem(spans: readonly AttributedSpan[], textLength: number): string | undefined {
  try {
    readSpans(spans, textLength);
    return undefined;
  } catch (error) {
    if (error instanceof SchemaError) return error.message;
    throw error;
  }
}

class SchemaError extends Error {}

function fail(message: string): never {
  throw new SchemaError(message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDocument(value: Record<string, unknown>, setAsideSpans: SetAsideSpan[]): WorkingStateDocument {
  const path = readString(value.path, 'path', 4096);
  const pathProblem = repoPathProblem(path);
  if (pathProblem) fail(`path: ${pathProblem}`);
  const textBlob = readString(value.textBlob, 'textBlob', 64);
  if (!OBJECT_ID.test(textBlob)) fail('textBlob is not a full object id');
  const textSha256 = readString(value.textSha256, 'textSha256', 64);
  if (!HEX64.test(textSha256)) fail('textSha256 is not a sha256 hex digest');
  const textLength = readCount(value.textLength, 'textLength');
  const generation = readCount(value.generation, 'generation');
  const updatedAt = readString(value.updatedAt, 'updatedAt', 64);
  if (!Array.isArray(value.spans)) fail('spans is not an array');
  const spans = readSpans(value.spans, textLength, setAsideSpans);
  return { version: WORKING_STATE_SCHEMA_VERSION, path, spans, textBlob, textSha256, textLength, generation, updatedAt };
}

/** Every span checked; with `setAside`, one that fails is listed there and left out (else the first failure throws). */
function readSpans(values: readonly unknown[], textLength: number, setAside?: SetAsideSpan[]): AttributedSpan[] {
  const spans: AttributedSpan[] = [];
  const ids = new Set<string>();
  let previousEnd = 0;
  values.forEach((value, index) => {
    let span: AttributedSpan;
    try {
      span = readSpan(value, `spans[${index}]`);
      if (span.end > textLength) fail(`spans[${index}] ends at ${span.end}, past the text length ${textLength}`);
      if (span.start < previousEnd) fail(`spans[${index}] overlaps or precedes the span before it`);
      if (ids.has(span.id)) fail(`spans[${index}] repeats the id ${span.id}`);
    } catch (error) {
      if (!setAside || !(error instanceof SchemaError)) throw error;
      setAside.push({ index, reason: error.message });
      return;
    }
    ids.add(span.id);
    previousEnd = span.end;
    spans.push(span);
  });
  return spans;
}

function readSpan(value: unknown, where: string): AttributedSpan {
  if (!isRecord(value)) fail(`${where} is not an object`);
  const id = readString(value.id, `${where}.id`, MAX_ID_LENGTH);
  const start = readCount(value.start, `${where}.start`);
  const end = readCount(value.end, `${where}.end`);
  if (end <= start) fail(`${where} is empty or reversed (${start}..${end})`);
  const origin = readOrigin(value.origin, `${where}.origin`);
  const confidence = readEnum(value.confidence, CONFIDENCES, `${where}.confidence`);
  const insertedAt = value.insertedAt;
  if (typeof insertedAt !== 'number' || !Number.isFinite(insertedAt) || insertedAt < 0) fail(`${where}.insertedAt is not a time`);
  const insertedTextHash = readString(value.insertedTextHash, `${where}.insertedTextHash`, 64);
  // The ledger leaves it empty for text marked without its content (see AttributionLedger.markRange).
  if (insertedTextHash !== '' && !HEX64.test(insertedTextHash)) fail(`${where}.insertedTextHash is not a sha256 hex digest`);
  const insertedLength = readCount(value.insertedLength, `${where}.insertedLength`);
  const humanChangedChars = readCount(value.humanChangedChars, `${where}.humanChangedChars`);
  const span: AttributedSpan = { id, start, end, origin, confidence, insertedAt, insertedTextHash, insertedLength, humanChangedChars };
  if (value.review === undefined) return span;
  return { ...span, review: readReview(value.review, `${where}.review`) };
}

/** Candidate tools kept with an unknown-ai origin (a hint, bounded like every stored list). */
const MAX_CANDIDATES = 20;

function readOrigin(value: unknown, where: string): Origin {
  if (!isRecord(value)) fail(`${where} is not an object`);
  const kind: OriginKind = readEnum(value.kind, ORIGIN_KINDS, `${where}.kind`);
  const tool = readOriginName(value.tool, `${where}.tool`);
  const origin: { kind: OriginKind; tool: string; model?: string; session?: string; candidates?: string[] } = { kind, tool };
  if (value.model !== undefined) origin.model = readOriginName(value.model, `${where}.model`);
  if (value.session !== undefined) origin.session = readOriginName(value.session, `${where}.session`);
  if (value.candidates !== undefined) {
    if (!Array.isArray(value.candidates) || value.candidates.length > MAX_CANDIDATES) fail(`${where}.candidates is not a list of at most ${MAX_CANDIDATES} names`);
    origin.candidates = value.candidates.map((name, index) => readOriginName(name, `${where}.candidates[${index}]`));
  }
  return origin;
}

/** A tool, model, session or candidate name, by the rule the note applies to tool and model. */
function readOriginName(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(`${where} is not a string`);
  const problem = originNameProblem(value);
  if (problem) fail(`${where}: ${problem}`);
  return value;
}

function readReview(value: unknown, where: string): Review {
  if (!isRecord(value)) fail(`${where} is not an object`);
  const decision = readEnum(value.decision, DECISIONS, `${where}.decision`);
  const intent = readString(value.intent, `${where}.intent`, MAX_FREE_TEXT_LENGTH);
  if (!Array.isArray(value.scope)) fail(`${where}.scope is not an array`);
  const scope: ScopeTag[] = value.scope.map((tag, index) => readEnum(tag, SCOPE_TAGS, `${where}.scope[${index}]`));
  const reviewer = readReviewer(value.reviewer, `${where}.reviewer`);
  const reviewedAt = readString(value.reviewedAt, `${where}.reviewedAt`, 64);
  const textHash = readString(value.textHash, `${where}.textHash`, 64);
  if (!HEX64.test(textHash)) fail(`${where}.textHash is not a sha256 hex digest`);
  const review: Review = { decision, intent, scope, reviewer, reviewedAt, textHash };
  if (value.scopeNote === undefined) return review;
  return { ...review, scopeNote: readString(value.scopeNote, `${where}.scopeNote`, MAX_FREE_TEXT_LENGTH) };
}

function readReviewer(value: unknown, where: string): Reviewer {
  if (!isRecord(value)) fail(`${where} is not an object`);
  const reviewer: Reviewer = {
    name: readString(value.name, `${where}.name`, MAX_NAME_LENGTH),
    email: readString(value.email, `${where}.email`, MAX_NAME_LENGTH),
  };
  if (value.signingKey === undefined) return reviewer;
  return { ...reviewer, signingKey: readString(value.signingKey, `${where}.signingKey`, MAX_FREE_TEXT_LENGTH) };
}

function readString(value: unknown, where: string, maxLength: number): string {
  if (typeof value !== 'string') fail(`${where} is not a string`);
  if (value.length > maxLength) fail(`${where} is longer than ${maxLength} characters`);
  return value;
}

function readCount(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${where} is not a non-negative integer`);
  return value;
}

function readEnum<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(`${where} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

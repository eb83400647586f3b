/**
 * Reading notes, which are hostile input: size-checked, one record per line, each record
 * schema-validated on its own so one bad record is rejected alone with a reason. The exact line
 * and payload bytes are kept (a signature covers the payload bytes; they are never re-encoded).
 */
import { ORIGIN_KINDS, SCOPE_TAGS } from '../attribution';
import { sha256Hex } from '../textHash';
import { DISPLAY_SAFE_NAME } from '../text/displayText';
import { parseClaimEnvelope } from '../signing/attributionClaim';
import { decodeBase64EitherAlphabet } from '../signing/dsse';
import { findDuplicateJsonKey } from '../signing/jsonDuplicateKeys';
import { canonicalJson, decodeUtf8Strict, type JsonValue } from './canonicalJson';
import {
  DSSE_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  MAX_NOTE_BYTES,
  COMMIT_SUBJECT_NAME,
  FILE_SUBJECT_PREFIX,
  MAX_RECORD_LINE_BYTES,
  NOTE_PREDICATE_TYPE,
  TREE_SUBJECT_NAME,
  NOTE_SCHEMA_VERSION,
  type DsseEnvelope,
  type NoteRecord,
  type NoteStatement,
} from './noteRecord';

export interface RejectedRecord {
  /** 1-based line number within the note. */
  readonly line: number;
  readonly reason: string;
}

export interface ParsedNote {
  readonly records: readonly NoteRecord[];
  readonly rejected: readonly RejectedRecord[];
}

/**
 * sha256 of UTF-8 text as lowercase hex. Core hashes with a pure implementation; node callers may
 * pass a native one (much faster on large notes) without core importing node.
 */
export type Sha256Hex = (text: string) => string;

export type RecordParseResult = { readonly ok: true; readonly record: NoteRecord } | { readonly ok: false; readonly reason: string };

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_TEXT = 10_000;
const MAX_LINE_NUMBER = 100_000_000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const CONFIDENCES = ['high', 'medium', 'low'];
const DECISIONS = ['accepted', 'rejected'];
const CARRY_MATCHES = ['patch-id', 'line-hashes'];

class SchemaError extends Error {}

type Json = unknown;

function fail(at: string, message: string): never {
  throw new SchemaError(`${at}: ${message}`);
}

/**
 * An object with the `required` fields. `_optional` lists the other fields Vouch knows (for the
 * reader of this code); fields nobody knows are ignored, as DSSE and in-toto require of consumers.
 */
function object(value: Json, at: string, required: readonly string[], _optional: readonly string[] = []): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'must be an object');
  const record = value as Record<string, Json>;
  for (const key of required) if (!Object.hasOwn(record, key)) fail(at, `missing "${key}"`);
  return record;
}

function text(value: Json, at: string, max = MAX_TEXT, pattern?: RegExp): string {
  if (typeof value !== 'string') fail(at, 'must be a string');
  if (value.length > max) fail(at, `longer than ${max} characters`);
  if (pattern && !pattern.test(value)) fail(at, `has an invalid form`);
  return value;
}

function oneOf(value: Json, at: string, allowed: readonly string[]): string {
  if (typeof value !== 'string' || !allowed.includes(value)) fail(at, `must be one of ${allowed.join(', ')}`);
  return value;
}

function array(value: Json, at: string, max: number): readonly Json[] {
  if (!Array.isArray(value)) fail(at, 'must be an array');
  if (value.length > max) fail(at, `has more than ${max} items`);
  return value;
}

function lineNumber(value: Json, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LINE_NUMBER) fail(at, 'must be a positive line number');
  return value;
}

const MAX_NOTE_PATH_LENGTH = 4096;

/**
 * Why a file's path cannot be written in a note (git can store names a note cannot hold: a newline,
 * a carriage return, a very long name), or undefined. Writers skip such a file alone.
 */
export function notePathProblem(path: string): string | undefined {
  if (path.length > MAX_NOTE_PATH_LENGTH) return `the name is longer than ${MAX_NOTE_PATH_LENGTH} characters`;
  if (path.length === 0 || path.startsWith('/') || /[\0\n\r]/.test(path) || path.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    return 'the name holds a newline, a carriage return or an empty, "." or ".." part';
  }
  return undefined;
}

/** Longest tool or model name a note holds. */
export const MAX_ORIGIN_NAME_LENGTH = 200;

/**
 * Why `name` cannot be an origin's tool or model in a note, or undefined. The one rule for the
 * note and for the working state (which applies it to the session too), so a name the state
 * accepts never makes a record the note refuses.
 */
export function originNameProblem(name: string): string | undefined {
  if (name.length > MAX_ORIGIN_NAME_LENGTH) return `longer than ${MAX_ORIGIN_NAME_LENGTH} characters`;
  if (!DISPLAY_SAFE_NAME.test(name)) return 'has an invalid form (empty, a blank at either end, a control, invisible or bidi character, or a CI workflow-command start)';
  return undefined;
}

function originName(value: Json, at: string): void {
  if (typeof value !== 'string') fail(at, 'must be a string');
  const problem = originNameProblem(value);
  if (problem) fail(at, problem);
}

function validPath(value: Json, at: string): string {
  const path = text(value, at, MAX_NOTE_PATH_LENGTH);
  if (notePathProblem(path)) fail(at, 'must be a relative repository path');
  return path;
}

function validateReview(value: Json, at: string): void {
  if (value === null) return;
  const review = object(value, at, ['decision', 'intent', 'scope', 'reviewer', 'reviewedAt', 'textHash'], ['scopeNote']);
  oneOf(review.decision, `${at}.decision`, DECISIONS);
  text(review.intent, `${at}.intent`);
  array(review.scope, `${at}.scope`, SCOPE_TAGS.length).forEach((tag, index) => oneOf(tag, `${at}.scope[${index}]`, SCOPE_TAGS));
  if (review.scopeNote !== undefined) text(review.scopeNote, `${at}.scopeNote`);
  const reviewer = object(review.reviewer, `${at}.reviewer`, ['name', 'email'], ['signingKey']);
  text(reviewer.name, `${at}.reviewer.name`, 1000, DISPLAY_SAFE_NAME);
  text(reviewer.email, `${at}.reviewer.email`, 1000, DISPLAY_SAFE_NAME);
  if (reviewer.signingKey !== undefined) text(reviewer.signingKey, `${at}.reviewer.signingKey`, MAX_TEXT);
  text(review.reviewedAt, `${at}.reviewedAt`, 64, ISO_TIME);
  text(review.textHash, `${at}.textHash`, 64, SHA256_HEX);
}

function validateRange(value: Json, at: string): { start: number; end: number } {
  const range = object(value, at, ['start', 'end', 'sha256', 'origin', 'confidence', 'humanChangedShare', 'review'], ['aiShare', 'agentClaim']);
  const start = lineNumber(range.start, `${at}.start`);
  const end = lineNumber(range.end, `${at}.end`);
  if (end < start) fail(at, 'end is before start');
  text(range.sha256, `${at}.sha256`, 64, SHA256_HEX);
  const origin = object(range.origin, `${at}.origin`, ['kind', 'tool'], ['model']);
  oneOf(origin.kind, `${at}.origin.kind`, ORIGIN_KINDS);
  originName(origin.tool, `${at}.origin.tool`);
  if (origin.model !== undefined) originName(origin.model, `${at}.origin.model`);
  oneOf(range.confidence, `${at}.confidence`, CONFIDENCES);
  const share = range.humanChangedShare;
  if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1) fail(`${at}.humanChangedShare`, 'must be a number from 0 to 1');
  const aiShare = range.aiShare;
  if (aiShare !== undefined && (typeof aiShare !== 'number' || !Number.isFinite(aiShare) || aiShare <= 0 || aiShare > 1)) fail(`${at}.aiShare`, 'must be a number above 0, at most 1');
  validateReview(range.review, `${at}.review`);
  if (range.agentClaim !== undefined) {
    // Checked in full (signature included) by verify; here only its shape, so one bad claim rejects its record alone.
    const claim = parseClaimEnvelope(range.agentClaim);
    if (!claim.ok) fail(`${at}.agentClaim`, claim.reason);
  }
  return { start, end };
}

/** One entry of `predicate.files`: its path, blob and ranges. */
function validateFile(value: Json, at: string): { path: string; blob: string } {
  const file = object(value, at, ['path', 'blob', 'ranges']);
  const path = validPath(file.path, `${at}.path`);
  const blob = text(file.blob, `${at}.blob`, 64, OBJECT_ID);
  let previousEnd = 0;
  array(file.ranges, `${at}.ranges`, 1_000_000).forEach((rangeValue, rangeIndex) => {
    const range = validateRange(rangeValue, `${at}.ranges[${rangeIndex}]`);
    if (range.start <= previousEnd) fail(`${at}.ranges[${rangeIndex}]`, 'ranges must be sorted and must not overlap');
    previousEnd = range.end;
  });
  return { path, blob };
}

/**
 * Why one file's entry of a record would make a reader reject the record, or undefined: a writer
 * skips such a file alone, so the others still get their record.
 */
export function noteFileProblem(file: unknown): string | undefined {
  try {
    validateFile(JSON.parse(JSON.stringify(file)) as Json, 'file');
    return undefined;
  } catch (error) {
    if (error instanceof SchemaError) return error.message;
    throw error;
  }
}

/** Checks a decoded statement against the schema of docs/note-schema.json; throws SchemaError with the path of the first problem. */
function validateStatement(value: Json): { statement: NoteStatement; firstShape: boolean } {
  const statement = object(value, 'statement', ['_type', 'subject', 'predicateType', 'predicate']);
  if (statement._type !== IN_TOTO_STATEMENT_TYPE) fail('statement._type', `must be ${IN_TOTO_STATEMENT_TYPE}`);
  if (statement.predicateType !== NOTE_PREDICATE_TYPE) fail('statement.predicateType', `must be ${NOTE_PREDICATE_TYPE}`);
  const predicate = object(statement.predicate, 'predicate', ['schemaVersion', 'recordId', 'commit', 'tree', 'patchId', 'files'], ['carriedFrom']);
  if (predicate.schemaVersion !== NOTE_SCHEMA_VERSION) fail('predicate.schemaVersion', `unsupported version (this Vouch reads ${NOTE_SCHEMA_VERSION})`);
  text(predicate.recordId, 'predicate.recordId', 64, SHA256_HEX);
  const commit = text(predicate.commit, 'predicate.commit', 64, OBJECT_ID);
  const tree = text(predicate.tree, 'predicate.tree', 64, OBJECT_ID);
  if (predicate.patchId !== null) text(predicate.patchId, 'predicate.patchId', 64, OBJECT_ID);
  const paths = new Set<string>();
  const blobs = new Map<string, string>();
  array(predicate.files, 'predicate.files', 100_000).forEach((fileValue, fileIndex) => {
    const at = `predicate.files[${fileIndex}]`;
    const { path, blob } = validateFile(fileValue, at);
    if (paths.has(path)) fail(`${at}.path`, 'appears twice');
    paths.add(path);
    blobs.set(path, blob);
  });
  if (predicate.carriedFrom !== undefined) {
    const carried = object(predicate.carriedFrom, 'predicate.carriedFrom', ['recordId', 'commit', 'match']);
    text(carried.recordId, 'predicate.carriedFrom.recordId', 64, SHA256_HEX);
    text(carried.commit, 'predicate.carriedFrom.commit', 64, OBJECT_ID);
    oneOf(carried.match, 'predicate.carriedFrom.match', CARRY_MATCHES);
  }
  const subjects = array(statement.subject, 'statement.subject', 100_002);
  let firstShape = false;
  try {
    validateNamedSubjects(subjects, commit, tree, blobs);
  } catch (error) {
    // Records written before subject names were unique (Vouch before 07b6610) list the commit, the
    // tree, then each file under its bare path, in the predicate's order; they read as they did.
    if (!(error instanceof SchemaError) || !isPositionalSubjectList(subjects, commit, tree, blobs)) throw error;
    firstShape = true;
  }
  return { statement: statement as unknown as NoteStatement, firstShape };
}

/**
 * The subject names exactly what the predicate describes (by unique name, each with at least its
 * git digest), so a signature over the statement binds them.
 */
function validateNamedSubjects(subjects: readonly Json[], commit: string, tree: string, blobs: ReadonlyMap<string, string>): void {
  const expected = new Map<string, readonly [algorithm: string, id: string]>([
    [COMMIT_SUBJECT_NAME, ['gitCommit', commit]],
    [TREE_SUBJECT_NAME, ['gitTree', tree]],
  ]);
  for (const [path, blob] of blobs) expected.set(`${FILE_SUBJECT_PREFIX}${path}`, ['gitBlob', blob]);
  const seen = new Set<string>();
  subjects.forEach((subjectValue, index) => {
    const at = `statement.subject[${index}]`;
    const subject = object(subjectValue, at, ['name', 'digest']);
    const name = text(subject.name, `${at}.name`, 4200);
    if (seen.has(name)) fail(`${at}.name`, 'appears twice');
    seen.add(name);
    const wanted = expected.get(name);
    if (!wanted) fail(`${at}.name`, 'names nothing the predicate describes');
    const digest = object(subject.digest, `${at}.digest`, []);
    const algorithms = Object.keys(digest);
    if (algorithms.length === 0 || algorithms.length > 16) fail(`${at}.digest`, 'must hold 1 to 16 digests');
    for (const algorithm of algorithms) text(digest[algorithm], `${at}.digest.${algorithm.slice(0, 40)}`, 512);
    if (digest[wanted[0]] !== wanted[1]) fail(at, `does not match the predicate (${wanted[0]})`);
  });
  if (seen.size !== expected.size) fail('statement.subject', 'must list the commit, the tree and every file');
}

/**
 * Whether `subjects` is the first shape Vouch wrote: exactly `commit` (gitCommit), `tree` (gitTree),
 * then one subject per file of the predicate named by its bare path with its gitBlob, in the
 * predicate's order, each digest holding that one git id. Position says what each names, so a file
 * named `commit` or `file:x` is no ambiguity.
 */
function isPositionalSubjectList(subjects: readonly Json[], commit: string, tree: string, blobs: ReadonlyMap<string, string>): boolean {
  const wanted: (readonly [name: string, algorithm: string, id: string])[] = [
    [COMMIT_SUBJECT_NAME, 'gitCommit', commit],
    [TREE_SUBJECT_NAME, 'gitTree', tree],
  ];
  for (const [path, blob] of blobs) wanted.push([path, 'gitBlob', blob]);
  if (subjects.length !== wanted.length) return false;
  return subjects.every((subject, index) => {
    if (typeof subject !== 'object' || subject === null || Array.isArray(subject)) return false;
    const { name, digest } = subject as Record<string, Json>;
    if (typeof digest !== 'object' || digest === null || Array.isArray(digest)) return false;
    const entries = Object.entries(digest);
    const [expectedName, algorithm, id] = wanted[index];
    return name === expectedName && entries.length === 1 && entries[0][0] === algorithm && entries[0][1] === id;
  });
}

function validateEnvelope(value: Json): DsseEnvelope {
  const envelope = object(value, 'envelope', ['payload', 'payloadType'], ['signatures']);
  text(envelope.payload, 'envelope.payload', MAX_RECORD_LINE_BYTES);
  if (envelope.payloadType !== DSSE_PAYLOAD_TYPE) fail('envelope.payloadType', `must be ${DSSE_PAYLOAD_TYPE}`);
  // DSSE envelope.md: "Empty fields may be omitted", so no "signatures" reads as none (unsigned).
  const signatures = envelope.signatures === undefined ? [] : array(envelope.signatures, 'envelope.signatures', 16);
  signatures.forEach((signatureValue, index) => {
    const signature = object(signatureValue, `envelope.signatures[${index}]`, ['sig'], ['keyid']);
    text(signature.sig, `envelope.signatures[${index}].sig`, 64 * 1024);
    if (signature.keyid !== undefined) text(signature.keyid, `envelope.signatures[${index}].keyid`, 4096);
  });
  return { ...envelope, signatures } as unknown as DsseEnvelope;
}

/** Parses and validates one record line. Never throws (unless `hashText` does). */
export function parseRecordLine(line: string, hashText: Sha256Hex = sha256Hex): RecordParseResult {
  try {
    if (line.length > MAX_RECORD_LINE_BYTES) return { ok: false, reason: `record is longer than ${MAX_RECORD_LINE_BYTES} bytes` };
    let json: Json;
    try {
      json = JSON.parse(line);
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
    // Two readers must never see different values in one signed text: duplicate keys are refused.
    const duplicate = findDuplicateJsonKey(line);
    if (duplicate !== undefined) return { ok: false, reason: `envelope: duplicate key ${JSON.stringify(duplicate.slice(0, 40))}` };
    const envelope = validateEnvelope(json);
    const payloadBytes = decodeBase64EitherAlphabet(envelope.payload);
    if (!payloadBytes) return { ok: false, reason: 'envelope.payload: not base64' };
    let payloadJson: Json;
    let payloadText: string;
    try {
      payloadText = decodeUtf8Strict(payloadBytes);
      payloadJson = JSON.parse(payloadText);
    } catch {
      return { ok: false, reason: 'envelope.payload: not UTF-8 JSON' };
    }
    const duplicateInPayload = findDuplicateJsonKey(payloadText);
    if (duplicateInPayload !== undefined) return { ok: false, reason: `envelope.payload: duplicate key ${JSON.stringify(duplicateInPayload.slice(0, 40))}` };
    const { statement, firstShape } = validateStatement(payloadJson);
    // The record id as computeRecordId (noteRecord.ts) defines it, hashed with `hashText`.
    const withoutId: NoteStatement = { ...statement, predicate: { ...statement.predicate, recordId: '' } };
    const recordId = hashText(canonicalJson(withoutId as unknown as JsonValue));
    if (recordId !== statement.predicate.recordId) return { ok: false, reason: 'predicate.recordId: does not match the record content' };
    return { ok: true, record: { line, envelope, payloadBytes, statement, recordId, ...(firstShape ? { firstShape } : {}) } };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, reason: error.message };
    if (error instanceof RangeError) return { ok: false, reason: 'record is nested too deeply' };
    throw error;
  }
}

/**
 * Parses a note: one record per non-blank line (blank lines come from squash concatenation).
 * Identical lines count once; a bad line is reported in `rejected` and the rest still read.
 */
export function parseNote(noteText: string, hashText: Sha256Hex = sha256Hex): ParsedNote {
  if (noteText.length > MAX_NOTE_BYTES) {
    return { records: [], rejected: [{ line: 0, reason: `note is larger than ${MAX_NOTE_BYTES} bytes` }] };
  }
  const records: NoteRecord[] = [];
  const rejected: RejectedRecord[] = [];
  const seen = new Set<string>();
  noteText.split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '' || seen.has(line)) return;
    seen.add(line);
    const result = parseRecordLine(line, hashText);
    if (result.ok) records.push(result.record);
    else rejected.push({ line: index + 1, reason: result.reason });
  });
  return { records, rejected };
}

/** Note text holding `lines`, as git's cat_sort_uniq would leave it: sorted (bytewise), unique, one per line. */
export function formatNoteLines(lines: Iterable<string>): string {
  const unique = [...new Set([...lines].filter((line) => line.trim() !== ''))];
  // Record lines are ASCII JSON (base64 payload), so code-unit order is git's byte order.
  unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return unique.map((line) => `${line}\n`).join('');
}

/** The union of the record lines of several notes for one commit, cat_sort_uniq style. */
export function mergeNoteTexts(...noteTexts: readonly string[]): string {
  const lines: string[] = [];
  for (const noteText of noteTexts) {
    for (const rawLine of noteText.split('\n')) {
      const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
      if (line.trim() !== '') lines.push(line);
    }
  }
  return formatNoteLines(lines);
}

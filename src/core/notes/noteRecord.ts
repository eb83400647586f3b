/**
 * The record Vouch writes into `refs/notes/vouch`: an in-toto Statement (subject: commit, tree,
 * blobs) inside a DSSE envelope, serialised as ONE line of JSON so that git's `cat_sort_uniq`
 * merge and squash concatenation keep every record. Format: docs/note-format.md.
 */
import type { Confidence, OriginKind, ReviewDecision, ScopeTag } from '../attribution';
import { sha256Hex } from '../textHash';
import { canonicalJson, utf8Bytes, utf8ToBase64, type JsonValue } from './canonicalJson';

export const NOTES_REF = 'refs/notes/vouch';
export const NOTE_SCHEMA_VERSION = 1;
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const NOTE_PREDICATE_TYPE = 'https://vouch.dev/note/v1';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/**
 * Subject names, unique by construction: `commit`, `tree`, and `file:<path>` per file (a file
 * named `commit` is `file:commit`).
 */
export const COMMIT_SUBJECT_NAME = 'commit';
export const TREE_SUBJECT_NAME = 'tree';
export const FILE_SUBJECT_PREFIX = 'file:';

/** Upper bounds for hostile input: a note blob, and one record line within it. */
export const MAX_NOTE_BYTES = 32 * 1024 * 1024;
export const MAX_RECORD_LINE_BYTES = 16 * 1024 * 1024;

export interface NoteOrigin {
  readonly kind: OriginKind;
  readonly tool: string;
  readonly model?: string;
}

export interface NoteReviewer {
  readonly name: string;
  readonly email: string;
  /** Fingerprint of the reviewer's signing key (e.g. `SHA256:...`), never a file path. */
  readonly signingKey?: string;
}

export interface NoteReview {
  readonly decision: ReviewDecision;
  readonly intent: string;
  readonly scope: readonly ScopeTag[];
  readonly scopeNote?: string;
  readonly reviewer: NoteReviewer;
  /** ISO-8601 time of the review. */
  readonly reviewedAt: string;
  /** sha256 (hex) of the exact text that was reviewed. */
  readonly textHash: string;
}

/** AI-written lines `start..end` (1-based, inclusive) of a blob, with a hash of their text. */
export interface NoteRange {
  readonly start: number;
  readonly end: number;
  /** sha256 (hex) of the lines, each followed by "\n" (see `hashLines`). */
  readonly sha256: string;
  readonly origin: NoteOrigin;
  readonly confidence: Confidence;
  /** 0..1, four decimals: how much of the inserted AI text a human changed before committing. */
  readonly humanChangedShare: number;
  /**
   * 0..1, four decimals: the share of the range's non-whitespace characters written by AI. 1 for
   * wholly AI lines; a range of mixed lines (AI finishing a line a person started) has less.
   * Absent in records written before it existed, which held wholly AI lines only: read as 1.
   */
  readonly aiShare?: number;
  readonly review: NoteReview | null;
  /** The writing agent's own signed claim over these lines (`vouch mark --sign`), as a DSSE envelope. */
  readonly agentClaim?: DsseEnvelope;
}

/** A range's AI character share; records written before the field existed mean 1. */
export function rangeAiShare(range: Pick<NoteRange, 'aiShare'>): number {
  return range.aiShare ?? 1;
}

export interface NoteFile {
  readonly path: string;
  readonly blob: string;
  readonly ranges: readonly NoteRange[];
}

export type CarryMatch = 'patch-id' | 'line-hashes';

/** Set on records that `vouch reconcile` re-attached from another commit's record. */
export interface CarriedFrom {
  readonly recordId: string;
  readonly commit: string;
  readonly match: CarryMatch;
}

export interface NotePredicate {
  readonly schemaVersion: number;
  readonly recordId: string;
  readonly commit: string;
  readonly tree: string;
  /** `git patch-id --stable` of the commit's diff to its first parent; null when the diff is empty. */
  readonly patchId: string | null;
  readonly files: readonly NoteFile[];
  readonly carriedFrom?: CarriedFrom;
}

export interface NoteSubject {
  readonly name: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface NoteStatement {
  readonly _type: string;
  readonly subject: readonly NoteSubject[];
  readonly predicateType: string;
  readonly predicate: NotePredicate;
}

export interface DsseSignature {
  readonly keyid?: string;
  readonly sig: string;
}

export interface DsseEnvelope {
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly DsseSignature[];
}

/** A record as read or built: the exact line, and the exact payload bytes a signature covers. */
export interface NoteRecord {
  readonly line: string;
  readonly envelope: DsseEnvelope;
  readonly payloadBytes: Uint8Array;
  readonly statement: NoteStatement;
  readonly recordId: string;
  /**
   * Written by the first Vouch versions (subjects named by bare path, before 07b6610): a review's
   * textHash there is the sha256 of the reviewed span's text, not of the range's lines.
   */
  readonly firstShape?: boolean;
}

export interface NoteRecordContent {
  readonly commit: string;
  readonly tree: string;
  readonly patchId: string | null;
  readonly files: readonly NoteFile[];
  readonly carriedFrom?: CarriedFrom;
}

function statementFor(content: NoteRecordContent, recordId: string): NoteStatement {
  const files = [...content.files]
    .map((file) => ({ ...file, ranges: [...file.ranges].sort((a, b) => a.start - b.start || a.end - b.end) }))
    .sort((a, b) => compareCodeUnits(a.path, b.path));
  const predicate: NotePredicate = {
    schemaVersion: NOTE_SCHEMA_VERSION,
    recordId,
    commit: content.commit,
    tree: content.tree,
    patchId: content.patchId,
    files,
    ...(content.carriedFrom ? { carriedFrom: content.carriedFrom } : {}),
  };
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [
      { name: COMMIT_SUBJECT_NAME, digest: { gitCommit: content.commit } },
      { name: TREE_SUBJECT_NAME, digest: { gitTree: content.tree } },
      ...files.map((file) => ({ name: `${FILE_SUBJECT_PREFIX}${file.path}`, digest: { gitBlob: file.blob } })),
    ],
    predicateType: NOTE_PREDICATE_TYPE,
    predicate,
  };
}

/** The record id: sha256 of the canonical statement with an empty id, so equal content gives an equal id. */
export function computeRecordId(statement: NoteStatement): string {
  const withoutId: NoteStatement = { ...statement, predicate: { ...statement.predicate, recordId: '' } };
  return sha256Hex(canonicalJson(withoutId as unknown as JsonValue));
}

const EMPTY_RECORD_ID = '"recordId":""';

/** Builds an unsigned record (DSSE envelope with no signatures) and its one-line serialisation. */
export function buildNoteRecord(content: NoteRecordContent): NoteRecord {
  const withoutId = statementFor(content, '');
  const canonicalWithoutId = canonicalJson(withoutId as unknown as JsonValue);
  const recordId = sha256Hex(canonicalWithoutId);
  const statement: NoteStatement = { ...withoutId, predicate: { ...withoutId.predicate, recordId } };
  // Inside JSON strings every quote is escaped, so the only `"recordId":""` is the predicate's key
  // (carriedFrom.recordId is never empty): substituting it equals re-serialising the statement.
  const at = canonicalWithoutId.indexOf(EMPTY_RECORD_ID);
  const payloadText = `${canonicalWithoutId.slice(0, at)}"recordId":"${recordId}"${canonicalWithoutId.slice(at + EMPTY_RECORD_ID.length)}`;
  const payloadBytes = utf8Bytes(payloadText);
  const envelope: DsseEnvelope = { payload: utf8ToBase64(payloadText), payloadType: DSSE_PAYLOAD_TYPE, signatures: [] };
  return { line: canonicalJson(envelope as unknown as JsonValue), envelope, payloadBytes, statement, recordId };
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

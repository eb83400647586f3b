/**
 * An agent's own signed claim that it wrote some lines: an in-toto Statement (predicate type
 * https://vouch.dev/attribution-claim/v1) in a DSSE envelope, signed by the agent's key with the
 * namespace vouch-attestation-v1. Its subject is the content: `file:<path>` with the sha256 of
 * the claimed lines (each followed by "\n", as a note range's sha256), so the claim binds to
 * the text wherever the lines move. `vouch mark --sign` makes it; the commit's record carries it
 * in the range whose lines have that hash (`agentClaim`). Format: docs/note-format.md.
 */
import { canonicalJson, decodeUtf8Strict, utf8Bytes, utf8ToBase64, type JsonValue } from '../notes/canonicalJson';
import { DSSE_PAYLOAD_TYPE, FILE_SUBJECT_PREFIX, IN_TOTO_STATEMENT_TYPE, type DsseEnvelope } from '../notes/noteRecord';
import { decodeBase64EitherAlphabet } from './dsse';
import { findDuplicateJsonKey } from './jsonDuplicateKeys';
import { errorMessage } from '../errorMessage';

export const ATTRIBUTION_CLAIM_PREDICATE_TYPE = 'https://vouch.dev/attribution-claim/v1';

export interface AttributionClaim {
  /** Who wrote the lines: the agent's principal as an allowed signers file names it (e.g. claude-code@ci.example.com). */
  readonly principal: string;
  readonly tool: string;
  readonly model?: string;
  readonly session?: string;
  readonly kind: string;
  readonly path: string;
  /** Where the lines were when claimed (informational: the claim binds to `sha256`). */
  readonly start: number;
  readonly end: number;
  /** sha256 (hex) of the claimed lines, each followed by "\n". */
  readonly sha256: string;
  /** ISO-8601 time of the claim (the time a validity window is checked at). */
  readonly createdAt: string;
}

export interface ClaimEnvelope {
  readonly envelope: DsseEnvelope;
  readonly payloadBytes: Uint8Array;
  readonly claim: AttributionClaim;
}

function statementOf(claim: AttributionClaim): JsonValue {
  const predicate: Record<string, JsonValue> = { principal: claim.principal, tool: claim.tool, kind: claim.kind, path: claim.path, start: claim.start, end: claim.end, createdAt: claim.createdAt };
  if (claim.model !== undefined) predicate.model = claim.model;
  if (claim.session !== undefined) predicate.session = claim.session;
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: `${FILE_SUBJECT_PREFIX}${claim.path}`, digest: { sha256: claim.sha256 } }],
    predicateType: ATTRIBUTION_CLAIM_PREDICATE_TYPE,
    predicate,
  };
}

/** The unsigned envelope of a claim (sign its PAE, then add the signature). */
export function buildClaimEnvelope(claim: AttributionClaim): ClaimEnvelope {
  const text = canonicalJson(statementOf(claim));
  return { envelope: { payload: utf8ToBase64(text), payloadType: DSSE_PAYLOAD_TYPE, signatures: [] }, payloadBytes: utf8Bytes(text), claim };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function field(record: Record<string, unknown>, name: string, max = 400): string {
  const value = record[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new Error(`predicate.${name}: must be a string of 1 to ${max} characters`);
  return value;
}

/** Reads a claim envelope (hostile: from a note). Unknown fields are ignored; duplicate keys refused. */
export function parseClaimEnvelope(value: unknown): { ok: true; value: ClaimEnvelope } | { ok: false; reason: string } {
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('must be an object');
    const envelope = value as Record<string, unknown>;
    if (envelope.payloadType !== DSSE_PAYLOAD_TYPE) throw new Error(`payloadType must be ${DSSE_PAYLOAD_TYPE}`);
    if (typeof envelope.payload !== 'string' || envelope.payload.length > 64 * 1024) throw new Error('payload must be a string of at most 64 KiB');
    // DSSE envelope.md: "Empty fields may be omitted", so no "signatures" reads as none.
    const signatures = envelope.signatures === undefined ? [] : envelope.signatures;
    if (!Array.isArray(signatures) || signatures.length > 16) throw new Error('signatures must be an array of at most 16');
    for (const signature of signatures as unknown[]) {
      const entry = signature as Record<string, unknown> | null;
      if (typeof entry !== 'object' || entry === null || typeof entry.sig !== 'string' || entry.sig.length > 64 * 1024 || (entry.keyid !== undefined && typeof entry.keyid !== 'string')) {
        throw new Error('each signature needs a string sig');
      }
    }
    const payloadBytes = decodeBase64EitherAlphabet(envelope.payload);
    if (!payloadBytes) throw new Error('payload is not base64');
    const text = decodeUtf8Strict(payloadBytes);
    const duplicate = findDuplicateJsonKey(text);
    if (duplicate !== undefined) throw new Error(`payload: duplicate key ${JSON.stringify(duplicate.slice(0, 40))}`);
    const statement = JSON.parse(text) as Record<string, unknown>;
    if (statement._type !== IN_TOTO_STATEMENT_TYPE || statement.predicateType !== ATTRIBUTION_CLAIM_PREDICATE_TYPE) throw new Error('not an attribution claim statement');
    const predicate = statement.predicate as Record<string, unknown>;
    if (typeof predicate !== 'object' || predicate === null) throw new Error('predicate must be an object');
    const path = field(predicate, 'path', 4096);
    const subjects = statement.subject;
    if (!Array.isArray(subjects) || subjects.length !== 1) throw new Error('subject must name the claimed lines');
    const subject = subjects[0] as { name?: unknown; digest?: Record<string, unknown> };
    const sha256 = subject?.digest?.sha256;
    if (subject?.name !== `${FILE_SUBJECT_PREFIX}${path}` || typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) throw new Error('subject must be file:<path> with the sha256 of the lines');
    const createdAt = field(predicate, 'createdAt', 64);
    if (!ISO_TIME.test(createdAt)) throw new Error('predicate.createdAt: not an ISO-8601 time');
    const start = predicate.start;
    const end = predicate.end;
    if (typeof start !== 'number' || typeof end !== 'number' || !Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end < start) throw new Error('predicate.start/end: not a line range');
    const claim: AttributionClaim = {
      principal: field(predicate, 'principal'),
      tool: field(predicate, 'tool', 200),
      kind: field(predicate, 'kind', 40),
      path,
      start,
      end,
      sha256,
      createdAt,
      ...(predicate.model !== undefined ? { model: field(predicate, 'model', 200) } : {}),
      ...(predicate.session !== undefined ? { session: field(predicate, 'session', 200) } : {}),
    };
    return { ok: true, value: { envelope: { ...(value as DsseEnvelope), signatures: signatures as DsseEnvelope['signatures'] }, payloadBytes, claim } };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}

/**
 * Puts each claim into the range it is about: same file, and the claimed lines' hash equal to the
 * range's. Returns the files (ranges with `agentClaim` set) and the claims used.
 */
export function attachAgentClaims<File extends { readonly path: string; readonly ranges: readonly Range[] }, Range extends { readonly sha256: string; readonly agentClaim?: DsseEnvelope }>(
  files: readonly File[],
  claims: readonly ClaimEnvelope[],
): { files: File[]; used: ClaimEnvelope[] } {
  const used: ClaimEnvelope[] = [];
  const byKey = new Map<string, ClaimEnvelope>();
  for (const claim of claims) byKey.set(`${claim.claim.path}\0${claim.claim.sha256}`, claim);
  const out = files.map((file) => {
    let changed = false;
    const ranges = file.ranges.map((range) => {
      const claim = byKey.get(`${file.path}\0${range.sha256}`);
      if (!claim || range.agentClaim) return range;
      changed = true;
      used.push(claim);
      return { ...range, agentClaim: claim.envelope };
    });
    return changed ? { ...file, ranges } : file;
  });
  return { files: out, used };
}

/**
 * Whose signature a review in a carried record has. `vouch reconcile` copies records to commits git
 * did not carry notes to (cherry-pick, merge --squash...), marked `carriedFrom`. The copy is made
 * by whoever runs reconcile, not by the reviewer, so a carried record's own signature (older
 * versions of Vouch signed carried copies with the key of whoever ran reconcile) never counts for
 * its reviews: a review counts through the record it was carried from, followed to the original
 * (at most MAX_CARRY_DEPTH carries), in the note of the commit that record names, with that commit
 * as its subject. One rule for `vouch verify`, `notes show`, `blame`, `report` and the editor's hover.
 */
import { canonicalJson, type JsonValue } from './canonicalJson';
import type { ParsedNote } from './noteParser';
import type { NoteRange, NoteRecord } from './noteRecord';

/** Carries followed from a carried record back to its original, at most. */
export const MAX_CARRY_DEPTH = 8;

/** What following a carry needs: a commit's Vouch note, and a commit's `git patch-id --stable` (null: empty diff). */
export interface CarryChainSource {
  readNote(commit: string): Promise<ParsedNote | undefined>;
  patchIdOf(commit: string): Promise<string | null>;
}

/** One carry checked: the record it names exists where it says, and a patch-id match has equal patch ids. */
export type CarryLinkCheck = { readonly ok: true; readonly source?: NoteRecord } | { readonly ok: false; readonly detail: string; readonly sourceFound: boolean };

/**
 * Where a record's reviews are signed. `own`: the record is not carried; its own signatures, over
 * `commit`. `original`: carried; the original record, in the note of `commit` (the commit it names).
 * `broken`: carried, but the chain does not check out (`sourceFound`: a record was found, and does
 * not match), or is longer than MAX_CARRY_DEPTH.
 */
export type CarryOrigin =
  | { readonly kind: 'own' }
  | { readonly kind: 'original'; readonly commit: string; readonly record: NoteRecord; readonly carries: number }
  | { readonly kind: 'broken'; readonly detail: string; readonly sourceFound: boolean };

/** Follows carried records to their originals; each link and origin is worked out once per instance. */
export class CarryChains {
  private readonly links = new Map<string, Promise<CarryLinkCheck>>();
  private readonly origins = new Map<string, Promise<CarryOrigin>>();
  private readonly patchIds = new Map<string, Promise<string | null>>();

  constructor(private readonly source: CarryChainSource) {}

  /**
   * One carry of `record`, found in the note of `commit`: it was written for `commit`, its patchId
   * is the commit's, the record it names is in the note of the commit it names (written for that
   * commit, unless itself carried), and a patch-id match really has equal patch ids. `{ ok: true }`
   * without a source for a record that is not carried.
   */
  linkCheck(commit: string, record: NoteRecord): Promise<CarryLinkCheck> {
    const key = `${commit}\0${record.recordId}`;
    let check = this.links.get(key);
    if (!check) {
      check = this.computeLinkCheck(commit, record);
      this.links.set(key, check);
    }
    return check;
  }

  /** Where the reviews of `record` (in the note of `commit`) are signed: see CarryOrigin. */
  origin(commit: string, record: NoteRecord): Promise<CarryOrigin> {
    if (!record.statement.predicate.carriedFrom) return Promise.resolve({ kind: 'own' });
    const key = `${commit}\0${record.recordId}`;
    let origin = this.origins.get(key);
    if (!origin) {
      origin = this.computeOrigin(commit, record);
      this.origins.set(key, origin);
    }
    return origin;
  }

  private patchIdOf(commit: string): Promise<string | null> {
    let id = this.patchIds.get(commit);
    if (!id) {
      id = this.source.patchIdOf(commit);
      this.patchIds.set(commit, id);
    }
    return id;
  }

  private async computeLinkCheck(commit: string, record: NoteRecord): Promise<CarryLinkCheck> {
    const predicate = record.statement.predicate;
    const carried = predicate.carriedFrom;
    if (!carried) return { ok: true };
    if (predicate.commit !== commit) return { ok: false, sourceFound: false, detail: `written for ${predicate.commit.slice(0, 12)}, not this commit` };
    const patchId = await this.patchIdOf(commit);
    if (predicate.patchId !== patchId) return { ok: false, sourceFound: false, detail: `its patchId ${String(predicate.patchId).slice(0, 12)} is not the commit's (${String(patchId).slice(0, 12)})` };
    const sourceNote = await this.source.readNote(carried.commit);
    const source = sourceNote?.records.find((candidate) => candidate.recordId === carried.recordId);
    if (!source) return { ok: false, sourceFound: false, detail: `the record it names (${carried.recordId.slice(0, 12)}) is not in the note of ${carried.commit.slice(0, 12)}` };
    if (source.statement.predicate.commit !== carried.commit && !source.statement.predicate.carriedFrom) {
      return { ok: false, sourceFound: true, detail: `the record it names was written for ${source.statement.predicate.commit.slice(0, 12)}, not ${carried.commit.slice(0, 12)}` };
    }
    if (carried.match === 'patch-id' && source.statement.predicate.patchId !== predicate.patchId) return { ok: false, sourceFound: true, detail: 'carried by patch-id, but the patch ids differ' };
    return { ok: true, source };
  }

  private async computeOrigin(commit: string, record: NoteRecord): Promise<CarryOrigin> {
    let atCommit = commit;
    let at = record;
    for (let carries = 1; carries <= MAX_CARRY_DEPTH; carries++) {
      const named = at.statement.predicate.carriedFrom?.commit ?? '';
      const link = await this.linkCheck(atCommit, at);
      if (!link.ok) return { kind: 'broken', sourceFound: link.sourceFound, detail: carries === 1 ? link.detail : `the record it was carried from (on ${atCommit.slice(0, 12)}): ${link.detail}` };
      const source = link.source as NoteRecord;
      if (!source.statement.predicate.carriedFrom) return { kind: 'original', commit: named, record: source, carries };
      atCommit = named;
      at = source;
    }
    return { kind: 'broken', sourceFound: true, detail: `carried more than ${MAX_CARRY_DEPTH} times; the original record was not looked for further` };
  }
}

/**
 * The range of `original` that a carried range copies: the same file, lines (hash) and review (a
 * carry copies a range whole and moves only its line numbers). Undefined when there is none: the
 * review was not in the record it claims to come from, so no signature of it exists.
 */
export function originalRangeOf(original: NoteRecord, path: string, range: NoteRange): NoteRange | undefined {
  const review = canonicalJson(range.review as unknown as JsonValue);
  const file = original.statement.predicate.files.find((candidate) => candidate.path === path);
  return file?.ranges.find((candidate) => candidate.sha256 === range.sha256 && (canonicalJson(candidate.review as unknown as JsonValue) === review || restatesFirstShapeReview(original, candidate, range)));
}

/**
 * Whether `carried` holds the review of `candidate`, a range of a first-shape record (whose review
 * hashed the reviewed span's text), as reconcile carries it: the same review with the lines' hash
 * as its textHash (recordCheck's reviewAsWrittenNow).
 */
function restatesFirstShapeReview(original: NoteRecord, candidate: NoteRange, carried: NoteRange): boolean {
  if (!original.firstShape || candidate.review === null || carried.review === null || carried.review.textHash !== carried.sha256) return false;
  return canonicalJson({ ...candidate.review, textHash: carried.sha256 } as unknown as JsonValue) === canonicalJson(carried.review as unknown as JsonValue);
}

/**
 * The record whose signatures are the signatures of a range's review, and the commit that record
 * must be made for; or why there is none (`unsigned`: no record holds this review; `wrong-subject`:
 * the carry names a record that does not match). `carriedFrom`: the original's commit, for a carried record.
 */
export type ReviewSigner =
  | { readonly ok: true; readonly commit: string; readonly record: NoteRecord; readonly carriedFrom?: string }
  | { readonly ok: false; readonly verdict: 'unsigned' | 'wrong-subject'; readonly detail: string; readonly carried: true };

export function reviewSignerOf(commit: string, record: NoteRecord, origin: CarryOrigin, path: string, range: NoteRange): ReviewSigner {
  if (origin.kind === 'own') return { ok: true, commit, record };
  if (origin.kind === 'broken') {
    return { ok: false, carried: true, verdict: origin.sourceFound ? 'wrong-subject' : 'unsigned', detail: `carried record: ${origin.detail}; its own signature is never the review's` };
  }
  if (!originalRangeOf(origin.record, path, range)) {
    return { ok: false, carried: true, verdict: 'unsigned', detail: `carried record: the review is not in the record it was carried from (${origin.record.recordId.slice(0, 12)} on ${origin.commit.slice(0, 12)}), so nobody signed it` };
  }
  return { ok: true, commit: origin.commit, record: origin.record, carriedFrom: origin.commit };
}

/** How many signatures the review of a range carries (0 when no record holds it): what "signature present" counts. */
export function reviewSignatureCount(signer: ReviewSigner): number {
  return signer.ok ? signer.record.envelope.signatures.length : 0;
}

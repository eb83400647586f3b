/**
 * What `vouch verify` checks beyond line hashes: signatures against the auditor's allowed signers
 * (per reviewed range: who vouched, and whether that is signed by them), the chain of a carried
 * record (its patchId and the record it names), and that a review's textHash is the hash of the
 * lines it vouches for.
 */
import { treesOfCommits } from '../../git/commitLog';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../../git/atomicWrite';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { canonicalJson, type JsonValue } from '../../core/notes/canonicalJson';
import type { DsseEnvelope, NoteRange, NoteRecord } from '../../core/notes/noteRecord';
import { parseClaimEnvelope } from '../../core/signing/attributionClaim';
import { sha256Hex } from '../../core/textHash';
import { parseAllowedSigners } from '../../core/signing/allowedSigners';
import { carryChainsOf } from '../../git/notes/carryChains';
import { reviewSignerOf, type CarryChains } from '../../core/notes/carryChain';
import { findProgram } from '../../git/signing/boundedProcess';
import { keyringBytes, type OpenPgpKeyring } from '../../git/signing/openpgpVerify';
import { SignatureVerifier, type SignatureFinding, type SignatureVerdict } from '../../git/signing/recordVerifier';
import { readOptionFile } from '../boundedInput';
import { CliUsageError } from '../commandErrors';
import type { NotesContext } from './notesCommon';
import { errorMessage } from '../../core/errorMessage';

const MAX_ALLOWED_SIGNERS_BYTES = 4 * 1024 * 1024;
const MAX_OPENPGP_KEYRING_BYTES = 16 * 1024 * 1024;

/**
 * The auditor's OpenPGP keyring (an export, armored or binary), copied in binary form to a private
 * temporary file for gpgv, removed when the command's process exits.
 */
async function loadOpenPgpKeyring(keyringPath: string): Promise<OpenPgpKeyring> {
  const read = await readOptionFile('--openpgp-keyring', keyringPath, keyringPath, MAX_OPENPGP_KEYRING_BYTES);
  let bytes: Buffer | undefined;
  try {
    bytes = keyringBytes(read);
  } catch (error) {
    throw new CliUsageError(`cannot read --openpgp-keyring ${keyringPath}: ${errorMessage(error)}`);
  }
  if (!bytes || bytes.length === 0) throw new CliUsageError(`--openpgp-keyring ${keyringPath}: no OpenPGP public key in it (export one with gpg --export)`);
  let gpgv: string;
  let gpg: string;
  try {
    gpgv = findProgram('gpgv');
    gpg = findProgram('gpg');
  } catch {
    throw new CliUsageError('--openpgp-keyring needs gpgv and gpg (GnuPG) on PATH');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-keyring-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const copy = path.join(dir, 'auditor.gpg');
  await writeFileAtomic(copy, bytes, { mode: 0o600 });
  return { path: copy, gpgv, gpg };
}

export interface RangeSignature {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** reviewer: who vouched (the review's email); agent: who wrote the lines (the claim's principal). */
  readonly role: 'reviewer' | 'agent';
  readonly principal: string;
  readonly verdict: SignatureVerdict;
  readonly keyid?: string;
  readonly detail: string;
  /**
   * An agent claim's identity (sha256 of its canonical envelope): a later approval repeats a range
   * whole, its claim too, so one claim may be judged once per record; count claims by this.
   */
  readonly claimId?: string;
}

export class VerifyChecks {
  private readonly trees = new Map<string, string>();
  private readonly chains: CarryChains;

  private constructor(
    private readonly context: NotesContext,
    private readonly verifier: SignatureVerifier | undefined,
  ) {
    this.chains = carryChainsOf(context.git, context.topLevel, context.reader);
  }

  /**
   * `allowedSignersPath`: the auditor's file (never one from the repository under verification).
   * Without one, signatures are checked only when they are required, and then nobody's counts.
   */
  static async open(context: NotesContext, allowedSignersPath: string | undefined, requireSigned = false, openpgpKeyringPath?: string): Promise<VerifyChecks> {
    const openpgpKeyring = openpgpKeyringPath === undefined ? undefined : await loadOpenPgpKeyring(openpgpKeyringPath);
    if (allowedSignersPath === undefined) {
      if (openpgpKeyring) return new VerifyChecks(context, new SignatureVerifier(parseAllowedSigners(''), { allowedSignersPath: '', openpgpKeyring }));
      return requireSigned ? new VerifyChecks(context, new SignatureVerifier(parseAllowedSigners(''), { allowedSignersPath: '', trustsNobody: true })) : new VerifyChecks(context, undefined);
    }
    const bytes = await readOptionFile('--allowed-signers', allowedSignersPath, allowedSignersPath, MAX_ALLOWED_SIGNERS_BYTES);
    const file = parseAllowedSigners(bytes);
    // ssh-keygen skips a line it cannot parse and reads on; so does the verdict here. Say which, so a typo is seen.
    for (const problem of file.problems) context.logger.warn(`vouch: --allowed-signers ${allowedSignersPath}: line ${problem.line} skipped, as ssh-keygen skips it: ${problem.reason}`);
    let sshKeygen: string | undefined;
    try {
      sshKeygen = findProgram('ssh-keygen');
    } catch {
      sshKeygen = undefined; // certificates and security keys then count as unknown signers
    }
    return new VerifyChecks(context, new SignatureVerifier(file, { allowedSignersPath, sshKeygen, openpgpKeyring }));
  }

  get checksSignatures(): boolean {
    return this.verifier !== undefined;
  }

  /** Reads the trees of `commits` in one git process (the subject check needs them). */
  async prepare(commits: readonly string[]): Promise<void> {
    if (!this.verifier || commits.length === 0) return;
    for (const [commit, tree] of await treesOfCommits(this.context.git, this.context.topLevel, commits)) this.trees.set(commit, tree);
  }

  /**
   * For a carried record: its patchId is the commit's, the record it names is in the notes of the
   * commit it names, and a patch-id match really has equal patch ids. Undefined detail when fine.
   */
  async carryCheck(commit: string, record: NoteRecord): Promise<{ ok: boolean; detail?: string }> {
    const check = await this.chains.linkCheck(commit, record);
    return check.ok ? { ok: true } : { ok: false, detail: check.detail };
  }

  /** The signature verdict of every accepted range of `record` on `commit`, for its reviewer. */
  async rangeSignatures(commit: string, record: NoteRecord): Promise<RangeSignature[]> {
    const verifier = this.verifier;
    if (!verifier) return [];
    const found: RangeSignature[] = [];
    for (const file of record.statement.predicate.files) {
      for (const range of file.ranges) {
        if (range.agentClaim) found.push(await this.agentFinding(file.path, range, range.agentClaim));
        if (range.review?.decision !== 'accepted') continue;
        const principal = range.review.reviewer.email;
        const finding = await this.findingFor(commit, record, file.path, range, principal, Date.parse(range.review.reviewedAt));
        found.push({ path: file.path, start: range.start, end: range.end, role: 'reviewer', principal, ...finding });
      }
    }
    return found;
  }

  /** The verdict of an agent's claim over a range: signed by its principal, about exactly these lines. */
  private async agentFinding(path: string, range: NoteRange, envelope: DsseEnvelope): Promise<RangeSignature> {
    const where = { path, start: range.start, end: range.end, role: 'agent' as const };
    const parsed = parseClaimEnvelope(envelope);
    if (!parsed.ok) return { ...where, principal: '?', verdict: 'bad-signature', detail: `unreadable claim: ${parsed.reason}`, claimId: sha256Hex(canonicalJson(envelope as unknown as JsonValue)) };
    const claim = parsed.value.claim;
    const subject =
      claim.path !== path
        ? { ok: false, detail: `the claim is about ${claim.path}` }
        : claim.sha256 !== range.sha256
          ? { ok: false, detail: 'the claim is about other lines (their hash differs)' }
          : { ok: true };
    const signed = { line: canonicalJson(envelope as unknown as JsonValue), envelope: parsed.value.envelope, payloadBytes: parsed.value.payloadBytes };
    const finding = await (this.verifier as SignatureVerifier).verdict(signed, claim.principal, Date.parse(claim.createdAt), subject);
    return { ...where, principal: claim.principal, ...finding, claimId: sha256Hex(signed.line) };
  }

  /**
   * The verdict of `principal`'s review of `range`: over the record's own signatures, or for a
   * carried record over the original's (carryChain.ts), never the carrier's.
   */
  private async findingFor(commit: string, record: NoteRecord, path: string, range: NoteRange, principal: string, time: number): Promise<SignatureFinding> {
    const verifier = this.verifier as SignatureVerifier;
    const signer = reviewSignerOf(commit, record, await this.chains.origin(commit, record), path, range);
    if (!signer.ok) return { verdict: signer.verdict, detail: signer.detail };
    const predicate = signer.record.statement.predicate;
    // The tree is known for the commits under verification (an original elsewhere is checked by its commit).
    const tree = signer.carriedFrom === undefined ? this.trees.get(commit) : undefined;
    const subject: { ok: boolean; detail?: string } =
      predicate.commit !== signer.commit
        ? { ok: false, detail: `the record was made for commit ${predicate.commit.slice(0, 12)}, not ${signer.carriedFrom === undefined ? 'this one' : signer.commit.slice(0, 12)} (copied by a history rewrite or by hand)` }
        : tree !== undefined && predicate.tree !== tree
          ? { ok: false, detail: `the record names tree ${predicate.tree.slice(0, 12)}, the commit has ${tree.slice(0, 12)}` }
          : { ok: true };
    const finding = await verifier.verdict(signer.record, principal, time, subject);
    if (signer.carriedFrom === undefined) return finding;
    return { ...finding, detail: `${finding.detail} (that of the review's own record: this one was carried from ${signer.carriedFrom.slice(0, 12)})` };
  }
}

/**
 * `vouch verify [<range>]`: the CI gate. Every AI range recorded in the notes of the commits in
 * the range must be reviewed (accepted), still match the commit's lines, and (with
 * --require-signed) be signed. Commits without Vouch records pass.
 */
import { firstShallowBoundary, revListOfRange } from '../../git/commitLog';
import { display, displayComposed, ownText } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { rangeAiShare, type NoteRecord } from '../../core/notes/noteRecord';
import type { ParsedNote } from '../../core/notes/noteParser';
import type { RecordCheck } from '../../core/notes/recordCheck';
import { DEFAULT_SEARCH_BUDGET_CHARS, SearchBudget } from '../../core/notes/lineSearch';
import { CommitIdList } from '../../git/commitIdList';
import { readRef, resolveCommit } from '../../git/revisions';
import type { CliCommand, CliIo } from '../cli';
import { CliFailure, CliUsageError, runCliCommand } from '../commandErrors';
import { DEFAULT_MAX_COMMITS, positiveIntegerOption, printHelp, rangeArgument } from '../commandOptions';
import { openNotesContext, type NotesContext } from './notesCommon';
import { POLICY_HELP, POLICY_OPTIONS, policyFromOptions, policyText } from './rangePolicy';
import { withApprovalsAndPolicy } from './verifyPolicy';
import { writeStreamedJson, type JsonElementStream } from '../streamedJson';
import { VerifyChecks, type RangeSignature } from './verifyChecks';

const DEFAULT_BASE_REF = 'refs/remotes/origin/HEAD';

const HELP = `Usage: vouch verify [<range>] [--allowed-signers FILE] [--openpgp-keyring FILE] [--require-signed]
                    [--json] [--max-commits N]
                    [--policy FILE [--policy-from-base] [--base REV]]

Checks the Vouch notes (refs/notes/vouch) of every commit in <range> (default:
origin/HEAD..HEAD when origin/HEAD exists, else the last commit; a single commit
checks only that commit) and fails when a commit holds AI-written lines that are
  unreviewed             no human accepted them (or their text changed after the
                         review); a line with any AI character counts,
  rejected-but-present   a human rejected them but the lines are still there,
  stale                  the recorded lines no longer match the commit's files,
  reviewed-text-differs  the lines differ from the text the reviewer accepted,
  bad-carry              a carried record's patchId or origin does not check out,
or when a record in a note cannot be read. With --allowed-signers, each accepted range
is checked for a signature by its reviewer; with --require-signed a range fails unless
that signature is valid: otherwise it is unsigned, bad-signature, unknown-signer or
wrong-subject. AI lines approved later ('vouch approve', a record of its own) count as
reviewed. With --policy, every failure of the policy is a problem of kind "policy" that
names the rule, the file and lines, and what would satisfy it; the policy's
maxUnreviewedShare then decides about unreviewed lines, and the output names the policy
and the allowed-signers file used. Commits without Vouch records pass. Fetch the notes first:
  git fetch origin 'refs/notes/vouch:refs/notes/vouch'

Options:
  --allowed-signers FILE  git's allowed signers file ("principal [options] keytype key"),
                    supplied by you, never taken from the repository; signatures must be
                    for namespace vouch-attestation-v1 by a key listed for the reviewer
  --openpgp-keyring FILE  the auditor's OpenPGP public keys (gpg --export, armored or not),
                    never the repository's; an OpenPGP signature counts when gpgv checks it
                    with these keys only and a user id of the key names the reviewer's email
  --require-signed  fail on accepted ranges without a valid reviewer signature
                    (without --allowed-signers nobody's signature counts)
${POLICY_HELP}
  --json            print the result as JSON
  --max-commits N   check at most N commits (default ${DEFAULT_MAX_COMMITS}); more fails
  -h, --help        show this help

A range that reaches a shallow clone's boundary fails (exit 1): fetch the whole history.

Exit status: 0 all AI code in the range is reviewed and valid; 1 verification failed
(or an error, or a shallow clone lacks commits of the range); 2 usage error.
`;

export type VerifyProblemKind =
  | 'unreviewed'
  | 'rejected-but-present'
  | 'stale'
  | 'reviewed-text-differs'
  | 'bad-carry'
  | 'unsigned'
  | 'bad-signature'
  | 'unknown-signer'
  | 'wrong-subject'
  | 'unreadable-record'
  | 'policy'
  /** Only in `vouch report --verify`: the range reaches a shallow clone's boundary, where `vouch verify` fails outright. */
  | 'incomplete-history';

export interface VerifyProblem {
  readonly commit: string;
  readonly kind: VerifyProblemKind;
  /** Undefined for unreadable records. */
  readonly recordId?: string;
  readonly path?: string;
  readonly start?: number;
  readonly end?: number;
  readonly message: string;
}

export interface VerifiedCommit {
  readonly commit: string;
  readonly records: number;
  readonly aiLines: number;
  readonly reviewedLines: number;
  readonly problems: readonly VerifyProblem[];
  /** With --allowed-signers: the signature verdict of every accepted range and agent claim, per record (a claim repeated by an approval record shares its claimId). */
  readonly signatures?: readonly RangeSignature[];
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly range: string;
  readonly requireSigned: boolean;
  readonly commits: VerifiedCommits;
  readonly problems: readonly VerifyProblem[];
}

/** A VerifyResult as `vouch verify --json` prints it. */
export type VerifyResultJson = Omit<VerifyResult, 'commits'> & { readonly commits: readonly VerifiedCommit[] };

export const verifyCommand: CliCommand = {
  summary: 'fail unless all AI code in a commit range is reviewed and valid (for CI)',
  run: (args, io) => runCliCommand('verify', io, () => runVerify(args, io)),
};

async function runVerify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      'require-signed': { type: 'boolean' },
      'allowed-signers': { type: 'string' },
      'openpgp-keyring': { type: 'string' },
      ...POLICY_OPTIONS,
      json: { type: 'boolean' },
      'max-commits': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printHelp(io, HELP);
  const given = rangeArgument(positionals);
  const maxCommits = positiveIntegerOption(values['max-commits'], DEFAULT_MAX_COMMITS, '--max-commits');
  const context = await openNotesContext(io);
  const checks = await VerifyChecks.open(context, values['allowed-signers'], values['require-signed'] === true, values['openpgp-keyring']);
  const { range, commits, walked, shallowBoundary } = await commitIdsToVerify(context, given, maxCommits);
  // Exit 1, not 2: the range is well formed, but what it holds cannot be verified here, and a gate
  // must not pass what it could not see. A single commit is not walked; a range fully inside the
  // fetched history (every commit's parents present) lists no boundary commit and verifies as usual.
  if (walked && shallowBoundary !== undefined) throw new CliFailure(`${shallowRangeMessage(range, shallowBoundary)}, then verify again`);
  const loadedPolicy = await policyFromOptions(context, io.cwd, range, values);
  const checked = await verifyCommits(context, range, commits, values['require-signed'] === true, checks);
  // Approvals added later (vouch approve) and the policy: see verifyPolicy.ts.
  const result = await withApprovalsAndPolicy(context, checked, loadedPolicy, values['allowed-signers']);
  if (values.json) {
    // Written as produced, waiting for the reader between pieces: neither the range nor its text is held whole.
    await writeStreamedJson(result, (text) => io.stdout(ownText(text)), io.stdoutDrained);
    io.stdout(ownText('\n'));
  } else printResult(io, result);
  if (!values.json && result.policy) io.stdout(displayComposed(policyText(result.policy, values['allowed-signers'])));
  return result.ok ? 0 : 1;
}

/** The commits of a range to check, oldest first, and where a shallow clone cut them short. */
export interface RangeCommits<Commits> {
  readonly range: string;
  readonly commits: Commits;
  /**
   * A listed commit whose parents this shallow clone lacks: a walked range stopped there, so its
   * older commits are missing, and that commit's own changes cannot be told (it looks like a root).
   */
  readonly shallowBoundary?: string;
  /** Whether the commits are a walk of a range (not the one commit a single revision names). */
  readonly walked: boolean;
}

/** The commits of `given` (oldest first) as their ids: see commitIdsToVerify. */
export async function commitsToVerify(context: NotesContext, given: string | undefined, maxCommits: number): Promise<RangeCommits<string[]>> {
  const listed = await commitIdsToVerify(context, given, maxCommits);
  return { ...listed, commits: [...listed.commits] };
}

/**
 * The commits of `given` (default origin/HEAD..HEAD, else HEAD), oldest first, held as git's output
 * bytes (a range of 100,000 commits is one 4 MB buffer, not 100,000 strings).
 */
export async function commitIdsToVerify(context: NotesContext, given: string | undefined, maxCommits: number): Promise<RangeCommits<CommitIdList>> {
  let range = given;
  if (range === undefined) {
    range = (await readRef(context.git, context.topLevel, DEFAULT_BASE_REF)) ? 'origin/HEAD..HEAD' : 'HEAD';
  }
  let commits: CommitIdList;
  const walked = range.includes('..') || /[\^@]/.test(range.replace(/@\{[^}]*\}/g, ''));
  if (!walked) {
    // One revision: that commit alone (git rev-list would walk its whole history).
    commits = CommitIdList.of([await resolveCommit(context.git, context.topLevel, range)]);
  } else {
    const listed = await revListOfRange(context.git, context.topLevel, range, maxCommits + 1);
    if ('problem' in listed) throw new CliUsageError(`not a commit range: ${range}: ${listed.problem}`);
    commits = CommitIdList.fromRevList(listed.output, { reverse: true });
    if (commits.length > maxCommits) throw new CliUsageError(`${range} has more than ${maxCommits} commits; narrow the range or raise --max-commits`);
  }
  const shallowBoundary = await firstShallowBoundary(context.git, context.topLevel, commits);
  return { range, commits, walked, ...(shallowBoundary === undefined ? {} : { shallowBoundary }) };
}

/** What to do about a range a shallow clone cut short (said once, for verify's message, report's and the docs). */
export function shallowRangeMessage(range: string, boundary: string): string {
  return `${range} reaches the boundary of this shallow clone at ${boundary.slice(0, 12)}: the commits before it are not here. Fetch the whole history (actions/checkout: fetch-depth: 0; or git fetch --unshallow) and the notes`;
}

/** Commits in order, as an array or a CommitIdList. */
export type CommitSequence = Iterable<string> & { readonly length: number };

/**
 * Every commit of a verified range, oldest first: the commits with a note as checked, the others
 * (no records, nothing to check) made only when listed, so a range of 100,000 commits holds one
 * small object per noted commit. JSON lists them all.
 */
export class VerifiedCommits implements Iterable<VerifiedCommit>, JsonElementStream {
  constructor(
    private readonly all: CommitSequence,
    /** The commits that have a note, in range order. */
    readonly withNotes: readonly VerifiedCommit[],
  ) {}

  get length(): number {
    return this.all.length;
  }

  /** The same range with `change` applied to each commit that has a note. */
  mapWithNotes(change: (item: VerifiedCommit) => VerifiedCommit): VerifiedCommits {
    return new VerifiedCommits(this.all, this.withNotes.map(change));
  }

  *[Symbol.iterator](): Iterator<VerifiedCommit> {
    let next = 0;
    for (const commit of this.all) {
      const noted = this.withNotes[next];
      if (noted?.commit === commit) {
        next++;
        yield noted;
      } else {
        yield { commit, records: 0, aiLines: 0, reviewedLines: 0, problems: [] };
      }
    }
  }

  toJSON(): VerifiedCommit[] {
    return [...this];
  }

  /** `vouch verify --json` writes the commits one at a time (see streamedJson.ts). */
  jsonElements(): Iterable<VerifiedCommit> {
    return this;
  }
}

/** Noted commits checked together: their note blobs, parsed records and file lines are held at once, no more. */
const NOTED_COMMITS_PER_BATCH = 200;

export async function verifyCommits(
  context: NotesContext,
  range: string,
  commits: CommitSequence,
  requireSigned: boolean,
  givenChecks?: VerifyChecks,
): Promise<VerifyResult> {
  const checks = givenChecks ?? (await VerifyChecks.open(context, undefined, requireSigned));
  const searchBudget = new SearchBudget(RUN_SEARCH_BUDGET_CHARS);
  const noteBlobs = await context.reader.listNotes();
  const verified: VerifiedCommit[] = [];
  let batch: string[] = [];
  for (const commit of commits) {
    if (!noteBlobs.has(commit)) continue;
    batch.push(commit);
    if (batch.length >= NOTED_COMMITS_PER_BATCH) {
      verified.push(...(await verifyNotedCommits(context, batch, noteBlobs, requireSigned, checks, searchBudget)));
      batch = [];
    }
  }
  if (batch.length > 0) verified.push(...(await verifyNotedCommits(context, batch, noteBlobs, requireSigned, checks, searchBudget)));
  const problems = verified.flatMap((item) => item.problems);
  return { ok: problems.length === 0, range, requireSigned, commits: new VerifiedCommits(commits, verified), problems };
}

/**
 * The hashing searches for moved ranges of a whole range of commits (each commit's within its own
 * budget): notes pushed onto many commits cannot make a CI run last minutes per commit.
 */
const RUN_SEARCH_BUDGET_CHARS = 8 * DEFAULT_SEARCH_BUDGET_CHARS;

async function verifyNotedCommits(
  context: NotesContext,
  commits: readonly string[],
  noteBlobs: ReadonlyMap<string, string>,
  requireSigned: boolean,
  checks: VerifyChecks,
  searchBudget: SearchBudget,
): Promise<VerifiedCommit[]> {
  const parsed = await context.reader.readNoteBlobs(commits.map((commit) => noteBlobs.get(commit) as string));
  const notes = new Map(commits.map((commit) => [commit, parsed.get(noteBlobs.get(commit) as string) as ParsedNote]));
  await checks.prepare(commits);
  const noteChecks = await context.reader.checkCommitNotes(notes, searchBudget);
  const verified: VerifiedCommit[] = [];
  for (const [commit, note] of notes) {
    const check = noteChecks.get(commit);
    const problems: VerifyProblem[] = note.rejected.map((item) => ({
      commit,
      kind: 'unreadable-record' as const,
      message: `note line ${item.line} is not a readable Vouch record: ${item.reason}`,
    }));
    // Lines, not ranges: an approval (vouch approve) names the same lines again.
    const aiLines = new LineUnion();
    const reviewedLines = new LineUnion();
    const signatures: RangeSignature[] = [];
    // One agent claim fails once, however many records of the commit repeat its range (vouch approve).
    const failedClaims = new Set<string>();
    for (const [index, record] of note.records.entries()) {
      const counted = recordProblems(commit, record, check?.records[index]);
      problems.push(...counted.problems);
      for (const range of counted.aiRanges) aiLines.add(range);
      for (const range of counted.reviewedRanges) reviewedLines.add(range);
      if (record.statement.predicate.carriedFrom) {
        const carry = await checks.carryCheck(commit, record);
        if (!carry.ok) problems.push({ commit, kind: 'bad-carry', recordId: record.recordId, message: `record ${record.recordId.slice(0, 12)} is marked as carried, but ${carry.detail}` });
      }
      const found = await checks.rangeSignatures(commit, record);
      signatures.push(...found);
      if (requireSigned) {
        for (const item of found) {
          if (item.verdict === 'valid') continue;
          if (item.claimId !== undefined) {
            if (failedClaims.has(item.claimId)) continue;
            failedClaims.add(item.claimId);
          }
          problems.push({ commit, kind: item.verdict, recordId: record.recordId, path: item.path, start: item.start, end: item.end, message: `${item.path}:${item.start}-${item.end}: ${item.role === 'agent' ? 'written by agent' : 'vouched for by'} ${item.principal}: ${item.verdict}: ${item.detail}` });
        }
      }
    }
    verified.push({ commit, records: note.records.length, aiLines: aiLines.count(), reviewedLines: reviewedLines.count(), problems, ...(checks.checksSignatures ? { signatures } : {}) });
  }
  return verified;
}

interface LinesOfFile {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/** How many distinct lines some ranges of a commit's files cover. */
class LineUnion {
  private readonly byPath = new Map<string, [number, number][]>();

  add(range: LinesOfFile): void {
    const list = this.byPath.get(range.path) ?? [];
    list.push([range.start, range.end]);
    this.byPath.set(range.path, list);
  }

  count(): number {
    let total = 0;
    for (const list of this.byPath.values()) {
      list.sort((a, b) => a[0] - b[0]);
      let reached = 0;
      for (const [start, end] of list) {
        const from = Math.max(start, reached + 1);
        if (end >= from) total += end - from + 1;
        reached = Math.max(reached, end);
      }
    }
    return total;
  }
}

function recordProblems(commit: string, record: NoteRecord, check: RecordCheck | undefined): { problems: VerifyProblem[]; aiRanges: LinesOfFile[]; reviewedRanges: LinesOfFile[] } {
  const problems: VerifyProblem[] = [];
  const recordId = record.recordId;
  const aiRanges: LinesOfFile[] = [];
  const reviewedRanges: LinesOfFile[] = [];
  record.statement.predicate.files.forEach((file, fileIndex) => {
    file.ranges.forEach((range, rangeIndex) => {
      const lines = range.end - range.start + 1;
      aiRanges.push({ path: file.path, start: range.start, end: range.end });
      const rangeCheck = check?.files[fileIndex]?.ranges[rangeIndex];
      const status = rangeCheck?.status ?? 'stale';
      const where = { commit, recordId, path: file.path, start: range.start, end: range.end };
      const at = `${file.path}:${range.start}-${range.end}`;
      const tool = `${range.origin.tool}${range.origin.model ? `/${range.origin.model}` : ''}`;
      if (range.review?.decision === 'rejected') {
        // Rejected code that is gone is fine; rejected code that is still there is not.
        if (status !== 'stale') problems.push({ ...where, kind: 'rejected-but-present', message: `${at}: AI lines (${tool}) rejected by ${range.review.reviewer.name} are still in the commit` });
        return;
      }
      if (status === 'stale') {
        problems.push({ ...where, kind: 'stale', message: `${at}: the recorded AI lines (${tool}) no longer match the commit's file${rangeCheck?.reason ? ` (${rangeCheck.reason})` : ''}` });
        return;
      }
      if (!range.review) {
        // No review, or the text changed after it (the writer records no review then): the same rule as `vouch check`.
        const share = rangeAiShare(range);
        const mixed = share < 1 ? `, ${Math.round(share * 1000) / 10}% of their characters AI` : '';
        problems.push({ ...where, kind: 'unreviewed', message: `${at}: ${lines} AI line(s) (${tool}${mixed}) have no review of their committed text` });
        return;
      }
      if (rangeCheck?.reviewCovers === false) {
        problems.push({ ...where, kind: 'reviewed-text-differs', message: `${at}: the lines differ from the text ${range.review.reviewer.name} accepted (changed after the review)` });
        return;
      }
      reviewedRanges.push({ path: file.path, start: range.start, end: range.end });
    });
  });
  return { problems, aiRanges, reviewedRanges };
}

/**
 * The range signatures of the commits, each agent claim once per commit: a later approval
 * (vouch approve) repeats the ranges it approves whole, their claims too (claimId tells them apart).
 */
export function distinctClaims(commits: readonly VerifiedCommit[]): RangeSignature[] {
  const distinct: RangeSignature[] = [];
  for (const item of commits) {
    const seen = new Set<string>();
    for (const entry of item.signatures ?? []) {
      if (entry.claimId !== undefined) {
        if (seen.has(entry.claimId)) continue;
        seen.add(entry.claimId);
      }
      distinct.push(entry);
    }
  }
  return distinct;
}

function printResult(io: CliIo, result: VerifyResult): void {
  for (const item of result.commits.withNotes) {
    if (item.problems.length === 0) continue;
    io.stdout(display`commit ${item.commit.slice(0, 12)}:\n`);
    for (const problem of item.problems) io.stdout(display`  ${problem.kind.padEnd(20)}  ${problem.message}\n`);
  }
  const signatures = distinctClaims(result.commits.withNotes);
  if (!result.requireSigned) {
    for (const item of signatures.filter((entry) => entry.verdict !== 'valid').slice(0, 50)) {
      io.stdout(display`  note: ${item.path}:${item.start}-${item.end} ${item.role === 'agent' ? 'written by agent' : 'vouched for by'} ${item.principal}: ${item.verdict}: ${item.detail}\n`);
    }
  }
  const withRecords = result.commits.withNotes.filter((item) => item.records > 0).length;
  const aiLines = result.commits.withNotes.reduce((sum, item) => sum + item.aiLines, 0);
  const reviewers = signatures.filter((entry) => entry.role === 'reviewer');
  const agents = signatures.filter((entry) => entry.role === 'agent');
  const valid = reviewers.filter((entry) => entry.verdict === 'valid').length;
  const agentClaims = agents.length > 0 ? `, ${agents.filter((entry) => entry.verdict === 'valid').length} of ${agents.length} agent claim(s) valid` : '';
  const signed = result.commits.withNotes.some((item) => item.signatures) ? `, ${valid} of ${reviewers.length} reviewed range(s) signed by their reviewer${agentClaims}` : '';
  const summary = `${result.commits.length} commit(s) in ${result.range}, ${withRecords} with Vouch records, ${aiLines} AI line(s)${signed}`;
  if (result.ok) io.stdout(display`vouch verify: OK: ${summary}; all AI code is reviewed and valid${result.requireSigned ? ' and signed' : ''}\n`);
  else io.stderr(display`vouch verify: FAILED: ${result.problems.length} problem(s); ${summary}\n`);
}

/**
 * `vouch blame <path> [--rev R] [--json]`: every line of a file with its commit and, when a note
 * records it as AI, its origin, review and record: the editor's hover, for terminals and scripts.
 * It reads blame and notes through the same BlameOverlay the editor uses.
 */
import { nestedRepositoryHolding, pathInRepository } from '../../git/repository';
import { readRegularFile } from '../../git/regularFile';
import { display, displayComposed, jsonOutput } from '../../core/text/displayText';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { splitLines } from '../../core/notes/lineRanges';
import type { BlameCommitInfo, CommittedAiLine, CommittedKnownHumanLine } from '../../core/visibility/committedLines';
import { BlameOverlay } from '../../git/blame/blameOverlay';
import { isUncommittedId } from '../../git/blame/blamePorcelain';
import type { GitRunner } from '../../git/gitRunner';
import { blobsAtPaths, isFileInCommit, readBlobs } from '../../git/blobReads';
import { headCommit, resolveCommit } from '../../git/revisions';
import type { ParsedNote } from '../../core/notes/noteParser';
import type { NoteRange } from '../../core/notes/noteRecord';
import { agentClaimLabel, agentClaimOf, NO_AGENT_CLAIM, UNCHECKED_SIGNATURES, type AgentClaimState, type SignatureVerdicts } from '../../core/report/signatureVerdicts';
import type { SignatureVerdict } from '../../git/signing/recordVerifier';
import { openNotesContext } from './notesCommon';
import { verdictsOf } from './rangePolicy';
import { VerifyChecks, type RangeSignature } from './verifyChecks';
import type { CliCommand, CliIo } from '../cli';
import { CliFailure, CliUsageError, runCliCommand } from '../commandErrors';
import { printable } from '../untrustedText';
import { missingFileFailure } from '../userPaths';
import { printHelp } from '../commandOptions';

export const BLAME_JSON_VERSION = 2;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const HELP = `Usage: vouch blame <path> [--rev R] [--json] [--allowed-signers FILE] [--openpgp-keyring FILE]

Prints every line of <path> (as saved in the working tree, or at commit R) with the
commit that last changed it and, when a note records the line as AI-written:
  origin   kind, tool, model, session, agent principal (when recorded)
  review   accepted/rejected, reviewer, intent, scope; or "not reviewed"; an accepted
           review of text changed after it says "(the text changed after this review)"
           (as 'vouch verify' fails it: reviewed-text-differs)
  record   where it came from (Vouch: refs/notes/vouch, or git-ai: refs/notes/ai)
           and whether the review is signed: "signed" only when the reviewer's signature
           verifies against the keys you give (as 'vouch verify' checks it); without keys,
           "signature present, not verified"
  agent    the agent principal of a signed attribution claim: named alone when its
           signature verifies, else "claim signature not verified" / "claim does not verify"
Lines git-ai records as typed by a known person are shown as human. Lines no note
covers are shown without attribution. Fetch the notes first to see others' records.

Options:
  --rev R       blame the file as it is in commit R
  --allowed-signers FILE   the auditor's allowed signers (as in 'vouch verify')
  --openpgp-keyring FILE   the auditor's OpenPGP public keys (as in 'vouch verify')
  --json        print JSON ("version": ${BLAME_JSON_VERSION}): { path, rev, lines: [...] }
  -h, --help    show this help

Exit status: 0 printed; 1 failed (no such file); 2 usage error (also a --rev git cannot resolve).
`;

export const blameCommand: CliCommand = {
  summary: 'show who (which AI or person) wrote each line of a file and who vouched for it',
  run: (args, io) => runCliCommand('blame', io, () => runBlame(args, io)),
};

export type BlameAttribution = 'ai' | 'known-human' | 'not-recorded' | 'uncommitted';

export interface BlameJsonLine {
  readonly line: number;
  readonly commit: string | null;
  readonly originalLine?: number;
  readonly originalPath?: string;
  readonly author?: string;
  readonly authorTime?: number;
  readonly summary?: string;
  readonly attribution: BlameAttribution;
  readonly source?: 'vouch' | 'git-ai';
  readonly origin?: {
    readonly kind?: string;
    readonly tool: string;
    readonly model?: string;
    readonly session?: string;
    readonly directedBy?: string;
    /** The principal an agent's attribution claim names, and whether its signature verified. */
    readonly agentPrincipal?: string;
    readonly agentClaim?: AgentClaimState | 'none';
  };
  readonly confidence?: string;
  readonly humanChangedShare?: number;
  /** null: recorded as not reviewed; absent: the source records no reviews (git-ai). */
  readonly review?: {
    readonly decision: string;
    readonly reviewer: { readonly name: string; readonly email: string };
    readonly reviewedAt: string;
    readonly intent: string;
    readonly scope: readonly string[];
    readonly scopeNote?: string;
  } | null;
  /**
   * For an accepted review: whether it covers the committed lines (as `vouch verify` and
   * `vouch notes show` decide); false: the text changed after this review (reviewed-text-differs).
   */
  readonly reviewCovers?: boolean;
  /**
   * signed: the reviewer's signature verifies against the auditor's keys; signaturePresent: the
   * record of the review carries a signature (verified or not): the record itself, or for a record
   * `vouch reconcile` carried, the record it was carried from (`carriedFrom`, its commit), never the
   * carrier (`carryProblem`: the carry does not check out, so no signature counts); signature: the
   * verdict, when keys were given and the range has an accepted review.
   */
  readonly record?: {
    readonly id: string;
    readonly signed: boolean;
    readonly signaturePresent: boolean;
    readonly signatures: number;
    readonly carriedFrom?: string;
    readonly carryProblem?: string;
    readonly signature?: { readonly verdict: SignatureVerdict; readonly detail: string; readonly keyid?: string };
  };
  readonly knownHuman?: string;
  readonly text: string;
}

async function runBlame(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { rev: { type: 'string' }, json: { type: 'boolean' }, 'allowed-signers': { type: 'string' }, 'openpgp-keyring': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return printHelp(io, HELP);
  if (positionals.length !== 1) throw new CliUsageError('give exactly one file path');
  const given = positionals[0];
  let context = await openNotesContext(io);
  const absolute = await userAbsolutePath(io.cwd, given);
  let repoPath = repositoryPath(await fs.realpath(context.topLevel), absolute, given);
  // A file of a submodule has its history and notes there, as `vouch mark` marks it there.
  const nested = await nestedRepositoryHolding(context.git, context.repository, absolute);
  if (nested) {
    context = await openNotesContext({ ...io, cwd: nested.topLevel });
    repoPath = repositoryPath(await fs.realpath(nested.topLevel), absolute, given);
    io.stderr(display`vouch blame: ${repoPath} is in the repository at ${nested.topLevel}; blaming it there\n`);
  }
  const { git, topLevel } = context;
  const keysGiven = values['allowed-signers'] !== undefined || values['openpgp-keyring'] !== undefined;
  const checks = keysGiven ? await VerifyChecks.open(context, values['allowed-signers'], false, values['openpgp-keyring']) : undefined;
  const rev = values.rev === undefined ? undefined : await resolveCommit(git, topLevel, values.rev).catch(() => {
    throw new CliUsageError(`no such commit: ${printable(values.rev)}`);
  });
  const text = rev === undefined ? await workingText(topLevel, repoPath, given) : await textAt(git, topLevel, rev, repoPath);
  if (rev === undefined) await assertCommittedAtHead(git, topLevel, repoPath);
  const overlay = new BlameOverlay(git, topLevel, context.logger);
  const annotation = await overlay.annotateFile(repoPath, rev);
  const signatures = await lineSignatures(annotation.aiLines, annotation.vouchNotes, checks);
  const textLines = splitLines(text);
  const ai = new Map(annotation.aiLines.map((line) => [line.line, line]));
  const humans = new Map(annotation.knownHumanLines.map((line) => [line.line, line]));
  const lines = annotation.blame.lines.map((entry) => jsonLine(entry.finalLine, entry.commit, entry.originalLine, entry.path, annotation.blame.commits.get(entry.commit), ai.get(entry.finalLine - 1), humans.get(entry.finalLine - 1), textLines[entry.finalLine - 1] ?? '', signatures));
  if (values.json) io.stdout(jsonOutput({ version: BLAME_JSON_VERSION, path: repoPath, rev: rev ?? null, lines }));
  else io.stdout(displayComposed(blameText(lines)));
  return 0;
}

/** What blame needs to say whether a line's review and agent claim are signed: verify's checks of the records shown. */
interface LineSignatures {
  readonly verdicts: SignatureVerdicts;
  /** The reviewer verdict of a record's range, by `commit\0recordId\0path\0start\0end`. */
  readonly reviewers: ReadonlyMap<string, RangeSignature>;
  /** The recorded range of a record, for its agent claim. */
  range(commit: string, recordId: string, path: string, start: number, end: number): NoteRange | undefined;
}

async function lineSignatures(aiLines: readonly CommittedAiLine[], notes: ReadonlyMap<string, ParsedNote>, checks: VerifyChecks | undefined): Promise<LineSignatures> {
  const shown = new Map<string, Set<string>>();
  for (const line of aiLines) {
    if (line.source !== 'vouch' || !line.record) continue;
    let ids = shown.get(line.commit);
    if (!ids) shown.set(line.commit, (ids = new Set()));
    ids.add(line.record.id);
  }
  const reviewers = new Map<string, RangeSignature>();
  const perCommit: { commit: string; signatures: RangeSignature[] }[] = [];
  if (checks) {
    await checks.prepare([...shown.keys()]);
    for (const [commit, ids] of shown) {
      const found: RangeSignature[] = [];
      for (const record of notes.get(commit)?.records ?? []) {
        if (!ids.has(record.recordId)) continue;
        for (const signature of await checks.rangeSignatures(commit, record)) {
          found.push(signature);
          if (signature.role === 'reviewer') reviewers.set(`${commit}\0${record.recordId}\0${signature.path}\0${signature.start}\0${signature.end}`, signature);
        }
      }
      perCommit.push({ commit, signatures: found });
    }
  }
  return {
    verdicts: checks ? verdictsOf(perCommit, true) : UNCHECKED_SIGNATURES,
    reviewers,
    range: (commit, recordId, path, start, end) =>
      notes
        .get(commit)
        ?.records.find((record) => record.recordId === recordId)
        ?.statement.predicate.files.find((file) => file.path === path)
        ?.ranges.find((range) => range.start === start && range.end === end),
  };
}

/** A user's path made absolute, through symlinks; with --rev the file need not exist in the working tree. */
async function userAbsolutePath(cwd: string, given: string): Promise<string> {
  const absolute = path.resolve(cwd, given);
  try {
    return await fs.realpath(absolute);
  } catch {
    // Not in the working tree: resolve the directory part, keep the name.
    return path.join(await fs.realpath(path.dirname(absolute)).catch(() => path.dirname(absolute)), path.basename(absolute));
  }
}

/** The repository-relative path of a user's path, made absolute by userAbsolutePath. */
function repositoryPath(realTop: string, absolute: string, given: string): string {
  const repoPath = pathInRepository(realTop, absolute);
  if (repoPath === undefined) throw new CliUsageError(`not a file inside the repository: ${printable(given)}`);
  return repoPath;
}

async function workingText(topLevel: string, repoPath: string, given: string): Promise<string> {
  const file = path.join(topLevel, ...repoPath.split('/'));
  const read = await readRegularFile(file, { maxBytes: MAX_FILE_BYTES, followSymlink: true });
  if (read.kind === 'too-large') throw new CliFailure(`${printable(repoPath)} is larger than ${MAX_FILE_BYTES} bytes`);
  if (read.kind !== 'ok') throw missingFileFailure(given, printable(repoPath), 'no such file in the working tree');
  return read.bytes.toString('utf8');
}

/** git blame of the working tree starts from HEAD: say plainly when there is none, or the file is not in it. */
async function assertCommittedAtHead(git: GitRunner, topLevel: string, repoPath: string): Promise<void> {
  const head = await headCommit(git, topLevel);
  if (head === null) throw new CliFailure('no such commit: HEAD (nothing is committed yet, so no line has a history to show)');
  if (!(await isFileInCommit(git, topLevel, head, repoPath))) {
    throw new CliFailure(`${printable(repoPath)} is not in HEAD (untracked or not yet committed), so its lines have no history to show`);
  }
}

async function textAt(git: GitRunner, topLevel: string, commit: string, repoPath: string): Promise<string> {
  const blob = (await blobsAtPaths(git, topLevel, commit, [repoPath])).get(repoPath);
  if (!blob) throw new CliFailure(`no file ${printable(repoPath)} in commit ${commit.slice(0, 12)}`);
  const read = (await readBlobs(git, topLevel, [blob], MAX_FILE_BYTES)).get(blob);
  if (read?.text === undefined) throw new CliFailure(`${printable(repoPath)} in ${commit.slice(0, 12)} not read: ${read?.problem ?? 'missing'}`);
  return read.text;
}

function jsonLine(
  line: number,
  commit: string,
  originalLine: number,
  originalPath: string,
  info: BlameCommitInfo | undefined,
  ai: CommittedAiLine | undefined,
  human: CommittedKnownHumanLine | undefined,
  text: string,
  signatures: LineSignatures,
): BlameJsonLine {
  if (isUncommittedId(commit)) return { line, commit: null, attribution: 'uncommitted', text };
  const base = {
    line,
    commit,
    originalLine,
    originalPath,
    ...(info?.author !== undefined ? { author: info.author } : {}),
    ...(info?.authorTime !== undefined ? { authorTime: info.authorTime } : {}),
    ...(info?.summary !== undefined ? { summary: info.summary } : {}),
  };
  if (human) return { ...base, attribution: 'known-human', source: 'git-ai', ...(human.author ? { knownHuman: human.author } : {}), text };
  if (!ai) return { ...base, attribution: 'not-recorded', text };
  const session = ai.gitAi ? (ai.gitAi.conversationId ?? ai.gitAi.key) : undefined;
  const recorded = ai.record ? signatures.range(ai.commit, ai.record.id, ai.path, ai.record.start, ai.record.end) : undefined;
  const claim = recorded ? agentClaimOf(ai.commit, ai.path, recorded, signatures.verdicts) : undefined;
  const verdict = ai.record ? signatures.reviewers.get(`${ai.commit}\0${ai.record.id}\0${ai.path}\0${ai.record.start}\0${ai.record.end}`) : undefined;
  return {
    ...base,
    attribution: 'ai',
    source: ai.source,
    origin: {
      ...(ai.origin.kind ? { kind: ai.origin.kind } : {}),
      tool: ai.origin.tool,
      ...(ai.origin.model ? { model: ai.origin.model } : {}),
      ...(session ? { session } : {}),
      ...(ai.gitAi?.humanAuthor ? { directedBy: ai.gitAi.humanAuthor } : {}),
      ...(ai.source === 'vouch' ? { ...(claim?.principal !== undefined ? { agentPrincipal: claim.principal } : {}), agentClaim: claim?.state ?? 'none' } : {}),
    },
    ...(ai.confidence ? { confidence: ai.confidence } : {}),
    ...(ai.humanChangedShare !== undefined ? { humanChangedShare: ai.humanChangedShare } : {}),
    ...(ai.review === undefined
      ? {}
      : {
          review: ai.review && {
            decision: ai.review.decision,
            reviewer: { name: ai.review.reviewer.name, email: ai.review.reviewer.email },
            reviewedAt: ai.review.reviewedAt,
            intent: ai.review.intent,
            scope: ai.review.scope,
            ...(ai.review.scopeNote ? { scopeNote: ai.review.scopeNote } : {}),
          },
        }),
    ...(ai.reviewCovers !== undefined ? { reviewCovers: ai.reviewCovers } : {}),
    ...(ai.record
      ? {
          record: {
            id: ai.record.id,
            signed: verdict?.verdict === 'valid',
            signaturePresent: ai.record.signatures > 0,
            signatures: ai.record.signatures,
            ...(ai.record.carriedFrom !== undefined ? { carriedFrom: ai.record.carriedFrom } : {}),
            ...(ai.record.carryProblem !== undefined ? { carryProblem: ai.record.carryProblem } : {}),
            ...(verdict ? { signature: { verdict: verdict.verdict, detail: verdict.detail, ...(verdict.keyid ? { keyid: verdict.keyid } : {}) } } : {}),
          },
        }
      : {}),
    text,
  };
}

function who(line: BlameJsonLine): string {
  switch (line.attribution) {
    case 'uncommitted':
      return 'not committed yet';
    case 'not-recorded':
      return '';
    case 'known-human':
      return `human${line.knownHuman ? ` ${printable(line.knownHuman, 80)}` : ''} (git-ai)`;
    case 'ai': {
      const origin = line.origin;
      const tool = origin ? `${printable(origin.tool, 60)}${origin.model ? `/${printable(origin.model, 60)}` : ''}` : 'unknown-ai';
      const kind = origin?.kind ? ` ${origin.kind}` : '';
      const session = origin?.session ? ` session ${printable(origin.session, 40)}` : '';
      const agent = line.source === 'vouch' ? ` agent ${agentText(line)}` : '';
      return `AI ${tool}${kind}${session}${agent} (${recordText(line)})`;
    }
  }
}

function agentText(line: BlameJsonLine): string {
  const origin = line.origin;
  if (!origin?.agentClaim || origin.agentClaim === 'none') return NO_AGENT_CLAIM;
  return printable(agentClaimLabel({ principal: origin.agentPrincipal, state: origin.agentClaim }), 120);
}

/** Where the line's record came from and, for Vouch, whether its review's signature verifies. */
function recordText(line: BlameJsonLine): string {
  if (line.source === 'git-ai') return 'git-ai';
  const record = line.record;
  const vouch = record?.carriedFrom !== undefined ? `Vouch, carried from ${record.carriedFrom.slice(0, 12)}` : record?.carryProblem !== undefined ? 'Vouch, carried (origin does not check out)' : 'Vouch';
  if (!record?.signaturePresent) return `${vouch}, unsigned`;
  if (record.signed) return `${vouch}, signed`;
  if (record.signature) return `${vouch}, signature ${record.signature.verdict}`;
  return `${vouch}, signature present, not verified`;
}

function reviewText(line: BlameJsonLine): string {
  if (line.attribution !== 'ai') return '';
  if (line.review === undefined) return 'no review recorded';
  if (line.review === null) return 'NOT REVIEWED';
  const scope = line.review.scope.length > 0 ? line.review.scope.join(',') : 'not stated';
  // The words of vouch notes show for an accepted review that does not cover the committed lines.
  const changed = line.reviewCovers === false ? ' (the text changed after this review)' : '';
  return `${line.review.decision} by ${printable(line.review.reviewer.name, 60)} <${printable(line.review.reviewer.email, 80)}> "${printable(line.review.intent, 80)}" scope ${printable(scope, 60)}${changed}`;
}

/** One row per line: commit, line number, who wrote it, its review, then the code. */
export function blameText(lines: readonly BlameJsonLine[]): string {
  const rows = lines.map((line) => ({ commit: line.commit ? line.commit.slice(0, 10) : '0'.repeat(10), number: String(line.line), who: who(line), review: reviewText(line), text: printable(line.text, 400) }));
  const numberWidth = Math.max(1, ...rows.map((row) => row.number.length));
  const whoWidth = Math.max(0, ...rows.map((row) => row.who.length));
  const reviewWidth = Math.max(0, ...rows.map((row) => row.review.length));
  return rows.map((row) => `${row.commit} ${row.number.padStart(numberWidth)} ${row.who.padEnd(whoWidth)} ${row.review.padEnd(reviewWidth)} | ${row.text}\n`).join('');
}

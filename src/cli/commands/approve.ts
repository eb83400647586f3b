/**
 * `vouch approve [<range>] [--lines PATH:A-B ...] --intent TEXT --scope TAGS`: approve AI lines
 * that are already committed, as the author who forgot to review them or as a second reviewer a
 * policy requires. Writes a new record on each commit (the record the lines came with stays as it
 * was), signed with the approver's key when one is configured.
 */
import { parseArgs } from 'node:util';
import { SCOPE_TAGS, type ScopeTag } from '../../core/attribution';
import { approvalReview, type LineSelection } from '../../core/notes/approvalRecord';
import { display, displayLines, type DisplayText } from '../../core/text/displayText';
import { approveCommittedLines } from '../../git/notes/committedApproval';
import { readGitReviewer } from '../../git/staging/gitReviewer';
import type { CliCommand, CliIo } from '../cli';
import { CliFailure, CliUsageError, runCliCommand } from '../commandErrors';
import { openNotesContext } from './notesCommon';
import { commitsToVerify } from './verify';
import { scopeOptionTags } from '../scopeOption';
import { printHelp } from '../commandOptions';

const MAX_COMMITS = 1_000;
const MAX_INTENT = 2_000;

const HELP = `Usage: vouch approve [<range>] --intent TEXT --scope TAGS [--lines PATH:A-B ...]

Approves AI-written lines that are already committed: the commit's author who did not
review them before committing, or a second reviewer that a policy requires. For every
AI range recorded in the notes of the commits in <range> (default: HEAD; A..B for
several commits) that still matches its commit, and that --lines touches (all when
--lines is not given), it writes a new record on that commit with your review: git's
user.name and user.email, the time, your intent and scope. The record the lines came
with is kept. Ranges you approved already are skipped. Push the notes afterwards
('vouch sync').

Options:
  --lines PATH:A-B   lines of a file in the commit (repository-relative path, 1-based,
                     "PATH:A" for one line); repeat for more; each AI range they touch
                     is approved whole
  --intent TEXT      what this code is for (required)
  --scope TAGS       what it may touch, comma-separated: ${SCOPE_TAGS.join(', ')}
                     (required, unless --scope-note says it)
  --scope-note TEXT  more about the scope, in your words
  -h, --help         show this help

Exit status: 0 approved (or nothing left to approve); 1 failed (no AI range there, no
git user); 2 usage error.
`;

export const approveCommand: CliCommand = {
  summary: 'approve already-committed AI lines (a forgotten review, or a second approver)',
  run: (args, io) => runCliCommand('approve', io, () => runApprove(args, io)),
};

export function parseLineSelection(text: string): LineSelection {
  const match = /^(.+):(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new CliUsageError(`--lines takes PATH:A-B or PATH:A, not ${JSON.stringify(text.slice(0, 200))}`);
  const path = match[1].replace(/^\.\//, '');
  const start = Number(match[2]);
  const end = match[3] === undefined ? start : Number(match[3]);
  if (start < 1 || end < start || !Number.isSafeInteger(end)) throw new CliUsageError(`--lines ${text}: give 1-based lines with A <= B`);
  return { path, start, end };
}

function parseScope(value: string | undefined): ScopeTag[] {
  const tags = scopeOptionTags(value);
  for (const tag of tags) if (!(SCOPE_TAGS as readonly string[]).includes(tag)) throw new CliUsageError(`unknown scope ${JSON.stringify(tag)}; use ${SCOPE_TAGS.join(', ')}`);
  return tags as ScopeTag[];
}

async function runApprove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      lines: { type: 'string', multiple: true },
      intent: { type: 'string' },
      scope: { type: 'string' },
      'scope-note': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printHelp(io, HELP);
  if (positionals.length > 1) throw new CliUsageError('give at most one commit or range');
  if (positionals[0]?.startsWith('-')) throw new CliUsageError(`not a range: ${positionals[0]}`);
  const intent = values.intent?.trim() ?? '';
  if (intent.length === 0) throw new CliUsageError('--intent is required: say what this code is for');
  if (intent.length > MAX_INTENT) throw new CliUsageError(`--intent is longer than ${MAX_INTENT} characters`);
  const scope = parseScope(values.scope);
  const scopeNote = values['scope-note']?.trim();
  if (scope.length === 0 && !scopeNote) throw new CliUsageError('--scope is required (or --scope-note): say what this code may touch');
  const selections = (values.lines ?? []).map(parseLineSelection);

  const context = await openNotesContext(io);
  const reviewer = await readGitReviewer(context.git, context.topLevel);
  if (!reviewer) throw new CliFailure('git has no user.name and user.email here; set them (git config user.name / user.email) to record approvals');
  const { commits } = await commitsToVerify(context, positionals[0] ?? 'HEAD', MAX_COMMITS);
  // The reviewer names the key the approval is signed with (the context's signer resolves the same choice).
  const review = approvalReview(reviewer, { intent, scope, ...(scopeNote ? { scopeNote } : {}), reviewedAt: new Date().toISOString() });
  const outcome = await approveCommittedLines(context, commits, review, selections);
  const out: DisplayText[] = outcome.approved.map((range) => display`approved ${range.path}:${range.start}-${range.end} in ${range.commit.slice(0, 12)}`);
  const approvedRanges = outcome.approved.length;
  const already = outcome.alreadyApproved;
  const signing = outcome.signing;
  if (approvedRanges === 0 && already === 0) {
    const where = selections.length > 0 ? ` in ${selections.map((selection) => `${selection.path}:${selection.start}-${selection.end}`).join(', ')}` : '';
    throw new CliFailure(`no recorded AI range that still matches its commit${where} in ${positionals[0] ?? 'HEAD'}`);
  }
  // How the new records were signed; with none written, nothing is said about signing (an earlier approval may well be signed).
  const written = approvedRanges > 0 ? ` (${signing}); push the notes with 'vouch sync'` : '; nothing written';
  out.push(display`${approvedRanges} AI range(s) approved as ${reviewer.name} <${reviewer.email}>${already > 0 ? `; ${already} approved by you already` : ''}${written}`);
  io.stdout(displayLines(out));
  return 0;
}

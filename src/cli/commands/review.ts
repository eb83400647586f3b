/**
 * `vouch review`: records a person's decision about AI blocks from a terminal, with the same
 * record and rules as the editor's review panel (core/review/reviewModel.ts).
 */
import { display } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { SCOPE_TAGS, type AttributedSpan } from '../../core/attribution';
import { AttributionLedger } from '../../core/ledger/attributionLedger';
import { mapSpansThroughReplacements } from '../../core/reanchor';
import {
  buildReviewBlocks,
  rejectionRemovals,
  reviewBlocks,
  uncoveredScope,
  validateReviewRequest,
  wholeLineRemovals,
  type ReviewBlock,
} from '../../core/review/reviewModel';
import { applyRemovals, replaceTextIfUnchanged } from '../../git/replaceFileText';
import { GitRunner } from '../../git/gitRunner';
import { readWorkingTreeText, resolveUserFile } from '../../git/repository';
import { readGitReviewer } from '../../git/staging/gitReviewer';
import { readStagedText } from '../../git/staging/stagedFiles';
import { WorkingStateStore } from '../../git/workingStateStore';
import type { CliCommand, CliIo } from '../cli';
import { CliFailure, CliUsageError, runCliCommand } from '../commandErrors';
import { assertRecordableFile } from '../userPaths';
import { stderrLogger } from '../cliLogger';
import { parseLineRange } from '../lineRangeOption';
import { scopeOptionTags } from '../scopeOption';
import { lineRangeLabel } from '../../core/text/lines';
import { english } from '../../core/text/translate';
import { printHelp } from '../commandOptions';

const HELP = `Usage: vouch review <path> --lines A-B --intent TEXT --scope TAGS [options]
       vouch review <path> --lines A-B --reject [--whole-lines] [--intent TEXT]

Records that you reviewed the AI-written blocks in lines A-B of a file (as it is now in
the working tree): what the code is for (intent) and what it may touch (scope). The
record is the one the Vouch extension's review panel makes, with your git user.name,
user.email (and user.signingkey when set), the time, and a hash of the exact text.

Options:
  --lines A-B        lines of the file, 1-based and inclusive ("A" alone is one line);
                     every AI block waiting for review that they touch is reviewed, and
                     each must lie inside them whole (see 'vouch status' or 'vouch check')
  --intent TEXT      what this code is for (required to accept; a reason when rejecting)
  --scope TAGS       what it may touch, comma-separated: ${SCOPE_TAGS.join(', ')}
                     (required to accept, unless --scope-note says it); a warning
                     names what the blocks' risk hints suggest and the scope leaves out
  --scope-note TEXT  more about the scope, in your words
  --reject           reject the blocks: their AI text is removed from the file
  --whole-lines      with --reject: remove the blocks' whole lines, with the text a
                     person typed on them (e.g. a half-typed 'function greet(' the
                     AI completed), so the file is left without the AI's part of them
  -h, --help         show this help

Exit status: 0 recorded; 1 failed (no AI block waits for review there, the file or
git user is missing, the review is incomplete); 2 usage error.
`;

export const reviewCommand: CliCommand = {
  summary: 'accept or reject AI blocks of a file from the terminal (intent and scope)',
  run: (args, io) => runCliCommand('review', io, () => review(args, io)),
};

function parseReviewArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      lines: { type: 'string' },
      intent: { type: 'string' },
      scope: { type: 'string' },
      'scope-note': { type: 'string' },
      reject: { type: 'boolean' },
      'whole-lines': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function review(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseReviewArgs(args);
  if (values.help) return printHelp(io, HELP);
  if (positionals.length !== 1) throw new CliUsageError(positionals.length === 0 ? 'missing <path>' : `expected one path, got ${positionals.length}`);
  if (values.lines === undefined) throw new CliUsageError('missing --lines A-B');
  const [first, last] = parseLineRange(values.lines);
  const decision = values.reject ? 'rejected' : 'accepted';
  // A rejection removes the code: asking why would only slow the person down (a given reason is recorded).
  if (values.intent === undefined && decision === 'accepted') throw new CliUsageError('missing --intent TEXT: say what this code is for');
  if (values['whole-lines'] && decision !== 'rejected') throw new CliUsageError('--whole-lines goes with --reject: it says how much a rejection removes');

  const git = new GitRunner();
  const { repository, resolved, nested } = await resolveUserFile(git, io.cwd, positionals[0]);
  assertRecordableFile(repository, resolved, positionals[0]);
  const repoPath = resolved.repoPath;
  const reviewer = await readGitReviewer(git, repository.topLevel);
  if (!reviewer) throw new CliFailure('git has no user.name and user.email here; set them (git config user.name / user.email) to record reviews');
  const decisionRequest = { decision, intent: values.intent ?? '', scope: scopeOptionTags(values.scope), scopeNote: values['scope-note'], reviewer, now: Date.now() } as const;
  // The intent and the scope are what the user typed: a problem with them is a usage error (exit 2).
  const checked = validateReviewRequest(decisionRequest);
  if (!checked.ok) throw new CliUsageError(checked.reason);
  const text = await readWorkingTreeText(repository, repoPath);
  if (text === undefined) throw new CliFailure(`no such file: ${resolved.absolutePath}`);

  const store = new WorkingStateStore(repository, git, stderrLogger(io));
  const current = await store.loadForText(repoPath, text);
  const spans = current?.spans ?? [];
  const blocks = buildReviewBlocks({ path: repoPath, text, spans });
  const chosen = blocks.filter((block) => block.startLine <= last && block.endLine >= first);
  if (chosen.length === 0) {
    const waiting = blocks.length === 0 ? 'none waits in this file' : `waiting: ${blocks.map((block) => lineRangeLabel(block, english)).join(', ')}`;
    throw new CliFailure(`no AI block waits for review in lines ${first}-${last} of ${repoPath} (${waiting})`);
  }
  const partial = chosen.filter((block) => block.startLine < first || block.endLine > last);
  if (partial.length > 0) {
    throw new CliFailure(
      `a block is reviewed whole: ${partial.map((block) => `${lineRangeLabel(block, english)} of ${repoPath} form one AI block`).join('; ')}. ` +
        `Read it, then use --lines ${Math.min(first, ...partial.map((b) => b.startLine))}-${Math.max(last, ...partial.map((b) => b.endLine))}.`,
    );
  }

  const result = reviewBlocks(
    blocks,
    chosen.map((block) => ({ blockId: block.id, textHash: block.textHash })),
    decisionRequest,
  );
  if (!result.ok) throw new CliFailure(result.reason);
  if (decision === 'accepted') {
    for (const block of chosen) {
      const uncovered = uncoveredScope([block], checked.value.scope);
      if (uncovered.length === 0) continue;
      const hints = [...new Set(block.riskHints.map((hint) => hint.message))].join('; ');
      io.stderr(
        display`vouch: warning: the risk hints of ${lineRangeLabel(block, english)} of ${repoPath} suggest it touches ${uncovered.join(', ')}, which --scope ${checked.value.scope.join(',') || '(none given)'} leaves out (${hints})\n`,
      );
    }
  }

  const ledger = AttributionLedger.fromSpans(spans);
  for (const { spanId, review: spanReview } of result.value) ledger.setReview(spanId, spanReview);
  let newText = text;
  let newSpans: AttributedSpan[] = ledger.spans();
  if (decision === 'rejected') {
    const rejectedIds = new Set(result.value.map((entry) => entry.spanId));
    const removals = values['whole-lines']
      ? wholeLineRemovals(text, chosen)
      : rejectionRemovals(
          text,
          newSpans.filter((span) => rejectedIds.has(span.id)),
        );
    newText = applyRemovals(text, removals);
    newSpans = mapSpansThroughReplacements(newSpans, removals);
    await writeIfUnchanged(resolved.absolutePath, text, newText, repoPath, repository);
  }
  await store.save(repoPath, newSpans, newText, { base: current?.base });
  const ranges = chosen.map((block) => lineRangeLabel(block, english)).join(', ');
  const verb = decision === 'accepted' ? 'accepted' : 'rejected and removed';
  const where = nested ? ` in the repository at ${repository.topLevel}` : '';
  io.stdout(display`${verb} ${ranges} of ${repoPath}${where} (${chosen.length} block${chosen.length === 1 ? '' : 's'}) as ${reviewer.name} <${reviewer.email}>\n`);
  if (decision === 'rejected' && !values['whole-lines']) {
    const kept = chosen.filter((block) => block.personTextOnLines);
    if (kept.length > 0) {
      io.stdout(display`${kept.map((block) => lineRangeLabel(block, english)).join(', ')} of ${repoPath} keep the text a person typed on them; check that it still makes sense (--whole-lines removes such lines whole).\n`);
    }
  }
  if (decision === 'rejected') {
    const staged = await readStagedText(git, repository, repoPath);
    if (staged !== undefined && staged !== newText && staged.includes(chosenText(text, chosen))) {
      io.stdout(display`${repoPath} is staged with the rejected code still in it; stage it again (git add -- ${repoPath}) to leave it out of the commit.\n`);
    }
  }
  return 0;
}

function chosenText(text: string, blocks: readonly ReviewBlock[]): string {
  const spans = blocks.flatMap((block) => block.spans);
  return spans.length === 0 ? '' : text.slice(spans[0].start, spans[0].end);
}

/** Replaces the file atomically (keeping its mode; a kill leaves the old or the new text), refusing when it changed since it was read. */
async function writeIfUnchanged(file: string, expected: string, text: string, repoPath: string, repository: { topLevel: string }): Promise<void> {
  if (!(await replaceTextIfUnchanged(file, expected, text))) {
    throw new CliFailure(`${repoPath} changed while the review was being recorded (in ${repository.topLevel}); nothing was written. Run the command again.`);
  }
}

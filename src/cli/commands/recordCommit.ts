/**
 * `vouch record-commit [<commit>]`: writes the Vouch note of a commit made in a terminal (a
 * post-commit hook runs it). The pending AI spans of the committed files come from a
 * PendingSpanProvider: the working state (.git/vouch/working), or a JSON file (`--pending`).
 */
import { display } from '../../core/text/displayText';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIDENCES_FOR_INPUT, parsePendingFilesJson } from './notesPendingInput';
import { resolveCommit } from '../../git/revisions';
import { isObjectId } from '../../git/gitRunner';
import { InvalidRecordError } from '../../git/notes/notesJournal';
import { WorkingStatePendingSpans, type PendingSpanProvider } from '../../git/notes/pendingSpans';
import { recordPendingSpansOfCommit, type RecordCommitResult } from '../../git/notes/commitRecording';
import { WorkingStateStore } from '../../git/workingStateStore';
import type { CliCommand, CliIo } from '../cli';
import { readOptionFile, readStdinBounded } from '../boundedInput';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { openNotesContext, type NotesContext } from './notesCommon';
import { errorMessage } from '../../core/errorMessage';
import { printHelp } from '../commandOptions';
import { filterChangedMessage } from '../../core/review/filterChanged';

/** Far above any real commit's pending spans; a bound so a device or an endless pipe cannot exhaust memory. */
const MAX_PENDING_INPUT_BYTES = 64 * 1024 * 1024;
const PENDING_STDIN_TIMEOUT_MS = 60_000;

const HELP = `Usage: vouch record-commit [<commit>] [--pending FILE]

Writes the Vouch note for a commit (default HEAD) under refs/notes/vouch: the lines of
each committed file that AI wrote, mapped from the pending attribution into the
committed blob. Meant for a post-commit hook. Records left pending by earlier runs
(crash, lock) are written too.

Options:
  --pending FILE  read the pending AI spans from FILE ('-' for stdin) instead of the
                  working state: {"files":[{"path","workingText","spans":[...]}]}
                  (spans as AttributedSpan; confidence one of ${CONFIDENCES_FOR_INPUT.join(', ')})
  -h, --help      show this help

Exit status: 0 written (or nothing to write); 1 failed (the record stays pending and is
written by the next run); 2 usage error.
`;

/** A provider over a JSON document; it has no state to update, so markCommitted does nothing. */
export function jsonPendingSpanProvider(json: string): PendingSpanProvider {
  const files = parsePendingFilesJson(json);
  return {
    pendingFiles: async (_topLevel, paths) => files.filter((file) => paths.includes(file.path)),
    markCommitted: async () => undefined,
  };
}

/** `defaultProvider` gives the pending-span source used without --pending (the working state). */
export function createRecordCommitCommand(defaultProvider?: (context: NotesContext) => PendingSpanProvider): CliCommand {
  return {
    summary: 'write the Vouch note for a commit (post-commit hook)',
    run: (args, io) => runCliCommand('record-commit', io, () => runRecordCommit(args, io, defaultProvider)),
  };
}

/** `vouch record-commit` over the working state (.git/vouch/working), as the post-commit hook runs it. */
export const recordCommitCommand: CliCommand = createRecordCommitCommand(
  // The store of the repository the context found: no second lookup.
  (context) => new WorkingStatePendingSpans(async () => new WorkingStateStore(context.repository, context.git, context.logger), context.logger),
);

async function runRecordCommit(args: string[], io: CliIo, defaultProvider: ((context: NotesContext) => PendingSpanProvider) | undefined): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { pending: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return printHelp(io, HELP);
  if (positionals.length > 1) throw new CliUsageError('give at most one commit');
  let provider: PendingSpanProvider | undefined;
  if (values.pending !== undefined) {
    let json: string;
    if (values.pending === '-') {
      json = await readStdinBounded(MAX_PENDING_INPUT_BYTES, PENDING_STDIN_TIMEOUT_MS, '--pending input').catch((error: unknown) => {
        throw new CliUsageError(`cannot read --pending -: ${errorMessage(error)}`);
      });
    } else {
      json = (await readOptionFile('--pending', values.pending, path.resolve(io.cwd, values.pending), MAX_PENDING_INPUT_BYTES)).toString('utf8');
    }
    try {
      provider = jsonPendingSpanProvider(json);
    } catch (error) {
      throw new CliUsageError(`bad --pending input: ${errorMessage(error)}`);
    }
  }
  const revision = positionals[0] ?? 'HEAD';
  // The post-commit hook names its commit by full id: the repository lookup checks that it is a commit.
  const context = await openNotesContext(io, isObjectId(revision) ? revision : undefined);
  provider ??= defaultProvider?.(context);
  if (!provider) {
    await resolveCommit(context.git, context.topLevel, revision);
    const replay = await context.writer.replayPending();
    io.stdout(display`vouch: no pending-span source (the working state is not connected); wrote ${replay.applied} pending record(s)\n`);
    return 0;
  }
  const result = await recordPendingSpansOfCommit(context, provider, context.commit === undefined ? revision : { commit: context.commit }).catch((error: unknown) => {
    // Input that makes a record the reader would reject is bad --pending input, not a failed write.
    if (values.pending !== undefined && error instanceof InvalidRecordError) throw new CliUsageError(`bad --pending input: ${error.message}`);
    throw error;
  });
  // Parents whose post-commit hook had not recorded them yet were recorded first, each with its own lines.
  for (const parent of result.queuedParents ?? []) if (parent.record) reportRecorded(io, parent, ' (its post-commit hook had not recorded it yet)');
  reportRecorded(io, result, '');
  // Input that names what a note cannot hold is the caller's mistake: said as such (the other files were recorded).
  const refused = values.pending === undefined ? [] : result.files.filter((file) => file.skipped?.startsWith('cannot be recorded'));
  if (refused.length > 0) throw new CliUsageError(`bad --pending input: ${refused.map((file) => `${file.path}: ${file.skipped}`).join('; ')}`);
  return 0;
}

function reportRecorded(io: CliIo, result: RecordCommitResult, why: string): void {
  for (const file of result.files) if (file.skipped) io.stderr(display`vouch: ${file.path}: ${file.skipped}; its AI spans stay pending\n`);
  for (const file of result.files) if (file.filterChangedAiLines) io.stderr(display`vouch: ${file.path}: ${filterChangedMessage(file.filterChangedAiLines, 'committed')}: left out of the record, still pending\n`);
  const unplaced = result.files.filter((file) => file.filterChangedAiLines).length;
  const aiLines = result.files.reduce((sum, file) => sum + file.aiLines, 0);
  const signing = result.signing?.signedBy ? `signed by ${result.signing.signedBy}` : (result.signing?.unsigned ?? 'unsigned');
  io.stdout(
    result.record
      ? display`vouch: recorded ${aiLines} AI line(s) in ${result.record.statement.predicate.files.length} file(s) of ${result.commit.slice(0, 12)}${why} (record ${result.record.recordId.slice(0, 12)}, ${signing})\n`
      : unplaced > 0
        ? display`vouch: no AI lines recorded in ${result.commit.slice(0, 12)}: git's filters changed the AI lines of ${unplaced} file(s) (above); no record written\n`
        : display`vouch: no AI lines in ${result.commit.slice(0, 12)}; no record written\n`,
  );
}

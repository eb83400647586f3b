/** `vouch reconcile [<range>]`: re-attach records to commits that git did not carry notes to; report stale records. */
import { display, jsonOutput } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { DEFAULT_RECONCILE_COMMITS, reconcileNotes } from '../../git/notes/reconcile';
import type { CliCommand, CliIo } from '../cli';
import { runCliCommand } from '../commandErrors';
import { positiveIntegerOption, printHelp, rangeArgument } from '../commandOptions';
import { openNotesContext } from './notesCommon';

const HELP = `Usage: vouch reconcile [<range>] [--max-commits N] [--json]

Finds commits in <range> (default: the last ${DEFAULT_RECONCILE_COMMITS} commits of HEAD) that have no
Vouch note but whose content came from noted commits - cherry-picks (with or without -x),
merge --squash, reset --soft + commit, split commits - by patch-id and line hashes, and
writes records for them marked as carried from the original record. Also reports noted
commits whose AI line hashes no longer match their files (stale).

Options:
  --max-commits N  scan at most N commits (default ${DEFAULT_RECONCILE_COMMITS})
  --json           print the report as JSON
  -h, --help       show this help

Exit status: 0 done (stale records are reported, not failures); 1 failed; 2 usage error.
`;

export const reconcileCommand: CliCommand = {
  summary: 'carry Vouch records to cherry-picked/squashed commits; report stale ones',
  run: (args, io) => runCliCommand('reconcile', io, () => runReconcile(args, io)),
};

async function runReconcile(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { 'max-commits': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return printHelp(io, HELP);
  const range = rangeArgument(positionals, 'main..HEAD');
  const maxCommits = positiveIntegerOption(values['max-commits'], undefined, '--max-commits');
  const context = await openNotesContext(io);
  const report = await reconcileNotes(context, { range, maxCommits });
  if (values.json) {
    io.stdout(jsonOutput(report));
    return 0;
  }
  for (const item of report.carried) {
    io.stdout(display`carried  ${item.commit.slice(0, 12)}  from ${item.fromCommit.slice(0, 12)} (record ${item.fromRecordId.slice(0, 12)}, by ${item.match}, ${item.ranges} range(s))\n`);
  }
  for (const item of report.stale) {
    const ranges = item.check.files.flatMap((file) => file.ranges.filter((range) => range.status === 'stale').map((range) => `${file.path}:${range.start}-${range.end}`));
    io.stdout(display`stale    ${item.commit.slice(0, 12)}  record ${item.check.recordId.slice(0, 12)}: ${ranges.join(', ')}\n`);
  }
  for (const item of report.rejected) io.stdout(display`rejected ${item.commit.slice(0, 12)}  note line ${item.line}: ${item.reason}\n`);
  io.stdout(display`vouch: scanned ${report.scannedCommits} commit(s): ${report.carried.length} record(s) carried, ${report.stale.length} stale\n`);
  return 0;
}

/** `vouch sync [<remote>]`: exchange Vouch notes with a remote without losing anyone's records. */
import { display } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { MAX_SYNC_ROUNDS, syncNotes } from '../../git/notes/sync';
import type { CliCommand, CliIo } from '../cli';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { openNotesContext } from './notesCommon';
import { printHelp } from '../commandOptions';

const HELP = `Usage: vouch sync [<remote>]

Fetches <remote>'s refs/notes/vouch (default: origin) into refs/notes/remotes/<remote>/vouch,
merges it into your refs/notes/vouch keeping every record of both sides once, and pushes
the result without force; up to ${MAX_SYNC_ROUNDS} rounds while others push at the same time.
Warns when your fetch configuration force-fetches refs/notes/*, which overwrites notes you
have not pushed.

Options:
  -h, --help  show this help

Exit status: 0 in sync; 1 failed; 2 usage error.
`;

export const syncCommand: CliCommand = {
  summary: 'fetch, merge and push Vouch notes (refs/notes/vouch) with a remote',
  run: (args, io) => runCliCommand('sync', io, () => runSync(args, io)),
};

async function runSync(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) return printHelp(io, HELP);
  if (positionals.length > 1) throw new CliUsageError('give at most one remote');
  if (positionals[0]?.startsWith('-')) throw new CliUsageError(`not a remote: ${positionals[0]}`);
  const context = await openNotesContext(io);
  const report = await syncNotes(context, { remote: positionals[0] });
  for (const warning of report.warnings) io.stderr(display`vouch: warning: ${warning}\n`);
  const local = report.localUpdate === 'merge' ? `merged ${report.mergedNotes} note(s) that differed` : report.localUpdate === 'fast-forward' ? 'took the remote notes' : 'no remote changes';
  io.stdout(display`vouch: synced with ${report.remote} in ${report.rounds} round(s): ${local}; ${report.pushed ? 'pushed' : 'nothing to push'}\n`);
  return 0;
}

/**
 * `vouch export --format agent-trace|in-toto [<range>]`: the Vouch records of a commit range as JSON
 * lines, for other tools: Agent Trace records, or the DSSE envelopes themselves (for attestation stores).
 */
import { committerSecondsOfCommits } from '../../git/commitLog';
import { display, escapeJsonText, jsonOutput, ownText } from '../../core/text/displayText';
import { parseArgs } from 'node:util';
import { AGENT_TRACE_VERSION, toAgentTrace } from '../../core/export/agentTrace';
import type { CliCommand, CliIo } from '../cli';
import { CliUsageError, runCliCommand } from '../commandErrors';
import { DEFAULT_MAX_COMMITS, positiveIntegerOption, printHelp, rangeArgument } from '../commandOptions';
import { openNotesContext, type NotesContext } from './notesCommon';
import { commitsToVerify } from './verify';

declare const VOUCH_VERSION: string | undefined;
const FORMATS = ['agent-trace', 'in-toto'] as const;
type ExportFormat = (typeof FORMATS)[number];

const HELP = `Usage: vouch export --format agent-trace|in-toto [<range>] [--max-commits N]

Writes the Vouch records (refs/notes/vouch) of the commits in <range> (default:
origin/HEAD..HEAD when origin/HEAD exists, else the last commit) to standard output,
one JSON object per line, in commit order:
  agent-trace  one Agent Trace ${AGENT_TRACE_VERSION} record per Vouch record (https://agent-trace.dev;
               schema: docs/agent-trace-record.schema.json): id derived from the record id,
               contributor ai (or mixed when a person changed the AI text), model_id as
               provider/model where the provider is known, content_hash per range, and
               origin, review and signature details under metadata["dev.vouch"]
  in-toto      the DSSE envelopes (in-toto Statements) exactly as stored in the notes
Records that cannot be read are skipped with a warning on stderr.

Options:
  --format F      agent-trace or in-toto (required)
  --max-commits N export at most N commits (default ${DEFAULT_MAX_COMMITS}); more is an error
  -h, --help      show this help

Exit status: 0 exported; 1 failed; 2 usage error.
`;

export const exportCommand: CliCommand = {
  summary: 'export the records of a commit range as Agent Trace or in-toto (DSSE) JSON lines',
  run: (args, io) => runCliCommand('export', io, () => runExport(args, io)),
};

async function runExport(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { format: { type: 'string' }, 'max-commits': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return printHelp(io, HELP);
  const format = values.format;
  if (!format || !(FORMATS as readonly string[]).includes(format)) throw new CliUsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const range = rangeArgument(positionals);
  const maxCommits = positiveIntegerOption(values['max-commits'], DEFAULT_MAX_COMMITS, '--max-commits');
  const context = await openNotesContext(io);
  const { commits } = await commitsToVerify(context, range, maxCommits);
  await writeRecords(context, commits, format as ExportFormat, io);
  return 0;
}

async function writeRecords(context: NotesContext, commits: readonly string[], format: ExportFormat, io: CliIo): Promise<void> {
  const notes = await context.reader.readNotes(commits);
  const times = format === 'agent-trace' ? await committerTimes(context, [...notes.keys()]) : new Map<string, string>();
  const toolVersion = typeof VOUCH_VERSION === 'string' ? VOUCH_VERSION : 'dev';
  for (const commit of commits) {
    const note = notes.get(commit);
    if (!note) continue;
    for (const rejected of note.rejected) io.stderr(display`vouch export: commit ${commit.slice(0, 12)}: note line ${rejected.line} skipped (not a readable record)\n`);
    for (const record of note.records) {
      if (format === 'in-toto') {
        io.stdout(ownText(`${escapeJsonText(record.line)}\n`));
        continue;
      }
      const trace = toAgentTrace(record, { annotatedCommit: commit, timestamp: times.get(commit) ?? new Date(0).toISOString(), toolVersion });
      io.stdout(jsonOutput(trace, 'compact'));
    }
  }
}

/** Each commit's committer time as RFC 3339 (UTC), from one git process. */
async function committerTimes(context: NotesContext, commits: readonly string[]): Promise<Map<string, string>> {
  const times = new Map<string, string>();
  for (const [commit, seconds] of await committerSecondsOfCommits(context.git, context.topLevel, commits)) times.set(commit, new Date(seconds * 1000).toISOString());
  return times;
}

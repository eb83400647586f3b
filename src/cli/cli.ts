/** The `vouch` command line. Each subcommand lives in its own module and is listed in `commands`. */
import { display, ownText, type DisplayText } from '../core/text/displayText';
import { createAgentHookCommand } from './agentHook';
import { blameCommand } from './commands/blame';
import { checkCommand } from './commands/check';
import { exportCommand } from './commands/export';
import { installAgentHooksCommand } from './commands/installAgentHooks';
import { installHooksCommand } from './commands/installHooks';
import { markCommand } from './commands/mark';
import { notesCommand } from './commands/notes';
import { reconcileCommand } from './commands/reconcile';
import { reportCommand } from './commands/report';
import { reviewCommand } from './commands/review';
import { WorkingStatePendingSpans } from '../git/notes/pendingFromWorkingState';
import { GitRunner } from '../git/gitRunner';
import { WorkingStateStore } from '../git/workingStateStore';
import { stderrLogger } from './cliLogger';
import { createRecordCommitCommand } from './commands/recordCommit';
import { statusCommand } from './commands/status';
import { syncCommand } from './commands/sync';
import { verifyCommand } from './commands/verify';

/**
 * Where a command writes. Output is DisplayText: a `display` template escapes every value it
 * quotes (note text, file names, git messages), so no new output can forget to; JSON goes out
 * exact through `ownText`.
 */
export interface CliIo {
  readonly stdout: (text: DisplayText) => void;
  readonly stderr: (text: DisplayText) => void;
  readonly cwd: string;
}

export interface CliCommand {
  readonly summary: string;
  readonly run: (args: string[], io: CliIo) => Promise<number>;
}

declare const VOUCH_VERSION: string | undefined;

/** Subcommands, by name. Add a feature's command here. */
const commands: Readonly<Record<string, CliCommand>> = {
  mark: markCommand,
  status: statusCommand,
  check: checkCommand,
  review: reviewCommand,
  'install-hooks': installHooksCommand,
  'install-agent-hooks': installAgentHooksCommand,
  'agent-hook': createAgentHookCommand({ mark: (args, io) => markCommand.run(args, io) }),
  'record-commit': createRecordCommitCommand(
    (io) => new WorkingStatePendingSpans((topLevel) => WorkingStateStore.open(new GitRunner(), topLevel, stderrLogger(io)), stderrLogger(io)),
  ),
  reconcile: reconcileCommand,
  sync: syncCommand,
  notes: notesCommand,
  verify: verifyCommand,
  report: reportCommand,
  blame: blameCommand,
  export: exportCommand,
};

function usage(): DisplayText {
  const width = Math.max(8, ...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return ownText([
    'Usage: vouch <command> [options]',
    '',
    'Commands:',
    `  ${'help'.padEnd(width)}  show this help`,
    `  ${'version'.padEnd(width)}  print the version`,
    ...lines,
    '',
    "Run 'vouch <command> --help' for a command's options.",
    '',
  ].join('\n'));
}

export async function runCli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return 0;
  }
  if (name === 'version' || name === '--version') {
    io.stdout(display`${typeof VOUCH_VERSION === 'string' ? VOUCH_VERSION : 'dev'}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr(display`vouch: unknown command '${name}'\n\n`);
    io.stderr(usage());
    return 2;
  }
  return command.run(rest, io);
}

function defaultIo(): CliIo {
  return { stdout: closableWriter(process.stdout), stderr: closableWriter(process.stderr), cwd: process.cwd() };
}

/**
 * Writes to a stream that the reader may close (`vouch notes show | head -c1`): after EPIPE the
 * rest of the output is dropped and the command ends as usual, with its usual exit code and no
 * stack trace. Other write errors still surface.
 */
export function closableWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw error;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

/** The `vouch` command line. Each subcommand lives in its own module and is listed in `commands`. */
import { display, ownText, type DisplayText } from '../core/text/displayText';
import { createAgentHookCommand } from './agentHook';
import { approveCommand } from './commands/approve';
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
import { recordCommitCommand } from './commands/recordCommit';
import { defaultIo } from './processIo';
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
  /** Resolves once what stdout was given has gone out (a long output waits for its reader between pieces). */
  readonly stdoutDrained?: () => Promise<void>;
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
  'record-commit': recordCommitCommand,
  reconcile: reconcileCommand,
  sync: syncCommand,
  notes: notesCommand,
  verify: verifyCommand,
  report: reportCommand,
  blame: blameCommand,
  export: exportCommand,
  approve: approveCommand,
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
  // Asked for, the usage is the output. Not asked for (no command: a script or hook that ran
  // `vouch` by mistake), it is a usage error like any other: stderr, exit 2, so the run fails.
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return 0;
  }
  if (name === undefined) {
    io.stderr(display`vouch: missing command\n\n`);
    io.stderr(usage());
    return 2;
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


/**
 * How every `vouch` command reports a failure, with the exit codes all of them document:
 * 0 done, 1 failed, 2 usage error. A command throws; `runCliCommand` prints and picks the code.
 */
import { display } from '../core/text/displayText';
import { GitError, GitRunner } from '../git/gitRunner';
import { whyNoWorkingTree } from '../git/repository';
import type { CliIo } from './cli';
import { errorMessage } from '../core/errorMessage';

/** Bad options or arguments: exit 2, with a pointer to the command's help. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** The command could not do its work (missing file, nothing to review...): exit 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** Runs a command's body and turns what it throws into a message on stderr and an exit code. */
export async function runCliCommand(name: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    // A revision or range that names no commit is the caller's mistake in every command (exit 2, like verify's ranges).
    if (error instanceof CliUsageError || isParseArgsError(error) || (error instanceof GitError && error.kind === 'bad-revision')) {
      const message = isParseArgsError(error) ? parseArgsMessage(error) : error.message;
      io.stderr(display`vouch ${name}: ${message}\nRun 'vouch ${name} --help' for usage.\n`);
      return 2;
    }
    io.stderr(display`vouch ${name}: ${await failureMessage(error, io.cwd)}\n`);
    return 1;
  }
}

/** node:util parseArgs reports unknown options, missing values and stray positionals this way. */
function isParseArgsError(error: unknown): error is TypeError & { code: string } {
  return error instanceof TypeError && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS');
}

/** What a thrown error says, in Vouch's words for node:util parseArgs' errors (for commands that report without exiting 2). */
export function cliErrorText(error: unknown): string {
  if (isParseArgsError(error)) return parseArgsMessage(error);
  return errorMessage(error);
}

/**
 * Vouch's own words for node:util parseArgs' errors, whose text speaks of parseArgs itself ("To
 * specify a positional argument starting with a '-', place it at the end of the command after '--'").
 */
function parseArgsMessage(error: TypeError & { code: string }): string {
  // The option as parseArgs quotes it: '--jsn', '-x', or '-h, --help' (its long name is shown).
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  const option = quoted.split(/[,\s]+/).find((part) => part.startsWith('--')) ?? quoted.split(/[,\s]+/)[0] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(error.message) ? `${option} takes no value` : `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}': this command takes no arguments, only options`;
    default:
      return 'bad options or arguments';
  }
}

async function failureMessage(error: unknown, cwd: string): Promise<string> {
  if (error instanceof GitError && error.kind === 'not-a-repository') return noWorkingTreeMessage(cwd);
  if (error instanceof GitError && error.kind === 'git-not-found') return 'git was not found on PATH';
  // CliFailure, NotesWriteError, other GitErrors and unexpected errors all carry a readable message.
  return errorMessage(error);
}

/** The working tree's variables, which Vouch drops from every git it runs (see GitRunner's cleanEnvironment). */
const IGNORED_LOCATION_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE'] as const;

/** Names the real cause of "no working tree here", which git is asked about only now that it is needed. */
async function noWorkingTreeMessage(cwd: string): Promise<string> {
  const cause = await whyNoWorkingTree(new GitRunner(), cwd);
  const where =
    cause === 'bare-repository'
      ? `not inside a git working tree (a bare repository has none): ${cwd}`
      : cause === 'inside-git-directory'
        ? `inside a git directory, not its working tree: ${cwd}; run vouch from the working tree`
        : `not inside a git working tree: ${cwd}`;
  const setVariables = IGNORED_LOCATION_VARIABLES.filter((name) => process.env[name] !== undefined && process.env[name] !== '');
  if (setVariables.length === 0) return where;
  return `${where} (vouch ignores ${setVariables.join(' and ')}, set here, for safety: run it from inside the working tree)`;
}

/** What the notes commands (record-commit, reconcile, sync, notes) share: repository, store, errors. */
import type { Logger } from '../../core/logger';
import { GitError, GitRunner } from '../../git/gitRunner';
import { resolveRepository } from '../../git/notes/gitObjects';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriteError, NotesWriter } from '../../git/notes/notesWriter';
import type { CliIo } from '../cli';

export class NotesUsageError extends Error {}

export interface NotesContext {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly reader: NotesReader;
  readonly writer: NotesWriter;
  readonly logger: Logger;
}

/** Warnings and errors of the git layer go to stderr; the rest stays quiet. */
export function notesLogger(io: CliIo): Logger {
  const write = (message: string | Error): void => io.stderr(`${message instanceof Error ? message.message : message}\n`);
  return { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: write, error: write };
}

export async function openNotesContext(io: CliIo): Promise<NotesContext> {
  const git = new GitRunner();
  const logger = notesLogger(io);
  const { topLevel } = await resolveRepository(git, io.cwd);
  return { git, topLevel, reader: new NotesReader(git, topLevel, logger), writer: await NotesWriter.open(git, topLevel, logger), logger };
}

/** Runs a notes command with the exit codes every Vouch command uses: 0 done, 1 failed, 2 usage. */
export async function runNotesCommand(name: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof NotesUsageError) {
      io.stderr(`vouch ${name}: ${error.message}\nRun 'vouch ${name} --help' for usage.\n`);
      return 2;
    }
    if (error instanceof GitError && error.kind === 'not-a-repository') {
      io.stderr(`vouch ${name}: not inside a git working tree: ${io.cwd}\n`);
      return 1;
    }
    if (error instanceof NotesWriteError || error instanceof GitError) {
      io.stderr(`vouch ${name}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`vouch ${name}: ${error.message}\nRun 'vouch ${name} --help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}

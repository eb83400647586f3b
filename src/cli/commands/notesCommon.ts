/** What the notes commands (record-commit, reconcile, sync, notes) share: repository, store, logger. */
import type { Logger } from '../../core/logger';
import { GitRunner } from '../../git/gitRunner';
import { resolveRepository } from '../../git/notes/gitObjects';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import type { CliIo } from '../cli';

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

/** What the notes commands (record-commit, reconcile, sync, notes) share: repository, store, logger. */
import type { Logger } from '../../core/logger';
import { GitRunner } from '../../git/gitRunner';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import { findRepository, type RepositoryLocation } from '../../git/repository';
import { signerSource, type SignerSource } from '../../git/signing/recordSigning';
import type { CliIo } from '../cli';
import { stderrLogger } from '../cliLogger';

export interface NotesContext {
  readonly git: GitRunner;
  readonly topLevel: string;
  /** The repository, found once; everything below gets it instead of asking git again. */
  readonly repository: RepositoryLocation;
  readonly reader: NotesReader;
  readonly writer: NotesWriter;
  readonly logger: Logger;
  /** The user's signing key (VOUCH_SIGNING_KEY or global git config), resolved on first use. */
  readonly signer?: SignerSource;
}

export async function openNotesContext(io: CliIo): Promise<NotesContext> {
  const git = new GitRunner();
  const logger = stderrLogger(io);
  const repository = await findRepository(git, io.cwd);
  const { topLevel } = repository;
  return {
    git,
    topLevel,
    repository,
    reader: new NotesReader(git, topLevel, logger),
    writer: NotesWriter.forRepository(git, repository, logger),
    logger,
    signer: signerSource(git, topLevel, logger),
  };
}

/** What the notes commands (record-commit, reconcile, sync, notes) share: repository, store, logger. */
import type { Logger } from '../../core/logger';
import { GitRunner } from '../../git/gitRunner';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import { findRepository, findRepositoryAndCommit, type RepositoryLocation } from '../../git/repository';
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

/**
 * Finds the repository of `io.cwd`. With `commitId` (a full object id) the same git process tells
 * whether it is a commit there: `commit` is then that id, else undefined.
 */
export async function openNotesContext(io: CliIo, commitId?: string): Promise<NotesContext & { readonly commit?: string }> {
  const git = new GitRunner();
  const logger = stderrLogger(io);
  const found = commitId === undefined ? { repository: await findRepository(git, io.cwd) } : await findRepositoryAndCommit(git, io.cwd, commitId);
  const { repository } = found;
  const { topLevel } = repository;
  return {
    ...(found.commit === undefined ? {} : { commit: found.commit }),
    git,
    topLevel,
    repository,
    reader: new NotesReader(git, topLevel, logger),
    writer: NotesWriter.forRepository(git, repository, logger),
    logger,
    signer: signerSource(git, topLevel, logger),
  };
}

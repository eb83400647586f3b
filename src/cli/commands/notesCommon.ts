/** What the notes commands (record-commit, reconcile, sync, notes) share: repository, store, logger. */
import type { Logger } from '../../core/logger';
import { GitRunner } from '../../git/gitRunner';
import { resolveRepository } from '../../git/notes/gitObjects';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import { signerSource, type SignerSource } from '../../git/signing/recordSigning';
import type { CliIo } from '../cli';
import { stderrLogger } from '../cliLogger';

export interface NotesContext {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly reader: NotesReader;
  readonly writer: NotesWriter;
  readonly logger: Logger;
  /** The user's signing key (VOUCH_SIGNING_KEY or global git config), resolved on first use. */
  readonly signer?: SignerSource;
}

export async function openNotesContext(io: CliIo): Promise<NotesContext> {
  const git = new GitRunner();
  const logger = stderrLogger(io);
  const { topLevel } = await resolveRepository(git, io.cwd);
  return { git, topLevel, reader: new NotesReader(git, topLevel, logger), writer: await NotesWriter.open(git, topLevel, logger), logger, signer: signerSource(git, topLevel, logger) };
}

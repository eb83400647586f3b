import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import { findRepository } from '../../git/repository';
import { NotesReader } from '../../git/notes/notesReader';
import { NotesWriter } from '../../git/notes/notesWriter';
import { signerSource, type SignerSource } from '../../git/signing/recordSigning';
import type { VouchSettings } from '../settings';

/** What the notes operations of one repository need: its reader, writer and the user's signing key. */
export interface NotesContext {
  readonly git: GitRunner;
  readonly topLevel: string;
  readonly reader: NotesReader;
  readonly writer: NotesWriter;
  readonly logger: vscode.LogOutputChannel;
  readonly signer: SignerSource;
}

/** One NotesContext per repository root, opened on first use (a failed open is tried again next time). */
export class NotesContexts {
  private readonly contexts = new Map<string, Promise<NotesContext>>();

  constructor(
    private readonly git: GitRunner,
    private readonly settings: VouchSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  contextOf(root: string): Promise<NotesContext> {
    let context = this.contexts.get(root);
    if (!context) {
      context = (async () => {
        const { topLevel } = await findRepository(this.git, root);
        const writer = await NotesWriter.open(this.git, topLevel, this.log);
        const signer = signerSource(this.git, topLevel, this.log, { settingKey: this.settings.signingKey });
        return { git: this.git, topLevel, reader: new NotesReader(this.git, topLevel, this.log), writer, logger: this.log, signer };
      })();
      this.contexts.set(root, context);
      context.catch(() => this.contexts.delete(root));
    }
    return context;
  }
}

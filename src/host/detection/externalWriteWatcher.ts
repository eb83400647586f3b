import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { UNKNOWN_AI_TOOL } from '../../core/attribution';
import { insertedContentChars, insertedRangesAfter } from '../../core/detection/changeClassification';
import { computeTextReplacements } from '../../core/reanchor';
import { readWorkingTreeText } from '../../git/repository';
import type { LocatedFile, RepositoryRegistry } from '../repositoryRegistry';
import { isTextFile, type GitActivity } from './gitActivity';
import type { EditorSaveMarks } from './editorSaveMarks';
import { Debouncer, DisposableStore } from '../lifecycle';
import type { WorkingTreeWrite } from './workingTreeWatcher';
import { errorMessage } from '../../core/errorMessage';
import { LastSeenTexts } from '../../core/detection/lastSeenTexts';
import { DocumentOpenHistory } from '../../core/detection/documentOpenHistory';
import { newWordChars } from '../../core/detection/reloadChanges';
import { isLargeDocument } from '../documentText';

/** Writes to one file that come in quick succession are looked at once, when they have settled. */
const SETTLE_MS = 1_500;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** The texts of closed files last looked at: enough for an agent's session, bounded in memory. */
const MAX_LAST_SEEN_FILES = 256;
const MAX_LAST_SEEN_CHARS = 16 * 1024 * 1024;
/** How long a closed document's open period is kept: far longer than a write takes to be examined. */
const OPEN_HISTORY_RETAIN_MS = 10 * 60_000;
/**
 * How long after the editor let a saved file go a rewrite that adds no new words is taken for a
 * formatter the save ran: such a tool writes within moments of the save, but its write may be
 * looked at apart from the save's (after the save's writes settled) and seconds late on a busy machine.
 */
const FORMATTER_AFTER_CLOSE_MS = 10_000;

interface PendingWrite {
  readonly created: boolean;
  readonly firstAt: number;
  /** When the first of these writes happened (its modification time, read when its event came). */
  readonly firstWrittenAt: Promise<number>;
  readonly uri: vscode.Uri;
}

/**
 * Files that change on disk while no editor has them open (a command-line agent such as Claude
 * Code, Copilot CLI or aider writing them): the new text is compared with the last text Vouch
 * knows (what it saw at the file's previous outside write, else its working state), or with the
 * index when the file was clean before, and what was inserted is recorded as AI `external-write`,
 * medium confidence. Git's own writes (checkout,
 * pull, stash, reset: git activity, or content equal to the index), ignored files, binary and big
 * files are left alone; text an explicit report (`vouch mark`) already covers is not marked again.
 * Documents open before the write are handled by HeuristicDetector (their reload from disk); a
 * document opened after the write (before this watcher looked) gets its spans through the working
 * state: the watcher asks WorkingStateFollower to bring them into the open editor at once (the
 * state file's own watcher event did not reach the follower in some runs of the editor tests).
 */
export class ExternalWriteWatcher implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly pending = new Map<string, PendingWrite>();
  /** When each document was open (from 0: open before Vouch started). */
  private readonly openHistory = new DocumentOpenHistory(OPEN_HISTORY_RETAIN_MS);
  private readonly settleSoon = this.disposables.add(new Debouncer<string>(SETTLE_MS, (key) => void this.settle(key)));
  /**
   * What each file held when this watcher last examined it: the baseline of its next outside write.
   * Without it, a write Vouch saw but did not record (a person's small edit, or one to a file with
   * uncommitted changes) would be counted again, as the next program's, or that program's write lost.
   * Forgotten whenever Vouch cannot tell what the file holds (an editor, git, a write while off).
   */
  private readonly lastSeen = new LastSeenTexts(MAX_LAST_SEEN_FILES, MAX_LAST_SEEN_CHARS);
  /**
   * What each file held when the editor let go of its clean document (its tab closed; the editor
   * disposes a document a person opened within a moment): the baseline of the first write another
   * program makes after it, in one series with the document's last save (Ctrl+S, Ctrl+W, then an
   * agent's write at once) or after the save's writes settled. Kept while the file holds that text.
   */
  private readonly textsAtClose = new LastSeenTexts(MAX_LAST_SEEN_FILES, MAX_LAST_SEEN_CHARS);
  /** The examination running for each file, if any (the next one waits for it). */
  private readonly examining = new Map<string, Promise<void>>();

  constructor(
    private readonly states: RepositoryRegistry,
    private readonly gitActivity: GitActivity,
    /** The saves of every editor window on the working tree (another window's save is a person's). */
    private readonly editorSaves: EditorSaveMarks,
    /** Writes to files on disk (the shared working-tree watcher). */
    diskWrites: vscode.Event<WorkingTreeWrite>,
    private readonly isEnabled: () => { enabled: boolean; minimumChars: number },
    /** Brings spans stored by others into the open documents (WorkingStateFollower.pickUp). */
    private readonly pickUpStoredState: () => Promise<void>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    for (const document of vscode.workspace.textDocuments) this.openHistory.opened(document.uri.toString(), 0);
    this.disposables.push(
      diskWrites(({ uri, created }) => this.noteWrite(uri, created)),
      vscode.workspace.onDidOpenTextDocument((document) => {
        this.openHistory.opened(document.uri.toString(), Date.now());
        this.textsAtClose.forget(document.uri.toString());
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.noteClosed(document)),
    );
  }

  private noteClosed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.openHistory.closed(key, Date.now());
    // A clean document holds what its file held (a dirty one closed unsaved does not).
    if (document.uri.scheme === 'file' && !document.isDirty && !isLargeDocument(document)) this.textsAtClose.remember(key, document.getText());
    else this.textsAtClose.forget(key);
  }

  /**
   * Whether the write happened while a document of the file was open: its editor saved it, or saw
   * it and reloaded (its reload detection owns that), even if the document closed since (Ctrl+S,
   * Ctrl+W). A file written while closed and opened before its watcher event arrived or was
   * examined (seconds on a busy machine) is still this watcher's: the editor loaded the new text
   * as if it had always been there.
   */
  private editorOwns(uri: vscode.Uri, writtenAt: number): boolean {
    return this.openHistory.wasOpenAt(uri.toString(), writtenAt);
  }

  private async writtenAt(uri: vscode.Uri, seenAt: number): Promise<number> {
    // When the file was written, from the file system: the watcher's event may come seconds late
    // on a busy machine, and git's traces are stamped by their modification times too.
    return fs.promises.stat(uri.fsPath).then(
      (stat) => Math.min(seenAt, stat.mtimeMs),
      () => seenAt,
    );
  }

  private noteWrite(uri: vscode.Uri, created: boolean): void {
    if (uri.scheme !== 'file') return;
    // Not the editor's own folders: VS Code writes .vscode/settings.json when a setting changes.
    if (/[\\/](\.git|\.vscode|node_modules)([\\/]|$)/.test(uri.fsPath)) return;
    const key = uri.toString();
    if (!this.isEnabled().enabled) {
      // A write not looked at: what was seen before is not the file's text any more.
      this.lastSeen.forget(key);
      this.textsAtClose.forget(key);
      return;
    }
    // Open documents too: whether their editor saw the write is told by when it was written (examine).
    if (!this.pending.has(key)) {
      const firstAt = Date.now();
      this.pending.set(key, { created, firstAt, firstWrittenAt: this.writtenAt(uri, firstAt), uri });
    }
    this.settleSoon.trigger(key);
  }

  private settle(key: string): Promise<void> {
    const write = this.pending.get(key);
    this.pending.delete(key);
    if (!write) return Promise.resolve();
    // One file's writes are examined in order: each one's baseline is the text the one before saw.
    const examined = (this.examining.get(key) ?? Promise.resolve())
      .then(() => this.examine(write.uri, write))
      .catch((error: unknown) => this.log.warn(`Could not examine the outside write to ${write.uri.fsPath}: ${errorMessage(error)}`))
      .finally(() => {
        if (this.examining.get(key) === examined) this.examining.delete(key);
      });
    this.examining.set(key, examined);
    return examined;
  }

  /** The file's text, when it is a text file of a repository and not too big to look at (no git process: an editor's saves come here). */
  private async readExaminable(uri: vscode.Uri): Promise<{ text: string; located: LocatedFile } | undefined> {
    const located = await this.states.storeOf(uri.fsPath);
    if (!located) return undefined;
    const stat = await vscode.workspace.fs.stat(uri).then(undefined, () => undefined);
    if (!stat || stat.type !== vscode.FileType.File || stat.size > MAX_FILE_BYTES || !(await isTextFile(uri.fsPath))) return undefined;
    const text = await readWorkingTreeText(located.repository, located.repoPath);
    return text === undefined ? undefined : { text, located };
  }

  /** Looks at a settled write; remembers the file's text whenever it read it and no editor owns it. */
  private async examine(uri: vscode.Uri, write: PendingWrite): Promise<void> {
    const key = uri.toString();
    // Taken out first: every way out below that does not remember the new text leaves it forgotten.
    const seenBefore = this.lastSeen.take(key);
    const textAtClose = this.textsAtClose.take(key);
    const text = await this.examineAgainst(uri, write, seenBefore, textAtClose);
    if (text !== undefined) this.lastSeen.remember(key, text);
    // The save's own writes, looked at after the close: the text at the close stays the baseline of the write after them.
    if (textAtClose !== undefined && text === textAtClose) this.textsAtClose.remember(key, textAtClose);
  }

  /** The file's text when Vouch knows it is what the file holds now (undefined: forget what was seen). */
  private async examineAgainst(uri: vscode.Uri, write: PendingWrite, seenBefore: string | undefined, textAtClose: string | undefined): Promise<string | undefined> {
    const relative = vscode.workspace.asRelativePath(uri);
    const writtenAt = await this.writtenAt(uri, write.firstAt);
    if (this.gitActivity.isBusyAround(writtenAt)) {
      this.log.debug(`${relative} changed during a git operation: not AI`);
      return undefined;
    }
    const examinable = await this.readExaminable(uri);
    const afterLetGo = examinable && textAtClose !== undefined ? this.writtenAfterLetGo(uri, examinable.text, textAtClose) : undefined;
    if (!afterLetGo && this.editorOwns(uri, writtenAt)) {
      // The editor's own write (or one it showed): what the file holds now is the next outside write's baseline.
      const unsaved = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString())?.isDirty === true;
      this.log.debug(
        unsaved
          ? `${relative} was written while a document of it with unsaved edits was open: judged if the document takes the file's text (Revert File, or Don't Save at close)`
          : `${relative} was written while a document of it was open: its editor's`,
      );
      return examinable?.text;
    }
    // Else another program wrote the file after the editor let its document go: in one series with
    // the save (Ctrl+S, Ctrl+W, then a write at once), or on its own after the save's series settled.
    if (!examinable) return undefined;
    if (afterLetGo && afterLetGo.newWordChars < this.isEnabled().minimumChars && writtenAt - afterLetGo.closedAt <= FORMATTER_AFTER_CLOSE_MS) {
      this.log.info(`${relative} was rewritten right after its editor saved and closed it, adding no new words (a formatter the save ran): not AI`);
      return examinable.text;
    }
    const { text, located } = examinable;
    const { store, repoPath, repository } = located;
    if (await this.gitActivity.isIgnored(repository, repoPath)) return undefined;
    const openDocument = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (openDocument && (openDocument.isDirty || openDocument.getText() !== text)) {
      // Opened after the write and already edited: the person's edits own the text now.
      this.log.debug(`${relative} was written while closed, then opened and edited: not recorded`);
      return undefined;
    }
    if (await this.gitActivity.diskMatchesIndex(repository, repoPath)) {
      this.log.debug(`${relative} now holds what the index holds (git restore/checkout): not AI`);
      return text;
    }
    if (await this.editorSaves.savedByAnEditor(uri, text)) {
      this.log.info(`${relative} was saved by an editor window (another window on this working tree): not AI`);
      return text;
    }
    const stored = await store.load(repoPath);
    let baseline: string | undefined = afterLetGo?.textAtClose ?? seenBefore;
    let unknownBecause = 'its stored working state could not be read';
    if (afterLetGo) this.log.debug(`${relative} was written after its editor let the document go: compared with the text it held then`);
    else if (baseline !== undefined) this.log.debug(`${relative}: compared with the text Vouch saw at its previous outside write`);
    else if (stored) baseline = await store.readText(stored);
    else {
      // Without a working state, the index is the text from before only if the file had no
      // uncommitted edits then (else a person's edits would count as AI): the git extension's
      // listing from before the write says so. A new file with no listing to ask started empty.
      const listed = this.gitActivity.wasListedAsChangedBefore(uri, await write.firstWrittenAt);
      if (listed === false || (listed === undefined && write.created)) baseline = (await this.gitActivity.indexText(repository, repoPath)) ?? (write.created ? '' : undefined);
      unknownBecause = listed === true ? 'it had uncommitted changes' : listed === undefined ? 'the git extension had listed no status before the write' : 'it is not in the index';
    }
    if (baseline === undefined) {
      this.log.info(`${relative} was changed by another program and not recorded: Vouch does not know its text from before (${unknownBecause})`);
      return text;
    }
    const replacements = computeTextReplacements(baseline, text);
    const { minimumChars } = this.isEnabled();
    const inserted = insertedContentChars(replacements);
    if (inserted < minimumChars) {
      this.log.info(`${relative} was changed by another program: ${inserted} character${inserted === 1 ? '' : 's'} inserted, fewer than the ${minimumChars} that count as AI; not recorded`);
      return text;
    }
    const marked = await store.markUncovered(repoPath, text, insertedRangesAfter(replacements), {
      kind: 'ai',
      origin: { kind: 'external-write', tool: UNKNOWN_AI_TOOL },
      confidence: 'medium',
    });
    if (marked === 0) return text;
    this.log.info(`${marked} characters written to ${relative} by another program recorded as AI (external-write, medium confidence)`);
    if (openDocument) await this.pickUpStoredState();
    return text;
  }

  /**
   * When the file no longer holds the text its clean document held when the editor let it go (since
   * Vouch last looked at the file), and no document of it is open: another program wrote it after.
   * With the words its changes added that the text at the close did not hold.
   */
  private writtenAfterLetGo(uri: vscode.Uri, text: string, textAtClose: string): { textAtClose: string; closedAt: number; newWordChars: number } | undefined {
    const key = uri.toString();
    const closedAt = this.openHistory.closedAt(key);
    if (closedAt === undefined || textAtClose === text || vscode.workspace.textDocuments.some((document) => document.uri.toString() === key)) return undefined;
    const changes = computeTextReplacements(textAtClose, text);
    return { textAtClose, closedAt, newWordChars: newWordChars(changes, changes.map((change) => textAtClose.slice(change.offset, change.offset + change.deletedLength))) };
  }

  dispose(): void {
    this.pending.clear();
    this.disposables.dispose();
  }
}

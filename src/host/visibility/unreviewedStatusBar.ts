import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AttributedSpan } from '../../core/attribution';
import { blockNeedsReview, countReviewBlocks } from '../../core/review/reviewModel';
import { workingFileBlocks } from '../../git/staging/workingBlocks';
import { REVIEW_PANEL_COMMAND } from '../../core/visibility/hoverText';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import { Debouncer, DisposableStore } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

const REFRESH_DEBOUNCE_MS = 250;

export interface UnreviewedCounts {
  /** Unreviewed AI blocks in open documents and in the stored working state of closed files. */
  readonly workspace: number;
  /** In the active editor's document; undefined without one. */
  readonly file: number | undefined;
}

/** Counts by the review model's own block rule, so the status bar and the review panel agree (without building the blocks: it runs after typing pauses). */
function countBlocks(relativePath: string, text: string, spans: readonly AttributedSpan[]): number {
  return countReviewBlocks({ path: relativePath, text, spans });
}

/**
 * The status bar item "AI: N unreviewed (M in this file)"; a click opens the review panel. Counts
 * open documents from the ledger and closed files from the stored working state; refreshed
 * (debounced) on attribution and stored-state changes.
 */
export class UnreviewedStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('vouch.unreviewed', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables = new DisposableStore(this.item);
  private readonly refreshSoon = this.disposables.add(new Debouncer(REFRESH_DEBOUNCE_MS, () => void this.refresh()));
  /** Block counts of open documents by uri, for one version each. */
  private readonly openCounts = new Map<string, { version: number; count: number }>();
  private closedFilesCount = 0;
  private closedFilesDirty = true;
  private refreshing: Promise<UnreviewedCounts> | undefined;
  private last: UnreviewedCounts = { workspace: 0, file: undefined };
  private readonly emitter = new vscode.EventEmitter<UnreviewedCounts>();
  /** Fires after each refresh with the counts shown. */
  readonly onDidRefresh = this.emitter.event;

  constructor(
    private readonly service: AttributionService,
    private readonly states: RepositoryRegistry | undefined,
    private readonly settings: VouchSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = vscode.l10n.t('Vouch: Unreviewed AI Blocks');
    this.item.command = { command: REVIEW_PANEL_COMMAND, title: vscode.l10n.t('Open the Vouch review panel'), arguments: [] };
    this.disposables.push(
      this.emitter,
      service.onDidChangeAttribution((uri) => {
        // The ledger can change without a new document version (a review, a reload).
        this.openCounts.delete(uri.toString());
        this.schedule(false);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(false)),
      vscode.workspace.onDidCloseTextDocument(() => this.schedule(true)),
      vscode.workspace.onDidOpenTextDocument(() => this.schedule(true)),
      settings.onDidChange(() => this.schedule(false)),
    );
    if (states) this.disposables.push(states.onDidChangeStoredState(() => this.schedule(true)));
    this.schedule(true);
  }

  /** The counts as last shown. */
  get counts(): UnreviewedCounts {
    return this.last;
  }

  /** Recounts now (the summary command and tests call it) and shows the result. */
  refresh(): Promise<UnreviewedCounts> {
    if (this.refreshing) return this.refreshing.then(() => this.refresh());
    const refreshing = this.recount().finally(() => {
      if (this.refreshing === refreshing) this.refreshing = undefined;
    });
    this.refreshing = refreshing;
    return refreshing;
  }

  private schedule(closedFilesChanged: boolean): void {
    if (closedFilesChanged) this.closedFilesDirty = true;
    this.refreshSoon.trigger();
  }

  private async recount(): Promise<UnreviewedCounts> {
    // Only documents with spans can hold blocks: the walk never touches the text of the others.
    let open = 0;
    const live = new Set<string>();
    for (const document of this.service.documentsWithSpans()) {
      live.add(document.uri.toString());
      open += this.openCount(document);
    }
    for (const key of this.openCounts.keys()) if (!live.has(key)) this.openCounts.delete(key);
    if (this.closedFilesDirty) {
      this.closedFilesDirty = false;
      try {
        this.closedFilesCount = await this.countClosedFiles();
      } catch (error) {
        this.log.warn(`Could not count the unreviewed AI blocks of closed files: ${errorMessage(error)}`);
      }
    }
    const active = vscode.window.activeTextEditor?.document;
    const counts: UnreviewedCounts = { workspace: open + this.closedFilesCount, file: active ? this.openCount(active) : undefined };
    this.show(counts);
    this.last = counts;
    this.emitter.fire(counts);
    return counts;
  }

  /**
   * Unreviewed blocks of an open document as last counted (any version: the count follows
   * attribution changes, not keystrokes), counted now only when the document has no count yet.
   */
  lastCountOf(document: vscode.TextDocument): number {
    return this.openCounts.get(document.uri.toString())?.count ?? this.openCount(document);
  }

  private openCount(document: vscode.TextDocument): number {
    const spans = this.service.spansOf(document.uri);
    if (spans.length === 0) return 0;
    const key = document.uri.toString();
    const cached = this.openCounts.get(key);
    if (cached && cached.version === document.version) return cached.count;
    const count = countBlocks(vscode.workspace.asRelativePath(document.uri), document.getText(), spans);
    this.openCounts.set(key, { version: document.version, count });
    return count;
  }

  private async countClosedFiles(): Promise<number> {
    if (!this.states) return 0;
    // Make sure the repositories of the workspace folders are known even before a file of theirs is opened.
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') await this.states.storeOf(path.join(folder.uri.fsPath, '.vouch-status-probe')).catch(() => undefined);
    }
    let total = 0;
    for (const store of await this.states.openedStores()) {
      for (const stored of await store.loadAll()) {
        if (stored.spans.length === 0) continue;
        const absolute = path.resolve(store.repository.topLevel, ...stored.path.split('/'));
        if (this.service.openDocument(vscode.Uri.file(absolute))) continue;
        // Over the file on disk, with the panel's and the CLI's block builder (not the last known text).
        const working = await workingFileBlocks(store, stored.path);
        total += working?.blocks.filter((block) => blockNeedsReview(block.state)).length ?? 0;
      }
    }
    return total;
  }

  private show(counts: UnreviewedCounts): void {
    const visibility = this.settings.statusBarVisibility;
    if (visibility === 'never' || (visibility === 'auto' && counts.workspace === 0)) {
      this.item.hide();
      return;
    }
    this.item.text =
      counts.workspace === 0
        ? `$(pass) ${vscode.l10n.t('AI: all reviewed')}`
        : counts.file !== undefined && counts.file > 0
          ? `$(hubot) ${vscode.l10n.t('AI: {0} unreviewed ({1} in this file)', counts.workspace, counts.file)}`
          : `$(hubot) ${vscode.l10n.t('AI: {0} unreviewed', counts.workspace)}`;
    this.item.tooltip =
      counts.workspace === 0
        ? vscode.l10n.t('Vouch: every AI block is reviewed')
        : vscode.l10n.t('Vouch: {0} unreviewed AI block(s) in the workspace, {1} in the current file. Click to open the review panel.', counts.workspace, counts.file ?? 0);
    this.item.accessibilityInformation = { label: this.item.tooltip, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

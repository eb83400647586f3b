import * as vscode from 'vscode';
import { REVIEW_PANEL_COMMAND } from '../../core/visibility/hoverText';
import type { UnreviewedCountsByUri } from '../review/reviewWorkspace';
import type { VouchSettings } from '../settings';
import { DisposableStore } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

export interface UnreviewedCounts {
  /** Unreviewed AI blocks in open documents and in the stored working state of closed files. */
  readonly workspace: number;
  /** In the active editor's document; undefined without one. */
  readonly file: number | undefined;
}

/** Where the blocks waiting for review come from: the review panel's own source (ReviewWorkspace). */
export interface UnreviewedBlocksSource {
  /** Fires (debounced) when blocks may have appeared, changed or been reviewed. */
  readonly onDidChange: vscode.Event<void>;
  /** Fires with every newer collect or count, whoever asked for it (the panel after a decision, the view, this item). */
  readonly onDidCount: vscode.Event<UnreviewedCountsByUri>;
  count(): Promise<UnreviewedCountsByUri>;
}

/**
 * The status bar item "AI: N unreviewed (M in this file)"; a click opens the review panel. It shows
 * the blocks the review panel shows, from the same source (onDidCount): it cannot lag behind the
 * panel after a decision, nor count by another rule.
 */
export class UnreviewedStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('vouch.unreviewed', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables = new DisposableStore(this.item);
  /** Blocks waiting for review per document uri, from the last collect or count. */
  private countsByUri: UnreviewedCountsByUri = new Map();
  private total = 0;
  /** False until the first counts arrived (they are shown even when there are none). */
  private counted = false;
  private last: UnreviewedCounts = { workspace: 0, file: undefined };
  private readonly emitter = new vscode.EventEmitter<UnreviewedCounts>();
  /** Fires after each update with the counts shown. */
  readonly onDidRefresh = this.emitter.event;

  constructor(
    private readonly source: UnreviewedBlocksSource,
    private readonly settings: VouchSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = vscode.l10n.t('Vouch: Unreviewed AI Blocks');
    this.item.command = { command: REVIEW_PANEL_COMMAND, title: vscode.l10n.t('Open the Vouch review panel'), arguments: [] };
    this.disposables.push(
      this.emitter,
      source.onDidCount((counts) => this.update(counts)),
      source.onDidChange(() => void this.refresh()),
      vscode.window.onDidChangeActiveTextEditor(() => this.showCounts()),
      settings.onDidChange(() => this.showCounts()),
    );
    void this.refresh();
  }

  /** The counts as last shown. */
  get counts(): UnreviewedCounts {
    return this.last;
  }

  /** Counts now (the summary command calls it) and returns the counts shown. */
  async refresh(): Promise<UnreviewedCounts> {
    try {
      await this.source.count();
    } catch (error) {
      this.log.warn(`Could not count the unreviewed AI blocks: ${errorMessage(error)}`);
    }
    return this.last;
  }

  /** Unreviewed blocks of an open document as last collected. */
  lastCountOf(document: vscode.TextDocument): number {
    return this.countsByUri.get(document.uri.toString()) ?? 0;
  }

  private update(counts: UnreviewedCountsByUri): void {
    // A count after lines moved (a typed line break) finds the same blocks: nothing shown changes,
    // and neither the status bar nor the code lenses are sent again.
    const same = this.counted && counts.size === this.countsByUri.size && [...counts].every(([uri, count]) => this.countsByUri.get(uri) === count);
    this.counted = true;
    this.countsByUri = counts;
    if (same) return;
    this.total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    this.showCounts();
  }

  private showCounts(): void {
    const active = vscode.window.activeTextEditor?.document;
    const counts: UnreviewedCounts = { workspace: this.total, file: active ? this.lastCountOf(active) : undefined };
    this.show(counts);
    this.last = counts;
    this.emitter.fire(counts);
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

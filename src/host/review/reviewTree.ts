import * as vscode from 'vscode';
import type { ReviewBlock } from '../../core/review/reviewModel';
import type { ReviewTarget, ReviewWorkspace } from './reviewWorkspace';
import { DisposableStore } from '../lifecycle';

export const REVIEW_TREE_VIEW_ID = 'vouch.aiReview';

interface FileNode {
  readonly kind: 'file';
  readonly target: ReviewTarget;
}

/** Block nodes carry `uri` and `spanIds`, so they are valid arguments of vouch.acceptBlock / vouch.rejectBlock. */
interface BlockNode {
  readonly kind: 'block';
  readonly uri: string;
  readonly spanIds: readonly string[];
  readonly block: ReviewBlock;
}

type ReviewNode = FileNode | BlockNode;

function linesLabel(block: ReviewBlock): string {
  return block.startLine === block.endLine ? vscode.l10n.t('Line {0}', block.startLine) : vscode.l10n.t('Lines {0}–{1}', block.startLine, block.endLine);
}

/** "AI Review" in its own view container (so its badge is not added to Source Control's count of changed files): the unreviewed blocks per file. */
export class ReviewTreeProvider implements vscode.TreeDataProvider<ReviewNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ReviewNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<ReviewNode>;
  private readonly disposables = new DisposableStore(this.emitter);
  private targets: Promise<ReviewTarget[]> | undefined;

  constructor(private readonly workspace: ReviewWorkspace) {
    this.view = vscode.window.createTreeView(REVIEW_TREE_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      workspace.onDidChange(() => this.refresh()),
      this.view.onDidChangeVisibility(() => {
        if (this.view.visible) this.refresh();
      }),
    );
  }

  refresh(): void {
    this.targets = undefined;
    this.emitter.fire(undefined);
  }

  async getChildren(node?: ReviewNode): Promise<ReviewNode[]> {
    if (node?.kind === 'block') return [];
    if (node?.kind === 'file') return node.target.blocks.map((block) => ({ kind: 'block', uri: node.target.uri.toString(), spanIds: block.spanIds, block }));
    this.targets ??= this.workspace.collect();
    const targets = await this.targets;
    const count = targets.reduce((sum, target) => sum + target.blocks.length, 0);
    this.view.badge = count > 0 ? { value: count, tooltip: count === 1 ? vscode.l10n.t('1 AI block waits for review') : vscode.l10n.t('{0} AI blocks wait for review', count) } : undefined;
    return targets.map((target) => ({ kind: 'file', target }));
  }

  getTreeItem(node: ReviewNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.target.uri, vscode.TreeItemCollapsibleState.Expanded);
      const count = node.target.blocks.length;
      item.description = count === 1 ? vscode.l10n.t('{0} · 1 block', node.target.path) : vscode.l10n.t('{0} · {1} blocks', node.target.path, count);
      item.contextValue = 'vouch.reviewFile';
      item.command = { command: 'vouch.openReviewPanel', title: vscode.l10n.t('Review'), arguments: [{ uri: node.target.uri.toString() }] };
      return item;
    }
    const { block } = node;
    const item = new vscode.TreeItem(linesLabel(block), vscode.TreeItemCollapsibleState.None);
    const tools = [...new Set(block.origins.map((origin) => origin.tool))].join(', ');
    const risks = [...new Set(block.riskHints.map((hint) => hint.category))];
    item.description = [
      tools,
      ...(risks.length > 0 ? [risks.join(', ')] : []),
      ...(block.previouslyRejected ? [vscode.l10n.t('rejected before')] : []),
      ...(block.state === 'changed-after-review' ? [vscode.l10n.t('changed after review')] : []),
    ].join(' · ');
    item.iconPath = new vscode.ThemeIcon(risks.length > 0 ? 'warning' : 'sparkle');
    const preview = block.lines.slice(0, 12).join('\n');
    item.tooltip = new vscode.MarkdownString().appendText(`${block.path} ${linesLabel(block).toLowerCase()} (${tools})\n`).appendCodeblock(preview + (block.lines.length > 12 ? '\n…' : ''));
    item.contextValue = 'vouch.reviewBlock';
    item.accessibilityInformation = {
      label: risks.length > 0 ? vscode.l10n.t('{0}, {1}, AI code from {2}, risks: {3}', block.path, linesLabel(block), tools, risks.join(', ')) : vscode.l10n.t('{0}, {1}, AI code from {2}', block.path, linesLabel(block), tools),
    };
    item.command = { command: 'vouch.openReviewPanel', title: vscode.l10n.t('Review'), arguments: [{ uri: node.uri, spanIds: [...node.spanIds] }] };
    return item;
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

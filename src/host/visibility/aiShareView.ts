import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errorMessage';
import { Debouncer, DisposableStore } from '../lifecycle';
import type { AttributedSpan } from '../../core/attribution';
import type { CommittedAiLine } from '../../core/visibility/committedLines';
import { computeLineMarks } from '../../core/visibility/lineMarks';
import { addShares, describeLineShare, formatLineShare, summarizeLineMarks, type LineShare } from '../../core/visibility/summary';
import type { GitRunner } from '../../git/gitRunner';
import { NotesReader } from '../../git/notes/notesReader';
import { pathInRepository } from '../../git/repository';
import { trackedLineCounts } from '../../git/repositoryLines';
import type { WorkingStateStore } from '../../git/workingStateStore';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import type { CommittedHistory } from './committedHistory';

export const AI_SHARE_VIEW_ID = 'vouch.aiShare';

/** Files measured per repository (each costs a blame); the rest are left out and the view says so. */
const MAX_FILES = 300;
/** Notes read to find files with committed AI lines. */
const MAX_NOTES = 2_000;
/** The view follows attribution and history changes after this pause, and only while it is visible. */
const REFRESH_DEBOUNCE_MS = 1_500;

interface FileShare extends LineShare {
  readonly kind: 'file';
  readonly uri: vscode.Uri;
  readonly path: string;
}

interface RepositoryShare extends LineShare {
  readonly kind: 'repository';
  readonly name: string;
  readonly files: readonly FileShare[];
  readonly leftOut: number;
}

type ShareNode = RepositoryShare | FileShare;

/**
 * "AI Share": per repository and per file, the share of lines AI wrote and of those a reviewer
 * accepted. Counts uncommitted AI lines (ledger, working state) and committed ones (blame + notes)
 * over the tracked lines of the working tree. Computed when the view is shown and, while it is,
 * after attribution, history or saves settle: never per keystroke.
 */
export class AiShareView implements vscode.TreeDataProvider<ShareNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ShareNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<ShareNode>;
  private readonly disposables = new DisposableStore();
  private computing: Promise<RepositoryShare[]> | undefined;
  private readonly refreshSoon = new Debouncer(REFRESH_DEBOUNCE_MS, () => this.refresh());
  private stale = true;
  private readonly computedEmitter = new vscode.EventEmitter<readonly RepositoryShare[]>();
  /** Fires with the figures after each computation (tests wait on it). */
  readonly onDidCompute = this.computedEmitter.event;

  constructor(
    private readonly service: AttributionService,
    private readonly registry: RepositoryRegistry | undefined,
    private readonly git: GitRunner | undefined,
    private readonly history: CommittedHistory,
    private readonly settings: VouchSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView(AI_SHARE_VIEW_ID, { treeDataProvider: this });
    this.disposables.push(
      this.emitter,
      this.refreshSoon,
      this.view,
      this.computedEmitter,
      this.view.onDidChangeVisibility(() => {
        if (this.view.visible && this.stale) this.refresh();
      }),
      service.onDidChangeAttribution(() => this.schedule()),
      history.onDidChange(() => this.schedule()),
      vscode.workspace.onDidSaveTextDocument(() => this.schedule()),
    );
    if (registry) this.disposables.push(registry.onDidChangeStoredState(() => this.schedule()));
  }

  /** Computes the figures again now (the view's refresh button). */
  refresh(): void {
    this.stale = false;
    this.computing = undefined;
    this.emitter.fire(undefined);
  }

  private schedule(): void {
    this.stale = true;
    if (!this.view.visible) return;
    this.refreshSoon.trigger();
  }

  async getChildren(node?: ShareNode): Promise<ShareNode[]> {
    if (node?.kind === 'file') return [];
    if (node?.kind === 'repository') return [...node.files];
    this.computing ??= this.compute().then(
      (repositories) => {
        this.computedEmitter.fire(repositories);
        return repositories;
      },
      (error: unknown) => {
        this.log.warn(`Could not compute the AI share: ${errorMessage(error)}`);
        return [];
      },
    );
    this.stale = false;
    return this.computing;
  }

  getTreeItem(node: ShareNode): vscode.TreeItem {
    if (node.kind === 'repository') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = formatLineShare(node, vscode.l10n.t);
      item.iconPath = new vscode.ThemeIcon('repo');
      const leftOut = node.leftOut > 0 ? vscode.l10n.t(' ({0} more file(s) with AI lines not measured)', node.leftOut) : '';
      item.tooltip = vscode.l10n.t('{0}: {1}, over the tracked lines of the working tree{2}', node.name, describeLineShare(node, vscode.l10n.t), leftOut);
      item.accessibilityInformation = { label: vscode.l10n.t('Repository {0}: {1}', node.name, describeLineShare(node, vscode.l10n.t)) };
      return item;
    }
    const item = new vscode.TreeItem(node.uri, vscode.TreeItemCollapsibleState.None);
    item.label = path.posix.basename(node.path);
    item.description = `${formatLineShare(node, vscode.l10n.t)} · ${path.posix.dirname(node.path) === '.' ? '' : path.posix.dirname(node.path)}`.replace(/ · $/, '');
    item.tooltip = `${node.path}: ${describeLineShare(node, vscode.l10n.t)}`;
    item.accessibilityInformation = { label: `${node.path}: ${describeLineShare(node, vscode.l10n.t)}` };
    item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [node.uri] };
    return item;
  }

  private async compute(): Promise<RepositoryShare[]> {
    const registry = this.registry;
    const git = this.git;
    if (!registry || !git) return [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') await registry.storeOf(path.join(folder.uri.fsPath, '.vouch-share-probe')).catch(() => undefined);
    }
    const repositories: RepositoryShare[] = [];
    for (const store of await registry.openedStores()) repositories.push(await this.repositoryShare(git, store));
    return repositories;
  }

  private async repositoryShare(git: GitRunner, store: WorkingStateStore): Promise<RepositoryShare> {
    const topLevel = store.repository.topLevel;
    const lineCounts = await trackedLineCounts(git, topLevel);
    const open = new Map<string, vscode.TextDocument>();
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== 'file') continue;
      const repoPath = pathInRepository(topLevel, document.uri.fsPath);
      if (repoPath !== undefined) open.set(repoPath, document);
    }
    const candidates = new Set<string>();
    for (const [repoPath, document] of open) if (this.service.spansOf(document.uri).length > 0) candidates.add(repoPath);
    for (const stored of await store.loadAll()) if (stored.spans.length > 0) candidates.add(stored.path);
    for (const repoPath of await this.notedPaths(git, topLevel)) if (lineCounts.has(repoPath) || open.has(repoPath)) candidates.add(repoPath);
    const measured = [...candidates].sort().slice(0, MAX_FILES);
    const files: FileShare[] = [];
    const measuredTotals = new Map<string, number>();
    for (const repoPath of measured) {
      const share = await this.fileShare(store, topLevel, repoPath, open.get(repoPath));
      if (!share) continue;
      measuredTotals.set(repoPath, share.totalLines);
      if (share.aiLines > 0) files.push(share);
    }
    files.sort((a, b) => b.aiLines - a.aiLines || a.path.localeCompare(b.path));
    let totalLines = 0;
    for (const [repoPath, count] of lineCounts) totalLines += measuredTotals.get(repoPath) ?? count;
    for (const [repoPath, count] of measuredTotals) if (!lineCounts.has(repoPath)) totalLines += count;
    const sums = addShares(files);
    return { kind: 'repository', name: path.basename(topLevel), totalLines, aiLines: sums.aiLines, reviewedAiLines: sums.reviewedAiLines, files, leftOut: candidates.size - measured.length };
  }

  /** Paths that notes of the repository record AI lines for (at most MAX_NOTES notes read). */
  private async notedPaths(git: GitRunner, topLevel: string): Promise<Set<string>> {
    const paths = new Set<string>();
    try {
      const reader = new NotesReader(git, topLevel, this.log);
      const blobs = [...new Set((await reader.listNotesInOneProcess()).values())].slice(0, MAX_NOTES);
      for (const note of (await reader.readNoteBlobs(blobs)).values()) {
        for (const record of note.records) for (const file of record.statement.predicate.files) if (file.ranges.length > 0) paths.add(file.path);
      }
    } catch (error) {
      this.log.warn(`Could not read the notes of ${topLevel} for the AI share: ${errorMessage(error)}`);
    }
    return paths;
  }

  private async fileShare(store: WorkingStateStore, topLevel: string, repoPath: string, document: vscode.TextDocument | undefined): Promise<FileShare | undefined> {
    const uri = document?.uri ?? vscode.Uri.file(path.join(topLevel, ...repoPath.split('/')));
    let text: string;
    let spans: readonly AttributedSpan[];
    let committed: readonly CommittedAiLine[];
    if (document) {
      text = document.getText();
      spans = this.service.spansOf(document.uri);
      committed = (await this.history.fetch(document)).lines;
    } else {
      const stat = await vscode.workspace.fs.stat(uri).then(
        (found) => found,
        () => undefined,
      );
      if (!stat || stat.type !== vscode.FileType.File || stat.size > this.settings.blameMaxFileBytes) return undefined;
      text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      spans = (await store.loadForText(repoPath, text).catch(() => undefined))?.spans ?? [];
      committed = await this.history.linesOfFileText(uri.fsPath, text);
    }
    const summary = summarizeLineMarks(text, computeLineMarks(text, spans, committed.map((line) => line.line)), committed);
    return { kind: 'file', uri, path: repoPath, totalLines: summary.totalLines, aiLines: summary.aiLines, reviewedAiLines: summary.reviewedAiLines };
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

import * as vscode from 'vscode';
import type { ReviewBlock } from '../../core/review/reviewModel';
import type { GitRunner } from '../../git/gitRunner';
import { headBlob } from '../../git/staging/committedText';
import { stagedEntry, stagePaths, unstagePaths } from '../../git/staging/stagedFiles';
import { checkStagedFile, storedAttribution, type AttributedText } from '../../git/staging/stagedReview';
import { filterChangedMessage } from '../../core/review/filterChanged';
import { escapeDisplay } from '../../core/text/displayText';
import type { AttributionService } from '../attributionService';
import type { GitApiRepository, GitExtension } from '../gitExtension';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import type { ReviewFocus } from './reviewPanel';
import { displayPath, type ReviewWorkspace } from './reviewWorkspace';
import { Debouncer, DisposableStore } from '../lifecycle';
import { errorMessage } from '../../core/errorMessage';

const CHECK_DEBOUNCE_MS = 250;

export interface GateFinding {
  readonly uri: vscode.Uri;
  readonly repoPath: string;
  /** Blocks of the staged text that need review. */
  readonly blocks: readonly ReviewBlock[];
  /** The staged blob the finding is about. */
  readonly blob?: string;
  /** AI lines git's filters changed on add, which no staged line can be told to be (checkStagedFile); absent when none. */
  readonly filterChangedAiLines?: number;
}

/** A file's path as the gate shows it: a name from the repository, escaped as the CLI escapes it. */
function shownPath(uri: vscode.Uri): string {
  return escapeDisplay(displayPath(uri));
}

/**
 * The staging gate (`vouch.gate`). It watches the index through the git extension (which sees
 * staging from the Source Control view, its API and terminals alike) and applies the rule of
 * `vouch check --staged` to each newly staged version of a file with AI marks: warn, or in block
 * mode unstage the file and open the review panel at its blocks. "Review and Stage" stages a
 * file once its blocks are all reviewed.
 */
export class StagingGate implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  /** A repository's index is checked once its state has settled. */
  private readonly checkSoon = this.disposables.add(new Debouncer<GitApiRepository>(CHECK_DEBOUNCE_MS, (repository) => void this.check(repository, false)));
  /** The staged blob last checked per file, so each staged version is judged once. */
  private readonly checkedBlobs = new Map<string, string>();
  private readonly watched = new Set<GitApiRepository>();
  /** Files "Review and Stage" will stage once nothing in them waits for review. */
  private readonly stageWhenReviewed = new Map<string, vscode.Uri>();
  private readonly findingsEmitter = new vscode.EventEmitter<{ mode: 'warn' | 'block'; findings: readonly GateFinding[] }>();
  /** Fires after the gate warned or unstaged (for tests and other views). */
  readonly onDidGate = this.findingsEmitter.event;

  constructor(
    private readonly git: GitRunner,
    private readonly states: RepositoryRegistry,
    private readonly service: AttributionService,
    private readonly workspace: ReviewWorkspace,
    private readonly settings: VouchSettings,
    private readonly openPanel: (focus?: ReviewFocus) => void,
    private readonly log: vscode.LogOutputChannel,
    gitExtension: GitExtension,
  ) {
    this.disposables.push(this.findingsEmitter, workspace.onDidChange(() => void this.stageReviewedFiles()));
    void this.start(gitExtension);
  }

  private async start(gitExtension: GitExtension): Promise<void> {
    const api = await gitExtension.api();
    if (!api || this.disposables.isDisposed) return;
    for (const repository of api.repositories) this.watch(repository, true);
    this.disposables.push(
      api.onDidOpenRepository((repository) => this.watch(repository, true)),
      api.onDidCloseRepository((repository) => this.watched.delete(repository)),
    );
  }

  private watch(repository: GitApiRepository, initial: boolean): void {
    if (this.watched.has(repository)) return;
    this.watched.add(repository);
    // What is staged when the window opens was staged before: remember it without a warning.
    if (initial) void this.check(repository, true);
    this.disposables.push(
      repository.state.onDidChange(() => this.checkSoon.trigger(repository)),
    );
  }

  private indexChanges(repository: GitApiRepository): vscode.Uri[] {
    const changes = repository.state.indexChanges;
    if (!Array.isArray(changes)) return [];
    return changes.map((change) => change.uri).filter((uri): uri is vscode.Uri => uri instanceof vscode.Uri && uri.scheme === 'file');
  }

  private async attributionOf(uri: vscode.Uri, repoPath: string, store: Parameters<typeof storedAttribution>[0]): Promise<AttributedText | undefined> {
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (open) {
      const spans = this.service.spansOf(uri);
      return spans.length > 0 ? { text: open.getText(), spans } : undefined;
    }
    return storedAttribution(store, repoPath, (reason) => this.log.warn(`Staging gate: ${reason}`));
  }

  /**
   * The gate rule for one file's staged content, or undefined when it has no AI marks or nothing
   * staged: `vouch check --staged`'s own (checkStagedFile), so the blocks that need review and the
   * AI lines git's filters changed on add are what the CLI finds.
   */
  async findingFor(uri: vscode.Uri): Promise<(GateFinding & { blob: string }) | undefined> {
    const located = await this.states.storeOf(uri.fsPath);
    if (!located) return undefined;
    const attributed = await this.attributionOf(uri, located.repoPath, located.store);
    if (!attributed) return undefined;
    const check = await checkStagedFile(this.git, located.repository, located.repoPath, attributed);
    if (!check) return undefined;
    return { uri, repoPath: located.repoPath, blob: check.blob, blocks: check.blocks, filterChangedAiLines: check.filterChangedAiLines };
  }

  private async check(repository: GitApiRepository, silent: boolean): Promise<void> {
    const mode = this.settings.gate;
    if (mode === 'off' && !silent) return;
    const findings: GateFinding[] = [];
    for (const uri of this.indexChanges(repository)) {
      try {
        const finding = await this.findingFor(uri);
        if (!finding) continue;
        const key = uri.toString();
        if (this.checkedBlobs.get(key) === finding.blob) continue;
        this.checkedBlobs.set(key, finding.blob);
        // As `vouch check --staged` fails: AI code waits for review, or git's filters changed AI lines.
        if (finding.blocks.length > 0 || finding.filterChangedAiLines) findings.push(finding);
        else this.log.debug(`Staging gate: ${escapeDisplay(finding.repoPath)} staged (blob ${finding.blob.slice(0, 12)}) with no AI block waiting for review`);
      } catch (error) {
        this.log.warn(`Staging gate: could not check ${uri.fsPath}: ${errorMessage(error)}`);
      }
    }
    if (silent || findings.length === 0 || mode === 'off') return;
    if (mode === 'block') await this.block(findings);
    else this.warn(findings);
  }

  private describe(findings: readonly GateFinding[]): string {
    const blocks = findings.reduce((sum, finding) => sum + finding.blocks.length, 0);
    const files = findings.map((finding) => shownPath(finding.uri));
    if (files.length !== 1) return vscode.l10n.t('{0} files hold {1} AI blocks that no one has reviewed', files.length, blocks);
    return blocks === 1 ? vscode.l10n.t('{0} holds 1 AI block that no one has reviewed', files[0]) : vscode.l10n.t('{0} holds {1} AI blocks that no one has reviewed', files[0], blocks);
  }

  /**
   * What the gate tells the person: the blocks that wait for review, then each file whose AI lines
   * git's filters changed on add, in the words of `vouch check --staged` (filterChangedMessage), and
   * what to do about it.
   */
  private message(findings: readonly GateFinding[], mode: 'warn' | 'block' | 'log'): string {
    const withBlocks = findings.filter((finding) => finding.blocks.length > 0);
    const filtered = findings.filter((finding) => (finding.filterChangedAiLines ?? 0) > 0);
    const parts: string[] = [];
    if (withBlocks.length > 0) {
      const described = this.describe(withBlocks);
      if (mode === 'log') parts.push(`${described}.`);
      else parts.push(mode === 'warn' ? vscode.l10n.t('Staged: {0}.', described) : vscode.l10n.t('Vouch unstaged {0}. Review them, then stage again (or use "Vouch: Review and Stage").', described));
    }
    if (filtered.length === 0) return parts.join(' ');
    const unstagedForFiltersOnly = filtered.filter((finding) => finding.blocks.length === 0);
    if (mode === 'block' && unstagedForFiltersOnly.length > 0) parts.push(vscode.l10n.t('Vouch unstaged {0}.', unstagedForFiltersOnly.map((finding) => shownPath(finding.uri)).join(', ')));
    for (const finding of filtered) parts.push(vscode.l10n.t('{0}: {1}.', shownPath(finding.uri), filterChangedMessage(finding.filterChangedAiLines ?? 0, 'staged', vscode.l10n.t)));
    parts.push(vscode.l10n.t("Edit those lines so that git's filters leave them as they are, review them (again) and stage again."));
    return parts.join(' ');
  }

  private focusOf(finding: GateFinding): ReviewFocus {
    return { uri: finding.uri, spanIds: finding.blocks[0]?.spanIds ?? [] };
  }

  private warn(findings: readonly GateFinding[]): void {
    const message = this.message(findings, 'warn');
    // The log names what was found, without the notification's wording around it.
    this.log.info(`Staging gate (warn): ${this.message(findings, 'log')}`);
    this.findingsEmitter.fire({ mode: 'warn', findings });
    // The panel has nothing to show for AI lines git's filters changed: Review is offered for blocks only.
    const withBlocks = findings.find((finding) => finding.blocks.length > 0);
    const [review, unstage] = [vscode.l10n.t('Review'), vscode.l10n.t('Unstage')];
    void vscode.window.showWarningMessage(message, ...(withBlocks ? [review, unstage] : [unstage])).then(async (choice) => {
      if (choice === review && withBlocks) this.openPanel(this.focusOf(withBlocks));
      if (choice !== unstage) return;
      // VS Code cannot take a notification back: a click after a commit (or a new `git add`) must do nothing.
      const outdated = await this.outdated(findings);
      if (outdated.length > 0) {
        this.log.info(`Staging gate: ignored Unstage from an out-of-date warning (${outdated.join(', ')} changed in the index since)`);
        void vscode.window.showInformationMessage(vscode.l10n.t('That warning is out of date: {0} was committed or staged again since. Nothing was unstaged.', outdated.join(', ')));
        return;
      }
      await this.unstage(findings);
    });
  }

  /** Files whose staged content is no longer the content a finding was about (committed, unstaged or staged again). */
  private async outdated(findings: readonly GateFinding[]): Promise<string[]> {
    const files: string[] = [];
    for (const finding of findings) {
      const located = await this.states.storeOf(finding.uri.fsPath);
      const entry = located ? await stagedEntry(this.git, located.repository, located.repoPath).catch(() => undefined) : undefined;
      const head = located ? await headBlob(this.git, located.repository, located.repoPath).catch(() => undefined) : undefined;
      // After a commit the index equals HEAD: nothing is staged any more, though the entry is there.
      if (!entry || entry.blob !== finding.blob || head === entry.blob) files.push(displayPath(finding.uri));
    }
    return files;
  }

  private async unstage(findings: readonly GateFinding[]): Promise<boolean> {
    try {
      for (const finding of findings) {
        const located = await this.states.storeOf(finding.uri.fsPath);
        if (located) await unstagePaths(this.git, located.repository, [located.repoPath]);
        this.checkedBlobs.delete(finding.uri.toString());
      }
      return true;
    } catch (error) {
      const reason = errorMessage(error);
      this.log.error(`Staging gate: could not unstage: ${reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Vouch could not unstage the file: {0}', reason));
      return false;
    }
  }

  private async block(findings: readonly GateFinding[]): Promise<void> {
    if (!(await this.unstage(findings))) return;
    const message = this.message(findings, 'block');
    this.log.info(`Staging gate (block): unstaged ${findings.map((finding) => escapeDisplay(finding.repoPath)).join(', ')}: ${message}`);
    this.findingsEmitter.fire({ mode: 'block', findings });
    // Review and Stage stages a file once its blocks are reviewed; AI lines git's filters change need an edit first.
    const withBlocks = findings.find((finding) => finding.blocks.length > 0);
    if (withBlocks) this.openPanel(this.focusOf(withBlocks));
    const reviewAndStage = vscode.l10n.t('Review and Stage');
    void vscode.window.showWarningMessage(message, ...(withBlocks ? [reviewAndStage] : [])).then((choice) => {
      if (choice === reviewAndStage && withBlocks) void this.reviewAndStage(withBlocks.uri);
    });
  }

  /** Opens the panel at a file's blocks and stages the file once none waits for review (at once when none does). */
  async reviewAndStage(uri: vscode.Uri): Promise<'staged' | 'waiting'> {
    const document = await this.workspace.openDocument(uri);
    const pending = this.workspace.blocksOfDocument(document);
    if (pending.length === 0) {
      await this.stage(uri);
      return 'staged';
    }
    this.stageWhenReviewed.set(uri.toString(), uri);
    this.openPanel({ uri, spanIds: pending[0].spanIds });
    void vscode.window.showInformationMessage(
      pending.length === 1
        ? vscode.l10n.t('Review the AI block of {0}; Vouch stages the file when none is left.', displayPath(uri))
        : vscode.l10n.t('Review the {0} AI blocks of {1}; Vouch stages the file when none is left.', pending.length, displayPath(uri)),
    );
    return 'waiting';
  }

  private async stageReviewedFiles(): Promise<void> {
    for (const [key, uri] of [...this.stageWhenReviewed]) {
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === key);
      if (!document || this.workspace.blocksOfDocument(document).length > 0) continue;
      this.stageWhenReviewed.delete(key);
      await this.stage(uri);
    }
  }

  private async stage(uri: vscode.Uri): Promise<void> {
    try {
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
      // Staging takes the file from disk: a rejection's removal must be saved first.
      if (document?.isDirty) await document.save();
      await this.service.flush();
      const located = await this.states.storeOf(uri.fsPath);
      if (!located) throw new Error(`${displayPath(uri)} is not in a git repository`);
      await stagePaths(this.git, located.repository, [located.repoPath]);
      void vscode.window.showInformationMessage(vscode.l10n.t('Vouch staged {0}: all its AI code is reviewed.', displayPath(uri)));
    } catch (error) {
      const reason = errorMessage(error);
      this.log.error(`Review and Stage: ${reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Vouch could not stage {0}: {1}', displayPath(uri), reason));
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

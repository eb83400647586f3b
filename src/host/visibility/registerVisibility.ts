import * as vscode from 'vscode';
import { computeLineMarks, type LineMarkState, type LineRun } from '../../core/visibility/lineMarks';
import { formatSummary, summarizeLineMarks, type AttributionSummary } from '../../core/visibility/summary';
import type { GitRunner } from '../../git/gitRunner';
import type { AttributionService } from '../attributionService';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { GutterMode, VouchSettings } from '../settings';
import { AttributionDecorations } from './attributionDecorations';
import { AiShareView } from './aiShareView';
import { AttributionHoverProvider } from './attributionHover';
import { CommittedHistory } from './committedHistory';
import { CurrentLineAnnotation, UnreviewedCodeLens } from './currentLine';
import { UnreviewedStatusBar, type UnreviewedBlocksSource, type UnreviewedCounts } from './unreviewedStatusBar';
import { registerApproveCommittedCommand } from '../review/approveCommittedCommand';

/** What "Vouch: Show Attribution Summary" reports (and returns to callers of the command). */
export interface AttributionSummaryResult {
  readonly uri: string;
  readonly path: string;
  readonly summary: AttributionSummary;
  /** The marked line runs per state, 0-based: exactly what the gutter shows now (empty when it is off). */
  readonly gutterRuns: Readonly<Record<LineMarkState, readonly LineRun[]>>;
  readonly unreviewedBlocks: UnreviewedCounts;
  readonly message: string;
  /**
   * What the editor showed when the summary was asked for, before it counted: the runs the
   * document's visible editor was given (undefined when none is visible) and the status bar's counts.
   */
  readonly shown: { readonly gutterRuns: Readonly<Record<LineMarkState, readonly LineRun[]>> | 'off' | undefined; readonly unreviewedBlocks: UnreviewedCounts };
}

/** The visible side of attribution: gutter and overview-ruler marks, hover, status bar, and their commands. */
export function registerAttributionVisibility(deps: {
  readonly service: AttributionService;
  /** The blocks waiting for review, as the review panel shows them (the status bar counts them). */
  readonly reviews: UnreviewedBlocksSource;
  readonly states: RepositoryRegistry | undefined;
  readonly git: GitRunner | undefined;
  readonly settings: VouchSettings;
  readonly log: vscode.LogOutputChannel;
}): vscode.Disposable {
  const settings = deps.settings;
  const history = new CommittedHistory(deps.git, deps.states, settings, deps.log);
  const decorations = new AttributionDecorations(deps.service, history, settings);
  const statusBar = new UnreviewedStatusBar(deps.reviews, settings, deps.log);
  const annotation = new CurrentLineAnnotation(deps.service, decorations, settings);
  const codeLens = new UnreviewedCodeLens(statusBar, settings);
  const share = new AiShareView(deps.service, deps.states, deps.git, history, settings, deps.log);
  const documents: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }];
  let lastShownMode: GutterMode = settings.gutterMode === 'off' ? 'all' : settings.gutterMode;

  const toggleGutter = async (): Promise<GutterMode> => {
    const current = settings.gutterMode;
    if (current !== 'off') lastShownMode = current;
    const next: GutterMode = current === 'off' ? lastShownMode : 'off';
    await settings.setGutterMode(next);
    void vscode.window.setStatusBarMessage(
      next === 'off'
        ? vscode.l10n.t('Vouch: attribution gutter off')
        : next === 'all'
          ? vscode.l10n.t('Vouch: attribution gutter on (uncommitted and committed AI lines)')
          : vscode.l10n.t('Vouch: attribution gutter on (uncommitted AI lines)'),
      3000,
    );
    return next;
  };

  const showSummary = async (target?: vscode.Uri | string): Promise<AttributionSummaryResult | undefined> => {
    const uri = typeof target === 'string' ? vscode.Uri.parse(target, true) : target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Vouch: open a file to see its attribution summary.'));
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    // The summary covers committed lines whatever the gutter shows; it waits for blame.
    const committed = await history.fetch(document);
    const text = document.getText();
    const allMarks = computeLineMarks(text, deps.service.spansOf(document.uri), committed.lines.map((line) => line.line));
    const summary = summarizeLineMarks(text, allMarks, committed.lines);
    const shown = { gutterRuns: decorations.shownRuns(document), unreviewedBlocks: statusBar.counts };
    const gutter = decorations.marksOf(document).marks;
    const unreviewedBlocks = await statusBar.refresh();
    const path = vscode.workspace.asRelativePath(document.uri);
    const sentence = formatSummary(path, summary, vscode.l10n.t);
    const message = settings.gutterMode === 'off' ? vscode.l10n.t('{0} (the attribution gutter is off: "Vouch: Toggle Attribution Gutter" turns it on)', sentence) : sentence;
    void vscode.window.showInformationMessage(message);
    return { uri: document.uri.toString(), path, summary, gutterRuns: gutter.runs, unreviewedBlocks, message, shown };
  };

  return vscode.Disposable.from(
    history,
    decorations,
    statusBar,
    annotation,
    codeLens,
    share,
    vscode.commands.registerCommand('vouch.refreshAiShare', () => share.refresh()),
    vscode.languages.registerHoverProvider(documents, new AttributionHoverProvider(deps.service, decorations, settings)),
    vscode.languages.registerCodeLensProvider(documents, codeLens),
    vscode.commands.registerCommand('vouch.toggleGutter', toggleGutter),
    vscode.commands.registerCommand('vouch.showSummary', showSummary),
    registerApproveCommittedCommand({ git: deps.git, committedLines: async (document) => (await history.fetch(document)).lines, refresh: (topLevel) => history.notesWritten(topLevel), signingKey: () => settings.signingKey, log: deps.log }),
  );
}

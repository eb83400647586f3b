import * as vscode from 'vscode';
import { Debouncer, DisposableStore } from '../lifecycle';
import { spanStatusesNear } from '../documentText';
import type { AttributedSpan } from '../../core/attribution';
import { REVIEW_PANEL_COMMAND } from '../../core/visibility/hoverText';
import { committedAnnotation, uncommittedAnnotation, unreviewedBlocksTitle } from '../../core/visibility/lineAnnotation';
import { committedLineShownAt, uncommittedMarkAt } from '../../core/visibility/lineMarks';
import { ANNOTATION_COLOR_ID } from '../../core/visibility/markStyle';
import type { AttributionService } from '../attributionService';
import type { VouchSettings } from '../settings';
import type { AttributionDecorations } from './attributionDecorations';
import type { UnreviewedStatusBar } from './unreviewedStatusBar';

/** The annotation follows the cursor after this pause, so moving through a file costs one update per stop. */
const ANNOTATION_DEBOUNCE_MS = 120;

/** The annotation text of a line of a document, or undefined for a line that holds no AI mark. */
export function annotationAt(document: vscode.TextDocument, line: number, service: AttributionService, decorations: AttributionDecorations, now = Date.now()): string | undefined {
  const { marks, committed } = decorations.recentMarksOf(document);
  const mark = uncommittedMarkAt(marks, line);
  if (mark) {
    const wanted = new Set(mark.spanIds);
    // The spans on the line, found by a ledger lookup; a blank line inside a block names spans of the lines around it.
    const lineRange = document.lineAt(line).rangeIncludingLineBreak;
    let spans = service.spansInRange(document.uri, document.offsetAt(lineRange.start), document.offsetAt(lineRange.end)).filter((span) => wanted.has(span.id));
    if (spans.length < wanted.size) spans = service.spansOf(document.uri).filter((span) => wanted.has(span.id));
    const statusOf = spanStatusesNear(document, line);
    return uncommittedAnnotation({ mark, spans: spans.map((span: AttributedSpan) => ({ span, status: statusOf(span) })), now }, vscode.l10n.t);
  }
  const committedLine = committedLineShownAt(marks, committed, line);
  return committedLine ? committedAnnotation(committedLine, now, vscode.l10n.t) : undefined;
}

/**
 * GitLens-style text at the end of the cursor's AI line (`vouch.currentLine.annotation`), from
 * the marks the gutter already computed; updated when the cursor stops and when the marks change.
 */
export class CurrentLineAnnotation implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor(ANNOTATION_COLOR_ID), margin: '0 0 0 3em', fontStyle: 'normal' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
  });
  private readonly disposables = new DisposableStore(this.type);
  private readonly updateSoon = new Debouncer(ANNOTATION_DEBOUNCE_MS, () => this.update());
  private shownIn: vscode.TextEditor | undefined;
  /** The editor and line of the last single cursor seen: typing moves along one line. */
  private cursor: { readonly editor: vscode.TextEditor; readonly line: number } | undefined;
  private readonly emitter = new vscode.EventEmitter<string | undefined>();
  /** Fires with the text shown (undefined: none) after each update (tests wait on it). */
  readonly onDidUpdate = this.emitter.event;

  constructor(
    private readonly service: AttributionService,
    private readonly decorations: AttributionDecorations,
    private readonly settings: VouchSettings,
  ) {
    this.disposables.push(
      this.updateSoon,
      this.emitter,
      // Typing moves the cursor along its line: what that line shows changes only with its marks,
      // which schedule an update themselves (onDidApply). So a keystroke costs no timer here.
      vscode.window.onDidChangeTextEditorSelection((event) => {
        const line = event.selections.length === 1 ? event.selections[0].active.line : undefined;
        const sameLine = line !== undefined && this.cursor?.editor === event.textEditor && this.cursor.line === line;
        this.cursor = line === undefined ? undefined : { editor: event.textEditor, line };
        if (!sameLine) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      decorations.onDidApply((uri) => {
        if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) this.schedule();
      }),
      settings.onDidChange(() => this.schedule()),
    );
    this.schedule();
  }

  private schedule(): void {
    this.updateSoon.trigger();
  }

  private update(): void {
    const editor = vscode.window.activeTextEditor;
    if (this.shownIn && this.shownIn !== editor) this.shownIn.setDecorations(this.type, []);
    this.shownIn = editor;
    if (!editor) return this.emitter.fire(undefined);
    const line = editor.selection.active.line;
    const text = this.settings.currentLineAnnotation && this.settings.gutterMode !== 'off' ? annotationAt(editor.document, line, this.service, this.decorations) : undefined;
    if (text === undefined) {
      editor.setDecorations(this.type, []);
    } else {
      const end = editor.document.lineAt(line).range.end;
      editor.setDecorations(this.type, [{ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } }]);
    }
    this.emitter.fire(text);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

/** `3 AI blocks unreviewed · Review` above the first line of a file (`vouch.codeLens.enabled`), from the status bar's counts. */
export class UnreviewedCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly disposables = new DisposableStore(this.emitter);

  constructor(
    private readonly statusBar: UnreviewedStatusBar,
    private readonly settings: VouchSettings,
  ) {
    this.disposables.push(
      statusBar.onDidRefresh(() => this.emitter.fire()),
      settings.onDidChange(() => this.emitter.fire()),
      // The editor drops a pending lens refresh when it loses the focus (to the review panel, say),
      // so a count that changed just before would stay on screen until it has the focus again. The
      // active group changes after that moment: asking again then shows the count beside the panel.
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.emitter.fire()),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.settings.codeLens) return [];
    const count = this.statusBar.lastCountOf(document);
    if (count === 0) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const focus = { uri: document.uri.toString() };
    return [
      new vscode.CodeLens(top, { title: `$(sparkle) ${unreviewedBlocksTitle(count, vscode.l10n.t)}`, tooltip: vscode.l10n.t('Vouch: move to the next unreviewed AI block'), command: 'vouch.nextAiBlock', arguments: [] }),
      new vscode.CodeLens(top, { title: vscode.l10n.t('Review'), tooltip: vscode.l10n.t("Vouch: open the review panel at this file's blocks"), command: REVIEW_PANEL_COMMAND, arguments: [focus] }),
    ];
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

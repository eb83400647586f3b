import * as vscode from 'vscode';
import { documentLineSource, wholeTextForSpans } from '../documentText';
import type { CommittedAiLine } from '../../core/visibility/committedLines';
import { nativeSha256Hex } from '../../git/blame/nativeSha256';
import {
  LINE_MARK_STATES,
  SpanStatusCache,
  assembleLineMarks,
  computeLineMarks,
  computeLineMarksOfSource,
  editKeepsEveryMark,
  lineEditKeepsMarks,
  updateUncommittedMarks,
  type LineMarks,
  type LineMarkState,
} from '../../core/visibility/lineMarks';
import { MARK_COLOR_DEFAULTS, MARK_COLOR_IDS, gutterIconSvg, resolveThemeColor, type ThemeKind } from '../../core/visibility/markStyle';
import type { AppliedEdit, AttributionService } from '../attributionService';
import type { LineWithSpans } from '../../core/review/blocksKept';
import { TypingPauses } from '../../core/visibility/typingPause';
import { NO_COMMITTED_LINES, type CommittedHistory } from './committedHistory';
import type { VouchSettings } from '../settings';
import { Debouncer, DisposableStore } from '../lifecycle';

/** Decorations follow attribution changes after this pause, so a burst of edits costs one update. */
const UPDATE_DEBOUNCE_MS = 75;
/**
 * While a person types on AI lines, the editor moves the marks with the text itself; the marks are
 * recomputed once typing pauses this long, or at the latest this long after the first keystroke.
 */
const TYPING_QUIET_MS = 300;
const TYPING_MAX_WAIT_MS = 1_000;

/** The theme kind VS Code shows now, as the colour defaults name it. */
export function activeThemeKind(): ThemeKind {
  switch (vscode.window.activeColorTheme.kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'highContrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'highContrastLight';
    default:
      return 'dark';
  }
}

/** The colour of a Vouch colour id in the active theme (defaults, or the user's colour customizations). */
export function activeThemeColor(colorId: string, defaults: Readonly<Record<ThemeKind, string>>): string {
  const workbench = vscode.workspace.getConfiguration('workbench');
  return resolveThemeColor(colorId, defaults, activeThemeKind(), workbench.get<unknown>('colorCustomizations'), workbench.get<string>('colorTheme'));
}

/** One decoration type per state: its own gutter icon (shape and colour) and an overview-ruler mark in its theme colour. */
function createMarkTypes(): Record<LineMarkState, vscode.TextEditorDecorationType> {
  return Object.fromEntries(
    LINE_MARK_STATES.map((state) => {
      const svg = gutterIconSvg(state, activeThemeColor(MARK_COLOR_IDS[state], MARK_COLOR_DEFAULTS[state]));
      return [
        state,
        vscode.window.createTextEditorDecorationType({
          isWholeLine: true,
          gutterIconPath: vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`),
          gutterIconSize: '70%',
          overviewRulerColor: new vscode.ThemeColor(MARK_COLOR_IDS[state]),
          overviewRulerLane: vscode.OverviewRulerLane.Left,
          rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        }),
      ];
    }),
  ) as Record<LineMarkState, vscode.TextEditorDecorationType>;
}

interface DocumentMarks {
  readonly version: number;
  /** Attribution generation of the document when the marks were computed. */
  readonly attributionGeneration: number;
  readonly committed: readonly CommittedAiLine[];
  readonly marks: LineMarks;
  /**
   * A person typing inside one line since `marks` were those of the text: the line as they were
   * computed for (`from`) and as it is at `version` (`to`). Whether typing changed a mark is asked
   * once, when the marks are next read (settled), not at every keystroke: the editor moves its
   * decorations with the text meanwhile, and the line rule compares the two states alone.
   */
  readonly typedLine?: { readonly line: number; readonly from: LineWithSpans; readonly to: LineWithSpans };
}

/**
 * Gutter marks (an icon per state in the glyph margin) and overview-ruler marks of AI lines in
 * visible editors, recomputed (debounced) when attribution, committed history or settings change.
 * Holds no attribution logic: the marks come from core `computeLineMarks`. An edit updates the
 * marks of its document from the lines around it (core `updateUncommittedMarks`), so a keystroke
 * costs the lines it touches, not every span of the file; an editor whose marks did not change
 * is not given them again.
 */
export class AttributionDecorations implements vscode.Disposable {
  /** Made when an editor is first given marks (not at activation: each reads the theme's colours). */
  private types: Record<LineMarkState, vscode.TextEditorDecorationType> | undefined;
  private readonly caches = new Map<string, SpanStatusCache>();
  private readonly marksByDocument = new Map<string, DocumentMarks>();
  private readonly attributionGenerations = new Map<string, number>();
  /** The runs each editor was last given (an update with the same runs gives it nothing); 'off' while the gutter is off. */
  private shown = new WeakMap<vscode.TextEditor, LineMarks['runs'] | 'off'>();

  private readonly pending = new Set<string>();
  private pendingAll = false;
  private readonly disposables = new DisposableStore();
  private readonly updateSoon = this.disposables.add(new Debouncer(UPDATE_DEBOUNCE_MS, () => this.update()));
  /** Keystrokes on AI lines put off the recomputation until typing pauses. */
  private readonly typing = new TypingPauses(TYPING_QUIET_MS, TYPING_MAX_WAIT_MS);
  private readonly appliedEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after the decorations of a document's editors were set (tests wait on it). */
  readonly onDidApply = this.appliedEmitter.event;

  constructor(
    private readonly service: AttributionService,
    private readonly history: CommittedHistory,
    private readonly settings: VouchSettings,
  ) {
    this.disposables.push(
      { dispose: () => this.disposeTypes() },
      this.appliedEmitter,
      // The icons are drawn in the theme's colours: a theme change draws them again.
      vscode.window.onDidChangeActiveColorTheme(() => this.recreateTypes()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('workbench.colorCustomizations')) this.recreateTypes();
      }),
      service.onDidChangeAttribution((uri) => {
        const key = uri.toString();
        this.attributionGenerations.set(key, (this.attributionGenerations.get(key) ?? 0) + 1);
        this.schedule(key);
      }),
      // Comes right after the attribution change the same edit caused.
      service.onDidApplyEdit((edit) => {
        this.followEdit(edit);
        if (edit.decidedBy === 'typing' && edit.spansAffected) this.typing.noteKeystroke(edit.key, edit.at, this.attributionGenerations.get(edit.key) ?? 0);
      }),
      history.onDidChange((uri) => this.schedule(uri.toString())),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      // Typing away from every span fires no attribution change: the editor moves the decorations with the text itself.
      vscode.workspace.onDidCloseTextDocument((document) => {
        const key = document.uri.toString();
        this.marksByDocument.delete(key);
        this.caches.delete(key);
        this.attributionGenerations.delete(key);
        this.typing.forget(key);
      }),
      settings.onDidChange(() => {
        this.marksByDocument.clear();
        this.schedule();
      }),
    );
    this.schedule();
  }

  /**
   * The line marks of a document's current text (what its editors show), computed now if the
   * cached ones are for another version. With the gutter off, no marks.
   */
  marksOf(document: vscode.TextDocument): { marks: LineMarks; committed: readonly CommittedAiLine[] } {
    const key = document.uri.toString();
    const generation = this.attributionGenerations.get(key) ?? 0;
    const committed = this.settings.gutterMode === 'all' ? this.history.linesOf(document) : NO_COMMITTED_LINES;
    const known = this.marksByDocument.get(key);
    const cached = known && known.version === document.version && known.attributionGeneration === generation ? this.settled(key, document, known) : undefined;
    if (cached) {
      if (cached.committed === committed) return cached;
      // Blame found the committed lines again: the uncommitted marks stand, only the runs are assembled again.
      const sameLines = cached.committed.length === committed.length && cached.committed.every((line, index) => line.line === committed[index].line);
      const marks = sameLines ? cached.marks : assembleLineMarks(cached.marks.uncommitted, committed.map((line) => line.line), cached.marks.lineCount);
      const entry: DocumentMarks = { ...cached, committed, marks };
      this.marksByDocument.set(key, entry);
      return entry;
    }
    const spans = this.settings.gutterMode === 'off' ? [] : this.service.spansOf(document.uri);
    // From the whole text when the spans are dense, else from the lines around them: a big document's whole text is never taken here.
    const whole = wholeTextForSpans(document, spans.length);
    const committedLines = committed.map((line) => line.line);
    const marks =
      whole !== undefined
        ? computeLineMarks(whole, spans, committedLines, this.statusCacheOf(key))
        : computeLineMarksOfSource(documentLineSource(document), spans, committedLines, this.statusCacheOf(key));
    const entry: DocumentMarks = { version: document.version, attributionGeneration: generation, committed, marks };
    this.marksByDocument.set(key, entry);
    return entry;
  }

  /**
   * The marks of a document at its current version after a run of typing inside one line: the same
   * when the line rule says typing changed no mark (lineEditKeepsMarks), else derived again from
   * the lines around that line.
   */
  private settled(key: string, document: vscode.TextDocument, cached: DocumentMarks): DocumentMarks {
    const typed = cached.typedLine;
    if (!typed || typed.from === typed.to) return cached;
    const cache = this.statusCacheOf(key);
    const restarted = { line: typed.line, from: typed.to, to: typed.to };
    if (lineEditKeepsMarks(typed.from, typed.to, cache)) {
      const entry: DocumentMarks = { ...cached, typedLine: restarted };
      this.marksByDocument.set(key, entry);
      return entry;
    }
    const { line } = typed;
    const start = typed.to.lineStart;
    const update = updateUncommittedMarks(
      cached.marks.uncommitted,
      { firstLine: line, oldLastLine: line, newLastLine: line, start, end: start + typed.to.lineText.length },
      documentLineSource(document),
      (from, to) => this.service.spansInRange(document.uri, from, to),
      cache,
    );
    const marks = update.unchanged ? cached.marks : assembleLineMarks(update.uncommitted, cached.committed.map((committed) => committed.line), document.lineCount);
    const entry: DocumentMarks = { ...cached, marks, typedLine: restarted };
    this.marksByDocument.set(key, entry);
    return entry;
  }

  private statusCacheOf(key: string): SpanStatusCache {
    let cache = this.caches.get(key);
    if (!cache) this.caches.set(key, (cache = new SpanStatusCache(nativeSha256Hex)));
    return cache;
  }

  /**
   * Moves a document's marks along with one edit, deriving again only the lines around it, when
   * the cached marks are those of the text and attribution just before it; else forgets them (the
   * next look computes them over every span).
   */
  private followEdit(edit: AppliedEdit): void {
    const { key, document } = edit;
    const cached = this.marksByDocument.get(key);
    if (!cached) return;
    // The attribution change this edit fired (when it affected spans) is the only one since the marks.
    const generation = this.attributionGenerations.get(key) ?? 0;
    const followable = cached.version === edit.versionBefore && generation === cached.attributionGeneration + (edit.spansAffected ? 1 : 0);
    if (!followable || edit.reason !== undefined || edit.changes.length !== 1 || this.settings.gutterMode === 'off') {
      this.marksByDocument.delete(key);
      return;
    }
    const [change] = edit.changes;
    const lineDelta = document.lineCount - cached.marks.lineCount;
    const [range] = edit.ranges;
    const firstLine = range.start.line;
    const typing = edit.lineChange !== undefined && lineDelta === 0 && range.end.line === firstLine ? { line: firstLine, ...edit.lineChange } : undefined;
    // The next keystroke of a run of typing in one line (the service gives the line after one
    // keystroke as the next one's line before); its attribution change has the decorations update
    // after the typing pause, which settles the run.
    if (typing && edit.spansAffected && cached.typedLine?.line === typing.line && cached.typedLine.to === typing.before) {
      this.marksByDocument.set(key, { ...cached, version: document.version, attributionGeneration: generation, typedLine: { line: typing.line, from: cached.typedLine.from, to: typing.after } });
      return;
    }
    // Another edit: the run of typing before it must have kept every mark for the marks to follow this one.
    if (cached.typedLine && cached.typedLine.from !== cached.typedLine.to && !lineEditKeepsMarks(cached.typedLine.from, cached.typedLine.to, this.statusCacheOf(key))) {
      this.marksByDocument.delete(key);
      return;
    }
    const typedLine = typing && { line: typing.line, from: typing.after, to: typing.after };
    // Committed lines belong to the line numbers they were found for: lines that move hide them until blame runs again (as linesOf does).
    if (lineDelta !== 0 && cached.committed.length > 0) {
      this.marksByDocument.delete(key);
      return;
    }
    const end = change.offset + change.insertedText.length;
    // From the event's range, not the document (see DocumentEdit.ranges): its last line moved by the lines the edit added.
    const newLastLine = range.end.line + lineDelta;
    const lineEdit = { firstLine, oldLastLine: newLastLine - lineDelta, newLastLine, start: change.offset, end };
    const spansInRange = (start: number, rangeEnd: number) => this.service.spansInRange(document.uri, start, rangeEnd);
    // Typing on a line the service just read (the common keystroke), beside AI text or inside it:
    // decided from that line and its spans, without asking the document.
    const keepsEveryMark =
      lineDelta === 0 &&
      ((edit.lineAfter !== undefined && editKeepsEveryMark(cached.marks.uncommitted, lineEdit, edit.lineAfter, spansInRange)) ||
        (edit.lineChange !== undefined && firstLine === newLastLine && lineEditKeepsMarks(edit.lineChange.before, edit.lineChange.after, this.statusCacheOf(key))));
    if (keepsEveryMark) {
      this.marksByDocument.set(key, { version: document.version, attributionGeneration: generation, committed: cached.committed, marks: cached.marks, typedLine });
      return;
    }
    const update = updateUncommittedMarks(
      cached.marks.uncommitted,
      lineEdit,
      documentLineSource(document, { line: firstLine, length: edit.lengthAfter }),
      spansInRange,
      this.statusCacheOf(key),
    );
    // An edit within one line moves no decoration to another line: unchanged marks need no new runs.
    const withinLine = firstLine === newLastLine && lineDelta === 0;
    const marks =
      update.unchanged && withinLine
        ? cached.marks
        : assembleLineMarks(
            update.uncommitted,
            cached.committed.map((line) => line.line),
            document.lineCount,
          );
    this.marksByDocument.set(key, { version: document.version, attributionGeneration: generation, committed: cached.committed, marks, typedLine });
    // Without an attribution change (a person's line filled or emptied between AI lines, away from
    // every span) nothing else has the editors show marks their text did not move there.
    if (update.marksChanged && !edit.spansAffected) this.schedule(key);
  }

  /**
   * The marks last computed for a document, when they still fit its text: same version and no
   * attribution change since, or typed text that kept the line count (edits inside lines do not
   * move marks to other lines). Otherwise computed now.
   * For what follows the cursor (annotation), so a pause in typing costs at most one computation.
   */
  recentMarksOf(document: vscode.TextDocument): { marks: LineMarks; committed: readonly CommittedAiLine[] } {
    const key = document.uri.toString();
    const cached = this.marksByDocument.get(key);
    // Same text: only an attribution change (a review, a reload) makes them stale. Typed text: the
    // decorations recompute once typing pauses (TypingPauses); until then the marks keep their lines.
    const fits = cached && (cached.version === document.version ? cached.attributionGeneration === (this.attributionGenerations.get(key) ?? 0) : cached.marks.lineCount === document.lineCount);
    if (cached && fits) return cached.version === document.version ? this.settled(key, document, cached) : cached;
    return this.marksOf(document);
  }

  /** The runs the document's first visible editor was last given ('off' while the gutter is off; undefined when none is visible or none were given yet). */
  shownRuns(document: vscode.TextDocument): LineMarks['runs'] | 'off' | undefined {
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
    return editor && this.shown.get(editor);
  }

  /** Recomputes the decorations of the visible editors of `documentKey` (all when undefined) after a short pause. */
  private schedule(documentKey?: string): void {
    if (documentKey === undefined) this.pendingAll = true;
    else this.pending.add(documentKey);
    this.updateSoon.triggerOnce();
  }

  private update(): void {
    const all = this.pendingAll;
    const keys = new Set(this.pending);
    this.pendingAll = false;
    this.pending.clear();
    const now = Date.now();
    let deferredFor = Number.POSITIVE_INFINITY;
    const updated = new Map<string, vscode.Uri>();
    for (const editor of vscode.window.visibleTextEditors) {
      const key = editor.document.uri.toString();
      if (!all && !keys.has(key)) continue;
      const wait = this.typing.waitFor(key, this.attributionGenerations.get(key) ?? 0, now);
      if (wait > 0) {
        this.pending.add(key);
        deferredFor = Math.min(deferredFor, wait);
        continue;
      }
      this.apply(editor);
      updated.set(key, editor.document.uri);
    }
    if (deferredFor !== Number.POSITIVE_INFINITY) this.updateSoon.triggerOnce(undefined, deferredFor);
    for (const uri of updated.values()) this.appliedEmitter.fire(uri);
  }

  private recreateTypes(): void {
    if (!this.types) return;
    this.disposeTypes();
    this.types = createMarkTypes();
    this.shown = new WeakMap();
    this.schedule();
  }

  private disposeTypes(): void {
    for (const type of Object.values(this.types ?? {})) type.dispose();
  }

  private apply(editor: vscode.TextEditor): void {
    if (this.settings.gutterMode === 'off') {
      if (this.shown.get(editor) === 'off') return;
      const types = this.types;
      if (types) for (const state of LINE_MARK_STATES) editor.setDecorations(types[state], []);
      this.shown.set(editor, 'off');
      return;
    }
    const { marks } = this.marksOf(editor.document);
    // The same runs as this editor shows (the editor moved them with the text itself): nothing to send.
    if (this.shown.get(editor) === marks.runs) return;
    this.shown.set(editor, marks.runs);
    // No types yet: no editor was given marks, so an editor without marks has none to clear.
    if (!this.types && LINE_MARK_STATES.every((state) => marks.runs[state].length === 0)) return;
    const types = (this.types ??= createMarkTypes());
    for (const state of LINE_MARK_STATES) {
      const hidden = state === 'ai-accepted' && !this.settings.gutterShowAccepted;
      editor.setDecorations(
        types[state],
        hidden ? [] : marks.runs[state].map((run) => new vscode.Range(run.startLine, 0, run.endLine, 0)),
      );
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

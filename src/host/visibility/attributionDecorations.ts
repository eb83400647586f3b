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
  countLines,
  editKeepsEveryMark,
  lineEditKeepsMarks,
  updateUncommittedMarks,
  type LineMarks,
  type LineMarkState,
  type LineRun,
} from '../../core/visibility/lineMarks';
import { gutterWindowAround, overviewRulerRuns, runsOverlapping, windowStillCovers, type LineWindow } from '../../core/visibility/decorationRanges';
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

/**
 * Two decoration types per state: its gutter icon (shape and colour), given the runs near an
 * editor's visible lines, and its overview-ruler mark in its theme colour, given every run with the
 * gaps no ruler shows closed (core/visibility/decorationRanges.ts). Setting decorations costs by the
 * ranges sent; this way a file with thousands of AI lines costs what a screen of it shows.
 */
interface MarkTypes {
  readonly gutter: vscode.TextEditorDecorationType;
  readonly overview: vscode.TextEditorDecorationType;
}

function createMarkTypes(): Record<LineMarkState, MarkTypes> {
  return Object.fromEntries(
    LINE_MARK_STATES.map((state) => {
      const svg = gutterIconSvg(state, activeThemeColor(MARK_COLOR_IDS[state], MARK_COLOR_DEFAULTS[state]));
      const gutter = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        gutterIconPath: vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`),
        gutterIconSize: '70%',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      const overview = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        overviewRulerColor: new vscode.ThemeColor(MARK_COLOR_IDS[state]),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      return [state, { gutter, overview }];
    }),
  ) as Record<LineMarkState, MarkTypes>;
}

/** What an editor was last given: the runs of its document's marks, and the lines whose runs its gutter got. */
interface SentMarks {
  readonly runs: LineMarks['runs'];
  /** Undefined when the editor showed no lines then (its gutter got nothing). */
  readonly window: LineWindow | undefined;
  /** The document's line shift (see lineShifts) when they were sent. */
  readonly lineShift: number;
}

const toRange = (run: LineRun) => new vscode.Range(run.startLine, 0, run.endLine, 0);

function visibleLinesOf(editor: vscode.TextEditor): LineWindow[] {
  return editor.visibleRanges.map((range) => ({ first: range.start.line, last: range.end.line }));
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
  private types: Record<LineMarkState, MarkTypes> | undefined;
  private readonly caches = new Map<string, SpanStatusCache>();
  private readonly marksByDocument = new Map<string, DocumentMarks>();
  private readonly attributionGenerations = new Map<string, number>();
  /** What each editor was last given (an update with the same runs and visible lines gives it nothing); 'off' while the gutter is off. */
  private shown = new WeakMap<vscode.TextEditor, SentMarks | 'off'>();
  /**
   * Per document, the lines its edits added and removed so far, summed: a window sent when this was
   * S may have moved by up to (now - S) lines with the text (the editor moves decorations itself).
   */
  private readonly lineShifts = new Map<string, number>();

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
        if (edit.linesMoved) this.lineShifts.set(edit.key, (this.lineShifts.get(edit.key) ?? 0) + linesAddedAndRemoved(edit));
        this.followEdit(edit);
        if (edit.decidedBy === 'typing' && edit.spansAffected) this.typing.noteKeystroke(edit.key, edit.at, this.attributionGenerations.get(edit.key) ?? 0);
      }),
      history.onDidChange((uri) => this.schedule(uri.toString())),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      // Scrolling past the lines an editor's gutter was given: the runs there, now (a debounce would show the lines without icons first).
      vscode.window.onDidChangeTextEditorVisibleRanges((event) => {
        const sent = this.shown.get(event.textEditor);
        if (sent !== undefined && sent !== 'off' && !this.covers(event.textEditor, sent)) this.apply(event.textEditor);
      }),
      // Typing away from every span fires no attribution change: the editor moves the decorations with the text itself.
      vscode.workspace.onDidCloseTextDocument((document) => {
        const key = document.uri.toString();
        this.marksByDocument.delete(key);
        this.caches.delete(key);
        this.attributionGenerations.delete(key);
        this.lineShifts.delete(key);
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

  /**
   * The runs the document's first visible editor was last given (its gutter those near its visible
   * lines, its overview ruler all of them); 'off' while the gutter is off; undefined when none is
   * visible or none were given yet.
   */
  shownRuns(document: vscode.TextDocument): LineMarks['runs'] | 'off' | undefined {
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
    const sent = editor && this.shown.get(editor);
    return sent === 'off' ? 'off' : sent?.runs;
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
    for (const { gutter, overview } of Object.values(this.types ?? {})) {
      gutter.dispose();
      overview.dispose();
    }
  }

  /** Whether the lines the editor shows now lie inside those its gutter was given runs for. */
  private covers(editor: vscode.TextEditor, sent: SentMarks): boolean {
    const visible = visibleLinesOf(editor);
    if (sent.window === undefined) return visible.length === 0;
    const shift = (this.lineShifts.get(editor.document.uri.toString()) ?? 0) - sent.lineShift;
    return windowStillCovers(sent.window, visible, shift, editor.document.lineCount);
  }

  private apply(editor: vscode.TextEditor): void {
    if (this.settings.gutterMode === 'off') {
      if (this.shown.get(editor) === 'off') return;
      const types = this.types;
      if (types) {
        for (const state of LINE_MARK_STATES) {
          editor.setDecorations(types[state].gutter, []);
          editor.setDecorations(types[state].overview, []);
        }
      }
      this.shown.set(editor, 'off');
      return;
    }
    const { marks } = this.marksOf(editor.document);
    const sent = this.shown.get(editor);
    const sameRuns = sent !== undefined && sent !== 'off' && sent.runs === marks.runs;
    // The same runs as this editor shows (the editor moved them with the text itself) around the lines it shows: nothing to send.
    if (sameRuns && this.covers(editor, sent)) return;
    const window = gutterWindowAround(visibleLinesOf(editor), marks.lineCount);
    this.shown.set(editor, { runs: marks.runs, window, lineShift: this.lineShifts.get(editor.document.uri.toString()) ?? 0 });
    // No types yet: no editor was given marks, so an editor without marks has none to clear.
    if (!this.types && LINE_MARK_STATES.every((state) => marks.runs[state].length === 0)) return;
    const types = (this.types ??= createMarkTypes());
    for (const state of LINE_MARK_STATES) {
      const runs = state === 'ai-accepted' && !this.settings.gutterShowAccepted ? [] : marks.runs[state];
      editor.setDecorations(types[state].gutter, window ? runsOverlapping(runs, window).map(toRange) : []);
      // Scrolled with the same runs: the overview ruler already shows them all.
      if (!sameRuns) editor.setDecorations(types[state].overview, overviewRulerRuns(runs, marks.lineCount).map(toRange));
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

/** Lines an edit removed and added, summed over its changes: how far it may have moved any line below it. */
function linesAddedAndRemoved(edit: AppliedEdit): number {
  let lines = 0;
  edit.changes.forEach((change, index) => {
    const range = edit.ranges[index];
    lines += range.end.line - range.start.line + countLines(change.insertedText) - 1;
  });
  return lines;
}

import * as vscode from 'vscode';
import type { AttributedSpan } from '../../core/attribution';
import { HOVER_COMMAND_IDS, committedHoverMarkdown, hoverAnchorColumns, uncommittedHoverMarkdown } from '../../core/visibility/hoverText';
import { committedLineShownAt, uncommittedMarkAt, type LineMarks } from '../../core/visibility/lineMarks';
import type { AttributionService } from '../attributionService';
import { spanStatusesNear } from '../documentText';
import type { AttributionDecorations } from './attributionDecorations';
import type { VouchSettings } from '../settings';

/** The span ids of the contiguous run of uncommitted AI lines around `line` (what the hover's commands act on). */
export function blockSpanIdsAround(marks: LineMarks, line: number): string[] {
  const list = marks.uncommitted;
  let index = list.findIndex((mark) => mark.line === line);
  if (index < 0) return [];
  while (index > 0 && list[index - 1].line === list[index].line - 1) index--;
  const ids: string[] = [];
  const seen = new Set<string>();
  for (let at = index; at < list.length && (at === index || list[at].line === list[at - 1].line + 1); at++) {
    for (const id of list[at].spanIds) {
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return ids;
}

/** The hover Markdown of a line, or undefined for a line without an AI mark. */
export function hoverMarkdownAt(document: vscode.TextDocument, line: number, service: AttributionService, decorations: AttributionDecorations): string | undefined {
  const { marks, committed } = decorations.recentMarksOf(document);
  const mark = uncommittedMarkAt(marks, line);
  if (mark) {
    const spansById = new Map<string, AttributedSpan>(service.spansOf(document.uri).map((span) => [span.id, span]));
    const statusOf = spanStatusesNear(document, line);
    const spans = mark.spanIds.flatMap((id) => {
      const span = spansById.get(id);
      return span ? [{ span, status: statusOf(span) }] : [];
    });
    return uncommittedHoverMarkdown({
      documentUri: document.uri.toString(),
      state: mark.state,
      mixedLine: mark.lineKind === 'mixed',
      spans,
      blockSpanIds: blockSpanIdsAround(marks, line),
    }, vscode.l10n.t);
  }
  const committedLine = committedLineShownAt(marks, committed, line);
  return committedLine ? committedHoverMarkdown(committedLine, vscode.l10n.t, document.uri.toString()) : undefined;
}

/** Hover on AI lines: where the text came from, its review, and command links trusted for exactly the review commands. */
export class AttributionHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly service: AttributionService,
    private readonly decorations: AttributionDecorations,
    private readonly settings: VouchSettings,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (this.settings.gutterMode === 'off') return undefined;
    const columns = hoverAnchorColumns(document.lineAt(position.line).text, position.character);
    if (!columns) return undefined;
    const anchor = new vscode.Range(position.line, columns.start, position.line, columns.end);
    const markdown = hoverMarkdownAt(document, position.line, this.service, this.decorations);
    if (markdown === undefined) return undefined;
    const content = new vscode.MarkdownString(markdown);
    content.isTrusted = { enabledCommands: [...HOVER_COMMAND_IDS] };
    content.supportHtml = false;
    return new vscode.Hover(content, anchor);
  }
}

import * as vscode from 'vscode';
import { ORIGIN_KINDS, UNKNOWN_AI_TOOL, type Origin, type OriginKind } from '../../core/attribution';
import { DISPLAY_SAFE_NAME, escapeDisplay } from '../../core/text/displayText';
import type { AttributionService } from '../attributionService';
import { errorMessage } from '../../core/errorMessage';

/** What another extension (or a keybinding, or a task) reports about AI text it inserted. */
export interface AiEditReport {
  readonly uri: vscode.Uri | string;
  /** Ranges of the document's current text that the AI wrote. */
  readonly ranges: ReadonlyArray<vscode.Range | { start: { line: number; character: number }; end: { line: number; character: number } }>;
  readonly tool: string;
  readonly model?: string;
  readonly kind?: OriginKind;
  readonly session?: string;
}

const MAX_NAME_LENGTH = 200;

function cleanName(value: unknown, what: string, required: boolean): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw new Error(`${what} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH || !DISPLAY_SAFE_NAME.test(value.trim())) {
    throw new Error(`${what} must be a short single-line string of printable characters`);
  }
  return value.trim();
}

function toRange(value: unknown, index: number): vscode.Range {
  if (value instanceof vscode.Range) return value;
  const candidate = value as { start?: { line?: unknown; character?: unknown }; end?: { line?: unknown; character?: unknown } } | undefined;
  const numbers = [candidate?.start?.line, candidate?.start?.character, candidate?.end?.line, candidate?.end?.character];
  if (!numbers.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new Error(`ranges[${index}] must be a Range or {start:{line,character}, end:{line,character}} with non-negative integers`);
  }
  const [startLine, startCharacter, endLine, endCharacter] = numbers as number[];
  return new vscode.Range(startLine, startCharacter, endLine, endCharacter);
}

/** Validates a report and records it; throws an Error with a clear message on bad input (nothing is recorded then). */
export async function recordAiEdit(service: AttributionService, report: AiEditReport): Promise<number> {
  if (!report || typeof report !== 'object') throw new Error('recordAiEdit expects an object {uri, ranges, tool, model?, kind?}');
  const uri = typeof report.uri === 'string' ? vscode.Uri.parse(report.uri, true) : report.uri;
  if (!(uri instanceof vscode.Uri)) throw new Error('uri must be a Uri or a URI string');
  if (!Array.isArray(report.ranges) || report.ranges.length === 0) throw new Error('ranges must be a non-empty array');
  const kind = report.kind ?? 'api';
  if (!ORIGIN_KINDS.includes(kind)) throw new Error(`kind must be one of ${ORIGIN_KINDS.join(', ')}`);
  const origin: Origin = {
    kind,
    tool: cleanName(report.tool, 'tool', true) ?? UNKNOWN_AI_TOOL,
    model: cleanName(report.model, 'model', false),
    session: cleanName(report.session, 'session', false),
  };
  const ranges = report.ranges.map((range, index) => toRange(range, index));
  const document = await vscode.workspace.openTextDocument(uri);
  for (const range of ranges) {
    if (!document.validateRange(range).isEqual(range)) throw new Error(`range ${JSON.stringify(range)} lies outside ${uri.toString()}`);
  }
  await service.whenLoaded(document);
  for (const range of ranges) service.markRange(document, range, { kind: 'ai', origin: stripUndefined(origin), confidence: 'high' });
  return ranges.length;
}

function stripUndefined(origin: Origin): Origin {
  return Object.fromEntries(Object.entries(origin).filter(([, value]) => value !== undefined)) as unknown as Origin;
}

/** Commands: vouch.recordAiEdit (for other extensions and keybindings), and marking the selection by hand. */
export function registerExplicitReportCommands(service: AttributionService, log: vscode.LogOutputChannel): vscode.Disposable {
  const markSelection = (asAi: boolean) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selections.every((selection) => selection.isEmpty)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Vouch: select the text to mark first.'));
      return;
    }
    await service.whenLoaded(editor.document);
    for (const selection of editor.selections) {
      if (selection.isEmpty) continue;
      service.markRange(
        editor.document,
        selection,
        asAi ? { kind: 'ai', origin: { kind: 'manual', tool: UNKNOWN_AI_TOOL }, confidence: 'high' } : { kind: 'human' },
      );
      // Which text a person marked, as the editor gave the selection to Vouch.
      const where = escapeDisplay(vscode.workspace.asRelativePath(editor.document.uri));
      log.info(`Marked ${where} ${selection.start.line + 1}:${selection.start.character + 1}-${selection.end.line + 1}:${selection.end.character + 1} as ${asAi ? 'AI-generated' : 'human-written'}`);
    }
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('vouch.recordAiEdit', async (report: AiEditReport) => {
      try {
        return await recordAiEdit(service, report);
      } catch (error) {
        const message = errorMessage(error);
        log.warn(`vouch.recordAiEdit refused a report: ${message}`);
        throw new Error(`vouch.recordAiEdit: ${message}`);
      }
    }),
    vscode.commands.registerCommand('vouch.markSelectionAsAi', markSelection(true)),
    vscode.commands.registerCommand('vouch.markSelectionAsHuman', markSelection(false)),
  );
}

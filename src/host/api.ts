import type { AttributedSpan } from '../core/attribution';
import type * as vscode from 'vscode';
import type { AttributionService } from './attributionService';
import { recordAiEdit, type AiEditReport } from './detection/explicitReports';

/** The object `activate()` returns: what other extensions may call. Stable; versioned by apiVersion. */
export class VouchApi {
  readonly apiVersion = 1;

  constructor(private readonly service: AttributionService) {}

  /** Reports text an AI wrote into a document (ranges of its current text). Returns how many ranges were recorded. */
  recordAiEdit(report: AiEditReport): Promise<number> {
    return recordAiEdit(this.service, report);
  }

  /** The AI spans Vouch tracks in an open document (character offsets into its current text). */
  spansOf(uri: vscode.Uri): AttributedSpan[] {
    return this.service.spansOf(uri);
  }
}

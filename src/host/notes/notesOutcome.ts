import * as vscode from 'vscode';
import { errorMessage } from '../../core/errorMessage';
import type { DisposableStore } from '../lifecycle';

/** How a notes operation started in the editor tells its outcome: in a notification, or quietly in the status bar. */
export type OutcomeReport = 'quiet' | 'tell';

/** How long a quiet outcome stays in the status bar. */
const STATUS_BAR_MESSAGE_MS = 5000;

/** Tells `message` in a notification, or (quiet) for a few seconds in the status bar; `disposables` owns the status-bar message. */
export function tellOutcome(message: string, report: OutcomeReport, disposables: DisposableStore): void {
  if (report === 'tell') void vscode.window.showInformationMessage(message);
  else disposables.add(vscode.window.setStatusBarMessage(message, STATUS_BAR_MESSAGE_MS));
}

/** What a failed notes operation writes in the log (before the error's message) and shows to the person. */
export interface NotesOperationFailure {
  readonly logPrefix: string;
  readonly show: (message: string) => string;
}

/**
 * Runs a notes operation started in the editor (sync, reconcile): a failure is logged, shown in
 * `failure`'s words and gives undefined, so that neither a command nor an automatic run throws.
 */
export async function runNotesOperation<T>(log: vscode.LogOutputChannel, failure: NotesOperationFailure, operation: () => Promise<T>): Promise<T | undefined> {
  try {
    return await operation();
  } catch (error) {
    const message = errorMessage(error);
    log.error(`${failure.logPrefix}: ${message}`);
    void vscode.window.showErrorMessage(failure.show(message));
    return undefined;
  }
}

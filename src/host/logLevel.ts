import * as vscode from 'vscode';

/**
 * Writes a line when the person changes the level of Vouch's log (Output view, Set Log Level):
 * from then on the log says what it holds, and tests can wait for debug lines to be written.
 */
export function announceLogLevelChanges(log: vscode.LogOutputChannel): vscode.Disposable {
  return log.onDidChangeLogLevel((level) => log.info(`Log level: ${vscode.LogLevel[level] ?? String(level)}`));
}

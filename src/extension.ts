import * as vscode from 'vscode';
import { VouchApi } from './host/api';

/** Composition root: builds the objects and registers their disposables. No logic lives here. */
export function activate(context: vscode.ExtensionContext): VouchApi {
  const log = vscode.window.createOutputChannel('Vouch', { log: true });
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand('vouch.showLog', () => log.show()));
  log.info(`Vouch ${context.extension.packageJSON.version as string} activated`);
  return new VouchApi();
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}

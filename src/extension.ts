import * as vscode from 'vscode';
import { GitRunner, findGitExecutable } from './git/gitRunner';
import { VouchApi } from './host/api';
import { AttributionService } from './host/attributionService';
import { registerExplicitReportCommands } from './host/detection/explicitReports';
import { registerInlineAcceptDetector } from './host/detection/inlineAcceptDetector';
import { RepositoryStates } from './host/repositoryStates';
import { VouchSettings } from './host/settings';

let flushOnDeactivate: (() => Promise<void>) | undefined;

/** Composition root: builds the objects and registers their disposables. No logic lives here. */
export function activate(context: vscode.ExtensionContext): VouchApi {
  const log = vscode.window.createOutputChannel('Vouch', { log: true });
  context.subscriptions.push(log);
  const settings = new VouchSettings();
  context.subscriptions.push(settings);
  // Restricted Mode: show and track, never run git (so nothing is stored under .git/vouch).
  const git = vscode.workspace.isTrusted ? createGitRunner(log) : undefined;
  const states = git ? new RepositoryStates(git, log) : undefined;
  if (states) context.subscriptions.push(states);
  const service = new AttributionService(states, log);
  context.subscriptions.push(service);
  flushOnDeactivate = () => service.flush();
  context.subscriptions.push(
    vscode.commands.registerCommand('vouch.showLog', () => log.show()),
    registerInlineAcceptDetector(service, () => settings.detection.inlineCompletions),
    registerExplicitReportCommands(service, log),
  );
  log.info(`Vouch ${context.extension.packageJSON.version as string} activated${git ? '' : ' (Restricted Mode: git is not used)'}`);
  return new VouchApi(service);
}

function createGitRunner(log: vscode.LogOutputChannel): GitRunner | undefined {
  try {
    return new GitRunner(findGitExecutable(), log);
  } catch (error) {
    log.warn(`git was not found; attribution is kept in memory only: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  await flushOnDeactivate?.();
}

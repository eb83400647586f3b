import * as vscode from 'vscode';
import { escapeLogMessages } from './core/logger';
import { GitRunner, findGitExecutable } from './git/gitRunner';
import { HelperProcessStarter } from './git/processStarter';
import { VouchApi } from './host/api';
import { AttributionService } from './host/attributionService';
import { registerCliLauncher } from './host/cliLauncher';
import { AiToolCatalog } from './host/detection/aiTools';
import { registerExplicitReportCommands } from './host/detection/explicitReports';
import { registerDetectors } from './host/detection/detectors';
import { registerRenameFollower } from './host/renamedFiles';
import { registerInlineAcceptDetector } from './host/detection/inlineAcceptDetector';
import { registerGetStarted } from './host/gettingStarted';
import { GitExtension } from './host/gitExtension';
import { announceLogLevelChanges } from './host/logLevel';
import { registerNotesFeatures } from './host/notes/registerNotes';
import { RepositoryRegistry } from './host/repositoryRegistry';
import { registerReviewFeatures } from './host/review/reviewCommands';
import { ReviewWorkspace } from './host/review/reviewWorkspace';
import { VouchSettings } from './host/settings';
import { registerAttributionVisibility } from './host/visibility/registerVisibility';
import { errorMessage } from './core/errorMessage';

let flushOnDeactivate: (() => Promise<void>) | undefined;
let deactivating: Promise<void> | undefined;

/** How this bundle was loaded, told by its entry (extensionEntry.ts). */
export interface BundleLoad {
  /** Reading, compiling and running the bundle's top level: with activate(), what VS Code counts. */
  readonly ms: number;
  /** Whether V8 took the code cache of an earlier start or compiled the bundle now. */
  readonly codeCache: 'cached' | 'compiled';
}

/** Composition root: builds the objects and registers their disposables. No logic lives here. */
export function activate(context: vscode.ExtensionContext, bundleLoad?: BundleLoad): VouchApi {
  const activateStart = performance.now();
  const log = escapeLogMessages(vscode.window.createOutputChannel('Vouch', { log: true }));
  // VS Code disposes subscriptions as soon as deactivate() is called, without waiting for it; the
  // last saves still log (and a closed channel throws), so the channel closes after them.
  context.subscriptions.push({ dispose: () => void (deactivating ?? Promise.resolve()).finally(() => log.dispose()) });
  const settings = new VouchSettings();
  context.subscriptions.push(settings);
  // Restricted Mode: show and track, never run git (so nothing is stored under .git/vouch).
  // git starts from a small helper process (see HelperProcessStarter); it ends after the last saves, like the log.
  const gitStarter = new HelperProcessStarter({ logger: log });
  context.subscriptions.push({ dispose: () => void (deactivating ?? Promise.resolve()).finally(() => gitStarter.dispose()) });
  const git = vscode.workspace.isTrusted ? createGitRunner(log, gitStarter) : undefined;
  const gitExtension = new GitExtension(log);
  const states = git ? new RepositoryRegistry(git, log, gitExtension) : undefined;
  if (states) context.subscriptions.push(states);
  const service = new AttributionService(states, log);
  context.subscriptions.push(service);
  flushOnDeactivate = () => service.flush();
  const tools = new AiToolCatalog(() => settings.detection);
  // One source of the blocks waiting for review: the review panel, the AI Review view and the status bar.
  const reviews = new ReviewWorkspace(service, states, git, log, () => settings.signingKey);
  context.subscriptions.push(reviews);
  context.subscriptions.push(
    vscode.commands.registerCommand('vouch.showLog', () => log.show()),
    announceLogLevelChanges(log),
    registerInlineAcceptDetector(service, tools, () => settings.detection.inlineCompletions),
    registerExplicitReportCommands(service, log),
    registerAttributionVisibility({ service, reviews, states, git, settings, log }),
    registerDetectors(service, states, git, settings, tools, gitExtension, log),
    registerRenameFollower(service, states, log),
    registerReviewFeatures(context, service, reviews, states, git, settings, gitExtension, log),
    registerCliLauncher(context, log),
    registerGetStarted(context.extension.id),
  );
  if (git && states) {
    context.subscriptions.push(
      registerNotesFeatures({ git, repositories: states, service, settings, gitExtension, memento: { workspace: context.workspaceState, global: context.globalState }, log }),
    );
  }
  const activating = performance.now() - activateStart;
  const took = bundleLoad
    ? ` in ${(bundleLoad.ms + activating).toFixed(1)} ms (code loading ${bundleLoad.ms.toFixed(1)} ms, ${bundleLoad.codeCache === 'cached' ? 'compiled code cached' : 'compiled now'}; activate ${activating.toFixed(1)} ms)`
    : '';
  log.info(`Vouch ${context.extension.packageJSON.version as string} activated${took}${git ? '' : ' (Restricted Mode: git is not used)'}`);
  return new VouchApi(service);
}

function createGitRunner(log: vscode.LogOutputChannel, starter: HelperProcessStarter): GitRunner | undefined {
  try {
    return new GitRunner(findGitExecutable(), log, starter.start);
  } catch (error) {
    log.warn(`git was not found; attribution is kept in memory only: ${errorMessage(error)}`);
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  deactivating = flushOnDeactivate?.();
  await deactivating;
}

import * as vscode from 'vscode';
import type { GitRunner } from '../../git/gitRunner';
import type { AttributionService } from '../attributionService';
import type { GitExtension } from '../gitExtension';
import type { RepositoryRegistry } from '../repositoryRegistry';
import type { VouchSettings } from '../settings';
import type { AiToolCatalog } from './aiTools';
import { EditorSaveMarks } from './editorSaveMarks';
import { ExternalWriteWatcher } from './externalWriteWatcher';
import { GitActivity } from './gitActivity';
import { HeuristicDetector } from './heuristicDetector';
import { PasteTracker } from './pasteTracker';
import { WorkingStateFollower } from './workingStateFollower';
import { WorkingTreeWatcher } from './workingTreeWatcher';

/**
 * The detectors besides inline accepts and explicit reports: paste observation, git activity,
 * chat/agent/hidden-editor/disk-reload heuristics, outside writes to closed files, and pick-up of
 * `vouch mark` reports. Without git (Restricted Mode) the store-based parts stay off.
 */
export function registerDetectors(
  service: AttributionService,
  states: RepositoryRegistry | undefined,
  git: GitRunner | undefined,
  settings: VouchSettings,
  tools: AiToolCatalog,
  gitExtension: GitExtension,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  const pastes = new PasteTracker();
  const gitActivity = new GitActivity(git, states, gitExtension, log);
  const follower = states ? new WorkingStateFollower(states, service, log) : undefined;
  // One watcher of the workspace's files for every detector that follows disk writes; disposed after them.
  const workingTree = new WorkingTreeWatcher();
  const editorSaves = states ? new EditorSaveMarks(states, service.onDidSaveText, log) : undefined;
  const heuristics = new HeuristicDetector(service, states, pastes, gitActivity, editorSaves, workingTree.onDidWrite, () => settings.detection, tools, log, () => follower?.pickUp() ?? Promise.resolve());
  const disposables: vscode.Disposable[] = [pastes, gitActivity, heuristics];
  if (editorSaves) disposables.push(editorSaves);
  if (follower) disposables.push(follower);
  if (states && follower && editorSaves) {
    const externalWrites = new ExternalWriteWatcher(
      states,
      gitActivity,
      editorSaves,
      workingTree.onDidWrite,
      () => ({ enabled: settings.detection.externalWrites, minimumChars: settings.detection.minimumHeuristicChars }),
      () => follower.pickUp(),
      log,
    );
    disposables.push(externalWrites);
  }
  disposables.push(workingTree);
  return vscode.Disposable.from(...disposables);
}

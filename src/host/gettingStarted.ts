import * as vscode from 'vscode';

/** The walkthrough's id in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'getStarted';

/** "Vouch: Get Started": opens Vouch's walkthrough (also the link of the AI Review view's welcome). */
export function registerGetStarted(extensionId: string): vscode.Disposable {
  return vscode.commands.registerCommand('vouch.getStarted', () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${WALKTHROUGH_ID}`, false),
  );
}

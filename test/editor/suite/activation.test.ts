import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('Vouch in the real editor', () => {
  it('activates and returns its API', async () => {
    const extension = vscode.extensions.getExtension('vouch-dev.vouch');
    assert.ok(extension, 'the Vouch extension is installed in the editor');
    const api = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.equal(typeof api, 'object');
    assert.equal(api.apiVersion, 1);
  });

  it('contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('vouch.showLog'));
  });
});

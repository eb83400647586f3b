// Entry point that VS Code's extension host calls (extensionTestsPath): runs mocha over the
// editor tests bundled next to this file and reports a summary line the harness reads.
import * as vscode from 'vscode';
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export function run(): Promise<void> {
  // Long enough for a loaded 2-core machine; the tests wait on conditions, not for fixed times.
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 300_000, reporter: 'spec' });
  if (process.env.VOUCH_EDITOR_GREP) mocha.grep(process.env.VOUCH_EDITOR_GREP);
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  // The harness prints this as proof that the tests ran inside a real VS Code.
  process.stdout.write(`VOUCH_EDITOR_INFO ${JSON.stringify({ vscodeVersion: vscode.version, appName: vscode.env.appName, appHost: vscode.env.appHost })}\n`);
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures };
      process.stdout.write(`VOUCH_EDITOR_SUMMARY ${JSON.stringify({ passed: stats.passes, failed: stats.failures })}\n`);
      if (failures > 0) reject(new Error(`${failures} editor test(s) failed`));
      else resolve();
    });
  });
}

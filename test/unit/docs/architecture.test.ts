// Rules of the design that no linter checks: one path for an edit, one reader of the settings, one
// watcher of the workspace files, timers in the lifecycle helpers.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const srcDir = path.resolve(__dirname, '..', '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The files of src/ (relative, slash-separated) whose code contains `pattern`. */
function filesUsing(pattern: RegExp): string[] {
  return sourceFiles(srcDir)
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => path.relative(srcDir, file).split(path.sep).join('/'))
    .sort();
}

describe('architecture', () => {
  it('has one listener of document changes: the AttributionService (detectors and decorations follow its applied edits)', () => {
    assert.deepEqual(filesUsing(/onDidChangeTextDocument\s*\(/), ['host/attributionService.ts']);
  });

  it('reads the vouch.* settings in one place, once and on change', () => {
    assert.deepEqual(filesUsing(/getConfiguration\s*\(\s*'vouch'/), ['host/settings.ts']);
  });

  it('has one watcher of the workspace files (**/*), shared by the detectors that follow disk writes', () => {
    assert.deepEqual(filesUsing(/createFileSystemWatcher\s*\(\s*'\*\*\/\*'/), ['host/detection/workingTreeWatcher.ts']);
  });

  it('keeps every timer of the editor side in lifecycle helpers (Debouncer), disposed with their owner', () => {
    const handRolled = filesUsing(/\b(?:setTimeout|clearTimeout)\s*\(/).filter((file) => file.startsWith('host/') && file !== 'host/lifecycle.ts');
    assert.deepEqual(handRolled, []);
  });
});

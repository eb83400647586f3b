import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

describe('repository files', () => {
  // A tracked node_modules (the worktrees' symlink was once committed) makes every fast-forward of
  // the shared checkout replace its installed packages with that symlink.
  it('never tracks node_modules, dist or editor caches', () => {
    const tracked = execFileSync('git', ['ls-files', '--', 'node_modules', 'dist', '.vscode-test'], { cwd: root, encoding: 'utf8' });
    assert.equal(tracked, '');
  });
});

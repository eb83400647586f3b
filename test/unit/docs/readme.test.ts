import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/cli';

const root = path.resolve(__dirname, '..', '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; configuration: { properties: Record<string, unknown> } };
};

describe('README', () => {
  it('names the two commands a newcomer runs', () => {
    assert.match(readme, /npm ci && npm run package && npm start/);
    assert.match(readme, /npm test/);
  });

  it('documents every command the extension contributes', () => {
    const missing = manifest.contributes.commands.map((entry) => entry.command).filter((id) => !readme.includes(`\`${id}\``));
    assert.deepEqual(missing, []);
  });

  it('documents every setting the extension contributes', () => {
    const missing = Object.keys(manifest.contributes.configuration.properties).filter((key) => !readme.includes(`\`${key}\``));
    assert.deepEqual(missing, []);
  });

  it('documents every CLI command', async () => {

    let help = '';
    await runCli(['--help'], { stdout: (text) => (help += text), stderr: () => undefined, cwd: root });
    const names = [...help.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1]).filter((name) => name !== 'help' && name !== 'version');
    assert.ok(names.length >= 10, `parsed ${names.join(', ')}`);
    const missing = names.filter((name) => !readme.includes(`vouch ${name}`));
    assert.deepEqual(missing, []);
  });
});

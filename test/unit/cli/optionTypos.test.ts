import * as assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';

/**
 * `vouch agent-hook` is what agents run after each edit: it never fails their tool call (exit 0,
 * prints `{}`), and reports a mistake on stderr in the same words without the pointer to --help.
 */
function expectedOutcome(name: string, message: string): { code: number; stderr: string } {
  if (name === 'agent-hook') return { code: 0, stderr: `vouch ${name}: ${message}\n` };
  return { code: 2, stderr: `vouch ${name}: ${message}\nRun 'vouch ${name} --help' for usage.\n` };
}

/** Every command `vouch --help` lists (as the README test reads them). */
async function commandNames(cwd: string): Promise<string[]> {
  const { stdout } = await vouch(cwd, ...['--help']);
  const names = [...stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1]).filter((name) => name !== 'help' && name !== 'version');
  assert.ok(names.length >= 10, `parsed ${names.join(', ')}`);
  return names;
}

describe('CLI: a typo in an option gets Vouch\'s own message and exit 2, in every command', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    // Not a repository: a command must reject its arguments before it looks for one.
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-typo-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown option', async () => {
    for (const name of await commandNames(dir)) {
      const { code, stdout, stderr } = await vouch(dir, ...[name, '--jsno']);
      assert.deepEqual({ code, stderr }, expectedOutcome(name, 'unknown option --jsno'), `vouch ${name} --jsno`);
      assert.equal(stdout, name === 'agent-hook' ? '{}\n' : '', `vouch ${name} --jsno prints no result`);
    }
  });

  it('an unknown short option', async () => {
    for (const name of await commandNames(dir)) {
      const { code, stderr } = await vouch(dir, ...[name, '-Z']);
      assert.deepEqual({ code, stderr }, expectedOutcome(name, 'unknown option -Z'), `vouch ${name} -Z`);
    }
  });

  it('a value given to --help, which takes none', async () => {
    for (const name of await commandNames(dir)) {
      const { code, stderr } = await vouch(dir, ...[name, '--help=yes']);
      assert.deepEqual({ code, stderr }, expectedOutcome(name, '--help takes no value'), `vouch ${name} --help=yes`);
    }
  });

  it('an option missing its value', async () => {
    const { code, stderr } = await vouch(dir, ...['review', 'a.js', '--intent', 'x', '--lines']);
    assert.equal(code, 2);
    assert.equal(stderr, "vouch review: --lines needs a value\nRun 'vouch review --help' for usage.\n");
  });

  it('an argument to a command that takes none', async () => {
    const { code, stderr } = await vouch(dir, ...['status', 'extra']);
    assert.equal(code, 2);
    assert.equal(stderr, "vouch status: unexpected argument 'extra': this command takes no arguments, only options\nRun 'vouch status --help' for usage.\n");
  });
});

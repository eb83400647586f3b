import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { sharedCliBundle, writeCliLauncher } from '../../support/cliProcess';
import { capture } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';
import { AGENT_HOOK_TARGETS, agentHookCommand } from '../../../src/cli/commands/installAgentHooks';


const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe('vouch install-agent-hooks', () => {
  let repo: string;
  beforeEach(async () => {
    repo = (await TestRepo.create({ prefix: 'vouch-agent-hooks-' })).dir;
  });
  afterEach(() => TestRepo.remove(repo));

  const projectFiles = () => AGENT_HOOK_TARGETS.map((target) => path.join(repo, target.projectFile));

  it('writes every agent configuration, and installing again changes nothing', async () => {
    const files = projectFiles();
    let io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks'], io), 0, io.err);
    for (const file of files) assert.ok(existsSync(file), file);
    const claude = readJson(path.join(repo, '.claude', 'settings.json')) as { hooks: { PostToolUse: { matcher: string; hooks: { command: string }[] }[] } };
    assert.equal(claude.hooks.PostToolUse[0].matcher, 'Write|Edit|MultiEdit');
    assert.match(claude.hooks.PostToolUse[0].hooks[0].command, /agent-hook claude-code/);
    const copilot = readJson(path.join(repo, '.github', 'hooks', 'vouch.json')) as { version: number; hooks: { PostToolUse: { command: string; bash: string }[] } };
    assert.equal(copilot.version, 1);
    assert.match(copilot.hooks.PostToolUse[0].bash, /agent-hook copilot/);
    const cursor = readJson(path.join(repo, '.cursor', 'hooks.json')) as { hooks: { afterFileEdit: { command: string }[] } };
    assert.match(cursor.hooks.afterFileEdit[0].command, /agent-hook cursor/);
    const gemini = readJson(path.join(repo, '.gemini', 'settings.json')) as { hooks: { AfterTool: { matcher: string; hooks: { timeout: number }[] }[] } };
    assert.equal(gemini.hooks.AfterTool[0].matcher, 'write_file|replace');
    assert.equal(gemini.hooks.AfterTool[0].hooks[0].timeout, 30_000);
    const before = files.map((file) => readFileSync(file, 'utf8'));
    io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'all', '--project'], io), 0, io.err);
    assert.equal(io.out.match(/unchanged/g)?.length, files.length, io.out);
    assert.deepEqual(
      files.map((file) => readFileSync(file, 'utf8')),
      before,
    );
  });

  it('merges into existing settings and removes exactly its own entries on --uninstall', async () => {
    const settings = path.join(repo, '.claude', 'settings.json');
    mkdirSync(path.dirname(settings), { recursive: true });
    const existing = {
      permissions: { allow: ['Bash(npm test)'] },
      hooks: {
        PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'npx prettier --write "$FILE"' }] }],
        Stop: [{ hooks: [{ type: 'command', command: 'echo done' }] }],
      },
    };
    writeFileSync(settings, JSON.stringify(existing, null, 2));
    let io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'claude-code'], io), 0, io.err);
    assert.match(io.out, /claude-code\s+added/);
    const merged = readJson(settings) as typeof existing;
    assert.deepEqual(merged.permissions, existing.permissions);
    assert.deepEqual(merged.hooks.Stop, existing.hooks.Stop);
    assert.equal(merged.hooks.PostToolUse.length, 2);
    assert.deepEqual(merged.hooks.PostToolUse[0], existing.hooks.PostToolUse[0]);
    io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'claude-code', '--uninstall'], io), 0, io.err);
    assert.match(io.out, /claude-code\s+removed/);
    assert.deepEqual(readJson(settings), existing);
    io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'claude-code', '--uninstall'], io), 0, io.err);
    assert.match(io.out, /claude-code\s+absent/);
  });

  it('deletes a file it created once only its own entry was in it', async () => {
    assert.equal(await runCli(['install-agent-hooks', 'copilot', 'cursor'], capture(repo)), 0);
    const io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'copilot', 'cursor', '--uninstall'], io), 0, io.err);
    assert.match(io.out, /copilot\s+deleted/);
    assert.ok(!existsSync(path.join(repo, '.github', 'hooks', 'vouch.json')));
    assert.ok(!existsSync(path.join(repo, '.cursor', 'hooks.json')));
  });

  it('leaves a configuration that is not valid JSON as it is and fails', async () => {
    const file = path.join(repo, '.cursor', 'hooks.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{ "version": 1, ');
    const io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'cursor'], io), 1);
    assert.match(io.err, /not valid JSON.*left as it is/);
    assert.equal(readFileSync(file, 'utf8'), '{ "version": 1, ');
  });

  it("keeps a person's own hook command that runs vouch among other things, on install and on uninstall", async () => {
    const file = path.join(repo, '.claude', 'settings.json');
    mkdirSync(path.dirname(file), { recursive: true });
    const own = { type: 'command', command: './scripts/format.sh && vouch agent-hook claude-code; ./scripts/notify.sh', timeout: 60 };
    writeFileSync(file, JSON.stringify({ hooks: { PostToolUse: [{ matcher: 'Write|Edit|MultiEdit', hooks: [own] }] } }));
    assert.equal(await runCli(['install-agent-hooks', 'claude-code'], capture(repo)), 0);
    const installed = JSON.stringify(readJson(file));
    assert.ok(installed.includes(JSON.stringify(own)), `the person's entry is kept: ${installed}`);
    assert.ok(installed.includes(JSON.stringify(agentHookCommand('claude-code'))), "Vouch's entry is added beside it");
    assert.equal(await runCli(['install-agent-hooks', 'claude-code', '--uninstall'], capture(repo)), 0);
    assert.deepEqual(readJson(file), { hooks: { PostToolUse: [{ matcher: 'Write|Edit|MultiEdit', hooks: [own] }] } });
  });

  it('a settings file kept as a symlink stays one: uninstall cleans its target; a link to nothing and a read-only file are left as they are', async () => {
    const dotfiles = path.join(repo, '..', `${path.basename(repo)}-dotfiles`);
    mkdirSync(dotfiles, { recursive: true });
    try {
      const linked = path.join(repo, '.claude', 'settings.json');
      mkdirSync(path.dirname(linked), { recursive: true });
      writeFileSync(path.join(dotfiles, 'claude.json'), '{}');
      symlinkSync(path.join(dotfiles, 'claude.json'), linked);
      assert.equal(await runCli(['install-agent-hooks', 'claude-code'], capture(repo)), 0);
      assert.equal(await runCli(['install-agent-hooks', 'claude-code', '--uninstall'], capture(repo)), 0);
      assert.ok(lstatSync(linked).isSymbolicLink(), 'the link is kept');
      assert.ok(!readFileSync(path.join(dotfiles, 'claude.json'), 'utf8').includes('agent-hook'), 'its target no longer holds the hook');

      const dangling = path.join(repo, '.gemini', 'settings.json');
      mkdirSync(path.dirname(dangling), { recursive: true });
      symlinkSync(path.join(dotfiles, 'missing.json'), dangling);
      const io = capture(repo);
      assert.equal(await runCli(['install-agent-hooks', 'gemini'], io), 1);
      assert.match(io.err, /symbolic link to a file that does not exist; left as it is/);
      assert.ok(lstatSync(dangling).isSymbolicLink() && !existsSync(path.join(dotfiles, 'missing.json')));

      const readOnly = path.join(repo, '.cursor', 'hooks.json');
      mkdirSync(path.dirname(readOnly), { recursive: true });
      writeFileSync(readOnly, '{"version":1}');
      chmodSync(readOnly, 0o444);
      const refused = capture(repo);
      assert.equal(await runCli(['install-agent-hooks', 'cursor'], refused), 1);
      assert.match(refused.err, /read-only; left as it is/);
      assert.equal(readFileSync(readOnly, 'utf8'), '{"version":1}');
    } finally {
      rmSync(dotfiles, { recursive: true, force: true });
    }
  });

  it('rejects unknown agents and both scopes', async () => {
    let io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', 'notepad'], io), 2);
    assert.match(io.err, /unknown agent 'notepad'/);
    io = capture(repo);
    assert.equal(await runCli(['install-agent-hooks', '--user', '--project'], io), 2);
  });

  describe('the installed hook command', () => {
    const runHookCommand = (env: NodeJS.ProcessEnv) =>
      spawnSync('/bin/sh', ['-c', agentHookCommand('claude-code')], { input: '{"tool_name":"Write"}', encoding: 'utf8', env });
    const fakeVouch = (file: string, log: string) => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `#!/bin/sh\necho "$@" > '${log}'\ncat >> '${log}'\necho '{}'\n`);
      chmodSync(file, 0o755);
    };

    it('runs vouch from PATH with the payload on stdin', () => {
      const log = path.join(repo, 'called.txt');
      fakeVouch(path.join(repo, 'bin', 'vouch'), log);
      const result = runHookCommand({ PATH: `${path.join(repo, 'bin')}:/usr/bin:/bin`, HOME: repo });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(readFileSync(log, 'utf8'), 'agent-hook claude-code\n{"tool_name":"Write"}');
    });

    it("falls back to the extension's launcher when vouch is not on PATH", () => {
      const log = path.join(repo, 'called.txt');
      fakeVouch(path.join(repo, 'data', 'vouch', 'bin', 'vouch'), log);
      const result = runHookCommand({ PATH: '/usr/bin:/bin', HOME: repo, XDG_DATA_HOME: path.join(repo, 'data') });
      assert.equal(result.status, 0, result.stderr);
      assert.match(readFileSync(log, 'utf8'), /^agent-hook claude-code\n/);
    });

    it('exits 0 with a message when there is no vouch at all', () => {
      const result = runHookCommand({ PATH: '/usr/bin:/bin', HOME: repo });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, '{}\n');
      assert.match(result.stderr, /not found/);
    });
  });

  it('for every agent, the command it installs turns a recorded payload into the right `vouch mark` (real vouch on PATH)', async function () {
    // Bundling the CLI (once per run) and five agent hooks, each a node start of the bundled vouch.
    this.timeout(60_000);
    const repoRoot = path.resolve(__dirname, '..', '..', '..');
    const bin = path.join(repo, '.git', 'bin');
    mkdirSync(bin);
    writeCliLauncher(path.join(bin, 'vouch'), await sharedCliBundle());
    assert.equal(await runCli(['install-agent-hooks'], capture(repo)), 0);
    const fixtures = path.join(repoRoot, 'test', 'fixtures', 'agent-hooks');
    const byAgent: Record<string, string> = { 'claude-code': 'claude-code-edit', copilot: 'copilot-vscode-replace-string', cursor: 'cursor-after-file-edit', codex: 'codex-apply-patch', gemini: 'gemini-replace' };
    for (const target of AGENT_HOOK_TARGETS) {
      const config = readJson(path.join(repo, target.projectFile)) as { hooks: Record<string, Array<{ command?: string; hooks?: Array<{ command: string }> }>> };
      const entries = config.hooks[target.event];
      const command = target.shape === 'flat' ? entries[0].command : entries[0].hooks?.[0].command;
      assert.ok(command, target.agent);
      const fixture = JSON.parse(readFileSync(path.join(fixtures, `${byAgent[target.agent]}.json`), 'utf8')) as { files: Record<string, string>; payload: unknown; expected: Record<string, [number, number][]>; tool: string };
      for (const [repoPath, text] of Object.entries(fixture.files)) {
        mkdirSync(path.dirname(path.join(repo, repoPath)), { recursive: true });
        writeFileSync(path.join(repo, repoPath), text);
      }
      const payload = JSON.stringify(fixture.payload).split('${REPO}').join(JSON.stringify(repo).slice(1, -1));
      const result = spawnSync('/bin/sh', ['-c', command], { cwd: repo, input: payload, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, '{}\n', target.agent);
      for (const [repoPath, expected] of Object.entries(fixture.expected)) {
        const described = expected.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(', ');
        assert.ok(result.stderr.includes(`marked lines ${described} of ${repoPath} as written by ${fixture.tool}`), `${target.agent}: ${result.stderr}`);
      }
      rmSync(path.join(repo, '.git', 'vouch'), { recursive: true, force: true });
    }
  });
});

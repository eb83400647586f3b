// The CI gate run as a GitHub runner runs a composite action: action.yml's step, its env with the
// inputs substituted, its script through `bash --noprofile --norc -eo pipefail`, in a fresh clone
// of a local bare remote (no network), with GITHUB_STEP_SUMMARY pointing at a file.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { TestRepo, gitRunner } from '../../support/testRepo';
import { createRangeHistory, type RangeHistory } from '../cli/rangeHistory';

const root = path.resolve(__dirname, '..', '..', '..');

interface ActionStep {
  readonly shell?: string;
  readonly env?: Record<string, string>;
  readonly run?: string;
}
interface ActionFile {
  readonly inputs: Record<string, { readonly default?: string }>;
  readonly runs: { readonly using: string; readonly steps: readonly ActionStep[] };
}

function loadAction(): ActionFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('js-yaml') as { load(text: string): unknown };
  return yaml.load(readFileSync(path.join(root, 'action.yml'), 'utf8')) as ActionFile;
}

/** `${{ inputs.x }}` and `${{ github.action_path }}`, the only expressions the action uses; anything else fails the test. */
function expand(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input) {
      if (!Object.hasOwn(inputs, input[1])) throw new Error(`action.yml uses an undeclared input: ${input[1]}`);
      return inputs[input[1]];
    }
    if (expression === 'github.action_path') return root;
    throw new Error(`expression the test runner does not know: ${expression}`);
  });
}

interface GateRun {
  readonly code: number;
  readonly summary: string;
  readonly stdout: string;
  readonly stderr: string;
}

async function runAction(workspace: string, given: Record<string, string>, github: Record<string, string>, scratch: string): Promise<GateRun> {
  const action = loadAction();
  assert.equal(action.runs.using, 'composite');
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = given[name] ?? spec.default ?? '';
  for (const name of Object.keys(given)) assert.ok(Object.hasOwn(action.inputs, name), `test passes an input the action does not declare: ${name}`);
  const summaryFile = path.join(scratch, `summary-${Date.now()}-${Math.random()}.md`);
  writeFileSync(summaryFile, '');
  let code = 0;
  let stdout = '';
  let stderr = '';
  for (const [index, step] of action.runs.steps.entries()) {
    assert.equal(step.shell, 'bash');
    assert.ok(step.run);
    const scriptFile = path.join(scratch, `step-${index}.sh`);
    writeFileSync(scriptFile, expand(step.run, inputs));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? scratch,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTIONS: 'true',
      ...github,
    };
    for (const [name, value] of Object.entries(step.env ?? {})) env[name] = expand(String(value), inputs);
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], { cwd: workspace, env, timeout: 120_000 }, (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err });
      });
    });
    stdout += result.stdout;
    stderr += result.stderr;
    if (result.code !== 0) {
      code = result.code;
      break;
    }
  }
  return { code, summary: readFileSync(summaryFile, 'utf8'), stdout, stderr };
}

describe('CI gate: action.yml run as the runner would', function () {
  this.timeout(180_000);
  let history: RangeHistory;
  let remote: TestRepo;
  let scratch: string;
  let vouchCommand: string;
  let workspace: string;

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'vouch-gate-'));
    // The CLI as shipped: one esbuild bundle of src/cli/main.ts.
    const cli = path.join(scratch, 'cli.js');
    await build({ entryPoints: [path.join(root, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', define: { VOUCH_VERSION: '"test"' } });
    vouchCommand = `node ${cli}`;
    history = await createRangeHistory();
    remote = await TestRepo.create({ bare: true, dir: path.join(scratch, 'remote.git') });
    await history.repo.git(['remote', 'add', 'origin', remote.dir]);
    await history.repo.git(['push', '-q', 'origin', `${history.base}:refs/heads/main`, 'HEAD:refs/heads/feature', 'refs/notes/vouch']);
    workspace = path.join(scratch, 'checkout');
    await gitRunner.run(['clone', '-q', '--branch', 'feature', remote.dir, workspace], { cwd: scratch });
  });
  after(() => {
    history.repo.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fails a pull request with unreviewed AI code and writes the report to the job summary', async () => {
    const run = await runAction(workspace, { 'vouch-command': vouchCommand }, { GITHUB_BASE_REF: 'main' }, scratch);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.summary, /^### Vouch report: origin\\\/main\\\.\\\.HEAD/);
    assert.match(run.summary, /\*\*6\*\* of 12 added lines were written by AI \(50%\)/);
    assert.match(run.summary, /<details open><summary>❌ vouch verify failed: 1 problem\(s\)<\/summary>/);
    assert.ok(run.summary.includes(`commit ${history.unreviewedCommit.slice(0, 12)} · **unreviewed** · src\\/net\\.js\\:3\\-5\\: 3 AI line`), 'the problem, escaped, in the summary');
    assert.match(run.stdout, /unreviewed +src\/net\.js:3-5: 3 AI line\(s\) \(claude-code\/claude-sonnet-4\)/);
    assert.match(run.stderr, /vouch-gate: vouch verify failed \(exit 1\)/);
  });

  it('passes a range whose AI code is all reviewed', async () => {
    const run = await runAction(workspace, { 'vouch-command': vouchCommand, range: `${history.base}..${history.reviewedCommit}` }, {}, scratch);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.summary, /✅ vouch verify passed/);
    assert.match(run.summary, /Reviewed: \*\*100%\*\* \(2 lines\)/);
  });

  it('with require-signed, fails unsigned records and signatures it cannot verify', async () => {
    const unsigned = await runAction(workspace, { 'vouch-command': vouchCommand, range: history.reviewedCommit, 'require-signed': 'true' }, {}, scratch);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.summary, /❌ vouch verify --require-signed failed/);
    assert.match(unsigned.summary, /\*\*unsigned\*\*/);
    const signed = await runAction(workspace, { 'vouch-command': vouchCommand, range: history.signedCommit, 'require-signed': 'true' }, {}, scratch);
    assert.equal(signed.code, 1);
    // The record carries a signature nobody's keys can verify: present, not signed.
    assert.match(signed.summary, /Signed: \*\*not verified\*\* \(no allowed signers or OpenPGP keyring given\); signature present on 100% \(1 lines\)/);
  });

  it('passes a range without AI records, and a remote without notes is not an error', async () => {
    const bare = await TestRepo.create({ bare: true, dir: path.join(scratch, 'plain.git') });
    await history.repo.git(['push', '-q', bare.dir, `${history.humanCommit}:refs/heads/main`]);
    const plain = path.join(scratch, 'plain');
    await gitRunner.run(['clone', '-q', bare.dir, plain], { cwd: scratch });
    const run = await runAction(plain, { 'vouch-command': vouchCommand, range: 'HEAD' }, {}, scratch);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /origin has no refs\/notes\/vouch yet/);
    assert.match(run.summary, /✅ vouch verify passed/);
  });
});

describe('CI gate with a policy', function () {
  this.timeout(180_000);

  it('fails on a policy failure and shows the policy result in the summary', async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'vouch-gate-policy-'));
    try {
      const cli = path.join(scratch, 'cli.js');
      await build({ entryPoints: [path.join(root, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', define: { VOUCH_VERSION: '"test"' } });
      const history = await createRangeHistory();
      try {
        const policy = path.join(scratch, 'policy.json');
        writeFileSync(policy, JSON.stringify({ version: 1, approvers: { default: ['bob@example.com'] } }));
        const run = await runAction(history.repo.dir, { 'vouch-command': `node ${cli}`, range: `${history.base}..${history.reviewedCommit}`, policy }, {}, scratch);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.summary, /<details open><summary>❌ Policy failed: 1 failure\(s\)<\/summary>/);
        assert.match(run.summary, /\*\*approvers\*\*/);
        assert.match(run.stdout, /policy +approvers: src\/sum\.js:2-3: accepted by ada@example\.com, who may not approve src\/sum\.js/);
      } finally {
        history.repo.cleanup();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

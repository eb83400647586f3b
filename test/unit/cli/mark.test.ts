import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { capture } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { GitRunner } from '../../../src/git/gitRunner';
import { WorkingStateStore } from '../../../src/git/workingStateStore';

const git = new GitRunner();

describe('vouch mark', () => {
  let dir: string;
  const content = 'import x from "y";\n\nfunction add(a, b) {\n  return a + b;\n}\n\nexport { add };\n';

  beforeEach(async () => {
    dir = (await TestRepo.create({ prefix: 'vouch-mark-' })).dir;
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'add.js'), content);
  });
  afterEach(() => TestRepo.remove(dir));

  const stored = async (repoPath: string) => (await WorkingStateStore.open(git, dir, silentLogger)).load(repoPath);

  it('prints help', async () => {
    const io = capture(dir);
    assert.equal(await runCli(['mark', '--help'], io), 0);
    assert.match(io.out, /Usage: vouch mark <path> --lines A-B/);
    assert.match(io.out, /--tool NAME/);
  });

  it('marks lines of the current file content as AI in the working state', async () => {
    const io = capture(path.join(dir, 'src'));
    const code = await runCli(['mark', 'add.js', '--lines', '3-5', '--tool', 'claude-code', '--model', 'opus', '--session', 's-1'], io);
    assert.equal(code, 0, io.err);
    assert.match(io.out, /marked lines 3-5 of src\/add.js as written by claude-code/);
    const document = await stored('src/add.js');
    assert.ok(document);
    assert.equal(document.spans.length, 1);
    const [span] = document.spans;
    assert.equal(content.slice(span.start, span.end), 'function add(a, b) {\n  return a + b;\n}');
    assert.deepEqual(span.origin, { kind: 'agent', tool: 'claude-code', model: 'opus', session: 's-1' });
    assert.equal(span.confidence, 'high');
    assert.equal(span.insertedTextHash, sha256Hex('function add(a, b) {\n  return a + b;\n}'));
    assert.equal(document.textSha256, sha256Hex(content));
  });

  it('joins overlapping ranges, accepts single lines and a --kind', async () => {
    const io = capture(dir);
    assert.equal(await runCli(['mark', 'src/add.js', '--lines', '3-4', '--lines', '4-5', '--lines', '7', '--tool', 't', '--kind', 'chat'], io), 0, io.err);
    const document = await stored('src/add.js');
    assert.deepEqual(
      document!.spans.map((s) => [content.slice(s.start, s.end), s.origin.kind]),
      [
        ['function add(a, b) {\n  return a + b;\n}', 'chat'],
        ['export { add };', 'chat'],
      ],
    );
  });

  it('re-anchors earlier marks when the file changed since, then adds the new mark', async () => {
    assert.equal(await runCli(['mark', 'src/add.js', '--lines', '7', '--tool', 'first'], capture(dir)), 0);
    const changed = '// header added by someone\n' + content;
    writeFileSync(path.join(dir, 'src', 'add.js'), changed);
    const io = capture(dir);
    assert.equal(await runCli(['mark', 'src/add.js', '--lines', '1', '--tool', 'second'], io), 0, io.err);
    const document = await stored('src/add.js');
    assert.deepEqual(
      document!.spans.map((s) => [changed.slice(s.start, s.end), s.origin.tool]),
      [
        ['// header added by someone', 'second'],
        ['export { add };', 'first'],
      ],
    );
  });

  it('re-marking part of an earlier span splits it; the new tool owns the marked lines', async () => {
    assert.equal(await runCli(['mark', 'src/add.js', '--lines', '3-5', '--tool', 'first'], capture(dir)), 0);
    assert.equal(await runCli(['mark', 'src/add.js', '--lines', '4', '--tool', 'second'], capture(dir)), 0);
    const document = await stored('src/add.js');
    assert.deepEqual(
      document!.spans.map((s) => [content.slice(s.start, s.end), s.origin.tool]),
      [
        ['function add(a, b) {\n', 'first'],
        ['  return a + b;', 'second'],
        ['\n}', 'first'],
      ],
    );
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no path', ['--lines', '1', '--tool', 't'], /missing <path>/],
    ['no --lines', ['src/add.js', '--tool', 't'], /missing --lines/],
    ['no --tool', ['src/add.js', '--lines', '1'], /missing --tool/],
    ['a malformed range', ['src/add.js', '--lines', 'three', '--tool', 't'], /not a line range/],
    ['a reversed range', ['src/add.js', '--lines', '5-3', '--tool', 't'], /ends before it starts/],
    ['line 0', ['src/add.js', '--lines', '0-2', '--tool', 't'], /lines start at 1/],
    ['a range past the end', ['src/add.js', '--lines', '6-8', '--tool', 't'], /has 7 lines/],
    ['an unknown kind', ['src/add.js', '--lines', '1', '--tool', 't', '--kind', 'robot'], /--kind must be one of/],
    ['an unknown option', ['src/add.js', '--lines', '1', '--tool', 't', '--force'], /unknown option --force/],
    ['a path outside the repository', [path.join(os.tmpdir()), '--lines', '1', '--tool', 't'], /is outside the repository/],
  ];
  for (const [name, args, message] of usageErrors) {
    it(`exits 2 with a clear message for ${name}`, async () => {
      const io = capture(dir);
      assert.equal(await runCli(['mark', ...args], io), 2);
      assert.match(io.err, message);
      assert.equal(await stored('src/add.js'), undefined);
    });
  }

  it('exits 1 for a missing file', async () => {
    const io = capture(dir);
    assert.equal(await runCli(['mark', 'src/nope.js', '--lines', '1', '--tool', 't'], io), 1);
    assert.match(io.err, /no such file: .*src\/nope\.js/);
  });

  it('exits 1 outside a git repository', async () => {
    const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vouch-nogit-')));
    try {
      writeFileSync(path.join(outside, 'a.txt'), 'x\n');
      const io = capture(outside);
      assert.equal(await runCli(['mark', 'a.txt', '--lines', '1', '--tool', 't'], io), 1);
      assert.match(io.err, /not inside a git working tree/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

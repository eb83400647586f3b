import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { vouch } from '../../support/cliRun';
import { utf8ToBase64 } from '../../../src/core/notes/canonicalJson';
import { parseRecordLine } from '../../../src/core/notes/noteParser';
import { computeRecordId, type NoteStatement } from '../../../src/core/notes/noteRecord';
import { countFault } from '../../support/faultFigures';
import { TestRepo } from '../../support/testRepo';

/** Nothing a terminal or a CI runner would act on may reach human-readable output raw. */
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
/** GitHub's runner trims all white space (.NET TrimStart) before `::`, and reads `##[` anywhere; Azure reads `##vso[` anywhere. */
const COMMAND_LINE = /^[\s\u0085]*::|##\[|##vso\[/im;

/** A file name a hostile repository can hold: it starts a line in `status`, and carries escape sequences and a bidi override. */
const HOSTILE_NAME = '::error file=ci.yml::forged \u001b[2K\u001b]52;c;cHduZWQ=\u0007\u202etxt.js';
const HOSTILE_TEXT = 'fine\u001b[1A\u001b[2K\nvouch verify: OK: forged\n::add-mask::secret\n##vso[task.setvariable variable=x]1\u202e\u0085\u2028';

function rewriteStatement(line: string, change: (statement: NoteStatement) => void): string {
  const parsed = parseRecordLine(line);
  if (!parsed.ok) throw new Error(`test setup: ${parsed.reason}`);
  const statement = JSON.parse(JSON.stringify(parsed.record.statement)) as NoteStatement;
  change(statement);
  (statement.predicate as { recordId: string }).recordId = computeRecordId(statement);
  return JSON.stringify({ ...JSON.parse(line), payload: utf8ToBase64(JSON.stringify(statement)) });
}

describe('hostile text from notes, working state and file names reaches no terminal raw', function () {
  this.timeout(120_000);
  let repo: TestRepo;

  beforeEach(async () => {
    repo = await TestRepo.withBaseCommit({ README: 'base\n' });
  });
  afterEach(() => repo.cleanup());

  function assertSafe(what: string, output: string): void {
    const safe = !RAW_UNSAFE.test(output) && !COMMAND_LINE.test(output) && !/^vouch verify: OK: forged/m.test(output);
    countFault('hostile text in CLI output', { survived: safe });
    assert.ok(!RAW_UNSAFE.test(output), `${what} printed a raw control, bidi or invisible character: ${JSON.stringify(output)}`);
    assert.ok(!COMMAND_LINE.test(output), `${what} printed a line a CI runner reads as a command: ${JSON.stringify(output)}`);
    assert.ok(!/^vouch verify: OK: forged/m.test(output), `${what} printed a forged line`);
  }

  it('status, check, review, mark, record-commit, notes show, verify, reconcile and report escape it; --json keeps it exact', async () => {
    writeFileSync(path.join(repo.dir, HOSTILE_NAME), 'one\ntwo\nthree\n');
    const marked = await vouch(repo.dir, 'mark', HOSTILE_NAME, '--lines', '1', '--tool', 'claude-code');
    assert.equal(marked.code, 0, marked.stderr);
    assertSafe('mark', marked.stdout + marked.stderr);
    assert.equal((await vouch(repo.dir, 'mark', HOSTILE_NAME, '--lines', '3', '--tool', 'claude-code')).code, 0);
    const reviewed = await vouch(repo.dir, 'review', HOSTILE_NAME, '--lines', '1', '--intent', 'parse input', '--scope', 'none');
    assert.equal(reviewed.code, 0, reviewed.stderr);
    assertSafe('review', reviewed.stdout + reviewed.stderr);
    for (const argv of [['status'], ['check']]) {
      const result = await vouch(repo.dir, ...argv);
      assertSafe(argv.join(' '), result.stdout + result.stderr);
    }
    const statusJson = JSON.parse((await vouch(repo.dir, 'status', '--json')).stdout) as { files: { path: string }[] };
    assert.equal(statusJson.files[0].path, HOSTILE_NAME, 'JSON output stays exact');

    await repo.git(['add', '-A']);
    await repo.git(['commit', '-q', '-m', 'ai']);
    const recorded = await vouch(repo.dir, 'record-commit');
    assert.equal(recorded.code, 0, recorded.stderr);
    assertSafe('record-commit', recorded.stdout + recorded.stderr);

    // The note as a hostile repository would have it: intent, scope note and model rewritten, still a valid record.
    const line = (await repo.text(['notes', '--ref=vouch', 'show', 'HEAD'])).split('\n')[0];
    const hostile = rewriteStatement(line, (statement) => {
      const range = statement.predicate.files[0].ranges.find((item) => item.review) ?? statement.predicate.files[0].ranges[0];
      if (range.review) Object.assign(range.review, { intent: HOSTILE_TEXT, scopeNote: HOSTILE_TEXT });
    });
    // And one that the parser rejects for its names, which still must be reported safely.
    const badNames = rewriteStatement(line, (statement) => {
      for (const range of statement.predicate.files[0].ranges) Object.assign(range.origin, { tool: `evil\u001b]0;${HOSTILE_TEXT}`, model: '::error::x' });
    });
    assert.equal(parseRecordLine(hostile).ok, true);
    assert.match((parseRecordLine(badNames) as { reason: string }).reason, /origin\.tool: has an invalid form/);
    await repo.git(['notes', '--ref=vouch', 'add', '-f', '-m', `${hostile}\n${badNames}\n${HOSTILE_TEXT}`, 'HEAD']);

    for (const argv of [['notes', 'show'], ['verify', 'HEAD'], ['verify', 'HEAD', '--require-signed'], ['reconcile'], ['report', 'HEAD'], ['report', 'HEAD', '--markdown'], ['blame', HOSTILE_NAME]]) {
      const result = await vouch(repo.dir, ...argv);
      assertSafe(argv.join(' '), result.stdout + result.stderr);
    }
    // JSON output keeps the data exact but writes nothing raw a terminal or CI log reader acts on.
    for (const argv of [['notes', 'show', '--json'], ['blame', HOSTILE_NAME, '--json'], ['export', '--format', 'agent-trace', 'HEAD'], ['export', '--format', 'in-toto', 'HEAD'], ['verify', 'HEAD', '--json'], ['report', 'HEAD', '--json'], ['status', '--json'], ['check', '--json'], ['reconcile', '--json']]) {
      const result = await vouch(repo.dir, ...argv);
      assert.ok(!/[\u007f-\u009f\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(result.stdout), `${argv.join(' ')} wrote a raw C1, format or separator character`);
      assert.ok(!COMMAND_LINE.test(result.stdout), `${argv.join(' ')} wrote a line a CI runner reads as a command`);
      for (const line of result.stdout.split('\n').filter((text) => text.startsWith('{') && argv[0] === 'export')) JSON.parse(line);
    }
    const blameJson = JSON.parse((await vouch(repo.dir, 'blame', HOSTILE_NAME, '--json')).stdout) as { lines: { review?: { intent?: string } }[] };
    assert.ok(JSON.stringify(blameJson).includes(JSON.stringify(HOSTILE_TEXT).slice(1, -1)), 'blame --json keeps the intent exact');
    const shownJson = JSON.parse((await vouch(repo.dir, 'notes', 'show', '--json')).stdout) as { records: NoteStatement[] };
    assert.equal(shownJson.records[0].predicate.files[0].path, HOSTILE_NAME);
    assert.ok(shownJson.records.some((record) => record.predicate.files[0].ranges.some((range) => range.review?.intent === HOSTILE_TEXT)), 'JSON keeps the intent exact');
    const verified = await vouch(repo.dir, 'verify', 'HEAD', '--json');
    const result = JSON.parse(verified.stdout) as { problems: { kind: string; path?: string }[] };
    assert.ok(result.problems.some((problem) => problem.kind === 'unreadable-record'));
    assert.ok(result.problems.some((problem) => problem.path === HOSTILE_NAME));
  });

  it('white space before a command, `##[` inside a line and invisible characters are escaped in every text command', async () => {
    const names = ['\u00a0::error title=pwned::nbsp.txt', '\u2003::add-mask::emsp.txt', '\u3000##[error]ideo.txt', 'src##[error title=forged]Vouch found a backdoor.txt', 'look\u3164alike\u034f.txt'];
    for (const name of names) {
      writeFileSync(path.join(repo.dir, name), 'l1\nl2\nl3\n');
      const marked = await vouch(repo.dir, 'mark', name, '--lines', '1-3', '--tool', 'copilot');
      assert.equal(marked.code, 0, marked.stderr);
      assertSafe('mark', marked.stdout + marked.stderr);
    }
    for (const tool of ['copilot##[add-mask]copilot', 'copilot\u3164', 'copilot\ufe0f', '\u00a0::x']) {
      const refused = await vouch(repo.dir, 'mark', names[0], '--lines', '1', '--tool', tool);
      assert.equal(refused.code, 2, `--tool ${JSON.stringify(tool)} is refused`);
      assertSafe('mark --tool', refused.stdout + refused.stderr);
    }
    const reviewed = await vouch(repo.dir, 'review', names[3], '--lines', '1-3', '--intent', 'parser ##[set-output name=verdict]pass ok\u{1d173}\u{1bca0}\ufe0f', '--scope', 'none');
    assert.equal(reviewed.code, 0, reviewed.stderr);
    // A look-alike reviewer (git user.name with a combining grapheme joiner) is refused, not recorded.
    await repo.git(['config', 'user.name', 'Test Person\u034f']);
    const lookAlike = await vouch(repo.dir, 'review', names[4], '--lines', '1-3', '--intent', 'ok', '--scope', 'none');
    assert.notEqual(lookAlike.code, 0, 'a reviewer name with an invisible character is refused');
    assertSafe('review by a look-alike', lookAlike.stdout + lookAlike.stderr);
    await repo.git(['config', 'user.name', 'Test Person']);
    for (const argv of [['status'], ['check']]) {
      const result = await vouch(repo.dir, ...argv);
      assertSafe(argv.join(' '), result.stdout + result.stderr);
    }
    await repo.git(['add', '-A']);
    await repo.git(['commit', '-q', '-m', 'ai']);
    assert.equal((await vouch(repo.dir, 'record-commit')).code, 0);
    for (const argv of [['notes', 'show'], ['verify', 'HEAD'], ['report', 'HEAD~1..HEAD'], ['blame', names[3]], ['blame', names[0]]]) {
      const result = await vouch(repo.dir, ...argv);
      assertSafe(argv.join(' '), result.stdout + result.stderr);
    }
  });
});


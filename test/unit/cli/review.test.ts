import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { sha256Hex } from '../../../src/core/textHash';
import { WorkingStateStore } from '../../../src/git/workingStateStore';
import { aiSpanOver } from '../../support/spans';
import { createRepository, git, vouch, vouchOk } from './checkReviewHelpers';

describe('vouch review', () => {
  let dir: string;
  let remove: () => void;
  const lines = ['one', 'two', 'three', 'four', 'five', 'six', ''].join('\n');

  beforeEach(async () => {
    ({ dir, remove } = await createRepository('vouch-review-', { 'app.ts': lines }));
  });
  afterEach(() => remove());

  const read = () => readFileSync(path.join(dir, 'app.ts'), 'utf8');
  const stored = async () => (await (await WorkingStateStore.open(git, dir, silentLogger)).load('app.ts'))?.spans ?? [];

  it('accepts a block with the git user as reviewer, the intent, the scope and the hash of the exact text', async () => {
    // The repository's own user.signingkey chooses nothing, and a key path never reaches a review.
    await git.run(['config', 'user.signingkey', '~/.ssh/id_ed25519.pub'], { cwd: dir });
    await vouchOk(dir, ['mark', 'app.ts', '--lines', '2-3', '--tool', 'claude-code']);
    const result = await vouchOk(dir, ['review', 'app.ts', '--lines', '2-3', '--intent', ' parse input ', '--scope', 'files, data', '--scope-note', 'reads ./config only']);
    assert.equal(result.out, 'accepted lines 2-3 of app.ts (1 block) as Dana Developer <dana@example.com>\n');
    const [span] = await stored();
    assert.equal(span.review?.decision, 'accepted');
    assert.equal(span.review?.intent, 'parse input');
    assert.deepEqual(span.review?.scope, ['files', 'data']);
    assert.equal(span.review?.scopeNote, 'reads ./config only');
    assert.deepEqual(span.review?.reviewer, { name: 'Dana Developer', email: 'dana@example.com' });
    assert.equal(span.review?.textHash, sha256Hex('two\nthree'));
    assert.ok(Math.abs(Date.parse(span.review?.reviewedAt ?? '') - Date.now()) < 60_000);
    assert.equal(read(), lines, 'accepting leaves the file alone');
    const again = await vouch(dir, ['review', 'app.ts', '--lines', '2-3', '--intent', 'x', '--scope', 'none']);
    assert.equal(again.code, 1);
    assert.match(again.err, /no AI block waits for review in lines 2-3 of app\.ts \(none waits in this file\)/);
  });

  it('rejects: records the decision and removes the AI lines from the file', async () => {
    await vouchOk(dir, ['mark', 'app.ts', '--lines', '2-3', '--tool', 'claude-code']);
    await vouchOk(dir, ['mark', 'app.ts', '--lines', '5', '--tool', 'claude-code']);
    await git.run(['add', 'app.ts'], { cwd: dir });
    const result = await vouchOk(dir, ['review', 'app.ts', '--lines', '2-3', '--intent', 'not needed', '--reject']);
    assert.match(result.out, /^rejected and removed lines 2-3 of app\.ts/);
    assert.match(result.out, /staged with the rejected code still in it; stage it again/);
    assert.equal(read(), ['one', 'four', 'five', 'six', ''].join('\n'));
    const spans = await stored();
    assert.equal(spans.length, 1, 'the rejected span is gone with its text; the other stays');
    assert.equal(read().slice(spans[0].start, spans[0].end), 'five');
  });

  it('refuses half a block, an empty intent, a missing scope, unknown tags, and a missing git user', async () => {
    await vouchOk(dir, ['mark', 'app.ts', '--lines', '2-4', '--tool', 'claude-code']);
    const half = await vouch(dir, ['review', 'app.ts', '--lines', '3', '--intent', 'x', '--scope', 'none']);
    assert.equal(half.code, 1);
    assert.match(half.err, /lines 2-4 of app\.ts form one AI block.*--lines 2-4/);
    // What the user typed for intent and scope is a usage error: exit 2, as the help says.
    const emptyIntent = await vouch(dir, ['review', 'app.ts', '--lines', '2-4', '--intent', '  ', '--scope', 'none']);
    assert.deepEqual([emptyIntent.code, /Intent is required/.test(emptyIntent.err)], [2, true], emptyIntent.err);
    const noScope = await vouch(dir, ['review', 'app.ts', '--lines', '2-4', '--intent', 'x']);
    assert.deepEqual([noScope.code, /Scope is required to accept/.test(noScope.err)], [2, true], noScope.err);
    const unknownScope = await vouch(dir, ['review', 'app.ts', '--lines', '2-4', '--intent', 'x', '--scope', 'network,internet']);
    assert.deepEqual([unknownScope.code, /Unknown scope tag\(s\): "internet"/.test(unknownScope.err)], [2, true], unknownScope.err);
    const noneAndMore = await vouch(dir, ['review', 'app.ts', '--lines', '2-4', '--intent', 'x', '--scope', 'none,files']);
    assert.deepEqual([noneAndMore.code, /cannot be combined/.test(noneAndMore.err)], [2, true], noneAndMore.err);
    assert.equal((await vouch(dir, ['review', 'app.ts', '--lines', '4-2', '--intent', 'x'])).code, 2);
    assert.equal((await vouch(dir, ['review', 'app.ts', '--lines', '2-4'])).code, 2);
    await git.run(['config', '--unset', 'user.email'], { cwd: dir });
    // The machine's own ~/.gitconfig may have a user.email; hide it.
    const home = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    process.env.HOME = dir;
    process.env.XDG_CONFIG_HOME = dir;
    let noUser;
    try {
      noUser = await vouch(dir, ['review', 'app.ts', '--lines', '2-4', '--intent', 'x', '--scope', 'none']);
    } finally {
      for (const [key, value] of Object.entries(home)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    assert.equal(noUser.code, 1);
    assert.match(noUser.err, /git has no user\.name and user\.email/);
    assert.equal((await stored())[0].review, undefined, 'nothing was recorded');
  });

  it('rejects without an intent, and with --whole-lines removes the lines a person started', async () => {
    const text = ['// a greeting', 'function greet(name) {', '  return `Hello, ${name}!`;', '}', 'greet("x");', ''].join('\n');
    writeFileSync(path.join(dir, 'greet.ts'), text);
    const store = await WorkingStateStore.open(git, dir, silentLogger);
    await store.save('greet.ts', [aiSpanOver(text, 'name) {\n  return `Hello, ${name}!`;\n}')], text);
    // Only the AI's characters: the person's "function greet(" stays, and the CLI says so.
    const aiOnly = await vouchOk(dir, ['review', 'greet.ts', '--lines', '2-4', '--reject']);
    assert.match(aiOnly.out, /^rejected and removed lines 2-4 of greet\.ts/);
    assert.match(aiOnly.out, /lines 2-4 of greet\.ts keep the text a person typed on them.*--whole-lines/);
    assert.equal(readFileSync(path.join(dir, 'greet.ts'), 'utf8'), ['// a greeting', 'function greet(', 'greet("x");', ''].join('\n'));
    // Again, whole lines: nothing of the half-typed line is left.
    writeFileSync(path.join(dir, 'greet.ts'), text);
    await store.save('greet.ts', [aiSpanOver(text, 'name) {\n  return `Hello, ${name}!`;\n}', { id: 'second-completion' })], text);
    const whole = await vouchOk(dir, ['review', 'greet.ts', '--lines', '2-4', '--reject', '--whole-lines']);
    assert.doesNotMatch(whole.out, /keep the text a person typed/);
    assert.equal(readFileSync(path.join(dir, 'greet.ts'), 'utf8'), ['// a greeting', 'greet("x");', ''].join('\n'));
    assert.deepEqual(await store.load('greet.ts').then((document) => document?.spans ?? []), []);
    const misuse = await vouch(dir, ['review', 'app.ts', '--lines', '2', '--intent', 'x', '--scope', 'none', '--whole-lines']);
    assert.deepEqual([misuse.code, /--whole-lines goes with --reject/.test(misuse.err)], [2, true], misuse.err);
  });

  it('warns when the scope leaves out what the risk hints suggest, and still records the decision', async () => {
    writeFileSync(path.join(dir, 'net.ts'), ['const a = 1;', 'const body = await fetch(url);', 'const b = 2;', ''].join('\n'));
    await vouchOk(dir, ['mark', 'net.ts', '--lines', '2', '--tool', 'claude-code']);
    await vouchOk(dir, ['mark', 'net.ts', '--lines', '3', '--tool', 'aider']);
    const none = await vouchOk(dir, ['review', 'net.ts', '--lines', '2', '--intent', 'load the page', '--scope', 'none']);
    assert.match(none.err, /^vouch: warning: the risk hints of line 2 of net\.ts suggest it touches network, which --scope none leaves out \(Network access: fetch\(\)\)\n$/);
    assert.match(none.out, /^accepted line 2 of net\.ts/);
    const quiet = await vouchOk(dir, ['review', 'net.ts', '--lines', '3', '--intent', 'a constant', '--scope', 'none']);
    assert.equal(quiet.err, '', 'no risk hint, no warning');
  });

  it('keeps a byte-order mark and refuses a file outside the repository', async () => {
    writeFileSync(path.join(dir, 'bom.ts'), '\ufeffkeep\nai line\n');
    await vouchOk(dir, ['mark', 'bom.ts', '--lines', '2', '--tool', 'aider']);
    await vouchOk(dir, ['review', 'bom.ts', '--lines', '2', '--intent', 'nope', '--reject']);
    assert.equal(readFileSync(path.join(dir, 'bom.ts'), 'utf8'), '\ufeffkeep\n');
    assert.equal((await vouch(dir, ['review', '../elsewhere.ts', '--lines', '1', '--intent', 'x'])).code, 1);
  });
});

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { openWorkbench, waitUntil, workbenchForSuite, type Workbench } from './workbench';

/** git as a person runs it in a terminal (no inherited GIT_* variables, no hooks); returns stdout. */
function git(cwd: string, args: readonly string[], okStatuses: readonly number[] = [0]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  const result = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], { cwd, env, encoding: 'utf8' });
  assert.ok(okStatuses.includes(result.status ?? -1), `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** The notification holding `text`, in the notification center (the smoke-test driver keeps toasts hidden). */
async function notification(workbench: Workbench, text: string): Promise<Locator> {
  const { page } = workbench;
  const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  // The center can close again before the notification arrives (seen in a clean CI run): open it again until it shows it.
  await waitUntil(`the notification "${text}"`, async () => {
    if (!(await page.$('.notifications-center.visible'))) await workbench.runCommand('Notifications: Show Notifications');
    return item.waitFor({ timeout: 10_000 }).then(
      () => true,
      () => false,
    );
  });
  return item;
}

/** Shows the whole text of a notification that the center shows on one line (for a screenshot). */
async function expand(item: Locator): Promise<void> {
  const expander = item.locator('.codicon-notifications-expand');
  if (await expander.isVisible()) await expander.click();
}

/** Clicks a button of the notification holding `text` (a collapsed notification is expanded first). */
async function clickNotificationButton(workbench: Workbench, text: string, label: string): Promise<void> {
  const item = await notification(workbench, text);
  const button = item.locator('.monaco-button', { hasText: new RegExp(`^${label}$`) });
  if (!(await button.isVisible())) await item.click();
  await button.click();
  await item.waitFor({ state: 'detached' });
}

async function acceptGhost(workbench: Workbench, trigger: string): Promise<void> {
  await workbench.typeUntilGhostText(trigger);
  await workbench.page.keyboard.press('Tab');
  await workbench.page.waitForFunction(() => document.querySelectorAll('.ghost-text-decoration').length === 0);
}

/** Accepts ghost text at the end of src/cart.ts, saves, commits from a terminal and waits for the commit's note; returns the commit. */
async function commitAiLines(workbench: Workbench, trigger: string, completed: string, message: string): Promise<string> {
  const { page, workspace } = workbench;
  await workbench.openFile('src/cart.ts');
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await acceptGhost(workbench, trigger);
  await workbench.saveActiveEditor();
  const cart = path.join(workspace, 'src', 'cart.ts');
  await workbench.waitForStoredSpans('src/cart.ts', (spans) => spans.some((span) => readFileSync(cart, 'utf8').slice(span.start, span.end).includes(completed)), `the AI span of ${JSON.stringify(completed)}`);
  git(workspace, ['commit', '-q', '-am', message]);
  const head = git(workspace, ['rev-parse', 'HEAD']);
  await workbench.waitForVouchLog(new RegExp(`Recorded \\d+ AI line\\(s\\) of commit ${head.slice(0, 12)}`), `the note of the commit "${message}"`);
  return head;
}

/** How many notifications in the center hold `text` now. */
async function notificationCount(workbench: Workbench, text: string): Promise<number> {
  if (!(await workbench.page.$('.notifications-center.visible'))) await workbench.runCommand('Notifications: Show Notifications');
  return workbench.page.locator('.notifications-center .notification-list-item', { hasText: text }).count();
}

const REWRITE_REF_PROMPT = 'let amend and rebase carry the AI attribution notes of workspace?';
const FORCED_FETCH = 'force-fetches into refs/notes/vouch';

/**
 * Commits AI lines and gives `answer` to the rewriteRef prompt that follows; git config stays as it
 * was. Then commits AI lines again: Vouch says it does not ask again, and no prompt shows.
 */
async function answerRewriteRefPrompt(workbench: Workbench, answer: 'No' | 'Never', answered: RegExp): Promise<void> {
  const configured = () => git(workbench.workspace, ['config', '--get-all', 'notes.rewriteRef'], [0, 1]);
  await commitAiLines(workbench, 'function add(', 'return a + b;', 'Add add()');
  await clickNotificationButton(workbench, REWRITE_REF_PROMPT, answer);
  await workbench.waitForVouchLog(answered, `the answer ${answer}`);
  assert.equal(configured(), '', 'git config unchanged');
  await commitAiLines(workbench, 'function greet(', 'Hello, ', 'Add greet()');
  await workbench.waitForVouchLog(new RegExp(`Not asking again to configure notes\\.rewriteRef in .*: the answer was ${answer.toLowerCase()}`), 'that it does not ask again');
  assert.equal(await notificationCount(workbench, REWRITE_REF_PROMPT), 0, 'no further prompt');
  assert.equal(configured(), '', 'git config still unchanged');
}

/** The git extension's sync item in the status bar shows `text` (e.g. "1↑" once it knows of an unpushed commit). */
async function waitForSyncStatus(workbench: Workbench, text: string): Promise<void> {
  await workbench.page.waitForFunction(
    (wanted) => Array.from(document.querySelectorAll('.statusbar-item')).some((item) => (item as HTMLElement).innerText.includes(wanted)),
    text,
  );
}

/**
 * One workbench for a suite, on a demo repository whose `origin` is a bare repository in a scratch
 * folder (main pushed to it); `configure` adds what the suite needs (remotes, fetch refspecs).
 */
function workbenchWithRemote(suite: Mocha.Suite, configure: (workspace: string, remote: string) => void): () => { workbench: Workbench; scratch: string; remote: string } {
  let opened: { workbench: Workbench; scratch: string; remote: string } | undefined;
  let scratch: string | undefined;
  suite.timeout(600_000);
  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'vouch-e2e-remote-'));
    const remote = path.join(scratch, 'remote.git');
    git(scratch, ['init', '-q', '--bare', '-b', 'main', remote]);
    const workbench = await openWorkbench({
      prepareWorkspace: (workspace) => {
        git(workspace, ['remote', 'add', 'origin', remote]);
        git(workspace, ['push', '-q', '-u', 'origin', 'main']);
        configure(workspace, remote);
      },
    });
    opened = { workbench, scratch, remote };
  });
  after(async () => {
    await opened?.workbench.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  return () => {
    if (!opened) throw new Error('the workbench is not open');
    return opened;
  };
}

describe('e2e: the prompts about git notes (rewriteRef consent, sync offers, forced-fetch warning)', function () {
  let workbench: Workbench;
  let scratch: string;
  let remote: string;
  const opened = workbenchWithRemote(this, (workspace, bare) => {
    // A second remote whose fetch refspec force-updates every notes ref: a plain fetch from it
    // would overwrite notes not pushed yet. Vouch warns about it when it opens the repository.
    git(workspace, ['remote', 'add', 'mirror', bare]);
    git(workspace, ['config', '--add', 'remote.mirror.fetch', '+refs/notes/*:refs/notes/*']);
  });
  beforeEach(() => ({ workbench, scratch, remote } = opened()));

  it('warns, once the repository opens, that a remote force-fetches the notes', async () => {
    const warning = await notification(workbench, 'force-fetches into refs/notes/vouch');
    const text = await warning.innerText();
    assert.match(text, /remote\.mirror\.fetch = \+refs\/notes\/\*:refs\/notes\/\* force-fetches into refs\/notes\/vouch/);
    assert.match(text, /Use 'vouch sync' and drop the '\+'/);
    assert.doesNotMatch(text, /remote\.origin\.fetch/, 'the plain origin refspec is not warned about');
    assert.equal(await warning.locator('.monaco-button', { hasText: /^Don't Warn Again$/ }).count(), 1, 'the warning offers "Don\'t Warn Again"');
    await expand(warning);
    await workbench.screenshot('notes-forced-fetch-warning');
    await warning.hover();
    await warning.locator('.codicon-notifications-clear').click();
    await warning.waitFor({ state: 'detached' });
  });

  it('asks after the first commit with AI lines to set notes.rewriteRef; Yes sets it in the repository config', async () => {
    const { page, workspace } = workbench;
    assert.equal(git(workspace, ['config', '--get-all', 'notes.rewriteRef'], [0, 1]), '', 'not configured before');
    await workbench.openFile('src/cart.ts');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await acceptGhost(workbench, 'function add(');
    await workbench.saveActiveEditor();
    await workbench.waitForStoredSpans('src/cart.ts', (spans) => spans.length > 0, "the AI span of src/cart.ts");
    // Committed from a terminal: Vouch sees HEAD move to a child of the old HEAD and records it.
    git(workspace, ['commit', '-q', '-am', 'Add add()']);
    const head = git(workspace, ['rev-parse', 'HEAD']);
    await workbench.waitForVouchLog(new RegExp(`Recorded \\d+ AI line\\(s\\) of commit ${head.slice(0, 12)}`), 'the note of the commit');
    const prompt = 'let amend and rebase carry the AI attribution notes of workspace?';
    const asked = await notification(workbench, prompt);
    assert.match(await asked.innerText(), /adds refs\/notes\/vouch to git's notes\.rewriteRef/);
    await workbench.screenshot('notes-rewrite-ref-prompt');
    await clickNotificationButton(workbench, prompt, 'Yes');
    await workbench.waitForVouchLog(/Configured notes\.rewriteRef in /, 'that it configured notes.rewriteRef');
    assert.deepEqual(git(workspace, ['config', '--get-all', 'notes.rewriteRef']).split('\n'), ['refs/notes/vouch']);
  });

  it('offers to sync the notes after a push from the editor; Sync pushes them to the remote', async () => {
    const { workspace } = workbench;
    await workbench.runCommand('Notifications: Clear All Notifications');
    // The git extension must know of the unpushed commit, or a push does not look like one.
    await waitForSyncStatus(workbench, '1↑');
    await workbench.runCommand('Git: Push');
    await waitUntil('the push to reach the remote', () => git(remote, ['rev-parse', 'main']) === git(workspace, ['rev-parse', 'HEAD']));
    const offer = 'sync the AI attribution notes (refs/notes/vouch) with origin after this push?';
    await notification(workbench, offer);
    await workbench.screenshot('notes-sync-offer-push');
    await clickNotificationButton(workbench, offer, 'Sync');
    const done = await notification(workbench, 'Vouch notes synced with origin');
    assert.match(await done.innerText(), /Vouch notes synced with origin: no remote changes; pushed/);
    // The forced fetch of 'mirror' was warned about when the repository opened: the sync does not warn again.
    assert.ok((workbench.vouchLog().match(/remote\.mirror\.fetch = \S+ force-fetches/g) ?? []).length >= 2, 'the log has the finding of the open and of the sync');
    assert.equal(await notificationCount(workbench, FORCED_FETCH), 0, 'no second forced-fetch warning at the sync');
    await expand(done);
    await workbench.screenshot('notes-synced');
    assert.equal(git(remote, ['rev-parse', 'refs/notes/vouch']), git(workspace, ['rev-parse', 'refs/notes/vouch']), 'the remote has the local notes');
  });

  it('offers to sync after a pull from the editor; Always syncs and turns the setting to always', async () => {
    const { workspace } = workbench;
    await workbench.runCommand('Notifications: Clear All Notifications');
    // A teammate pushes a commit.
    const teammate = path.join(scratch, 'teammate');
    git(scratch, ['clone', '-q', remote, teammate]);
    writeFileSync(path.join(teammate, 'TEAM.md'), 'From a teammate.\n');
    git(teammate, ['add', 'TEAM.md']);
    git(teammate, ['-c', 'user.name=Tess Teammate', '-c', 'user.email=tess@example.com', 'commit', '-q', '-m', 'Team notes']);
    git(teammate, ['push', '-q', 'origin', 'main']);
    // As a person does: fetch, see "1↓", pull.
    await workbench.runCommand('Git: Fetch');
    // Two remotes: the editor asks which one.
    await workbench.page.waitForSelector('.quick-input-list .monaco-list-row.focused[aria-label*="origin"]');
    await workbench.page.keyboard.press('Enter');
    await waitForSyncStatus(workbench, '1↓');
    await workbench.runCommand('Git: Pull');
    await waitUntil('the pull to bring the teammate commit', () => git(workspace, ['rev-parse', 'HEAD']) === git(remote, ['rev-parse', 'main']));
    const offer = 'sync the AI attribution notes (refs/notes/vouch) with origin after this pull?';
    await notification(workbench, offer);
    await workbench.screenshot('notes-sync-offer-pull');
    await clickNotificationButton(workbench, offer, 'Always');
    await waitUntil('the setting vouch.notes.syncAfterPushPull to be always', () => workbench.userSettings()['vouch.notes.syncAfterPushPull'] === 'always');
    await workbench.waitForVouchLog(/Vouch notes synced with origin: no remote changes; nothing to push/, 'the sync after the pull');
    assert.equal(git(workspace, ['rev-parse', 'refs/notes/vouch']), git(remote, ['rev-parse', 'refs/notes/vouch']));
  });
});

describe('e2e: the other answers of the notes prompts (rewriteRef No, sync Never) and the forced-fetch warning silenced', function () {
  let workbench: Workbench;
  let remote: string;
  const opened = workbenchWithRemote(this, (workspace) => git(workspace, ['config', '--add', 'remote.origin.fetch', '+refs/notes/vouch:refs/notes/vouch']));
  beforeEach(() => ({ workbench, remote } = opened()));

  it("Don't Warn Again on the forced-fetch warning: no warning at the next sync", async () => {
    await clickNotificationButton(workbench, FORCED_FETCH, "Don't Warn Again");
    await workbench.waitForVouchLog(/Will not warn again that remote origin of .* force-fetches the notes/, "that it will not warn again");
    await workbench.runCommand('Notifications: Clear All Notifications');
    // A changed refspec of the same remote would be warned about once more, but the remote is silenced.
    git(workbench.workspace, ['config', '--replace-all', 'remote.origin.fetch', '+refs/notes/*:refs/notes/*', '^\\+refs/notes/']);
    await workbench.runCommand('Vouch: Sync Notes');
    await notification(workbench, 'Vouch notes synced with origin');
    assert.match(workbench.vouchLog(), /remote\.origin\.fetch = \+refs\/notes\/\*:refs\/notes\/\* force-fetches/, 'the log keeps the finding');
    assert.equal(await notificationCount(workbench, FORCED_FETCH), 0, 'no warning');
  });

  it('rewriteRef consent: No leaves the git config as it is and is not asked again in this workspace', async () => {
    await workbench.runCommand('Notifications: Clear All Notifications');
    await answerRewriteRefPrompt(workbench, 'No', /Left notes\.rewriteRef of .* as it is \(No: not asked again in this workspace\)/);
  });

  it('sync offer: Never turns vouch.notes.syncAfterPushPull to never, syncs nothing and offers no more', async () => {
    const { workspace } = workbench;
    await workbench.runCommand('Notifications: Clear All Notifications');
    const notesBefore = git(remote, ['for-each-ref', '--format=%(objectname)', 'refs/notes/vouch']);
    await waitForSyncStatus(workbench, '2↑');
    await workbench.runCommand('Git: Push');
    await waitUntil('the push to reach the remote', () => git(remote, ['rev-parse', 'main']) === git(workspace, ['rev-parse', 'HEAD']));
    const offer = 'sync the AI attribution notes (refs/notes/vouch) with origin after this push?';
    await clickNotificationButton(workbench, offer, 'Never');
    await waitUntil('the setting vouch.notes.syncAfterPushPull to be never', () => workbench.userSettings()['vouch.notes.syncAfterPushPull'] === 'never');
    await workbench.waitForVouchLog(/vouch\.notes\.syncAfterPushPull is now never \(Never\)/, 'the answer Never');
    assert.equal(git(remote, ['for-each-ref', '--format=%(objectname)', 'refs/notes/vouch']), notesBefore, 'the notes were not pushed');
    // The next push: no offer.
    writeFileSync(path.join(workspace, 'CHANGES.md'), 'A change without AI.\n');
    git(workspace, ['add', 'CHANGES.md']);
    git(workspace, ['commit', '-q', '-m', 'Changes']);
    await waitForSyncStatus(workbench, '1↑');
    await workbench.runCommand('Git: Push');
    await workbench.waitForVouchLog(/Not offering to sync the notes with origin after this push: vouch\.notes\.syncAfterPushPull is never/, 'that it does not offer');
    assert.equal(await notificationCount(workbench, offer), 0, 'no further offer');
  });
});

describe('e2e: rewriteRef consent Never', function () {
  let workbench: Workbench;
  const opened = workbenchForSuite(this);
  beforeEach(() => {
    workbench = opened();
  });

  it('Never leaves the git config as it is and is not asked again for this repository', async () => {
    await answerRewriteRefPrompt(workbench, 'Never', /Left notes\.rewriteRef of .* as it is \(Never: not asked again for this repository\)/);
  });
});

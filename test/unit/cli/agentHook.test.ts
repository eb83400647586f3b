import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createAgentHookCommand } from '../../../src/cli/agentHook';
import { runCli } from '../../../src/cli/cli';
import { capture } from '../../support/cliRun';
import { TestRepo } from '../../support/testRepo';
import type { AttributedSpan } from '../../../src/core/attribution';
import { AttributionLedger } from '../../../src/core/ledger/attributionLedger';
import { silentLogger } from '../../../src/core/logger';
import { GitRunner } from '../../../src/git/gitRunner';
import { WorkingStateStore } from '../../../src/git/workingStateStore';

const git = new GitRunner();
const fixturesDir = path.join(__dirname, '..', '..', 'fixtures', 'agent-hooks');

interface AgentHookFixture {
  readonly about: string;
  readonly agent: string;
  /** The files as the agent left them, by repository path. */
  readonly files: Record<string, string>;
  /** The payload as the agent sends it; "${REPO}" stands for the repository's path. */
  readonly payload: unknown;
  /** 1-based inclusive line ranges `vouch mark` must record, by repository path. */
  readonly expected: Record<string, [number, number][]>;
  /** For a call the agent reports failed or denied: what stderr must say was skipped (a regular expression). */
  readonly skipped?: string;
  readonly tool: string;
  readonly model?: string;
  readonly session?: string;
}

/** The 1-based line ranges the spans cover (a line with any span character other than its line break counts). */
function lineRangesOf(text: string, spans: readonly AttributedSpan[]): [number, number][] {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const lines = new Set<number>();
  for (const span of spans) {
    let start = span.start;
    // A span that starts at the line break ending a line with content does not touch that line.
    if (start > 0 && text[start] === '\n' && text[start - 1] !== '\n') start++;
    if (start === span.end) continue;
    for (let line = lineOf(start); line <= lineOf(span.end - 1); line++) lines.add(line);
  }
  const ranges: [number, number][] = [];
  for (const line of [...lines].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] + 1 === line) last[1] = line;
    else ranges.push([line, line]);
  }
  return ranges;
}

/** The agent-hook command reading `payload` from standard input, and the `vouch mark` arguments it ran. */
function hookReading(payload: () => string): { command: ReturnType<typeof createAgentHookCommand>; marked: string[][] } {
  const marked: string[][] = [];
  const command = createAgentHookCommand({
    mark: async (args) => {
      marked.push(args);
      return 0;
    },
    readStdin: async () => payload(),
  });
  return { command, marked };
}

describe('vouch agent-hook: recorded agent payloads become exact `vouch mark` ranges', () => {
  let repo: string;
  beforeEach(async () => {
    repo = (await TestRepo.create({ prefix: 'vouch-agent-hook-' })).dir;
  });
  afterEach(() => TestRepo.remove(repo));

  const fixtures = readdirSync(fixturesDir).filter((name) => name.endsWith('.json')).sort();
  it('has a fixture for every agent', () => {
    const agents = new Set(fixtures.map((name) => (JSON.parse(readFileSync(path.join(fixturesDir, name), 'utf8')) as AgentHookFixture).agent));
    assert.deepEqual([...agents].sort(), ['claude-code', 'codex', 'copilot', 'cursor', 'gemini']);
  });

  const setUp = (fixture: AgentHookFixture): string => {
    for (const [repoPath, text] of Object.entries(fixture.files)) {
      mkdirSync(path.dirname(path.join(repo, repoPath)), { recursive: true });
      writeFileSync(path.join(repo, repoPath), text);
    }
    const payloadFile = path.join(repo, '.git', 'payload.json');
    writeFileSync(payloadFile, JSON.stringify(fixture.payload).split('${REPO}').join(JSON.stringify(repo).slice(1, -1)));
    return payloadFile;
  };

  for (const name of fixtures) {
    const fixture = JSON.parse(readFileSync(path.join(fixturesDir, name), 'utf8')) as AgentHookFixture;
    it(`${name}: ${fixture.about}`, async () => {
      const payloadFile = setUp(fixture);
      const io = capture(repo);
      assert.equal(await runCli(['agent-hook', fixture.agent, '--input', payloadFile], io), 0, io.err);
      assert.equal(io.out, '{}\n', 'stdout holds only the empty JSON answer');
      const store = await WorkingStateStore.open(git, repo, silentLogger);
      for (const [repoPath, expected] of Object.entries(fixture.expected)) {
        const document = await store.load(repoPath);
        const spans = document?.spans ?? [];
        assert.deepEqual(lineRangesOf(fixture.files[repoPath], spans), expected, `${repoPath}: ${io.err}`);
        for (const span of spans) {
          assert.equal(span.origin.tool, fixture.tool);
          assert.equal(span.origin.kind, 'agent');
          assert.equal(span.origin.model, fixture.model);
          assert.equal(span.origin.session, fixture.session);
          assert.equal(span.confidence, 'high');
        }
      }
      if (fixture.skipped !== undefined) assert.match(io.err, new RegExp(`nothing recorded: ${fixture.skipped}`));
    });
  }

  // The rule: an explicit report wins over any heuristic record of the same text.
  for (const name of fixtures.filter((file) => !file.includes('bash') && (JSON.parse(readFileSync(path.join(fixturesDir, file), 'utf8')) as AgentHookFixture).skipped === undefined)) {
    const fixture = JSON.parse(readFileSync(path.join(fixturesDir, name), 'utf8')) as AgentHookFixture;
    it(`${name}: the agent's report replaces a heuristic record of the same lines`, async () => {
      const payloadFile = setUp(fixture);
      const store = await WorkingStateStore.open(git, repo, silentLogger);
      for (const repoPath of Object.keys(fixture.expected)) {
        const text = fixture.files[repoPath];
        const ledger = AttributionLedger.fromSpans([]);
        ledger.markRange(0, text.length, { kind: 'ai', origin: { kind: 'external-write', tool: 'unknown-ai' }, confidence: 'medium' }, text);
        await store.save(repoPath, ledger.spans(), text);
      }
      const io = capture(repo);
      assert.equal(await runCli(['agent-hook', fixture.agent, '--input', payloadFile], io), 0, io.err);
      const after = await WorkingStateStore.open(git, repo, silentLogger);
      for (const [repoPath, expected] of Object.entries(fixture.expected)) {
        const text = fixture.files[repoPath];
        const spans = (await after.load(repoPath))?.spans ?? [];
        const reported = spans.filter((span) => span.origin.tool === fixture.tool);
        assert.deepEqual(lineRangesOf(text, reported), expected);
        assert.ok(reported.every((span) => span.confidence === 'high'));
        // No heuristic span is left inside the reported lines.
        const heuristicLines = new Set(lineRangesOf(text, spans.filter((span) => span.origin.tool === 'unknown-ai')).flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)));
        for (const [first, last] of expected) for (let line = first; line <= last; line++) assert.ok(!heuristicLines.has(line), `line ${line} of ${repoPath} is still heuristic`);
      }
    });
  }

  it('never fails the agent: bad JSON, unknown agents and missing files exit 0 with a message on stderr', async () => {
    const bad = path.join(repo, 'bad.json');
    writeFileSync(bad, '{not json');
    let io = capture(repo);
    assert.equal(await runCli(['agent-hook', 'claude-code', '--input', bad], io), 0);
    assert.equal(io.out, '{}\n');
    assert.match(io.err, /not JSON/);
    io = capture(repo);
    assert.equal(await runCli(['agent-hook', 'notepad', '--input', bad], io), 0);
    assert.match(io.err, /expected one agent name/);
    const missing = path.join(repo, 'missing.json');
    writeFileSync(missing, JSON.stringify({ tool_name: 'Write', cwd: repo, tool_input: { file_path: 'gone.ts', content: 'x' } }));
    io = capture(repo);
    assert.equal(await runCli(['agent-hook', 'claude-code', '--input', missing], io), 0);
    assert.match(io.err, /cannot read .*gone\.ts/);
  });

  it("a failed call's reason, written by the agent, is escaped in the hook's message", async () => {
    writeFileSync(path.join(repo, 'x.ts'), 'a\nb\n');
    const { command, marked } = hookReading(() => JSON.stringify({ session_id: 's', cwd: repo, hook_event_name: 'AfterTool', tool_name: 'write_file', tool_input: { file_path: 'x.ts', content: 'a\nb\n' }, tool_response: { error: { message: 'disk full\n::error::forged\u001b[2J' } } }));
    const io = capture(repo);
    assert.equal(await command.run(['gemini'], io), 0);
    assert.deepEqual(marked, []);
    assert.equal(io.out, '{}\n');
    assert.match(io.err, /nothing recorded: write_file .*x\.ts did not succeed \(disk full\\n::error::forged\\x1b\[2J\)\n$/);
    assert.equal(io.err.split('\n').length, 2, 'one line');
  });

  it('a file write the hook cannot read is said on stderr, escaped, and nothing is marked', async () => {
    const payloads = [
      { session_id: 's', cwd: repo, tool_name: 'Edit', tool_input: { 'path\u001b[2J': 'x.ts', text: 'y' } },
      [{ tool_name: 'Write' }],
    ];
    const messages: string[] = [];
    for (const payload of payloads) {
      const { command, marked } = hookReading(() => JSON.stringify(payload));
      const io = capture(repo);
      assert.equal(await command.run(['claude-code'], io), 0);
      assert.equal(io.out, '{}\n');
      assert.deepEqual(marked, []);
      messages.push(io.err);
    }
    assert.match(messages[0], /^vouch agent-hook: nothing recorded: the Edit call could not be read \(its input names no file and written text Vouch knows \(fields: path\\x1b\[2J, text\)\)\n$/);
    assert.equal(messages[1], 'vouch agent-hook: nothing recorded: the payload could not be read (the payload is not a JSON object)\n');
  });

  it("a write the person changed before it was written, without the agent's proposal, records nothing and says so", async () => {
    writeFileSync(path.join(repo, 'x.ts'), 'a\nb\n');
    const { command, marked } = hookReading(() => JSON.stringify({ session_id: 's', cwd: repo, hook_event_name: 'AfterTool', tool_name: 'write_file', tool_input: { file_path: 'x.ts', content: 'a\nb\n', modified_by_user: true }, tool_response: { llmContent: 'ok' } }));
    const io = capture(repo);
    assert.equal(await command.run(['gemini'], io), 0);
    assert.deepEqual(marked, []);
    assert.match(io.err, /x\.ts: nothing recorded: the person changed the agent's proposal before it was written/);
  });

  it('reads the payload from standard input when no --input is given', async () => {
    writeFileSync(path.join(repo, 'x.ts'), 'a\nb\n');
    const { command, marked } = hookReading(() => JSON.stringify({ session_id: 's', cwd: repo, tool_name: 'Write', tool_input: { file_path: 'x.ts', content: 'a\nb\n' } }));
    const io = capture(repo);
    assert.equal(await command.run(['claude-code'], io), 0);
    assert.deepEqual(marked, [[path.join(repo, 'x.ts'), '--lines=1-2', '--tool=claude-code', '--session=s']]);
  });

  it('reads a payload that starts with a byte-order mark', async () => {
    writeFileSync(path.join(repo, 'x.ts'), 'a\nb\n');
    const { command, marked } = hookReading(() => `\uFEFF${JSON.stringify({ session_id: 's', cwd: repo, tool_name: 'Write', tool_input: { file_path: 'x.ts', content: 'a\nb\n' } })}`);
    const io = capture(repo);
    assert.equal(await command.run(['claude-code'], io), 0);
    assert.equal(marked.length, 1, io.err);
  });

  it('records the edit when the session id starts with a dash or the model holds control characters (those fields left out, said)', async () => {
    writeFileSync(path.join(repo, 'dash.ts'), 'one\ntwo\n');
    writeFileSync(path.join(repo, '.git', 'dash.json'), JSON.stringify({ session_id: '-abc', cwd: repo, tool_name: 'Write', tool_input: { file_path: 'dash.ts', content: 'one\ntwo\n' } }));
    const dashed = capture(repo);
    assert.equal(await runCli(['agent-hook', 'claude-code', '--input', path.join(repo, '.git', 'dash.json')], dashed), 0, dashed.err);
    const store = await WorkingStateStore.open(git, repo, silentLogger);
    const [span] = (await store.load('dash.ts'))?.spans ?? [];
    assert.equal(span?.origin.session, '-abc', `the session id is a value, not an option: ${dashed.err}`);

    writeFileSync(path.join(repo, 'escaped.ts'), 'one\ntwo\n');
    writeFileSync(path.join(repo, '.git', 'escaped.json'), JSON.stringify({ session_id: 's', cwd: repo, model: 'opus\u001b[2J', tool_name: 'Write', tool_input: { file_path: 'escaped.ts', content: 'one\ntwo\n' } }));
    const escaped = capture(repo);
    assert.equal(await runCli(['agent-hook', 'claude-code', '--input', path.join(repo, '.git', 'escaped.json')], escaped), 0, escaped.err);
    const marked = (await store.load('escaped.ts'))?.spans ?? [];
    assert.equal(lineRangesOf('one\ntwo\n', marked).length, 1, `the edit is recorded: ${escaped.err}`);
    assert.equal(marked[0].origin.model, undefined);
    assert.match(escaped.err, /recorded without the payload's model/);
    assert.doesNotMatch(escaped.err, /\u001b/, 'the refused model is not echoed raw');
  });
});

// git-ai authorship logs, built from the examples of the Git AI Standard v3.0.0 (specs/git_ai_standard_v3.0.0.md
// in git-ai-project/git-ai, sections 1.2.5-1.2.7): every key kind routed to its metadata map.
import * as assert from 'node:assert/strict';
import { mapCommittedAiLines, mapKnownHumanLines, type BlameLine } from '../../../src/core/visibility/committedLines';
import { parseGitAiNote } from '../../../src/core/visibility/gitAiNote';
import { committedHoverMarkdown } from '../../../src/core/visibility/hoverText';

const SESSIONS_EXAMPLE = `src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  s_c9883b05a2487d::t_a1b2c3d4e5f678 25,30-35
  h_31dce776f88375 42-50
src/lib.rs
  s_e7f2a90b31cc48::t_deadbeef012345 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {},
  "humans": { "h_31dce776f88375": { "author": "Developer <dev@example.com>" } },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": { "tool": "cursor", "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": "claude-sonnet-4-5-20250514" },
      "human_author": "dev@example.com"
    },
    "s_e7f2a90b31cc48": {
      "agent_id": { "tool": "claude", "id": "conv_abc123def456", "model": "claude-sonnet-4-5-20250514" },
      "human_author": "dev@example.com",
      "custom_attributes": { "team": "backend" }
    }
  }
}
`;

const LEGACY_EXAMPLE = `src/main.rs
  abcd1234abcd1234 1-10,15-20
  ef0b5678ef0b5678 25,30-35
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": { "tool": "cursor", "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": "claude-4.5-opus" },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 25, "total_deletions": 5, "accepted_lines": 20, "overriden_lines": 0
    },
    "ef0b5678ef0b5678": {
      "agent_id": { "tool": "cursor", "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "model": "claude-3-sonnet" },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 6, "total_deletions": 0, "accepted_lines": 6, "overriden_lines": 0
    }
  }
}
`;

const MIXED_EXAMPLE = `src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10
  h_31dce776f88375 15-20
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": { "tool": "cursor", "id": "old_session_id", "model": "gpt-4" },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 50, "total_deletions": 0, "accepted_lines": 50, "overriden_lines": 0
    }
  },
  "humans": { "h_31dce776f88375": { "author": "Developer <dev@example.com>" } },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": { "tool": "claude", "id": "conv_abc123", "model": "claude-sonnet-4-5-20250514" },
      "human_author": "dev@example.com"
    }
  }
}
`;

const ranges = (list: readonly { start: number; end: number }[] | undefined) => (list ?? []).map((range) => `${range.start}-${range.end}`);

describe('git-ai authorship logs (Git AI Standard v3.0.0)', () => {
  it('sessions format: s_ keys resolve through metadata.sessions by the session id before ::', () => {
    const note = parseGitAiNote(SESSIONS_EXAMPLE);
    assert.ok(note);
    const main = note.files.get('src/main.rs') ?? [];
    assert.deepEqual(ranges(main), ['1-10', '15-20', '25-25', '30-35']);
    for (const range of main) {
      assert.equal(range.tool, 'cursor');
      assert.equal(range.model, 'claude-sonnet-4-5-20250514');
      assert.equal(range.keyKind, 'session');
      assert.equal(range.conversationId, '6ef2299e-a67f-432b-aa80-3d2fb4d28999');
      assert.equal(range.humanAuthor, 'dev@example.com');
    }
    assert.deepEqual(main.map((range) => range.key.split('::')[1]), ['t_9f8e7d6c5b4a32', 't_9f8e7d6c5b4a32', 't_a1b2c3d4e5f678', 't_a1b2c3d4e5f678']);
    const lib = note.files.get('src/lib.rs') ?? [];
    assert.deepEqual(
      lib.map((range) => [range.start, range.end, range.tool, range.model, range.conversationId]),
      [[1, 50, 'claude', 'claude-sonnet-4-5-20250514', 'conv_abc123def456']],
    );
  });

  it('sessions format: h_ lines are known-human, never AI', () => {
    const note = parseGitAiNote(SESSIONS_EXAMPLE);
    assert.ok(note);
    assert.ok(!(note.files.get('src/main.rs') ?? []).some((range) => range.start <= 50 && range.end >= 42), 'no AI range covers the human lines 42-50');
    assert.deepEqual(note.humans.get('src/main.rs'), [{ start: 42, end: 50, key: 'h_31dce776f88375', author: 'Developer <dev@example.com>' }]);
  });

  it('legacy format: bare hex keys resolve through metadata.prompts', () => {
    const note = parseGitAiNote(LEGACY_EXAMPLE);
    assert.ok(note);
    assert.deepEqual(
      (note.files.get('src/main.rs') ?? []).map((range) => [`${range.start}-${range.end}`, range.model, range.keyKind]),
      [
        ['1-10', 'claude-4.5-opus', 'legacy-prompt'],
        ['15-20', 'claude-4.5-opus', 'legacy-prompt'],
        ['25-25', 'claude-3-sonnet', 'legacy-prompt'],
        ['30-35', 'claude-3-sonnet', 'legacy-prompt'],
      ],
    );
    assert.equal(note.files.get('src/lib.rs')?.[0].humanAuthor, 'Developer <dev@example.com>');
    assert.equal(note.humans.size, 0);
  });

  it('mixed format: all three key kinds in one note, each routed by its prefix', () => {
    const note = parseGitAiNote(MIXED_EXAMPLE);
    assert.ok(note);
    assert.deepEqual(
      (note.files.get('src/main.rs') ?? []).map((range) => [range.start, range.end, range.tool, range.model]),
      [[1, 10, 'claude', 'claude-sonnet-4-5-20250514']],
    );
    assert.deepEqual(ranges(note.humans.get('src/main.rs')), ['15-20']);
    assert.deepEqual(
      (note.files.get('src/lib.rs') ?? []).map((range) => [range.start, range.end, range.tool, range.model]),
      [[1, 50, 'cursor', 'gpt-4']],
    );
  });

  it('blame: untracked lines are neither AI nor human; known-human lines are not AI; AI lines carry the session', () => {
    const note = parseGitAiNote(MIXED_EXAMPLE);
    assert.ok(note);
    const commit = 'c'.repeat(40);
    // Current lines 1..25 come from the same lines of src/main.rs in that commit.
    const blame: BlameLine[] = Array.from({ length: 25 }, (_, index) => ({ finalLine: index + 1, commit, originalLine: index + 1, path: 'src/main.rs' }));
    const notes = new Map([[commit, note]]);
    const ai = mapCommittedAiLines(blame, new Map(), notes);
    assert.deepEqual(
      ai.map((line) => line.line + 1),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(ai[0].origin.tool, 'claude');
    assert.deepEqual(ai[0].gitAi, { keyKind: 'session', key: 's_c9883b05a2487d::t_9f8e7d6c5b4a32', conversationId: 'conv_abc123', humanAuthor: 'dev@example.com' });
    const humans = mapKnownHumanLines(blame, notes, ai);
    assert.deepEqual(
      humans.map((line) => [line.line + 1, line.author]),
      [15, 16, 17, 18, 19, 20].map((line) => [line, 'Developer <dev@example.com>']),
    );
    const hover = committedHoverMarkdown(ai[0]);
    assert.match(hover, /tool \*\*claude\*\*/);
    assert.match(hover, /Session: conv\\_abc123 \(git-ai session\)/);
    assert.match(hover, /Directed by: dev\\@example\\\.com/);
  });

  it('as git-ai reads them: s_ and h_ keys without a record are untracked; a bare key without one is AI of unknown tool', () => {
    const note = parseGitAiNote('a.ts\n  s_00000000000000::t_11111111111111 1\n  h_22222222222222 2\n  0123456789abcdef 3\n---\n{"schema_version":"authorship/3.0.0","prompts":{}}');
    assert.ok(note);
    assert.deepEqual(
      (note.files.get('a.ts') ?? []).map((range) => [range.start, range.tool, range.keyKind]),
      [[3, 'unknown-ai', 'legacy-prompt']],
    );
    assert.equal(note.humans.size, 0);
  });

  it('a later entry wins over an earlier one for the same lines, as in git-ai', () => {
    const metadata = JSON.stringify({
      schema_version: 'authorship/3.0.0',
      prompts: { abcd1234abcd1234: { agent_id: { tool: 'cursor', model: 'gpt-4' } } },
      humans: { h_31dce776f88375: { author: 'Developer <dev@example.com>' } },
    });
    const note = parseGitAiNote(`a.ts\n  abcd1234abcd1234 1-10\n  h_31dce776f88375 4-6\n---\n${metadata}`);
    assert.ok(note);
    assert.deepEqual(ranges(note.files.get('a.ts')), ['1-3', '7-10']);
    assert.deepEqual(ranges(note.humans.get('a.ts')), ['4-6']);
  });

  it('the divider is exactly ---; a note of an earlier major schema is not read; hostile metadata keys are ignored', () => {
    assert.equal(parseGitAiNote('a.ts\n  abcd1234abcd1234 1\n---\n{"schema_version":"authorship/2.0.0","prompts":{}}'), undefined);
    const indented = parseGitAiNote('a.ts\n  abcd1234abcd1234 1\n ---\n{"prompts":{"abcd1234abcd1234":{"agent_id":{"tool":"cursor"}}}}');
    assert.equal(indented?.files.get('a.ts')?.[0].tool, 'unknown-ai', 'an indented --- is not the divider');
    const proto = parseGitAiNote('a.ts\n  __proto__ 1\n  h_constructor 2\n  s_toString::t_x 3\n---\n{"prompts":{}}');
    assert.deepEqual(
      (proto?.files.get('a.ts') ?? []).map((range) => [range.start, range.tool]),
      [[1, 'unknown-ai']],
    );
    assert.equal(proto?.humans.size, 0);
  });
});

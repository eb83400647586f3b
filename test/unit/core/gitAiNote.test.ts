// git-ai authorship logs, built from the examples of the Git AI Standard v3.0.0 (specs/git_ai_standard_v3.0.0.md
// in git-ai-project/git-ai, sections 1.2.5-1.2.7): every key kind routed to its metadata map.
import * as assert from 'node:assert/strict';
import { mapCommittedAiLines, mapKnownHumanLines, type BlameLine } from '../../../src/core/visibility/committedLines';
import { parseGitAiNote, resolveForeignPrompts } from '../../../src/core/visibility/gitAiNote';
import { committedHoverMarkdown } from '../../../src/core/visibility/hoverText';
import { english } from '../../../src/core/text/translate';

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
    const hover = committedHoverMarkdown(ai[0], english);
    assert.match(hover, /tool \*\*claude\*\*/);
    assert.match(hover, /Session: conv\\_abc123 \(git-ai session\)/);
    assert.match(hover, /Directed by: dev\\@example\\\.com/);
  });

  it('as git-ai reads them: keys of every kind without a record are untracked (a bare key waits for another note\'s prompt)', () => {
    const note = parseGitAiNote('a.ts\n  s_00000000000000::t_11111111111111 1\n  h_22222222222222 2\n  0123456789abcdef 3\n---\n{"schema_version":"authorship/3.0.0","prompts":{}}');
    assert.ok(note);
    assert.equal(note.files.size, 0);
    assert.equal(note.humans.size, 0);
    assert.deepEqual([...note.missingPrompts], ['0123456789abcdef']);
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
    assert.equal(indented?.files.size, 0, 'an indented --- is not the divider: no metadata, so no prompt');
    assert.deepEqual([...(indented?.missingPrompts ?? [])], ['abcd1234abcd1234']);
    const proto = parseGitAiNote('a.ts\n  __proto__ 1\n  h_constructor 2\n  s_toString::t_x 3\n---\n{"prompts":{}}');
    assert.equal(proto?.files.size, 0);
    assert.equal(proto?.humans.size, 0);
    assert.equal(proto?.withForeignPrompts(() => undefined).files.size, 0);
  });
});

// Notes as git-ai itself writes them, from its own tests (git-ai-project/git-ai): the serialized text of
// src/authorship/snapshots/*authorship_log_serialization__tests__*.snap, the notes of
// tests/integration/sessions_backwards_compat.rs, and the known-human record its rebase tests assert
// (h_e858f2c2faea28 for "Test User <test@example.com>": "h_" + sha256 of the identity, first 14 hex).
describe('git-ai notes as git-ai writes them', () => {
  // file_names_with_spaces.snap: quoted paths, "human_author": null, a legacy prompt with its stats.
  const QUOTED_PATHS = `"src/my file.rs"\n  c9883b05a2487d6d 1-10\n"docs/README (copy).md"\n  c9883b05a2487d6d 5\ntest/file-with-dashes.js\n  c9883b05a2487d6d 20-25\n---\n{\n  "schema_version": "authorship/3.0.0",\n  "git_ai_version": "development",\n  "base_commit_sha": "",\n  "prompts": {\n    "c9883b05a2487d6d": {\n      "agent_id": {\n        "tool": "cursor",\n        "id": "session_123",\n        "model": "claude-3-sonnet"\n      },\n      "human_author": null,\n      "total_additions": 0,\n      "total_deletions": 0,\n      "accepted_lines": 0,\n      "overriden_lines": 0\n    }\n  }\n}`;

  it('legacy prompt keys: quoted paths are the text between the quotes; a null human_author is no author', () => {
    const note = parseGitAiNote(QUOTED_PATHS);
    assert.ok(note);
    assert.deepEqual([...note.files.keys()], ['src/my file.rs', 'docs/README (copy).md', 'test/file-with-dashes.js']);
    const first = note.files.get('src/my file.rs')?.[0];
    assert.deepEqual(first && [first.start, first.end, first.tool, first.model, first.keyKind, first.conversationId, first.humanAuthor], [1, 10, 'cursor', 'claude-3-sonnet', 'legacy-prompt', 'session_123', undefined]);
    assert.deepEqual(ranges(note.files.get('docs/README (copy).md')), ['5-5']);
    // git-ai quotes a path with whitespace and escapes nothing in it: a backslash stays a backslash.
    const backslash = parseGitAiNote(QUOTED_PATHS.replace('"src/my file.rs"', '"src\\new file.rs"'));
    assert.deepEqual([...(backslash?.files.keys() ?? [])][0], 'src\\new file.rs');
  });

  it('legacy 7-character keys (before v1.0) and the removed messages array are read (simple_additions snapshots)', () => {
    const note = parseGitAiNote(`test.ts\n  1cee1d9 3-5\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', base_commit_sha: '048d69c4a04d183327c0182f27d4b9004a1db9de', prompts: { '1cee1d9': { agent_id: { tool: 'cursor', id: 'test_session_fixed', model: 'claude-3-sonnet' }, human_author: 'Test User', messages: [], total_additions: 3, total_deletions: 0, accepted_lines: 3, overriden_lines: 0 } } }, null, 2)}`);
    const range = note?.files.get('test.ts')?.[0];
    assert.deepEqual(range && [range.start, range.end, range.tool, range.humanAuthor], [3, 5, 'cursor', 'Test User']);
  });

  // sessions_backwards_compat.rs: a legacy prompt and a session (16-hex trace id) for one file, with no humans.
  const MIXED_REAL = `test.txt\n  5a1b2c3d4e5f6789 1-5\n  s_1234567890abcd::t_fedcba0987654321 6-10\n---\n{\n  "schema_version": "authorship/3.0.0",\n  "git_ai_version": "1.0.0",\n  "base_commit_sha": "abc123",\n  "prompts": {\n    "5a1b2c3d4e5f6789": {\n      "agent_id": {\n        "tool": "old_tool",\n        "id": "old_agent",\n        "model": "old_model"\n      },\n      "human_author": null,\n      "messages": [],\n      "total_additions": 5,\n      "total_deletions": 0,\n      "accepted_lines": 5,\n      "overriden_lines": 0\n    }\n  },\n  "sessions": {\n    "s_1234567890abcd": {\n      "agent_id": {\n        "tool": "new_tool",\n        "id": "new_agent",\n        "model": "new_model"\n      },\n      "human_author": null\n    }\n  }\n}`;

  it('session keys resolve through sessions by the id before :: (whatever the trace id length); both kinds are AI', () => {
    const note = parseGitAiNote(MIXED_REAL);
    assert.deepEqual(
      (note?.files.get('test.txt') ?? []).map((range) => [range.start, range.end, range.tool, range.model, range.keyKind, range.conversationId]),
      [
        [1, 5, 'old_tool', 'old_model', 'legacy-prompt', 'old_agent'],
        [6, 10, 'new_tool', 'new_model', 'session', 'new_agent'],
      ],
    );
  });

  it('known-human keys resolve through humans and are not AI; lines under no key are untracked', () => {
    const metadata = { schema_version: 'authorship/3.0.0', git_ai_version: '1.4.5', base_commit_sha: 'abc123', prompts: {}, humans: { h_e858f2c2faea28: { author: 'Test User <test@example.com>' } }, sessions: { s_1234567890abcd: { agent_id: { tool: 'claude', id: 'conv-1', model: 'claude-sonnet-4-5-20250514' }, human_author: 'test@example.com' } } };
    const note = parseGitAiNote(`src/compute.rs\n  h_e858f2c2faea28 1-2,9\n  s_1234567890abcd::t_0a1b2c3d4e5f67 3-8\n---\n${JSON.stringify(metadata, null, 2)}`);
    assert.ok(note);
    assert.deepEqual(ranges(note.humans.get('src/compute.rs')), ['1-2', '9-9']);
    assert.equal(note.humans.get('src/compute.rs')?.[0].author, 'Test User <test@example.com>');
    assert.deepEqual(ranges(note.files.get('src/compute.rs')), ['3-8']);
    const blame: BlameLine[] = Array.from({ length: 10 }, (_, index) => ({ finalLine: index + 1, commit: 'c'.repeat(40), originalLine: index + 1, path: 'src/compute.rs' }));
    const notes = new Map([['c'.repeat(40), note]]);
    const ai = mapCommittedAiLines(blame, new Map(), notes);
    const humans = mapKnownHumanLines(blame, notes, ai);
    assert.deepEqual(ai.map((line) => line.line + 1), [3, 4, 5, 6, 7, 8]);
    assert.deepEqual(humans.map((line) => line.line + 1), [1, 2, 9]);
    // Line 10 is under no key: untracked, neither AI nor human.
  });

  it('a bare key whose prompt is in another note (a cherry-pick) takes that prompt; unresolved entries let earlier ones speak', () => {
    const original = parseGitAiNote(`a.ts\n  c9883b05a2487d6d 1-4\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', prompts: { c9883b05a2487d6d: { agent_id: { tool: 'cursor', id: 'session_123', model: 'claude-3-sonnet' }, human_author: null } } })}`);
    const picked = parseGitAiNote(`a.ts\n  s_1234567890abcd::t_fedcba0987654321 1-6\n  c9883b05a2487d6d 1-4\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', prompts: {}, sessions: { s_1234567890abcd: { agent_id: { tool: 'claude', id: 'conv-9', model: 'claude-sonnet-4' } } } })}`);
    assert.ok(original && picked);
    // On its own, the missing prompt's entry is skipped: the earlier session entry keeps lines 1-4.
    assert.deepEqual((picked.files.get('a.ts') ?? []).map((range) => [range.start, range.end, range.tool]), [[1, 6, 'claude']]);
    const resolved = resolveForeignPrompts(new Map([['p', picked]]), [picked, original]).get('p');
    assert.deepEqual(
      (resolved?.files.get('a.ts') ?? []).map((range) => [range.start, range.end, range.tool, range.model]),
      [
        [1, 4, 'cursor', 'claude-3-sonnet'],
        [5, 6, 'claude', 'claude-sonnet-4'],
      ],
    );
  });

  it('only the first section of a path counts, as git-ai finds it', () => {
    const note = parseGitAiNote(`a.ts\n  5a1b2c3d4e5f6789 1-2\na.ts\n  5a1b2c3d4e5f6789 7-9\n---\n${JSON.stringify({ schema_version: 'authorship/3.0.0', prompts: { '5a1b2c3d4e5f6789': { agent_id: { tool: 'cursor', id: 'x', model: 'm' } } } })}`);
    assert.deepEqual(ranges(note?.files.get('a.ts')), ['1-2']);
  });
});

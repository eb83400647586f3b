import * as assert from 'node:assert/strict';
import { lineRangesOfWrites, parseAgentPayload, type AgentId } from '../../../src/core/agentEdits';

const write = { file_path: '/repo/notes.txt', content: 'text\n' };

/** What parseAgentPayload made of a payload: edits, a failed call, or nothing. */
function kindOf(agent: AgentId, payload: unknown): string {
  return parseAgentPayload(agent, payload)?.kind ?? 'nothing';
}

describe('parseAgentPayload: a tool call the agent reports as failed or denied records nothing', () => {
  it('Claude Code: PostToolUseFailure, and a PostToolUse whose tool_response says success: false', () => {
    const failure = parseAgentPayload('claude-code', { hook_event_name: 'PostToolUseFailure', tool_name: 'Write', tool_input: write, error: 'EACCES', is_interrupt: false });
    assert.deepEqual(failure, { kind: 'failed', toolName: 'Write', paths: ['/repo/notes.txt'], reason: 'EACCES' });
    assert.equal(parseAgentPayload('claude-code', { hook_event_name: 'PostToolUseFailure', tool_name: 'Write', tool_input: write, is_interrupt: true })?.kind, 'failed');
    assert.equal(kindOf('claude-code', { hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: write, tool_response: { filePath: '/repo/notes.txt', success: false } }), 'failed');
    assert.equal(kindOf('claude-code', { hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: write, tool_response: { filePath: '/repo/notes.txt', success: true } }), 'edits');
  });

  it('Copilot, VS Code compatible format: only tool_result.result_type "success" is a write', () => {
    for (const resultType of ['failure', 'denied', 'error', 'something-new']) {
      const report = parseAgentPayload('copilot', { hook_event_name: 'PostToolUse', tool_name: 'create', tool_input: { path: '/repo/notes.txt', file_text: 'x\n' }, tool_result: { result_type: resultType, text_result_for_llm: 'why' } });
      assert.deepEqual(report, { kind: 'failed', toolName: 'create', paths: ['/repo/notes.txt'], reason: `${resultType}: why` }, resultType);
    }
    assert.equal(kindOf('copilot', { hook_event_name: 'PostToolUse', tool_name: 'create', tool_input: { path: '/repo/notes.txt', file_text: 'x\n' }, tool_result: { result_type: 'success', text_result_for_llm: '' } }), 'edits');
    assert.equal(kindOf('copilot', { hook_event_name: 'PostToolUseFailure', tool_name: 'create', tool_input: { path: '/repo/notes.txt', file_text: 'x\n' }, error: 'boom' }), 'failed');
  });

  it('Copilot, camelCase format: toolResult.resultType other than "success", and postToolUseFailure (error)', () => {
    const args = JSON.stringify({ path: 'notes.txt', file_text: 'x\n' });
    assert.equal(kindOf('copilot', { toolName: 'create', toolArgs: args, toolResult: { resultType: 'failure', textResultForLlm: 'no' } }), 'failed');
    assert.equal(kindOf('copilot', { toolName: 'create', toolArgs: args, toolResult: { resultType: 'success', textResultForLlm: 'ok' } }), 'edits');
    assert.deepEqual(parseAgentPayload('copilot', { toolName: 'create', toolArgs: args, error: 'disk full' }), { kind: 'failed', toolName: 'create', paths: ['notes.txt'], reason: 'disk full' });
  });

  it('Gemini CLI: AfterTool whose tool_response has an error', () => {
    const report = parseAgentPayload('gemini', { hook_event_name: 'AfterTool', tool_name: 'write_file', tool_input: write, tool_response: { llmContent: 'Error', returnDisplay: 'Error', error: { message: 'EACCES', type: 'FILE_WRITE_FAILURE' } } });
    assert.deepEqual(report, { kind: 'failed', toolName: 'write_file', paths: ['/repo/notes.txt'], reason: 'EACCES' });
    assert.equal(kindOf('gemini', { tool_name: 'write_file', tool_input: write, tool_response: { llmContent: 'ok', returnDisplay: 'ok' } }), 'edits');
    assert.equal(kindOf('gemini', { tool_name: 'write_file', tool_input: write, tool_response: { llmContent: 'ok', returnDisplay: 'ok', error: null } }), 'edits');
  });

  it('without a result field the write counts, as before', () => {
    assert.equal(kindOf('claude-code', { tool_name: 'Write', tool_input: write }), 'edits');
    assert.equal(kindOf('copilot', { hook_event_name: 'PostToolUse', tool_name: 'create_file', tool_input: { filePath: '/repo/notes.txt', content: 'x\n' }, tool_response: 'done' }), 'edits');
    assert.equal(kindOf('gemini', { tool_name: 'write_file', tool_input: write }), 'edits');
    assert.equal(kindOf('codex', { tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch\n' }, tool_response: 'Success.' }), 'edits');
  });

  it('a failed call that writes no file is nothing to report', () => {
    assert.equal(kindOf('claude-code', { hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: { command: 'false' }, error: 'exit 1' }), 'nothing');
    assert.equal(kindOf('copilot', { hook_event_name: 'PostToolUse', tool_name: 'bash', tool_input: { command: 'false' }, tool_result: { result_type: 'failure', text_result_for_llm: '' } }), 'nothing');
  });

  it("keeps the agent's reason short", () => {
    const report = parseAgentPayload('gemini', { tool_name: 'write_file', tool_input: write, tool_response: { error: { message: 'x'.repeat(5000) } } });
    assert.ok(report?.kind === 'failed' && report.reason.length <= 201);
  });
});

describe('lineRangesOfWrites: replacements are applied in order, each to the text the ones before it left', () => {
  const replace = (oldText: string, newText: string, all = false) => ({ kind: 'replace' as const, oldText, newText, all });

  it("an earlier edit's lines that a later edit changed around are still the agent's (Claude Code MultiEdit)", () => {
    const text = 'function a() {\n  const v = 2;\n  return v;\n}\n';
    const result = lineRangesOfWrites(text, [replace('  return 1;', '  const v = 1;\n  return v;'), replace('const v = 1;', 'const v = 2;')]);
    assert.deepEqual(result, { ranges: [[2, 3]], unplaced: 0 });
  });

  it('a later edit that removes a line the earlier one wrote leaves it out, and shifts nothing else', () => {
    const text = 'top\nkept\nend\n';
    const result = lineRangesOfWrites(text, [replace('top\nend', 'top\nkept\ngone\nend'), replace('kept\ngone\n', 'kept\n')]);
    assert.deepEqual(result, { ranges: [[2, 2]], unplaced: 0 });
  });

  it('independent edits are placed as before, replace_all and CRLF files included', () => {
    const text = 'let x = 1;\r\nuse(x);\r\nlet y = 2;\r\nuse(y);\r\n';
    const result = lineRangesOfWrites(text, [replace('use(a);', 'use(x);'), replace('old(y);', 'use(y);'), replace('var ', 'let ', true)]);
    assert.deepEqual(result, { ranges: [[1, 4]], unplaced: 0 });
    assert.deepEqual(lineRangesOfWrites('a\nb\n', [replace('x', 'b'), replace('q', 'nowhere')]), { ranges: [[2, 2]], unplaced: 1 });
  });
});

describe('lineRangesOfWrites: undoing a later replace_all', () => {
  it('occurrences sharing a line are undone together, and ten thousand of them take well under the hook deadline', () => {
    const replace = (oldText: string, newText: string, all = false) => ({ kind: 'replace' as const, oldText, newText, all });
    assert.deepEqual(lineRangesOfWrites('a x x\nb\n', [replace('q', 'b'), replace('y', 'x', true)]), { ranges: [[1, 2]], unplaced: 0 });
    const text = Array.from({ length: 100_000 }, (_, line) => `let v${line} = 1; let w = 2;`).join('\n') + '\n';
    const started = Date.now();
    const result = lineRangesOfWrites(text, [replace('v7 = 0;', 'v7 = 1;'), replace('const ', 'let ', true)]);
    assert.deepEqual(result, { ranges: [[1, 5000]], unplaced: 0 });
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});

describe('lineRangesOfWrites: a patch hunk is found as Codex apply_patch finds it', () => {
  const hunk = (lines: string[], added: boolean[]) => ({ kind: 'hunk' as const, lines, added });

  it('context lines that differ from the file in whitespace or typographic punctuation', () => {
    const text = '  // note \u2014 \u201Cquoted\u201D\u00A0here\nadded();\n\tlast();\n';
    const result = lineRangesOfWrites(text, [hunk(['// note - "quoted" here', 'added();', 'last();'], [false, true, false])]);
    assert.deepEqual(result, { ranges: [[2, 2]], unplaced: 0 });
  });

  it('an exact match later in the file wins over a loose one earlier, as in seek_sequence', () => {
    const text = 'a \nb\na\nb\n';
    assert.deepEqual(lineRangesOfWrites(text, [hunk(['a', 'b'], [false, true])]), { ranges: [[4, 4]], unplaced: 0 });
  });
});

describe('parseAgentPayload: a file write whose payload Vouch cannot read is reported, not dropped in silence', () => {
  it('a documented file-writing tool whose input has no fields Vouch knows', () => {
    assert.deepEqual(parseAgentPayload('claude-code', { tool_name: 'Edit', tool_input: { path: 'a.ts', old: 'x', new: 'y' } }), {
      kind: 'unreadable',
      toolName: 'Edit',
      reason: 'its input names no file and written text Vouch knows (fields: path, old, new)',
    });
    assert.equal(parseAgentPayload('copilot', { toolName: 'edit', toolArgs: '{not json' })?.kind, 'unreadable');
    assert.equal(parseAgentPayload('gemini', { tool_name: 'write_file', tool_input: 'nothing' })?.kind, 'unreadable');
    assert.deepEqual(parseAgentPayload('claude-code', { tool_name: 'NotebookEdit', tool_input: { notebook_path: '/r/n.ipynb', new_source: 'x' } }), {
      kind: 'unreadable',
      toolName: 'NotebookEdit',
      reason: 'Vouch does not record notebook edits',
    });
  });

  it("Cursor's afterFileEdit without a file or edits, and a payload that is not an object", () => {
    assert.deepEqual(parseAgentPayload('cursor', { hook_event_name: 'afterFileEdit', file_path: '/r/a.ts', edits: [{ old_string: 'a' }] }), { kind: 'unreadable', toolName: 'afterFileEdit', reason: 'its edits hold no new_string' });
    assert.equal(parseAgentPayload('cursor', { hook_event_name: 'afterFileEdit', edits: [] })?.kind, 'unreadable');
    assert.deepEqual(parseAgentPayload('claude-code', [1]), { kind: 'unreadable', reason: 'the payload is not a JSON object' });
  });

  it('other tools and events, and failed calls, stay nothing to report', () => {
    assert.equal(kindOf('claude-code', { tool_name: 'Bash', tool_input: { command: 'ls' } }), 'nothing');
    assert.equal(kindOf('claude-code', { tool_name: 'Read', tool_input: { file_path: '/r/a.ts' } }), 'nothing');
    assert.equal(kindOf('cursor', { hook_event_name: 'beforeShellExecution', command: 'ls' }), 'nothing');
    assert.equal(kindOf('claude-code', { hook_event_name: 'PostToolUseFailure', tool_name: 'Edit', tool_input: {}, error: 'no match' }), 'nothing');
  });
});

describe('whole-file writes are checked against the text the agent wrote', () => {
  const writeOf = (agent: AgentId, payload: unknown) => {
    const report = parseAgentPayload(agent, payload);
    assert.ok(report && report.kind === 'edits', JSON.stringify(report));
    return report.files[0].evidence;
  };

  it('a Write whose content is not in the file marks nothing and says so (a person\'s file is not the agent\'s on its word)', () => {
    const evidence = writeOf('claude-code', { tool_name: 'Write', tool_input: { file_path: 'h.txt', content: 'something else\n' } });
    assert.deepEqual(lineRangesOfWrites('human1\nhuman2\nhuman3\n', evidence), { ranges: [], unplaced: 1 });
  });

  it("marks the agent's lines of a file a person has typed into since, not the person's", () => {
    const evidence = writeOf('gemini', { hook_event_name: 'AfterTool', tool_name: 'write_file', tool_input: { file_path: 'a.ts', content: 'one\ntwo\nthree\n' }, tool_response: { llmContent: 'ok' } });
    assert.deepEqual(lineRangesOfWrites('one\nmine\ntwo\nthree\n', evidence), { ranges: [[1, 1], [3, 4]], unplaced: 0 });
    assert.deepEqual(lineRangesOfWrites('one\ntwo\nthree\n', evidence), { ranges: [[1, 3]], unplaced: 0 });
  });

  it("a Codex patch's added file: its + lines are the text checked", () => {
    const patch = '*** Begin Patch\n*** Add File: n.ts\n+alpha\n+beta\n*** End Patch\n';
    const evidence = writeOf('codex', { hook_event_name: 'PostToolUse', tool_name: 'apply_patch', tool_input: { command: patch } });
    assert.deepEqual(lineRangesOfWrites('alpha\nbeta\n', evidence), { ranges: [[1, 2]], unplaced: 0 });
    assert.deepEqual(lineRangesOfWrites('gamma\ndelta\n', evidence), { ranges: [], unplaced: 1 });
  });
});

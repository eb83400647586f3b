/**
 * What an AI agent's post-edit hook payload says it wrote, and where that text now stands in the
 * file. Pure: the `vouch agent-hook` command reads the payload and the files, this module turns
 * them into 1-based inclusive line ranges for `vouch mark`.
 *
 * Payload shapes (see README, "Agent hooks"), by the documented field names of each agent:
 * - Claude Code PostToolUse: tool_name Write | Edit | MultiEdit; tool_input.file_path with
 *   content, old_string/new_string (replace_all) or edits[]; session_id; cwd.
 * - GitHub Copilot (CLI and VS Code agent hooks, PascalCase PostToolUse): tool_name, tool_input
 *   (VS Code: create_file {filePath, content}, replace_string_in_file {filePath, oldString,
 *   newString}, multi_replace_string_in_file {replacements[]}, insert_edit_into_file {filePath,
 *   code}, apply_patch {input}); session_id. camelCase postToolUse (toolName, toolArgs) is read too.
 * - Cursor afterFileEdit: file_path, edits[{old_string, new_string}], conversation_id, model,
 *   workspace_roots.
 * - Codex PostToolUse: tool_name apply_patch, tool_input.command (the patch), session_id, model, cwd.
 * - Gemini CLI AfterTool: tool_name write_file {file_path, content} | replace {file_path,
 *   old_string, new_string, allow_multiple}; session_id; cwd.
 *
 * Whether the call succeeded, by each agent's documented result fields (see `failureOf`): a call
 * reported as failed or denied wrote nothing, so none of its text is the agent's.
 */
import { diffArrays } from 'diff';
import { unchangedLineTargets } from './text/lineDiff';
import { lineIndexAt, lineStartOffsets } from './text/lines';

export const AGENT_IDS = ['claude-code', 'copilot', 'cursor', 'codex', 'gemini'] as const;
export type AgentId = (typeof AGENT_IDS)[number];

/** Evidence of what the agent wrote into one file. */
export type WriteEvidence =
  /**
   * The agent wrote the whole file (Write, create_file, write_file, an added file in a patch), with
   * the text it wrote when the payload gives it: then only the file's lines that are that text's
   * are the agent's (a file that holds something else is not marked on the payload's word).
   */
  | { readonly kind: 'whole'; readonly content?: string }
  /** oldText was replaced by newText (once, or everywhere with `all`). */
  | { readonly kind: 'replace'; readonly oldText: string; readonly newText: string; readonly all: boolean }
  /** A patch hunk: its new-side lines, and which of them the hunk added. */
  | { readonly kind: 'hunk'; readonly lines: readonly string[]; readonly added: readonly boolean[] }
  /** Code with "...existing code..." placeholders: each chunk between them was written. */
  | { readonly kind: 'chunks'; readonly code: string };

export interface FileWrite {
  /** As the payload gives it: absolute, or relative to `cwd`. */
  readonly path: string;
  readonly evidence: WriteEvidence[];
  /**
   * Set when the person changed the agent's proposal before it was written (Gemini CLI
   * `modified_by_user`): the text the agent proposed (`ai_proposed_content`), whose lines alone
   * are the agent's, or null when the payload does not say.
   */
  readonly proposal?: string | null;
}

export interface AgentEditReport {
  readonly kind: 'edits';
  readonly tool: string;
  readonly model?: string;
  readonly session?: string;
  /** The directory relative paths refer to (payload cwd or first workspace root), when given. */
  readonly cwd?: string;
  readonly files: FileWrite[];
}

/**
 * A file-writing tool call (by its documented tool name, or Cursor's afterFileEdit) whose input
 * names no file and text Vouch can read: the edit is not recorded, and the hook says so.
 */
export interface UnreadableAgentCall {
  readonly kind: 'unreadable';
  /** The tool's name (or Cursor's event) as the payload gives it; none when the payload is not an object. */
  readonly toolName?: string;
  readonly reason: string;
}

/** A file-writing tool call the payload reports as failed, denied or errored: nothing to record. */
export interface FailedAgentCall {
  readonly kind: 'failed';
  /** The tool's name as the payload gives it. */
  readonly toolName: string;
  /** The files the call would have written, as the payload gives them. */
  readonly paths: string[];
  /** The agent's own words for what went wrong (untrusted text, shortened). */
  readonly reason: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringField = (object: Json, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
};

/**
 * The file-writing tools each agent documents, by the name its hook payload gives: Claude Code
 * (Write, Edit, MultiEdit, NotebookEdit), the Copilot CLI (create, edit), VS Code's agent
 * (create_file, replace_string_in_file, multi_replace_string_in_file, insert_edit_into_file,
 * apply_patch, edit_notebook_file), Codex (apply_patch) and Gemini CLI (write_file, replace).
 * One set for every agent: VS Code runs the hooks of .claude/settings.json for its own tools too.
 */
const FILE_WRITING_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'create', 'edit', 'create_file', 'replace_string_in_file', 'multi_replace_string_in_file', 'insert_edit_into_file', 'apply_patch', 'edit_notebook_file', 'write_file', 'replace']);
const NOTEBOOK_TOOLS = new Set(['NotebookEdit', 'edit_notebook_file']);

/** Tool names of VS Code's Copilot agent (as its hooks report them); others come from the Copilot CLI. */
const VSCODE_COPILOT_TOOLS = new Set(['create_file', 'replace_string_in_file', 'multi_replace_string_in_file', 'insert_edit_into_file', 'apply_patch']);

/**
 * Reads one hook payload. Returns the failed call when the payload says a file write failed or
 * was denied, and undefined when it reports no file write (another tool, an event Vouch does not
 * handle).
 */
export function parseAgentPayload(agent: AgentId, payload: unknown): AgentEditReport | FailedAgentCall | UnreadableAgentCall | undefined {
  if (!isObject(payload)) return { kind: 'unreadable', reason: 'the payload is not a JSON object' };
  const session = stringField(payload, 'session_id', 'sessionId', 'conversation_id');
  const model = stringField(payload, 'model');
  const roots = Array.isArray(payload.workspace_roots) ? payload.workspace_roots.filter((root): root is string => typeof root === 'string') : [];
  const cwd = stringField(payload, 'cwd') ?? roots[0];
  const base = { ...(model ? { model } : {}), ...(session ? { session } : {}), ...(cwd ? { cwd } : {}) };

  if (agent === 'cursor') {
    const file = stringField(payload, 'file_path');
    const evidence = Array.isArray(payload.edits) ? payload.edits.filter(isObject).flatMap((edit) => replaceEvidence(edit, false)) : [];
    const event = stringField(payload, 'hook_event_name') ?? 'afterFileEdit';
    if (!file || evidence.length === 0) {
      // Another event sent to this hook (Cursor fires afterFileEdit only for it) writes nothing to record.
      if (event !== 'afterFileEdit') return undefined;
      return { kind: 'unreadable', toolName: event, reason: !file ? 'it has no file_path' : 'its edits hold no new_string' };
    }
    // afterFileEdit fires only for an edit that was made and carries no result field.
    return { kind: 'edits', tool: 'cursor', ...base, files: [{ path: file, evidence }] };
  }

  const toolName = stringField(payload, 'tool_name', 'toolName') ?? '';
  let input: unknown = payload.tool_input ?? payload.toolArgs;
  const writes = FILE_WRITING_TOOLS.has(toolName);
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      return writes ? { kind: 'unreadable', toolName, reason: 'its tool input is a string that is not JSON' } : undefined;
    }
  }
  if (!isObject(input)) return writes && failureOf(agent, payload) === undefined ? { kind: 'unreadable', toolName, reason: 'it has no tool input object' } : undefined;
  const tool = toolOf(agent, payload, toolName, input);
  const files = fileWritesOf(input);
  const failure = failureOf(agent, payload);
  if (files.length === 0) {
    // A failed call wrote nothing either way; another tool (a shell, a read) is not an edit.
    if (!writes || failure !== undefined) return undefined;
    return {
      kind: 'unreadable',
      toolName,
      reason: NOTEBOOK_TOOLS.has(toolName) ? 'Vouch does not record notebook edits' : 'its input names no file and written text Vouch knows (fields: ' + shortened(Object.keys(input).join(', ')) + ')',
    };
  }
  if (failure !== undefined) return { kind: 'failed', toolName, paths: files.map((file) => file.path), reason: shortened(failure) };
  return { kind: 'edits', tool, ...base, files };
}

/**
 * The tool that wrote, by the payload rather than only by the hook it reached: other agents run
 * Claude Code's hooks (.claude/settings.json) for their own edits. VS Code runs them for its agent's
 * tools and ignores the matcher (VS Code docs, agent hooks: "VS Code ignores matcher values", tool
 * names such as create_file and replace_string_in_file), and Cursor runs them when its third-party
 * hooks are on (cursor.com third-party hooks), with `cursor_version` in every payload. Such an edit
 * is VS Code's (github-copilot) or Cursor's, never Claude Code's.
 */
function toolOf(agent: AgentId, payload: Json, toolName: string, input: Json): string {
  const vscodeTool = VSCODE_COPILOT_TOOLS.has(toolName) && (toolName !== 'apply_patch' || typeof input.input === 'string');
  if (agent === 'copilot') return vscodeTool ? 'github-copilot' : 'copilot-cli';
  if (agent === 'claude-code') {
    if (typeof payload.cursor_version === 'string') return 'cursor';
    if (vscodeTool) return 'github-copilot';
  }
  return agent;
}

/**
 * What went wrong, when the payload's documented result fields say the call did not succeed;
 * undefined when they say it did or are absent (then the write is taken as made, as before).
 * - Claude Code: a failed call fires PostToolUseFailure {error, is_interrupt}; PostToolUse's
 *   tool_response may carry success: false.
 * - Copilot: VS Code compatible PostToolUse tool_result.result_type, camelCase
 *   toolResult.resultType ("success" | "failure" | "denied" | "error": only "success" wrote);
 *   PostToolUseFailure / postToolUseFailure carry error instead.
 * - Gemini CLI: AfterTool tool_response {llmContent, returnDisplay, error?}.
 * - Codex: PostToolUse tool_response is the tool's output as text, with no failure field.
 */
function failureOf(agent: AgentId, payload: Json): string | undefined {
  const event = stringField(payload, 'hook_event_name');
  if (agent === 'claude-code' || agent === 'copilot') {
    if (event === 'PostToolUseFailure') return stringField(payload, 'error') ?? (payload.is_interrupt === true ? 'interrupted' : 'failed');
  }
  if (agent === 'claude-code') {
    const response = payload.tool_response;
    if (isObject(response) && response.success === false) return 'the tool reported success: false';
  }
  if (agent === 'copilot') {
    const snakeResult = payload.tool_result;
    const camelResult = payload.toolResult;
    const result = isObject(snakeResult) ? { type: snakeResult.result_type, text: snakeResult.text_result_for_llm } : isObject(camelResult) ? { type: camelResult.resultType, text: camelResult.textResultForLlm } : undefined;
    if (result && typeof result.type === 'string' && result.type !== 'success') return typeof result.text === 'string' && result.text.length > 0 ? `${result.type}: ${result.text}` : result.type;
    // camelCase postToolUseFailure: no event name in the payload, error in place of toolResult.
    if (!result && event === undefined && typeof payload.error === 'string') return payload.error.length > 0 ? payload.error : 'failed';
  }
  if (agent === 'gemini') {
    const response = payload.tool_response;
    if (isObject(response) && response.error !== undefined && response.error !== null) {
      const error = response.error;
      if (typeof error === 'string') return error.length > 0 ? error : 'error';
      return (isObject(error) ? stringField(error, 'message') : undefined) ?? 'error';
    }
  }
  return undefined;
}

const MAX_REASON_LENGTH = 200;

function shortened(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
}

/** The file writes a tool input describes, whatever the agent's field names. */
function fileWritesOf(input: Json): FileWrite[] {
  const patch = [input.input, input.command, input.patch].find((value): value is string => typeof value === 'string' && /^\s*\*\*\* Begin Patch/.test(value));
  if (patch !== undefined) return parsePatch(patch);
  if (Array.isArray(input.replacements)) {
    // VS Code's multi_replace_string_in_file: each replacement names its own file.
    const byFile = new Map<string, WriteEvidence[]>();
    for (const replacement of input.replacements.filter(isObject)) {
      const file = pathOf(replacement);
      if (!file) continue;
      const list = byFile.get(file) ?? [];
      list.push(...replaceEvidence(replacement, false));
      byFile.set(file, list);
    }
    return [...byFile].filter(([, evidence]) => evidence.length > 0).map(([path, evidence]) => ({ path, evidence }));
  }
  const file = pathOf(input);
  if (!file) return [];
  const all = input.replace_all === true || input.allow_multiple === true || (typeof input.expected_replacements === 'number' && input.expected_replacements > 1);
  let evidence: WriteEvidence[];
  const written = [input.content, input.file_text].find((value): value is string => typeof value === 'string');
  if (written !== undefined) evidence = [{ kind: 'whole', content: written }];
  else if (Array.isArray(input.edits)) evidence = input.edits.filter(isObject).flatMap((edit) => replaceEvidence(edit, all));
  else if (typeof input.code === 'string') evidence = [{ kind: 'chunks', code: input.code }];
  else evidence = replaceEvidence(input, all);
  if (evidence.length === 0) return [];
  if (input.modified_by_user !== true) return [{ path: file, evidence }];
  // Gemini CLI: the person edited the proposed change before it was written; content / new_string
  // hold the person's version, ai_proposed_content (ai_proposed_string in some versions) the agent's.
  const proposal = [input.ai_proposed_content, input.ai_proposed_string].find((value): value is string => typeof value === 'string');
  return [{ path: file, evidence, proposal: proposal ?? null }];
}

function pathOf(input: Json): string | undefined {
  return stringField(input, 'file_path', 'filePath', 'path');
}

function replaceEvidence(edit: Json, all: boolean): WriteEvidence[] {
  const newText = [edit.new_string, edit.newString, edit.new_str].find((value): value is string => typeof value === 'string');
  if (newText === undefined) return [];
  const oldText = [edit.old_string, edit.oldString, edit.old_str].find((value): value is string => typeof value === 'string') ?? '';
  return [{ kind: 'replace', oldText, newText, all: all || edit.replace_all === true }];
}

/**
 * The files of a patch in the `*** Begin Patch` format of Codex's and VS Code's apply_patch:
 * `*** Add File: p` (every line `+`), `*** Update File: p` (optional `*** Move to: q`) with
 * `@@` hunks of ' ', '-', '+' lines, `*** Delete File: p`.
 */
export function parsePatch(patch: string): FileWrite[] {
  const files: FileWrite[] = [];
  let current: { path: string; evidence: WriteEvidence[] } | undefined;
  let hunk: { lines: string[]; added: boolean[] } | undefined;
  let adding = false;
  /** The lines of an added file, as its `+` lines give them. */
  let addedLines: string[] = [];
  const closeHunk = () => {
    if (current && hunk && hunk.added.some(Boolean)) current.evidence.push({ kind: 'hunk', lines: hunk.lines, added: hunk.added });
    hunk = undefined;
  };
  const closeFile = () => {
    closeHunk();
    if (current && adding) current.evidence = [{ kind: 'whole', content: addedLines.map((line) => `${line}\n`).join('') }];
    if (current && current.evidence.length > 0) files.push(current);
    current = undefined;
    adding = false;
  };
  for (const rawLine of patch.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const header = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line);
    if (header) {
      closeFile();
      // An added file's evidence is its + lines, set when the file closes.
      if (header[1] !== 'Delete') current = { path: header[2].trim(), evidence: [] };
      adding = header[1] === 'Add';
      addedLines = [];
      continue;
    }
    const move = /^\*\*\* Move to: (.+)$/.exec(line);
    if (move && current) {
      current.path = move[1].trim();
      continue;
    }
    if (line.startsWith('***')) {
      // *** End Patch, *** End of File, *** Begin Patch
      if (line.startsWith('*** End Patch')) closeFile();
      continue;
    }
    if (current && adding) {
      if (line.startsWith('+')) addedLines.push(line.slice(1));
      continue;
    }
    if (!current) continue;
    if (line.startsWith('@@')) {
      closeHunk();
      hunk = { lines: [], added: [] };
      continue;
    }
    hunk ??= { lines: [], added: [] };
    if (line.startsWith('+')) {
      hunk.lines.push(line.slice(1));
      hunk.added.push(true);
    } else if (line.startsWith(' ')) {
      hunk.lines.push(line.slice(1));
      hunk.added.push(false);
    } else if (line === '') {
      hunk.lines.push('');
      hunk.added.push(false);
    }
    // '-' lines are on the old side only.
  }
  closeFile();
  return files;
}

export interface LineRangesResult {
  /** 1-based inclusive ranges, sorted, non-overlapping. */
  readonly ranges: [number, number][];
  /** Pieces of evidence that could not be placed in the text (moved on, or ambiguous). */
  readonly unplaced: number;
}

/**
 * Where the written text stands in `text` (the file as it is after the edit). With `proposal`
 * (the agent's proposal, which a person changed before it was written), only the written lines
 * that a line diff finds in the proposal are the agent's; the person's changes are not.
 */
export function lineRangesOfWrites(text: string, evidence: readonly WriteEvidence[], proposal?: string): LineRangesResult {
  const fileLines = splitLines(text);
  const marked = new Set<number>(); // 0-based line indices
  let unplaced = 0;
  let hunkCursor = 0;
  const replacements = evidence.filter((item): item is Extract<WriteEvidence, { kind: 'replace' }> => item.kind === 'replace');
  if (replacements.length > 0) {
    const placed = placeReplacements(text, replacements);
    unplaced += placed.unplaced;
    for (const line of placed.lines) marked.add(line);
  }
  for (const item of evidence) {
    switch (item.kind) {
      case 'whole': {
        if (item.content === undefined) {
          for (let line = 0; line < fileLines.length; line++) marked.add(line);
          break;
        }
        // The file's lines a line diff finds unchanged from what the agent wrote (lines a person
        // typed since stay theirs); none at all while the agent wrote lines: not the agent's file.
        const written = linesFromProposal(fileLines, item.content);
        if (written === undefined || (written.size === 0 && splitLines(item.content).some((line) => line.trim() !== ''))) unplaced++;
        for (const line of written ?? []) marked.add(line);
        break;
      }
      case 'replace':
        break; // placed above, all together
      case 'hunk': {
        const at = seekSequence(fileLines, item.lines, hunkCursor) ?? seekSequence(fileLines, item.lines, 0);
        if (at === undefined) {
          unplaced++;
          break;
        }
        item.added.forEach((added, index) => added && marked.add(at + index));
        hunkCursor = at + item.lines.length;
        break;
      }
      case 'chunks': {
        for (const chunk of codeChunks(item.code)) {
          const at = findBlock(fileLines, chunk, 0);
          if (at === undefined) unplaced++;
          else chunk.forEach((line, index) => line.trim() !== '' && marked.add(at + index));
        }
        break;
      }
    }
  }
  const proposed = proposal === undefined ? undefined : (linesFromProposal(fileLines, proposal) ?? new Set<number>());
  if (proposal !== undefined && proposed?.size === 0 && marked.size > 0) unplaced++;
  return { ranges: toRanges([...marked].filter((line) => line < fileLines.length && (proposed === undefined || proposed.has(line)))), unplaced };
}

/**
 * A line diff of an agent's text against the file gives up past these (a hook has a deadline, and a
 * diff of two unrelated large texts costs their product): then no line is claimed for the agent.
 */
const AGENT_TEXT_DIFF_LIMITS = { timeout: 2_000, maxEditLength: 20_000 };

/**
 * The lines (0-based) of the file that a line diff against the agent's text finds unchanged from
 * it; undefined when the diff gave up at its limits.
 */
function linesFromProposal(fileLines: readonly string[], proposal: string): Set<number> | undefined {
  const targets = unchangedLineTargets(splitLines(proposal), [...fileLines], AGENT_TEXT_DIFF_LIMITS);
  if (!targets) return undefined;
  const found = new Set<number>();
  for (const target of targets) if (target >= 0) found.add(target);
  return found;
}

/** Lines of a text; a final newline ends the last line rather than starting another. */
function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * The lines (0-based, in `text`) the replacements added. The agents apply a list of replacements
 * in order, each to the text the ones before it left (Claude Code's MultiEdit: "each edit operates
 * on the result of the previous edit"; VS Code's multi_replace_string_in_file and Cursor's edits
 * likewise), so an earlier replacement's new text may stand in the file only as a later one left
 * it. They are placed last first: each is found in the text as it stood right after it, its added
 * lines are mapped to the file's, and it is undone to give the text before it.
 */
function placeReplacements(text: string, items: readonly Extract<WriteEvidence, { kind: 'replace' }>[]): { lines: number[]; unplaced: number } {
  let current = text.split('\n');
  // For each line of `current`, its index in the file, or -1 for a line a later replacement removed or changed.
  let toFile = current.map((_, index) => index);
  const lines: number[] = [];
  let unplaced = 0;
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index];
    if (item.newText.length === 0) continue; // a deletion writes nothing (and cannot be found to undo)
    const currentText = current.join('\n');
    let newText = item.newText;
    let oldText = item.oldText;
    let occurrences = occurrencesOf(currentText, newText);
    if (occurrences.length === 0 && currentText.includes('\r\n') && !newText.includes('\r\n')) {
      newText = newText.replace(/\n/g, '\r\n');
      oldText = oldText.replace(/\n/g, '\r\n');
      occurrences = occurrencesOf(currentText, newText);
    }
    if (occurrences.length === 0 || (occurrences.length > 1 && !item.all)) {
      unplaced++;
      continue;
    }
    // Only the lines that differ from the old text are the agent's: new_string repeats context.
    const added = addedLineIndices(oldText, newText);
    const starts = lineStartOffsets(currentText);
    const spanned = newText.split('\n').length;
    const spans = occurrences.map((offset) => {
      const firstLine = lineIndexAt(starts, offset);
      return { offset, firstLine, lastLine: firstLine + spanned - 1 };
    });
    for (const { firstLine } of spans) for (const line of added) if (toFile[firstLine + line] >= 0) lines.push(toFile[firstLine + line]);
    if (index === 0) continue; // the first replacement: no earlier one needs the text before it
    // Undo, in one pass: the lines each new text touches (occurrences sharing a line together)
    // become the lines the old text stood on; a diff of the two maps the lines left unchanged.
    const nextCurrent: string[] = [];
    const nextToFile: number[] = [];
    let copied = 0;
    for (let at = 0; at < spans.length; ) {
      const first = spans[at].firstLine;
      let last = spans[at].lastLine;
      let end = at + 1;
      while (end < spans.length && spans[end].firstLine <= last) {
        last = Math.max(last, spans[end].lastLine);
        end++;
      }
      for (; copied < first; copied++) {
        nextCurrent.push(current[copied]);
        nextToFile.push(toFile[copied]);
      }
      const after = current.slice(first, last + 1);
      let region = after.join('\n');
      for (let inner = end - 1; inner >= at; inner--) {
        const column = spans[inner].offset - starts[first];
        region = region.slice(0, column) + oldText + region.slice(column + newText.length);
      }
      const before = region.split('\n');
      let afterIndex = 0;
      for (const part of diffArrays(before, after)) {
        if (part.added) afterIndex += part.value.length;
        else
          for (const line of part.value) {
            nextCurrent.push(line);
            nextToFile.push(part.removed ? -1 : toFile[first + afterIndex++]);
          }
      }
      copied = last + 1;
      at = end;
    }
    for (; copied < current.length; copied++) {
      nextCurrent.push(current[copied]);
      nextToFile.push(toFile[copied]);
    }
    current = nextCurrent;
    toFile = nextToFile;
  }
  return { lines, unplaced };
}

function occurrencesOf(text: string, piece: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(piece); at !== -1 && found.length < 10_000; at = text.indexOf(piece, at + piece.length)) found.push(at);
  return found;
}

/** Indices of the lines of newText that a line diff against oldText shows as added. */
function addedLineIndices(oldText: string, newText: string): number[] {
  const newLines = newText.split('\n');
  if (newText.endsWith('\n')) newLines.pop();
  if (oldText.length === 0) return newLines.map((_, index) => index);
  const oldLines = oldText.split('\n');
  if (oldText.endsWith('\n')) oldLines.pop();
  const added: number[] = [];
  let index = 0;
  for (const part of diffArrays(oldLines, newLines)) {
    if (part.removed) continue;
    if (part.added) for (let i = 0; i < part.value.length; i++) added.push(index + i);
    index += part.value.length;
  }
  return added;
}

/** Unicode dashes, quotes and spaces Codex's apply_patch reads as their ASCII forms when it looks for a hunk's lines. */
const PATCH_PUNCTUATION: Readonly<Record<string, string>> = Object.fromEntries([
  ...[...'\u2010\u2011\u2012\u2013\u2014\u2015\u2212'].map((char) => [char, '-']),
  ...[...'\u2018\u2019\u201A\u201B'].map((char) => [char, "'"]),
  ...[...'\u201C\u201D\u201E\u201F'].map((char) => [char, '"']),
  ...[...'\u00A0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000'].map((char) => [char, ' ']),
]);
const PATCH_PUNCTUATION_PATTERN = new RegExp(`[${Object.keys(PATCH_PUNCTUATION).join('')}]`, 'g');

/**
 * Where a patch hunk's new-side lines stand, found as Codex's apply_patch finds a hunk
 * (codex-rs/apply-patch seek_sequence): the first exact match at or after `from`, else the first
 * ignoring trailing whitespace, else ignoring whitespace at both ends, else also reading Unicode
 * dashes, quotes and spaces as ASCII. The patch's context lines are the file's own lines, which
 * apply_patch matched this loosely, so they may differ from the file in just these ways.
 */
function seekSequence(fileLines: readonly string[], block: readonly string[], from: number): number | undefined {
  if (block.length === 0 || block.length > fileLines.length) return undefined;
  const normalise = (line: string) => line.trim().replace(PATCH_PUNCTUATION_PATTERN, (char) => PATCH_PUNCTUATION[char]);
  const levels: ((line: string) => string)[] = [(line) => line, (line) => line.trimEnd(), (line) => line.trim(), normalise];
  for (const level of levels) {
    const wanted = block.map(level);
    for (let start = Math.max(0, from); start + block.length <= fileLines.length; start++) {
      let index = 0;
      while (index < block.length && level(fileLines[start + index]) === wanted[index]) index++;
      if (index === block.length) return start;
    }
  }
  return undefined;
}

/** The first index >= from where `block` stands as consecutive lines (trailing blanks ignored). */
function findBlock(fileLines: readonly string[], block: readonly string[], from: number): number | undefined {
  if (block.length === 0 || block.length > fileLines.length) return undefined;
  const same = (a: string, b: string) => a === b || a.trimEnd() === b.trimEnd();
  for (let start = Math.max(0, from); start + block.length <= fileLines.length; start++) {
    let index = 0;
    while (index < block.length && same(fileLines[start + index], block[index])) index++;
    if (index === block.length) return start;
  }
  return undefined;
}

/** The pieces of "...existing code..." style code, without the placeholder lines and outer blank lines. */
function codeChunks(code: string): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  const flush = () => {
    while (current.length > 0 && current[0].trim() === '') current.shift();
    while (current.length > 0 && current[current.length - 1].trim() === '') current.pop();
    if (current.length > 0) chunks.push(current);
    current = [];
  };
  for (const line of splitLines(code)) {
    if (/\.\.\.\s*existing code\s*\.\.\./i.test(line)) flush();
    else current.push(line);
  }
  flush();
  return chunks;
}

function toRanges(lines: number[]): [number, number][] {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const line of sorted) {
    const oneBased = line + 1;
    const last = ranges[ranges.length - 1];
    if (last && oneBased === last[1] + 1) last[1] = oneBased;
    else ranges.push([oneBased, oneBased]);
  }
  return ranges;
}

/**
 * The messages between the extension host and the review panel's page, and their validators.
 * Both sides treat what they receive as hostile: every message goes through `parseMessageFromPage`
 * or `parseMessageFromHost`, which check types and sizes, drop unknown fields, and return a reason
 * instead of throwing. Semantic rules of a decision (intent required, 'none' alone) are checked by
 * the core review model on the host, which answers with a notice.
 *
 * Shared code may not import core, so the few core vocabularies used here (scope tags, risk
 * categories) are repeated; a unit test keeps them equal to core's.
 */

import { REVIEW_PAGE_MESSAGES, placeholdersOf, type ReviewPageMessage, type ReviewPageStrings } from './reviewPageText';

export type ProtocolResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const PANEL_SCOPE_TAGS = ['files', 'network', 'secrets', 'processes', 'data', 'none'] as const;
export type PanelScopeTag = (typeof PANEL_SCOPE_TAGS)[number];

export const PANEL_RISK_CATEGORIES = ['secret', 'network', 'process', 'file-deletion', 'dynamic-eval', 'sql-from-strings', 'dependency', 'auth-crypto'] as const;
export type PanelRiskCategory = (typeof PANEL_RISK_CATEGORIES)[number];

/** Upper bounds on what a message may carry; a host must cut or split state that exceeds them. */
export const PROTOCOL_LIMITS = {
  maxFiles: 5_000,
  maxBlocks: 10_000,
  maxBlocksPerDecision: 1_000,
  maxLinesPerBlock: 50_000,
  maxCharsPerBlock: 2_000_000,
  maxPathLength: 4_096,
  maxIdLength: 128,
  maxHashLength: 128,
  maxOriginsPerBlock: 32,
  maxHintsPerBlock: 32,
  maxShortTextLength: 256,
  maxMessageLength: 2_000,
  maxIntentLength: 2_000,
  maxScopeNoteLength: 500,
  /** Lines of context shown above and below a block, and lines it replaced. */
  maxContextLines: 3,
  maxReplacedLines: 200,
  maxContextLineLength: 1_000,
} as const;

export interface PanelOrigin {
  readonly kind: string;
  readonly tool: string;
  readonly model?: string;
}

export interface PanelRiskHint {
  readonly category: PanelRiskCategory;
  readonly message: string;
  /** 1-based, relative to the block. */
  readonly line: number;
}

export interface PanelBlock {
  readonly id: string;
  readonly path: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  readonly lines: readonly string[];
  /** Sent back with a decision so the host can refuse it if the text changed meanwhile. */
  readonly textHash: string;
  readonly origins: readonly PanelOrigin[];
  /** Milliseconds since the epoch. */
  readonly firstInsertedAt: number;
  readonly lastInsertedAt: number;
  /** 0..1 */
  readonly humanChangedShare: number;
  readonly riskHints: readonly PanelRiskHint[];
  readonly suggestedScope: readonly PanelScopeTag[];
  readonly previouslyRejected: boolean;
  /** True when the block was accepted but its text changed since: it needs a new review. */
  readonly changedAfterReview?: boolean;
  /** True when a line of the block also holds a person's text: a rejection may remove whole lines. */
  readonly personTextOnLines?: boolean;
  /** Where it sits: up to maxContextLines lines of the file just above and below the block. */
  readonly contextBefore?: readonly string[];
  readonly contextAfter?: readonly string[];
  /** What it replaced: the lines of the last commit's version that a line diff puts in its place. */
  readonly replacedLines?: readonly string[];
}

export interface PanelFile {
  readonly path: string;
  readonly blocks: readonly PanelBlock[];
}

export interface PanelReviewer {
  readonly name: string;
  readonly email: string;
}

/** Which key will sign the reviews' records, said before a review: e.g. `SSH key SHA256:…`, or why none will. */
export type PanelSigning = { readonly signed: true; readonly key: string } | { readonly signed: false; readonly reason: string };

export type NoticeLevel = 'info' | 'warning' | 'error';

/** An accept that can still be undone: its id (for 'undoAccept') and what it was ("Accepted line 9 of src/cart.ts."). */
export interface UndoableAccept {
  readonly undoId: string;
  readonly message: string;
}

export type HostToPageMessage =
  | {
      readonly type: 'state';
      readonly files: readonly PanelFile[];
      /** Who the review will be recorded as; null when git has no user.name/user.email. */
      readonly reviewer: PanelReviewer | null;
      /** Absent until the host knows (or without git). */
      readonly signing?: PanelSigning;
      /**
       * The accept that "Undo" would take back now, whichever surface made it (the page, an editor
       * command); absent when there is none, so the page never offers to undo a replaced accept.
       */
      readonly undoableAccept?: UndoableAccept;
    }
  | { readonly type: 'busy'; readonly busy: boolean; readonly message?: string }
  | {
      readonly type: 'notice';
      readonly level: NoticeLevel;
      readonly message: string;
      readonly blockIds?: readonly string[];
      /** Set after an accept that can be undone: the page offers "Undo" (sends 'undoAccept' with this id). */
      readonly undoId?: string;
    }
  | { readonly type: 'focus'; readonly blockId: string }
  /** The page's texts in the user's language, sent once the page is ready, before the first state. */
  | { readonly type: 'strings'; readonly strings: ReviewPageStrings };

export interface DecidedBlock {
  readonly blockId: string;
  /** The textHash of the block as the page showed it. */
  readonly textHash: string;
}

export type PanelDecision = 'accept' | 'reject';

export type PageToHostMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'decide';
      readonly blocks: readonly DecidedBlock[];
      readonly decision: PanelDecision;
      readonly intent: string;
      readonly scope: readonly PanelScopeTag[];
      readonly scopeNote: string;
      /** With 'reject': remove the blocks' whole lines, a person's text on them included. */
      readonly wholeLines?: boolean;
    }
  | { readonly type: 'undoAccept'; readonly undoId: string }
  | { readonly type: 'openInEditor'; readonly blockId: string }
  | { readonly type: 'refresh' }
  /** The page ignored a message from the host; the host logs the reason. */
  | { readonly type: 'pageError'; readonly reason: string };

// ---- Validators ----

class Invalid extends Error {}

type Reader = Record<string, unknown>;

function object(value: unknown, where: string): Reader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid(`${where} must be an object`);
  return value as Reader;
}

function text(value: unknown, where: string, maxLength: number, options: { nonEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw new Invalid(`${where} must be a string`);
  if (value.length > maxLength) throw new Invalid(`${where} is longer than ${maxLength} characters`);
  if (options.nonEmpty && value.length === 0) throw new Invalid(`${where} must not be empty`);
  return value;
}

function optionalText(value: unknown, where: string, maxLength: number): string | undefined {
  return value === undefined ? undefined : text(value, where, maxLength);
}

function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new Invalid(`${where} must be an integer from ${min} to ${max}`);
  return value;
}

function finite(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new Invalid(`${where} must be a number from ${min} to ${max}`);
  return value;
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(`${where} must be true or false`);
  return value;
}

function list<T>(value: unknown, where: string, maxItems: number, item: (value: unknown, where: string) => T): T[] {
  if (!Array.isArray(value)) throw new Invalid(`${where} must be a list`);
  if (value.length > maxItems) throw new Invalid(`${where} has more than ${maxItems} items`);
  // Array.from visits holes of sparse arrays (map skips them), so a hole is refused like any bad item.
  return Array.from(value, (entry, index) => item(entry, `${where}[${index}]`));
}

function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Invalid(`${where} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function id(value: unknown, where: string): string {
  const result = text(value, where, PROTOCOL_LIMITS.maxIdLength, { nonEmpty: true });
  if (!/^[\w.:-]+$/.test(result)) throw new Invalid(`${where} has characters an id may not have`);
  return result;
}

function scopeTags(value: unknown, where: string): PanelScopeTag[] {
  const tags = list(value, where, PANEL_SCOPE_TAGS.length, (tag, at) => oneOf(tag, at, PANEL_SCOPE_TAGS));
  if (new Set(tags).size !== tags.length) throw new Invalid(`${where} lists a tag twice`);
  return tags;
}

const MAX_TIME = 8.64e15;

function panelBlock(value: unknown, where: string): PanelBlock {
  const block = object(value, where);
  const startLine = integer(block.startLine, `${where}.startLine`, 1, Number.MAX_SAFE_INTEGER);
  const endLine = integer(block.endLine, `${where}.endLine`, startLine, Number.MAX_SAFE_INTEGER);
  let chars = 0;
  const lines = list(block.lines, `${where}.lines`, PROTOCOL_LIMITS.maxLinesPerBlock, (line, at) => {
    const lineText = text(line, at, PROTOCOL_LIMITS.maxCharsPerBlock);
    chars += lineText.length;
    if (chars > PROTOCOL_LIMITS.maxCharsPerBlock) throw new Invalid(`${where}.lines hold more than ${PROTOCOL_LIMITS.maxCharsPerBlock} characters`);
    return lineText;
  });
  if (lines.length !== endLine - startLine + 1) throw new Invalid(`${where}.lines must hold lines ${startLine} to ${endLine}`);
  const riskHints = list(block.riskHints, `${where}.riskHints`, PROTOCOL_LIMITS.maxHintsPerBlock, (hint, at) => {
    const h = object(hint, at);
    return {
      category: oneOf(h.category, `${at}.category`, PANEL_RISK_CATEGORIES),
      message: text(h.message, `${at}.message`, PROTOCOL_LIMITS.maxShortTextLength),
      line: integer(h.line, `${at}.line`, 1, lines.length),
    };
  });
  const origins = list(block.origins, `${where}.origins`, PROTOCOL_LIMITS.maxOriginsPerBlock, (origin, at) => {
    const o = object(origin, at);
    const model = optionalText(o.model, `${at}.model`, PROTOCOL_LIMITS.maxShortTextLength);
    const kind = text(o.kind, `${at}.kind`, PROTOCOL_LIMITS.maxShortTextLength, { nonEmpty: true });
    const tool = text(o.tool, `${at}.tool`, PROTOCOL_LIMITS.maxShortTextLength, { nonEmpty: true });
    return model === undefined ? { kind, tool } : { kind, tool, model };
  });
  const firstInsertedAt = finite(block.firstInsertedAt, `${where}.firstInsertedAt`, 0, MAX_TIME);
  return {
    id: id(block.id, `${where}.id`),
    path: text(block.path, `${where}.path`, PROTOCOL_LIMITS.maxPathLength, { nonEmpty: true }),
    startLine,
    endLine,
    lines,
    textHash: id(block.textHash, `${where}.textHash`),
    origins,
    firstInsertedAt,
    lastInsertedAt: finite(block.lastInsertedAt, `${where}.lastInsertedAt`, firstInsertedAt, MAX_TIME),
    humanChangedShare: finite(block.humanChangedShare, `${where}.humanChangedShare`, 0, 1),
    riskHints,
    suggestedScope: scopeTags(block.suggestedScope, `${where}.suggestedScope`),
    previouslyRejected: boolean(block.previouslyRejected, `${where}.previouslyRejected`),
    ...(block.changedAfterReview === undefined ? {} : { changedAfterReview: boolean(block.changedAfterReview, `${where}.changedAfterReview`) }),
    ...(block.personTextOnLines === undefined ? {} : { personTextOnLines: boolean(block.personTextOnLines, `${where}.personTextOnLines`) }),
    ...optionalLines(block, 'contextBefore', where, PROTOCOL_LIMITS.maxContextLines),
    ...optionalLines(block, 'contextAfter', where, PROTOCOL_LIMITS.maxContextLines),
    ...optionalLines(block, 'replacedLines', where, PROTOCOL_LIMITS.maxReplacedLines),
  };
}

function optionalLines<K extends 'contextBefore' | 'contextAfter' | 'replacedLines'>(block: Reader, key: K, where: string, maxLines: number): { [P in K]?: string[] } {
  if (block[key] === undefined) return {};
  const lines = list(block[key], `${where}.${key}`, maxLines, (line, at) => text(line, at, PROTOCOL_LIMITS.maxContextLineLength));
  return { [key]: lines } as { [P in K]?: string[] };
}

function panelFiles(value: unknown, where: string): PanelFile[] {
  let blockCount = 0;
  const ids = new Set<string>();
  return list(value, where, PROTOCOL_LIMITS.maxFiles, (file, at) => {
    const f = object(file, at);
    const path = text(f.path, `${at}.path`, PROTOCOL_LIMITS.maxPathLength, { nonEmpty: true });
    const blocks = list(f.blocks, `${at}.blocks`, PROTOCOL_LIMITS.maxBlocks, (block, blockAt) => {
      if (++blockCount > PROTOCOL_LIMITS.maxBlocks) throw new Invalid(`${where} holds more than ${PROTOCOL_LIMITS.maxBlocks} blocks`);
      const parsed = panelBlock(block, blockAt);
      if (parsed.path !== path) throw new Invalid(`${blockAt}.path is not the path of its file`);
      if (ids.has(parsed.id)) throw new Invalid(`${blockAt}.id is used twice`);
      ids.add(parsed.id);
      return parsed;
    });
    return { path, blocks };
  });
}

function parseWith<T>(value: unknown, parse: (message: Reader) => T): ProtocolResult<T> {
  try {
    return { ok: true, value: parse(object(value, 'message')) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    // Getters or proxies in hostile input may throw anything; it is still just a bad message.
    return { ok: false, reason: `message could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function parseMessageFromPage(value: unknown): ProtocolResult<PageToHostMessage> {
  return parseWith(value, (message): PageToHostMessage => {
    const type = oneOf(message.type, 'message.type', ['ready', 'decide', 'undoAccept', 'openInEditor', 'refresh', 'pageError'] as const);
    switch (type) {
      case 'pageError':
        return { type, reason: text(message.reason, 'message.reason', PROTOCOL_LIMITS.maxMessageLength) };
      case 'ready':
      case 'refresh':
        return { type };
      case 'openInEditor':
        return { type, blockId: id(message.blockId, 'message.blockId') };
      case 'undoAccept':
        return { type, undoId: id(message.undoId, 'message.undoId') };
      case 'decide': {
        const blocks = list(message.blocks, 'message.blocks', PROTOCOL_LIMITS.maxBlocksPerDecision, (entry, at) => {
          const block = object(entry, at);
          return { blockId: id(block.blockId, `${at}.blockId`), textHash: id(block.textHash, `${at}.textHash`) };
        });
        if (blocks.length === 0) throw new Invalid('message.blocks must name at least one block');
        if (message.wholeLines === true && message.decision !== 'reject') throw new Invalid('message.wholeLines goes with a rejection only');
        if (new Set(blocks.map((b) => b.blockId)).size !== blocks.length) throw new Invalid('message.blocks names a block twice');
        return {
          type,
          blocks,
          decision: oneOf(message.decision, 'message.decision', ['accept', 'reject'] as const),
          intent: text(message.intent, 'message.intent', PROTOCOL_LIMITS.maxIntentLength),
          scope: scopeTags(message.scope, 'message.scope'),
          scopeNote: text(message.scopeNote ?? '', 'message.scopeNote', PROTOCOL_LIMITS.maxScopeNoteLength),
          ...(message.wholeLines === undefined ? {} : { wholeLines: boolean(message.wholeLines, 'message.wholeLines') }),
        };
      }
    }
  });
}

export function parseMessageFromHost(value: unknown): ProtocolResult<HostToPageMessage> {
  return parseWith(value, (message): HostToPageMessage => {
    const type = oneOf(message.type, 'message.type', ['state', 'busy', 'notice', 'focus', 'strings'] as const);
    switch (type) {
      case 'state': {
        let reviewer: PanelReviewer | null = null;
        if (message.reviewer !== null) {
          const r = object(message.reviewer, 'message.reviewer');
          reviewer = {
            name: text(r.name, 'message.reviewer.name', PROTOCOL_LIMITS.maxShortTextLength),
            email: text(r.email, 'message.reviewer.email', PROTOCOL_LIMITS.maxShortTextLength),
          };
        }
        const files = panelFiles(message.files, 'message.files');
        let undoableAccept: UndoableAccept | undefined;
        if (message.undoableAccept !== undefined) {
          const undo = object(message.undoableAccept, 'message.undoableAccept');
          undoableAccept = {
            undoId: id(undo.undoId, 'message.undoableAccept.undoId'),
            message: text(undo.message, 'message.undoableAccept.message', PROTOCOL_LIMITS.maxMessageLength, { nonEmpty: true }),
          };
        }
        const undoPart = undoableAccept === undefined ? {} : { undoableAccept };
        if (message.signing === undefined) return { type, files, reviewer, ...undoPart };
        const signing = object(message.signing, 'message.signing');
        return boolean(signing.signed, 'message.signing.signed')
          ? { type, files, reviewer, signing: { signed: true, key: text(signing.key, 'message.signing.key', PROTOCOL_LIMITS.maxShortTextLength, { nonEmpty: true }) }, ...undoPart }
          : { type, files, reviewer, signing: { signed: false, reason: text(signing.reason, 'message.signing.reason', PROTOCOL_LIMITS.maxMessageLength, { nonEmpty: true }) }, ...undoPart };
      }
      case 'busy': {
        const busyMessage = optionalText(message.message, 'message.message', PROTOCOL_LIMITS.maxMessageLength);
        const busy = boolean(message.busy, 'message.busy');
        return busyMessage === undefined ? { type, busy } : { type, busy, message: busyMessage };
      }
      case 'notice': {
        const level = oneOf(message.level, 'message.level', ['info', 'warning', 'error'] as const);
        const noticeText = text(message.message, 'message.message', PROTOCOL_LIMITS.maxMessageLength, { nonEmpty: true });
        return {
          type,
          level,
          message: noticeText,
          ...(message.blockIds === undefined ? {} : { blockIds: list(message.blockIds, 'message.blockIds', PROTOCOL_LIMITS.maxBlocksPerDecision, id) }),
          ...(message.undoId === undefined ? {} : { undoId: id(message.undoId, 'message.undoId') }),
        };
      }
      case 'focus':
        return { type, blockId: id(message.blockId, 'message.blockId') };
      case 'strings':
        return { type, strings: pageStrings(message.strings, 'message.strings') };
    }
  });
}

/** Every page message translated (extra keys dropped), non-empty, bounded, with no placeholder its English lacks. */
function pageStrings(value: unknown, where: string): ReviewPageStrings {
  const given = object(value, where);
  const strings: Partial<Record<ReviewPageMessage, string>> = {};
  for (const message of REVIEW_PAGE_MESSAGES) {
    const at = `${where}[${JSON.stringify(message)}]`;
    // Own keys only: a hostile object's prototype must not answer for a missing translation.
    const translated = text(Object.prototype.hasOwnProperty.call(given, message) ? given[message] : undefined, at, PROTOCOL_LIMITS.maxMessageLength, { nonEmpty: true });
    const allowed = placeholdersOf(message);
    if (placeholdersOf(translated).some((index) => !allowed.includes(index))) throw new Invalid(`${at} has a placeholder its message does not have`);
    strings[message] = translated;
  }
  return strings as ReviewPageStrings;
}

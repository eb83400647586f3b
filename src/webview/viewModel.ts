/**
 * Pure functions behind the review page: draft validation, labels, visible text, persisted state.
 * No DOM here, so all of it is unit-tested in node.
 */
import {
  PANEL_SCOPE_TAGS,
  PROTOCOL_LIMITS,
  type PageToHostMessage,
  type PanelBlock,
  type PanelDecision,
  type PanelOrigin,
  type PanelScopeTag,
} from '../shared/reviewProtocol';
import type { ReviewPageMessage, ReviewPageStrings } from '../shared/reviewPageText';

/** A page text in the user's language: one of REVIEW_PAGE_MESSAGES, its placeholders filled with `args`. */
export type PageText = (message: ReviewPageMessage, ...args: Array<string | number>) => string;

/** Fills `{0}`, `{1}` in a message (a placeholder without an argument stays as it is). */
export function fillPlaceholders(message: string, args: ReadonlyArray<string | number>): string {
  return message.replace(/\{(\d+)\}/g, (placeholder, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : placeholder));
}

/** The page's texts from the strings the host sent, or in English before they arrive. */
export function pageTextOf(strings: ReviewPageStrings | undefined): PageText {
  return (message, ...args) => fillPlaceholders(strings?.[message] ?? message, args);
}

export interface Draft {
  readonly intent: string;
  readonly scope: readonly PanelScopeTag[];
  readonly scopeNote: string;
}

export const EMPTY_DRAFT: Draft = { intent: '', scope: [], scopeNote: '' };

/** What the page keeps across reloads with `setState` (host state is sent again on 'ready'). */
export interface PersistedPageState {
  readonly version: 1;
  readonly drafts: Readonly<Record<string, Draft>>;
  readonly groupDraft: Draft;
  readonly selected: readonly string[];
  readonly focusedBlockId?: string;
}

export const INITIAL_PAGE_STATE: PersistedPageState = { version: 1, drafts: {}, groupDraft: EMPTY_DRAFT, selected: [] };

export type DraftProblemField = 'intent' | 'scope' | 'scopeNote';

export interface DraftProblem {
  readonly field: DraftProblemField;
  readonly message: string;
}

/** The same rules the host's core review model applies, checked early so the person gets them at once. */
export function draftProblem(draft: Draft, decision: PanelDecision, t: PageText): DraftProblem | undefined {
  const intent = draft.intent.trim();
  if (!intent && decision === 'accept') return { field: 'intent', message: t('Write the intent: what is this code for?') };
  if (intent.length > PROTOCOL_LIMITS.maxIntentLength) return { field: 'intent', message: t('The intent is too long (at most {0} characters).', PROTOCOL_LIMITS.maxIntentLength) };
  if (draft.scopeNote.trim().length > PROTOCOL_LIMITS.maxScopeNoteLength) {
    return { field: 'scopeNote', message: t('The scope note is too long (at most {0} characters).', PROTOCOL_LIMITS.maxScopeNoteLength) };
  }
  if (draft.scope.includes('none') && draft.scope.length > 1) return { field: 'scope', message: t('"None" cannot be combined with other scope choices.') };
  if (decision === 'accept' && draft.scope.length === 0 && !draft.scopeNote.trim()) {
    return { field: 'scope', message: t('Choose what this code may touch (or "none") before accepting.') };
  }
  return undefined;
}

/** Checking 'none' clears the others; checking another tag clears 'none'. Canonical order. */
export function toggleScope(scope: readonly PanelScopeTag[], tag: PanelScopeTag, checked: boolean): PanelScopeTag[] {
  let next = new Set(scope);
  if (!checked) next.delete(tag);
  else if (tag === 'none') next = new Set<PanelScopeTag>(['none']);
  else {
    next.delete('none');
    next.add(tag);
  }
  return PANEL_SCOPE_TAGS.filter((t) => next.has(t));
}

export function decideMessage(blocks: readonly PanelBlock[], decision: PanelDecision, draft: Draft, options: { readonly wholeLines?: boolean } = {}): PageToHostMessage {
  return {
    type: 'decide',
    blocks: blocks.map((block) => ({ blockId: block.id, textHash: block.textHash })),
    decision,
    intent: draft.intent.trim(),
    // Rejected code is removed: a scope (perhaps only the pre-filled one) would claim nothing.
    scope: decision === 'accept' ? [...draft.scope] : [],
    scopeNote: draft.scopeNote.trim(),
    ...(decision === 'reject' && options.wholeLines === true ? { wholeLines: true } : {}),
  };
}

/**
 * The scope a fresh draft starts with: what the risk hints suggest for these blocks, or "none" when
 * they found nothing. The person sees it checked and changes it; accepting needs no extra keystroke.
 */
export function prefilledScope(blocks: readonly Pick<PanelBlock, 'suggestedScope'>[]): PanelScopeTag[] {
  const suggested = new Set(blocks.flatMap((block) => block.suggestedScope));
  const tags = PANEL_SCOPE_TAGS.filter((tag) => tag !== 'none' && suggested.has(tag));
  return tags.length > 0 ? tags : ['none'];
}

/** A draft the person has not touched yet. */
export function isUntouched(draft: Draft): boolean {
  return draft.intent === '' && draft.scope.length === 0 && draft.scopeNote === '';
}

/** Suggested scope tags (from risk hints) the draft leaves out: worth a second look before accepting. */
export function uncoveredSuggestions(blocks: readonly PanelBlock[], scope: readonly PanelScopeTag[]): PanelScopeTag[] {
  const suggested = new Set(blocks.flatMap((block) => block.suggestedScope));
  return PANEL_SCOPE_TAGS.filter((tag) => suggested.has(tag) && !scope.includes(tag));
}

/** Scope choices' labels ("Network") and the words for them inside a sentence ("network"). */
const SCOPE_LABELS: Readonly<Record<PanelScopeTag, { readonly label: (t: PageText) => string; readonly word: (t: PageText) => string }>> = {
  files: { label: (t) => t('Files'), word: (t) => t('files') },
  network: { label: (t) => t('Network'), word: (t) => t('network') },
  secrets: { label: (t) => t('Secrets'), word: (t) => t('secrets') },
  processes: { label: (t) => t('Processes'), word: (t) => t('processes') },
  data: { label: (t) => t('Data'), word: (t) => t('data') },
  none: { label: (t) => t('None'), word: (t) => t('none') },
};

export function scopeLabel(tag: PanelScopeTag, t: PageText): string {
  return SCOPE_LABELS[tag].label(t);
}

export function scopeWord(tag: PanelScopeTag, t: PageText): string {
  return SCOPE_LABELS[tag].word(t);
}

/** "Line 4" or "Lines 4–9" (`capital`), else "line 4" / "lines 4–9" inside a sentence. */
export function lineRangeLabel(block: Pick<PanelBlock, 'startLine' | 'endLine'>, t: PageText, capital = true): string {
  if (block.startLine === block.endLine) return capital ? t('Line {0}', block.startLine) : t('line {0}', block.startLine);
  return capital ? t('Lines {0}–{1}', block.startLine, block.endLine) : t('lines {0}–{1}', block.startLine, block.endLine);
}

export function blockLabel(block: Pick<PanelBlock, 'startLine' | 'endLine' | 'path'>, t: PageText): string {
  return t('{0} of {1}', lineRangeLabel(block, t, false), block.path);
}

export function originLabel(origins: readonly PanelOrigin[], t: PageText): string {
  if (origins.length === 0) return t('unknown origin');
  return origins.map((o) => `${o.tool} (${o.kind}${o.model ? `, ${o.model}` : ''})`).join(', ');
}

export function formatAge(now: number, then: number, t: PageText): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return t('just now');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? t('{0} minute ago', minutes) : t('{0} minutes ago', minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 36) return hours === 1 ? t('{0} hour ago', hours) : t('{0} hours ago', hours);
  const days = Math.round(hours / 24);
  return days === 1 ? t('{0} day ago', days) : t('{0} days ago', days);
}

export function timeLabel(now: number, block: Pick<PanelBlock, 'firstInsertedAt' | 'lastInsertedAt'>, t: PageText): string {
  const last = formatAge(now, block.lastInsertedAt, t);
  const first = formatAge(now, block.firstInsertedAt, t);
  return first === last ? t('written {0}', last) : t('written {0} to {1}', first, last);
}

export function changedShareLabel(share: number, t: PageText): string {
  const percent = Math.round(share * 100);
  if (percent === 0 && share > 0) return t('under 1% changed by a person');
  return percent === 0 ? t('unchanged by a person') : t('{0}% changed by a person', percent);
}

/**
 * Text as it must be read: control characters become visible symbols (U+2400 block) and
 * bidirectional controls become <U+202E>-style markers, so code cannot look different from what
 * it is (Trojan Source). Tabs stay.
 */
export function visibleText(line: string): string {
  // Every control, format and default-ignorable character (bidi controls, zero-width and filler characters, variation selectors).
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

/** Next or previous block id in page order; wraps around. */
export function neighbourBlockId(order: readonly string[], current: string | undefined, direction: 1 | -1): string | undefined {
  if (order.length === 0) return undefined;
  const index = current === undefined ? -1 : order.indexOf(current);
  if (index < 0) return direction === 1 ? order[0] : order[order.length - 1];
  return order[(index + direction + order.length) % order.length];
}

/** Reads what `getState()` returned; anything odd falls back to defaults rather than breaking the page. */
export function parsePersistedState(value: unknown): PersistedPageState {
  if (typeof value !== 'object' || value === null) return INITIAL_PAGE_STATE;
  const record = value as Record<string, unknown>;
  if (record.version !== 1) return INITIAL_PAGE_STATE;
  const drafts: Record<string, Draft> = {};
  if (typeof record.drafts === 'object' && record.drafts !== null) {
    for (const [id, draft] of Object.entries(record.drafts as Record<string, unknown>).slice(0, PROTOCOL_LIMITS.maxBlocks)) {
      const parsed = parseDraft(draft);
      if (parsed && isId(id)) drafts[id] = parsed;
    }
  }
  const selected = Array.isArray(record.selected) ? record.selected.filter(isId).slice(0, PROTOCOL_LIMITS.maxBlocksPerDecision) : [];
  const focusedBlockId = isId(record.focusedBlockId) ? record.focusedBlockId : undefined;
  return {
    version: 1,
    drafts,
    groupDraft: parseDraft(record.groupDraft) ?? EMPTY_DRAFT,
    selected,
    ...(focusedBlockId ? { focusedBlockId } : {}),
  };
}

function parseDraft(value: unknown): Draft | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.intent !== 'string' || typeof record.scopeNote !== 'string' || !Array.isArray(record.scope)) return undefined;
  const scope = PANEL_SCOPE_TAGS.filter((tag) => (record.scope as unknown[]).includes(tag));
  return {
    intent: record.intent.slice(0, PROTOCOL_LIMITS.maxIntentLength * 2),
    scope,
    scopeNote: record.scopeNote.slice(0, PROTOCOL_LIMITS.maxScopeNoteLength * 2),
  };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= PROTOCOL_LIMITS.maxIdLength && /^[\w.:-]+$/.test(value);
}

/** Drops drafts and selections of blocks that are gone, so the saved state does not grow forever. */
export function pruneToBlocks(state: PersistedPageState, blockIds: ReadonlySet<string>): PersistedPageState {
  const drafts: Record<string, Draft> = {};
  for (const [id, draft] of Object.entries(state.drafts)) if (blockIds.has(id)) drafts[id] = draft;
  return {
    ...state,
    drafts,
    selected: state.selected.filter((id) => blockIds.has(id)),
    ...(state.focusedBlockId && !blockIds.has(state.focusedBlockId) ? { focusedBlockId: undefined } : {}),
  };
}

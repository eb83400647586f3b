/**
 * The review page: keeps the host's state and the person's drafts, renders them through the
 * PanelDocument interface, and sends validated decisions to the host. Every host message passes
 * `parseMessageFromHost` first; one that fails is ignored and reported back as a `pageError`.
 */
import { createElement, type PanelDocument, type PanelElement, type PanelEvent } from './dom';
import {
  PANEL_SCOPE_TAGS,
  PROTOCOL_LIMITS,
  parseMessageFromHost,
  type PageToHostMessage,
  type PanelBlock,
  type PanelDecision,
  type PanelFile,
  type PanelReviewer,
  type PanelSigning,
  type PanelScopeTag,
  type UndoableAccept,
} from '../shared/reviewProtocol';
import {
  EMPTY_DRAFT,
  blockLabel,
  changedShareLabel,
  decideMessage,
  draftProblem,
  isUntouched,
  lineRangeLabel,
  neighbourBlockId,
  originLabel,
  pageTextOf,
  parsePersistedState,
  prefilledScope,
  pruneToBlocks,
  scopeLabel,
  scopeWord,
  timeLabel,
  toggleScope,
  uncoveredSuggestions,
  visibleText,
  type Draft,
  type DraftProblemField,
  type PageText,
  type PersistedPageState,
} from './viewModel';

/** What the page needs from `acquireVsCodeApi()`. */
export interface ReviewPageHost {
  postMessage(message: PageToHostMessage): void;
  getState(): unknown;
  setState(state: PersistedPageState): void;
}

/** Drafts and element ids of the group form use this key; it can never be a block id. */
const GROUP = '#group';

export function elementId(kind: string, key: string): string {
  return key === GROUP ? `vouch-group-${kind}` : `vouch-${kind}-${key}`;
}

export class ReviewPage {
  private files: readonly PanelFile[] = [];
  private reviewer: PanelReviewer | null = null;
  private signing: PanelSigning | undefined;
  private loaded = false;
  private busyMessage: string | undefined;
  private persisted: PersistedPageState;
  /** Blocks whose decision was sent and not yet answered. */
  private readonly pending = new Set<string>();
  private groupPending: readonly string[] = [];
  private readonly errors = new Map<string, { field: DraftProblemField | 'host'; message: string }>();
  /** The block (or GROUP) whose form holds the focus: Ctrl+Enter accepts it. */
  private focusedForm: string | undefined;
  /**
   * Set when a decision is sent: once its blocks are gone, focus moves to the intent field of the
   * block that followed them, so the person goes on typing (the decided form's controls vanish).
   */
  private advance: { readonly decided: readonly string[]; readonly order: readonly string[] } | undefined;
  private readonly statusRegion: PanelElement;
  private readonly alertRegion: PanelElement;
  /** The last accept, while it can be undone: its id and what it was. */
  private lastAccept: UndoableAccept | undefined;
  /** Texts in the user's language once the host sent them ('strings'); English until then. */
  private t: PageText = pageTextOf(undefined);

  constructor(
    private readonly document: PanelDocument,
    private readonly root: PanelElement,
    private readonly host: ReviewPageHost,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.persisted = parsePersistedState(host.getState());
    // Live regions live for the page's lifetime: replacing them would drop announcements.
    this.statusRegion = createElement(document, 'div', { id: 'vouch-status', className: 'vouch-status', attributes: { role: 'status', 'aria-live': 'polite' } });
    this.alertRegion = createElement(document, 'div', { id: 'vouch-alert', className: 'vouch-alert', attributes: { role: 'alert', 'aria-live': 'assertive' } });
    root.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  start(): void {
    this.render();
    this.host.postMessage({ type: 'ready' });
  }

  /** Everything the host posts arrives here, unvalidated. */
  receive(data: unknown): void {
    const parsed = parseMessageFromHost(data);
    if (!parsed.ok) {
      this.host.postMessage({ type: 'pageError', reason: `Ignored a message from the host: ${parsed.reason}`.slice(0, PROTOCOL_LIMITS.maxMessageLength) });
      return;
    }
    const message = parsed.value;
    switch (message.type) {
      case 'state': {
        const firstState = !this.loaded;
        this.files = message.files;
        this.reviewer = message.reviewer;
        this.signing = message.signing;
        this.loaded = true;
        this.offerUndo(message.undoableAccept);
        const ids = new Set(this.blocks().map((b) => b.id));
        this.pending.clear();
        for (const id of [...this.errors.keys()]) if (id !== GROUP && !ids.has(id)) this.errors.delete(id);
        if (this.groupPending.length > 0 && this.groupPending.every((id) => !ids.has(id))) {
          this.persisted = { ...this.persisted, groupDraft: EMPTY_DRAFT };
          this.errors.delete(GROUP);
        }
        this.groupPending = [];
        this.persisted = pruneToBlocks(this.persisted, ids);
        this.save();
        this.render();
        this.advanceFocus(ids);
        if (firstState) this.focusFirstIntent();
        return;
      }
      case 'busy':
        this.busyMessage = message.busy ? (message.message ?? this.t('Working…')) : undefined;
        if (!message.busy) this.pending.clear();
        this.statusRegion.textContent = message.busy ? (this.busyMessage ?? '') : (message.message ?? '');
        this.render();
        return;
      case 'notice': {
        const region = message.level === 'error' ? this.alertRegion : this.statusRegion;
        region.textContent = message.message;
        if (message.undoId !== undefined) this.lastAccept = { undoId: message.undoId, message: message.message };
        for (const id of message.blockIds ?? []) {
          this.pending.delete(id);
          if (message.level === 'error') this.errors.set(this.groupPending.includes(id) ? GROUP : id, { field: 'host', message: message.message });
        }
        if (message.level === 'error' && message.blockIds?.some((id) => this.advance?.decided.includes(id))) this.advance = undefined;
        if (message.blockIds?.some((id) => this.groupPending.includes(id))) this.groupPending = [];
        this.render();
        return;
      }
      case 'focus':
        this.focusBlock(message.blockId);
        return;
      case 'strings':
        this.t = pageTextOf(message.strings);
        this.render();
        return;
    }
  }

  private blocks(): PanelBlock[] {
    return this.files.flatMap((file) => file.blocks);
  }

  private draft(key: string): Draft {
    if (key === GROUP) return this.persisted.groupDraft;
    const saved = this.persisted.drafts[key];
    if (saved) return saved;
    const block = this.blocks().find((b) => b.id === key);
    return block ? { ...EMPTY_DRAFT, scope: prefilledScope([block]) } : EMPTY_DRAFT;
  }

  private setDraft(key: string, draft: Draft): void {
    this.persisted = key === GROUP ? { ...this.persisted, groupDraft: draft } : { ...this.persisted, drafts: { ...this.persisted.drafts, [key]: draft } };
    this.save();
  }

  private save(): void {
    this.host.setState(this.persisted);
  }

  // ---- Actions ----

  private decide(key: string, blocks: readonly PanelBlock[], decision: PanelDecision, wholeLines = false): void {
    if (blocks.length === 0 || blocks.some((b) => this.pending.has(b.id))) return;
    const draft = this.draft(key);
    const problem = draftProblem(draft, decision, this.t);
    if (problem) {
      this.errors.set(key, problem);
      this.render();
      this.document.getElementById(problem.field === 'scope' ? elementId(`scope-${PANEL_SCOPE_TAGS[0]}`, key) : elementId(problem.field === 'intent' ? 'intent' : 'scope-note', key))?.focus();
      return;
    }
    this.errors.delete(key);
    this.alertRegion.textContent = '';
    // A new decision makes the previous accept the host's to keep: only the last one can be undone.
    this.lastAccept = undefined;
    this.advance = { decided: blocks.map((b) => b.id), order: this.blocks().map((b) => b.id) };
    for (const block of blocks) this.pending.add(block.id);
    if (key === GROUP) this.groupPending = blocks.map((b) => b.id);
    const count = blocks.length === 1 ? blockLabel(blocks[0], this.t) : this.t('{0} blocks', blocks.length);
    this.statusRegion.textContent = decision === 'accept' ? this.t('Accepting {0}…', count) : this.t('Rejecting {0}…', count);
    this.host.postMessage(decideMessage(blocks, decision, draft, { wholeLines }));
    this.render();
  }

  /**
   * The host says which accept can be undone now. An accept made elsewhere (an editor command) is
   * offered here too; one undone or replaced elsewhere is no longer offered, nor announced.
   */
  private offerUndo(offered: UndoableAccept | undefined): void {
    const shown = this.lastAccept;
    if (shown?.undoId === offered?.undoId) return;
    if (shown && this.statusRegion.textContent === shown.message) this.statusRegion.textContent = '';
    this.lastAccept = offered;
  }

  private undoLastAccept(): void {
    const last = this.lastAccept;
    if (!last) return;
    this.lastAccept = undefined;
    this.statusRegion.textContent = this.t('Undoing the accept…');
    this.host.postMessage({ type: 'undoAccept', undoId: last.undoId });
    this.render();
  }

  private toggleSelected(blockId: string, selected: boolean): void {
    this.clearStaleNotices();
    const set = new Set(this.persisted.selected);
    if (selected) set.add(blockId);
    else set.delete(blockId);
    this.select(this.blocks().filter((b) => set.has(b.id)));
    this.render();
  }

  /** Makes `blocks` the group; an untouched group draft starts with the scope their risk hints suggest. */
  private select(blocks: readonly PanelBlock[]): void {
    const groupDraft = isUntouched(this.persisted.groupDraft) || this.persisted.selected.length === 0
      ? { ...this.persisted.groupDraft, scope: blocks.length > 0 ? prefilledScope(blocks) : [] }
      : this.persisted.groupDraft;
    this.persisted = { ...this.persisted, selected: blocks.map((b) => b.id), groupDraft };
    this.save();
  }

  /** "Accept all in this file": the file's blocks become the group, and the group's intent gets the focus. */
  private selectFile(file: PanelFile): void {
    this.clearStaleNotices();
    const ids = new Set(file.blocks.map((b) => b.id));
    this.select(this.blocks().filter((b) => ids.has(b.id)));
    this.render();
    this.document.getElementById(elementId('intent', GROUP))?.focus();
  }

  /** After a decision: once its blocks are gone, the next block's intent field takes the focus. */
  private advanceFocus(ids: ReadonlySet<string>): void {
    const advance = this.advance;
    if (!advance || advance.decided.some((id) => ids.has(id))) return;
    this.advance = undefined;
    const first = Math.min(...advance.decided.map((id) => advance.order.indexOf(id)).filter((index) => index >= 0));
    const start = Number.isFinite(first) ? first : 0;
    const candidates = [...advance.order.slice(start + 1), ...advance.order.slice(0, start).reverse()];
    const next = candidates.find((id) => ids.has(id));
    if (next === undefined) {
      this.document.getElementById('vouch-summary')?.focus();
      return;
    }
    this.focusBlock(next);
    const intent = this.document.getElementById(elementId('intent', next));
    if (!intent) return;
    intent.focus();
    this.focusedForm = next;
  }

  /** A panel just opened with nothing focused in it: the person can start typing the first intent at once. */
  private focusFirstIntent(): void {
    // In a webview nothing focused means the body (outside the root), whose id is not one of ours.
    const active = this.document.activeElement;
    if (active && active !== this.root && active.id.startsWith('vouch-')) return;
    const blocks = this.blocks();
    const first = blocks.find((b) => b.id === this.persisted.focusedBlockId) ?? blocks[0];
    if (!first) return;
    this.focusBlock(first.id);
    this.document.getElementById(elementId('intent', first.id))?.focus();
  }

  /** Messages about earlier actions go once the person does something else. */
  private clearStaleNotices(): void {
    if (this.busyMessage) return;
    if (this.statusRegion.textContent) this.statusRegion.textContent = '';
    if (this.alertRegion.textContent) this.alertRegion.textContent = '';
  }

  private focusBlock(blockId: string): void {
    const element = this.document.getElementById(elementId('block', blockId));
    if (!element) return;
    element.focus();
    element.scrollIntoView?.({ block: 'nearest' });
    this.focusedForm = blockId;
    this.persisted = { ...this.persisted, focusedBlockId: blockId };
    this.save();
  }

  private onKeyDown(event: PanelEvent): void {
    const target = event.target as Partial<PanelElement> & { tagName?: string } | undefined;
    const typing = target?.tagName === 'TEXTAREA' || (target?.tagName === 'INPUT' && target.type === 'text');
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key === 'Enter') {
      const key = this.focusedForm;
      const blocks = key === GROUP ? this.blocks().filter((b) => this.persisted.selected.includes(b.id)) : this.blocks().filter((b) => b.id === key);
      if (key === undefined || blocks.length === 0) return;
      event.preventDefault();
      this.decide(key, blocks, 'accept');
      return;
    }
    let direction: 1 | -1 | undefined;
    if (event.altKey && event.key === 'ArrowDown') direction = 1;
    else if (event.altKey && event.key === 'ArrowUp') direction = -1;
    else if (!typing && !event.altKey && !event.ctrlKey && !event.metaKey && event.key === 'j') direction = 1;
    else if (!typing && !event.altKey && !event.ctrlKey && !event.metaKey && event.key === 'k') direction = -1;
    if (direction === undefined) return;
    const next = neighbourBlockId(this.blocks().map((b) => b.id), this.persisted.focusedBlockId, direction);
    if (next === undefined) return;
    event.preventDefault();
    this.clearStaleNotices();
    this.focusBlock(next);
  }

  // ---- Rendering ----

  private render(): void {
    const active = this.document.activeElement;
    const focusId = active?.id || undefined;
    const selection = active ? { start: active.selectionStart ?? null, end: active.selectionEnd ?? null } : undefined;
    const previousOrder = this.renderedOrder;

    const blocks = this.blocks();
    this.root.replaceChildren(this.renderHeader(blocks), this.statusRegion, this.alertRegion, ...this.renderUndo(), ...this.renderGroup(blocks), ...this.renderFiles());
    this.renderedOrder = blocks.map((b) => b.id);
    this.root.setAttribute('aria-busy', this.busyMessage ? 'true' : 'false');

    if (!focusId) return;
    const again = this.document.getElementById(focusId);
    if (again) {
      again.focus();
      if (selection && selection.start !== null && 'selectionStart' in again) {
        again.selectionStart = selection.start;
        again.selectionEnd = selection.end;
      }
      return;
    }
    // The focused block is gone (decided or changed): move to the block that took its place.
    const lost = previousOrder.find((id) => focusId.endsWith(`-${id}`));
    if (lost === undefined) return;
    const index = previousOrder.indexOf(lost);
    const candidates = [...previousOrder.slice(index + 1), ...previousOrder.slice(0, index).reverse()];
    const next = candidates.find((id) => this.renderedOrder.includes(id));
    if (next) this.focusBlock(next);
    else this.document.getElementById('vouch-summary')?.focus();
  }

  private renderedOrder: string[] = [];

  private renderHeader(blocks: readonly PanelBlock[]): PanelElement {
    const d = this.document;
    const t = this.t;
    const summaryText = !this.loaded
      ? t('Loading AI blocks to review…')
      : blocks.length === 0
        ? t('No AI code waits for review.')
        : blocks.length === 1
          ? t('{0} AI block in {1} file waits for review.', blocks.length, this.files.length)
          : this.files.length === 1
            ? t('{0} AI blocks in {1} file wait for review.', blocks.length, this.files.length)
            : t('{0} AI blocks in {1} files wait for review.', blocks.length, this.files.length);
    const reviewerText = !this.loaded
      ? ''
      : this.reviewer
        ? t('Reviews are recorded as {0} <{1}>.', this.reviewer.name, this.reviewer.email)
        : t('Git has no user.name and user.email for this repository; set them to record reviews.');
    const refresh = createElement(d, 'button', { id: 'vouch-refresh', className: 'vouch-refresh', text: t('Refresh'), attributes: { type: 'button' } });
    refresh.addEventListener('click', () => this.host.postMessage({ type: 'refresh' }));
    return createElement(d, 'header', { className: 'vouch-header' }, [
      createElement(d, 'h1', { text: t('Review AI changes') }),
      createElement(d, 'p', { id: 'vouch-summary', className: 'vouch-summary', text: summaryText, attributes: { tabindex: '-1' } }),
      createElement(d, 'p', { className: this.reviewer || !this.loaded ? 'vouch-reviewer' : 'vouch-reviewer vouch-warning', text: reviewerText }),
      ...(this.loaded && this.signing
        ? [
            createElement(d, 'p', {
              id: 'vouch-signing',
              className: this.signing.signed ? 'vouch-signing' : 'vouch-signing vouch-warning',
              text: this.signing.signed ? t('Your reviews will be signed with {0}.', this.signing.key) : t('Reviews will not be signed: {0}', this.signing.reason),
            }),
          ]
        : []),
      createElement(d, 'p', { className: 'vouch-help', text: t('Ctrl+Enter accepts the block you are in. Alt+Down and Alt+Up (or J and K) move between blocks.') }),
      refresh,
    ]);
  }

  /** "Undo" for the last accept, until the next decision: an accept is taken back as easily as a rejection. */
  private renderUndo(): PanelElement[] {
    const last = this.lastAccept;
    if (!last) return [];
    const d = this.document;
    const undo = this.button('vouch-undo', 'vouch-undo', this.t('Undo accept'), this.t('Undo: {0}', last.message), () => this.undoLastAccept());
    return [createElement(d, 'p', { id: 'vouch-undo-row', className: 'vouch-undo-row' }, [createElement(d, 'span', { className: 'vouch-undo-text', text: last.message }), undo])];
  }

  private renderGroup(blocks: readonly PanelBlock[]): PanelElement[] {
    const selected = blocks.filter((b) => this.persisted.selected.includes(b.id));
    if (selected.length === 0) return [];
    const d = this.document;
    const title = selected.length === 1 ? this.t('Review {0} selected block together', selected.length) : this.t('Review {0} selected blocks together', selected.length);
    const clear = createElement(d, 'button', { id: 'vouch-group-clear', className: 'vouch-group-clear', text: this.t('Clear selection'), attributes: { type: 'button' } });
    clear.addEventListener('click', () => {
      this.persisted = { ...this.persisted, selected: [] };
      this.save();
      this.render();
      this.document.getElementById('vouch-summary')?.focus();
    });
    const section = createElement(d, 'section', { id: 'vouch-group', className: 'vouch-group', attributes: { 'aria-labelledby': 'vouch-group-title' } }, [
        createElement(d, 'h2', { id: 'vouch-group-title', text: title }),
        createElement(d, 'p', { className: 'vouch-group-list', text: selected.map((b) => blockLabel(b, this.t)).join('; ') }),
        ...this.renderDecisionForm(GROUP, selected),
        clear,
      ]);
    section.addEventListener('focusin', () => {
      this.focusedForm = GROUP;
    });
    return [section];
  }

  private renderFiles(): PanelElement[] {
    const d = this.document;
    const t = this.t;
    return this.files.map((file, index) => {
      const acceptAll = this.button(elementId('accept-file', String(index)), 'vouch-accept-file', t('Accept all in this file…'), t('Review all {0} AI blocks of {1} together, with one intent', file.blocks.length, file.path), () =>
        this.selectFile(file),
      );
      return createElement(d, 'section', { className: 'vouch-file', attributes: { 'data-path': file.path, 'aria-label': t('AI blocks in {0}', file.path) } }, [
        createElement(d, 'h2', { className: 'vouch-file-path', text: file.blocks.length === 1 ? t('{0} ({1} block)', file.path, file.blocks.length) : t('{0} ({1} blocks)', file.path, file.blocks.length) }),
        acceptAll,
        ...file.blocks.map((block) => this.renderBlock(block)),
      ]);
    });
  }

  private renderBlock(block: PanelBlock): PanelElement {
    const d = this.document;
    const t = this.t;
    const id = block.id;
    const titleId = elementId('title', id);
    const article = createElement(d, 'article', {
      id: elementId('block', id),
      className: this.pending.has(id) ? 'vouch-block vouch-pending' : 'vouch-block',
      attributes: { 'data-block-id': id, tabindex: '-1', 'aria-labelledby': titleId, 'aria-busy': this.pending.has(id) ? 'true' : 'false' },
    });
    article.addEventListener('focusin', () => {
      this.focusedForm = id;
      this.persisted = { ...this.persisted, focusedBlockId: id };
      this.save();
    });

    const select = createElement(d, 'input', { id: elementId('select', id), className: 'vouch-select', attributes: { type: 'checkbox' } });
    select.checked = this.persisted.selected.includes(id);
    select.addEventListener('change', () => this.toggleSelected(id, select.checked === true));
    const selectLabel = createElement(d, 'label', { className: 'vouch-select-label', text: t('Select for group review'), attributes: { for: select.id } });

    const meta = createElement(d, 'ul', { className: 'vouch-meta', attributes: { 'aria-label': t('About this block') } }, [
      createElement(d, 'li', { className: 'vouch-origin', text: t('From {0}', originLabel(block.origins, t)) }),
      createElement(d, 'li', { className: 'vouch-time', text: timeLabel(this.now(), block, t), attributes: { title: new Date(block.lastInsertedAt).toISOString() } }),
      createElement(d, 'li', { className: 'vouch-changed', text: changedShareLabel(block.humanChangedShare, t) }),
      ...(block.riskHints.length === 0 ? [createElement(d, 'li', { className: 'vouch-no-risks', text: t('No risk hints found.') })] : []),
      ...(block.previouslyRejected ? [createElement(d, 'li', { className: 'vouch-rejected-before', text: t('Rejected before, but the text is back') })] : []),
      ...(block.changedAfterReview === true ? [createElement(d, 'li', { className: 'vouch-changed-after-review', text: t('Accepted before, but the text changed since') })] : []),
    ]);

    const riskLines = new Set(block.riskHints.map((h) => h.line));
    const risks =
      block.riskHints.length === 0
        ? []
        : [
            createElement(
              d,
              'ul',
              { className: 'vouch-risks', attributes: { 'aria-label': t('Risk hints') } },
              block.riskHints.map((hint) =>
                createElement(d, 'li', {
                  className: `vouch-risk vouch-risk-${hint.category}`,
                  text: t('Line {0}: {1}', block.startLine + hint.line - 1, hint.message),
                  attributes: { 'data-category': hint.category },
                }),
              ),
            ),
          ];

    // The block as a diff: context above, the lines it replaced (-), its own lines (+), context below.
    const codeLine = (kind: 'context' | 'removed' | 'added', number: string, text: string, risk = false): PanelElement =>
      createElement(d, 'span', { className: `vouch-line vouch-line-${kind}${risk ? ' vouch-line-risk' : ''}` }, [
        createElement(d, 'span', { className: 'vouch-line-number', text: number, attributes: { 'aria-hidden': 'true' } }),
        createElement(d, 'span', { className: 'vouch-line-marker', text: kind === 'removed' ? '-' : kind === 'added' ? '+' : ' ', attributes: { 'aria-hidden': 'true' } }),
        createElement(d, 'span', { className: 'vouch-line-text', text: visibleText(text) }),
      ]);
    const before = block.contextBefore ?? [];
    const code = createElement(d, 'code', {}, [
      ...before.map((line, index) => codeLine('context', String(block.startLine - before.length + index), line)),
      ...(block.replacedLines ?? []).map((line) => codeLine('removed', '', line)),
      ...block.lines.map((line, index) => codeLine('added', String(block.startLine + index), line, riskLines.has(index + 1))),
      ...(block.contextAfter ?? []).map((line, index) => codeLine('context', String(block.endLine + 1 + index), line)),
    ]);
    const replacedCount = block.replacedLines?.length ?? 0;
    const range = lineRangeLabel(block, t, false);
    const codeLabel =
      replacedCount === 0
        ? t('AI code, {0}', range)
        : replacedCount === 1
          ? t('AI code, {0}, replacing {1} line of the last commit', range, replacedCount)
          : t('AI code, {0}, replacing {1} lines of the last commit', range, replacedCount);
    const pre = createElement(d, 'pre', { className: 'vouch-code', attributes: { tabindex: '0', role: 'region', 'aria-label': codeLabel } }, [code]);

    const open = this.button(elementId('open', id), 'vouch-open', t('Open'), t('Open {0} in the editor', blockLabel(block, t)), () =>
      this.host.postMessage({ type: 'openInEditor', blockId: id }),
    );

    article.appendChild(
      createElement(d, 'header', { className: 'vouch-block-header' }, [
        createElement(d, 'h3', { id: titleId, className: 'vouch-block-title', text: t('{0} of {1}', lineRangeLabel(block, t), block.path) }),
        select,
        selectLabel,
      ]),
    );
    article.appendChild(meta);
    for (const element of risks) article.appendChild(element);
    article.appendChild(pre);
    const extraButtons = block.personTextOnLines === true
      ? [
          this.button(elementId('reject-lines', id), 'vouch-reject-lines', t('Reject whole lines'), t('Reject and remove {0} whole, with the text a person typed on them', blockLabel(block, t)), () =>
            this.decide(id, [block], 'reject', true),
          ),
          open,
        ]
      : [open];
    for (const element of this.renderDecisionForm(id, [block], extraButtons)) article.appendChild(element);
    return article;
  }

  /** Intent, scope, scope note, error, and the decision buttons, for one block or the selected group. */
  private renderDecisionForm(key: string, blocks: readonly PanelBlock[], extraButtons: readonly PanelElement[] = []): PanelElement[] {
    const d = this.document;
    const t = this.t;
    const draft = this.draft(key);
    const error = this.errors.get(key);
    const pending = blocks.some((b) => this.pending.has(b.id));
    const errorId = elementId('error', key);
    const subject = key === GROUP ? t('the {0} selected blocks', blocks.length) : blockLabel(blocks[0], t);

    const intent = createElement(d, 'textarea', {
      id: elementId('intent', key),
      className: 'vouch-intent',
      attributes: { rows: '1', maxlength: String(PROTOCOL_LIMITS.maxIntentLength), 'aria-describedby': errorId, placeholder: t('Intent: what is this code for? (Ctrl+Enter accepts)') },
    });
    intent.value = draft.intent;
    if (error?.field === 'intent') intent.setAttribute('aria-invalid', 'true');
    intent.addEventListener('input', () => {
      this.setDraft(key, { ...this.draft(key), intent: intent.value ?? '' });
      this.clearStaleNotices();
      if (this.errors.get(key)?.field === 'intent' && (intent.value ?? '').trim()) {
        this.errors.delete(key);
        intent.removeAttribute('aria-invalid');
        const errorElement = this.document.getElementById(errorId);
        if (errorElement) errorElement.textContent = '';
      }
    });

    const checkboxes = PANEL_SCOPE_TAGS.map((tag) => {
      const box = createElement(d, 'input', { id: elementId(`scope-${tag}`, key), className: `vouch-scope-tag vouch-scope-${tag}`, attributes: { type: 'checkbox', 'data-scope': tag } });
      box.checked = draft.scope.includes(tag);
      box.addEventListener('change', () => this.onScopeChange(key, tag, box.checked === true));
      const suggested = blocks.some((b) => b.suggestedScope.includes(tag));
      return createElement(d, 'span', { className: 'vouch-scope-choice' }, [
        box,
        createElement(d, 'label', { text: suggested ? t('{0} (suggested by risk hints)', scopeLabel(tag, t)) : scopeLabel(tag, t), attributes: { for: box.id } }),
      ]);
    });
    const scopeNote = createElement(d, 'input', {
      id: elementId('scope-note', key),
      className: 'vouch-scope-note',
      attributes: { type: 'text', maxlength: String(PROTOCOL_LIMITS.maxScopeNoteLength), 'aria-describedby': errorId },
    });
    scopeNote.value = draft.scopeNote;
    scopeNote.addEventListener('input', () => {
      this.setDraft(key, { ...this.draft(key), scopeNote: scopeNote.value ?? '' });
      this.clearStaleNotices();
    });
    scopeNote.setAttribute('placeholder', t('details (optional)'));
    const fieldset = createElement(d, 'fieldset', { className: 'vouch-scope' }, [
      createElement(d, 'legend', { className: 'vouch-visually-hidden', text: t('Scope: what this code may touch') }),
      createElement(d, 'span', { className: 'vouch-scope-title', text: t('Scope:'), attributes: { 'aria-hidden': 'true' } }),
      ...checkboxes,
      createElement(d, 'label', { className: 'vouch-scope-note-label vouch-visually-hidden', text: t('Scope details (optional)'), attributes: { for: scopeNote.id } }),
      scopeNote,
    ]);
    if (error?.field === 'scope') fieldset.setAttribute('aria-invalid', 'true');

    const uncovered = uncoveredSuggestions(blocks, draft.scope.includes('none') ? [] : draft.scope);
    const warning = createElement(d, 'p', {
      id: elementId('scope-warning', key),
      className: 'vouch-scope-warning',
      text:
        uncovered.length > 0 && draft.scope.length > 0
          ? t('The risk hints suggest this code touches: {0}.', uncovered.map((tag) => scopeWord(tag, t)).join(', '))
          : '',
    });

    const accept = this.button(elementId('accept', key), key === GROUP ? 'vouch-group-accept' : 'vouch-accept', t('Accept'), t('Accept {0}', subject), () => this.decide(key, blocks, 'accept'));
    const reject = this.button(elementId('reject', key), key === GROUP ? 'vouch-group-reject' : 'vouch-reject', t('Reject'), t('Reject and remove the AI text of {0}', subject), () =>
      this.decide(key, blocks, 'reject'),
    );
    accept.disabled = pending;
    reject.disabled = pending;

    return [
      createElement(d, 'label', { className: 'vouch-intent-label vouch-visually-hidden', text: t('Intent: what is this code for? (required to accept; Ctrl+Enter accepts)'), attributes: { for: intent.id } }),
      intent,
      fieldset,
      warning,
      createElement(d, 'p', { id: errorId, className: 'vouch-error', text: error?.message ?? '' }),
      createElement(d, 'div', { className: 'vouch-actions' }, [accept, reject, ...extraButtons]),
    ];
  }

  private onScopeChange(key: string, tag: PanelScopeTag, checked: boolean): void {
    this.clearStaleNotices();
    const scope = toggleScope(this.draft(key).scope, tag, checked);
    this.setDraft(key, { ...this.draft(key), scope });
    for (const other of PANEL_SCOPE_TAGS) {
      const box = this.document.getElementById(elementId(`scope-${other}`, key));
      if (box) box.checked = scope.includes(other);
    }
    if (this.errors.get(key)?.field === 'scope') {
      this.errors.delete(key);
      const error = this.document.getElementById(elementId('error', key));
      if (error) error.textContent = '';
    }
  }

  private button(id: string, className: string, text: string, label: string, onClick: () => void): PanelElement {
    const button = createElement(this.document, 'button', { id, className, text, attributes: { type: 'button', 'aria-label': label } });
    button.addEventListener('click', onClick);
    return button;
  }
}

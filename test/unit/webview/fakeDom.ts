/**
 * A small fake of the PanelDocument interface for node tests: a tree of elements with attributes,
 * text, listeners (bubbling), focus and lookup by id. No HTML parser: like the page, it has none.
 */
import type { PanelDocument, PanelElement, PanelEvent } from '../../../src/webview/dom';

type Listener = (event: PanelEvent) => void;

export class FakeElement implements PanelElement {
  id = '';
  className = '';
  hidden = false;
  tabIndex = -1;
  value?: string;
  checked?: boolean;
  disabled?: boolean;
  type?: string;
  selectionStart?: number | null;
  selectionEnd?: number | null;
  readonly tagName: string;
  children: FakeElement[] = [];
  parent: FakeElement | undefined;
  readonly attributes = new Map<string, string>();
  private readonly listeners = new Map<string, Listener[]>();
  private ownText = '';

  constructor(
    private readonly owner: FakeDocument,
    tagName: string,
  ) {
    this.tagName = tagName.toUpperCase();
    if (this.tagName === 'INPUT' || this.tagName === 'TEXTAREA') {
      this.value = '';
      this.selectionStart = 0;
      this.selectionEnd = 0;
    }
    if (this.tagName === 'INPUT') this.checked = false;
    if (['INPUT', 'TEXTAREA', 'BUTTON'].includes(this.tagName)) this.disabled = false;
  }

  get textContent(): string {
    return this.ownText + this.children.map((child) => child.textContent).join('');
  }

  set textContent(value: string | null) {
    this.detachChildren();
    this.ownText = value ?? '';
  }

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
    if (name === 'type') this.type = String(value);
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }

  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }

  appendChild<T extends PanelElement>(child: T): T {
    const element = child as unknown as FakeElement;
    if (element.parent) element.parent.children = element.parent.children.filter((c) => c !== element);
    element.parent = this;
    this.children.push(element);
    return child;
  }

  replaceChildren(...children: PanelElement[]): void {
    this.detachChildren();
    this.ownText = '';
    for (const child of children) this.appendChild(child);
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  focus(): void {
    // As in browsers: a disabled control cannot take the focus (the focus stays where it was).
    if (this.disabled) return;
    this.owner.focused = this;
    this.dispatch('focusin');
  }

  scrollIntoView(): void {
    this.owner.scrolledTo = this;
  }

  /** Dispatches an event that bubbles to the ancestors, as DOM input/change/click/keydown/focusin do. */
  dispatch(type: string, init: Partial<PanelEvent> = {}): { defaultPrevented: boolean } {
    const state = { defaultPrevented: false };
    const event: PanelEvent = { ...init, target: this, preventDefault: () => (state.defaultPrevented = true) };
    for (const node of this.selfAndAncestors()) {
      for (const listener of node.listeners.get(type) ?? []) listener(event);
    }
    return state;
  }

  isConnectedTo(root: FakeElement): boolean {
    return this.selfAndAncestors().includes(root);
  }

  private selfAndAncestors(): FakeElement[] {
    const chain: FakeElement[] = [this];
    while (chain[chain.length - 1].parent) chain.push(chain[chain.length - 1].parent as FakeElement);
    return chain;
  }

  private detachChildren(): void {
    for (const child of this.children) child.parent = undefined;
    this.children = [];
  }
}

export class FakeDocument implements PanelDocument {
  readonly root: FakeElement;
  focused: FakeElement | null = null;
  scrolledTo: FakeElement | null = null;
  readonly createdTags = new Set<string>();

  constructor() {
    this.root = new FakeElement(this, 'main');
    this.root.id = 'vouch-root';
  }

  createElement(tagName: string): FakeElement {
    this.createdTags.add(tagName.toLowerCase());
    return new FakeElement(this, tagName);
  }

  getElementById(id: string): FakeElement | null {
    return all(this.root, (element) => element.id === id)[0] ?? null;
  }

  /** Like the DOM: an element removed from the page is no longer the active element. */
  get activeElement(): FakeElement | null {
    return this.focused && this.focused.isConnectedTo(this.root) ? this.focused : null;
  }
}

export function all(root: FakeElement, predicate: (element: FakeElement) => boolean): FakeElement[] {
  const found: FakeElement[] = [];
  const visit = (element: FakeElement): void => {
    if (predicate(element)) found.push(element);
    element.children.forEach(visit);
  };
  visit(root);
  return found;
}

export function byClass(root: FakeElement, className: string): FakeElement[] {
  return all(root, (element) => element.className.split(/\s+/).includes(className));
}

export function one(root: FakeElement, className: string): FakeElement {
  const found = byClass(root, className);
  if (found.length !== 1) throw new Error(`expected one .${className}, found ${found.length}`);
  return found[0];
}

export function typeInto(element: FakeElement, text: string): void {
  element.value = text;
  element.dispatch('input');
}

export function setChecked(element: FakeElement, checked: boolean): void {
  element.checked = checked;
  element.dispatch('change');
}

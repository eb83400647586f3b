/**
 * The slice of the DOM the review page uses. The page builds elements only through this, so the
 * rendering runs in node tests against a small fake, and in the webview against the real document.
 * There is deliberately no way to set HTML: text goes in through `textContent` only.
 */

export interface PanelEvent {
  readonly key?: string;
  readonly altKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly shiftKey?: boolean;
  readonly target?: unknown;
  preventDefault(): void;
}

export interface PanelElement {
  id: string;
  className: string;
  textContent: string | null;
  /** Form controls only. */
  value?: string;
  checked?: boolean;
  disabled?: boolean;
  type?: string;
  hidden: boolean;
  tabIndex: number;
  selectionStart?: number | null;
  selectionEnd?: number | null;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  removeAttribute(name: string): void;
  appendChild<T extends PanelElement>(child: T): T;
  replaceChildren(...children: PanelElement[]): void;
  addEventListener(type: string, listener: (event: PanelEvent) => void): void;
  focus(): void;
  scrollIntoView?(options?: { block?: 'nearest' | 'start' | 'center' }): void;
}

export interface PanelDocument {
  createElement(tagName: string): PanelElement;
  getElementById(id: string): PanelElement | null;
  readonly activeElement: PanelElement | null;
}

export interface ElementOptions {
  readonly id?: string;
  readonly className?: string;
  readonly text?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Creates an element with text set through textContent and attributes through setAttribute. */
export function createElement(document: PanelDocument, tagName: string, options: ElementOptions = {}, children: readonly PanelElement[] = []): PanelElement {
  const element = document.createElement(tagName);
  if (options.id) element.id = options.id;
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) element.setAttribute(name, value);
  for (const child of children) element.appendChild(child);
  return element;
}

/**
 * The review panel's page (bundled to dist/webview.js, a browser IIFE running in a VS Code webview).
 * All logic is in ReviewPage; this file only connects it to the real document and the webview API.
 *
 * Stable hooks for tests and styling (ids use the block id; `<tag>` is a scope tag):
 *   #vouch-root                       the page root (from the HTML shell)
 *   #vouch-summary, #vouch-refresh    the count of waiting blocks; the refresh button
 *   #vouch-status (role=status), #vouch-alert (role=alert)   live regions for progress and errors
 *   section.vouch-file[data-path]     one per file; h2.vouch-file-path
 *   article.vouch-block[data-block-id]  id="vouch-block-<id>", focusable (tabindex -1)
 *     .vouch-block-title, .vouch-select (group selection checkbox, id vouch-select-<id>)
 *     .vouch-origin, .vouch-time, .vouch-changed, .vouch-rejected-before
 *     ul.vouch-risks > li.vouch-risk.vouch-risk-<category>[data-category]; p.vouch-no-risks
 *     pre.vouch-code > code > span.vouch-line(.vouch-line-risk) > span.vouch-line-number + span.vouch-line-text
 *     textarea.vouch-intent (id vouch-intent-<id>), input.vouch-scope-<tag> (id vouch-scope-<tag>-<id>),
 *     input.vouch-scope-note, p.vouch-scope-warning, p.vouch-error (id vouch-error-<id>)
 *     button.vouch-accept, button.vouch-reject, button.vouch-open (ids vouch-accept-<id>, ...)
 *   section#vouch-group.vouch-group   shown while blocks are selected: the same fields with ids
 *     vouch-group-intent, vouch-group-scope-<tag>, vouch-group-scope-note, vouch-group-error and
 *     buttons .vouch-group-accept, .vouch-group-reject, .vouch-group-clear
 * Keyboard: Tab order follows the page; Alt+Down/Alt+Up (or J/K outside text fields) move between blocks.
 */
import type { PanelDocument, PanelElement } from './dom';
import type { PageToHostMessage } from '../shared/reviewProtocol';
import { REVIEW_PANEL_ROOT_ID } from '../shared/reviewPanelHtml';
import { ReviewPage } from './reviewPage';
import type { PersistedPageState } from './viewModel';

interface VsCodeWebviewApi {
  postMessage(message: PageToHostMessage): void;
  getState(): unknown;
  setState(state: PersistedPageState): void;
}

declare function acquireVsCodeApi(): VsCodeWebviewApi;

function main(): void {
  const vscode = acquireVsCodeApi();
  // The real DOM satisfies PanelDocument; form-control fields are optional there, which HTMLElement's
  // typing cannot express, hence the casts at this one boundary.
  const panelDocument: PanelDocument = {
    createElement: (tagName) => document.createElement(tagName) as unknown as PanelElement,
    getElementById: (id) => document.getElementById(id) as unknown as PanelElement | null,
    get activeElement() {
      return document.activeElement as unknown as PanelElement | null;
    },
  };
  const root = (document.getElementById(REVIEW_PANEL_ROOT_ID) ?? document.body) as unknown as PanelElement;
  const page = new ReviewPage(panelDocument, root, vscode);
  window.addEventListener('message', (event: MessageEvent<unknown>) => page.receive(event.data));
  page.start();
}

main();

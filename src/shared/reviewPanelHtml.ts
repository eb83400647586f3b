/**
 * The review panel's HTML shell. The host passes the webview's CSP source, a fresh nonce from a
 * crypto source, and the script and style URIs as strings; the page script builds everything else.
 */

export interface ReviewPanelHtmlInput {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Base64 or hex from a crypto random source, at least 16 characters. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
}

/** Ids the page script relies on. */
export const REVIEW_PANEL_ROOT_ID = 'vouch-root';

export function renderReviewPanelHtml(input: ReviewPanelHtmlInput): string {
  const { cspSource, nonce, scriptUri, styleUri } = input;
  // These go into the CSP itself, where escaping is not enough: a ';' would add a directive.
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error('The review panel nonce must be at least 16 base64 or hex characters.');
  // VS Code's own value is e.g. "'self' https://*.vscode-cdn.net": of the quoted keywords only 'self' may appear.
  if (!/^(?:'self'|[^\s;,'"<>]+)(?: (?:'self'|[^\s;,'"<>]+))*$/.test(cspSource)) throw new Error(`The webview CSP source is not a list of sources: ${JSON.stringify(cspSource)}`);
  const csp = `default-src 'none'; style-src ${cspSource}; script-src 'nonce-${nonce}'; img-src ${cspSource} data:;`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    `<link rel="stylesheet" href="${escapeHtml(styleUri)}">`,
    '<title>Vouch: Review AI Changes</title>',
    '</head>',
    '<body>',
    `<main id="${REVIEW_PANEL_ROOT_ID}" aria-label="Review AI changes"><p class="vouch-loading">Loading AI blocks to review…</p></main>`,
    `<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

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
  /** The shell's texts in the user's language (the page script replaces the body once it runs). */
  readonly text?: { readonly title: string; readonly label: string; readonly loading: string };
  /** The editor's display language (`vscode.env.language`), a BCP 47 tag; English when absent or malformed. */
  readonly language?: string;
}

const ENGLISH_SHELL = { title: 'Vouch: Review AI Changes', label: 'Review AI changes', loading: 'Loading AI blocks to review…' };

/** Ids the page script relies on. */
export const REVIEW_PANEL_ROOT_ID = 'vouch-root';

export function renderReviewPanelHtml(input: ReviewPanelHtmlInput): string {
  const { cspSource, nonce, scriptUri, styleUri } = input;
  const text = input.text ?? ENGLISH_SHELL;
  const language = input.language !== undefined && /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(input.language) ? input.language : 'en';
  // These go into the CSP itself, where escaping is not enough: a ';' would add a directive.
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error('The review panel nonce must be at least 16 base64 or hex characters.');
  // VS Code's own value is e.g. "'self' https://*.vscode-cdn.net": of the quoted keywords only 'self' may appear.
  if (!/^(?:'self'|[^\s;,'"<>]+)(?: (?:'self'|[^\s;,'"<>]+))*$/.test(cspSource)) throw new Error(`The webview CSP source is not a list of sources: ${JSON.stringify(cspSource)}`);
  const csp = `default-src 'none'; style-src ${cspSource}; script-src 'nonce-${nonce}'; img-src ${cspSource} data:;`;
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(language)}">`,
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    `<link rel="stylesheet" href="${escapeHtml(styleUri)}">`,
    `<title>${escapeHtml(text.title)}</title>`,
    '</head>',
    '<body>',
    `<main id="${REVIEW_PANEL_ROOT_ID}" aria-label="${escapeHtml(text.label)}"><p class="vouch-loading">${escapeHtml(text.loading)}</p></main>`,
    `<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

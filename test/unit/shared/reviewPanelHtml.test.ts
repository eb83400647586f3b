import * as assert from 'node:assert/strict';
import { REVIEW_PANEL_ROOT_ID, escapeHtml, renderReviewPanelHtml } from '../../../src/shared/reviewPanelHtml';

const input = {
  cspSource: 'https://*.vscode-cdn.net',
  nonce: 'q1w2e3r4t5y6u7i8o9p0AZ+/==',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/review.css',
};

describe('renderReviewPanelHtml', () => {
  it('sets the strict CSP and loads only the nonce-carrying script and the style', () => {
    const html = renderReviewPanelHtml(input);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(
      csp,
      escapeHtml(`default-src 'none'; style-src ${input.cspSource}; script-src 'nonce-${input.nonce}'; img-src ${input.cspSource} data:;`),
    );
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes(`<script nonce="${escapeHtml(input.nonce)}" src="${input.scriptUri}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${input.styleUri}">`));
    assert.ok(html.includes(`id="${REVIEW_PANEL_ROOT_ID}"`));
    assert.ok(!/style="/.test(html), 'no inline styles: the CSP forbids them');
  });

  it('escapes interpolated URIs so they cannot break out of their attribute', () => {
    const html = renderReviewPanelHtml({ ...input, scriptUri: 'x"></script><script>alert(1)</script>', styleUri: "a'b&c<d>" });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes('src="x&#34;&#62;&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;"'));
    assert.ok(html.includes('href="a&#39;b&#38;c&#60;d&#62;"'));
  });

  it('refuses a nonce or CSP source that could change the policy', () => {
    assert.throws(() => renderReviewPanelHtml({ ...input, nonce: 'short' }), /nonce/);
    assert.throws(() => renderReviewPanelHtml({ ...input, nonce: "abcdefghijklmnop'; script-src *" }), /nonce/);
    assert.throws(() => renderReviewPanelHtml({ ...input, cspSource: "https://a; script-src 'unsafe-inline'" }), /CSP source/);
    assert.throws(() => renderReviewPanelHtml({ ...input, cspSource: '' }), /CSP source/);
    assert.doesNotThrow(() => renderReviewPanelHtml({ ...input, cspSource: 'vscode-webview: https://*.vscode-cdn.net' }));
    // The value VS Code 1.139 gives webview.cspSource.
    assert.doesNotThrow(() => renderReviewPanelHtml({ ...input, cspSource: "'self' https://*.vscode-cdn.net" }));
    assert.throws(() => renderReviewPanelHtml({ ...input, cspSource: "'self' 'unsafe-inline'" }), /CSP source/);
    assert.throws(() => renderReviewPanelHtml({ ...input, cspSource: "'unsafe-eval'" }), /CSP source/);
  });
});

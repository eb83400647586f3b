// Every text the extension shows goes through vscode.l10n.t, and l10n/bundle.l10n.json (the English
// bundle translators start from) holds exactly those messages. scripts/l10n.mjs does the reading.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The script is an ES module; this test file is CommonJS. */
const l10nScript = () => import('../../../scripts/l10n.mjs');

/** Writes the sources (name to lines) into a temporary directory, runs `scan` on their paths (in the order given), and removes them. */
function withSources<T>(sources: Record<string, string[]>, scan: (files: string[]) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-l10n-'));
  try {
    const files = Object.entries(sources).map(([name, lines]) => {
      const file = path.join(dir, name);
      writeFileSync(file, lines.join('\n'));
      return file;
    });
    return scan(files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('l10n of the extension host (src/host, src/extension.ts), core text builders and the review page', function () {
  this.timeout(60_000);

  it('shows no text that bypasses vscode.l10n.t (messages, buttons, status bar, quick picks, progress, tree items)', async () => {
    const { scanL10n } = await l10nScript();
    const { bypassing } = scanL10n();
    assert.deepEqual(bypassing, [], 'wrap these in vscode.l10n.t (placeholders {0}, {1}; one message per plural form)');
  });

  it('gives l10n.t literal messages only (a bundle cannot hold a computed one)', async () => {
    const { scanL10n } = await l10nScript();
    assert.deepEqual(scanL10n().dynamic, []);
  });

  it('keeps l10n/bundle.l10n.json equal to the messages in the code (node scripts/l10n.mjs rewrites it)', async () => {
    const { scanL10n, bundleOf, bundleFile } = await l10nScript();
    assert.equal(readFileSync(bundleFile, 'utf8'), bundleOf(scanL10n().messages));
  });

  it("collects core's t('...') messages and the review page's message list into the bundle, and flags the page's text that bypasses its t", async () => {
    const { scanL10n, bundleFile } = await l10nScript();
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as Record<string, string>;
    // One message of each kind of source: a core builder, the page's list, the page's own call.
    for (const message of ['Review: **not reviewed**', 'Reviews will not be signed: {0}', 'AI · {0} · unreviewed']) assert.equal(bundle[message], message);
    const result = withSources(
      {
        'page.ts': ["createElement(d, 'p', { text: this.t('Shown {0}', n) });", "button.setAttribute('aria-label', 'Close it');", "region.textContent = 'Working';"],
        'builder.ts': ["export const PAGE_MESSAGES = ['Listed', 'Also listed'] as const;", "const label = (t: Translate) => t('Built {0}', 1);", "const raw = 'Not collected, not flagged';", 'const odd = (t: Translate, m: string) => t(m);'],
      },
      ([page, builder]) => scanL10n([page], [builder]),
    );
    assert.deepEqual(result.messages, ['Also listed', 'Built {0}', 'Listed', 'Shown {0}']);
    assert.deepEqual(result.bypassing.map((line: string) => line.replace(/^.*page\.ts/, 'page.ts')), ["page.ts:2: 'Close it'", "page.ts:3: 'Working'"]);
    assert.equal(result.dynamic.length, 1);
  });

  it('finds a shown literal, and accepts it once wrapped', async () => {
    const { scanL10n } = await l10nScript();
    const result = withSources(
      {
        'sample.ts': [
          "void vscode.window.showWarningMessage(`Vouch could not stage ${name}`, 'Retry');",
          "item.tooltip = ok ? 'All reviewed' : vscode.l10n.t('{0} waiting', count);",
          "void vscode.window.showInformationMessage(vscode.l10n.t('Synced {0}', remote), vscode.l10n.t('Open'));",
          "item.text = '$(sync~spin)';",
          'void vscode.window.showErrorMessage(vscode.l10n.t(message));',
        ],
      },
      ([file]) => scanL10n([file], []),
    );
    assert.deepEqual(
      result.bypassing.map((line: string) => line.replace(/^.*sample\.ts/, 'sample.ts')),
      ["sample.ts:1: `Vouch could not stage ${name}`", "sample.ts:1: 'Retry'", "sample.ts:2: 'All reviewed'"],
    );
    assert.deepEqual(result.messages, ['Open', 'Synced {0}', '{0} waiting']);
    assert.equal(result.dynamic.length, 1);
  });
});

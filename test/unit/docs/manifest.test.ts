// What the Settings editor and the rest of the manifest show a user: rules no schema checks.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

interface SettingSchema {
  readonly order?: number;
}

interface Manifest {
  readonly contributes: { configuration: { properties: Record<string, SettingSchema> } };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;

/** Every string of a JSON value with its path (`contributes.commands.3.title`). */
function strings(value: unknown, at: string[] = []): { path: string[]; text: string }[] {
  if (typeof value === 'string') return [{ path: at, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, [...at, String(index)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => strings(item, [...at, key]));
  return [];
}

/**
 * Manifest fields a user reads (palette titles, settings texts, views, walkthrough, welcome
 * content, colour descriptions): they must come from package.nls.json. `category` and a view's
 * `contextualTitle` hold the product name, "Vouch", which is not translated.
 */
function isUserFacing(at: readonly string[]): boolean {
  const field = at[at.length - 1] ?? '';
  const parent = at[at.length - 2] ?? '';
  if (at.length === 1) return field === 'displayName' || field === 'description';
  if (at[0] === 'capabilities') return field === 'description';
  if (at[0] !== 'contributes') return false;
  if (/^(markdown)?EnumDescriptions$/.test(parent)) return true;
  return ['title', 'description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage', 'name', 'contents', 'altText'].includes(field);
}

describe('package.json', () => {
  it('gives every setting an order, so the Settings editor shows what people change first (the gate) at the top', () => {
    const properties = readJson<Manifest>('package.json').contributes.configuration.properties;
    const unordered = Object.keys(properties).filter((key) => typeof properties[key]?.order !== 'number');
    assert.deepEqual(unordered, [], 'settings without an "order" field (VS Code lists them after the ordered ones, alphabetically)');
    const byOrder = Object.entries(properties).sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0));
    assert.equal(byOrder[0]?.[0], 'vouch.gate');
    const orders = byOrder.map(([, schema]) => schema.order);
    assert.equal(new Set(orders).size, orders.length, 'no two settings share an order');
  });

  it('takes every text a user reads from package.nls.json (%key%), and every %key% is there', () => {
    const manifest = readJson<Manifest>('package.json');
    const nls = readJson<Record<string, unknown>>('package.nls.json');
    const all = strings(manifest);
    const literal = all.filter((entry) => isUserFacing(entry.path) && !/^%[^%]+%$/.test(entry.text)).map((entry) => `${entry.path.join('.')}: ${entry.text}`);
    assert.deepEqual(literal, [], 'user-facing manifest texts that are not %keys% of package.nls.json');
    const keys = all.map((entry) => /^%([^%]+)%$/.exec(entry.text)?.[1]).filter((key): key is string => key !== undefined);
    assert.deepEqual(keys.filter((key) => typeof nls[key] !== 'string' || nls[key] === ''), [], '%keys% missing from package.nls.json');
    assert.deepEqual(Object.keys(nls).filter((key) => !keys.includes(key)), [], 'package.nls.json keys that package.json no longer uses');
  });

  it('names its l10n bundle folder (vscode.l10n.t), which holds the English bundle', () => {
    const { l10n } = readJson<{ l10n?: string }>('package.json');
    assert.equal(l10n, './l10n');
    assert.ok(existsSync(path.join(root, 'l10n', 'bundle.l10n.json')));
  });

  it('packs package.nls.json and the l10n bundles into the .vsix', () => {
    const ignore = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!package.nls.json'));
    assert.ok(ignore.includes('!l10n/**'));
  });
});

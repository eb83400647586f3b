// What the Settings editor and the rest of the manifest show a user: rules no schema checks.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

interface SettingSchema {
  readonly order?: number;
}

function manifest(): { contributes: { configuration: { properties: Record<string, SettingSchema> } } } {
  return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
}

describe('package.json', () => {
  it('gives every setting an order, so the Settings editor shows what people change first (the gate) at the top', () => {
    const properties = manifest().contributes.configuration.properties;
    const unordered = Object.keys(properties).filter((key) => typeof properties[key]?.order !== 'number');
    assert.deepEqual(unordered, [], 'settings without an "order" field (VS Code lists them after the ordered ones, alphabetically)');
    const byOrder = Object.entries(properties).sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0));
    assert.equal(byOrder[0]?.[0], 'vouch.gate');
    const orders = byOrder.map(([, schema]) => schema.order);
    assert.equal(new Set(orders).size, orders.length, 'no two settings share an order');
  });
});

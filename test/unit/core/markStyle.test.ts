import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LINE_MARK_STATES } from '../../../src/core/visibility/lineMarks';
import { ANNOTATION_COLOR_DEFAULTS, ANNOTATION_COLOR_ID, MARK_COLOR_DEFAULTS, MARK_COLOR_IDS, gutterIconSvg, resolveThemeColor, type ThemeKind } from '../../../src/core/visibility/markStyle';

/** WCAG 2 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

/** Hue in degrees and saturation (HSV) of `#rrggbb`. */
function hueAndSaturation(hex: string): { hue: number; saturation: number } {
  const [r, g, b] = [1, 3, 5].map((offset) => parseInt(hex.slice(offset, offset + 2), 16) / 255);
  const max = Math.max(r, g, b);
  const delta = max - Math.min(r, g, b);
  let hue = 0;
  if (delta > 0) hue = max === r ? ((g - b) / delta) % 6 : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
  return { hue: (hue * 60 + 360) % 360, saturation: max === 0 ? 0 : delta / max };
}

/** Editor backgrounds of VS Code's built-in themes of each kind (Dark Modern, Dark+, Light Modern, the two high-contrast ones). */
const BACKGROUNDS: Readonly<Record<ThemeKind, readonly string[]>> = {
  dark: ['#1f1f1f', '#1e1e1e'],
  light: ['#ffffff'],
  highContrast: ['#000000'],
  highContrastLight: ['#ffffff'],
};

/** git's gutter colours in VS Code 1.139 (editorGutter.added/modified/deletedBackground, defaults and Modern themes). */
const GIT_GUTTER = ['#487e02', '#48985d', '#2ea043', '#1b81a8', '#2090d3', '#0078d4', '#005fb8', '#f85149', '#e51400', '#94151b'];

const KINDS: readonly ThemeKind[] = ['dark', 'light', 'highContrast', 'highContrastLight'];

describe('mark style: gutter icons and their colours', () => {
  it('every mark colour has at least 3:1 contrast on its theme background; the annotation text 4.5:1', () => {
    for (const state of LINE_MARK_STATES) {
      for (const kind of KINDS) {
        for (const background of BACKGROUNDS[kind]) {
          const ratio = contrast(MARK_COLOR_DEFAULTS[state][kind], background);
          assert.ok(ratio >= 3, `${state} in ${kind}: ${MARK_COLOR_DEFAULTS[state][kind]} on ${background} is ${ratio.toFixed(2)}:1`);
        }
      }
    }
    for (const kind of KINDS) for (const background of BACKGROUNDS[kind]) assert.ok(contrast(ANNOTATION_COLOR_DEFAULTS[kind], background) >= 4.5, `annotation in ${kind}`);
  });

  it("no mark colour is a hue of git's change bars (neutral grey is allowed)", () => {
    const gitHues = GIT_GUTTER.map((color) => hueAndSaturation(color).hue);
    for (const state of LINE_MARK_STATES) {
      for (const kind of KINDS) {
        const { hue, saturation } = hueAndSaturation(MARK_COLOR_DEFAULTS[state][kind]);
        if (saturation < 0.05) continue;
        const nearest = Math.min(...gitHues.map((gitHue) => Math.min(Math.abs(hue - gitHue), 360 - Math.abs(hue - gitHue))));
        assert.ok(nearest >= 25, `${state} in ${kind} is ${nearest.toFixed(0)}° from a git gutter colour`);
      }
    }
  });

  it('the defaults are the ones package.json contributes, for every theme kind', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { colors: { id: string; defaults: Record<string, string> }[] } };
    const contributed = new Map(manifest.contributes.colors.map((color) => [color.id, color.defaults]));
    for (const state of LINE_MARK_STATES) assert.deepEqual(contributed.get(MARK_COLOR_IDS[state]), MARK_COLOR_DEFAULTS[state], state);
    assert.deepEqual(contributed.get(ANNOTATION_COLOR_ID), ANNOTATION_COLOR_DEFAULTS);
  });

  it('each state has its own shape; the colour goes in as given and nothing else does', () => {
    const shapes = LINE_MARK_STATES.map((state) => gutterIconSvg(state, '#123456').replace(/data-vouch-state="[^"]+"/, ''));
    assert.equal(new Set(shapes).size, LINE_MARK_STATES.length, 'four different drawings');
    for (const state of LINE_MARK_STATES) assert.match(gutterIconSvg(state, '#abc'), new RegExp(`data-vouch-state="${state}"[^]*(fill|stroke)="#abc"`));
    assert.throws(() => gutterIconSvg('ai-accepted', 'red"/><script>'), /not a hex colour/);
  });

  it("the user's colour customizations win: the active theme's block, then the global one; invalid values are ignored", () => {
    const defaults = MARK_COLOR_DEFAULTS['ai-unreviewed'];
    const id = MARK_COLOR_IDS['ai-unreviewed'];
    assert.equal(resolveThemeColor(id, defaults, 'light', undefined), defaults.light);
    assert.equal(resolveThemeColor(id, defaults, 'highContrast', {}), defaults.highContrast);
    assert.equal(resolveThemeColor(id, defaults, 'dark', { [id]: '#112233' }), '#112233');
    assert.equal(resolveThemeColor(id, defaults, 'dark', { [id]: '#112233', '[Dark Modern]': { [id]: '#445566' } }, 'Dark Modern'), '#445566');
    assert.equal(resolveThemeColor(id, defaults, 'dark', { '[Light Modern]': { [id]: '#445566' } }, 'Dark Modern'), defaults.dark);
    assert.equal(resolveThemeColor(id, defaults, 'dark', { [id]: 'url(x)' }), defaults.dark);
    assert.equal(resolveThemeColor(id, defaults, 'dark', { [id]: 42 }), defaults.dark);
    assert.equal(resolveThemeColor(id, defaults, 'dark', ['#112233']), defaults.dark);
  });
});

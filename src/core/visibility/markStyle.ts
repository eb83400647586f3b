/**
 * How each line-mark state looks in the gutter: its own shape (so the states differ without
 * colour, and none looks like git's change bars) and its theme colour. The colour ids and their
 * defaults are contributed in package.json (`contributes.colors`; a unit test keeps both equal).
 * VS Code cannot paint a gutter icon with a theme colour, so the icon is drawn with the colour
 * of the active theme kind, or the user's `workbench.colorCustomizations` for the id.
 */
import type { LineMarkState } from './lineMarks';

export type ThemeKind = 'light' | 'dark' | 'highContrast' | 'highContrastLight';

export type ThemeDefaults = Readonly<Record<ThemeKind, string>>;

/** Theme colour id of each state's mark (gutter icon and overview ruler). */
export const MARK_COLOR_IDS: Readonly<Record<LineMarkState, string>> = {
  'ai-unreviewed': 'vouch.aiUnreviewedLine',
  'ai-accepted': 'vouch.aiAcceptedLine',
  'ai-human-changed': 'vouch.aiHumanChangedLine',
  'ai-committed': 'vouch.aiCommittedLine',
};

/**
 * Defaults, chosen away from git's gutter colours (green added, blue modified, red deleted):
 * amber, violet, magenta and neutral grey, each with at least 3:1 contrast on the theme's editor
 * background (checked in test/unit/core/markStyle.test.ts).
 */
export const MARK_COLOR_DEFAULTS: Readonly<Record<LineMarkState, ThemeDefaults>> = {
  'ai-unreviewed': { dark: '#e2a33b', light: '#a55f00', highContrast: '#ffb000', highContrastLight: '#8a4b00' },
  'ai-accepted': { dark: '#b392f0', light: '#8250df', highContrast: '#d2a8ff', highContrastLight: '#6639ba' },
  'ai-human-changed': { dark: '#f778ba', light: '#bf3989', highContrast: '#ff9bce', highContrastLight: '#99286e' },
  'ai-committed': { dark: '#9d9d9d', light: '#727272', highContrast: '#cccccc', highContrastLight: '#555555' },
};

/** Colour of the current-line annotation's text. */
export const ANNOTATION_COLOR_ID = 'vouch.lineAnnotationForeground';
export const ANNOTATION_COLOR_DEFAULTS: ThemeDefaults = { dark: '#8f8f8f', light: '#6b6b6b', highContrast: '#d0d0d0', highContrastLight: '#3d3d3d' };

const HEX_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

function customColor(table: unknown, colorId: string): string | undefined {
  if (!table || typeof table !== 'object' || Array.isArray(table)) return undefined;
  const value = (table as Record<string, unknown>)[colorId];
  return typeof value === 'string' && HEX_COLOR.test(value.trim()) ? value.trim() : undefined;
}

/**
 * The colour of `colorId` now: the user's `workbench.colorCustomizations` for the active theme
 * (`"[Theme Name]": {...}`), else their global customization, else the default of the theme kind.
 * Only `#rgb[a]`/`#rrggbb[aa]` values are taken: the colour goes into an SVG.
 */
export function resolveThemeColor(colorId: string, defaults: ThemeDefaults, kind: ThemeKind, customizations: unknown, themeName?: string): string {
  if (customizations && typeof customizations === 'object' && !Array.isArray(customizations)) {
    const scoped = themeName ? customColor((customizations as Record<string, unknown>)[`[${themeName}]`], colorId) : undefined;
    const global = customColor(customizations, colorId);
    if (scoped ?? global) return (scoped ?? global) as string;
  }
  return defaults[kind];
}

/** The shape of each state, drawn in a 16x16 box. */
function shapeOf(state: LineMarkState, color: string): string {
  switch (state) {
    case 'ai-unreviewed':
      return `<path d="M8 1.2 9.7 6.3 14.8 8 9.7 9.7 8 14.8 6.3 9.7 1.2 8 6.3 6.3Z" fill="${color}"/>`;
    case 'ai-accepted':
      return `<path d="M2.8 8.4 6.4 12 13.4 4.2" fill="none" stroke="${color}" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>`;
    case 'ai-human-changed':
      return `<path d="M8 2.2 14.2 13.4H1.8Z" fill="${color}"/>`;
    case 'ai-committed':
      return `<circle cx="8" cy="8" r="4.4" fill="none" stroke="${color}" stroke-width="2.2"/>`;
  }
}

/** The gutter icon of a state as SVG text; `data-vouch-state` lets tests tell the shapes apart. */
export function gutterIconSvg(state: LineMarkState, color: string): string {
  if (!HEX_COLOR.test(color)) throw new Error(`not a hex colour: ${color}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" data-vouch-state="${state}">${shapeOf(state, color)}</svg>`;
}

import { createTheme, localStorageColorSchemeManager, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'teal',
  // The darkest teal: white button labels on it read at 5:1 (teal 7 gave 3.1:1).
  primaryShade: { light: 9, dark: 9 },
  defaultRadius: 'md',
  fontFamily:
    'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '600' },
});

/**
 * The neutral colours every screen draws with, per colour scheme. Style sheets
 * use these names (never a fixed grey or white), so a screen reads the same in
 * both schemes. Text colours hold at least 4.5:1 against the surfaces they sit
 * on, input borders at least 3:1 (`theme.test.ts` checks both).
 */
export const SCHEME_COLOURS = {
  light: {
    /** Panels, toolbars, cards, rows. */
    '--eco-surface': '#ffffff',
    /** The backdrop behind panels and cards; also a hovered row. */
    '--eco-canvas': '#f8f9fa',
    '--eco-hover': '#f1f3f5',
    /** Panel edges and separators (decorative). */
    '--eco-border': '#dee2e6',
    '--eco-border-subtle': '#e9ecef',
    /** Edges that outline a control: inputs, checkboxes, cards you act on. */
    '--eco-border-strong': '#868e96',
    /** Secondary text and the icons beside it. */
    '--eco-text-dimmed': '#5f676f',
    '--eco-placeholder': '#6c757d',
    /** Icons of secondary importance (graph edges, chevrons). */
    '--eco-icon-muted': '#6c757d',
    '--eco-danger-text': '#c92a2a',
    '--eco-warning-text': '#a64b0a',
    '--eco-success-text': '#077a56',
    '--eco-success-surface': '#e6fcf5',
    '--eco-danger-surface': '#fff5f5',
  },
  dark: {
    '--eco-surface': '#242424',
    '--eco-canvas': '#1b1b1b',
    '--eco-hover': '#2e2e2e',
    '--eco-border': '#3b3b3b',
    '--eco-border-subtle': '#2f2f2f',
    '--eco-border-strong': '#7a7a7a',
    '--eco-text-dimmed': '#a3a3a3',
    '--eco-placeholder': '#999999',
    '--eco-icon-muted': '#a3a3a3',
    '--eco-danger-text': '#ff8787',
    '--eco-warning-text': '#ffa94d',
    '--eco-success-text': '#63e6be',
    '--eco-success-surface': '#273d37',
    '--eco-danger-surface': '#432e2e',
  },
} as const;

export type SchemeColour = keyof (typeof SCHEME_COLOURS)['light'];

/** Mantine's own neutrals brought to the same contrast as ours (its defaults are too faint). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    ...SCHEME_COLOURS.light,
    '--mantine-color-dimmed': 'var(--eco-text-dimmed)',
    '--mantine-color-placeholder': 'var(--eco-placeholder)',
  },
  dark: {
    ...SCHEME_COLOURS.dark,
    '--mantine-color-dimmed': 'var(--eco-text-dimmed)',
    '--mantine-color-placeholder': 'var(--eco-placeholder)',
  },
});

/** Where the chosen scheme is kept (System, Light or Dark): one choice for every database. */
export const COLOR_SCHEME_KEY = 'eco-studio.color-scheme';

export const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_KEY });

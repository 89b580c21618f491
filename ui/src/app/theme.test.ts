import { DEFAULT_THEME } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { SCHEME_COLOURS, theme } from './theme';

type Scheme = keyof typeof SCHEME_COLOURS;
type Colour = keyof (typeof SCHEME_COLOURS)['light'];

/** WCAG relative luminance of a #rgb or #rrggbb colour. */
function luminance(colour: string): number {
  const hex = colour.length === 4 ? `#${[...colour.slice(1)].map((c) => c + c).join('')}` : colour;
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

const colour = (scheme: Scheme, name: Colour): string => SCHEME_COLOURS[scheme][name];

/** Mantine's body text and input background in each scheme. */
const TEXT: Record<Scheme, string> = { light: DEFAULT_THEME.black, dark: DEFAULT_THEME.colors.dark[0] };
const INPUT_BACKGROUND: Record<Scheme, string> = { light: DEFAULT_THEME.white, dark: DEFAULT_THEME.colors.dark[6] };

const SURFACES: readonly Colour[] = ['--eco-surface', '--eco-canvas', '--eco-hover'];
const TEXTS: readonly Colour[] = ['--eco-text-dimmed', '--eco-danger-text', '--eco-warning-text', '--eco-success-text'];

describe.each(['light', 'dark'] as const)('the %s scheme', (scheme) => {
  it('defines every colour as a #rrggbb value', () => {
    for (const value of Object.values(SCHEME_COLOURS[scheme])) expect(value, `${value} is no #rrggbb colour`).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('reads body and secondary text at 4.5:1 on every surface', () => {
    for (const surface of SURFACES) {
      const background = colour(scheme, surface);
      expect(contrast(TEXT[scheme], background), `body text on ${surface}`).toBeGreaterThanOrEqual(4.5);
      for (const text of TEXTS) expect(contrast(colour(scheme, text), background), `${text} on ${surface}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('reads status text on its own tinted surface', () => {
    expect(contrast(colour(scheme, '--eco-success-text'), colour(scheme, '--eco-success-surface'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colour(scheme, '--eco-danger-text'), colour(scheme, '--eco-danger-surface'))).toBeGreaterThanOrEqual(4.5);
  });

  it('shows placeholders at 4.5:1 and control outlines at 3:1 in an input', () => {
    expect(contrast(colour(scheme, '--eco-placeholder'), INPUT_BACKGROUND[scheme]), 'placeholder').toBeGreaterThanOrEqual(4.5);
    expect(contrast(colour(scheme, '--eco-border-strong'), INPUT_BACKGROUND[scheme]), 'input border on the input').toBeGreaterThanOrEqual(3);
    expect(contrast(colour(scheme, '--eco-border-strong'), colour(scheme, '--eco-surface')), 'input border on the surface').toBeGreaterThanOrEqual(3);
    expect(contrast(colour(scheme, '--eco-icon-muted'), colour(scheme, '--eco-surface')), 'muted icons').toBeGreaterThanOrEqual(3);
  });

  it('keeps white labels readable on the primary colour', () => {
    const shade = (typeof theme.primaryShade === 'object' ? theme.primaryShade[scheme] : theme.primaryShade) ?? 6;
    const primary = DEFAULT_THEME.colors[theme.primaryColor ?? 'blue'][shade];
    expect(contrast('#ffffff', primary), `white on ${theme.primaryColor}.${shade}`).toBeGreaterThanOrEqual(4.5);
  });
});

// Every style sheet and component, as text.
const styleSheets = import.meta.glob<string>('../**/*.css', { query: '?raw', import: 'default', eager: true });
const components = import.meta.glob<string>(['../**/*.tsx', '!../**/*.test.tsx'], { query: '?raw', import: 'default', eager: true });

describe('style sheets and components', () => {
  it('draw neutrals with the scheme colours, never a fixed white or grey', () => {
    const fixed = /var\(--mantine-color-(white|black|gray-\d|dark-\d)\)/g;
    const offenders = Object.entries(styleSheets).flatMap(([file, text]) => [...text.matchAll(fixed)].map((m) => `${file}: ${m[0]}`));
    expect(offenders, 'a fixed neutral stays light (or dark) in the other scheme').toEqual([]);
  });

  it('use only scheme colours that are defined', () => {
    const defined = new Set(Object.keys(SCHEME_COLOURS.light));
    expect(new Set(Object.keys(SCHEME_COLOURS.dark)), 'both schemes define the same colours').toEqual(defined);
    const used = [...Object.values(styleSheets), ...Object.values(components)].flatMap((text) => [...text.matchAll(/var\((--eco-[a-z-]+)\)/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(used)].filter((name) => !defined.has(name))).toEqual([]);
  });
});

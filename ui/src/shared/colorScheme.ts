// The colour scheme choices (the header's switch and the palette offer the same three).
import type { MantineColorScheme } from '@mantine/core';

/** In order: "auto" follows the system's preference (`prefers-color-scheme`). */
export const COLOR_SCHEME_CHOICES: readonly { value: MantineColorScheme; label: string }[] = [
  { value: 'auto', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function colorSchemeLabel(value: MantineColorScheme): string {
  return COLOR_SCHEME_CHOICES.find((choice) => choice.value === value)?.label ?? 'System';
}

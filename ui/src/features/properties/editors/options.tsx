// The options of a select property, drawn as coloured chips (or, for long
// lists, as a dropdown with coloured dots).
import { Badge, Chip, ColorSwatch, Group, Text } from '@mantine/core';
import type { Rules, SelectOption } from '../../../bindings';

/** Up to this many options are shown as chips; more open a dropdown. */
export const CHIP_LIMIT = 8;

export const optionsOf = (rules: Rules): SelectOption[] => rules.options ?? [];

export const optionOf = (rules: Rules, key: string): SelectOption | undefined => optionsOf(rules).find((option) => option.key === key);

/** An option's label, or its key when it is no longer an option. */
export const labelOf = (rules: Rules, key: string): string => optionOf(rules, key)?.label ?? key;

/** The option colour, or the theme's neutral one. */
export const colourOf = (option: SelectOption): string => option.color ?? 'gray';

/** A chip for one option; `checked` and its input come from the enclosing Chip.Group. */
export function OptionChip({ option, fieldKey, disabled }: { option: SelectOption; fieldKey: string; disabled: boolean }) {
  return (
    <Chip value={option.key} color={colourOf(option)} variant="light" size="sm" disabled={disabled} data-testid={`prop-option-${fieldKey}-${option.key}`}>
      <Group gap={6} wrap="nowrap" component="span">
        <ColorSwatch component="span" color={option.color ?? 'var(--mantine-color-gray-5)'} size={10} withShadow={false} />
        {option.label}
      </Group>
    </Chip>
  );
}

/** A stored key that is no longer an option, shown so the person sees what is there. */
export function UnknownOption({ optionKey }: { optionKey: string }) {
  return (
    <Badge variant="outline" color="red" size="lg" radius="xl" tt="none" fw={500} title="Not an option of this property any more">
      {optionKey} (not an option)
    </Badge>
  );
}

/** A dropdown row: the option's colour dot and label. */
export function OptionLabel({ option, label }: { option: SelectOption | undefined; label: string }) {
  return (
    <Group gap={8} wrap="nowrap">
      <ColorSwatch color={option?.color ?? 'var(--mantine-color-gray-4)'} size={12} withShadow={false} />
      <Text size="sm">{label}</Text>
    </Group>
  );
}

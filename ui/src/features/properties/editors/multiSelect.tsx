import { Chip, Group, MultiSelect } from '@mantine/core';
import type { Rules } from '../../../bindings';
import { CHIP_LIMIT, labelOf, OptionChip, OptionLabel, optionOf, optionsOf, UnknownOption } from './options';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

// The text of a multi-select is the chosen keys as a JSON array ('' for no
// value), so keys with any characters survive the round trip.

function keysOf(text: string): string[] | null {
  if (text === '') return [];
  try {
    const keys: unknown = JSON.parse(text);
    return Array.isArray(keys) && keys.every((key) => typeof key === 'string') ? keys : null;
  } catch {
    return null;
  }
}

/** The text for chosen keys, in the options' order (keys that are no options last); '' for none. */
export function textOfKeys(keys: readonly string[], rules: Rules): string {
  if (keys.length === 0) return '';
  const order = optionsOf(rules).map((option) => option.key);
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return JSON.stringify([...keys].sort((a, b) => rank(a) - rank(b)));
}

function parse(text: string, rules: Rules): Parsed {
  if (text === '') return ok(null);
  const keys = keysOf(text);
  if (keys === null) return fail('Not a list of options');
  const unknown = keys.find((key) => !optionOf(rules, key));
  if (unknown !== undefined) return fail(`"${unknown}" is not one of the options`);
  if (new Set(keys).size !== keys.length) return fail('An option is chosen twice');
  if (rules.maxItems != null && keys.length > rules.maxItems) return fail(`Choose at most ${rules.maxItems}`);
  return ok({ type: 'multi_select', value: keys });
}

function hint(rules: Rules): string | null {
  return rules.maxItems != null ? `Choose up to ${rules.maxItems}` : null;
}

/** Several options: chips in the options' colours, or a dropdown for a long list. */
function MultiSelectEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  const { rules } = definition;
  const options = optionsOf(rules);
  const keys = keysOf(text) ?? [];
  const unknown = keys.filter((key) => !optionOf(rules, key));
  // Keys that are no longer options are dropped by any change (the core would refuse them).
  const change = (chosen: string[]) => onChange(textOfKeys(chosen.filter((key) => optionOf(rules, key)), rules));
  if (options.length > CHIP_LIMIT) {
    return (
      <MultiSelect
        id={id}
        data={options.map((option) => ({ value: option.key, label: option.label }))}
        value={keys.filter((key) => optionOf(rules, key))}
        onChange={change}
        error={invalid}
        disabled={disabled}
        clearable
        searchable
        renderOption={({ option }) => <OptionLabel option={optionOf(rules, option.value)} label={option.label} />}
        comboboxProps={{ withinPortal: false }}
        data-testid={`prop-input-${definition.key}`}
      />
    );
  }
  return (
    <Group gap={6} mih={36} id={id} role="group" aria-labelledby={`${id}-label`} aria-invalid={invalid} data-testid={`prop-input-${definition.key}`}>
      <Chip.Group multiple value={keys} onChange={change}>
        {options.map((option) => (
          <OptionChip key={option.key} option={option} fieldKey={definition.key} disabled={disabled} />
        ))}
      </Chip.Group>
      {unknown.map((key) => (
        <UnknownOption key={key} optionKey={key} />
      ))}
    </Group>
  );
}

export const multiSelectEditor: EditorModule<'multi_select'> = {
  type: 'multi_select',
  Editor: MultiSelectEditor,
  format: (value) => {
    const keys = payloadOf(value, 'multi_select');
    return keys === null ? '' : JSON.stringify(keys);
  },
  parse,
  display: (value, rules) => (payloadOf(value, 'multi_select') ?? []).map((key) => labelOf(rules, key)).join(', ') || 'none chosen',
  hint,
};

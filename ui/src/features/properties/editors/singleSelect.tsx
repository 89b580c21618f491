import { Chip, CloseButton, Group, Select } from '@mantine/core';
import type { Rules } from '../../../bindings';
import { CHIP_LIMIT, labelOf, OptionChip, OptionLabel, optionOf, optionsOf, UnknownOption } from './options';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

function parse(text: string, rules: Rules): Parsed {
  if (text === '') return ok(null);
  if (!optionOf(rules, text)) return fail('Not one of the options');
  return ok({ type: 'single_select', value: text });
}

/** One option: chips in the options' colours, or a dropdown for a long list. */
function SingleSelectEditor({ id, text, onChange, invalid, disabled, required, definition }: EditorProps) {
  const options = optionsOf(definition.rules);
  const unknown = text !== '' && !optionOf(definition.rules, text);
  if (options.length > CHIP_LIMIT) {
    return (
      <Select
        id={id}
        data={options.map((option) => ({ value: option.key, label: option.label }))}
        value={text === '' ? null : text}
        onChange={(value) => onChange(value ?? '')}
        error={invalid}
        disabled={disabled}
        clearable={!required}
        searchable
        leftSection={text !== '' ? <OptionLabel option={optionOf(definition.rules, text)} label="" /> : undefined}
        renderOption={({ option }) => <OptionLabel option={optionOf(definition.rules, option.value)} label={option.label} />}
        comboboxProps={{ withinPortal: false }}
        maw={360}
        data-testid={`prop-input-${definition.key}`}
      />
    );
  }
  return (
    <Group gap={6} mih={36} id={id} role="radiogroup" aria-labelledby={`${id}-label`} aria-invalid={invalid} data-testid={`prop-input-${definition.key}`}>
      <Chip.Group multiple={false} value={text === '' ? null : text} onChange={(value) => onChange(value ?? '')}>
        {options.map((option) => (
          <OptionChip key={option.key} option={option} fieldKey={definition.key} disabled={disabled} />
        ))}
      </Chip.Group>
      {unknown && <UnknownOption optionKey={text} />}
      {text !== '' && !required && <CloseButton size="sm" aria-label={`Clear ${definition.name}`} onClick={() => onChange('')} disabled={disabled} data-testid={`prop-clear-${definition.key}`} />}
    </Group>
  );
}

export const singleSelectEditor: EditorModule<'single_select'> = {
  type: 'single_select',
  Editor: SingleSelectEditor,
  format: (value) => payloadOf(value, 'single_select') ?? '',
  parse,
  display: (value, rules) => labelOf(rules, payloadOf(value, 'single_select') ?? ''),
  hint: () => null,
};

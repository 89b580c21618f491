import { CloseButton, Group, Switch } from '@mantine/core';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

function parse(text: string): Parsed {
  switch (text) {
    case '':
      return ok(null);
    case 'true':
      return ok({ type: 'boolean', value: true });
    case 'false':
      return ok({ type: 'boolean', value: false });
    default:
      return fail('Not yes or no');
  }
}

/** A switch; "Not set" until first switched, and clearable unless required. */
function BooleanEditor({ id, text, onChange, disabled, required, definition }: EditorProps) {
  const checked = text === 'true';
  return (
    <Group gap="sm" wrap="nowrap" mih={36}>
      <Switch
        id={id}
        checked={checked}
        onChange={(event) => onChange(event.currentTarget.checked ? 'true' : 'false')}
        disabled={disabled}
        label={text === '' ? 'Not set' : checked ? 'Yes' : 'No'}
        styles={{ label: { color: text === '' ? 'var(--mantine-color-dimmed)' : undefined } }}
        data-testid={`prop-input-${definition.key}`}
      />
      {text !== '' && !required && (
        <CloseButton size="sm" aria-label={`Clear ${definition.name}`} onClick={() => onChange('')} disabled={disabled} data-testid={`prop-clear-${definition.key}`} />
      )}
    </Group>
  );
}

export const booleanEditor: EditorModule<'boolean'> = {
  type: 'boolean',
  Editor: BooleanEditor,
  format: (value) => {
    const flag = payloadOf(value, 'boolean');
    return flag === null ? '' : String(flag);
  },
  parse,
  display: (value) => (payloadOf(value, 'boolean') ? 'Yes' : 'No'),
  hint: () => null,
};

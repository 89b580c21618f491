import { Badge, Group, TextInput } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

/** What stands for a secret's value (never shown here). */
export const MASK = '••••••';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parse(typed: string): Parsed {
  const text = typed.trim();
  if (text === '') return ok(null);
  if (!UUID.test(text)) return fail('Not a secret id (a UUID like 0190…-…)');
  return ok({ type: 'secret_reference', value: text.toLowerCase() });
}

/** The secret stays masked; the reference (the secret entity's id) is what is edited. */
function SecretReferenceEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Badge
        variant="light"
        color="gray"
        size="lg"
        radius="sm"
        leftSection={<IconLock size={14} />}
        styles={{ label: { letterSpacing: 2 } }}
        style={{ flex: '0 0 auto' }}
        data-testid={`prop-secret-mask-${definition.key}`}
        aria-label={text === '' ? 'No secret' : 'Secret value hidden'}
      >
        {text === '' ? 'none' : MASK}
      </Badge>
      <TextInput
        id={id}
        value={text}
        onChange={(event) => onChange(event.currentTarget.value)}
        error={invalid}
        disabled={disabled}
        placeholder="Secret entity id"
        spellCheck={false}
        style={{ flex: 1 }}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        data-testid={`prop-input-${definition.key}`}
      />
    </Group>
  );
}

export const secretReferenceEditor: EditorModule<'secret_reference'> = {
  type: 'secret_reference',
  Editor: SecretReferenceEditor,
  format: (value) => payloadOf(value, 'secret_reference') ?? '',
  parse,
  display: (value) => `${MASK} (secret ${payloadOf(value, 'secret_reference') ?? ''})`,
  hint: () => "The secret's value is not shown",
};

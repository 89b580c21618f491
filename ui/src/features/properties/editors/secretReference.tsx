import { Badge, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { entityQuery } from '../../details/api';
import { RevealSecretButton } from '../../vault';
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

/** The secret entity a text refers to, or null while it is no secret id. */
function referenced(text: string): string | null {
  const parsed = parse(text);
  return parsed.ok && parsed.value?.type === 'secret_reference' ? parsed.value.value : null;
}

/**
 * The secret stays masked; the reference (the secret entity's id) is what is
 * edited. Beside it, the secret's name when known, and Reveal (with a reason,
 * through the vault) for those who may.
 */
function SecretReferenceEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  const secretId = referenced(text);
  const entity = useQuery({ ...entityQuery(secretId ?? ''), enabled: secretId !== null });
  const name = secretId !== null && entity.data?.node.id === secretId ? entity.data.node.name : null;
  return (
    <Stack gap={6}>
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
        {name !== null && (
          <Text size="sm" c="dimmed" truncate="end" maw="40%" title={name} data-testid={`prop-secret-name-${definition.key}`}>
            {name}
          </Text>
        )}
      </Group>
      {secretId !== null && (
        <RevealSecretButton
          secretId={secretId}
          name={name}
          testId={`prop-secret-reveal-${definition.key}`}
          valueTestId={`prop-secret-value-${definition.key}`}
          hideTestId={`prop-secret-hide-${definition.key}`}
        />
      )}
    </Stack>
  );
}

export const secretReferenceEditor: EditorModule<'secret_reference'> = {
  type: 'secret_reference',
  Editor: SecretReferenceEditor,
  format: (value) => payloadOf(value, 'secret_reference') ?? '',
  parse,
  display: (value) => `${MASK} (secret ${payloadOf(value, 'secret_reference') ?? ''})`,
  hint: () => "The secret's value is shown only when revealed, with a reason",
};

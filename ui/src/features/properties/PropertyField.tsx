import { ActionIcon, Alert, Anchor, Badge, Box, Button, Group, Input, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconEye, IconEyeOff } from '@tabler/icons-react';
import { useState, type KeyboardEvent } from 'react';
import type { CurrentValue, PaneField } from '../../bindings';
import { CHIP_LIMIT } from './editors/options';
import { displayValue, editors } from './editors/registry';
import { MASK } from './editors/secretReference';
import { checkText, isDirty, shownText, type FieldEdit } from './paneEdits';
import classes from './PropertiesPanel.module.css';

type Props = {
  field: PaneField;
  edit: FieldEdit | undefined;
  saving: boolean;
  /** Shown, not edited (a deleted entity, or one the person may not change). */
  readOnly: boolean;
  /** The core refused this field's value (a Validation naming it). */
  serverError: string | null;
  /** Someone else changed this value since the edit started. */
  conflict: CurrentValue | null;
  onText: (text: string) => void;
  /** Escape: back to the stored value. */
  onCancel: () => void;
  onKeepTheirs: () => void;
  onUseMine: () => void;
};

/** The id of a field's control (its label points at it). */
export const controlId = (field: PaneField) => `prop-${field.definition.id}`;

/** Wide controls take the whole row of the grid: long text, JSON, URLs, references, rows of chips. */
function isWide(field: PaneField, text: string): boolean {
  const { valueType, rules } = field.definition;
  switch (valueType) {
    case 'json':
    case 'url':
    case 'secret_reference':
    case 'multi_select':
      return true;
    case 'single_select':
      return (rules.options?.length ?? 0) > 2 && (rules.options?.length ?? 0) <= CHIP_LIMIT;
    case 'text':
      return text.includes('\n');
    default:
      return false;
  }
}

/** One property: label (required marker, unsaved dot), help, its editor, and what is wrong with it. */
export function PropertyField({ field, edit, saving, readOnly, serverError, conflict, onText, onCancel, onKeepTheirs, onUseMine }: Props) {
  const { definition } = field;
  const editor = editors[definition.valueType];
  const [revealed, setRevealed] = useState(false);
  const [wide] = useState(() => isWide(field, shownText(field, edit)));
  const masked = definition.isSensitive && !revealed;
  const dirty = isDirty(field, edit);
  const text = shownText(field, edit);
  const checked = dirty ? checkText(field, text) : null;
  const localError = checked && !checked.ok ? checked.error : null;
  const error = localError ?? serverError;
  const hint = editor.hint(definition.rules);
  const id = controlId(field);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Escape' || !dirty) return;
    // An open dropdown closes first; the edit stays.
    if ((event.target as HTMLElement).getAttribute('aria-expanded') === 'true') return;
    event.preventDefault();
    event.stopPropagation();
    onCancel();
  };

  const label = (
    <Group gap={6} wrap="nowrap" component="span" className={classes.label}>
      <span>{definition.name}</span>
      {dirty && <span className={classes.unsavedDot} title="Unsaved change" data-testid={`prop-unsaved-${definition.key}`} />}
      {!field.inLayout && (
        <Badge size="xs" variant="outline" color="gray" title="Not part of this type's layout; shown because it has a value">
          extra
        </Badge>
      )}
    </Group>
  );

  const eye = definition.isSensitive && (
    <Tooltip label={revealed ? 'Hide' : 'Reveal'} withArrow openDelay={300}>
      <ActionIcon
        variant="subtle"
        color="gray"
        size="lg"
        onClick={() => setRevealed((shown) => !shown)}
        aria-label={revealed ? `Hide ${definition.name}` : `Reveal ${definition.name}`}
        aria-pressed={revealed}
        data-testid={`prop-reveal-${definition.key}`}
      >
        {revealed ? <IconEyeOff size={18} /> : <IconEye size={18} />}
      </ActionIcon>
    </Tooltip>
  );

  return (
    <Box
      className={classes.field}
      data-dirty={dirty || undefined}
      data-wide={wide || undefined}
      data-testid={`prop-field-${definition.key}`}
      onKeyDown={onKeyDown}
    >
      <Input.Wrapper
        id={id}
        label={label}
        labelElement={masked || definition.valueType === 'single_select' || definition.valueType === 'multi_select' ? 'div' : 'label'}
        description={definition.description}
        withAsterisk={field.required}
        error={error}
        inputWrapperOrder={['label', 'description', 'input', 'error']}
        errorProps={{ 'data-testid': `prop-error-${definition.key}` }}
      >
        <Group gap={4} wrap="nowrap" align="flex-start">
          <Box style={{ flex: 1, minWidth: 0 }}>
            {masked ? (
              <TextInput
                id={id}
                readOnly
                value={text === '' ? '' : MASK}
                placeholder="No value"
                aria-label={`${definition.name} (hidden)`}
                styles={{ input: { letterSpacing: 2 } }}
                data-testid={`prop-masked-${definition.key}`}
              />
            ) : (
              <editor.Editor id={id} definition={definition} text={text} onChange={onText} invalid={error !== null} required={field.required} disabled={readOnly} />
            )}
          </Box>
          {eye}
        </Group>
      </Input.Wrapper>
      {hint && !masked && (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      )}
      {!dirty && <StoredProblem field={field} masked={masked} readOnly={readOnly} onClear={() => onText('')} />}
      {conflict && (
        <ConflictBox
          field={field}
          conflict={conflict}
          yours={yoursInWords(field, text, masked)}
          saving={saving}
          readOnly={readOnly}
          onKeepTheirs={onKeepTheirs}
          onUseMine={onUseMine}
        />
      )}
    </Box>
  );
}

function yoursInWords(field: PaneField, text: string, masked: boolean): string {
  if (masked) return MASK;
  const parsed = checkText(field, text);
  if (!parsed.ok) return text;
  return displayValue(field.definition.valueType, parsed.value, field.definition.rules);
}

/** The stored value is not a value of the property's type, or breaks its current rules. */
function StoredProblem({ field, masked, readOnly, onClear }: { field: PaneField; masked: boolean; readOnly: boolean; onClear: () => void }) {
  if (field.raw === null && field.problem === null) return null;
  const type = field.definition.valueType.replace('_', ' ');
  return (
    <Group gap={6} mt={6} wrap="nowrap" align="flex-start" c="var(--eco-warning-text)" data-testid={`prop-problem-${field.definition.key}`}>
      <IconAlertTriangle size={14} style={{ flex: '0 0 auto', marginTop: 2 }} />
      <Text size="xs" c="var(--eco-warning-text)">
        {field.raw !== null ? (
          <>
            The stored value {masked ? '' : <code>{field.raw}</code>} is not a {type} value.{readOnly ? '' : ' Enter a new value, or '}
            {readOnly ? null : field.required ? (
              'correct it.'
            ) : (
              <Anchor component="button" type="button" size="xs" onClick={onClear} data-testid={`prop-clear-raw-${field.definition.key}`}>
                clear it
              </Anchor>
            )}
          </>
        ) : (
          <>The stored value breaks the current rules: {field.problem}</>
        )}
      </Text>
    </Group>
  );
}

function ConflictBox({
  field,
  conflict,
  yours,
  saving,
  readOnly,
  onKeepTheirs,
  onUseMine,
}: {
  field: PaneField;
  conflict: CurrentValue;
  yours: string;
  saving: boolean;
  /** Yours can no longer be saved: only theirs can be kept. */
  readOnly: boolean;
  onKeepTheirs: () => void;
  onUseMine: () => void;
}) {
  const { definition } = field;
  const theirs = definition.isSensitive ? MASK : displayValue(definition.valueType, conflict.value, definition.rules);
  return (
    <Alert color="orange" variant="light" mt="xs" p="xs" role="alert" data-testid={`prop-conflict-${definition.key}`}>
      <Stack gap={6}>
        <Text size="sm">
          Changed by someone else: their value <b data-testid="conflict-theirs">{theirs}</b>, yours <b data-testid="conflict-yours">{yours}</b>
        </Text>
        <Group gap="xs">
          <Button size="compact-sm" variant="default" onClick={onKeepTheirs} disabled={saving} data-testid={`prop-keep-theirs-${definition.key}`}>
            Keep theirs
          </Button>
          <Button size="compact-sm" color="orange" onClick={onUseMine} loading={saving} disabled={readOnly} data-testid={`prop-use-mine-${definition.key}`}>
            Use mine
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

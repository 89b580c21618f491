import { Alert, Button, Code, Group, Modal, Select, SimpleGrid, Stack, Switch, Table, Text, Textarea, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { DefinitionImpact, PropertyDefinition, PropertyDefinitionUpdate, Rules, ValueType } from '../../bindings';
import { appErrorOf, fieldError, isFieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatCount } from '../../shared/format';
import { propertyDefinitionImpact, propertyGroupsQuery, useCreatePropertyDefinition, useReloadSchema, useUpdatePropertyDefinition } from './api';
import { RuleEditor } from './RuleEditor';
import { normalizeRules, ruleProblems, rulesForType, sameRules, VALUE_TYPES } from './rules';

/** The inputs of this form, as the core names them in a Validation error (`validation`: the rules). */
const FIELDS = ['key', 'name', 'description', 'groupId', 'valueType', 'validation'] as const;
const NO_GROUP = '__none__';

/** True when the core refused an edit until its invalid values are confirmed. */
function needsConfirmation(error: unknown): boolean {
  const appError = appErrorOf(error);
  return appError?.type === 'Validation' && appError.data.rule === 'confirm';
}

type Step = { kind: 'form' } | { kind: 'confirm'; impact: DefinitionImpact; input: PropertyDefinitionUpdate; recounted: boolean };

/**
 * Create a property (definition === null) or edit one. An edit of the type
 * or rules is checked first: when stored values would become invalid, they
 * are shown and the edit is sent only once that number is confirmed.
 */
export function DefinitionFormDialog({ definition, onClose }: { definition: PropertyDefinition | null; onClose: () => void }) {
  const groups = useQuery(propertyGroupsQuery(false));
  const createDefinition = useCreatePropertyDefinition();
  const updateDefinition = useUpdatePropertyDefinition();
  const reload = useReloadSchema();
  const [key, setKey] = useState('');
  const [name, setName] = useState(definition?.name ?? '');
  const [description, setDescription] = useState(definition?.description ?? '');
  const [groupId, setGroupId] = useState<string | null>(definition?.groupId ?? null);
  const [valueType, setValueType] = useState<ValueType>(definition?.valueType ?? 'text');
  const [rules, setRules] = useState<Rules>(definition?.rules ?? {});
  const [isRequired, setIsRequired] = useState(definition?.isRequired ?? false);
  const [isSensitive, setIsSensitive] = useState(definition?.isSensitive ?? false);
  const [isSearchable, setIsSearchable] = useState(definition?.isSearchable ?? false);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  const cameBack = useRef(false);

  // Back from the confirmation: the keyboard continues at Save.
  useEffect(() => {
    if (step.kind === 'form' && cameBack.current) saveButton.current?.focus();
    cameBack.current = step.kind === 'confirm';
  }, [step.kind]);

  const storedOptionKeys = useMemo(() => new Set((definition?.rules.options ?? []).map((o) => o.key)), [definition]);
  const problems = ruleProblems(valueType, rules);
  const needsOptions = (valueType === 'single_select' || valueType === 'multi_select') && !rules.options?.length;
  const rulesOk = Object.keys(problems).length === 0 && !needsOptions;
  const canSubmit = name.trim() !== '' && (definition !== null || key.trim() !== '') && rulesOk && !busy;

  const groupOptions = [{ value: NO_GROUP, label: 'No group' }, ...(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))];

  const changeType = (next: ValueType) => {
    // Back to the stored type: its stored rules again.
    setRules(definition && next === definition.valueType ? definition.rules : rulesForType(rules, valueType, next));
    setValueType(next);
  };

  const fail = (e: unknown) => {
    setError(e);
    setBusy(false);
  };

  /** Count what `input` would make invalid: confirm when some would, else send it. */
  const checkThenUpdate = async (input: PropertyDefinitionUpdate, recounted: boolean) => {
    const impact = await propertyDefinitionImpact(input);
    if (impact.invalid > 0) {
      setStep({ kind: 'confirm', impact, input, recounted });
      setBusy(false);
      return;
    }
    await updateDefinition(input);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    const fields = {
      groupId,
      name: name.trim(),
      description: description.trim() || null,
      valueType,
      isRequired,
      isSensitive,
      isSearchable,
    };
    if (definition === null) {
      try {
        await createDefinition({ key: key.trim(), ...fields, rules: normalizeRules(valueType, rules) });
        onClose();
      } catch (e) {
        fail(e);
      }
      return;
    }
    const schemaEdit = valueType !== definition.valueType || !sameRules(valueType, rules, definition.rules);
    const input: PropertyDefinitionUpdate = {
      id: definition.id,
      expectedUpdatedAt: definition.updatedAt,
      ...fields,
      // Unchanged rules go back exactly as stored.
      rules: schemaEdit ? normalizeRules(valueType, rules) : definition.rules,
      acceptInvalid: null,
    };
    try {
      if (schemaEdit) await checkThenUpdate(input, false);
      else {
        await updateDefinition(input);
        onClose();
      }
    } catch (e) {
      if (!needsConfirmation(e)) return fail(e);
      // Values changed since they were counted: count again.
      try {
        await checkThenUpdate(input, true);
      } catch (again) {
        fail(again);
      }
    }
  };

  const confirm = async (input: PropertyDefinitionUpdate, impact: DefinitionImpact) => {
    setBusy(true);
    setError(null);
    try {
      await updateDefinition({ ...input, acceptInvalid: impact.invalid });
      onClose();
    } catch (e) {
      if (!needsConfirmation(e)) {
        setStep({ kind: 'form' });
        return fail(e);
      }
      try {
        await checkThenUpdate({ ...input, acceptInvalid: null }, true);
      } catch (again) {
        setStep({ kind: 'form' });
        fail(again);
      }
    }
  };

  const title = definition ? `Edit property ${definition.name}` : 'New property';

  if (step.kind === 'confirm') {
    return (
      <Modal opened onClose={onClose} title={title} centered size="xl">
        <ImpactConfirm
          impact={step.impact}
          recounted={step.recounted}
          sensitive={isSensitive || definition?.isSensitive === true}
          busy={busy}
          onBack={() => setStep({ kind: 'form' })}
          onConfirm={() => void confirm(step.input, step.impact)}
        />
      </Modal>
    );
  }

  return (
    <Modal opened onClose={onClose} title={title} centered size="xl">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          <SimpleGrid cols={2}>
            {definition === null ? (
              <TextInput
                label="Key"
                description="Stable identifier, e.g. rated_power. Cannot be changed later."
                value={key}
                onChange={(e) => setKey(e.currentTarget.value)}
                error={fieldError(error, 'key')}
                required
                data-autofocus
                data-testid="definition-key"
              />
            ) : (
              <TextInput label="Key" description="Fixed when the property was created." value={definition.key} readOnly variant="filled" data-testid="definition-key-fixed" />
            )}
            <TextInput
              label="Name"
              description="Shown beside the value"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(error, 'name')}
              required
              data-autofocus={definition !== null || undefined}
              data-testid="definition-name"
            />
          </SimpleGrid>
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(error, 'description')}
            autosize
            minRows={1}
            data-testid="definition-description"
          />
          <SimpleGrid cols={2}>
            <Select
              label="Group"
              data={groupOptions}
              value={groupId ?? NO_GROUP}
              onChange={(v) => setGroupId(v === null || v === NO_GROUP ? null : v)}
              allowDeselect={false}
              error={fieldError(error, 'groupId')}
              comboboxProps={{ withinPortal: false }}
              data-testid="definition-group"
            />
            <Select
              label="Type"
              description={definition ? 'A new type is checked against the stored values' : undefined}
              data={VALUE_TYPES}
              value={valueType}
              onChange={(v) => v && changeType(v as ValueType)}
              allowDeselect={false}
              error={fieldError(error, 'valueType')}
              comboboxProps={{ withinPortal: false }}
              data-testid="definition-type"
            />
          </SimpleGrid>
          <SimpleGrid cols={3}>
            <Switch label="Required" description="Every entity needs a value" checked={isRequired} onChange={(e) => setIsRequired(e.currentTarget.checked)} data-testid="definition-required" />
            <Switch
              label="Sensitive"
              description="Values are hidden in history and lists"
              checked={isSensitive}
              onChange={(e) => setIsSensitive(e.currentTarget.checked)}
              data-testid="definition-sensitive"
            />
            <Switch label="Searchable" description="Values are found by search" checked={isSearchable} onChange={(e) => setIsSearchable(e.currentTarget.checked)} data-testid="definition-searchable" />
          </SimpleGrid>
          <RuleEditor valueType={valueType} rules={rules} onChange={setRules} storedOptionKeys={storedOptionKeys} error={fieldError(error, 'validation')} />
          {error !== null && !isFieldError(error, FIELDS) && (
            <ErrorNotice
              error={error}
              onReload={() => {
                reload();
                onClose();
              }}
            />
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose} data-testid="definition-cancel">
              Cancel
            </Button>
            <Button ref={saveButton} type="submit" loading={busy} disabled={!canSubmit} data-testid="definition-save">
              {definition ? 'Save' : 'Create'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

type ImpactProps = {
  impact: DefinitionImpact;
  recounted: boolean;
  sensitive: boolean;
  busy: boolean;
  onBack: () => void;
  onConfirm: () => void;
};

/** "N of M stored values would become invalid", with examples; confirm or go back. */
function ImpactConfirm({ impact, recounted, sensitive, busy, onBack, onConfirm }: ImpactProps) {
  const { invalid, values, samples } = impact;
  const back = useRef<HTMLButtonElement>(null);
  // The form that had the focus is gone: start at the safe choice.
  useEffect(() => back.current?.focus(), []);
  return (
    <Stack gap="md" data-testid="impact-confirm">
      <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title={`${formatCount(invalid)} of ${formatCount(values)} stored values would become invalid`} data-testid="impact-summary">
        <Text size="sm">
          {recounted ? 'The stored values changed while you edited: these are the current ones. ' : ''}
          Saving keeps them as they are; they are shown as invalid on their entities until someone corrects them.
        </Text>
      </Alert>
      <Table withTableBorder verticalSpacing="xs" data-testid="impact-samples">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Entity</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Problem</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {samples.map((sample, i) => (
            <Table.Tr key={`${sample.entityId}-${i}`} data-testid={`impact-sample-${i}`}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {sample.entityName || 'Unnamed'}
                </Text>
              </Table.Td>
              <Table.Td maw={260}>
                {sample.value === null ? (
                  <Text size="sm" c="dimmed" fs="italic">
                    {sensitive ? 'Hidden (sensitive)' : 'Hidden'}
                  </Text>
                ) : (
                  <Code style={{ wordBreak: 'break-all' }}>{sample.value.length > 120 ? `${sample.value.slice(0, 120)}…` : sample.value}</Code>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{sample.problem}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {invalid > samples.length && (
        <Text size="xs" c="dimmed">
          The first {formatCount(samples.length)} of {formatCount(invalid)} are shown.
        </Text>
      )}
      <Group justify="flex-end" gap="sm">
        <Button ref={back} variant="default" onClick={onBack} disabled={busy} data-testid="impact-back">
          Back to the form
        </Button>
        <Button color="orange" loading={busy} onClick={onConfirm} data-testid="impact-accept">
          Save and keep {formatCount(invalid)} invalid {invalid === 1 ? 'value' : 'values'}
        </Button>
      </Group>
    </Stack>
  );
}

// The settings form of each node type.
import { ActionIcon, Checkbox, Group, NumberInput, Select, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { Capability } from '../../../bindings';
import type { DeadlineOutcome } from '../types';
import type { NodeConfig } from './documentModel';
import { JsonFilterInput } from './JsonFilterInput';
import type { FieldProblems } from './problems';

export type NodeFormProps<C> = { config: C; onChange: (next: C) => void; problems: FieldProblems };

export const TEMPLATE_HINT = 'Template: {{ entity.name }}, {{ entity.properties.<key> }}, {{ nodes.<id>.<field> }}…';

export const ALERT_LEVELS = ['info', 'warning', 'critical'] as const;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const CAPABILITIES: readonly Capability[] = ['read', 'write', 'admin', 'secrets:read', 'secrets:write', 'purge', 'workflows:run', 'workflows:edit'];

const DEADLINE_OUTCOMES: { value: DeadlineOutcome; label: string }[] = [
  { value: 'rejected', label: 'Rejected' },
  { value: 'approved', label: 'Approved' },
  { value: 'failed', label: 'The run fails' },
];

/** A NumberInput's value as a number ('' while empty: `empty`). */
function numberOr<T>(value: number | string, empty: T): number | T {
  if (typeof value === 'number') return value;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : empty;
}

/** Empty text stands for null. */
function textOrNull(text: string): string | null {
  return text === '' ? null : text;
}

export function ConditionForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'condition'>>) {
  return (
    <JsonFilterInput
      label="Filter"
      description="The run's entity is tested against it (the views' filter language): outcome true or false."
      value={config.filter}
      nullable={false}
      onChange={(filter) => filter && onChange({ filter })}
      error={problems.filter}
      testId="wf-config-filter"
    />
  );
}

export function SetPropertyForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'setProperty'>>) {
  const clears = config.value === null;
  return (
    <Stack gap="xs">
      <TextInput label="Property key" placeholder="status" value={config.property} onChange={(e) => onChange({ ...config, property: e.currentTarget.value })} error={problems.property} data-testid="wf-config-property" />
      <Checkbox label="Clear the property" checked={clears} onChange={(e) => onChange({ ...config, value: e.currentTarget.checked ? null : '' })} data-testid="wf-config-clear" />
      {!clears && (
        <TextInput label="Value" description={TEMPLATE_HINT} value={config.value ?? ''} onChange={(e) => onChange({ ...config, value: e.currentTarget.value })} error={problems.value} data-testid="wf-config-value" />
      )}
    </Stack>
  );
}

export function TagForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'addTag'>>) {
  return <TextInput label="Tag key" placeholder="needs_review" value={config.tag} onChange={(e) => onChange({ tag: e.currentTarget.value })} error={problems.tag} data-testid="wf-config-tag" />;
}

export function CreateChildForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'createChild'>>) {
  return (
    <Stack gap="xs">
      <TextInput label="Entity type key" placeholder="device" value={config.typeKey} onChange={(e) => onChange({ ...config, typeKey: e.currentTarget.value })} error={problems.typeKey} data-testid="wf-config-type-key" />
      <TextInput label="Name" description={TEMPLATE_HINT} value={config.name} onChange={(e) => onChange({ ...config, name: e.currentTarget.value })} error={problems.name} data-testid="wf-config-name" />
    </Stack>
  );
}

export function MoveForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'move'>>) {
  return (
    <TextInput
      label="New parent"
      description={`An entity id or path label. ${TEMPLATE_HINT}`}
      value={config.parent}
      onChange={(e) => onChange({ parent: e.currentTarget.value })}
      error={problems.parent}
      data-testid="wf-config-parent"
    />
  );
}

export function RaiseAlertForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'raiseAlert'>>) {
  return (
    <Stack gap="xs">
      <Select
        label="Level"
        data={ALERT_LEVELS.map((level) => ({ value: level, label: level[0].toUpperCase() + level.slice(1) }))}
        value={config.level}
        onChange={(level) => level && onChange({ ...config, level })}
        allowDeselect={false}
        error={problems.level}
        data-testid="wf-config-level"
      />
      <Textarea label="Message" description={TEMPLATE_HINT} autosize minRows={2} value={config.message} onChange={(e) => onChange({ ...config, message: e.currentTarget.value })} error={problems.message} data-testid="wf-config-message" />
    </Stack>
  );
}

export function ResolveAlertForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'resolveAlert'>>) {
  return (
    <TextInput
      label="Alert"
      description={`An alert id. Empty: every open alert of the run's entity. ${TEMPLATE_HINT}`}
      placeholder="Every open alert of the entity"
      value={config.alert ?? ''}
      onChange={(e) => onChange({ alert: textOrNull(e.currentTarget.value) })}
      error={problems.alert}
      data-testid="wf-config-alert"
    />
  );
}

type HeaderRow = { key: string; value: string };

/** Headers as rows; rows without a name are kept while editing but not sent. */
function HeadersEditor({ headers, onChange, error }: { headers: Record<string, string>; onChange: (next: Record<string, string>) => void; error?: string }) {
  const [rows, setRows] = useState<HeaderRow[]>(() => Object.entries(headers).map(([key, value]) => ({ key, value })));
  const update = (next: HeaderRow[]) => {
    setRows(next);
    onChange(Object.fromEntries(next.filter((row) => row.key.trim() !== '').map((row) => [row.key.trim(), row.value])));
  };
  const edit = (index: number, patch: Partial<HeaderRow>) => update(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const names = rows.map((row) => row.key.trim().toLowerCase());
  return (
    <Stack gap={4} data-testid="wf-config-headers">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          Headers
        </Text>
        <ActionIcon variant="subtle" size="sm" aria-label="Add a header" onClick={() => update([...rows, { key: '', value: '' }])} data-testid="wf-config-header-add">
          <IconPlus size={14} />
        </ActionIcon>
      </Group>
      {rows.map((row, index) => {
        const duplicate = row.key.trim() !== '' && names.indexOf(names[index]) !== index;
        return (
          <Group key={index} gap={4} wrap="nowrap" align="flex-start">
            <TextInput
              size="xs"
              placeholder="Name"
              aria-label={`Header ${index + 1} name`}
              value={row.key}
              onChange={(e) => edit(index, { key: e.currentTarget.value })}
              error={duplicate ? 'Named twice' : undefined}
              style={{ flex: 1 }}
              data-testid={`wf-config-header-key-${index}`}
            />
            <TextInput
              size="xs"
              placeholder="Value"
              aria-label={`Header ${index + 1} value`}
              value={row.value}
              onChange={(e) => edit(index, { value: e.currentTarget.value })}
              style={{ flex: 2 }}
              data-testid={`wf-config-header-value-${index}`}
            />
            <ActionIcon variant="subtle" color="gray" aria-label={`Remove header ${index + 1}`} onClick={() => update(rows.filter((_, i) => i !== index))}>
              <IconTrash size={14} />
            </ActionIcon>
          </Group>
        );
      })}
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Stack>
  );
}

export function HttpRequestForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'httpRequest'>>) {
  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Select
          label="Method"
          data={[...HTTP_METHODS]}
          value={config.method}
          onChange={(method) => method && onChange({ ...config, method })}
          allowDeselect={false}
          error={problems.method}
          w={110}
          data-testid="wf-config-method"
        />
        <TextInput
          label="URL"
          placeholder="https://example.com/hook"
          value={config.url}
          onChange={(e) => onChange({ ...config, url: e.currentTarget.value })}
          error={problems.url}
          style={{ flex: 1 }}
          data-testid="wf-config-url"
        />
      </Group>
      <HeadersEditor headers={config.headers} onChange={(headers) => onChange({ ...config, headers })} error={problems.headers} />
      <Textarea
        label="Body"
        description={TEMPLATE_HINT}
        autosize
        minRows={3}
        maxRows={12}
        value={config.body ?? ''}
        onChange={(e) => onChange({ ...config, body: textOrNull(e.currentTarget.value) })}
        error={problems.body}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        data-testid="wf-config-body"
      />
      <TextInput
        label="Bearer token secret"
        description="The id of a vault secret sent as the bearer token."
        value={config.authSecret ?? ''}
        onChange={(e) => onChange({ ...config, authSecret: textOrNull(e.currentTarget.value.trim()) })}
        error={problems.authSecret}
        data-testid="wf-config-auth-secret"
      />
      <TextInput
        label="Signing secret"
        description="The id of a vault secret that signs the body (X-Eco-Signature)."
        value={config.signingSecret ?? ''}
        onChange={(e) => onChange({ ...config, signingSecret: textOrNull(e.currentTarget.value.trim()) })}
        error={problems.signingSecret}
        data-testid="wf-config-signing-secret"
      />
    </Stack>
  );
}

export function ApprovalForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'approval'>>) {
  return (
    <Stack gap="xs">
      <TextInput label="Title" description={TEMPLATE_HINT} value={config.title} onChange={(e) => onChange({ ...config, title: e.currentTarget.value })} error={problems.title} data-testid="wf-config-title" />
      <TagsInput
        label="Approvers"
        description="People's ids; press Enter or type a comma after each."
        value={config.approvers}
        onChange={(approvers) => onChange({ ...config, approvers })}
        splitChars={[',', ' ']}
        error={problems.approvers}
        data-testid="wf-config-approvers"
      />
      <Select
        label="Or anyone holding"
        description="A capability on the workflow's root."
        placeholder="No capability"
        data={[...CAPABILITIES]}
        value={config.capability}
        onChange={(capability) => onChange({ ...config, capability })}
        clearable
        error={problems.capability}
        data-testid="wf-config-capability"
      />
      <NumberInput
        label="Approvals required"
        min={1}
        allowDecimal={false}
        value={config.required}
        onChange={(value) => onChange({ ...config, required: numberOr(value, 0) })}
        error={problems.required}
        data-testid="wf-config-required"
      />
      <Group gap="xs" grow align="flex-start">
        <NumberInput
          label="Deadline (hours)"
          placeholder="None"
          min={0}
          value={config.deadlineHours ?? ''}
          onChange={(value) => onChange({ ...config, deadlineHours: numberOr(value, null) })}
          error={problems.deadlineHours}
          data-testid="wf-config-deadline-hours"
        />
        <Select
          label="At the deadline"
          data={DEADLINE_OUTCOMES}
          value={config.onDeadline}
          onChange={(value) => value && onChange({ ...config, onDeadline: value as DeadlineOutcome })}
          allowDeselect={false}
          disabled={config.deadlineHours === null}
          error={problems.onDeadline}
          data-testid="wf-config-on-deadline"
        />
      </Group>
    </Stack>
  );
}

export function DelayForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'delay'>>) {
  return (
    <NumberInput
      label="Wait (seconds)"
      description="1 second to 31 days."
      min={1}
      allowDecimal={false}
      value={config.seconds}
      onChange={(value) => onChange({ seconds: numberOr(value, 0) })}
      error={problems.seconds}
      data-testid="wf-config-seconds"
    />
  );
}

export function NotifyForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'notify'>>) {
  return (
    <Stack gap="xs">
      <Textarea label="Message" description={TEMPLATE_HINT} autosize minRows={2} value={config.message} onChange={(e) => onChange({ ...config, message: e.currentTarget.value })} error={problems.message} data-testid="wf-config-message" />
      <TagsInput
        label="Recipients"
        description="People's ids. None: whoever started the run (else the publisher)."
        value={config.to}
        onChange={(to) => onChange({ ...config, to })}
        splitChars={[',', ' ']}
        error={problems.to}
        data-testid="wf-config-to"
      />
    </Stack>
  );
}

export function LoopForm({ config, onChange, problems }: NodeFormProps<NodeConfig<'loop'>>) {
  return (
    <NumberInput
      label="At most (times)"
      description="Outcome “again” this many times, then “done”."
      min={1}
      max={1000}
      allowDecimal={false}
      value={config.maxIterations}
      onChange={(value) => onChange({ maxIterations: numberOr(value, 0) })}
      error={problems.maxIterations}
      data-testid="wf-config-max-iterations"
    />
  );
}

// The fields every node has: its id, name, retry policy and timeout.
import { Group, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { RetryPolicy, WorkflowNode } from '../types';
import type { FieldProblems } from './problems';

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, backoffMs: 1000, factor: 2, maxBackoffMs: 300_000 };

type Props = {
  node: WorkflowNode;
  onChange: (next: WorkflowNode) => void;
  /** Why a new id cannot be used, or null. */
  idProblem: (id: string) => string | null;
  problems: FieldProblems;
};

function numberOr<T>(value: number | string, empty: T): number | T {
  if (typeof value === 'number') return value;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : empty;
}

/** The id, taken when the field is left (other steps' templates may name it). */
function NodeIdInput({ id, onRename, idProblem, error }: { id: string; onRename: (id: string) => void; idProblem: (id: string) => string | null; error?: string }) {
  const [text, setText] = useState<string | null>(null);
  const value = text ?? id;
  const problem = text === null ? null : idProblem(text.trim());
  return (
    <TextInput
      label="Id"
      description="Templates name the step's results by it: {{ nodes.<id>.output }}."
      value={value}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => {
        if (text !== null && problem === null) onRename(text.trim());
        if (problem === null) setText(null);
      }}
      error={problem ?? error}
      data-testid="wf-node-id"
    />
  );
}

function RetryFields({ retry, onChange, problems }: { retry: RetryPolicy; onChange: (next: RetryPolicy) => void; problems: FieldProblems }) {
  return (
    <Stack gap={6} pl="md">
      <Group gap="xs" grow align="flex-start">
        <NumberInput
          label="Attempts"
          size="xs"
          min={1}
          max={20}
          allowDecimal={false}
          value={retry.maxAttempts}
          onChange={(value) => onChange({ ...retry, maxAttempts: numberOr(value, 1) })}
          data-testid="wf-retry-attempts"
        />
        <NumberInput
          label="First wait (ms)"
          size="xs"
          min={0}
          step={500}
          allowDecimal={false}
          value={retry.backoffMs}
          onChange={(value) => onChange({ ...retry, backoffMs: numberOr(value, 0) })}
          data-testid="wf-retry-backoff"
        />
      </Group>
      <Group gap="xs" grow align="flex-start">
        <NumberInput
          label="Factor"
          size="xs"
          min={1}
          max={10}
          step={0.5}
          decimalScale={2}
          value={retry.factor}
          onChange={(value) => onChange({ ...retry, factor: numberOr(value, 1) })}
          data-testid="wf-retry-factor"
        />
        <NumberInput
          label="Longest wait (ms)"
          size="xs"
          min={0}
          step={1000}
          allowDecimal={false}
          value={retry.maxBackoffMs}
          onChange={(value) => onChange({ ...retry, maxBackoffMs: numberOr(value, 0) })}
          data-testid="wf-retry-max-backoff"
        />
      </Group>
      {problems.retry && (
        <Text size="xs" c="red">
          {problems.retry}
        </Text>
      )}
    </Stack>
  );
}

export function CommonNodeFields({ node, onChange, idProblem, problems }: Props) {
  return (
    <Stack gap="xs">
      <TextInput
        label="Name"
        placeholder={node.id}
        value={node.name ?? ''}
        onChange={(e) => onChange({ ...node, name: e.currentTarget.value === '' ? null : e.currentTarget.value })}
        error={problems.name}
        data-testid="wf-node-name"
      />
      <NodeIdInput key={node.id} id={node.id} onRename={(id) => onChange({ ...node, id })} idProblem={idProblem} error={problems.id} />
      <Switch
        label="Retry when it fails"
        checked={node.retry !== null}
        onChange={(e) => onChange({ ...node, retry: e.currentTarget.checked ? DEFAULT_RETRY : null })}
        data-testid="wf-retry"
      />
      {node.retry !== null && <RetryFields retry={node.retry} onChange={(retry) => onChange({ ...node, retry })} problems={problems} />}
      <NumberInput
        label="Timeout (ms)"
        description="Per attempt; HTTP requests allow 100 ms to 120 s."
        placeholder="Default"
        min={0}
        step={1000}
        allowDecimal={false}
        value={node.timeoutMs ?? ''}
        onChange={(value) => onChange({ ...node, timeoutMs: numberOr(value, null) })}
        error={problems.timeoutMs}
        data-testid="wf-node-timeout"
      />
    </Stack>
  );
}

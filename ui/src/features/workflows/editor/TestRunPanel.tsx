// A sandboxed run of the draft on one entity: what each step would do,
// without writing anything.
import { Alert, Badge, Button, Code, Group, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import type { TestRun, TestStep } from '../types';
import classes from './Editor.module.css';
import { nodeModule, nodeRegistry } from './nodeRegistry';

/** The request an httpRequest step would send, as the test run reports it. */
export type WouldSendRequest = { method: string; url: string; headers: Record<string, string>; body: string | null };

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

export function wouldSendRequest(step: TestStep): WouldSendRequest | null {
  if (step.nodeType !== 'httpRequest') return null;
  const output = step.output;
  if (typeof output !== 'object' || output === null) return null;
  const { method, url, headers, body } = output as Record<string, unknown>;
  if (typeof method !== 'string' || typeof url !== 'string') return null;
  return {
    method,
    url,
    headers: isStringRecord(headers) ? headers : {},
    body: typeof body === 'string' ? body : body === null || body === undefined ? null : JSON.stringify(body, null, 2),
  };
}

function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

function typeLabel(nodeType: string): string {
  return nodeType in nodeRegistry ? nodeModule(nodeType as keyof typeof nodeRegistry).label : nodeType;
}

function RequestPreview({ request, index }: { request: WouldSendRequest; index: number }) {
  const headerLines = Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`);
  const text = [`${request.method} ${request.url}`, ...headerLines, ...(request.body !== null ? ['', request.body] : [])].join('\n');
  return (
    <Stack gap={2}>
      <Text size="xs" fw={600}>
        Would send
      </Text>
      <Code block className={classes.json} data-testid={`wf-test-http-${index}`}>
        {text}
      </Code>
    </Stack>
  );
}

function StepResult({ step, index, onSelectNode }: { step: TestStep; index: number; onSelectNode: (id: string) => void }) {
  const request = wouldSendRequest(step);
  return (
    <Stack gap={4} p="xs" style={{ border: '1px solid var(--eco-border)', borderRadius: 'var(--mantine-radius-sm)' }} data-testid={`wf-test-step-${index}`}>
      <Group justify="space-between" wrap="nowrap">
        <UnstyledButton onClick={() => onSelectNode(step.nodeId)} title="Show the step">
          <Text size="sm" fw={600} ff="monospace">
            {index + 1}. {step.nodeId}
          </Text>
          <Text size="xs" c="dimmed">
            {typeLabel(step.nodeType)}
          </Text>
        </UnstyledButton>
        {step.error !== null ? (
          <Badge color="red" variant="light">
            failed
          </Badge>
        ) : (
          step.outcome !== null && (
            <Badge variant="light" data-testid={`wf-test-outcome-${index}`}>
              {step.outcome}
            </Badge>
          )
        )}
      </Group>
      {step.error !== null && (
        <Text size="sm" c="red" data-testid={`wf-test-error-${index}`}>
          {step.error}
        </Text>
      )}
      {request && <RequestPreview request={request} index={index} />}
      <Text size="xs" fw={600}>
        Input
      </Text>
      <Code block className={classes.json}>
        {prettyJson(step.input)}
      </Code>
      {step.output !== null && !request && (
        <>
          <Text size="xs" fw={600}>
            Output
          </Text>
          <Code block className={classes.json}>
            {prettyJson(step.output)}
          </Code>
        </>
      )}
    </Stack>
  );
}

export function TestRunResult({ run, onSelectNode }: { run: TestRun; onSelectNode: (id: string) => void }) {
  return (
    <Stack gap="xs" data-testid="wf-test-steps">
      {run.note && (
        <Alert color={run.finished ? 'blue' : 'yellow'} variant="light" p="xs">
          <Text size="sm">{run.note}</Text>
        </Alert>
      )}
      {run.steps.length === 0 && (
        <Text size="sm" c="dimmed">
          No step ran.
        </Text>
      )}
      {run.steps.map((step, i) => (
        <StepResult key={i} step={step} index={i} onSelectNode={onSelectNode} />
      ))}
      <Text size="xs" c="dimmed">
        {run.finished ? 'The run reached its end.' : 'The run stopped before its end.'} Nothing was written.
      </Text>
    </Stack>
  );
}

type Props = {
  entityId: string;
  onEntityIdChange: (entityId: string) => void;
  onRun: () => void;
  running: boolean;
  result: TestRun | null;
  /** Why the last run could not be made, or null. */
  error: unknown;
  onSelectNode: (id: string) => void;
};

export function TestRunPanel({ entityId, onEntityIdChange, onRun, running, result, error, onSelectNode }: Props) {
  return (
    <Stack gap="sm" data-testid="wf-test-panel">
      <Text size="xs" c="dimmed">
        Runs the draft as it is now, without saving it and without changing anything: each step shows what it would do.
      </Text>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          label="Entity id"
          placeholder="None"
          value={entityId}
          onChange={(e) => onEntityIdChange(e.currentTarget.value)}
          style={{ flex: 1 }}
          data-testid="wf-test-entity"
        />
        <Button leftSection={<IconPlayerPlay size={14} />} onClick={onRun} loading={running} data-testid="wf-test-start">
          Run
        </Button>
      </Group>
      {error !== null && <ErrorNotice error={error} subject="Test run" compact />}
      {result && <TestRunResult run={result} onSelectNode={onSelectNode} />}
    </Stack>
  );
}

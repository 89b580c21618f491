import { Badge, Card, Code, Group, Stack, Text, Title } from '@mantine/core';
import { formatDateTime } from '../../../shared/format';
import type { ExecutionStep, WorkflowNode } from '../types';
import classes from '../Workflows.module.css';
import { durationMs, NODE_STATE_COLOR, NODE_STATE_LABEL, NODE_TYPE_LABEL, nodeLabel, prettyJson } from '../workflowsModel';

/** Every step one node ran in a run (each attempt), with its input, output and error. */
export function NodeSteps({ node, steps }: { node: WorkflowNode; steps: ExecutionStep[] }) {
  return (
    <Stack gap="sm" data-testid={`node-steps-${node.id}`}>
      <div>
        <Title order={5}>{nodeLabel(node)}</Title>
        <Text size="xs" c="dimmed">
          {NODE_TYPE_LABEL[node.type]} · {node.id}
        </Text>
      </div>
      {steps.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="node-steps-none">
          This node has not run.
        </Text>
      ) : (
        steps.map((step) => <StepCard key={step.id} step={step} />)
      )}
    </Stack>
  );
}

function StepCard({ step }: { step: ExecutionStep }) {
  const ms = durationMs(step.startedAt, step.finishedAt);
  return (
    <Card withBorder padding="sm" data-testid={`step-${step.id}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600}>
            Attempt {step.attempt}
          </Text>
          <Badge size="sm" variant="light" color={NODE_STATE_COLOR[step.status]} data-testid={`step-status-${step.id}`}>
            {NODE_STATE_LABEL[step.status]}
          </Badge>
        </Group>
        <dl>
          <Fact label="Outcome" value={step.outcome ?? '—'} />
          <Fact label="Runner" value={step.runner ?? '—'} />
          <Fact label="Started" value={formatDateTime(step.startedAt)} />
          <Fact label="Finished" value={step.finishedAt === null ? '—' : formatDateTime(step.finishedAt)} />
          <Fact label="Duration" value={ms === null ? '—' : `${ms} ms`} testId={`step-duration-${step.id}`} />
        </dl>
        {step.error !== null && (
          <Code block color="var(--eco-danger-surface)" data-testid={`step-error-${step.id}`}>
            {step.error}
          </Code>
        )}
        <JsonBlock label="Input" value={step.input} testId={`step-input-${step.id}`} />
        {step.output !== null && <JsonBlock label="Output" value={step.output} testId={`step-output-${step.id}`} />}
      </Stack>
    </Card>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Text component="dt" size="xs" c="dimmed" w={64}>
        {label}
      </Text>
      <Text component="dd" size="xs" m={0} data-testid={testId}>
        {value}
      </Text>
    </Group>
  );
}

function JsonBlock({ label, value, testId }: { label: string; value: unknown; testId: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Code block className={classes.json} data-testid={testId}>
        {prettyJson(value)}
      </Code>
    </div>
  );
}

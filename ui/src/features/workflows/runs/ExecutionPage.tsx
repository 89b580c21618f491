import { Alert, Badge, Button, Card, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconArrowLeft, IconPlayerStop, IconRefresh, IconRotateClockwise } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { describeError } from '../../../ipc/errors';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatDateTime } from '../../../shared/format';
import { ApprovalCard } from '../approvals/ApprovalCard';
import { executionQuery, useCancelExecution, useRetryExecution, type RetryFrom } from '../api';
import type { Execution, ExecutionDetail } from '../types';
import classes from '../Workflows.module.css';
import { canCancel, canRetry, durationMs, EXECUTION_STATUS_COLOR, EXECUTION_STATUS_LABEL, formatDuration, nodeStates, stepsOfNode, triggerLabel } from '../workflowsModel';
import { NodeSteps } from './NodeSteps';

const ExecutionGraph = lazy(() => import('./ExecutionGraph'));

type Props = {
  id: string;
  onBack: () => void;
  /** Opens another run (the one a retry started). */
  onOpenExecution: (id: string) => void;
};

/** One run: how it went, its graph coloured by step status, each node's steps, its approvals; refreshed until it is final. */
export function ExecutionPage({ id, onBack, onOpenExecution }: Props) {
  const detail = useQuery(executionQuery(id));
  return (
    <div className={classes.page} data-testid="execution-page">
      <div className={classes.pageHeader}>
        <Button size="compact-sm" variant="subtle" leftSection={<IconArrowLeft size={14} />} onClick={onBack} data-testid="execution-back">
          Back
        </Button>
        {detail.data && <ExecutionTitle execution={detail.data.execution} />}
        {detail.data && <ExecutionActions execution={detail.data.execution} onOpenExecution={onOpenExecution} />}
      </div>
      <div className={classes.pageBody}>
        {detail.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : detail.isError ? (
          <ErrorNotice error={detail.error} subject="Run" />
        ) : (
          <ExecutionBody detail={detail.data} onOpenExecution={onOpenExecution} />
        )}
      </div>
    </div>
  );
}

function ExecutionTitle({ execution }: { execution: Execution }) {
  return (
    <Group gap="xs" wrap="nowrap" style={{ flex: '1 1 auto', minWidth: 0 }}>
      <Title order={4} lineClamp={1} data-testid="execution-title">
        {execution.workflowName}
      </Title>
      <Badge variant="outline" color="gray">
        v{execution.version}
      </Badge>
      <Badge variant="light" color={EXECUTION_STATUS_COLOR[execution.status]} data-testid="execution-status">
        {EXECUTION_STATUS_LABEL[execution.status]}
      </Badge>
      {execution.cancelRequested && execution.status !== 'cancelled' && (
        <Badge variant="light" color="orange" data-testid="execution-cancel-requested">
          Cancel requested
        </Badge>
      )}
    </Group>
  );
}

/** Cancel while the run is going; the two retries once it failed or was cancelled. */
function ExecutionActions({ execution, onOpenExecution }: { execution: Execution; onOpenExecution: (id: string) => void }) {
  const cancel = useCancelExecution();
  const retry = useRetryExecution();
  const [busy, setBusy] = useState<'cancel' | RetryFrom | null>(null);

  const act = async (action: 'cancel' | RetryFrom) => {
    setBusy(action);
    try {
      if (action === 'cancel') {
        await cancel(execution.id);
      } else {
        const started = await retry({ id: execution.id, from: action });
        notifications.show({ color: 'teal', title: 'Retry started', message: `Run of "${execution.workflowName}" started again.`, autoClose: 4000 });
        if (started.id !== execution.id) onOpenExecution(started.id);
      }
    } catch (error) {
      const { title, message } = describeError(error);
      notifications.show({ color: 'red', title: action === 'cancel' ? `Could not cancel: ${title}` : `Could not retry: ${title}`, message, autoClose: 8000 });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Group gap="xs" wrap="nowrap">
      {canCancel(execution) && (
        <Button size="xs" color="red" variant="light" leftSection={<IconPlayerStop size={14} />} loading={busy === 'cancel'} disabled={busy !== null} onClick={() => void act('cancel')} data-testid="execution-cancel">
          Cancel
        </Button>
      )}
      {canRetry(execution) && (
        <>
          <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={busy === 'failedStep'} disabled={busy !== null} onClick={() => void act('failedStep')} data-testid="execution-retry-step">
            Retry from failed step
          </Button>
          <Button size="xs" variant="default" leftSection={<IconRotateClockwise size={14} />} loading={busy === 'trigger'} disabled={busy !== null} onClick={() => void act('trigger')} data-testid="execution-retry-trigger">
            Retry from trigger
          </Button>
        </>
      )}
    </Group>
  );
}

function ExecutionBody({ detail, onOpenExecution }: { detail: ExecutionDetail; onOpenExecution: (id: string) => void }) {
  const { execution, steps, document, approvals } = detail;
  const { retryOf } = execution;
  const [chosenNode, setChosenNode] = useState<string | null>(null);
  const states = useMemo(() => nodeStates(steps), [steps]);
  // Until one is clicked, the node the run is at.
  const selectedId = chosenNode ?? execution.currentNode;
  const selectedNode = document.nodes.find((node) => node.id === selectedId) ?? null;
  const pendingApprovals = approvals.filter((request) => request.status === 'pending');
  const decidedApprovals = approvals.filter((request) => request.status !== 'pending');

  return (
    <Stack gap="md">
      <ExecutionFacts execution={execution} />
      {execution.error !== null && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Error" data-testid="execution-error">
          {execution.error}
        </Alert>
      )}
      <div className={classes.runLayout}>
        <Suspense
          fallback={
            <Center className={classes.graph}>
              <Loader size="sm" />
            </Center>
          }
        >
          <ExecutionGraph document={document} states={states} currentNode={execution.currentNode} selectedNode={selectedId} onSelect={setChosenNode} />
        </Suspense>
        <Card withBorder padding="sm">
          {selectedNode ? (
            <NodeSteps node={selectedNode} steps={stepsOfNode(steps, selectedNode.id)} />
          ) : (
            <Text size="sm" c="dimmed" data-testid="node-steps-hint">
              Click a node to see its steps.
            </Text>
          )}
        </Card>
      </div>
      {approvals.length > 0 && (
        <Stack gap="xs" data-testid="execution-approvals">
          <Title order={5}>Approvals</Title>
          {[...pendingApprovals, ...decidedApprovals].map((request) => (
            <ApprovalCard key={request.id} request={request} />
          ))}
        </Stack>
      )}
      {retryOf !== null && (
        <Text size="sm" c="dimmed">
          A retry of{' '}
          <Button variant="subtle" size="compact-xs" onClick={() => onOpenExecution(retryOf)} data-testid="execution-retry-of">
            an earlier run
          </Button>
        </Text>
      )}
    </Stack>
  );
}

function ExecutionFacts({ execution }: { execution: Execution }) {
  const ms = durationMs(execution.startedAt, execution.finishedAt);
  const facts: [string, string, string][] = [
    ['Entity', execution.entityName ?? execution.entityId ?? 'No entity', 'execution-entity'],
    ['Trigger', triggerLabel(execution.triggerKind), 'execution-trigger'],
    ['Started', execution.startedAt === null ? 'Not yet' : formatDateTime(execution.startedAt), 'execution-started'],
    ['Finished', execution.finishedAt === null ? '—' : formatDateTime(execution.finishedAt), 'execution-finished'],
    ['Duration', ms === null ? '—' : formatDuration(ms), 'execution-duration'],
    ['Attempt', String(execution.attempt), 'execution-attempt'],
  ];
  if (execution.nextRunAt !== null && execution.status === 'waiting') facts.push(['Resumes', formatDateTime(execution.nextRunAt), 'execution-next-run']);
  return (
    <Group gap="xl" data-testid="execution-facts">
      {facts.map(([label, value, testId]) => (
        <div key={label}>
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text size="sm" data-testid={testId}>
            {value}
          </Text>
        </div>
      ))}
    </Group>
  );
}

import { ActionIcon, Anchor, Badge, Button, Center, Group, Loader, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconPlayerPlay, IconPlus, IconRoute, IconTrash } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDeleteDialog } from '../../../shared/ConfirmDeleteDialog';
import { EmptyState } from '../../../shared/EmptyState';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { queryKeys } from '../../../shared/queryKeys';
import { showDeletedWithUndo } from '../../../shared/UndoNotice';
import { useActionRequests } from '../../../shared/WorkspaceContext';
import { useDeleteWorkflow, useRestoreWorkflow, workflowsQuery } from '../api';
import type { WorkflowSummary } from '../types';
import classes from '../Workflows.module.css';
import { triggerLabel } from '../workflowsModel';
import { NewWorkflowDialog } from './NewWorkflowDialog';
import { RunWorkflowDialog } from './RunWorkflowDialog';

type Dialog = { kind: 'new' } | { kind: 'run'; workflow: WorkflowSummary } | { kind: 'delete'; workflow: WorkflowSummary };

type Props = {
  onOpenWorkflow: (id: string) => void;
  /** After a Run started runs of a workflow. */
  onRunsStarted: (workflowId: string) => void;
};

/** The workflows: what triggers each, its published version and state; New, Run and Delete. */
export function WorkflowsTab({ onOpenWorkflow, onRunsStarted }: Props) {
  const list = useQuery(workflowsQuery());
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const workflows = (list.data ?? []).filter((w) => w.deletedAt === null);
  useActionRequests('workflows', { new: () => setDialog({ kind: 'new' }) });

  return (
    <Stack gap="sm" data-testid="workflows-tab">
      <Group justify="flex-end">
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setDialog({ kind: 'new' })} data-testid="workflow-new">
          New workflow
        </Button>
      </Group>
      {list.isPending ? (
        <Center p="md">
          <Loader size="sm" />
        </Center>
      ) : list.isError ? (
        <ErrorNotice error={list.error} subject="Workflows" />
      ) : workflows.length === 0 ? (
        <EmptyState
          title="No workflows yet."
          icon={IconRoute}
          framed
          testId="workflows-empty"
          actions={
            <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setDialog({ kind: 'new' })}>
              New workflow
            </Button>
          }
        >
          Make one with New workflow: choose what starts it (by hand, a change in the registry, a schedule or an alert), then add its steps on the canvas.
        </EmptyState>
      ) : (
        <Table className={classes.table} withTableBorder highlightOnHover data-testid="workflow-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Root</Table.Th>
              <Table.Th>Trigger</Table.Th>
              <Table.Th>Published</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {workflows.map((workflow) => (
              <WorkflowRow
                key={workflow.id}
                workflow={workflow}
                onOpen={() => onOpenWorkflow(workflow.id)}
                onRun={() => setDialog({ kind: 'run', workflow })}
                onDelete={() => setDialog({ kind: 'delete', workflow })}
              />
            ))}
          </Table.Tbody>
        </Table>
      )}
      {dialog?.kind === 'new' && <NewWorkflowDialog onCreated={onOpenWorkflow} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'run' && <RunWorkflowDialog workflow={dialog.workflow} onStarted={onRunsStarted} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteWorkflowDialog workflow={dialog.workflow} onClose={() => setDialog(null)} />}
    </Stack>
  );
}

function WorkflowRow({ workflow, onOpen, onRun, onDelete }: { workflow: WorkflowSummary; onOpen: () => void; onRun: () => void; onDelete: () => void }) {
  const published = workflow.publishedVersion !== null;
  return (
    <Table.Tr data-testid={`workflow-row-${workflow.id}`}>
      <Table.Td>
        <Anchor component="button" type="button" fw={500} onClick={onOpen} data-testid={`workflow-open-${workflow.id}`}>
          {workflow.name}
        </Anchor>
        {workflow.description !== null && (
          <Text size="xs" c="dimmed" lineClamp={1}>
            {workflow.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{workflow.rootName ?? (workflow.rootId === null ? 'Whole registry' : workflow.rootId)}</Table.Td>
      <Table.Td>{triggerLabel(workflow.triggerKind)}</Table.Td>
      <Table.Td data-testid={`workflow-published-${workflow.id}`}>{published ? `v${workflow.publishedVersion}` : 'Not published'}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Badge size="sm" variant="light" color={workflow.enabled ? 'teal' : 'gray'} data-testid={`workflow-enabled-${workflow.id}`}>
            {workflow.enabled ? 'Enabled' : 'Disabled'}
          </Badge>
          {workflow.hasUnpublishedChanges && (
            <Badge size="sm" variant="light" color="orange" data-testid={`workflow-unpublished-${workflow.id}`}>
              Unpublished changes
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Tooltip label={published ? 'Run' : 'Publish a version first'} withArrow>
            <span>
              <ActionIcon variant="subtle" disabled={!published} onClick={onRun} aria-label={`Run ${workflow.name}`} data-testid={`workflow-run-${workflow.id}`}>
                <IconPlayerPlay size={16} />
              </ActionIcon>
            </span>
          </Tooltip>
          <Tooltip label="Delete" withArrow>
            <ActionIcon variant="subtle" color="red" onClick={onDelete} aria-label={`Delete ${workflow.name}`} data-testid={`workflow-delete-${workflow.id}`}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** Asks, deletes (restorable), and offers Undo in the notification. */
function DeleteWorkflowDialog({ workflow, onClose }: { workflow: WorkflowSummary; onClose: () => void }) {
  const remove = useDeleteWorkflow();
  const restore = useRestoreWorkflow();
  const client = useQueryClient();

  const deleteIt = async () => {
    const deleted = await remove({ id: workflow.id, expectedUpdatedAt: workflow.updatedAt });
    showDeletedWithUndo({
      id: `workflow-deleted-${workflow.id}`,
      noun: 'Workflow',
      name: workflow.name,
      restore: () => restore({ id: deleted.id, expectedUpdatedAt: deleted.updatedAt }),
      testId: 'workflow-undo-delete',
    });
  };

  return (
    <ConfirmDeleteDialog
      title="Delete workflow"
      question={
        <>
          Delete <b>{workflow.name}</b>? It can be restored.
        </>
      }
      onDelete={deleteIt}
      onReload={() => void client.invalidateQueries({ queryKey: queryKeys.workflows })}
      onClose={onClose}
      confirmTestId="workflow-delete-confirm"
    />
  );
}

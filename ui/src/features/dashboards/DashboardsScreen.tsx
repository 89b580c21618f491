import { ActionIcon, Button, Center, Group, Loader, ScrollArea, Text, TextInput, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { IconFileImport, IconLayoutDashboard, IconPlus, IconTrash, IconUser } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { DashboardSummary } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { showActionUnavailable } from '../../shared/actionNotice';
import { ConfirmDeleteDialog } from '../../shared/ConfirmDeleteDialog';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { FormDialog } from '../../shared/FormDialog';
import { queryKeys } from '../../shared/queryKeys';
import { showDeletedWithUndo } from '../../shared/UndoNotice';
import { useActionRequests, usePane } from '../../shared/WorkspaceContext';
import { ImportReadingsDialog } from '../alerts';
import { dashboardsQuery, useDeleteDashboard, useRestoreDashboard, useSaveDashboard } from './api';
import { newDashboardInput } from './dashboardModel';
import classes from './Dashboards.module.css';
import { OpenDashboard, ScreenActive } from './OpenDashboard';

type Dialog = { kind: 'new' } | { kind: 'delete'; dashboard: DashboardSummary } | { kind: 'import' };

/**
 * Dashboards: the list on the left, the open one on the right (the first
 * by default) with its variables, cross-filters and widgets on a grid.
 * The Dashboards screen. `active`: whether it is the screen shown (a kept,
 * hidden screen neither refreshes nor takes keys).
 */
export function DashboardsScreen({ active = true }: { active?: boolean }) {
  const list = useQuery(dashboardsQuery());
  // Kept by the workspace: the same dashboard opens after a restart.
  const [chosen, setChosen] = usePane<string>('dashboards.open', '');
  const chosenId = chosen === '' ? null : chosen;
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const dashboards = list.data ?? [];
  // The one chosen while it is listed, else the first.
  const openedId = dashboards.some((d) => d.id === chosenId) ? chosenId : (dashboards[0]?.id ?? null);
  const opened = dashboards.find((d) => d.id === openedId) ?? null;
  const openImport = () => setDialog({ kind: 'import' });
  const openNew = () => setDialog({ kind: 'new' });
  // The open dashboard's own commands are its editor's; with none, say why.
  const noDashboard = list.isSuccess && opened === null ? () => showActionUnavailable('There is no dashboard yet: make one with New dashboard.') : undefined;
  useActionRequests('dashboards', {
    new: openNew,
    'import-readings': openImport,
    delete: opened ? () => setDialog({ kind: 'delete', dashboard: opened }) : noDashboard,
    edit: noDashboard,
    'add-widget': noDashboard,
    save: noDashboard,
    refresh: noDashboard,
    'clear-filters': noDashboard,
  });

  return (
    <div className={classes.screen} data-testid="dashboards-screen">
      <aside className={classes.list} aria-label="Dashboard list">
        <Group justify="space-between" wrap="nowrap">
          <Title order={5}>Dashboards</Title>
          <Button size="compact-sm" variant="light" leftSection={<IconPlus size={14} />} onClick={openNew} data-testid="dashboard-new" aria-label="New dashboard">
            New
          </Button>
        </Group>
        <ScrollArea className={classes.listScroll}>
          {list.isPending ? (
            <Center p="md">
              <Loader size="sm" />
            </Center>
          ) : list.isError ? (
            <ErrorNotice error={list.error} subject="Dashboards" compact />
          ) : (
            <div role="list" aria-label="Dashboards" data-testid="dashboard-list">
              {dashboards.length === 0 && <EmptyState size="compact" title="No dashboards yet.">Make one with New dashboard.</EmptyState>}
              {dashboards.map((dashboard) => (
                <DashboardItem
                  key={dashboard.id}
                  dashboard={dashboard}
                  active={dashboard.id === openedId}
                  onOpen={() => setChosen(dashboard.id)}
                  onDelete={() => setDialog({ kind: 'delete', dashboard })}
                />
              ))}
            </div>
          )}
        </ScrollArea>
      </aside>
      <section className={classes.main} aria-label="Open dashboard">
        {openedId !== null ? (
          <ScreenActive.Provider value={active}>
            <OpenDashboard key={openedId} id={openedId} onImport={openImport} />
          </ScreenActive.Provider>
        ) : list.isPending ? null : (
          <EmptyState
            title="No dashboard to show."
            icon={IconLayoutDashboard}
            testId="dashboards-empty"
            actions={
              <>
                <Button size="xs" leftSection={<IconPlus size={14} />} onClick={openNew}>
                  New dashboard
                </Button>
                <Button size="xs" variant="default" leftSection={<IconFileImport size={14} />} onClick={openImport} data-testid="import-readings-open">
                  Import readings…
                </Button>
              </>
            }
          >
            Make a dashboard to follow metrics, alerts and counts of the registry. Charts of meters need readings: import them from a CSV or JSON file.
          </EmptyState>
        )}
      </section>
      {dialog?.kind === 'new' && <NewDashboardDialog onCreated={setChosen} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteDashboardDialog dashboard={dialog.dashboard} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'import' && <ImportReadingsDialog onClose={() => setDialog(null)} />}
    </div>
  );
}

function DashboardItem({ dashboard, active, onOpen, onDelete }: { dashboard: DashboardSummary; active: boolean; onOpen: () => void; onDelete: () => void }) {
  return (
    <div className={classes.item} role="listitem" data-active={active ? '' : undefined} data-testid={`dashboard-item-${dashboard.id}`}>
      <UnstyledButton
        className={classes.itemButton}
        onClick={onOpen}
        aria-current={active ? 'page' : undefined}
        title={dashboard.description ?? undefined}
        data-testid={`dashboard-open-${dashboard.id}`}
      >
        <IconLayoutDashboard size={16} style={{ flex: '0 0 auto' }} />
        <span className={classes.itemName}>{dashboard.name}</span>
        {dashboard.ownerUserId !== null && <IconUser size={12} role="img" aria-label="Personal" style={{ flex: '0 0 auto' }} />}
        <Text span size="xs" c="dimmed" aria-label={dashboard.widgets === 1 ? '1 widget' : `${dashboard.widgets} widgets`}>
          {dashboard.widgets}
        </Text>
      </UnstyledButton>
      <Tooltip label="Delete" withArrow openDelay={400}>
        <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Delete ${dashboard.name}`} onClick={onDelete} data-testid={`dashboard-delete-${dashboard.id}`}>
          <IconTrash size={14} />
        </ActionIcon>
      </Tooltip>
    </div>
  );
}

function NewDashboardDialog({ onCreated, onClose }: { onCreated: (id: string) => void; onClose: () => void }) {
  const save = useSaveDashboard();
  const [name, setName] = useState('');
  return (
    <FormDialog
      title="New dashboard"
      fields={['name']}
      canSubmit={name.trim() !== ''}
      onSubmit={async () => {
        const created = await save(newDashboardInput(name));
        onCreated(created.id);
      }}
      onClose={onClose}
      submitLabel="Create"
      submitTestId="dashboard-new-submit"
    >
      {(error) => (
        <TextInput
          label="Name"
          placeholder="Energy manager"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(error, 'name')}
          data-autofocus
          data-testid="dashboard-new-name"
        />
      )}
    </FormDialog>
  );
}

/** Asks, deletes (restorable), and offers Undo in the notification. */
function DeleteDashboardDialog({ dashboard, onClose }: { dashboard: DashboardSummary; onClose: () => void }) {
  const remove = useDeleteDashboard();
  const restore = useRestoreDashboard();
  const client = useQueryClient();

  const deleteIt = async () => {
    const deleted = await remove({ id: dashboard.id, expectedUpdatedAt: dashboard.updatedAt });
    showDeletedWithUndo({
      id: `dashboard-deleted-${dashboard.id}`,
      noun: 'Dashboard',
      name: dashboard.name,
      restore: () => restore({ id: deleted.id, expectedUpdatedAt: deleted.updatedAt }),
      testId: 'dashboard-undo-delete',
    });
  };

  return (
    <ConfirmDeleteDialog
      title="Delete dashboard"
      question={
        <>
          Delete <b>{dashboard.name}</b> and its {dashboard.widgets === 1 ? 'widget' : `${dashboard.widgets} widgets`}? It can be restored.
        </>
      }
      onDelete={deleteIt}
      onReload={() => void client.invalidateQueries({ queryKey: queryKeys.dashboards })}
      onClose={onClose}
      confirmTestId="dashboard-delete-confirm"
    />
  );
}

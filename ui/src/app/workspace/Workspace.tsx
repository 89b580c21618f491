import { Group, ScrollArea, SegmentedControl } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Session } from '../../bindings';
import { AlertsBadge } from '../../features/alerts';
import { DashboardsScreen } from '../../features/dashboards';
import { DataScreen } from '../../features/data';
import { NotificationsBell, WorkflowsScreen } from '../../features/workflows';
import { EntityDetailsPane } from '../../features/details';
import { TypesView } from '../../features/entity-types';
import { JobsPanel, JobsProvider } from '../../features/jobs';
import { TagsAdminView } from '../../features/links';
import { OfflineBanner, OfflineProvider } from '../../features/offline';
import { mayManagePeople, PeopleView, SessionBadge, sessionQuery } from '../../features/people';
import { PropertyAdminView } from '../../features/property-admin';
import { TrashView } from '../../features/trash';
import { RegistryTree, TreeControllerProvider } from '../../features/tree';
import { mayUseVault, VaultLockButton, VaultProvider, VaultScreen } from '../../features/vault';
import { ViewsScreen } from '../../features/views';
import { LiveUpdatesProvider } from '../../live/LiveUpdates';
import { useWorkspace, WorkspaceProvider, type WorkspaceView } from '../../shared/WorkspaceContext';
import { DialogHost } from './DialogHost';
import classes from './Workspace.module.css';

/** The ready app: live updates, jobs, tree state, offline state, and the views. */
export function Workspace() {
  return (
    <LiveUpdatesProvider>
      <JobsProvider>
        <TreeControllerProvider>
          <WorkspaceProvider>
            <VaultProvider>
              <OfflineProvider>
                <WorkspaceLayout />
                <JobsPanel />
              </OfflineProvider>
            </VaultProvider>
          </WorkspaceProvider>
        </TreeControllerProvider>
      </JobsProvider>
    </LiveUpdatesProvider>
  );
}

/** The screens; those with `shownTo` only for the sessions it accepts. */
const VIEWS: { value: WorkspaceView; label: string; shownTo?: (session: Session | undefined) => boolean }[] = [
  { value: 'registry', label: 'Registry' },
  { value: 'views', label: 'Views' },
  { value: 'dashboards', label: 'Dashboards' },
  { value: 'workflows', label: 'Workflows' },
  { value: 'data', label: 'Data' },
  { value: 'vault', label: 'Vault', shownTo: mayUseVault },
  { value: 'trash', label: 'Trash' },
  { value: 'types', label: 'Types' },
  { value: 'properties', label: 'Properties' },
  { value: 'tags', label: 'Tags' },
  { value: 'people', label: 'People', shownTo: mayManagePeople },
];

/**
 * The switch between the screens (Registry, Views, Dashboards, Workflows, Data, Trash, ...; the
 * Vault for those with secrets or admin rights, People for those who manage people).
 */
export function ViewSwitch() {
  const { view, setView } = useWorkspace();
  const session = useQuery(sessionQuery);
  const views = VIEWS.filter((v) => !v.shownTo || v.shownTo(session.data)).map(({ value, label }) => ({ value, label }));
  return <SegmentedControl size="xs" value={view} onChange={(v) => setView(v as WorkspaceView)} data={views} data-testid="view-switch" aria-label="View" />;
}

function WorkspaceLayout() {
  const workspace = useWorkspace();
  const session = useQuery(sessionQuery);
  const { view, setView } = workspace;
  const [dashboardsOpened, setDashboardsOpened] = useState(view === 'dashboards');
  // A notification's "open run" shows that run on the Workflows screen.
  const [openedRun, setOpenedRun] = useState<string | null>(null);
  const openRun = (id: string) => {
    setOpenedRun(id);
    setView('workflows');
  };
  useEffect(() => {
    if (view === 'dashboards') setDashboardsOpened(true);
  }, [view]);
  // Someone else signed in (or a view-as began) who manages no people: the
  // People view is not theirs, the registry is.
  const peopleGone = view === 'people' && session.data !== undefined && !mayManagePeople(session.data);
  const vaultGone = view === 'vault' && session.data !== undefined && !mayUseVault(session.data);
  useEffect(() => {
    if (peopleGone || vaultGone) setView('registry');
  }, [peopleGone, vaultGone, setView]);
  useHotkeys([
    [
      'mod+K',
      () => {
        workspace.setView('registry');
        workspace.openDialog({ kind: 'palette' });
      },
    ],
  ]);

  return (
    <div className={classes.root}>
      <div className={classes.toolbar}>
        <Group justify="space-between" wrap="nowrap">
          <ViewSwitch />
          <Group gap="xs" wrap="nowrap">
            <AlertsBadge />
            <NotificationsBell onOpenExecution={openRun} />
            <VaultLockButton />
            <SessionBadge />
          </Group>
        </Group>
      </div>
      <OfflineBanner />
      <div className={classes.content}>
        {workspace.view === 'registry' && (
          <div className={classes.registry}>
            <aside className={classes.treePanel}>
              <RegistryTree />
            </aside>
            <main className={classes.detailPanel}>
              <ScrollArea h="100%">
                <div className={classes.detailInner}>
                  <EntityDetailsPane />
                </div>
              </ScrollArea>
            </main>
            <DialogHost />
          </div>
        )}
        {workspace.view === 'views' && <ViewsScreen />}
        {dashboardsOpened && (
          // Kept (hidden) once opened: coming back shows the dashboard as it
          // was, drawn, with unsaved changes and filters; it refreshes only
          // while shown.
          <div className={classes.keptScreen} hidden={workspace.view !== 'dashboards'}>
            <DashboardsScreen active={workspace.view === 'dashboards'} />
          </div>
        )}
        {workspace.view === 'workflows' && <WorkflowsScreen key={openedRun ?? 'workflows'} initialExecutionId={openedRun} />}
        {workspace.view === 'data' && <DataScreen />}
        {workspace.view === 'vault' && !vaultGone && <VaultScreen />}
        {workspace.view === 'trash' && <TrashView />}
        {workspace.view === 'types' && <TypesView />}
        {workspace.view === 'properties' && <PropertyAdminView />}
        {workspace.view === 'tags' && <TagsAdminView />}
        {workspace.view === 'people' && !peopleGone && <PeopleView />}
      </div>
    </div>
  );
}

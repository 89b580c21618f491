import { Group, ScrollArea, SegmentedControl } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import type { DatabaseInfo, Session } from '../../bindings';
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
import { DialogHost, PaletteHost } from './DialogHost';
import classes from './Workspace.module.css';
import { memoryKey, memoryStorage, readMemory } from './workspaceMemory';
import { WorkspaceMemory } from './WorkspaceMemory';

/**
 * The ready app: live updates, jobs, tree state, offline state, and the
 * views; it opens as it was when `database` was last open here.
 */
export function Workspace({ database }: { database: DatabaseInfo }) {
  const storageKey = memoryKey(database);
  const [initial] = useState(() => readMemory(memoryStorage(), storageKey) ?? undefined);
  return (
    <LiveUpdatesProvider>
      <JobsProvider>
        <TreeControllerProvider>
          <WorkspaceProvider initial={initial}>
            <WorkspaceMemory key={storageKey} storageKey={storageKey} />
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
  return <SegmentedControl size="xs" value={view} onChange={(v) => setView(v as WorkspaceView)} data={views} data-testid="view-switch" aria-label="Screen" />;
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
  useHotkeys([['mod+K', () => workspace.openDialog({ kind: 'palette' })]]);

  return (
    <div className={classes.root}>
      <div className={classes.toolbar}>
        <Group justify="space-between" wrap="nowrap">
          <nav aria-label="Screens">
            <ViewSwitch />
          </nav>
          <Group gap="xs" wrap="nowrap" role="group" aria-label="Alerts, notifications and account">
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
          <Screen view="registry" className={classes.registry}>
            <section className={classes.treePanel} aria-label="Registry tree">
              <RegistryTree />
            </section>
            <section className={classes.detailPanel} aria-label="Entity details">
              <ScrollArea h="100%">
                <div className={classes.detailInner}>
                  <EntityDetailsPane />
                </div>
              </ScrollArea>
            </section>
            <DialogHost />
          </Screen>
        )}
        {workspace.view === 'views' && (
          <Screen view="views">
            <ViewsScreen />
          </Screen>
        )}
        {dashboardsOpened && (
          // Kept (hidden) once opened: coming back shows the dashboard as it
          // was, drawn, with unsaved changes and filters; it refreshes only
          // while shown.
          <Screen view="dashboards" hidden={workspace.view !== 'dashboards'}>
            <DashboardsScreen active={workspace.view === 'dashboards'} />
          </Screen>
        )}
        {workspace.view === 'workflows' && (
          <Screen view="workflows">
            <WorkflowsScreen key={openedRun ?? 'workflows'} initialExecutionId={openedRun} />
          </Screen>
        )}
        {workspace.view === 'data' && (
          <Screen view="data">
            <DataScreen />
          </Screen>
        )}
        {workspace.view === 'vault' && !vaultGone && (
          <Screen view="vault">
            <VaultScreen />
          </Screen>
        )}
        {workspace.view === 'trash' && (
          <Screen view="trash">
            <TrashView />
          </Screen>
        )}
        {workspace.view === 'types' && (
          <Screen view="types">
            <TypesView />
          </Screen>
        )}
        {workspace.view === 'properties' && (
          <Screen view="properties">
            <PropertyAdminView />
          </Screen>
        )}
        {workspace.view === 'tags' && (
          <Screen view="tags">
            <TagsAdminView />
          </Screen>
        )}
        {workspace.view === 'people' && !peopleGone && (
          <Screen view="people">
            <PeopleView />
          </Screen>
        )}
      </div>
      <PaletteHost />
    </div>
  );
}

/** One screen: a landmark named as the switch names it. */
function Screen({ view, className, hidden, children }: { view: WorkspaceView; className?: string; hidden?: boolean; children: ReactNode }) {
  const label = VIEWS.find((v) => v.value === view)?.label ?? view;
  return (
    <section className={className ? `${classes.screen} ${className}` : classes.screen} aria-label={label} hidden={hidden} data-screen={view}>
      {children}
    </section>
  );
}

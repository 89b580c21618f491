import { Group, ScrollArea, SegmentedControl } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { EntityDetailsPane } from '../../features/details';
import { TypesView } from '../../features/entity-types';
import { JobsPanel, JobsProvider } from '../../features/jobs';
import { TagsAdminView } from '../../features/links';
import { mayManagePeople, PeopleView, SessionBadge, sessionQuery } from '../../features/people';
import { PropertyAdminView } from '../../features/property-admin';
import { TrashView } from '../../features/trash';
import { RegistryTree, TreeControllerProvider } from '../../features/tree';
import { ViewsScreen } from '../../features/views';
import { LiveUpdatesProvider } from '../../live/LiveUpdates';
import { useWorkspace, WorkspaceProvider, type WorkspaceView } from '../../shared/WorkspaceContext';
import { DialogHost } from './DialogHost';
import classes from './Workspace.module.css';

/** The ready app: live updates, jobs, tree state, and the views. */
export function Workspace() {
  return (
    <LiveUpdatesProvider>
      <JobsProvider>
        <TreeControllerProvider>
          <WorkspaceProvider>
            <WorkspaceLayout />
            <JobsPanel />
          </WorkspaceProvider>
        </TreeControllerProvider>
      </JobsProvider>
    </LiveUpdatesProvider>
  );
}

const VIEWS: { value: WorkspaceView; label: string }[] = [
  { value: 'registry', label: 'Registry' },
  { value: 'views', label: 'Views' },
  { value: 'trash', label: 'Trash' },
  { value: 'types', label: 'Types' },
  { value: 'properties', label: 'Properties' },
  { value: 'tags', label: 'Tags' },
];

/** The switch between the screens (Registry, Views, Trash, Types, ...; People for those who manage people). */
export function ViewSwitch() {
  const { view, setView } = useWorkspace();
  const session = useQuery(sessionQuery);
  const views = mayManagePeople(session.data) ? [...VIEWS, { value: 'people' as const, label: 'People' }] : VIEWS;
  return <SegmentedControl size="xs" value={view} onChange={(v) => setView(v as WorkspaceView)} data={views} data-testid="view-switch" aria-label="View" />;
}

function WorkspaceLayout() {
  const workspace = useWorkspace();
  const session = useQuery(sessionQuery);
  const { view, setView } = workspace;
  // Someone else signed in (or a view-as began) who manages no people: the
  // People view is not theirs, the registry is.
  const peopleGone = view === 'people' && session.data !== undefined && !mayManagePeople(session.data);
  useEffect(() => {
    if (peopleGone) setView('registry');
  }, [peopleGone, setView]);
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
          <SessionBadge />
        </Group>
      </div>
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
        {workspace.view === 'trash' && <TrashView />}
        {workspace.view === 'types' && <TypesView />}
        {workspace.view === 'properties' && <PropertyAdminView />}
        {workspace.view === 'tags' && <TagsAdminView />}
        {workspace.view === 'people' && !peopleGone && <PeopleView />}
      </div>
    </div>
  );
}

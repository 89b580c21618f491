import { Badge, Button, Center, CloseButton, Group, Kbd, Loader, Stack, Title, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { IconDeviceFloppy, IconEdit, IconFileImport, IconFilterOff, IconLayoutDashboard, IconPlus, IconRefresh, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { CrossFilter, Dashboard, DashboardVariables, WidgetConfig } from '../../bindings';
import { appErrorOf } from '../../ipc/errors';
import { showActionUnavailable } from '../../shared/actionNotice';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { dashboardQuery, useFetchDashboard, useRefreshWidgets, useSaveDashboard } from './api';
import { DashboardGrid } from './DashboardGrid';
import {
  allWidgetInputs,
  applyCrossFilter,
  applyGridLayout,
  dropOrphanFilters,
  newWidgetId,
  placeNew,
  reconcile,
  refetchIntervalMs,
  removeCrossFilter,
  sameDraft,
  saveInputOf,
  startEditing,
  type ActiveFilter,
  type DraftWidget,
  type Editing,
  type GridItem,
  type WidgetInputs,
} from './dashboardModel';
import classes from './Dashboards.module.css';
import { depsOf, moduleOf } from './registry';
import { usePageVisible } from './useWidgetData';
import { VariablesBar } from './VariablesBar';
import { FullScreenWidget, type FrameActions } from './WidgetFrame';
import { WidgetPalette } from './WidgetPalette';

/** One dashboard, loaded; a dashboard that is gone says so. */
/** Whether the Dashboards screen is the one shown (see DashboardsScreen). */
export const ScreenActive = createContext(true);

export function OpenDashboard({ id, onImport }: { id: string; onImport: () => void }) {
  const dashboard = useQuery(dashboardQuery(id));
  if (dashboard.isPending) {
    return (
      <Center p="xl">
        <Loader size="sm" />
      </Center>
    );
  }
  if (dashboard.isError) {
    return (
      <Stack p="md">
        <ErrorNotice error={dashboard.error} subject="Could not open the dashboard" />
      </Stack>
    );
  }
  return <DashboardEditor dashboard={dashboard.data} onImport={onImport} />;
}

type Dialog = { kind: 'add' } | { kind: 'edit'; widgetId: string };

const DEFAULT_SIZE = { w: 4, h: 3 };

/**
 * The open dashboard: a draft of its variables and widgets that applies at
 * once and is saved on demand (over the version loaded), edit mode for the
 * layout, cross-filters set by clicks in the widgets, and full screen.
 */
function DashboardEditor({ dashboard, onImport }: { dashboard: Dashboard; onImport: () => void }) {
  const saveDashboard = useSaveDashboard();
  const fetchDashboard = useFetchDashboard();
  const refreshWidgets = useRefreshWidgets();
  const [state, setState] = useState<Editing>(() => startEditing(dashboard));
  // The widgets as they were when edit mode began (Cancel goes back to them).
  const [editStart, setEditStart] = useState<DraftWidget[] | null>(null);
  const [filters, setFilters] = useState<readonly ActiveFilter[]>([]);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [fullScreenId, setFullScreenId] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const active = useContext(ScreenActive);
  const visible = usePageVisible() && active;

  // Someone saved this dashboard since it was loaded.
  useEffect(() => setState((s) => reconcile(s, dashboard)), [dashboard]);

  const { draft } = state;
  const editing = editStart !== null;
  const dirty = !sameDraft(draft, state.baseDraft);
  const refetchInterval = refetchIntervalMs(draft.refreshSeconds, visible);
  const widgetIds = useMemo(() => new Set(draft.widgets.map((w) => w.id)), [draft.widgets]);
  const liveFilters = useMemo(() => dropOrphanFilters(filters, widgetIds), [filters, widgetIds]);

  // Each widget's inputs; a widget whose inputs did not change keeps the same object.
  const previousInputs = useRef<ReadonlyMap<string, WidgetInputs>>(new Map());
  const inputs = useMemo(() => {
    const next = allWidgetInputs(draft.widgets, depsOf, draft.variables, liveFilters, previousInputs.current);
    previousInputs.current = next;
    return next;
  }, [draft.widgets, draft.variables, liveFilters]);

  const setDraftWidgets = useCallback((change: (widgets: DraftWidget[]) => DraftWidget[]) => {
    setState((s) => {
      const widgets = change(s.draft.widgets);
      return widgets === s.draft.widgets ? s : { ...s, draft: { ...s.draft, widgets } };
    });
  }, []);
  const setVariables = useCallback((variables: DashboardVariables) => setState((s) => ({ ...s, draft: { ...s.draft, variables } })), []);
  const setRefreshSeconds = useCallback((refreshSeconds: number | null) => setState((s) => ({ ...s, draft: { ...s.draft, refreshSeconds } })), []);
  const onLayout = useCallback((layout: readonly GridItem[]) => setDraftWidgets((widgets) => applyGridLayout(widgets, layout)), [setDraftWidgets]);

  const actions = useMemo<FrameActions>(
    () => ({
      crossFilter: (sourceId: string, filter: CrossFilter, label: string) => setFilters((current) => applyCrossFilter(current, { filter, sourceId, label })),
      fullScreen: setFullScreenId,
      edit: (widgetId: string) => setDialog({ kind: 'edit', widgetId }),
      remove: (widgetId: string) => setDraftWidgets((widgets) => widgets.filter((w) => w.id !== widgetId)),
    }),
    [setDraftWidgets],
  );

  const startEdit = () => setEditStart(draft.widgets);
  const cancelEdit = () => {
    if (editStart) setDraftWidgets(() => editStart);
    setEditStart(null);
  };

  const save = async () => {
    if (saving) return;
    if (!dirty) {
      setEditStart(null);
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const saved = await saveDashboard(saveInputOf(state.base, draft));
      setState(startEditing(saved));
      setEditStart(null);
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  /** After a Conflict: take the dashboard as it is saved now (the changes made here are dropped). */
  const reload = async () => {
    const appError = appErrorOf(saveError);
    const current = appError?.type === 'Conflict' && appError.data.current.kind === 'dashboard' ? appError.data.current.row : null;
    setSaveError(null);
    setEditStart(null);
    if (current) setState(startEditing(current));
    try {
      setState(startEditing(await fetchDashboard(state.base.id)));
    } catch (error) {
      setSaveError(error);
    }
  };

  const addWidget = (title: string | null, config: WidgetConfig) =>
    setDraftWidgets((widgets) => [
      ...widgets,
      { id: newWidgetId(widgets), isNew: true, title, config, layout: placeNew(widgets, moduleOf(config.type)?.defaultSize ?? DEFAULT_SIZE) },
    ]);
  const editWidget = (widgetId: string, title: string | null, config: WidgetConfig) =>
    setDraftWidgets((widgets) => widgets.map((w) => (w.id === widgetId ? { ...w, title, config } : w)));

  const overlayOpen = dialog !== null || fullScreenId !== null;
  useHotkeys([
    [
      'Escape',
      () => {
        if (active && !overlayOpen && editing) cancelEdit();
      },
    ],
    [
      'mod+S',
      () => {
        if (active) void save();
      },
    ],
  ]);

  const addFirst = () => {
    if (!editing) startEdit();
    setDialog({ kind: 'add' });
  };
  // The palette's commands on this dashboard, as its buttons do them.
  useActionRequests('dashboards', {
    edit: () => (editing ? showActionUnavailable('The layout is being edited already.') : startEdit()),
    'add-widget': addFirst,
    save: () => (dirty || editing ? void save() : showActionUnavailable('The dashboard has no unsaved changes.')),
    refresh: () => void refreshWidgets(),
    'clear-filters': () => setFilters([]),
  });

  const edited = dialog?.kind === 'edit' ? draft.widgets.find((w) => w.id === dialog.widgetId) : undefined;
  const fullScreen = fullScreenId !== null ? draft.widgets.find((w) => w.id === fullScreenId) : undefined;
  const fullScreenInputs = fullScreen ? inputs.get(fullScreen.id) : undefined;

  return (
    <>
      <div className={classes.header}>
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <Title order={4} className={classes.title} title={dashboard.description ?? undefined} data-testid="dashboard-title">
            {dashboard.name}
          </Title>
          {dirty && (
            <Badge variant="light" color="orange" size="sm" data-testid="dashboard-dirty">
              Unsaved changes
            </Badge>
          )}
          {editing && (
            <Badge variant="light" color="blue" size="sm">
              Editing layout
            </Badge>
          )}
        </Group>
        <Group gap="xs" wrap="nowrap">
          {editing ? (
            <>
              <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setDialog({ kind: 'add' })} data-testid="dashboard-add-widget">
                Add widget
              </Button>
              <Button size="xs" variant="default" leftSection={<IconX size={14} />} onClick={cancelEdit} data-testid="dashboard-cancel">
                Cancel
              </Button>
            </>
          ) : (
            <>
              <Button size="xs" variant="default" leftSection={<IconRefresh size={14} />} onClick={() => void refreshWidgets()} data-testid="dashboard-refresh">
                Refresh
              </Button>
              <Button size="xs" variant="default" leftSection={<IconFileImport size={14} />} onClick={onImport} data-testid="import-readings-open">
                Import readings…
              </Button>
              <Button size="xs" variant="default" leftSection={<IconEdit size={14} />} onClick={startEdit} data-testid="dashboard-edit">
                Edit layout
              </Button>
            </>
          )}
          {(dirty || editing) && (
            <Tooltip label={<>Save <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">S</Kbd></>} withArrow openDelay={400}>
              <Button size="xs" leftSection={<IconDeviceFloppy size={14} />} loading={saving} onClick={() => void save()} data-testid="dashboard-save">
                Save
              </Button>
            </Tooltip>
          )}
        </Group>
      </div>

      <div className={classes.toolbar}>
        <VariablesBar variables={draft.variables} refreshSeconds={draft.refreshSeconds} onVariables={setVariables} onRefreshSeconds={setRefreshSeconds} />
        {liveFilters.length > 0 && (
          <Group gap={6} wrap="wrap" data-testid="dashboard-filters">
            {liveFilters.map((f) => (
              <Badge
                key={f.filter.kind}
                size="lg"
                variant="light"
                tt="none"
                fw={500}
                pr={4}
                rightSection={
                  <CloseButton
                    size="xs"
                    variant="transparent"
                    aria-label={`Remove filter ${f.label}`}
                    onClick={() => setFilters((current) => removeCrossFilter(current, f.filter.kind))}
                  />
                }
                data-testid={`dashboard-filter-chip-${f.filter.kind}`}
              >
                {f.label}
              </Badge>
            ))}
            <Button size="compact-xs" variant="subtle" color="gray" leftSection={<IconFilterOff size={12} />} onClick={() => setFilters([])} data-testid="dashboard-clear-filters">
              Clear filters
            </Button>
          </Group>
        )}
      </div>

      <div className={classes.notices}>{saveError !== null && <ErrorNotice error={saveError} subject={`Could not save "${dashboard.name}"`} onReload={() => void reload()} />}</div>

      <div className={classes.body} data-testid="dashboard-body">
        {draft.widgets.length === 0 ? (
          <div className={classes.empty}>
            <EmptyState
              title="This dashboard has no widgets yet."
              icon={IconLayoutDashboard}
              testId="dashboard-no-widgets"
              actions={
                <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={addFirst}>
                  Add a widget
                </Button>
              }
            >
              Add a KPI, a chart, a table of a saved view, the open alerts or a note; then Save.
            </EmptyState>
          </div>
        ) : (
          <DashboardGrid widgets={draft.widgets} inputs={inputs} editing={editing} refetchInterval={refetchInterval} actions={actions} onLayout={onLayout} />
        )}
      </div>

      {dialog?.kind === 'add' && <WidgetPalette initial={null} onSubmit={addWidget} onClose={() => setDialog(null)} />}
      {edited && <WidgetPalette initial={{ title: edited.title, config: edited.config }} onSubmit={(title, config) => editWidget(edited.id, title, config)} onClose={() => setDialog(null)} />}
      {fullScreen && fullScreenInputs && (
        <FullScreenWidget widget={fullScreen} inputs={fullScreenInputs} refetchInterval={refetchInterval} onCrossFilter={actions.crossFilter} onClose={() => setFullScreenId(null)} />
      )}
    </>
  );
}

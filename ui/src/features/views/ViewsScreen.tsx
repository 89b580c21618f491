import { Alert, Badge, Button, Center, Group, Kbd, Loader, Menu, SegmentedControl, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { IconChevronDown, IconDeviceFloppy, IconDownload, IconEdit, IconFilter, IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { BulkTarget, SavedView, ViewDocument, ViewType } from '../../bindings';
import { appErrorOf } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatCount } from '../../shared/format';
import { showActionUnavailable } from '../../shared/actionNotice';
import { useActionRequests, useWorkspace, type StartingView } from '../../shared/WorkspaceContext';
import { BulkEditDialog } from '../bulk-edit';
import { documentOf, emptyDocument, savedViewsQuery, useReloadSavedViews, useUpdateView, viewCountQuery } from './api';
import { BoardView } from './board';
import { ViewBuilder } from './builder';
import { ExportDialog } from './export';
import { SavedViewsList, ViewTypeIcon } from './SavedViewsList';
import { EMPTY_ROW_SELECTION, type RowSelection } from './table/rowSelection';
import { TableView } from './table/TableView';
import { ViewTreeView } from './tree';
import { RenameViewDialog, SaveAsDialog } from './ViewDialogs';
import classes from './Views.module.css';
import { allRowsLabel, boardUnavailable, countLabel, resultsDocument, sameDocument, selectedRowsLabel, viewTitle } from './viewsModel';
import { useViewActions } from './useViewActions';

/**
 * Saved views: the list on the left (the person's own and the shared ones),
 * the open view on the right as a table, a board or a tree, with its filter
 * and columns beside it. Opening a view elsewhere (`openSavedView`) opens it here.
 */
export function ViewsScreen() {
  const { openedViewId, openSavedView, startingView } = useWorkspace();
  const views = useQuery(savedViewsQuery());
  const [renaming, setRenaming] = useState<SavedView | null>(null);
  // "New view" while a new view is open starts another one.
  const [fresh, setFresh] = useState(0);
  const actions = useViewActions(openedViewId, openSavedView);
  const saved = views.data?.find((view) => view.id === openedViewId) ?? null;
  // The palette's commands on the open saved view (offered once the list says which it is).
  const known = openedViewId === null || !views.isPending;
  const onSaved = (run: (view: SavedView) => void) =>
    known ? () => (saved ? run(saved) : showActionUnavailable('The open view is not saved yet: Save as… first.')) : undefined;
  useActionRequests('views', {
    rename: onSaved(setRenaming),
    'duplicate-personal': onSaved((view) => void actions.duplicate(view, false)),
    'duplicate-shared': onSaved((view) => void actions.duplicate(view, true)),
    delete: onSaved((view) => void actions.remove(view)),
  });

  return (
    <div className={classes.screen} data-testid="views-screen">
      <SavedViewsList
        views={views.data}
        pending={views.isPending}
        error={views.error}
        openedId={openedViewId}
        onOpen={openSavedView}
        onNew={() => {
          setFresh((n) => n + 1);
          openSavedView(null);
        }}
        onRename={setRenaming}
        onDuplicate={(view, shared) => void actions.duplicate(view, shared)}
        onDelete={(view) => void actions.remove(view)}
      />
      <section className={classes.main} aria-label="Open view">
        {openedViewId !== null && views.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : (
          <OpenView
            key={openedViewId ?? (startingView ? `start-${startingView.serial}` : `new-${fresh}`)}
            saved={saved}
            starting={openedViewId === null ? startingView : null}
            gone={openedViewId !== null && views.isSuccess && saved === null}
            onOpen={openSavedView}
          />
        )}
      </section>
      {renaming && <RenameViewDialog view={renaming} onClose={() => setRenaming(null)} />}
    </div>
  );
}

type Dialog = { kind: 'saveAs' } | { kind: 'export' } | { kind: 'bulk'; target: BulkTarget; label: string };

/** The document the draft started from, and the saved version it belongs to (null: never saved). */
type Base = { document: ViewDocument; version: string | null };

/** The open view: its draft document (saved on demand), how it is shown, and what can be done with it. */
function OpenView({
  saved,
  starting,
  gone,
  onOpen,
}: {
  saved: SavedView | null;
  /** A new view's document and title (an entity type's view), when not a blank one. */
  starting: StartingView | null;
  gone: boolean;
  onOpen: (id: string | null) => void;
}) {
  const updateView = useUpdateView();
  const reloadViews = useReloadSavedViews();
  const [base, setBase] = useState<Base>(() =>
    saved ? { document: documentOf(saved), version: saved.updatedAt } : { document: starting?.document ?? emptyDocument(), version: null },
  );
  const [draft, setDraft] = useState<ViewDocument>(base.document);
  const [builderOpen, setBuilderOpen] = useState(false);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [selection, setSelection] = useState<RowSelection>(EMPTY_ROW_SELECTION);

  const dirty = !sameDocument(draft, base.document);
  const results = useMemo(() => resultsDocument(draft), [draft]);
  const count = useQuery(viewCountQuery(results));
  const documentError = count.error;
  const documentAppError = appErrorOf(documentError);
  // The core refused the document itself: any body would fail the same way.
  const refused = documentAppError?.type === 'Validation' || documentAppError?.type === 'Forbidden';
  const viewType: ViewType = draft.viewType ?? 'table';
  const title = saved || !starting ? viewTitle(saved) : starting.title;
  const boardOff = boardUnavailable(draft);

  // Someone saved this view since it was opened. A rename only moves the
  // version on; a new document replaces the draft unless it has edits here
  // (then saving runs into the conflict, which offers a reload).
  useEffect(() => {
    if (!saved || saved.updatedAt === base.version) return;
    const theirs = documentOf(saved);
    if (sameDocument(theirs, base.document)) setBase({ document: base.document, version: saved.updatedAt });
    else if (sameDocument(draft, base.document)) {
      setBase({ document: theirs, version: saved.updatedAt });
      setDraft(theirs);
    }
  }, [saved, base, draft]);

  const save = async () => {
    if (saving || dialog !== null) return;
    if (!saved) {
      setDialog({ kind: 'saveAs' });
      return;
    }
    if (!dirty) return;
    setSaving(true);
    setSaveError(null);
    const document = draft;
    try {
      const view = await updateView({ id: saved.id, expectedUpdatedAt: base.version ?? saved.updatedAt, name: saved.name, description: saved.description, document });
      setBase({ document, version: view.updatedAt });
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  /** After a conflict: take the view as it is saved now (the draft's edits are dropped). */
  const reload = () => {
    const appError = appErrorOf(saveError);
    const current = appError?.type === 'Conflict' && appError.data.current.kind === 'savedView' ? appError.data.current.row : undefined;
    if (current) {
      setBase({ document: documentOf(current), version: current.updatedAt });
      setDraft(documentOf(current));
    }
    setSaveError(null);
    void reloadViews(current);
  };

  useHotkeys([['mod+S', () => void save()]], []);

  const selectedCount = selection.ids.size;
  const openBulkSelected = (ids: string[]) => setDialog({ kind: 'bulk', target: { kind: 'entities', ids }, label: selectedRowsLabel(ids.length) });

  const cannotRun = 'This view cannot run as it is: change it in Filter & columns first.';
  const showAs = (type: ViewType) => () => {
    if (type === 'board' && boardOff !== null) showActionUnavailable(boardOff);
    else setDraft({ ...draft, viewType: type });
  };
  useActionRequests('views', {
    builder: () => setBuilderOpen((open) => !open),
    'show-table': showAs('table'),
    'show-board': showAs('board'),
    'show-tree': showAs('tree'),
    save: () => (saved === null || dirty ? void save() : showActionUnavailable('The view has no unsaved changes.')),
    'save-as': () => setDialog({ kind: 'saveAs' }),
    export: () => (refused ? showActionUnavailable(cannotRun) : setDialog({ kind: 'export' })),
    'bulk-selected': () =>
      selectedCount === 0 || viewType !== 'table' ? showActionUnavailable('Select rows in the table first.') : openBulkSelected([...selection.ids]),
    'bulk-all': () =>
      refused
        ? showActionUnavailable(cannotRun)
        : setDialog({ kind: 'bulk', target: { kind: 'view', document: draft }, label: allRowsLabel(count.data, saved?.name ?? null) }),
  });

  return (
    <>
      <div className={classes.header}>
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <ViewTypeIcon type={viewType} size={18} />
          <Title order={4} className={classes.title} title={saved?.description ?? undefined} data-testid="view-title">
            {title}
          </Title>
          {saved && (
            <Badge variant="outline" color="gray" size="sm" data-testid="view-owner">
              {saved.ownerUserId === null ? 'Shared' : 'Personal'}
            </Badge>
          )}
          {dirty && (
            <Badge variant="light" color="orange" size="sm" data-testid="view-dirty">
              Unsaved changes
            </Badge>
          )}
          <Badge variant="light" color={refused ? 'red' : 'blue'} size="sm" data-testid="view-count">
            {count.data ? countLabel(count.data) : count.isError ? 'No count' : 'Counting…'}
          </Badge>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <SegmentedControl
            size="xs"
            value={viewType}
            onChange={(value) => setDraft({ ...draft, viewType: value as ViewType })}
            aria-label="Show as"
            data-testid="view-type"
            data={[
              { value: 'table', label: 'Table' },
              {
                value: 'board',
                disabled: boardOff !== null,
                label:
                  boardOff === null ? (
                    'Board'
                  ) : (
                    <Tooltip label={boardOff} withArrow>
                      <span data-testid="view-type-board-off">Board</span>
                    </Tooltip>
                  ),
              },
              { value: 'tree', label: 'Tree' },
            ]}
          />
          <Button
            size="xs"
            variant={builderOpen ? 'filled' : 'default'}
            leftSection={<IconFilter size={14} />}
            onClick={() => setBuilderOpen((open) => !open)}
            aria-pressed={builderOpen}
            data-testid="view-builder-toggle"
          >
            Filter & columns
          </Button>
          <Menu position="bottom-end" shadow="md">
            <Menu.Target>
              <Button size="xs" variant="default" leftSection={<IconEdit size={14} />} rightSection={<IconChevronDown size={14} />} data-testid="view-bulk-menu">
                Bulk edit
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                disabled={selectedCount === 0 || viewType !== 'table'}
                onClick={() => openBulkSelected([...selection.ids])}
                data-testid="view-bulk-selected"
              >
                {selectedCount === 1 ? '1 selected row' : `${formatCount(selectedCount)} selected rows`}
              </Menu.Item>
              <Menu.Item
                disabled={refused}
                onClick={() => setDialog({ kind: 'bulk', target: { kind: 'view', document: draft }, label: allRowsLabel(count.data, saved?.name ?? null) })}
                data-testid="view-bulk-all"
              >
                All rows of this view
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
          <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} disabled={refused} onClick={() => setDialog({ kind: 'export' })} data-testid="view-export">
            Export
          </Button>
          <Button size="xs" variant="default" onClick={() => setDialog({ kind: 'saveAs' })} data-testid="view-save-as">
            Save as…
          </Button>
          <Tooltip label={<>Save <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">S</Kbd></>} withArrow openDelay={400}>
            <Button size="xs" leftSection={<IconDeviceFloppy size={14} />} loading={saving} disabled={saved !== null && !dirty} onClick={() => void save()} data-testid="view-save">
              Save
            </Button>
          </Tooltip>
        </Group>
      </div>

      <div className={classes.notices}>
        {gone && (
          <Alert color="gray" variant="light" icon={<IconInfoCircle size={18} />} data-testid="view-gone">
            This view was deleted, or you no longer see it. Save as… keeps what is shown here.
          </Alert>
        )}
        {saveError !== null && <ErrorNotice error={saveError} subject={`Could not save "${title}"`} onReload={reload} />}
        {documentError !== null && (
          <ErrorNotice error={documentError} subject={documentAppError?.type === 'Validation' && documentAppError.data.field ? `This view cannot run (${documentAppError.data.field})` : 'This view cannot run'} />
        )}
      </div>

      <div className={classes.bodyRow}>
        <div className={classes.body} data-testid="view-body">
          {refused ? (
            <Stack align="center" gap="xs" p="xl">
              <Text c="dimmed" size="sm">
                Change the view in Filter & columns to see its rows.
              </Text>
              {!builderOpen && (
                <Button size="xs" variant="light" onClick={() => setBuilderOpen(true)}>
                  Open Filter & columns
                </Button>
              )}
            </Stack>
          ) : viewType === 'board' ? (
            <BoardView document={draft} />
          ) : viewType === 'tree' ? (
            <ViewTreeView document={draft} />
          ) : (
            <TableView document={draft} onChange={setDraft} selection={selection} onSelectionChange={setSelection} onBulkEdit={openBulkSelected} />
          )}
        </div>
        {builderOpen && (
          <aside className={classes.builder} aria-label="Filter and columns" data-testid="view-builder-panel">
            <ViewBuilder document={draft} onChange={setDraft} error={documentError} />
          </aside>
        )}
      </div>

      {dialog?.kind === 'saveAs' && (
        <SaveAsDialog document={draft} initialName={saved ? `${saved.name} (copy)` : (starting?.title ?? '')} onSaved={(view) => onOpen(view.id)} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'export' && <ExportDialog document={draft} viewName={title} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'bulk' && <BulkEditDialog target={dialog.target} label={dialog.label} onClose={() => setDialog(null)} />}
    </>
  );
}

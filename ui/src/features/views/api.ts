// Saved views and running view documents: the saved views the person sees,
// a document's rows (page by page, by keyset), its count (exact up to a cap,
// else an estimate), its matches in their hierarchy, checking a pasted
// document, and exporting a document's rows as a background job.
import { infiniteQueryOptions, queryOptions, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import {
  commands,
  type Cursor,
  type ExportFormat,
  type ExportStarted,
  type NewView,
  type SavedView,
  type VersionedId,
  type Value,
  type ViewDocument,
  type ViewPage,
  type ViewUpdate,
} from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { queryKeys } from '../../shared/queryKeys';
import { useWorkspace } from '../../shared/WorkspaceContext';
import { propertyPaneQuery } from '../properties/api';

/** The document version this build writes. */
export const VIEW_DOCUMENT_VERSION = 2;

/** A document that shows every entity the person sees. */
export function emptyDocument(): ViewDocument {
  return {
    version: VIEW_DOCUMENT_VERSION,
    filter: null,
    columns: [{ field: 'name' }, { field: 'pathLabel' }, { field: 'type' }, { field: 'updatedAt' }],
    sort: [{ field: 'name', descending: false }],
    groupBy: null,
    pageSize: 50,
    viewType: 'table',
  };
}

/** A saved view's document (stored views come back brought up to this version). */
export function documentOf(view: SavedView): ViewDocument {
  return view.config as unknown as ViewDocument;
}

/** The cache key part for one document: equal documents share their results. */
export function docKey(document: ViewDocument): string {
  return JSON.stringify(document);
}

export const savedViewsQuery = () =>
  queryOptions({
    queryKey: queryKeys.savedViews,
    queryFn: async () => unwrap(await commands.listViews()),
    staleTime: 60_000,
  });

/** The rows of a document, a page at a time. */
export const viewRowsQuery = (document: ViewDocument) =>
  infiniteQueryOptions({
    queryKey: queryKeys.viewRows(docKey(document)),
    queryFn: async ({ pageParam }) => unwrap(await commands.viewPage(document, pageParam)),
    initialPageParam: null as Cursor | null,
    getNextPageParam: (last) => last.next,
    staleTime: 30_000,
  });

export const viewCountQuery = (document: ViewDocument) =>
  queryOptions({
    queryKey: queryKeys.viewCount(docKey(document)),
    queryFn: async () => unwrap(await commands.viewCount(document)),
    staleTime: 30_000,
  });

export const viewTreeQuery = (document: ViewDocument) =>
  queryOptions({
    queryKey: queryKeys.viewTree(docKey(document)),
    queryFn: async () => unwrap(await commands.viewTree(document)),
    staleTime: 30_000,
  });

/**
 * Reads pasted JSON as a view document (older versions brought up to date)
 * and checks it against the schema without running it. Throws the typed
 * error (its field is the path into the document) when it is not one.
 */
export async function checkView(text: string): Promise<ViewDocument> {
  return unwrap(await commands.checkView(text));
}

/** The relationship types in use, for suggestions in the builder. */
export const relationshipTypesQuery = () =>
  queryOptions({
    queryKey: [...queryKeys.allLinks, 'relationshipTypes'] as const,
    queryFn: async () => unwrap(await commands.relationshipTypes()),
    staleTime: 60_000,
  });

/**
 * Starts exporting a document's rows to `path`; progress arrives as job
 * events. With `externalSource`, each row's external id in that source comes
 * first (`externalId`), so the file can be edited and imported back.
 */
export async function exportView(document: ViewDocument, format: ExportFormat, path: string, externalSource: string | null): Promise<ExportStarted> {
  return unwrap(await commands.exportView(document, format, path, externalSource));
}

/** Where an export would go by default (a free name in Downloads, else home). */
export function suggestExportPath(fileName: string): Promise<string> {
  return commands.suggestExportPath(fileName);
}

/** Each call changes a saved view and refreshes the list at once (the event refreshes other windows). */
function useViewChange<I>(call: (input: I) => Promise<SavedView>) {
  const client = useQueryClient();
  return useCallback(
    async (input: I): Promise<SavedView> => {
      const view = await call(input);
      await client.invalidateQueries({ queryKey: queryKeys.savedViews });
      return view;
    },
    [client, call],
  );
}

const create = async (input: NewView) => unwrap(await commands.createView(input));
const update = async (input: ViewUpdate) => unwrap(await commands.updateView(input));
const duplicate = async ({ id, shared }: { id: string; shared: boolean }) => unwrap(await commands.duplicateView(id, shared));
const remove = async (input: VersionedId) => unwrap(await commands.deleteView(input));
const restore = async (input: VersionedId) => unwrap(await commands.restoreView(input));

export const useCreateView = () => useViewChange(create);
/** Saves a new name, description or document; refused when someone saved it since (`expectedUpdatedAt`). */
export const useUpdateView = () => useViewChange(update);
export const useDuplicateView = () => useViewChange(duplicate);
export const useDeleteView = () => useViewChange(remove);
export const useRestoreView = () => useViewChange(restore);

/**
 * Refetch the saved views (after a Conflict, to see them as they are now).
 * A view the conflict reported as it is now goes into the list at once.
 */
export function useReloadSavedViews() {
  const client = useQueryClient();
  return useCallback(
    (current?: SavedView) => {
      if (current) client.setQueryData<SavedView[]>(queryKeys.savedViews, (views) => views?.map((view) => (view.id === current.id ? current : view)));
      return client.invalidateQueries({ queryKey: queryKeys.savedViews });
    },
    [client],
  );
}

/**
 * The loaded pages of a document's rows: refetch them, or put one row's new
 * value in at once (the change's event then refreshes every view).
 */
export function useViewRowsCache() {
  const client = useQueryClient();
  const reload = useCallback((document: ViewDocument) => client.invalidateQueries({ queryKey: queryKeys.viewRows(docKey(document)) }), [client]);
  const patchRow = useCallback(
    (document: ViewDocument, rowId: string, key: string, stored: Value | null, updatedAt: string) => {
      client.setQueryData<InfiniteData<ViewPage, Cursor | null>>(queryKeys.viewRows(docKey(document)), (data) => {
        if (!data) return data;
        const pages = data.pages.map((page) => ({
          ...page,
          rows: page.rows.map((row) => {
            if (row.id !== rowId) return row;
            const properties = { ...((row.properties ?? {}) as Record<string, Value>) };
            if (stored === null) delete properties[key];
            else properties[key] = stored;
            return { ...row, properties, updatedAt };
          }),
        }));
        return { ...data, pages };
      });
    },
    [client],
  );
  return useMemo(() => ({ reload, patchRow }), [reload, patchRow]);
}

/** An entity's property pane read now, not from the cache: an inline edit checks the value against it. */
export function useFreshPane() {
  const client = useQueryClient();
  return useCallback((entityId: string) => client.fetchQuery({ ...propertyPaneQuery(entityId), staleTime: 0 }), [client]);
}

/** The views entity types open with (those the person can see). */
export const typeDefaultViewsQuery = () =>
  queryOptions({
    queryKey: [...queryKeys.savedViews, 'typeDefaults'] as const,
    queryFn: async () => unwrap(await commands.typeDefaultViews()),
    staleTime: 60_000,
  });

/** The view a type opens with when none was chosen (made from its layout). */
export async function generatedTypeView(entityTypeId: string): Promise<ViewDocument> {
  return unwrap(await commands.generatedTypeView(entityTypeId));
}

/** Chooses (or with null, clears) the shared view an entity type opens with. */
export function useSetTypeDefaultView() {
  const client = useQueryClient();
  return useCallback(
    async (entityTypeId: string, viewId: string | null) => {
      const chosen = unwrap(await commands.setTypeDefaultView({ entityTypeId, viewId }));
      await client.invalidateQueries({ queryKey: queryKeys.savedViews });
      return chosen;
    },
    [client],
  );
}

/** The one entity type a document is about (its filter is that type, alone or first in an "all"), else null. */
export function typeKeyOf(document: ViewDocument): string | null {
  const filter = document.filter;
  if (!filter) return null;
  const only = (f: typeof filter) => (f.type && f.type.length === 1 ? f.type[0] : null);
  if (filter.type) return only(filter);
  if (filter.all) {
    const types = filter.all.filter((f) => f.type);
    return types.length === 1 ? only(types[0]) : null;
  }
  return null;
}

/** Opens the view a type opens with: its chosen view, else one made from its layout. */
export function useOpenTypeView() {
  const client = useQueryClient();
  const { openSavedView, openNewView } = useWorkspace();
  return useCallback(
    async (type: { id: string; name: string }) => {
      // Asked afresh: another administrator may have chosen since.
      const defaults = await client.fetchQuery({ ...typeDefaultViewsQuery(), staleTime: 0 });
      const chosen = defaults.find((d) => d.entityTypeId === type.id);
      if (chosen) {
        openSavedView(chosen.savedViewId);
        return;
      }
      openNewView(await generatedTypeView(type.id), type.name);
    },
    [client, openSavedView, openNewView],
  );
}

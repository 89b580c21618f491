// Data: the domain packs (list, install or upgrade, uninstall) and imports of
// rows from a file (inspect its first rows, a dry run's diff, the import
// itself as a background job followed by the jobs panel), the run log and
// the mapping presets. Installs and imports are applied as `reloaded` (a bulk
// load), which also refreshes the packs and the import runs.
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import {
  commands,
  type FileFormat,
  type ImportInspect,
  type ImportMapping,
  type ImportPreset,
  type ImportSource,
  type InstallReport,
  type SyncOptions,
  type SyncReport,
  type SyncStarted,
  type UninstallReport,
} from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

/** How many of a file's rows the inspection shows. */
export const INSPECT_ROWS = 20;

// ---- packs ----

export const packsQuery = () =>
  queryOptions({
    queryKey: queryKeys.packs,
    queryFn: async () => unwrap(await commands.packList()),
    staleTime: 60_000,
  });

/**
 * After a pack changed: everything a pack brings (types, properties, tags,
 * views, dashboards, workflows, sample entities) and the packs themselves,
 * as a bulk load (`reloaded`) does.
 */
function usePackChanged() {
  const applier = useChangeApplier();
  return useCallback(() => applier.applyLocal({ kind: 'reloaded' }), [applier]);
}

/** Installs (or upgrades to) the built-in pack `key`; returns what it did. */
export function useInstallPack() {
  const changed = usePackChanged();
  return useCallback(
    async (key: string): Promise<InstallReport> => {
      const report = unwrap(await commands.packInstall(key));
      changed();
      return report;
    },
    [changed],
  );
}

/** Uninstalls a pack: refused (InUse) while entities of its types live, unless `deleteEntities` soft-deletes them. */
export function useUninstallPack() {
  const changed = usePackChanged();
  return useCallback(
    async (key: string, deleteEntities: boolean): Promise<UninstallReport> => {
      const report = unwrap(await commands.packUninstall(key, deleteEntities));
      changed();
      return report;
    },
    [changed],
  );
}

// ---- imports ----

/** The first rows of a file, its columns, and the mapping its header suggests for a type. Nothing is written. */
export async function inspectImport(source: ImportSource, typeKey: string | null, format: FileFormat | null): Promise<ImportInspect> {
  return unwrap(await commands.importInspect(source, typeKey, format));
}

/** What importing the file would do (a dry run). Nothing is written. */
export async function previewImport(source: ImportSource, options: SyncOptions): Promise<SyncReport> {
  return unwrap(await commands.importPreview(source, options));
}

/** Starts importing the file; progress and the report arrive as job events. */
export async function startImport(source: ImportSource, options: SyncOptions): Promise<SyncStarted> {
  return unwrap(await commands.importStart(source, options));
}

/** The latest import runs, newest first. */
export const importRunsQuery = () =>
  queryOptions({
    queryKey: queryKeys.importRuns,
    queryFn: async () => unwrap(await commands.importRuns()),
  });

/** The mapping presets the person may use (theirs and the shared ones). */
export const importPresetsQuery = () =>
  queryOptions({
    queryKey: queryKeys.importPresets,
    queryFn: async () => unwrap(await commands.importPresets()),
    staleTime: 60_000,
  });

/** Saves a mapping as a preset (replacing the person's preset of that name) and refreshes the presets. */
export function useSavePreset() {
  const client = useQueryClient();
  return useCallback(
    async (name: string, typeKey: string, mapping: ImportMapping, shared: boolean): Promise<ImportPreset> => {
      const preset = unwrap(await commands.importPresetSave(name, typeKey, mapping, shared));
      await client.invalidateQueries({ queryKey: queryKeys.importPresets });
      return preset;
    },
    [client],
  );
}

export function useDeletePreset() {
  const client = useQueryClient();
  return useCallback(
    async (id: string): Promise<void> => {
      unwrap(await commands.importPresetDelete(id));
      await client.invalidateQueries({ queryKey: queryKeys.importPresets });
    },
    [client],
  );
}

/** Refreshes the run log (after an import ended). */
export function useRefreshRuns() {
  const client = useQueryClient();
  return useCallback(() => client.invalidateQueries({ queryKey: queryKeys.importRuns }), [client]);
}

import { describe, expect, it } from 'vitest';
import type { ImportMapping, SyncReport } from '../../bindings';
import {
  buildMapping,
  choicesFromMapping,
  compareVersions,
  contentSections,
  fieldLabel,
  importVerdict,
  inUseCount,
  packState,
  previewKey,
  readableValue,
  sourceName,
  syncOptions,
  type ImportSettings,
} from './dataModel';

describe('packs', () => {
  it('compares versions part by part, numbers as numbers', () => {
    expect(compareVersions('1.9.2', '1.10.0')).toBe(-1);
    expect(compareVersions('2.0.0', '1.10.0')).toBe(1);
    expect(compareVersions('1.2', '1.2.0')).toBe(0);
    expect(compareVersions('1.2.0-beta', '1.2.0-rc')).toBe(-1);
  });

  it('tells not installed, installed, and an update available', () => {
    expect(packState({ installedVersion: null, availableVersion: '1.0.0' })).toBe('notInstalled');
    expect(packState({ installedVersion: '1.0.0', availableVersion: '1.0.0' })).toBe('installed');
    expect(packState({ installedVersion: '1.0.0', availableVersion: '1.1.0' })).toBe('updateAvailable');
    // A newer installed version, or one from a folder, is no update.
    expect(packState({ installedVersion: '2.0.0', availableVersion: '1.1.0' })).toBe('installed');
    expect(packState({ installedVersion: '0.1.0', availableVersion: null })).toBe('installed');
  });

  it('reads the count of an uninstall refusal', () => {
    expect(inUseCount("12 entities are of this pack's types; uninstall with their deletion to soft-delete them")).toBe(12);
    expect(inUseCount('1,204 entities are of this pack’s types')).toBe(1204);
    expect(inUseCount('still in use')).toBeNull();
  });

  it('lists the sections of a pack’s contents that have something', () => {
    expect(contentSections({ types: ['job'], properties: [], views: ['jobs_board'], adopted: ['type:site'] })).toEqual([
      { label: 'Types', items: ['job'] },
      { label: 'Views', items: ['jobs_board'] },
      { label: 'Adopted (existed before, kept)', items: ['type:site'] },
    ]);
  });
});

describe('the mapping', () => {
  const columns = ['external_id', 'name', 'parent', 'tags', 'serial', 'pathLabel', 'notes'];
  const guess: ImportMapping = {
    externalId: 'external_id',
    name: 'name',
    parent: { column: 'parent', by: 'externalId' },
    tags: 'tags',
    properties: [{ column: 'serial', property: 'serial_number' }],
    ignored: ['pathLabel'],
  };

  it('starts from the guess; columns it does not name stay unchosen', () => {
    expect(choicesFromMapping(columns, guess)).toEqual({
      external_id: 'externalId',
      name: 'name',
      parent: 'parentExternalId',
      tags: 'tags',
      serial: 'property:serial_number',
      pathLabel: 'ignore',
      notes: '',
    });
    expect(choicesFromMapping(['a'], null)).toEqual({ a: '' });
    // A guess without an external id (an empty column name).
    expect(choicesFromMapping(['code', 'name'], { ...guess, externalId: '', parent: null, tags: null, properties: [] })).toEqual({ code: '', name: 'name' });
  });

  it('builds the mapping once every column is chosen', () => {
    const choices = { ...choicesFromMapping(columns, guess), notes: 'ignore' as const, parent: 'parentPathLabel' as const };
    expect(buildMapping(columns, choices)).toEqual({
      mapping: {
        externalId: 'external_id',
        name: 'name',
        parent: { column: 'parent', by: 'pathLabel' },
        tags: 'tags',
        properties: [{ column: 'serial', property: 'serial_number' }],
        ignored: ['pathLabel', 'notes'],
      },
      errors: [],
    });
  });

  it('needs exactly one external id and one name, and every column chosen', () => {
    const none = buildMapping(['a', 'b'], { a: 'ignore', b: 'ignore' });
    expect(none.mapping).toBeNull();
    expect(none.errors).toEqual([expect.stringMatching(/external id/), expect.stringMatching(/name/)]);
    const twice = buildMapping(['a', 'b', 'c', 'd'], { a: 'externalId', b: 'externalId', c: 'name', d: '' });
    expect(twice.errors).toEqual(['Only one column can be the external id: "a", "b".', 'Choose what "d" holds, or Ignore it.']);
    const props = buildMapping(['a', 'b', 'c', 'd'], { a: 'externalId', b: 'name', c: 'property:x', d: 'property:x' });
    expect(props.errors).toEqual(['The property x is chosen for several columns: "c", "d".']);
  });
});

describe('values and the preview', () => {
  it('shows stored JSON readably', () => {
    expect(readableValue('"abc"')).toBe('abc');
    expect(readableValue('12')).toBe('12');
    expect(readableValue('true')).toBe('true');
    expect(readableValue('["a","b"]')).toBe('["a","b"]');
    expect(readableValue('null')).toBe('—');
    expect(readableValue(null)).toBe('—');
    expect(readableValue('not json')).toBe('not json');
  });

  it('labels fields by property name', () => {
    const names = new Map([['serial_number', 'Serial number']]);
    expect(fieldLabel('serial_number', names)).toBe('Serial number');
    expect(fieldLabel('name', names)).toBe('Name');
    expect(fieldLabel('other', names)).toBe('other');
  });

  it('names the source by its file', () => {
    expect(sourceName({ kind: 'path', path: '/home/me/data/parts.csv' })).toBe('parts.csv');
    expect(sourceName({ kind: 'path', path: 'C:\\data\\parts.json' })).toBe('parts.json');
    expect(sourceName({ kind: 'text', name: 'picked.csv', text: '' })).toBe('picked.csv');
  });

  const settings: ImportSettings = {
    typeKey: 'part',
    system: 'erp_sap',
    format: null,
    mapping: { externalId: 'id', name: 'name', parent: null, tags: null, properties: [], ignored: [] },
    mode: 'rowByRow',
    deleteMissing: true,
    under: null,
  };

  it('makes the options of a run, and a key that changes with them', () => {
    expect(syncOptions(settings)).toEqual({
      typeKey: 'part',
      source: 'erp_sap',
      format: null,
      mapping: settings.mapping,
      mode: 'rowByRow',
      deleteMissing: true,
      under: null,
      fileName: null,
    });
    expect(previewKey('path:/a.csv', settings)).toBe(previewKey('path:/a.csv', { ...settings }));
    expect(previewKey('path:/a.csv', settings)).not.toBe(previewKey('path:/a.csv', { ...settings, mode: 'allOrNothing' }));
    expect(previewKey('path:/a.csv', settings)).not.toBe(previewKey('path:/b.csv', settings));
    // The parent of new rows is an option like the others.
    expect(syncOptions({ ...settings, under: 'plant-1' }).under).toBe('plant-1');
    expect(previewKey('path:/a.csv', settings)).not.toBe(previewKey('path:/a.csv', { ...settings, under: 'plant-1' }));
  });

  const report = (errorRows: number, errors: number): SyncReport => ({
    runId: null,
    dryRun: true,
    status: 'dry_run',
    mapping: null,
    diff: {
      total: 10,
      created: 1,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      errorRows,
      createdRows: [],
      updatedRows: [],
      deletedRows: [],
      errors: Array.from({ length: errors }, (_, i) => ({ line: i + 2, column: null, message: 'bad' })),
    },
  });

  it('says whether the import would write anything', () => {
    expect(importVerdict(report(0, 0), 'allOrNothing')).toEqual({ kind: 'clean' });
    expect(importVerdict(report(2, 2), 'rowByRow')).toEqual({ kind: 'skipRows', rows: 2 });
    expect(importVerdict(report(2, 2), 'allOrNothing')).toMatchObject({ kind: 'nothingWritten', reason: expect.stringMatching(/^2 rows have errors .*nothing will be written/) });
    // Problems of the file as a whole stop both modes.
    expect(importVerdict(report(0, 1), 'rowByRow')).toMatchObject({ kind: 'nothingWritten' });
  });
});

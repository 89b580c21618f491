import { describe, expect, it } from 'vitest';
import type { ViewDocument, ViewRow } from '../../../bindings';
import { makeType, T0 } from '../../../test/fixtures';
import { makeDefinition, makeField, makePane } from '../../../test/propertyFixtures';
import { cellShown, cellText } from './cells';
import {
  checkCellEdit,
  clampWidth,
  columnLabel,
  columnWidth,
  isEditable,
  isSortable,
  moveColumn,
  paneFieldOf,
  removeColumn,
  resizeColumn,
  sameValue,
  sortOf,
  storedToValue,
  toggleSort,
  valueToStored,
} from './tableModel';

const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  rules: { options: [{ key: 'ok', label: 'Running', color: null }, { key: 'fault', label: 'Fault', color: null }] },
});
const pressure = makeDefinition({ key: 'pressure', valueType: 'number' });
const token = makeDefinition({ key: 'token', valueType: 'text', isSensitive: true });
const config = makeDefinition({ key: 'config', valueType: 'json' });
const definitions = new Map([status, pressure, token, config].map((d) => [d.key, d]));

const doc: ViewDocument = {
  version: 2,
  columns: [{ field: 'name' }, { field: 'property:status', width: 120 }, { field: 'type' }],
  sort: [{ field: 'name', descending: false }],
};

describe('columns', () => {
  it('labels built-in fields and properties (a property not known by its key)', () => {
    expect(['name', 'pathLabel', 'type', 'updatedAt'].map((f) => columnLabel(f, definitions))).toEqual(['Name', 'Path', 'Type', 'Updated']);
    expect(columnLabel('property:pressure', definitions)).toBe('Pressure');
    expect(columnLabel('property:gone', definitions)).toBe('gone');
  });

  it('has a width of its own, a default, and stays within what the core accepts', () => {
    expect(columnWidth({ field: 'property:status', width: 120 })).toBe(120);
    expect(columnWidth({ field: 'name' })).toBe(240);
    expect(columnWidth({ field: 'property:x', width: null })).toBe(180);
    expect(clampWidth(12)).toBe(40);
    expect(clampWidth(9000)).toBe(2000);
    expect(resizeColumn(doc, 1, 151.6).columns?.[1]).toEqual({ field: 'property:status', width: 152 });
    expect(resizeColumn(doc, 0, 10).columns?.[0]).toEqual({ field: 'name', width: 40 });
  });

  it('moves a column, and removes one with its sort key', () => {
    expect(moveColumn(doc, 0, 2).columns?.map((c) => c.field)).toEqual(['property:status', 'type', 'name']);
    expect(moveColumn(doc, 2, 1).columns?.map((c) => c.field)).toEqual(['name', 'type', 'property:status']);
    expect(moveColumn(doc, 0, 3)).toBe(doc);
    const removed = removeColumn(doc, 0);
    expect(removed.columns?.map((c) => c.field)).toEqual(['property:status', 'type']);
    expect(removed.sort).toEqual([]);
  });
});

describe('sorting by a header', () => {
  it('sorts by the field alone, then turns it round', () => {
    const byStatus = toggleSort(doc, 'property:status', false);
    expect(byStatus.sort).toEqual([{ field: 'property:status', descending: false }]);
    expect(toggleSort(byStatus, 'property:status', false).sort).toEqual([{ field: 'property:status', descending: true }]);
    expect(toggleSort(toggleSort(byStatus, 'property:status', false), 'property:status', false).sort).toEqual([{ field: 'property:status', descending: false }]);
  });

  it('with Shift adds a further key, or turns that key round in place', () => {
    const two = toggleSort(doc, 'updatedAt', true);
    expect(two.sort).toEqual([{ field: 'name', descending: false }, { field: 'updatedAt', descending: false }]);
    expect(toggleSort(two, 'name', true).sort).toEqual([{ field: 'name', descending: true }, { field: 'updatedAt', descending: false }]);
    expect(sortOf(two, 'updatedAt')).toEqual({ position: 1, descending: false });
    expect(sortOf(two, 'type')).toBeNull();
  });

  it('never by the type (the core cannot)', () => {
    expect(isSortable('type')).toBe(false);
    expect(isSortable('property:status')).toBe(true);
  });
});

describe('stored values', () => {
  it('reads what a row stores as values of the property type', () => {
    expect(storedToValue('number', 7.5)).toEqual({ type: 'number', value: '7.5' });
    expect(storedToValue('single_select', 'fault')).toEqual({ type: 'single_select', value: 'fault' });
    expect(storedToValue('multi_select', ['a', 'b'])).toEqual({ type: 'multi_select', value: ['a', 'b'] });
    expect(storedToValue('json', { b: 1, a: [2] })).toEqual({ type: 'json', value: '{"b":1,"a":[2]}' });
    expect(storedToValue('boolean', false)).toEqual({ type: 'boolean', value: false });
    expect(storedToValue('text', undefined)).toBeNull();
    expect(storedToValue('text', 12)).toBe('invalid');
    expect(storedToValue('number', 'abc')).toBe('invalid');
  });

  it('writes values as rows store them', () => {
    expect(valueToStored({ type: 'number', value: '12.50' })).toBe(12.5);
    expect(valueToStored({ type: 'json', value: '{"a": 1}' })).toEqual({ a: 1 });
    expect(valueToStored({ type: 'multi_select', value: ['x'] })).toEqual(['x']);
  });

  it('compares numbers by amount and JSON by content', () => {
    expect(sameValue({ type: 'number', value: '12.50' }, { type: 'number', value: '12.5' })).toBe(true);
    expect(sameValue({ type: 'number', value: '12.51' }, { type: 'number', value: '12.5' })).toBe(false);
    expect(sameValue({ type: 'json', value: '{"a": 1, "b": [1, 2]}' }, { type: 'json', value: '{"b":[1,2],"a":1}' })).toBe(true);
    expect(sameValue({ type: 'json', value: '{"a": 1}' }, { type: 'json', value: '{"a": 2}' })).toBe(false);
    expect(sameValue({ type: 'multi_select', value: ['a', 'b'] }, { type: 'multi_select', value: ['b', 'a'] })).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(null, { type: 'text', value: '' })).toBe(false);
  });
});

describe('checkCellEdit', () => {
  const field = makeField(pressure, { type: 'number', value: '7.50' }, { valueUpdatedAt: 'v7' });
  const pane = makePane('e1', [[null, [makeField(status), field]]]);

  it('goes ahead against the version of the value the row showed', () => {
    expect(paneFieldOf(pane, pressure.id)).toBe(pane.sections[0].fields[1]);
    expect(checkCellEdit({ type: 'number', value: '7.5' }, paneFieldOf(pane, pressure.id))).toEqual({ ok: true, expectedUpdatedAt: 'v7' });
    // No value shown, none held: sent against no version.
    expect(checkCellEdit(null, paneFieldOf(pane, status.id))).toEqual({ ok: true, expectedUpdatedAt: null });
    expect(checkCellEdit(null, undefined)).toEqual({ ok: true, expectedUpdatedAt: null });
  });

  it('refuses when the entity holds another value now, saying which', () => {
    expect(checkCellEdit({ type: 'number', value: '3' }, field)).toEqual({ ok: false, current: { type: 'number', value: '7.50' }, raw: null });
    expect(checkCellEdit({ type: 'number', value: '3' }, undefined)).toEqual({ ok: false, current: null, raw: null });
    const raw = makeField(pressure, null, { raw: '"high"' });
    expect(checkCellEdit(null, raw)).toEqual({ ok: false, current: null, raw: '"high"' });
  });

  it('edits known, non-sensitive, non-system properties only', () => {
    expect(isEditable(pressure)).toBe(true);
    expect(isEditable(token)).toBe(false);
    expect(isEditable(makeDefinition({ key: 'name', valueType: 'text', isSystem: true }))).toBe(false);
    expect(isEditable(undefined)).toBe(false);
  });
});

describe('cells', () => {
  const row: ViewRow = {
    id: 'e1',
    name: 'Pump 1',
    pathLabel: 'site.hall.pump_1',
    entityTypeId: 'type-pump',
    parentId: 'hall',
    properties: { status: 'fault', pressure: 7.5, config: { a: 1 }, odd: 'x', token: 'leaked?' },
    updatedAt: T0,
  };
  const types = new Map([['type-pump', makeType({ key: 'pump', name: 'Pump', icon: 'gauge' })]]);
  const text = (field: string) => cellText(cellShown(field, row, definitions, types));

  it('shows built-in fields, option labels, numbers and JSON', () => {
    expect(text('name')).toBe('Pump 1');
    expect(cellShown('pathLabel', row, definitions, types)).toEqual({ kind: 'path', text: 'site.hall.pump_1' });
    expect(cellShown('type', row, definitions, types)).toEqual({ kind: 'type', text: 'Pump', icon: 'gauge' });
    expect(text('property:status')).toBe('Fault');
    expect(text('property:pressure')).toBe('7.5');
    expect(text('property:config')).toBe('{"a":1}');
    expect(text('property:odd')).toBe('x');
    expect(cellShown('property:missing', row, definitions, types)).toEqual({ kind: 'empty' });
  });

  it('masks a sensitive property whatever the row holds, and shows a value of another type as stored', () => {
    expect(cellShown('property:token', row, definitions, types)).toEqual({ kind: 'masked' });
    expect(text('property:token')).toBe('••••••');
    expect(cellShown('property:pressure', { ...row, properties: { pressure: 'high' } }, definitions, types)).toEqual({ kind: 'invalid', text: '"high"' });
  });
});

import { describe, expect, it } from 'vitest';
import type { ViewDocument, ViewRow } from '../../../bindings';
import { T0 } from '../../../test/fixtures';
import { makeDefinition, makeField, makePane } from '../../../test/propertyFixtures';
import { MASK } from '../../properties';
import { boardColumns, boardProblem, cardDefinitions, cellText, checkMove, groupRows, rowGroupValue } from './boardModel';

const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  rules: { options: [{ key: 'on', label: 'On', color: null }, { key: 'off', label: 'Off', color: '#ff0000' }] },
});
const doc = (fields: Partial<ViewDocument>): ViewDocument => ({ version: 2, ...fields });
const row = (id: string, properties: ViewRow['properties']): ViewRow => ({ id, name: id, pathLabel: id, entityTypeId: 't', parentId: null, properties, updatedAt: T0 });

describe('board model', () => {
  it('columns: the options in their order, then "No value"', () => {
    expect(boardColumns(status)).toEqual([
      { key: 'on', label: 'On', color: null },
      { key: 'off', label: 'Off', color: '#ff0000' },
      { key: null, label: 'No value', color: null },
    ]);
  });

  it('a board needs a single-select, not sensitive, grouping property', () => {
    expect(boardProblem(doc({ groupBy: null }), undefined)).toMatch(/Choose "Group by"/);
    expect(boardProblem(doc({ groupBy: 'gone' }), undefined)).toMatch(/no property "gone"/);
    expect(boardProblem(doc({ groupBy: 'x' }), makeDefinition({ key: 'x', valueType: 'text' }))).toMatch(/not a single-select/);
    expect(boardProblem(doc({ groupBy: 'status' }), { ...status, isSensitive: true })).toMatch(/not a single-select/);
    expect(boardProblem(doc({ groupBy: 'status' }), status)).toBeNull();
  });

  it('groups rows by their stored key; a key that is no option, none, or a move in flight decide the column', () => {
    const rows = [row('a', { status: 'on' }), row('b', { status: 'gone' }), row('c', {}), row('d', { status: 'off' })];
    const groups = groupRows(rows, 'status', boardColumns(status), new Map([['d', 'on']]));
    expect([...groups.entries()].map(([k, rs]) => [k, rs.map((r) => r.id)])).toEqual([
      ['on', ['a', 'd']],
      ['off', []],
      [null, ['b', 'c']],
    ]);
    expect(rowGroupValue(row('n', { status: 3 }), 'status')).toBe('3');
  });

  it('card fields: the first property columns, skipping sensitive, unknown and the grouping property', () => {
    const defs = [status, makeDefinition({ key: 'a', valueType: 'text' }), makeDefinition({ key: 'pin', valueType: 'text', isSensitive: true }), makeDefinition({ key: 'b', valueType: 'number' }), makeDefinition({ key: 'c', valueType: 'url' }), makeDefinition({ key: 'd', valueType: 'date' })];
    const columns = ['name', 'property:status', 'property:pin', 'property:a', 'property:nope', 'property:b', 'property:c', 'property:d'].map((field) => ({ field }));
    expect(cardDefinitions(doc({ groupBy: 'status', columns }), defs).map((d) => d.key)).toEqual(['a', 'b', 'c']);
  });

  it('cell text: option labels, yes/no, secrets masked, nothing for no value', () => {
    expect(cellText(status, 'off')).toBe('Off');
    expect(cellText(makeDefinition({ key: 'm', valueType: 'multi_select', rules: status.rules }), ['on', 'off'])).toBe('On, Off');
    expect(cellText(makeDefinition({ key: 'b', valueType: 'boolean' }), true)).toBe('Yes');
    expect(cellText(makeDefinition({ key: 'n', valueType: 'number' }), 12.5)).toBe('12.5');
    expect(cellText(makeDefinition({ key: 's', valueType: 'secret_reference' }), 'secret-id')).toBe(MASK);
    expect(cellText(makeDefinition({ key: 't', valueType: 'text' }), undefined)).toBe('');
  });

  it('a move goes ahead against the value version when the entity holds what the card showed, else reports what it holds', () => {
    const pane = (value: string | null) => makePane('e', [[null, [makeField(status, value === null ? null : { type: 'single_select', value })]]]);
    expect(checkMove('on', pane('on'), 'status')).toEqual({ ok: true, expectedUpdatedAt: 'v-status' });
    expect(checkMove(null, pane(null), 'status')).toEqual({ ok: true, expectedUpdatedAt: null });
    expect(checkMove('on', pane('off'), 'status')).toEqual({ ok: false, current: 'off' });
    expect(checkMove('on', pane(null), 'status')).toEqual({ ok: false, current: null });
    // The field is absent from the pane when the entity holds no value and its type does not list it.
    expect(checkMove(null, makePane('e', []), 'status')).toEqual({ ok: true, expectedUpdatedAt: null });
  });
});

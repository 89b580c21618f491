import { describe, expect, it } from 'vitest';
import type { PropertyDefinition } from '../../../bindings';
import { makeDefinition } from '../../../test/propertyFixtures';
import { describeFilter } from './describe';
import { columnRefusal, fieldLabel, fieldProblem, groupByCandidates, isMasked, moveItem, pageSizeOf, sortRefusal } from './fields';

const status = makeDefinition({
  key: 'status',
  name: 'Status',
  valueType: 'single_select',
  isSearchable: true,
  rules: { options: [{ key: 'running', label: 'Running', color: null }] },
});
const phase = makeDefinition({ key: 'phase', name: 'Phase', valueType: 'single_select', isSearchable: false });
const power = makeDefinition({ key: 'power', name: 'Power', valueType: 'number', isSearchable: true });
const token = makeDefinition({ key: 'token', name: 'Token', valueType: 'text', isSensitive: true, isSearchable: true });
const name = makeDefinition({ key: 'name', name: 'Name', valueType: 'text', isSystem: true, isSearchable: true });
const all = [status, phase, power, token, name];
const defs = new Map<string, PropertyDefinition>(all.map((d) => [d.key, d]));

describe('fields', () => {
  it('label built-ins and properties', () => {
    expect(fieldLabel('pathLabel', defs)).toBe('Path');
    expect(fieldLabel('property:power', defs)).toBe('Power');
    expect(fieldLabel('property:gone', defs)).toBe('gone');
  });

  it('show a sensitive property as a masked column but never sort by it', () => {
    expect(columnRefusal(token)).toBeNull();
    expect(isMasked('property:token', defs)).toBe(true);
    expect(isMasked('property:power', defs)).toBe(false);
    expect(sortRefusal(token)).toMatch(/sensitive/);
    expect(fieldProblem('property:token', defs, 'sort')).toMatch(/^Token is sensitive/);
    expect(fieldProblem('property:token', defs, 'column')).toBeNull();
  });

  it('refuse what the compiler refuses', () => {
    expect(columnRefusal(phase)).toBe('not searchable');
    expect(columnRefusal(name)).toMatch(/Name column/);
    expect(fieldProblem('type', defs, 'sort')).toBe('A view cannot be sorted by type');
    expect(fieldProblem('type', defs, 'column')).toBeNull();
    expect(fieldProblem('colour', defs, 'column')).toBe('“colour” is not a field');
    expect(fieldProblem('property:gone', defs, 'column')).toBe('There is no property “gone”');
    // Unknown until the definitions load.
    expect(fieldProblem('property:gone', undefined, 'column')).toBeNull();
  });

  it('group only by searchable single-select properties', () => {
    expect(groupByCandidates(all).map((d) => d.key)).toEqual(['status']);
  });

  it('take a page size from 1 to 1000', () => {
    expect(pageSizeOf('200')).toEqual({ value: 200 });
    expect(pageSizeOf('0')).toEqual({ problem: 'A page holds 1 to 1000 rows' });
    expect(pageSizeOf('1001')).toEqual({ problem: 'A page holds 1 to 1000 rows' });
    expect(pageSizeOf('2.5')).toHaveProperty('problem');
  });

  it('move items within a list', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
  });
});

describe('describeFilter', () => {
  it('reads a filter in one line with labels', () => {
    const text = describeFilter(
      {
        all: [
          { property: { key: 'status', op: 'in', value: ['running'] } },
          { property: { key: 'power', op: 'gte', value: 10 } },
          { any: [{ type: ['pump'] }, { not: { text: 'spare' } }] },
          { tag: { match: 'none', tags: ['t1'] } },
        ],
      },
      {
        definitions: all,
        types: [{ id: 'ty', key: 'pump', name: 'Pump', description: null, icon: null, isSystem: false, createdAt: '', updatedAt: '', deletedAt: null, liveEntities: 0 }],
        tags: [{ id: 't1', groupId: null, key: 'old', name: 'Old', color: null, updatedAt: '', deletedAt: null }],
      },
    );
    expect(text).toBe('Status is one of (Running) and Power ≥ 10 and (Type is Pump or not (Name contains “spare”)) and Tagged none of (Old)');
  });

  it('says when there is no filter, and falls back to keys', () => {
    expect(describeFilter(null)).toBe('Every entity');
    expect(describeFilter({ property: { key: 'power', op: 'between', value: [1, 5] } })).toBe('power between 1 and 5');
    expect(describeFilter({ updated: { op: 'inLastDays', value: 7 } })).toBe('Updated in the last 7 days');
    expect(describeFilter({ property: { key: 'status', op: 'notIn', value: ['running'] } }, all)).toBe('Status is none of (Running)');
  });
});

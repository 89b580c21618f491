import { describe, expect, it } from 'vitest';
import { actionInWords, historyChanges, propertyChanges } from './historyFormat';

describe('actionInWords', () => {
  it.each([
    ['entity.create', 'Created'],
    ['entity.rename', 'Renamed'],
    ['entity.move', 'Moved'],
    ['entity.delete', 'Deleted'],
    ['entity.restore', 'Restored'],
    ['entity.set_icon', 'Set icon'],
    ['custom', 'Custom'],
  ])('%s -> %s', (action, words) => {
    expect(actionInWords(action)).toBe(words);
  });
});

describe('historyChanges', () => {
  it('shows the fields that changed, before and after', () => {
    expect(historyChanges({ name: 'A', pathLabel: 'x.a', parentId: 'p' }, { name: 'B', pathLabel: 'x.b', parentId: 'p' })).toEqual([
      { field: 'name', label: 'Name', before: 'A', after: 'B' },
      { field: 'pathLabel', label: 'Path', before: 'x.a', after: 'x.b' },
    ]);
  });

  it('accepts snake_case keys and one-sided rows', () => {
    expect(historyChanges(null, { name: 'New', path_label: 'n', parent_id: null })).toEqual([
      { field: 'name', label: 'Name', before: null, after: 'New' },
      { field: 'pathLabel', label: 'Path', before: null, after: 'n' },
      { field: 'parentId', label: 'Parent', before: null, after: null },
    ]);
    expect(historyChanges({ parent_id: 'a' }, { parent_id: 'b' })).toEqual([{ field: 'parentId', label: 'Parent', before: 'a', after: 'b' }]);
    expect(historyChanges('odd', [1, 2])).toEqual([]);
  });
});

describe('propertyChanges', () => {
  it('lists each property of a property change with its values before and after, as words', () => {
    expect(
      propertyChanges({ power_kw: 12.5, tags: ['a'], pin: '<redacted>', note: null }, { power_kw: 15, tags: ['a', 'b'], pin: '<redacted>', note: 'hi' }),
    ).toEqual([
      { key: 'power_kw', before: '12.5', after: '15' },
      { key: 'tags', before: '["a"]', after: '["a","b"]' },
      { key: 'pin', before: '<redacted>', after: '<redacted>' },
      { key: 'note', before: null, after: 'hi' },
    ]);
    expect(propertyChanges(null, { serial: 'SN-1' })).toEqual([{ key: 'serial', before: null, after: 'SN-1' }]);
    expect(propertyChanges('odd', null)).toEqual([]);
  });
});

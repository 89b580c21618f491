import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/fixtures';
import { makeDefinition } from '../../test/propertyFixtures';
import { buildEdit, buildEditOn, capitalized, describeAction, EMPTY_DRAFT, editableDefinitions, jobLabel, shownText, shownValue, storedValue, type Draft } from './bulkModel';

const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  rules: {
    options: [
      { key: 'active', label: 'Active', color: '#2f9e44' },
      { key: 'fault', label: 'Fault', color: '#e03131' },
    ],
  },
});
const power = makeDefinition({ key: 'rated_power_kw', valueType: 'number', rules: { min: '0' } });
const features = makeDefinition({
  key: 'features',
  valueType: 'multi_select',
  rules: {
    options: [
      { key: 'heat', label: 'Heating', color: null },
      { key: 'cool', label: 'Cooling', color: null },
    ],
  },
});
const token = makeDefinition({ key: 'api_token', valueType: 'text', isSensitive: true });
const name = makeDefinition({ key: 'name', valueType: 'text', isSystem: true });
const definitions = [status, power, features, token];

const a = makeNode({ id: 'a', name: 'AHU 1' });
const b = makeNode({ id: 'b', name: 'AHU 2' });
const draft = (fields: Partial<Draft>): Draft => ({ ...EMPTY_DRAFT, ...fields });

describe('buildEdit', () => {
  it('sets a property on the selected entities, with the value its editor parses', () => {
    expect(buildEdit([a, b], draft({ definitionId: status.id, text: 'active' }), definitions)).toEqual({
      ok: true,
      edit: { target: { kind: 'entities', ids: ['a', 'b'] }, action: { kind: 'setProperty', definitionId: status.id, value: { type: 'single_select', value: 'active' } } },
    });
    expect(buildEdit([a], draft({ definitionId: power.id, text: ' 12.50 ' }), definitions)).toMatchObject({
      ok: true,
      edit: { action: { value: { type: 'number', value: '12.50' } } },
    });
  });

  it('clears a property (value null) and adds or removes a tag', () => {
    expect(buildEdit([a, b], draft({ action: 'clear', definitionId: power.id, text: 'ignored' }), definitions)).toEqual({
      ok: true,
      edit: { target: { kind: 'entities', ids: ['a', 'b'] }, action: { kind: 'setProperty', definitionId: power.id, value: null } },
    });
    expect(buildEdit([a], draft({ action: 'addTag', tagId: 'tag-hvac' }), definitions)).toEqual({
      ok: true,
      edit: { target: { kind: 'entities', ids: ['a'] }, action: { kind: 'addTag', tagId: 'tag-hvac' } },
    });
    expect(buildEdit([a], draft({ action: 'removeTag', tagId: 'tag-hvac' }), definitions)).toMatchObject({ ok: true, edit: { action: { kind: 'removeTag', tagId: 'tag-hvac' } } });
  });

  it('targets every entity of a type (or of any type) under one node', () => {
    const subtree = draft({ target: 'subtree', typeChosen: true, typeKey: 'hvac_unit', action: 'addTag', tagId: 't' });
    expect(buildEdit([a], subtree, definitions)).toMatchObject({ ok: true, edit: { target: { kind: 'subtree', rootId: 'a', typeKey: 'hvac_unit' } } });
    expect(buildEdit([a], { ...subtree, typeKey: null }, definitions)).toMatchObject({ ok: true, edit: { target: { kind: 'subtree', rootId: 'a', typeKey: null } } });
  });

  it('says what is missing, under which input', () => {
    expect(buildEdit([a], draft({ target: 'subtree', definitionId: status.id, text: 'active' }), definitions)).toEqual({ ok: false, field: 'type', error: 'Choose a type' });
    expect(buildEdit([a], draft({}), definitions)).toEqual({ ok: false, field: 'definition', error: 'Choose a property' });
    expect(buildEdit([a], draft({ definitionId: status.id }), definitions)).toMatchObject({ ok: false, field: 'value' });
    expect(buildEdit([a], draft({ definitionId: power.id, text: '-3' }), definitions)).toEqual({ ok: false, field: 'value', error: 'Must be at least 0' });
    expect(buildEdit([a], draft({ action: 'addTag' }), definitions)).toEqual({ ok: false, field: 'tag', error: 'Choose a tag' });
  });

  it('edits a target the caller fixed (a view), whatever the draft says about subtrees', () => {
    const document = { version: 2, filter: { type: ['pump'] } };
    const target = { kind: 'view', document } as const;
    expect(buildEditOn(target, draft({ target: 'subtree', definitionId: status.id, text: 'fault' }), definitions)).toEqual({
      ok: true,
      edit: { target, action: { kind: 'setProperty', definitionId: status.id, value: { type: 'single_select', value: 'fault' } } },
    });
    expect(buildEditOn({ kind: 'entities', ids: ['x'] }, draft({ action: 'addTag' }), definitions)).toEqual({ ok: false, field: 'tag', error: 'Choose a tag' });
    expect(capitalized('all 3 rows of "Pumps"')).toBe('All 3 rows of "Pumps"');
  });

  it('never offers the system name or deleted properties', () => {
    expect(editableDefinitions([name, status, { ...power, deletedAt: '2025-01-02T00:00:00Z' }])).toEqual([status]);
  });
});

describe('previewed values', () => {
  it('reads stored JSON as values of the property type', () => {
    expect(storedValue('single_select', '"active"')).toEqual({ type: 'single_select', value: 'active' });
    expect(storedValue('number', '12.500')).toEqual({ type: 'number', value: '12.500' });
    expect(storedValue('boolean', 'true')).toEqual({ type: 'boolean', value: true });
    expect(storedValue('multi_select', '["heat", "cool"]')).toEqual({ type: 'multi_select', value: ['heat', 'cool'] });
    expect(storedValue('json', '{"a": 1}')).toEqual({ type: 'json', value: '{"a": 1}' });
    expect(storedValue('text', '12')).toBeNull();
  });

  it('shows option labels, numbers as stored, nothing as "no value", sensitive values masked', () => {
    expect(shownValue(status, '"fault"')).toEqual({ kind: 'value', text: 'Fault', optionKeys: ['fault'] });
    expect(shownText(shownValue(features, '["heat", "cool"]'))).toBe('Heating, Cooling');
    expect(shownText(shownValue(power, '1234.5'))).toBe('1234.5');
    expect(shownText(shownValue(power, null))).toBe('no value');
    expect(shownValue(token, '"<redacted>"')).toEqual({ kind: 'masked' });
    expect(shownValue(token, '<redacted>')).toEqual({ kind: 'masked' });
    // A stored value of another kind is shown as it is stored.
    expect(shownText(shownValue(status, '42'))).toBe('42');
  });

  it('says what the edit does, and to how many', () => {
    const hvac = { id: 't', groupId: null, key: 'hvac', name: 'HVAC', color: null, updatedAt: '', deletedAt: null };
    expect(describeAction(draft({ action: 'set' }), status, undefined, { type: 'single_select', value: 'fault' }, 3)).toBe('Set Status to Fault on 3 entities');
    expect(describeAction(draft({ action: 'set' }), token, undefined, { type: 'text', value: 'x' })).toBe('Set Api token');
    expect(describeAction(draft({ action: 'clear' }), power, undefined, null, 1)).toBe('Clear Rated power kw on 1 entity');
    expect(describeAction(draft({ action: 'addTag' }), undefined, hvac, null, 7_000)).toBe('Add the tag HVAC to 7,000 entities');
    expect(describeAction(draft({ action: 'removeTag' }), undefined, hvac, null, 2)).toBe('Remove the tag HVAC from 2 entities');
  });

  it('labels a background job by what it does', () => {
    expect(jobLabel(draft({ action: 'set' }), status, undefined, 8_000)).toBe('Setting Status on 8,000 entities');
    expect(jobLabel(draft({ action: 'removeTag' }), undefined, { id: 't', groupId: null, key: 'p1', name: 'P1', color: null, updatedAt: '', deletedAt: null }, 1)).toBe(
      'Removing P1 from 1 entity',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { makeDefinition, makeField, makePane } from '../../test/propertyFixtures';
import { afterSave, checkText, isDirty, planSave, storedText, withText, type Edits } from './paneEdits';

const serial = makeField(makeDefinition({ key: 'serial', valueType: 'text', isRequired: true }), { type: 'text', value: 'SN-1' });
const power = makeField(makeDefinition({ key: 'power_kw', valueType: 'number', rules: { min: '0' } }), { type: 'number', value: '12.500' });
const since = makeField(makeDefinition({ key: 'since', valueType: 'date' }));
const legacy = makeField(makeDefinition({ key: 'legacy', valueType: 'boolean' }), null, { raw: '"yes"', problem: 'not a boolean value', valueUpdatedAt: 'v-legacy' });
const fields = [serial, power, since, legacy];

describe('pane edits', () => {
  it('an edit is dirty while its text differs from the stored value; typing it back drops the edit', () => {
    let edits: Edits = withText({}, power, '13');
    expect(edits).toEqual({ 'def-power_kw': { text: '13', base: 'v-power_kw' } });
    expect(isDirty(power, edits['def-power_kw'])).toBe(true);
    edits = withText(edits, power, '12.500');
    expect(edits).toEqual({});
  });

  it('a stored value of another type has no text: any edit of it, even empty, is a change', () => {
    expect(storedText(legacy)).toBeNull();
    const edits = withText({}, legacy, '');
    expect(isDirty(legacy, edits['def-legacy'])).toBe(true);
    expect(planSave(fields, edits).edits).toEqual([{ definitionId: 'def-legacy', expectedUpdatedAt: 'v-legacy', value: null }]);
  });

  it('a save sends every changed field against the version its edit started from, in the pane order', () => {
    let edits = withText({}, since, '2026-03-01');
    edits = withText(edits, serial, 'SN-2');
    edits = withText(edits, power, '12.500');
    const plan = planSave(fields, edits);
    expect(plan.invalid).toEqual([]);
    expect(plan.edits).toEqual([
      { definitionId: 'def-serial', expectedUpdatedAt: 'v-serial', value: { type: 'text', value: 'SN-2' } },
      { definitionId: 'def-since', expectedUpdatedAt: null, value: { type: 'date', value: '2026-03-01' } },
    ]);
  });

  it('keeps the version the edit started from when the pane is refetched meanwhile', () => {
    const edits = withText({}, power, '14');
    const newer = { ...power, value: { type: 'number' as const, value: '13' }, valueUpdatedAt: 'v-2' };
    expect(planSave([newer], edits).edits).toEqual([{ definitionId: 'def-power_kw', expectedUpdatedAt: 'v-power_kw', value: { type: 'number', value: '14' } }]);
  });

  it('holds back fields whose text is not a value, and a required field cleared', () => {
    let edits = withText({}, power, '-1');
    edits = withText(edits, serial, '');
    const plan = planSave(fields, edits);
    expect(plan.edits).toEqual([]);
    expect(plan.invalid.map(({ field, error }) => [field.definition.key, error])).toEqual([
      ['serial', 'Serial is required'],
      ['power_kw', 'Must be at least 0'],
    ]);
    expect(checkText(since, '')).toEqual({ ok: true, value: null });
  });

  it('after a save, drops what was sent and keeps edits made while it ran, aimed at the new version', () => {
    const edits: Edits = { 'def-serial': { text: 'SN-3', base: 'v-serial' }, 'def-power_kw': { text: '14', base: 'v-power_kw' }, 'def-since': { text: '2026-01-01', base: null } };
    const saved = makePane('e', [[null, [{ ...serial, valueUpdatedAt: 'v-new' }, power, since]]]);
    expect(afterSave(edits, { 'def-serial': 'SN-2', 'def-power_kw': '14' }, saved)).toEqual({
      'def-serial': { text: 'SN-3', base: 'v-new' },
      'def-since': { text: '2026-01-01', base: null },
    });
  });
});

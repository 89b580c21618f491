import { describe, expect, it } from 'vitest';
import type { Mutation, PropertyValue } from '../../bindings';
import { depotScope, offlineOverview, overviewWith, plantScope, renameConflict, valuesConflict } from '../../test/offlineFixtures';
import {
  conflictsSentence,
  formatMegabytes,
  formatSince,
  isEditable,
  kindLabel,
  offlineSentence,
  parseValueText,
  replaySentence,
  valueDrafts,
  valueText,
  withEditedName,
  withEditedValues,
} from './offlineModel';

describe('the banner’s words', () => {
  const since = '2026-03-02T14:02:00Z';

  it('names the one kept subtree, its size, and the edits waiting', () => {
    expect(offlineSentence(offlineOverview(since, 3))).toBe(
      `Offline since ${formatSince(since)} — showing “Plant North” kept on this computer (5,012 entities). Your edits are kept and sent when the server is back (3 waiting).`,
    );
  });

  it('counts several kept subtrees (not the revoked ones), and says when nothing is kept', () => {
    const two = overviewWith({ connection: { online: false, since: null }, status: { scopes: [plantScope, { ...plantScope, rootId: 'x', entities: 1 }, depotScope] } });
    expect(offlineSentence(two)).toBe('Offline — showing 2 subtrees kept on this computer (5,013 entities). Your edits are kept and sent when the server is back.');
    const none = overviewWith({ connection: { online: false, since: null } });
    expect(offlineSentence(none)).toMatch(/^Offline — nothing is kept on this computer/);
  });

  it('shows the time alone on the same day, else the date too', () => {
    const now = new Date(2026, 2, 2, 18, 0);
    const sameDay = new Date(2026, 2, 2, 14, 2).toISOString();
    const dayBefore = new Date(2026, 2, 1, 14, 2).toISOString();
    expect(formatSince(sameDay, now)).toBe(new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(sameDay)));
    expect(formatSince(dayBefore, now).length).toBeGreaterThan(formatSince(sameDay, now).length);
    expect(formatSince('soon', now)).toBe('soon');
  });

  it('words conflicts and replays', () => {
    expect(conflictsSentence(1)).toBe('1 edit needs your decision');
    expect(conflictsSentence(2)).toBe('2 edits need your decision');
    expect(replaySentence({ applied: 3, alreadyApplied: 0, conflicts: 0, refused: 0, remaining: 0, stopped: null })).toBe('3 edits sent to the server.');
    expect(replaySentence({ applied: 1, alreadyApplied: 2, conflicts: 1, refused: 1, remaining: 4, stopped: null })).toBe(
      '1 edit sent to the server, 2 had arrived already, 1 refused, 1 in conflict, 4 still waiting.',
    );
  });

  it('sizes in megabytes, and kinds by name', () => {
    expect(formatMegabytes(12_345_678)).toBe('12.3 MB');
    expect(formatMegabytes(0)).toBe('0.0 MB');
    expect(formatMegabytes(2_000)).toBe('less than 0.1 MB');
    expect(kindLabel('setValues')).toBe('Property values');
    expect(kindLabel('editTags')).toBe('Tags');
    expect(kindLabel('somethingNew')).toBe('somethingNew');
  });
});

describe('editing a conflicting edit', () => {
  it('reads text by the type of the value it replaces', () => {
    const number: PropertyValue = { type: 'number', value: '1' };
    expect(parseValueText(number, ' 13.75 ')).toEqual({ ok: true, value: { type: 'number', value: '13.75' } });
    expect(parseValueText(number, '+2')).toEqual({ ok: true, value: { type: 'number', value: '2' } });
    expect(parseValueText(number, '1e3')).toEqual({ ok: false, error: 'Type a number, like 12 or -0.5' });
    expect(parseValueText(number, '')).toEqual({ ok: true, value: null });
    expect(parseValueText({ type: 'text', value: 'a' }, ' b ')).toEqual({ ok: true, value: { type: 'text', value: ' b ' } });
    expect(parseValueText({ type: 'boolean', value: true }, 'false')).toEqual({ ok: true, value: { type: 'boolean', value: false } });
    expect(parseValueText({ type: 'boolean', value: true }, '')).toEqual({ ok: false, error: 'Choose yes or no' });
    expect(parseValueText({ type: 'date', value: '2026-01-01' }, '2026-03-02')).toEqual({ ok: true, value: { type: 'date', value: '2026-03-02' } });
    expect(parseValueText({ type: 'date', value: '2026-01-01' }, 'March')).toEqual({ ok: false, error: 'Type a date as YYYY-MM-DD' });
    expect(parseValueText({ type: 'json', value: '{}' }, '{"a":')).toEqual({ ok: false, error: 'Type valid JSON' });
    expect(parseValueText({ type: 'multi_select', value: [] }, 'red, blue,')).toEqual({ ok: true, value: { type: 'multi_select', value: ['red', 'blue'] } });
    expect(parseValueText({ type: 'url', value: 'x' }, ' https://eco.example ')).toEqual({ ok: true, value: { type: 'url', value: 'https://eco.example' } });
    expect(valueText({ type: 'multi_select', value: ['red', 'blue'] })).toBe('red, blue');
    expect(valueText(null)).toBe('');
  });

  it('drafts the values an edit sets, labelled by its conflict fields', () => {
    expect(valueDrafts(valuesConflict).map((d) => [d.edit.definitionId, d.label, d.text])).toEqual([
      ['def-power', 'Power (kW)', '12.5'],
      ['def-note', 'Note', 'checked'],
      ['def-active', 'def-active', 'true'],
    ]);
    expect(valueDrafts(renameConflict)).toEqual([]);
  });

  it('rebuilds the edit with the new values, or names the ones that do not read', () => {
    const rebuilt = withEditedValues(valuesConflict.mutation, { 'def-power': '14', 'def-active': 'false' });
    expect(rebuilt).toEqual({
      ok: true,
      mutation: {
        kind: 'setValues',
        input: {
          entityId: 'boiler',
          edits: [
            { definitionId: 'def-power', expectedUpdatedAt: '2026-03-01T00:00:00Z', value: { type: 'number', value: '14' } },
            { definitionId: 'def-note', expectedUpdatedAt: null, value: { type: 'text', value: 'checked' } },
            { definitionId: 'def-active', expectedUpdatedAt: null, value: { type: 'boolean', value: false } },
          ],
        },
      },
    });
    expect(withEditedValues(valuesConflict.mutation, { 'def-power': 'lots' })).toEqual({ ok: false, errors: { 'def-power': 'Type a number, like 12 or -0.5' } });
  });

  it('rebuilds a rename with the new name; an empty one is refused', () => {
    expect(withEditedName(renameConflict.mutation, '  Hall B ')).toEqual({ ok: true, mutation: { kind: 'rename', input: { id: 'hall', expectedUpdatedAt: '2026-03-01T00:00:00Z', name: 'Hall B' } } });
    expect(withEditedName(renameConflict.mutation, '  ')).toEqual({ ok: false, errors: { name: 'Type a name' } });
  });

  it('offers editing for values that hold something and for renames only', () => {
    const cleared: Mutation = { kind: 'setValues', input: { entityId: 'e', edits: [{ definitionId: 'd', expectedUpdatedAt: null, value: null }] } };
    expect(isEditable(valuesConflict.mutation)).toBe(true);
    expect(isEditable(renameConflict.mutation)).toBe(true);
    expect(isEditable(cleared)).toBe(false);
    expect(isEditable({ kind: 'delete', input: { id: 'e', expectedUpdatedAt: 'v' } })).toBe(false);
  });
});

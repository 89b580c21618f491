import { describe, expect, it } from 'vitest';
import type { SavedView, ViewDocument } from '../../bindings';
import { emptyDocument } from './api';
import { allRowsLabel, boardUnavailable, canonicalDocument, countLabel, resultsDocument, sameDocument, selectedRowsLabel, viewSections, viewTitle, viewTypeOf } from './viewsModel';

const view = (id: string, name: string, fields: Partial<SavedView> = {}): SavedView => ({
  id,
  key: null,
  name,
  description: null,
  viewType: 'table',
  ownerUserId: 'me',
  rootEntityId: null,
  config: {},
  createdAt: 'T0',
  updatedAt: 'T0',
  deletedAt: null,
  ...fields,
});

describe('viewSections', () => {
  const views = [
    view('3', 'Pumps', { ownerUserId: null, key: 'all_pumps' }),
    view('1', 'my faults', { description: 'Boilers in fault' }),
    view('2', 'Alarms'),
    view('4', 'Chillers', { ownerUserId: null }),
    view('5', 'Old', { deletedAt: 'T1' }),
  ];

  it('splits personal from shared views (no owner), each by name, leaving deleted ones out', () => {
    const { personal, shared } = viewSections(views, '');
    expect(personal.map((v) => v.name)).toEqual(['Alarms', 'my faults']);
    expect(shared.map((v) => v.name)).toEqual(['Chillers', 'Pumps']);
  });

  it('searches names, keys and descriptions, in any case', () => {
    expect(viewSections(views, 'PUMP').shared.map((v) => v.id)).toEqual(['3']);
    expect(viewSections(views, 'all_p').shared.map((v) => v.id)).toEqual(['3']);
    expect(viewSections(views, ' boiler ').personal.map((v) => v.id)).toEqual(['1']);
    expect(viewSections(views, 'nothing like it')).toEqual({ personal: [], shared: [] });
  });

  it('reads the view type, an unknown one as a table', () => {
    expect(viewTypeOf(view('b', 'B', { viewType: 'board' }))).toBe('board');
    expect(viewTypeOf(view('t', 'T', { viewType: 'tree' }))).toBe('tree');
    expect(viewTypeOf(view('x', 'X', { viewType: 'gantt' }))).toBe('table');
  });
});

describe('labels', () => {
  it('counts rows, exactly or as an estimate', () => {
    expect(countLabel({ count: 1234, exact: true })).toBe('1,234 rows');
    expect(countLabel({ count: 1, exact: true })).toBe('1 row');
    expect(countLabel({ count: 0, exact: true })).toBe('0 rows');
    expect(countLabel({ count: 120000, exact: false })).toBe('≈ 120,000 rows');
  });

  it('names what a bulk edit touches', () => {
    expect(allRowsLabel({ count: 1234, exact: true }, 'Pumps')).toBe('all 1,234 rows of "Pumps"');
    expect(allRowsLabel({ count: 120000, exact: false }, null)).toBe('all ≈ 120,000 rows of this view');
    expect(allRowsLabel(undefined, 'Pumps')).toBe('all rows of "Pumps"');
    expect(selectedRowsLabel(3)).toBe('the 3 selected rows');
    expect(selectedRowsLabel(1)).toBe('the selected row');
    expect(viewTitle(null)).toBe('Untitled view');
    expect(viewTitle(view('1', 'Pumps'))).toBe('Pumps');
  });

  it('offers the board only when the document is grouped', () => {
    expect(boardUnavailable(emptyDocument())).toMatch(/group by/);
    expect(boardUnavailable({ ...emptyDocument(), groupBy: 'status' })).toBeNull();
  });
});

describe('comparing documents', () => {
  const saved: ViewDocument = {
    version: 2,
    filter: { all: [{ property: { key: 'status', op: 'equals', value: 'fault' } }] },
    columns: [{ field: 'name', width: null }, { field: 'property:status' }],
    sort: [{ field: 'name', descending: false }],
    groupBy: null,
    pageSize: 50,
    viewType: 'table',
  };

  it('treats left-out defaults, nulls and key order as the same document', () => {
    const draft = {
      viewType: 'table',
      columns: [{ field: 'name' }, { width: undefined, field: 'property:status' }],
      sort: [{ field: 'name' }],
      filter: { all: [{ property: { value: 'fault', op: 'equals', key: 'status' } }] },
      version: 2,
    } as ViewDocument;
    expect(sameDocument(draft, saved)).toBe(true);
    expect(canonicalDocument(draft)).toBe(canonicalDocument(saved));
  });

  it('tells a changed filter, width, order or sort direction apart', () => {
    expect(sameDocument({ ...saved, filter: { all: [{ property: { key: 'status', op: 'equals', value: 'ok' } }] } }, saved)).toBe(false);
    expect(sameDocument({ ...saved, columns: [{ field: 'name', width: 300 }, { field: 'property:status' }] }, saved)).toBe(false);
    expect(sameDocument({ ...saved, columns: [{ field: 'property:status' }, { field: 'name' }] }, saved)).toBe(false);
    expect(sameDocument({ ...saved, sort: [{ field: 'name', descending: true }] }, saved)).toBe(false);
    expect(sameDocument({ ...saved, viewType: 'tree' }, saved)).toBe(false);
  });

  it('runs the same query whatever the widths or how the rows are shown, keeping the columns in order', () => {
    const wide = { ...saved, columns: [{ field: 'name', width: 400 }, { field: 'property:status', width: 90 }], viewType: 'board' as const };
    expect(resultsDocument(wide)).toEqual(resultsDocument(saved));
    expect(resultsDocument(saved).columns).toEqual([{ field: 'name' }, { field: 'property:status' }]);
    // A refusal points at a column by its place, so the order is kept.
    expect(resultsDocument({ ...saved, columns: [{ field: 'property:status' }, { field: 'name' }] }).columns).toEqual([{ field: 'property:status' }, { field: 'name' }]);
    expect(resultsDocument({ ...saved, sort: [{ field: 'name', descending: true }] })).not.toEqual(resultsDocument(saved));
  });
});

import { describe, expect, it } from 'vitest';
import type { Filter, Op, PropertyDefinition, Value, ValueType } from '../../../bindings';
import { makeDefinition } from '../../../test/propertyFixtures';
import {
  addNode,
  conditionProblem,
  defaultValue,
  findNode,
  fromFilter,
  moveNode,
  newCondition,
  newGroup,
  nodeOfPath,
  numberValue,
  operatorsFor,
  pathOfError,
  positionsOf,
  relationshipTypesIn,
  removeNode,
  setCondition,
  setGroupKind,
  tabOfError,
  toFilter,
  toggleNegated,
  valueShape,
  withOp,
  withProperty,
  wrapInGroup,
  type Condition,
  type ConditionNode,
  type GroupNode,
} from './model';

const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  isSearchable: true,
  rules: {
    options: [
      { key: 'running', label: 'Running', color: null },
      { key: 'stopped', label: 'Stopped', color: null },
    ],
  },
});
const power = makeDefinition({ key: 'power', valueType: 'number', isSearchable: true });
const site = makeDefinition({ key: 'site_url', valueType: 'url', isSearchable: true });
const installed = makeDefinition({ key: 'installed', valueType: 'date', isSearchable: true });
const token = makeDefinition({ key: 'token', valueType: 'text', isSearchable: true, isSensitive: true });
const notes = makeDefinition({ key: 'notes', valueType: 'text', isSearchable: false });
const label = makeDefinition({ key: 'label', valueType: 'text', isSearchable: true });
const defs = new Map<string, PropertyDefinition>([status, power, site, installed, token, notes, label].map((d) => [d.key, d]));

const property = (key: string, op: Op | null, value?: Value): ConditionNode => ({
  ...newCondition('property'),
  condition: value === undefined ? { kind: 'property', key, op } : { kind: 'property', key, op, value },
});

const roundTrip = (filter: Filter | null) => toFilter(fromFilter(filter), defs).filter;

describe('operators', () => {
  it('are the ones the compiler takes for each value type', () => {
    const expected: Record<ValueType, Op[]> = {
      text: ['equals', 'notEquals', 'contains', 'startsWith', 'in', 'isEmpty', 'isNotEmpty'],
      url: ['equals', 'notEquals', 'contains', 'startsWith', 'in', 'hostIs', 'isEmpty', 'isNotEmpty'],
      ip_address: ['equals', 'notEquals', 'contains', 'startsWith', 'in', 'inSubnet', 'isEmpty', 'isNotEmpty'],
      number: ['equals', 'notEquals', 'lt', 'lte', 'gt', 'gte', 'between', 'isEmpty', 'isNotEmpty'],
      boolean: ['equals', 'isEmpty', 'isNotEmpty'],
      date: ['before', 'after', 'between', 'today', 'thisWeek', 'thisMonth', 'thisQuarter', 'thisYear', 'inLastDays', 'inNextDays', 'isEmpty', 'isNotEmpty'],
      single_select: ['in', 'notIn', 'isEmpty', 'isNotEmpty'],
      multi_select: ['hasAny', 'hasAll', 'hasNone', 'isEmpty', 'isNotEmpty'],
      json: [],
      secret_reference: [],
    };
    for (const [type, ops] of Object.entries(expected)) expect(operatorsFor(type as ValueType)).toEqual(ops);
  });

  it('give each operator the value form it compares with', () => {
    expect(valueShape('text', 'in')).toBe('texts');
    expect(valueShape('url', 'hostIs')).toBe('text');
    expect(valueShape('number', 'between')).toBe('numberPair');
    expect(valueShape('number', 'gte')).toBe('number');
    expect(valueShape('date', 'between')).toBe('dayPair');
    expect(valueShape('date', 'inNextDays')).toBe('days');
    expect(valueShape('date', 'thisQuarter')).toBe('none');
    expect(valueShape('single_select', 'notIn')).toBe('options');
    expect(valueShape('multi_select', 'hasAll')).toBe('options');
    expect(valueShape('boolean', 'equals')).toBe('boolean');
    expect(valueShape('boolean', 'isEmpty')).toBe('none');
  });

  it('start each operator with an empty value of its form', () => {
    expect(defaultValue('number', 'between')).toEqual(['', '']);
    expect(defaultValue('single_select', 'in')).toEqual([]);
    expect(defaultValue('date', 'inLastDays')).toBe(7);
    expect(defaultValue('boolean', 'equals')).toBe(true);
    expect(defaultValue('text', 'contains')).toBe('');
    expect(defaultValue('date', 'today')).toBeUndefined();
  });

  it('keep the value across operators of the same form, and reset it otherwise', () => {
    const c = { kind: 'property', key: 'power', op: 'gt', value: 10 } as const;
    expect(withOp(c, 'number', 'lte')).toEqual({ ...c, op: 'lte' });
    expect(withOp(c, 'number', 'between')).toEqual({ ...c, op: 'between', value: ['', ''] });
    expect(withOp(c, 'number', 'isEmpty')).toEqual({ kind: 'property', key: 'power', op: 'isEmpty', value: undefined });
  });

  it('start a chosen property on its first operator', () => {
    expect(withProperty(status)).toEqual({ kind: 'property', key: 'status', op: 'in', value: [] });
    expect(withProperty(power)).toEqual({ kind: 'property', key: 'power', op: 'equals', value: '' });
  });

  it('hold a typed number as a JSON number only when that is exact', () => {
    expect(numberValue('10')).toBe(10);
    expect(numberValue('-3.5')).toBe(-3.5);
    expect(numberValue('1.50')).toBe('1.50');
    expect(numberValue('1.')).toBe('1.');
    expect(numberValue('12345678901234567890')).toBe('12345678901234567890');
  });
});

describe('completeness', () => {
  it('names what a property condition lacks', () => {
    expect(conditionProblem({ kind: 'property', key: null, op: null }, defs)).toBe('Choose a property');
    expect(conditionProblem({ kind: 'property', key: 'power', op: null }, defs)).toBe('Choose an operator');
    expect(conditionProblem({ kind: 'property', key: 'power', op: 'gt', value: '' }, defs)).toBe('Enter a number');
    expect(conditionProblem({ kind: 'property', key: 'power', op: 'gt', value: 'ten' }, defs)).toBe('A number such as 12 or -3.5');
    expect(conditionProblem({ kind: 'property', key: 'power', op: 'between', value: [1, ''] }, defs)).toBe('Enter a number');
    expect(conditionProblem({ kind: 'property', key: 'power', op: 'between', value: [1, '2.5'] }, defs)).toBeNull();
    expect(conditionProblem({ kind: 'property', key: 'power', op: 'contains', value: 'x' }, defs)).toBe('Choose an operator for a number property');
    expect(conditionProblem({ kind: 'property', key: 'status', op: 'in', value: [] }, defs)).toBe('Choose at least one value');
    expect(conditionProblem({ kind: 'property', key: 'status', op: 'in', value: ['broken'] }, defs)).toBe('"broken" is not an option of this property');
    expect(conditionProblem({ kind: 'property', key: 'installed', op: 'before', value: '2026-02-30' }, defs)).toBe('A day as YYYY-MM-DD');
    expect(conditionProblem({ kind: 'property', key: 'installed', op: 'inLastDays', value: 7.5 }, defs)).toBe('A whole number of days from 0 to 36500');
    expect(conditionProblem({ kind: 'property', key: 'installed', op: 'thisMonth' }, defs)).toBeNull();
    expect(conditionProblem({ kind: 'property', key: 'site_url', op: 'hostIs', value: 'https://x.org' }, defs)).toBe('A host name such as example.org');
  });

  it('refuses sensitive, unsearchable and unknown properties', () => {
    expect(conditionProblem({ kind: 'property', key: 'token', op: 'equals', value: 'a' }, defs)).toMatch(/sensitive/);
    expect(conditionProblem({ kind: 'property', key: 'notes', op: 'equals', value: 'a' }, defs)).toMatch(/not searchable/);
    expect(conditionProblem({ kind: 'property', key: 'gone', op: 'equals', value: 'a' }, defs)).toBe('There is no property “gone”');
  });

  it('judges a property condition by its shape only while the definitions load', () => {
    expect(conditionProblem({ kind: 'property', key: 'gone', op: 'equals', value: 'a' }, undefined)).toBeNull();
    expect(conditionProblem({ kind: 'property', key: 'gone', op: 'equals' }, undefined)).toBe('Enter a value');
    expect(conditionProblem({ kind: 'property', key: 'gone', op: 'isEmpty' }, undefined)).toBeNull();
  });

  it('names what the other kinds lack', () => {
    expect(conditionProblem({ kind: 'type', types: [] }, defs)).toBe('Choose at least one type');
    expect(conditionProblem({ kind: 'tag', match: 'any', tags: [] }, defs)).toBe('Choose at least one tag');
    expect(conditionProblem({ kind: 'under', entityId: null }, defs)).toBe('Choose an entity');
    expect(conditionProblem({ kind: 'text', text: '  ' }, defs)).toBe('Type some text to look for');
    expect(conditionProblem({ kind: 'updated', op: 'before', value: 'soon' }, defs)).toMatch(/YYYY-MM-DD/);
    expect(conditionProblem({ kind: 'updated', op: 'before', value: '2026-01-02T10:00:00Z' }, defs)).toBeNull();
    expect(conditionProblem({ kind: 'created', op: 'today', value: 1 }, defs)).toBe('Choose an operator');
    expect(conditionProblem({ kind: 'related', relationshipType: ' ', direction: 'either', filter: newGroup() }, defs)).toBe('Name a relationship type');
  });
});

describe('document and tree', () => {
  const v1: Filter = {
    all: [
      { type: ['pump'] },
      { property: { key: 'power', op: 'between', value: [10, 50] } },
      { any: [{ property: { key: 'status', op: 'in', value: ['running'] } }, { not: { tag: { match: 'any', tags: ['t1'] } } }] },
      { related: { type: 'feeds', direction: 'outgoing', filter: { property: { key: 'label', op: 'contains', value: 'AHU' } } } },
      { not: { any: [{ text: 'spare' }, { under: 'e1' }] } },
      { updated: { op: 'inLastDays', value: 30 } },
      { property: { key: 'installed', op: 'thisYear' } },
    ],
  };

  it('come back to the same document', () => {
    expect(roundTrip(v1)).toEqual(v1);
    expect(roundTrip(null)).toBeNull();
    expect(roundTrip({ any: [{ text: 'a' }, { text: 'b' }] })).toEqual({ any: [{ text: 'a' }, { text: 'b' }] });
    expect(roundTrip({ not: { all: [{ text: 'a' }] } })).toEqual({ not: { all: [{ text: 'a' }] } });
  });

  it('keeps a filter that was one condition without a group', () => {
    expect(roundTrip({ type: ['pump'] })).toEqual({ type: ['pump'] });
    expect(roundTrip({ not: { text: 'spare' } })).toEqual({ not: { text: 'spare' } });
    const tree = fromFilter({ type: ['pump'] });
    // An unfinished second condition changes nothing of the document.
    const withDraft = addNode(tree, tree.id, newCondition('text'));
    expect(toFilter(withDraft, defs).filter).toEqual({ type: ['pump'] });
    const withSecond = addNode(tree, tree.id, { ...newCondition('text'), condition: { kind: 'text', text: 'a' } });
    expect(toFilter(withSecond, defs).filter).toEqual({ all: [{ type: ['pump'] }, { text: 'a' }] });
  });

  it('leaves incomplete conditions and empty groups out, and says why', () => {
    const draft = property('power', 'gt', '');
    const done = property('status', 'in', ['running']);
    const empty = newGroup('any');
    const root = newGroup('all', [draft, empty, done]);
    const built = toFilter(root, defs);
    expect(built.filter).toEqual({ all: [{ property: { key: 'status', op: 'in', value: ['running'] } }] });
    expect(built.problems.get(draft.id)).toBe('Enter a number');
    expect(built.problems.get(empty.id)).toBe('Add a condition to this group');
    // The complete one is where the server will see it: first.
    expect(built.pathOf.get(done.id)).toBe('filter.all[0]');
    expect(built.pathOf.has(draft.id)).toBe(false);
  });

  it('is nothing when no condition is complete', () => {
    const built = toFilter(newGroup('all', [property('power', null)]), defs);
    expect(built.filter).toBeNull();
    expect(built.pathOf.size).toBe(0);
  });

  it('writes the value only for operators that take one', () => {
    const root = newGroup('all', [property('power', 'isEmpty', 5)]);
    expect(toFilter(root, defs).filter).toEqual({ all: [{ property: { key: 'power', op: 'isEmpty' } }] });
  });

  it('places each node at the path the server names', () => {
    const tree = fromFilter(v1);
    const built = toFilter(tree, defs);
    const nodeAt = (path: string) => findNode(tree, built.nodeAt.get(path) ?? '');
    expect(nodeAt('filter.all[1]')).toMatchObject({ condition: { kind: 'property', key: 'power' } });
    expect(nodeAt('filter.all[2].any[1].not')).toMatchObject({ negated: true, condition: { kind: 'tag' } });
    expect(nodeAt('filter.all[3].related.filter')).toMatchObject({ condition: { kind: 'property', key: 'label' } });
    expect(nodeAt('filter.all[4].not.any[1]')).toMatchObject({ condition: { kind: 'under', entityId: 'e1' } });
  });
});

describe('edits', () => {
  const a = () => ({ ...newCondition('text'), condition: { kind: 'text', text: 'a' } }) as ConditionNode;
  const b = () => ({ ...newCondition('text'), condition: { kind: 'text', text: 'b' } }) as ConditionNode;
  const texts = (root: GroupNode) => toFilter(root, defs).filter;

  it('add, remove and move conditions', () => {
    const first = a();
    const second = b();
    let root = addNode(addNode(newGroup(), 'none', first), 'none', second);
    // Nothing is added to a group that is not there.
    expect(root.children).toEqual([]);
    root = newGroup();
    root = addNode(root, root.id, first);
    root = addNode(root, root.id, second);
    expect(texts(root)).toEqual({ all: [{ text: 'a' }, { text: 'b' }] });
    expect(texts(moveNode(root, second.id, -1))).toEqual({ all: [{ text: 'b' }, { text: 'a' }] });
    // At the top already: stays.
    expect(texts(moveNode(root, first.id, -1))).toEqual({ all: [{ text: 'a' }, { text: 'b' }] });
    expect(texts(removeNode(root, first.id))).toEqual({ all: [{ text: 'b' }] });
  });

  it('wrap a condition in a group, switch a group between all and any, negate', () => {
    const first = a();
    const second = b();
    let root = newGroup('all', [first, second]);
    root = wrapInGroup(root, second.id, 'any');
    const group = root.children[1] as GroupNode;
    expect(texts(root)).toEqual({ all: [{ text: 'a' }, { any: [{ text: 'b' }] }] });
    root = addNode(root, group.id, a());
    root = setGroupKind(root, group.id, 'all');
    root = toggleNegated(root, group.id);
    root = toggleNegated(root, first.id);
    expect(texts(root)).toEqual({ all: [{ not: { text: 'a' } }, { not: { all: [{ text: 'b' }, { text: 'a' }] } }] });
    root = setGroupKind(root, root.id, 'any');
    expect(texts(root)).toMatchObject({ any: expect.any(Array) });
  });

  it('edit inside a related condition’s sub-filter', () => {
    const related: ConditionNode = { ...newCondition('related'), condition: { kind: 'related', relationshipType: 'feeds', direction: 'incoming', filter: newGroup() } };
    let root = newGroup('all', [related]);
    const sub = (related.condition as Extract<Condition, { kind: 'related' }>).filter;
    const inner = property('power', 'gte', 10);
    root = addNode(root, sub.id, inner);
    expect(texts(root)).toEqual({ all: [{ related: { type: 'feeds', direction: 'incoming', filter: { all: [{ property: { key: 'power', op: 'gte', value: 10 } }] } } }] });
    root = setCondition(root, inner.id, { kind: 'property', key: 'power', op: 'gte', value: 20 });
    expect(toFilter(root, defs).pathOf.get(inner.id)).toBe('filter.all[0].related.filter.all[0]');
    expect(positionsOf(root).get(inner.id)).toBe('0.0');
    expect(relationshipTypesIn(root)).toEqual(['feeds']);
    root = removeNode(root, inner.id);
    expect(texts(root)).toEqual({ all: [{ related: { type: 'feeds', direction: 'incoming' } }] });
  });

  it('give rows positions for their test ids', () => {
    const first = a();
    const inner = b();
    const group = newGroup('any', [inner]);
    const root = newGroup('all', [first, group]);
    const positions = positionsOf(root);
    expect([positions.get(root.id), positions.get(first.id), positions.get(group.id), positions.get(inner.id)]).toEqual(['root', '0', '1', '1.0']);
  });
});

describe('error paths', () => {
  it('find the row and the part a server error blames', () => {
    expect(pathOfError('filter.all[1].property.op')).toEqual({ row: 'filter.all[1]', part: 'op' });
    expect(pathOfError('filter.all[1].property.value[0]')).toEqual({ row: 'filter.all[1]', part: 'value' });
    expect(pathOfError('filter.any[0].not.property.key')).toEqual({ row: 'filter.any[0].not', part: 'key' });
    expect(pathOfError('filter.all[0].type[1]')).toEqual({ row: 'filter.all[0]', part: 'value' });
    expect(pathOfError('filter.all[2].tag.tags')).toEqual({ row: 'filter.all[2]', part: 'value' });
    expect(pathOfError('filter.all[2].related.type')).toEqual({ row: 'filter.all[2]', part: 'type' });
    expect(pathOfError('filter.all[2].related.filter.all[0].updated.value')).toEqual({ row: 'filter.all[2].related.filter.all[0]', part: 'value' });
    expect(pathOfError('filter.text')).toEqual({ row: 'filter', part: 'value' });
    expect(pathOfError('filter.all[3]')).toEqual({ row: 'filter.all[3]', part: null });
    expect(pathOfError('columns[1].field')).toBeNull();
    expect(pathOfError(null)).toBeNull();
  });

  it('lead to the node of the tree, past incomplete rows', () => {
    const draft = property('power', null);
    const bad = property('status', 'in', ['running']);
    const root = newGroup('all', [draft, newGroup('any', [bad])]);
    const built = toFilter(root, defs);
    const located = pathOfError('filter.all[0].any[0].property.value[0]');
    expect(located).not.toBeNull();
    expect(nodeOfPath(built, located!.row)).toBe(bad.id);
    // A deeper path than any node: the nearest one that holds it.
    expect(nodeOfPath(built, 'filter.all[0].any[0].property')).toBe(bad.id);
  });

  it('name the tab that holds the field', () => {
    expect(tabOfError('filter.all[0].type')).toBe('filter');
    expect(tabOfError('columns[2].width')).toBe('columns');
    expect(tabOfError('sort[0].field')).toBe('sort');
    expect(tabOfError('groupBy')).toBe('layout');
    expect(tabOfError('document')).toBe('json');
  });
});

// The view builder's model: the filter as an editable tree (stable ids, a
// place for conditions not finished yet), the operators and value forms the
// view compiler accepts per property type, and the way back to the nested
// document with the paths the server names in its errors.
import type { Filter, Op, PropertyDefinition, RelatedDirection, TagMatch, Value, ValueType } from '../../../bindings';

export type GroupKind = 'all' | 'any';
export type ConditionKind = 'property' | 'type' | 'tag' | 'under' | 'text' | 'updated' | 'created' | 'related';

/** Values are kept in their document form (a number may be text while it is typed). */
export type Condition =
  | { kind: 'property'; key: string | null; op: Op | null; value?: Value }
  | { kind: 'type'; types: string[] }
  | { kind: 'tag'; match: TagMatch; tags: string[] }
  | { kind: 'under'; entityId: string | null }
  | { kind: 'text'; text: string }
  | { kind: 'updated' | 'created'; op: Op | null; value?: Value }
  | { kind: 'related'; relationshipType: string; direction: RelatedDirection; filter: GroupNode };

export type ConditionNode = { node: 'condition'; id: string; negated: boolean; condition: Condition };
export type GroupNode = {
  node: 'group';
  id: string;
  kind: GroupKind;
  negated: boolean;
  children: FilterNode[];
  /**
   * The document held this one condition without a group (a top-level
   * filter or a related sub-filter): it is written back the same way.
   */
  implicit?: boolean;
};
export type FilterNode = ConditionNode | GroupNode;

let lastId = 0;
/** Ids only need to be unique within a window's session. */
export const nextId = () => `n${++lastId}`;

// ------------------------------------------------------------- operators

/** The operators of each value type, in the order the builder offers them (the compiler refuses others). */
export const OPERATORS: Record<ValueType, readonly Op[]> = {
  text: ['equals', 'notEquals', 'contains', 'startsWith', 'in', 'isEmpty', 'isNotEmpty'],
  url: ['equals', 'notEquals', 'contains', 'startsWith', 'in', 'hostIs', 'isEmpty', 'isNotEmpty'],
  ip_address: ['equals', 'notEquals', 'contains', 'startsWith', 'in', 'inSubnet', 'isEmpty', 'isNotEmpty'],
  number: ['equals', 'notEquals', 'lt', 'lte', 'gt', 'gte', 'between', 'isEmpty', 'isNotEmpty'],
  boolean: ['equals', 'isEmpty', 'isNotEmpty'],
  date: ['before', 'after', 'between', 'today', 'thisWeek', 'thisMonth', 'thisQuarter', 'thisYear', 'inLastDays', 'inNextDays', 'isEmpty', 'isNotEmpty'],
  single_select: ['in', 'notIn', 'isEmpty', 'isNotEmpty'],
  // The compiler also takes emptiness here: an empty list counts as no value.
  multi_select: ['hasAny', 'hasAll', 'hasNone', 'isEmpty', 'isNotEmpty'],
  json: [],
  secret_reference: [],
};

/** What `updated` and `created` take. */
export const TIME_OPERATORS: readonly Op[] = ['inLastDays', 'before', 'after'];

export const operatorsFor = (valueType: ValueType): readonly Op[] => OPERATORS[valueType];

const WORDS: Partial<Record<Op, string>> = {
  equals: 'is',
  notEquals: 'is not',
  contains: 'contains',
  startsWith: 'starts with',
  in: 'is one of',
  notIn: 'is none of',
  isEmpty: 'is empty',
  isNotEmpty: 'is not empty',
  lt: '<',
  lte: '≤',
  gt: '>',
  gte: '≥',
  between: 'between',
  before: 'before',
  after: 'after',
  today: 'is today',
  thisWeek: 'this week',
  thisMonth: 'this month',
  thisQuarter: 'this quarter',
  thisYear: 'this year',
  inLastDays: 'in the last … days',
  inNextDays: 'in the next … days',
  hasAny: 'has any of',
  hasAll: 'has all of',
  hasNone: 'has none of',
  hostIs: 'host is',
  inSubnet: 'in subnet',
};

/** How an operator reads in a condition row ("=" for numbers). */
export function opLabel(op: Op, valueType?: ValueType): string {
  if (valueType === 'number' && op === 'equals') return '=';
  if (valueType === 'number' && op === 'notEquals') return '≠';
  return WORDS[op] ?? op;
}

/** The form of the value an operator compares with, per value type. */
export type ValueShape = 'none' | 'text' | 'texts' | 'number' | 'numberPair' | 'day' | 'dayPair' | 'days' | 'moment' | 'boolean' | 'options';

const NO_VALUE: ReadonlySet<Op> = new Set<Op>(['isEmpty', 'isNotEmpty', 'today', 'thisWeek', 'thisMonth', 'thisQuarter', 'thisYear']);

/** Whether an operator compares with anything (the same for every type). */
export const opTakesValue = (op: Op): boolean => !NO_VALUE.has(op);

export function valueShape(valueType: ValueType, op: Op): ValueShape {
  if (!opTakesValue(op)) return 'none';
  switch (valueType) {
    case 'number':
      return op === 'between' ? 'numberPair' : 'number';
    case 'date':
      if (op === 'between') return 'dayPair';
      return op === 'inLastDays' || op === 'inNextDays' ? 'days' : 'day';
    case 'boolean':
      return 'boolean';
    case 'single_select':
    case 'multi_select':
      return 'options';
    default:
      return op === 'in' ? 'texts' : 'text';
  }
}

/** The value form of an `updated` / `created` operator. */
export const timeShape = (op: Op): ValueShape => (op === 'inLastDays' ? 'days' : 'moment');

/** A fresh value for a form: empty inputs, except a week for day counts and "yes" for a switch. */
export function defaultValueOf(shape: ValueShape): Value | undefined {
  switch (shape) {
    case 'none':
      return undefined;
    case 'texts':
    case 'options':
      return [];
    case 'numberPair':
    case 'dayPair':
      return ['', ''];
    case 'days':
      return 7;
    case 'boolean':
      return true;
    default:
      return '';
  }
}

export const defaultValue = (valueType: ValueType, op: Op) => defaultValueOf(valueShape(valueType, op));

/** A property condition on another operator: the value stays when its form does. */
export function withOp(condition: Extract<Condition, { kind: 'property' }>, valueType: ValueType | undefined, op: Op): Condition {
  const before = valueType && condition.op ? valueShape(valueType, condition.op) : null;
  const after = valueType ? valueShape(valueType, op) : opTakesValue(op) ? 'text' : 'none';
  if (before === after && after !== 'none') return { ...condition, op };
  return { ...condition, op, value: defaultValueOf(after) };
}

/** A property condition on another property: its first operator, a fresh value. */
export function withProperty(definition: PropertyDefinition): Condition {
  const op = operatorsFor(definition.valueType)[0] ?? null;
  return { kind: 'property', key: definition.key, op, value: op ? defaultValue(definition.valueType, op) : undefined };
}

export function withTimeOp(condition: Extract<Condition, { kind: 'updated' | 'created' }>, op: Op): Condition {
  const same = condition.op !== null && timeShape(condition.op) === timeShape(op);
  return same ? { ...condition, op } : { ...condition, op, value: defaultValueOf(timeShape(op)) };
}

// ------------------------------------------------------ value and number text

const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isPlainDecimal = (text: string) => text.length <= 100 && PLAIN_DECIMAL.test(text);

/** A typed number as the document holds it: a JSON number when that is exact, else its text. */
export function numberValue(text: string): Value {
  const trimmed = text.trim();
  if (isPlainDecimal(trimmed) && String(Number(trimmed)) === trimmed) return Number(trimmed);
  return text;
}

/** A value shown in a text box. */
export const textOf = (value: Value | undefined): string =>
  value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);

/** The two sides of a range (blank when the value holds no pair). */
export const pairOf = (value: Value | undefined): [string, string] => (Array.isArray(value) && value.length === 2 ? [textOf(value[0]), textOf(value[1])] : ['', '']);

export const listOf = (value: Value | undefined): string[] => (Array.isArray(value) ? value.map(textOf) : typeof value === 'string' && value !== '' ? [value] : []);

export function isDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

/** A day or an RFC 3339 moment (what `updated` / `created` compare with). */
export const isMoment = (text: string) => isDay(text) || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) && !Number.isNaN(Date.parse(text)));

const MAX_TEXT = 1000;
const MAX_LIST = 200;

function textProblem(value: Value | undefined, what = 'Enter a value'): string | null {
  if (typeof value !== 'string' || value.trim() === '') return what;
  if ([...value].length > MAX_TEXT) return `At most ${MAX_TEXT} characters`;
  return null;
}

function numberProblem(value: Value | undefined): string | null {
  if (typeof value === 'number') return Number.isFinite(value) && isPlainDecimal(String(value)) ? null : 'A number such as 12 or -3.5';
  if (typeof value !== 'string' || value.trim() === '') return 'Enter a number';
  return isPlainDecimal(value.trim()) ? null : 'A number such as 12 or -3.5';
}

function daysProblem(value: Value | undefined): string | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 36_500 ? null : 'A whole number of days from 0 to 36500';
}

function dayProblem(value: Value | undefined): string | null {
  if (typeof value !== 'string' || value === '') return 'Enter a day (YYYY-MM-DD)';
  return isDay(value.slice(0, 10)) && (value.length === 10 || isMoment(value)) ? null : 'A day as YYYY-MM-DD';
}

function pairProblem(value: Value | undefined, one: (v: Value | undefined) => string | null): string | null {
  if (!Array.isArray(value) || value.length !== 2) return 'Enter both ends of the range';
  return one(value[0]) ?? one(value[1]);
}

function listProblem(value: Value | undefined, options?: readonly string[]): string | null {
  if (!Array.isArray(value) || value.length === 0) return 'Choose at least one value';
  if (value.length > MAX_LIST) return `At most ${MAX_LIST} values`;
  for (const item of value) {
    if (typeof item !== 'string' || item === '') return 'Each value is text';
    if (options && !options.includes(item)) return `"${item}" is not an option of this property`;
  }
  return null;
}

/**
 * Why a value does not fit its form (null: it does). `options`: the keys a
 * select's values must be among; `op` picks the host and subnet checks.
 */
export function valueProblem(shape: ValueShape, value: Value | undefined, extra: { options?: readonly string[]; op?: Op } = {}): string | null {
  switch (shape) {
    case 'none':
      return null;
    case 'text': {
      const problem = textProblem(value);
      if (problem) return problem;
      if (extra.op === 'hostIs' && /[/:?#@ ]/.test(value as string)) return 'A host name such as example.org';
      if (extra.op === 'inSubnet' && !/^[0-9a-f.:]+\/\d{1,3}$/i.test((value as string).trim())) return 'A subnet such as 10.0.0.0/8';
      return null;
    }
    case 'texts':
      return listProblem(value);
    case 'options':
      return listProblem(value, extra.options);
    case 'number':
      return numberProblem(value);
    case 'numberPair':
      return pairProblem(value, numberProblem);
    case 'day':
      return dayProblem(value);
    case 'dayPair':
      return pairProblem(value, dayProblem);
    case 'moment':
      return typeof value === 'string' && isMoment(value) ? null : 'A day as YYYY-MM-DD (or a time with its offset)';
    case 'days':
      return daysProblem(value);
    case 'boolean':
      return typeof value === 'boolean' ? null : 'Yes or no';
  }
}

// --------------------------------------------------------------- properties

/** Why a property cannot be filtered, sorted or grouped by (null: it can). */
export function propertyRefusal(definition: PropertyDefinition): string | null {
  if (definition.isSystem) return 'the name: use “Name contains”';
  if (definition.isSensitive) return 'sensitive: views cannot filter, sort or group by it';
  if (!definition.isSearchable) return 'not searchable';
  return null;
}

/** Why a property cannot be used in a filter (null: it can). */
export function filterRefusal(definition: PropertyDefinition): string | null {
  const refusal = propertyRefusal(definition);
  if (refusal) return refusal;
  return operatorsFor(definition.valueType).length === 0 ? `a ${definition.valueType.replace('_', ' ')} property cannot be filtered` : null;
}

export const optionKeys = (definition: PropertyDefinition): string[] => (definition.rules.options ?? []).map((o) => o.key);

// --------------------------------------------------------------- conditions

export const CONDITION_KINDS: readonly { value: ConditionKind; label: string }[] = [
  { value: 'property', label: 'Property' },
  { value: 'type', label: 'Type' },
  { value: 'tag', label: 'Tag' },
  { value: 'under', label: 'Under' },
  { value: 'text', label: 'Name contains' },
  { value: 'updated', label: 'Updated' },
  { value: 'created', label: 'Created' },
  { value: 'related', label: 'Related' },
];

export function newGroup(kind: GroupKind = 'all', children: FilterNode[] = []): GroupNode {
  return { node: 'group', id: nextId(), kind, negated: false, children };
}

export function emptyCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case 'property':
      return { kind, key: null, op: null };
    case 'type':
      return { kind, types: [] };
    case 'tag':
      return { kind, match: 'any', tags: [] };
    case 'under':
      return { kind, entityId: null };
    case 'text':
      return { kind, text: '' };
    case 'updated':
    case 'created':
      return { kind, op: 'inLastDays', value: 7 };
    case 'related':
      return { kind, relationshipType: '', direction: 'outgoing', filter: newGroup() };
  }
}

export function newCondition(kind: ConditionKind = 'property'): ConditionNode {
  return { node: 'condition', id: nextId(), negated: false, condition: emptyCondition(kind) };
}

/** Property definitions by key; undefined while they load (then nothing is judged by type). */
export type Definitions = ReadonlyMap<string, PropertyDefinition> | undefined;

/**
 * What a condition still lacks (null: it is complete and goes into the
 * document). Until the definitions are known, a property condition is judged
 * by its shape only, so nothing loaded from a document is dropped meanwhile.
 */
export function conditionProblem(condition: Condition, definitions: Definitions): string | null {
  switch (condition.kind) {
    case 'property': {
      if (!condition.key) return 'Choose a property';
      const definition = definitions?.get(condition.key);
      if (definitions && !definition) return `There is no property “${condition.key}”`;
      if (definition) {
        const refusal = filterRefusal(definition);
        if (refusal) return `${definition.name} is ${refusal}`;
      }
      if (!condition.op) return 'Choose an operator';
      if (!definition) return opTakesValue(condition.op) && condition.value === undefined ? 'Enter a value' : null;
      if (!operatorsFor(definition.valueType).includes(condition.op)) return `Choose an operator for a ${definition.valueType.replace('_', ' ')} property`;
      return valueProblem(valueShape(definition.valueType, condition.op), condition.value, { options: optionKeys(definition), op: condition.op });
    }
    case 'type':
      return condition.types.length === 0 ? 'Choose at least one type' : null;
    case 'tag':
      return condition.tags.length === 0 ? 'Choose at least one tag' : null;
    case 'under':
      return condition.entityId ? null : 'Choose an entity';
    case 'text':
      return textProblem(condition.text, 'Type some text to look for');
    case 'updated':
    case 'created':
      if (!condition.op || !TIME_OPERATORS.includes(condition.op)) return 'Choose an operator';
      return valueProblem(timeShape(condition.op), condition.value);
    case 'related': {
      const type = condition.relationshipType.trim();
      if (type === '') return 'Name a relationship type';
      return type.length > 200 ? 'At most 200 characters' : null;
    }
  }
}

export const isComplete = (condition: Condition, definitions: Definitions) => conditionProblem(condition, definitions) === null;

// ------------------------------------------------------- document → tree

function conditionNode(condition: Condition): ConditionNode {
  return { node: 'condition', id: nextId(), negated: false, condition };
}

function nodeOf(filter: Filter): FilterNode {
  if ('all' in filter && filter.all) return { ...newGroup('all'), children: filter.all.map(nodeOf) };
  if ('any' in filter && filter.any) return { ...newGroup('any'), children: filter.any.map(nodeOf) };
  if ('not' in filter && filter.not) {
    // Two negations cancel: the row shows one switch.
    const inner = nodeOf(filter.not);
    return { ...inner, negated: !inner.negated };
  }
  if ('property' in filter && filter.property) {
    const { key, op, value } = filter.property;
    return conditionNode(value === undefined || value === null ? { kind: 'property', key, op } : { kind: 'property', key, op, value });
  }
  if ('type' in filter && filter.type) return conditionNode({ kind: 'type', types: [...filter.type] });
  if ('tag' in filter && filter.tag) return conditionNode({ kind: 'tag', match: filter.tag.match, tags: [...filter.tag.tags] });
  if ('under' in filter && filter.under !== undefined) return conditionNode({ kind: 'under', entityId: filter.under });
  if ('text' in filter && filter.text !== undefined) return conditionNode({ kind: 'text', text: filter.text });
  if ('updated' in filter && filter.updated) return conditionNode(timeCondition('updated', filter.updated.op, filter.updated.value));
  if ('created' in filter && filter.created) return conditionNode(timeCondition('created', filter.created.op, filter.created.value));
  if ('related' in filter && filter.related) {
    const { type, direction, filter: sub } = filter.related;
    return conditionNode({ kind: 'related', relationshipType: type, direction, filter: fromFilter(sub) });
  }
  throw new Error(`not a filter: ${JSON.stringify(filter)}`);
}

function timeCondition(kind: 'updated' | 'created', op: Op, value: Value | null | undefined): Condition {
  return value === undefined || value === null ? { kind, op } : { kind, op, value };
}

/**
 * The editable tree of a document's filter: always a group at the top.
 * A filter that is one condition (or a negated one) comes back as it was.
 */
export function fromFilter(filter: Filter | null | undefined): GroupNode {
  if (!filter) return newGroup();
  const node = nodeOf(filter);
  if (node.node === 'group') return node;
  return { ...newGroup('all', [node]), implicit: true };
}

// ------------------------------------------------------- tree → document

export type Built = {
  /** The document's filter: complete conditions only. */
  filter: Filter | null;
  /** Each node that went in: its path in the document (inside its `not`). */
  pathOf: ReadonlyMap<string, string>;
  /** Document paths (with and without the `not`) back to node ids. */
  nodeAt: ReadonlyMap<string, string>;
  /** Nodes left out, with what they lack. */
  problems: ReadonlyMap<string, string>;
};

/**
 * The filter of the complete conditions, with where each one lands: the
 * paths are those the server's Validation errors name.
 */
export function toFilter(root: GroupNode, definitions: Definitions): Built {
  type Out = { pathOf: Map<string, string>; nodeAt: Map<string, string>; problems: Map<string, string> };
  const fresh = (): Out => ({ pathOf: new Map(), nodeAt: new Map(), problems: new Map() });

  /** `node` placed at `path`; its content lies under `.not` when negated. */
  const place = (out: Out, node: FilterNode, path: string, content: (inner: string) => Filter | null): Filter | null => {
    const inner = node.negated ? `${path}.not` : path;
    const body = content(inner);
    if (body === null) return null;
    out.pathOf.set(node.id, inner);
    out.nodeAt.set(inner, node.id);
    out.nodeAt.set(path, node.id);
    return node.negated ? { not: body } : body;
  };

  /** The group's complete children, each with the child it came from. */
  const parts = (out: Out, group: GroupNode, inner: string): { child: FilterNode; filter: Filter }[] => {
    const result: { child: FilterNode; filter: Filter }[] = [];
    for (const child of group.children) {
      const filter = emit(out, child, `${inner}.${group.kind}[${result.length}]`);
      if (filter) result.push({ child, filter });
    }
    if (result.length === 0) out.problems.set(group.id, group.children.length === 0 ? 'Add a condition to this group' : 'No condition of this group is complete');
    return result;
  };

  const groupBody = (out: Out, group: GroupNode, inner: string): Filter | null => {
    const list = parts(out, group, inner).map((p) => p.filter);
    if (list.length === 0) return null;
    return group.kind === 'all' ? { all: list } : { any: list };
  };

  /** A top-level group (the filter, a related sub-filter): nothing when empty, bare when it stood alone and still holds one condition. */
  const top = (out: Out, group: GroupNode, path: string): Filter | null => {
    if (group.implicit && !group.negated && group.kind === 'all') {
      const scratch = fresh();
      const found = parts(scratch, group, path);
      if (found.length === 1) {
        // Placed again at the group's own path, as the document had it; the
        // other children are incomplete, so only their problems count.
        for (const [id, problem] of scratch.problems) out.problems.set(id, problem);
        return emit(out, found[0].child, path);
      }
    }
    const filter = place(out, group, path, (inner) => groupBody(out, group, inner));
    // Empty, it matches every entity (at the other end); its rows say what they lack.
    out.problems.delete(group.id);
    return filter;
  };

  const emit = (out: Out, node: FilterNode, path: string): Filter | null => {
    if (node.node === 'group') return place(out, node, path, (inner) => groupBody(out, node, inner));
    const problem = conditionProblem(node.condition, definitions);
    if (problem) {
      out.problems.set(node.id, problem);
      // A related condition still reports what its sub-filter lacks.
      if (node.condition.kind === 'related') top(out, node.condition.filter, `${path}.related.filter`);
      return null;
    }
    return place(out, node, path, (inner) => conditionBody(out, node.condition, inner));
  };

  const conditionBody = (out: Out, c: Condition, inner: string): Filter => {
    switch (c.kind) {
      case 'property': {
        const op = c.op as Op;
        return { property: opTakesValue(op) && c.value !== undefined ? { key: c.key as string, op, value: c.value } : { key: c.key as string, op } };
      }
      case 'type':
        return { type: c.types };
      case 'tag':
        return { tag: { match: c.match, tags: c.tags } };
      case 'under':
        return { under: c.entityId as string };
      case 'text':
        return { text: c.text };
      case 'updated':
        return { updated: { op: c.op as Op, value: c.value } };
      case 'created':
        return { created: { op: c.op as Op, value: c.value } };
      case 'related': {
        const sub = top(out, c.filter, `${inner}.related.filter`);
        return { related: sub ? { type: c.relationshipType, direction: c.direction, filter: sub } : { type: c.relationshipType, direction: c.direction } };
      }
    }
  };

  const out = fresh();
  const filter = top(out, root, 'filter');
  return { filter, ...out };
}

// ------------------------------------------------------------ error paths

/** Which control of a row an error blames. */
export type ErrorPart = 'key' | 'op' | 'value' | 'match' | 'type' | 'direction' | null;

const LEAVES = new Set(['property', 'type', 'tag', 'under', 'text', 'updated', 'created']);

function partOf(kind: string, next: string | number | undefined): ErrorPart {
  if (kind === 'property' || kind === 'updated' || kind === 'created') return next === 'key' ? 'key' : next === 'op' ? 'op' : next === undefined ? null : 'value';
  if (kind === 'tag') return next === 'match' ? 'match' : 'value';
  if (kind === 'related') return next === 'type' ? 'type' : next === 'direction' ? 'direction' : null;
  return 'value';
}

/**
 * The filter node a server error field blames (its document path, as
 * `Built.nodeAt` knows it) and which of its controls: for
 * "filter.all[1].property.op", `{ row: "filter.all[1]", part: "op" }`.
 * Null for fields outside the filter.
 */
export function pathOfError(field: string | null | undefined): { row: string; part: ErrorPart } | null {
  if (!field || !/^filter(\.|\[|$)/.test(field)) return null;
  const segments: (string | number)[] = [];
  for (const m of field.slice('filter'.length).matchAll(/\.([A-Za-z]+)|\[(\d+)\]/g)) segments.push(m[1] ?? Number(m[2]));
  let row = 'filter';
  let i = 0;
  while (i < segments.length) {
    const kind = segments[i];
    if ((kind === 'all' || kind === 'any') && typeof segments[i + 1] === 'number') {
      row = `${row}.${kind}[${segments[i + 1]}]`;
      i += 2;
    } else if (kind === 'not') {
      row = `${row}.not`;
      i += 1;
    } else if (kind === 'related' && segments[i + 1] === 'filter') {
      row = `${row}.related.filter`;
      i += 2;
    } else if (typeof kind === 'string' && (LEAVES.has(kind) || kind === 'related')) {
      return { row, part: partOf(kind, segments[i + 1]) };
    } else {
      break;
    }
  }
  return { row, part: null };
}

/** The node a document path belongs to: the nearest enclosing one the build placed. */
export function nodeOfPath(built: Pick<Built, 'nodeAt'>, row: string): string | null {
  let path = row;
  for (;;) {
    const id = built.nodeAt.get(path);
    if (id) return id;
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) return null;
    path = path.slice(0, cut);
  }
}

/** The builder tab that holds what a server error field blames. */
export function tabOfError(field: string | null | undefined): 'filter' | 'columns' | 'sort' | 'layout' | 'json' {
  if (!field) return 'json';
  if (/^filter(\.|\[|$)/.test(field)) return 'filter';
  if (field.startsWith('columns')) return 'columns';
  if (field.startsWith('sort')) return 'sort';
  if (field === 'groupBy' || field === 'pageSize' || field === 'viewType') return 'layout';
  return 'json';
}

/** The index a `columns[2].field` or `sort[0].field` error names. */
export function indexOfError(field: string | null | undefined, list: 'columns' | 'sort'): number | null {
  const m = field ? new RegExp(`^${list}\\[(\\d+)\\]`).exec(field) : null;
  return m ? Number(m[1]) : null;
}

// ------------------------------------------------------------ tree edits

/** Each node's position for test ids and labels: "0", "1.2"; the top group is "root". A related condition's sub-filter shares its position. */
export function positionsOf(root: GroupNode): Map<string, string> {
  const positions = new Map<string, string>([[root.id, 'root']]);
  const walk = (group: GroupNode, prefix: string) => {
    group.children.forEach((child, i) => {
      const position = prefix === '' ? String(i) : `${prefix}.${i}`;
      positions.set(child.id, position);
      if (child.node === 'group') walk(child, position);
      else if (child.condition.kind === 'related') {
        positions.set(child.condition.filter.id, position);
        walk(child.condition.filter, position);
      }
    });
  };
  walk(root, '');
  return positions;
}

/** The tree with `fn` applied to every group (innermost first), related sub-filters included. */
function mapGroups(group: GroupNode, fn: (g: GroupNode) => GroupNode): GroupNode {
  const children = group.children.map((child): FilterNode => {
    if (child.node === 'group') return mapGroups(child, fn);
    if (child.condition.kind === 'related') {
      const filter = mapGroups(child.condition.filter, fn);
      return filter === child.condition.filter ? child : { ...child, condition: { ...child.condition, filter } };
    }
    return child;
  });
  const same = children.every((c, i) => c === group.children[i]);
  return fn(same ? group : { ...group, children });
}

export function findNode(root: GroupNode, id: string): FilterNode | null {
  if (root.id === id) return root;
  for (const child of root.children) {
    if (child.id === id) return child;
    const inner = child.node === 'group' ? child : child.condition.kind === 'related' ? child.condition.filter : null;
    const found = inner ? findNode(inner, id) : null;
    if (found) return found;
  }
  return null;
}

/** Replaces the node `id` (a group, a condition, or a related sub-filter). */
export function updateNode(root: GroupNode, id: string, fn: (node: FilterNode) => FilterNode): GroupNode {
  if (root.id === id) return fn(root) as GroupNode;
  return mapGroups(root, (group) => {
    const i = group.children.findIndex((c) => c.id === id);
    if (i >= 0) return { ...group, children: group.children.map((c, j) => (j === i ? fn(c) : c)) };
    const j = group.children.findIndex((c) => c.node === 'condition' && c.condition.kind === 'related' && c.condition.filter.id === id);
    if (j < 0) return group;
    return {
      ...group,
      children: group.children.map((c, k) => {
        if (k !== j || c.node !== 'condition' || c.condition.kind !== 'related') return c;
        return { ...c, condition: { ...c.condition, filter: fn(c.condition.filter) as GroupNode } };
      }),
    };
  });
}

export const setCondition = (root: GroupNode, id: string, condition: Condition) =>
  updateNode(root, id, (node) => (node.node === 'condition' ? { ...node, condition } : node));

/** Adds `node` at the end of the group `groupId`. */
export const addNode = (root: GroupNode, groupId: string, node: FilterNode) =>
  updateNode(root, groupId, (group) => (group.node === 'group' ? { ...group, children: [...group.children, node] } : group));

export const removeNode = (root: GroupNode, id: string) =>
  mapGroups(root, (group) => (group.children.some((c) => c.id === id) ? { ...group, children: group.children.filter((c) => c.id !== id) } : group));

/** Moves a node up (-1) or down (+1) within its group; nothing at either end. */
export function moveNode(root: GroupNode, id: string, delta: -1 | 1): GroupNode {
  return mapGroups(root, (group) => {
    const i = group.children.findIndex((c) => c.id === id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= group.children.length) return group;
    const children = [...group.children];
    [children[i], children[j]] = [children[j], children[i]];
    return { ...group, children };
  });
}

/** Puts a node into a new group of its own, where it was. */
export function wrapInGroup(root: GroupNode, id: string, kind: GroupKind = 'all'): GroupNode {
  return mapGroups(root, (group) =>
    group.children.some((c) => c.id === id) ? { ...group, children: group.children.map((c) => (c.id === id ? newGroup(kind, [c]) : c)) } : group,
  );
}

export const setGroupKind = (root: GroupNode, groupId: string, kind: GroupKind) =>
  updateNode(root, groupId, (group) => (group.node === 'group' ? { ...group, kind, implicit: false } : group));

/** Negates a condition or a group (its matches are left out instead). */
export const toggleNegated = (root: GroupNode, id: string) =>
  updateNode(root, id, (node) => (node.node === 'group' ? { ...node, negated: !node.negated, implicit: false } : { ...node, negated: !node.negated }));

/** The relationship types the tree already names (suggestions for another). */
export function relationshipTypesIn(root: GroupNode): string[] {
  const found = new Set<string>();
  const walk = (group: GroupNode) => {
    for (const child of group.children) {
      if (child.node === 'group') walk(child);
      else if (child.condition.kind === 'related') {
        if (child.condition.relationshipType.trim() !== '') found.add(child.condition.relationshipType.trim());
        walk(child.condition.filter);
      }
    }
  };
  walk(root);
  return [...found].sort();
}

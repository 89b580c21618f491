// A filter in one line for a view's header: "Status is one of (Running) and
// Power ≥ 10". Labels come from the definitions, types and tags when they are
// known; otherwise the keys and ids show.
import type { EntityType, Filter, PropertyDefinition, Tag, Value } from '../../../bindings';
import { opLabel, opTakesValue, textOf } from './model';

export type Names = {
  definitions?: readonly PropertyDefinition[];
  types?: readonly EntityType[];
  tags?: readonly Tag[];
  /** Entity names by id (for `under`), when the caller knows them. */
  entities?: ReadonlyMap<string, string>;
};

const list = (items: readonly string[]) => `(${items.join(', ')})`;

function valueText(value: Value | null | undefined, definition: PropertyDefinition | undefined): string {
  const label = (v: Value) => {
    const option = definition?.rules.options?.find((o) => o.key === v);
    return option ? option.label : textOf(v);
  };
  if (Array.isArray(value)) return list(value.map(label));
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' && definition?.valueType !== 'number') return `“${value}”`;
  return value === null || value === undefined ? '' : label(value);
}

/** The filter in words; "Every entity" when there is none. Definitions alone will do for the labels of properties. */
export function describeFilter(filter: Filter | null | undefined, names: Names | readonly PropertyDefinition[] = {}): string {
  if (!filter) return 'Every entity';
  return describe(filter, isDefinitions(names) ? { definitions: names } : names, true);
}

const isDefinitions = (names: Names | readonly PropertyDefinition[]): names is readonly PropertyDefinition[] => Array.isArray(names);

function describe(filter: Filter, names: Names, top: boolean): string {
  if ('all' in filter && filter.all) return group(filter.all, ' and ', 'every entity', names, top);
  if ('any' in filter && filter.any) return group(filter.any, ' or ', 'no entity', names, top);
  if ('not' in filter && filter.not) return `not ${wrap(describe(filter.not, names, false))}`;
  if ('property' in filter && filter.property) {
    const { key, op, value } = filter.property;
    const definition = names.definitions?.find((d) => d.key === key);
    const subject = definition?.name ?? key;
    const word = op === 'between' && Array.isArray(value) ? `${subject} between ${textOf(value[0])} and ${textOf(value[1])}` : null;
    if (word) return word;
    if (op === 'inLastDays' || op === 'inNextDays') return `${subject} in the ${op === 'inLastDays' ? 'last' : 'next'} ${textOf(value)} days`;
    const verb = opLabel(op, definition?.valueType);
    return opTakesValue(op) ? `${subject} ${verb} ${valueText(value, definition)}` : `${subject} ${verb}`;
  }
  if ('type' in filter && filter.type) {
    const labels = filter.type.map((key) => names.types?.find((t) => t.key === key)?.name ?? key);
    return labels.length === 1 ? `Type is ${labels[0]}` : `Type is one of ${list(labels)}`;
  }
  if ('tag' in filter && filter.tag) {
    const labels = filter.tag.tags.map((id) => names.tags?.find((t) => t.id === id)?.name ?? id);
    const verb = { any: 'Tagged any of', all: 'Tagged all of', none: 'Tagged none of' }[filter.tag.match];
    return `${verb} ${list(labels)}`;
  }
  if ('under' in filter && filter.under !== undefined) return `Under ${names.entities?.get(filter.under) ?? filter.under}`;
  if ('text' in filter && filter.text !== undefined) return `Name contains “${filter.text}”`;
  if ('updated' in filter && filter.updated) return moment('Updated', filter.updated.op, filter.updated.value);
  if ('created' in filter && filter.created) return moment('Created', filter.created.op, filter.created.value);
  if ('related' in filter && filter.related) {
    const { type, direction, filter: sub } = filter.related;
    const arrow = { outgoing: `${type} →`, incoming: `← ${type}`, either: `${type} ↔` }[direction];
    return sub ? `Related (${arrow}) ${wrap(describe(sub, names, false))}` : `Related (${arrow}) anything`;
  }
  return '';
}

function moment(subject: string, op: string, value: Value | null | undefined): string {
  if (op === 'inLastDays') return `${subject} in the last ${textOf(value)} days`;
  return `${subject} ${op} ${textOf(value)}`;
}

function group(items: readonly Filter[], join: string, empty: string, names: Names, top: boolean): string {
  if (items.length === 0) return empty;
  if (items.length === 1) return describe(items[0], names, top);
  const text = items.map((f) => describe(f, names, false)).join(join);
  return top ? text : `(${text})`;
}

const wrap = (text: string) => (text.startsWith('(') ? text : `(${text})`);

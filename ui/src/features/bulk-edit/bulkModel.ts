// The bulk edit dialog as plain data: what the person chose, the BulkEdit it
// stands for (or why it is not one yet), and previewed values in words.
import type { BulkEdit, BulkTarget, PropertyDefinition, PropertyValue, Tag, TreeNode, ValueType } from '../../bindings';
import { entitiesLabel } from '../../shared/format';
import { displayValue, editors, MASK } from '../properties';

/** The selected entities, or every entity (of one type, or of any) under the one node. */
export type TargetKind = 'selection' | 'subtree';

export type ActionKind = 'set' | 'clear' | 'addTag' | 'removeTag';

/** What the first step of the dialog holds. */
export type Draft = {
  target: TargetKind;
  /** The subtree's type has been chosen (a null typeKey then means any type). */
  typeChosen: boolean;
  typeKey: string | null;
  action: ActionKind;
  definitionId: string | null;
  /** The value editor's text (set). */
  text: string;
  tagId: string | null;
};

export const EMPTY_DRAFT: Draft = { target: 'selection', typeChosen: false, typeKey: null, action: 'set', definitionId: null, text: '', tagId: null };

/** The input of the first step a problem belongs under. */
export type DraftField = 'type' | 'definition' | 'value' | 'tag';

export type Built = { ok: true; edit: BulkEdit } | { ok: false; field: DraftField; error: string };

/**
 * A target the caller fixed (the rows of a view, rows picked in a table), with
 * how to name it in a sentence ('all 1,234 rows of "Pumps"').
 */
export type GivenTarget = { target: BulkTarget; label: string };

export const isPropertyAction = (action: ActionKind) => action === 'set' || action === 'clear';

/** Properties a bulk edit may set: live ones, never the system name. */
export function editableDefinitions(definitions: readonly PropertyDefinition[]): PropertyDefinition[] {
  return definitions.filter((definition) => !definition.isSystem && definition.deletedAt === null);
}

export function buildTarget(nodes: readonly TreeNode[], draft: Pick<Draft, 'target' | 'typeKey'>): BulkTarget {
  if (draft.target === 'subtree' && nodes.length === 1) return { kind: 'subtree', rootId: nodes[0].id, typeKey: draft.typeKey };
  return { kind: 'entities', ids: nodes.map((node) => node.id) };
}

/** The edit the draft stands for, or the first thing missing from it. */
export function buildEdit(nodes: readonly TreeNode[], draft: Draft, definitions: readonly PropertyDefinition[]): Built {
  if (draft.target === 'subtree' && nodes.length === 1 && !draft.typeChosen) return { ok: false, field: 'type', error: 'Choose a type' };
  return buildEditOn(buildTarget(nodes, draft), draft, definitions);
}

/** The edit of a target fixed by the caller (the draft's own target choice does not apply). */
export function buildEditOn(target: BulkTarget, draft: Draft, definitions: readonly PropertyDefinition[]): Built {
  if (isPropertyAction(draft.action)) {
    const definition = definitions.find((d) => d.id === draft.definitionId);
    if (!definition) return { ok: false, field: 'definition', error: 'Choose a property' };
    if (draft.action === 'clear') return { ok: true, edit: { target, action: { kind: 'setProperty', definitionId: definition.id, value: null } } };
    const parsed = editors[definition.valueType].parse(draft.text, definition.rules);
    if (!parsed.ok) return { ok: false, field: 'value', error: parsed.error };
    if (parsed.value === null) return { ok: false, field: 'value', error: `Enter a value for ${definition.name} (or choose Clear property)` };
    return { ok: true, edit: { target, action: { kind: 'setProperty', definitionId: definition.id, value: parsed.value } } };
  }
  if (draft.tagId === null) return { ok: false, field: 'tag', error: 'Choose a tag' };
  return { ok: true, edit: { target, action: { kind: draft.action === 'addTag' ? 'addTag' : 'removeTag', tagId: draft.tagId } } };
}

/** The stored text of a sensitive value in a preview. */
export function isRedacted(stored: string): boolean {
  return stored === '"<redacted>"' || stored === '<redacted>';
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A stored value (jsonb as PostgreSQL prints it) as a value of `type`; null when it is not one. */
export function storedValue(type: ValueType, stored: string): PropertyValue | null {
  if (type === 'json') return { type: 'json', value: stored };
  if (type === 'number') return DECIMAL.test(stored.trim()) ? { type: 'number', value: stored.trim() } : null;
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    return null;
  }
  switch (type) {
    case 'boolean':
      return typeof json === 'boolean' ? { type, value: json } : null;
    case 'multi_select':
      return Array.isArray(json) && json.every((key) => typeof key === 'string') ? { type, value: json as string[] } : null;
    case 'text':
    case 'date':
    case 'ip_address':
    case 'url':
    case 'secret_reference':
    case 'single_select':
      return typeof json === 'string' ? { type, value: json } : null;
  }
}

/** The label as the start of a sentence. */
export function capitalized(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** How a previewed value reads: absent, hidden, or in words. */
export type ShownValue = { kind: 'none' } | { kind: 'masked' } | { kind: 'value'; text: string; optionKeys: string[] };

/** A previewed property value in words: option labels, numbers as stored, secrets masked. */
export function shownValue(definition: PropertyDefinition, stored: string | null): ShownValue {
  if (stored === null) return { kind: 'none' };
  if (isRedacted(stored)) return { kind: 'masked' };
  const value = storedValue(definition.valueType, stored);
  if (value === null) return { kind: 'value', text: stored, optionKeys: [] };
  if (definition.valueType === 'secret_reference') return { kind: 'masked' };
  const optionKeys = value.type === 'single_select' ? [value.value] : value.type === 'multi_select' ? value.value : [];
  return { kind: 'value', text: displayValue(definition.valueType, value, definition.rules), optionKeys };
}

export function shownText(shown: ShownValue): string {
  switch (shown.kind) {
    case 'none':
      return 'no value';
    case 'masked':
      return MASK;
    case 'value':
      return shown.text;
  }
}

/** What the edit does, in words ("Set Status to Active"); with a count, to how many ("… on 12 entities"). */
export function describeAction(draft: Draft, definition: PropertyDefinition | undefined, tag: Tag | undefined, value: PropertyValue | null, count?: number): string {
  const on = (preposition: string) => (count === undefined ? '' : ` ${preposition} ${entitiesLabel(count)}`);
  switch (draft.action) {
    case 'set': {
      if (!definition) return `Set a property${on('on')}`;
      if (definition.isSensitive || value === null) return `Set ${definition.name}${on('on')}`;
      return `Set ${definition.name} to ${displayValue(definition.valueType, value, definition.rules)}${on('on')}`;
    }
    case 'clear':
      return `Clear ${definition ? definition.name : 'a property'}${on('on')}`;
    case 'addTag':
      return `${tag ? `Add the tag ${tag.name}` : 'Add a tag'}${on('to')}`;
    case 'removeTag':
      return `${tag ? `Remove the tag ${tag.name}` : 'Remove a tag'}${on('from')}`;
  }
}

/** Why `count` targeted entities stay as they are ("hold this value already"). */
export function unchangedReason(action: ActionKind, count: number): string {
  const one = count === 1;
  switch (action) {
    case 'set':
      return one ? 'holds this value already' : 'hold this value already';
    case 'clear':
      return one ? 'has no value' : 'have no value';
    case 'addTag':
      return one ? 'carries it already' : 'carry it already';
    case 'removeTag':
      return one ? 'does not carry it' : 'do not carry it';
  }
}

/** The jobs panel's label of a background edit: "Setting Status on 8,000 entities". */
export function jobLabel(draft: Draft, definition: PropertyDefinition | undefined, tag: Tag | undefined, total: number): string {
  const count = entitiesLabel(total);
  switch (draft.action) {
    case 'set':
      return `Setting ${definition?.name ?? 'a property'} on ${count}`;
    case 'clear':
      return `Clearing ${definition?.name ?? 'a property'} on ${count}`;
    case 'addTag':
      return `Adding ${tag?.name ?? 'a tag'} to ${count}`;
    case 'removeTag':
      return `Removing ${tag?.name ?? 'a tag'} from ${count}`;
  }
}

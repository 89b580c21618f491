// Property definitions, groups and panes for the property editor's tests.
import type { PaneField, PropertyDefinition, PropertyGroup, PropertyPane, PropertyValue } from '../bindings';
import { T0 } from './fixtures';

export function makeDefinition(fields: Partial<PropertyDefinition> & Pick<PropertyDefinition, 'key' | 'valueType'>): PropertyDefinition {
  return {
    id: `def-${fields.key}`,
    groupId: null,
    name: fields.key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    description: null,
    isRequired: false,
    isSensitive: false,
    isSearchable: false,
    isSystem: false,
    rules: {},
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    ...fields,
  };
}

export function makeGroup(fields: Partial<PropertyGroup> & Pick<PropertyGroup, 'key' | 'name'>): PropertyGroup {
  return { id: `group-${fields.key}`, description: null, displayOrder: 0, createdAt: T0, updatedAt: T0, deletedAt: null, ...fields };
}

/** A field of the pane; a value gets a version unless one is given. */
export function makeField(definition: PropertyDefinition, value: PropertyValue | null = null, fields: Partial<PaneField> = {}): PaneField {
  return {
    definition,
    value,
    raw: null,
    problem: null,
    valueUpdatedAt: value === null ? null : `v-${definition.key}`,
    required: definition.isRequired,
    inLayout: true,
    ...fields,
  };
}

export function makePane(entityId: string, sections: [PropertyGroup | null, PaneField[]][], updatedAt = T0): PropertyPane {
  return {
    entityId,
    updatedAt,
    sections: sections.map(([group, fields]) => ({ group, fields: fields.map((field) => ({ ...field, definition: { ...field.definition, groupId: group?.id ?? null } })) })),
  };
}

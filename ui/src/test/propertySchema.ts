// Factories for property groups, definitions and layouts (the property admin tests).
import type { PropertyDefinition, PropertyGroup, TypeLayout } from '../bindings';
import { T0 } from './fixtures';

export function makeGroup(fields: Partial<PropertyGroup> & Pick<PropertyGroup, 'key' | 'name'>): PropertyGroup {
  return {
    id: `group-${fields.key}`,
    description: null,
    displayOrder: 0,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    ...fields,
  };
}

export function makeDefinition(fields: Partial<PropertyDefinition> & Pick<PropertyDefinition, 'key' | 'name'>): PropertyDefinition {
  return {
    id: `def-${fields.key}`,
    groupId: null,
    description: null,
    valueType: 'text',
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

export function makeLayout(entityTypeId: string, entries: [definitionId: string, isRequired: boolean][], updatedAt = T0): TypeLayout {
  return { entityTypeId, updatedAt, entries: entries.map(([definitionId, isRequired]) => ({ definitionId, isRequired })) };
}

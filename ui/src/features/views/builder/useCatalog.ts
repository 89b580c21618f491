// What the builder offers: property definitions and their groups, entity
// types, tags and tag groups, each read once and shared through the cache.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { EntityType, PropertyDefinition, PropertyGroup, Tag, TagGroup } from '../../../bindings';
import { entityTypesQuery } from '../../entity-types/api';
import { tagGroupsQuery, tagsQuery } from '../../links/api';
import { propertyDefinitionsQuery } from '../../properties/api';
import { propertyGroupsQuery } from '../../property-admin/api';
import type { Definitions } from './model';

export type Catalog = {
  definitions: readonly PropertyDefinition[];
  /** By key; undefined until they load (nothing is judged by type meanwhile). */
  byKey: Definitions;
  groups: readonly PropertyGroup[];
  types: readonly EntityType[];
  tags: readonly Tag[];
  tagGroups: readonly TagGroup[];
  loading: { definitions: boolean; types: boolean; tags: boolean };
};

const NONE: never[] = [];

export function useCatalog(): Catalog {
  const definitions = useQuery(propertyDefinitionsQuery());
  const groups = useQuery(propertyGroupsQuery(false));
  const types = useQuery(entityTypesQuery(false));
  const tags = useQuery(tagsQuery());
  const tagGroups = useQuery(tagGroupsQuery(false));
  const byKey = useMemo(() => (definitions.data ? new Map(definitions.data.map((d) => [d.key, d])) : undefined), [definitions.data]);
  return {
    definitions: definitions.data ?? NONE,
    byKey,
    groups: groups.data ?? NONE,
    types: types.data ?? NONE,
    tags: tags.data ?? NONE,
    tagGroups: tagGroups.data ?? NONE,
    loading: { definitions: definitions.isPending, types: types.isPending, tags: tags.isPending },
  };
}

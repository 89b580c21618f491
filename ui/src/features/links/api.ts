// Links between entities beyond the tree: tags (in tag groups), groups and
// their members, and typed relationships with the neighbourhood they span.
// Every change is applied to this window at once (`tagsChanged`,
// `tagSchemaChanged`, `groupChanged`, `relationshipsChanged`); the event
// echoing it then refreshes nothing twice that it need not.
import { keepPreviousData, queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import {
  commands,
  type EntityDetail,
  type EntityGroup,
  type EntityTags,
  type EntityTagsEdit,
  type GroupConfig,
  type MembersEdit,
  type NewRelationship,
  type NewTag,
  type Relationship,
  type Tag,
  type TagGroup,
  type TagGroupInput,
  type TagGroupUpdate,
  type TagUpdate,
  type TreeNode,
} from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

/** Most members, tagged entities and graph nodes shown at once. */
export const MEMBERS_LIMIT = 500;
export const TAGGED_LIMIT = 500;
export const NEIGHBOURHOOD_LIMIT = 40;

export type Hops = 1 | 2;

// ------------------------------------------------------------------ reads

export const tagGroupsQuery = (includeDeleted: boolean) =>
  queryOptions({
    queryKey: queryKeys.tagGroups(includeDeleted),
    queryFn: async () => unwrap(await commands.listTagGroups(includeDeleted)),
    staleTime: 60_000,
  });

export const tagsQuery = () =>
  queryOptions({
    queryKey: queryKeys.tags,
    queryFn: async () => unwrap(await commands.listTags()),
    staleTime: 60_000,
  });

export const entityTagsQuery = (entityId: string) =>
  queryOptions({
    queryKey: queryKeys.entityTags(entityId),
    queryFn: async () => unwrap(await commands.entityTags(entityId)),
    staleTime: 60_000,
  });

export const taggedEntitiesQuery = (tagId: string) =>
  queryOptions({
    queryKey: queryKeys.taggedEntities(tagId),
    queryFn: async () => unwrap(await commands.taggedEntities(tagId, TAGGED_LIMIT)),
  });

/** The entity's group configuration, or null when it is not a group. */
export const entityGroupQuery = (entityId: string) =>
  queryOptions({
    queryKey: queryKeys.entityGroup(entityId),
    queryFn: async () => unwrap(await commands.entityGroup(entityId)),
    staleTime: 60_000,
  });

export const groupMembersQuery = (groupId: string) =>
  queryOptions({
    queryKey: queryKeys.groupMembers(groupId),
    queryFn: async () => unwrap(await commands.groupMembers(groupId, MEMBERS_LIMIT)),
    staleTime: 60_000,
  });

export const groupsOfQuery = (entityId: string) =>
  queryOptions({
    queryKey: queryKeys.groupsOf(entityId),
    queryFn: async () => unwrap(await commands.groupsOf(entityId)),
    staleTime: 60_000,
  });

export const relationshipsOfQuery = (entityId: string) =>
  queryOptions({
    queryKey: queryKeys.relationshipsOf(entityId),
    queryFn: async () => unwrap(await commands.relationshipsOf(entityId)),
    staleTime: 60_000,
  });

export const neighbourhoodQuery = (entityId: string, hops: Hops) =>
  queryOptions({
    queryKey: queryKeys.neighbourhood(entityId, hops),
    queryFn: async () => unwrap(await commands.neighbourhood(entityId, hops, NEIGHBOURHOOD_LIMIT)),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });

// ---------------------------------------------------------------- changes

/** Adds and removes tags of one entity at the version the caller saw; resolves to its tags now. */
export function useEditEntityTags() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: EntityTagsEdit): Promise<EntityTags> => {
      const result = unwrap(await commands.editEntityTags(input));
      client.setQueryData(queryKeys.entityTags(input.entityId), result.tags);
      // The next edit must name the entity's new version, before any refetch.
      client.setQueryData<EntityDetail>(queryKeys.entity(input.entityId), (detail) => (detail ? { ...detail, node: result.node } : detail));
      applier.applyLocal({ kind: 'tagsChanged', node: result.node });
      return result;
    },
    [client, applier],
  );
}

/** Refetch an entity and its tags (after a Conflict). */
export function useReloadEntityTags() {
  const client = useQueryClient();
  return useCallback(
    (entityId: string) => {
      void client.invalidateQueries({ queryKey: queryKeys.entity(entityId) });
      void client.invalidateQueries({ queryKey: queryKeys.entityTags(entityId) });
    },
    [client],
  );
}

/** A command changing tag groups or tags, applied as `tagSchemaChanged`. */
function useTagSchemaMutation<Args extends unknown[], T>(run: (...args: Args) => Promise<T>) {
  const applier = useChangeApplier();
  return useCallback(
    async (...args: Args): Promise<T> => {
      const value = await run(...args);
      applier.applyLocal({ kind: 'tagSchemaChanged' });
      return value;
    },
    [applier, run],
  );
}

const createTagGroup = async (input: TagGroupInput) => unwrap(await commands.createTagGroup(input));
const updateTagGroup = async (input: TagGroupUpdate) => unwrap(await commands.updateTagGroup(input));
const deleteTagGroup = async (group: TagGroup) => unwrap(await commands.deleteTagGroup({ id: group.id, expectedUpdatedAt: group.updatedAt }));
const restoreTagGroup = async (id: string) => unwrap(await commands.restoreTagGroup(id));
const createTag = async (input: NewTag) => unwrap(await commands.createTag(input));
const updateTag = async (input: TagUpdate) => unwrap(await commands.updateTag(input));

export const useCreateTagGroup = () => useTagSchemaMutation(createTagGroup);
/** Name, description and mode; making a group single-choice is refused while an entity carries two of its tags. */
export const useUpdateTagGroup = () => useTagSchemaMutation(updateTagGroup);
/** Refused (InUse) while live tags belong to the group. */
export const useDeleteTagGroup = () => useTagSchemaMutation(deleteTagGroup);
export const useRestoreTagGroup = () => useTagSchemaMutation(restoreTagGroup);
/** A tag is an entity under the "Tags" library root; the tree learns of it from the event. */
export const useCreateTag = () => useTagSchemaMutation<[NewTag], Tag>(createTag);
/** A tag's group and colour (its name is its entity's). */
export const useUpdateTag = () => useTagSchemaMutation<[TagUpdate], Tag>(updateTag);

/** Refetch tag groups and tags (after a Conflict). */
export function useReloadTagSchema() {
  const client = useQueryClient();
  return useCallback(() => void client.invalidateQueries({ queryKey: queryKeys.tagSchema }), [client]);
}

/** Makes an entity a group (expectedUpdatedAt null) or edits its configuration. */
export function useConfigureGroup() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: GroupConfig): Promise<EntityGroup> => {
      const group = unwrap(await commands.configureGroup(input));
      client.setQueryData(queryKeys.entityGroup(group.entityId), group);
      applier.applyLocal({ kind: 'groupChanged', groupId: group.entityId });
      return group;
    },
    [client, applier],
  );
}

/** Adds and removes members of a group; resolves to its members now. */
export function useEditGroupMembers() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: MembersEdit): Promise<TreeNode[]> => {
      const members = unwrap(await commands.editGroupMembers(input));
      client.setQueryData(queryKeys.groupMembers(input.groupId), members);
      applier.applyLocal({ kind: 'groupChanged', groupId: input.groupId });
      return members;
    },
    [client, applier],
  );
}

/** Refetch a group's configuration and members (after a Conflict). */
export function useReloadGroup() {
  const client = useQueryClient();
  return useCallback((groupId: string) => void client.invalidateQueries({ queryKey: queryKeys.entityLinks(groupId) }), [client]);
}

export function useCreateRelationship() {
  const applier = useChangeApplier();
  return useCallback(
    async (input: NewRelationship): Promise<Relationship> => {
      const relationship = unwrap(await commands.createRelationship(input));
      applier.applyLocal({ kind: 'relationshipsChanged', sourceId: relationship.sourceId, targetId: relationship.targetId });
      return relationship;
    },
    [applier],
  );
}

/** Removes a relationship at the version the caller saw. */
export function useDeleteRelationship() {
  const applier = useChangeApplier();
  return useCallback(
    async (relationship: Relationship): Promise<Relationship> => {
      const removed = unwrap(await commands.deleteRelationship({ id: relationship.id, expectedUpdatedAt: relationship.updatedAt }));
      applier.applyLocal({ kind: 'relationshipsChanged', sourceId: removed.sourceId, targetId: removed.targetId });
      return removed;
    },
    [applier],
  );
}

/** Refetch every cached link (after a Conflict on a relationship). */
export function useReloadLinks() {
  const client = useQueryClient();
  return useCallback(() => void client.invalidateQueries({ queryKey: queryKeys.allLinks }), [client]);
}

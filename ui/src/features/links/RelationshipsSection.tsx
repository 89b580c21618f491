import { Anchor, Autocomplete, Badge, Button, CloseButton, Group, Loader, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { IconArrowLeft, IconArrowRight, IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import type { Direction, RelatedEntity, TreeNode } from '../../bindings';
import { fieldError, isFieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { NodeIcon } from '../../shared/nodeIcons';
import { useTreeController } from '../tree';
import { relationshipsOfQuery, useCreateRelationship, useDeleteRelationship, useReloadLinks } from './api';
import { EntityPicker } from './EntityPicker';
import { NeighbourhoodGraph } from './NeighbourhoodGraph';

/** "backs_up" → "backs up". */
export function relationshipWords(type: string): string {
  return type.replace(/_/g, ' ');
}

/** The relationship as a sentence, for screen readers and tooltips. */
export function relationshipSentence(entityName: string, related: RelatedEntity): string {
  const words = relationshipWords(related.relationship.relationshipType);
  return related.direction === 'outgoing' ? `${entityName} ${words} ${related.other.name}` : `${related.other.name} ${words} ${entityName}`;
}

/**
 * An entity's relationships both ways, a form to add one, and its
 * neighbourhood graph; while `refused` says why not, none is added or removed.
 */
export function RelationshipsSection({ entity, refused = null }: { entity: TreeNode; refused?: string | null }) {
  const related = useQuery(relationshipsOfQuery(entity.id));
  return (
    <Stack gap="md" data-testid="entity-relationships">
      {related.isPending ? (
        <Loader size="sm" />
      ) : related.isError ? (
        <ErrorNotice error={related.error} compact />
      ) : (
        <RelationshipList entity={entity} related={related.data} refused={refused} />
      )}
      <AddRelationship entity={entity} refused={refused} knownTypes={[...new Set((related.data ?? []).map((r) => r.relationship.relationshipType))]} />
      <NeighbourhoodGraph entityId={entity.id} />
    </Stack>
  );
}

function RelationshipList({ entity, related, refused }: { entity: TreeNode; related: RelatedEntity[]; refused: string | null }) {
  const tree = useTreeController();
  const deleteRelationship = useDeleteRelationship();
  const reload = useReloadLinks();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const remove = async (item: RelatedEntity) => {
    if (busy || refused !== null) return;
    setBusy(item.relationship.id);
    setError(null);
    try {
      await deleteRelationship(item.relationship);
    } catch (e) {
      setError(e);
    }
    setBusy(null);
  };

  if (related.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No relationships.
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      <Stack gap={2} role="list" aria-label="Relationships">
        {related.map((item) => {
          const words = relationshipWords(item.relationship.relationshipType);
          const sentence = relationshipSentence(entity.name, item);
          const other = (
            <Anchor component="button" type="button" size="sm" onClick={() => void tree.reveal(item.other.id)} title={item.other.pathLabel} style={{ minWidth: 0 }}>
              <Group gap={4} wrap="nowrap">
                <NodeIcon icon={item.other.icon} size={14} />
                <Text span size="sm" truncate="end">
                  {item.other.name}
                </Text>
              </Group>
            </Anchor>
          );
          return (
            <Group key={item.relationship.id} gap={6} wrap="nowrap" role="listitem" aria-label={sentence} data-testid={`relationship-${item.relationship.id}`} data-direction={item.direction}>
              {item.direction === 'outgoing' ? (
                <>
                  <Badge variant="light" tt="none" fw={500} style={{ flexShrink: 0 }}>
                    {words}
                  </Badge>
                  <IconArrowRight size={14} style={{ flexShrink: 0 }} aria-hidden />
                  {other}
                </>
              ) : (
                <>
                  <IconArrowLeft size={14} style={{ flexShrink: 0 }} aria-hidden />
                  {other}
                  <Badge variant="light" color="grape" tt="none" fw={500} style={{ flexShrink: 0 }}>
                    {words}
                  </Badge>
                  <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                    this
                  </Text>
                </>
              )}
              <CloseButton
                size="sm"
                ml="auto"
                disabled={busy === item.relationship.id || refused !== null}
                title={refused ?? undefined}
                onClick={() => void remove(item)}
                aria-label={`Remove relationship: ${sentence}`}
                data-testid={`relationship-remove-${item.relationship.id}`}
              />
            </Group>
          );
        })}
      </Stack>
      {error !== null && (
        <ErrorNotice
          error={error}
          compact
          onReload={() => {
            setError(null);
            reload();
          }}
        />
      )}
    </Stack>
  );
}

const RELATIONSHIP_FIELDS = ['relationshipType', 'targetId'] as const;

/** Type, direction and the entity at the other end, found by search. */
function AddRelationship({ entity, knownTypes, refused }: { entity: TreeNode; knownTypes: string[]; refused: string | null }) {
  const createRelationship = useCreateRelationship();
  const [type, setType] = useState('');
  const [direction, setDirection] = useState<Direction>('outgoing');
  const [other, setOther] = useState<TreeNode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const typeRef = useRef<HTMLInputElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const relationshipType = type.trim();

  const choose = (node: TreeNode) => {
    setOther(node);
    // The picker makes way for the choice: go on to what is still missing.
    requestAnimationFrame(() => (relationshipType === '' ? typeRef.current : addRef.current)?.focus());
  };
  const locked = refused !== null;
  const canAdd = relationshipType !== '' && other !== null && !busy && !locked;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canAdd || other === null) return;
    setBusy(true);
    setError(null);
    try {
      await createRelationship(
        direction === 'outgoing' ? { sourceId: entity.id, targetId: other.id, relationshipType } : { sourceId: other.id, targetId: entity.id, relationshipType },
      );
      setOther(null);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  return (
    <Paper withBorder p="sm" radius="md">
      <form onSubmit={(e) => void submit(e)} data-testid="relationship-form">
        <Stack gap="xs">
          <Text size="sm" fw={600}>
            Add a relationship
          </Text>
          <SegmentedControl
            size="xs"
            value={direction}
            onChange={(value) => setDirection(value as Direction)}
            data={[
              { value: 'outgoing', label: `${entity.name} → other` },
              { value: 'incoming', label: `Other → ${entity.name}` },
            ]}
            aria-label="Direction"
            disabled={locked}
            data-testid="relationship-direction"
          />
          <Group grow align="flex-start">
            <Autocomplete
              ref={typeRef}
              label="Type"
              description="Lowercase, e.g. feeds or backs_up"
              placeholder="feeds"
              data={knownTypes}
              value={type}
              onChange={setType}
              error={fieldError(error, 'relationshipType')}
              comboboxProps={{ withinPortal: false }}
              disabled={locked}
              data-testid="relationship-type"
            />
            {other === null ? (
              <EntityPicker
                label={direction === 'outgoing' ? 'Target' : 'Source'}
                exclude={new Set([entity.id])}
                error={fieldError(error, 'targetId')}
                disabled={locked}
                onPick={choose}
                testId="relationship-target"
              />
            ) : (
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  {direction === 'outgoing' ? 'Target' : 'Source'}
                </Text>
                <Group gap="xs" wrap="nowrap" data-testid="relationship-chosen">
                  <NodeIcon icon={other.icon} size={16} />
                  <Text size="sm" truncate="end">
                    {other.name}
                  </Text>
                  <CloseButton size="sm" onClick={() => setOther(null)} aria-label={`Choose another entity than ${other.name}`} />
                </Group>
                {fieldError(error, 'targetId') && (
                  <Text size="xs" c="red">
                    {fieldError(error, 'targetId')}
                  </Text>
                )}
              </Stack>
            )}
          </Group>
          {other !== null && relationshipType !== '' && (
            <Text size="xs" c="dimmed" data-testid="relationship-preview">
              {direction === 'outgoing' ? `${entity.name} ${relationshipWords(relationshipType)} ${other.name}` : `${other.name} ${relationshipWords(relationshipType)} ${entity.name}`}
            </Text>
          )}
          {error !== null && !isFieldError(error, RELATIONSHIP_FIELDS) && <ErrorNotice error={error} compact />}
          <Group>
            <Button
              ref={addRef}
              type="submit"
              size="compact-sm"
              leftSection={<IconPlus size={14} />}
              disabled={!canAdd}
              loading={busy}
              title={refused ?? undefined}
              data-testid="relationship-add"
            >
              Add relationship
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

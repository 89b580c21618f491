import { Badge, CloseButton, ColorSwatch, Group, Text, Tooltip } from '@mantine/core';
import type { SelectionMode, Tag, TagGroup } from '../../bindings';

/** The colours offered for a new tag (any #rrggbb may be typed). */
export const TAG_SWATCHES = ['#2f9e44', '#1971c2', '#e8590c', '#c2255c', '#7048e8', '#0c8599', '#f08c00', '#495057', '#e03131', '#66a80f'];

/** "one per entity" / "several per entity". */
export function modeLabel(mode: SelectionMode): string {
  return mode === 'single' ? 'one per entity' : 'several per entity';
}

export function ModeBadge({ mode }: { mode: SelectionMode }) {
  return (
    <Badge size="xs" variant="outline" color={mode === 'single' ? 'orange' : 'gray'} data-mode={mode}>
      {mode === 'single' ? 'Single choice' : 'Multiple choice'}
    </Badge>
  );
}

type ChipProps = {
  tag: Tag;
  onRemove?: () => void;
  disabled?: boolean;
  /** Why the × may not be used (its title); a reason disables it too. */
  disabledReason?: string | null;
};

/** A tag in its colour; with `onRemove`, a focusable × removes it. */
export function TagChip({ tag, onRemove, disabled = false, disabledReason = null }: ChipProps) {
  return (
    <Badge
      size="lg"
      radius="sm"
      variant={tag.color ? 'filled' : 'light'}
      color={tag.color ?? 'gray'}
      autoContrast
      tt="none"
      fw={500}
      pr={onRemove ? 3 : undefined}
      data-testid={`tag-chip-${tag.key}`}
      rightSection={
        onRemove ? (
          <CloseButton
            size="sm"
            variant="transparent"
            c="inherit"
            disabled={disabled || disabledReason !== null}
            title={disabledReason ?? undefined}
            onClick={onRemove}
            aria-label={`Remove tag ${tag.name}`}
            data-testid={`tag-remove-${tag.key}`}
          />
        ) : undefined
      }
    >
      {tag.name}
    </Badge>
  );
}

export function TagSwatch({ color, size = 14 }: { color: string | null; size?: number }) {
  return <ColorSwatch color={color ?? 'var(--mantine-color-gray-3)'} size={size} withShadow={false} />;
}

/** The tags of an entity, one row per tag group (tags without a group last). */
export type TagRow = { group: TagGroup | null; tags: Tag[] };

export function tagRows(tags: readonly Tag[], groups: readonly TagGroup[]): TagRow[] {
  const rows: TagRow[] = [];
  for (const group of groups) {
    const inGroup = tags.filter((tag) => tag.groupId === group.id);
    if (inGroup.length > 0) rows.push({ group, tags: inGroup });
  }
  const known = new Set(groups.map((group) => group.id));
  const others = tags.filter((tag) => tag.groupId === null || !known.has(tag.groupId));
  if (others.length > 0) rows.push({ group: null, tags: others });
  return rows;
}

export function GroupHeading({ group }: { group: TagGroup | null }) {
  if (group === null) {
    return (
      <Text size="xs" fw={600} c="dimmed" tt="uppercase">
        No group
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <Tooltip label={group.description ?? group.key} disabled={!group.description} withArrow>
        <Text size="xs" fw={600} c="dimmed" tt="uppercase">
          {group.name}
        </Text>
      </Tooltip>
      <ModeBadge mode={group.selectionMode} />
    </Group>
  );
}

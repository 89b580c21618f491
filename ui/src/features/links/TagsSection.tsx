import { Alert, Button, Combobox, Group, Loader, Stack, Text, TextInput, useCombobox } from '@mantine/core';
import { IconTag } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type RefObject } from 'react';
import type { Tag, TagGroup, TreeNode } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entityTagsQuery, tagGroupsQuery, tagsQuery, useEditEntityTags, useReloadEntityTags } from './api';
import { GroupHeading, ModeBadge, TagChip, TagSwatch, tagRows } from './tagParts';

type Replacement = { group: TagGroup; add: Tag; remove: Tag[] };

/** An entity's tags by tag group: remove with a chip's ×, add with the picker (neither while `refused` says why not). */
export function TagsSection({ entity, refused = null }: { entity: TreeNode; refused?: string | null }) {
  const carried = useQuery(entityTagsQuery(entity.id));
  const groups = useQuery(tagGroupsQuery(false));
  const editTags = useEditEntityTags();
  const reload = useReloadEntityTags();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [replacement, setReplacement] = useState<Replacement | null>(null);
  const pickerRef = useRef<HTMLInputElement>(null);

  if (carried.isPending || groups.isPending) return <Loader size="sm" />;
  if (carried.isError) return <ErrorNotice error={carried.error} compact />;
  if (groups.isError) return <ErrorNotice error={groups.error} compact />;
  const tags = carried.data;

  const edit = async (add: Tag[], remove: Tag[]) => {
    if (busy || refused !== null) return;
    setBusy(true);
    setError(null);
    try {
      await editTags({ entityId: entity.id, expectedUpdatedAt: entity.updatedAt, add: add.map((t) => t.id), remove: remove.map((t) => t.id) });
      setReplacement(null);
      // The chip (or the question) that had the focus is gone: continue in the picker.
      requestAnimationFrame(() => pickerRef.current?.focus());
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  const pick = (tag: Tag) => {
    const group = groups.data.find((g) => g.id === tag.groupId);
    if (busy || refused !== null) return;
    const others = group?.selectionMode === 'single' ? tags.filter((t) => t.groupId === group.id) : [];
    if (group && others.length > 0) {
      setError(null);
      setReplacement({ group, add: tag, remove: others });
      return;
    }
    void edit([tag], []);
  };

  const rows = tagRows(tags, groups.data);
  return (
    <Stack gap="sm" data-testid="entity-tags">
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No tags.
        </Text>
      ) : (
        rows.map(({ group, tags: inGroup }) => (
          <Stack key={group?.id ?? 'none'} gap={4} data-testid={`tag-row-${group?.key ?? 'none'}`}>
            <GroupHeading group={group} />
            <Group gap={6}>
              {inGroup.map((tag) => (
                <TagChip key={tag.id} tag={tag} disabled={busy} disabledReason={refused} onRemove={() => void edit([], [tag])} />
              ))}
            </Group>
          </Stack>
        ))
      )}
      {replacement ? (
        <Alert color="orange" variant="light" title={`${replacement.group.name} allows one tag per entity`} data-testid="tag-replace">
          <Stack gap="xs">
            <Text size="sm">
              Replace {replacement.remove.map((t) => `“${t.name}”`).join(', ')} with “{replacement.add.name}”?
            </Text>
            <Group gap="xs">
              <Button
                size="compact-sm"
                color="orange"
                loading={busy}
                disabled={refused !== null}
                title={refused ?? undefined}
                autoFocus
                onClick={() => void edit([replacement.add], replacement.remove)}
                data-testid="tag-replace-confirm"
              >
                Replace
              </Button>
              <Button size="compact-sm" variant="default" onClick={() => setReplacement(null)}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </Alert>
      ) : (
        <TagPicker carried={tags} groups={groups.data} refused={refused} onPick={pick} inputRef={pickerRef} />
      )}
      {error !== null && (
        <ErrorNotice
          error={error}
          compact
          onReload={() => {
            setError(null);
            reload(entity.id);
          }}
        />
      )}
    </Stack>
  );
}

type PickerProps = { carried: Tag[]; groups: TagGroup[]; refused: string | null; onPick: (tag: Tag) => void; inputRef: RefObject<HTMLInputElement | null> };

/** Finds a tag by name or key among those not carried yet, listed by group with the group's mode. */
function TagPicker({ carried, groups, refused, onPick, inputRef }: PickerProps) {
  const all = useQuery(tagsQuery());
  const combobox = useCombobox({
    onDropdownClose: () => combobox.resetSelectedOption(),
    onDropdownOpen: () => combobox.selectFirstOption(),
  });
  const [text, setText] = useState('');
  const needle = text.trim().toLowerCase();
  const carriedIds = new Set(carried.map((t) => t.id));
  const offered = (all.data ?? []).filter((tag) => !carriedIds.has(tag.id) && (needle === '' || tag.name.toLowerCase().includes(needle) || tag.key.includes(needle)));
  const sections = tagRows(offered, groups);

  const submit = (id: string) => {
    const tag = offered.find((t) => t.id === id);
    if (!tag) return;
    setText('');
    combobox.closeDropdown();
    onPick(tag);
  };

  return (
    <Combobox store={combobox} onOptionSubmit={submit} withinPortal={false}>
      <Combobox.Target>
        <TextInput
          ref={inputRef}
          label="Add a tag"
          placeholder={all.isPending ? 'Loading tags…' : 'Type to find a tag'}
          leftSection={<IconTag size={14} />}
          disabled={refused !== null}
          title={refused ?? undefined}
          value={text}
          onChange={(event) => {
            setText(event.currentTarget.value);
            combobox.openDropdown();
            combobox.updateSelectedOptionIndex();
            requestAnimationFrame(() => combobox.selectFirstOption());
          }}
          onClick={() => combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          data-testid="tag-picker"
        />
      </Combobox.Target>
      <Combobox.Dropdown>
        <Combobox.Options mah={300} style={{ overflowY: 'auto' }} data-testid="tag-picker-options">
          {sections.map(({ group, tags }) => (
            <Combobox.Group
              key={group?.id ?? 'none'}
              label={
                <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
                  {group?.name ?? 'No group'}
                  {group && <ModeBadge mode={group.selectionMode} />}
                </span>
              }
            >
              {tags.map((tag) => {
                const replaces = group?.selectionMode === 'single' ? carried.filter((t) => t.groupId === group.id) : [];
                return (
                  <Combobox.Option key={tag.id} value={tag.id} data-testid={`tag-option-${tag.key}`}>
                    <Group gap="xs" wrap="nowrap">
                      <TagSwatch color={tag.color} />
                      <Text size="sm">{tag.name}</Text>
                      {replaces.length > 0 && (
                        <Text size="xs" c="inherit" opacity={0.75}>
                          replaces {replaces.map((t) => t.name).join(', ')}
                        </Text>
                      )}
                    </Group>
                  </Combobox.Option>
                );
              })}
            </Combobox.Group>
          ))}
          {sections.length === 0 && <Combobox.Empty>{all.isError ? 'Could not load the tags' : all.isPending ? 'Loading…' : needle ? 'No matching tag' : 'No more tags to add'}</Combobox.Empty>}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}

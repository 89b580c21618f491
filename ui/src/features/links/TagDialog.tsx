import { Button, CheckIcon, ColorInput, ColorSwatch, Group, Input, Select, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { Tag, TagGroup } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { useCreateTag, useReloadTagSchema, useUpdateTag } from './api';
import { modeLabel, TAG_SWATCHES, TagChip } from './tagParts';
import { keyFromName } from './TagGroupDialog';

const FIELDS = ['key', 'name', 'color', 'groupId'] as const;
const NO_GROUP = '';
const HEX = /^#[0-9a-f]{6}$/;

type Props = { tag: Tag | null; groups: TagGroup[]; defaultGroupId?: string | null; onClose: () => void };

/** Create a tag (tag === null) or change one's group and colour (its name is its entity's). */
export function TagDialog({ tag, groups, defaultGroupId = null, onClose }: Props) {
  const createTag = useCreateTag();
  const updateTag = useUpdateTag();
  const reload = useReloadTagSchema();
  const [name, setName] = useState(tag?.name ?? '');
  const [key, setKey] = useState<string | null>(null);
  const [groupId, setGroupId] = useState<string>(tag ? (tag.groupId ?? NO_GROUP) : (defaultGroupId ?? NO_GROUP));
  const [color, setColor] = useState(tag?.color ?? TAG_SWATCHES[0]);
  const effectiveKey = key ?? keyFromName(name);
  const colour = color.trim().toLowerCase();
  const colourValid = colour === '' || HEX.test(colour);
  const canSubmit = (tag !== null || (name.trim() !== '' && effectiveKey !== '')) && colourValid;

  const save = async () => {
    const fields = { groupId: groupId === NO_GROUP ? null : groupId, color: colour === '' ? null : colour };
    if (tag === null) await createTag({ key: effectiveKey.trim(), name: name.trim(), ...fields });
    else await updateTag({ id: tag.id, expectedUpdatedAt: tag.updatedAt, ...fields });
  };

  const groupOptions = [
    { value: NO_GROUP, label: 'No group' },
    ...groups.filter((g) => g.deletedAt === null).map((g) => ({ value: g.id, label: `${g.name} (${modeLabel(g.selectionMode)})` })),
  ];
  const preview: Tag = { id: 'preview', groupId: null, key: effectiveKey, name: name.trim() || 'Tag', color: colourValid && colour !== '' ? colour : null, updatedAt: '', deletedAt: null };

  return (
    <FormDialog
      title={tag ? `Edit tag ${tag.name}` : 'New tag'}
      fields={FIELDS}
      canSubmit={canSubmit}
      onSubmit={save}
      onReload={reload}
      onClose={onClose}
      submitLabel={tag ? 'Save' : 'Create'}
      submitTestId="tag-save"
    >
      {(error) => (
        <>
          {tag === null ? (
            <>
              <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} required data-autofocus data-testid="tag-name" />
              <TextInput
                label="Key"
                description="Stable identifier within its group, e.g. critical. Cannot be changed later."
                value={effectiveKey}
                onChange={(e) => setKey(e.currentTarget.value)}
                error={fieldError(error, 'key')}
                required
                data-testid="tag-key"
              />
            </>
          ) : (
            <Text size="sm" c="dimmed">
              Key <code>{tag.key}</code>. The name is the tag entity&apos;s: rename it in the tree (under Tags).
            </Text>
          )}
          <Select
            label="Group"
            data={groupOptions}
            value={groupId}
            onChange={(value) => setGroupId(value ?? NO_GROUP)}
            allowDeselect={false}
            error={fieldError(error, 'groupId')}
            comboboxProps={{ withinPortal: false }}
            data-autofocus={tag !== null || undefined}
            data-testid="tag-group"
          />
          <Stack gap={6}>
            <ColorInput
              label="Colour"
              description="#rrggbb, or empty for none"
              format="hex"
              value={color}
              onChange={setColor}
              withPicker={false}
              error={fieldError(error, 'color') ?? (colourValid ? null : 'A colour is #rrggbb')}
              data-testid="tag-color"
            />
            <Input.Wrapper label="Swatches" labelProps={{ size: 'xs', c: 'dimmed' }}>
              <Group gap={6}>
                {TAG_SWATCHES.map((swatch) => (
                  <UnstyledButton key={swatch} aria-pressed={colour === swatch} aria-label={`Colour ${swatch}`} onClick={() => setColor(swatch)} data-testid={`tag-swatch-${swatch.slice(1)}`}>
                    <ColorSwatch color={swatch} size={24} style={{ color: '#fff' }}>
                      {colour === swatch && <CheckIcon size={10} />}
                    </ColorSwatch>
                  </UnstyledButton>
                ))}
                <Button size="compact-xs" variant="subtle" color="gray" onClick={() => setColor('')} aria-pressed={colour === ''}>
                  No colour
                </Button>
              </Group>
            </Input.Wrapper>
          </Stack>
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              Looks like
            </Text>
            <TagChip tag={tag ? { ...preview, name: tag.name } : preview} />
          </Group>
        </>
      )}
    </FormDialog>
  );
}

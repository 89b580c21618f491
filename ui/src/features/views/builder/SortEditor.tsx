import { Group, SegmentedControl, Select, Stack, Text, type ComboboxItem, type ComboboxItemGroup } from '@mantine/core';
import { useState } from 'react';
import type { SortKey } from '../../../bindings';
import { BUILT_IN_SORT, fieldLabel, fieldProblem, moveItem, propertyField, sortRefusal } from './fields';
import { propertyItems, renderPropertyOption, withMissing } from './options';
import type { Catalog } from './useCatalog';
import { ListItem, MoveRemoveButtons } from './ListItem';

type Props = {
  sort: readonly SortKey[];
  onChange: (sort: SortKey[]) => void;
  catalog: Catalog;
  blamed: { index: number; message: string } | null;
};

/** Every field a view can be sorted by; sensitive and unsearchable properties disabled, with why. */
function sortItems(catalog: Catalog, exclude: ReadonlySet<string>): ComboboxItemGroup<ComboboxItem>[] {
  const builtIns = BUILT_IN_SORT.filter((f) => !exclude.has(f.field)).map((f) => ({ value: f.field, label: f.label }));
  const properties = propertyItems(catalog.definitions, catalog.groups, {
    valueFor: (d) => propertyField(d.key),
    refusal: sortRefusal,
    hidden: (d) => d.isSystem || exclude.has(propertyField(d.key)),
  });
  return [...(builtIns.length > 0 ? [{ group: 'Built in', items: builtIns }] : []), ...properties];
}

/** Sort keys, most significant first (the entity id breaks ties). */
export function SortEditor({ sort, onChange, catalog, blamed }: Props) {
  const [search, setSearch] = useState('');
  const used = new Set(sort.map((k) => k.field));
  const replace = (i: number, key: SortKey) => onChange(sort.map((k, j) => (j === i ? key : k)));

  return (
    <Stack gap="xs">
      {sort.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="sort-empty">
          No sort keys: rows come in the order of their ids.
        </Text>
      )}
      <Stack gap={4} component="ol" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Sort keys" data-testid="sort-list">
        {sort.map((key, i) => {
          const label = fieldLabel(key.field, catalog.byKey);
          const problem = blamed?.index === i ? blamed.message : fieldProblem(key.field, catalog.byKey, 'sort');
          const others = new Set([...used].filter((f) => f !== key.field));
          const direction = key.descending ? 'desc' : 'asc';
          return (
            <ListItem key={`${key.field}-${i}`} blamed={blamed?.index === i} testId={`sort-row-${i}`} data={{ 'data-field': key.field, 'data-direction': direction }}>
              <Group gap="xs" wrap="wrap">
                <Text size="xs" c="dimmed" w={16} ta="right">
                  {i + 1}.
                </Text>
                <Select
                  aria-label={`Sort key ${i + 1}: field`}
                  data={withMissing(sortItems(catalog, others), [key.field])}
                  value={key.field}
                  onChange={(field) => field && replace(i, { ...key, field })}
                  searchable
                  allowDeselect={false}
                  renderOption={renderPropertyOption}
                  maxDropdownHeight={280}
                  comboboxProps={{ withinPortal: false }}
                  flex="1 1 180px"
                  data-testid={`sort-field-${i}`}
                />
                <SegmentedControl
                  size="xs"
                  value={direction}
                  onChange={(value) => replace(i, { ...key, descending: value === 'desc' })}
                  data={[
                    { value: 'asc', label: <span data-testid={`sort-direction-${i}-asc`}>Ascending</span> },
                    { value: 'desc', label: <span data-testid={`sort-direction-${i}-desc`}>Descending</span> },
                  ]}
                  aria-label={`Sort key ${i + 1}: direction`}
                  data-testid={`sort-direction-${i}`}
                />
                <Group gap={2} ml="auto" wrap="nowrap">
                  <MoveRemoveButtons label={label} removeLabel={`Remove sorting by ${label}`} index={i} count={sort.length} testId="sort" onMove={(delta) => onChange(moveItem(sort, i, delta))} onRemove={() => onChange(sort.filter((_, j) => j !== i))} />
                </Group>
              </Group>
              {problem && (
                <Text size="xs" c="red" data-testid={`sort-problem-${i}`}>
                  {problem}
                </Text>
              )}
            </ListItem>
          );
        })}
      </Stack>
      <Select
        label="Add a sort key"
        placeholder="Choose a field"
        data={sortItems(catalog, used)}
        value={null}
        onChange={(field) => {
          if (!field) return;
          setSearch('');
          onChange([...sort, { field, descending: false }]);
        }}
        searchValue={search}
        onSearchChange={setSearch}
        searchable
        nothingFoundMessage="No such field"
        renderOption={renderPropertyOption}
        maxDropdownHeight={280}
        comboboxProps={{ withinPortal: false }}
        maw={360}
        data-testid="sort-add"
      />
    </Stack>
  );
}

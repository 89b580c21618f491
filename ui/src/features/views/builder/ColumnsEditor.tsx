import { Badge, Group, Select, Stack, Text, type ComboboxItem, type ComboboxItemGroup } from '@mantine/core';
import { IconEyeOff } from '@tabler/icons-react';
import { useState } from 'react';
import type { Column } from '../../../bindings';
import { BUILT_IN_COLUMNS, columnRefusal, fieldLabel, fieldProblem, isMasked, moveItem, propertyField } from './fields';
import { propertyItems, renderPropertyOption } from './options';
import type { Catalog } from './useCatalog';
import { ListItem, MoveRemoveButtons } from './ListItem';

type Props = {
  columns: readonly Column[];
  onChange: (columns: Column[]) => void;
  catalog: Catalog;
  /** A server error on one column: its index and message. */
  blamed: { index: number; message: string } | null;
};

/** The columns a table shows, in order; a sensitive property's column is masked. */
export function ColumnsEditor({ columns, onChange, catalog, blamed }: Props) {
  // The add box empties after each pick, ready for the next.
  const [search, setSearch] = useState('');
  const chosen = new Set(columns.map((c) => c.field));
  const builtIns: ComboboxItem[] = BUILT_IN_COLUMNS.filter((c) => !chosen.has(c.field)).map((c) => ({ value: c.field, label: c.label }));
  const properties = propertyItems(catalog.definitions, catalog.groups, {
    valueFor: (d) => propertyField(d.key),
    refusal: columnRefusal,
    hidden: (d) => d.isSystem || chosen.has(propertyField(d.key)),
    masked: (d) => d.isSensitive,
  });
  const data: ComboboxItemGroup<ComboboxItem>[] = [...(builtIns.length > 0 ? [{ group: 'Built in', items: builtIns }] : []), ...properties];

  return (
    <Stack gap="xs">
      {columns.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="columns-empty">
          No columns: the table shows the name only.
        </Text>
      )}
      <Stack gap={4} component="ol" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Columns" data-testid="columns-list">
        {columns.map((column, i) => {
          const label = fieldLabel(column.field, catalog.byKey);
          const problem = blamed?.index === i ? blamed.message : fieldProblem(column.field, catalog.byKey, 'column');
          return (
            <ListItem key={`${column.field}-${i}`} blamed={blamed?.index === i} testId={`column-row-${i}`} data={{ 'data-field': column.field }}>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" fw={500} style={{ flex: 1, minWidth: 0 }} truncate="end">
                  {label}
                  {column.width ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      · {column.width}px
                    </Text>
                  ) : null}
                </Text>
                {isMasked(column.field, catalog.byKey) && (
                  <Badge size="sm" variant="light" color="gray" leftSection={<IconEyeOff size={12} />} data-testid={`column-masked-${i}`}>
                    Masked
                  </Badge>
                )}
                <MoveRemoveButtons label={label} index={i} count={columns.length} testId="column" onMove={(delta) => onChange(moveItem(columns, i, delta))} onRemove={() => onChange(columns.filter((_, j) => j !== i))} />
              </Group>
              {problem && (
                <Text size="xs" c="red" data-testid={`column-problem-${i}`}>
                  {problem}
                </Text>
              )}
            </ListItem>
          );
        })}
      </Stack>
      <Select
        label="Add a column"
        placeholder="Choose a field"
        data={data}
        value={null}
        onChange={(field) => {
          if (!field) return;
          setSearch('');
          onChange([...columns, { field }]);
        }}
        searchValue={search}
        onSearchChange={setSearch}
        searchable
        nothingFoundMessage="No such field"
        renderOption={renderPropertyOption}
        maxDropdownHeight={280}
        comboboxProps={{ withinPortal: false }}
        maw={360}
        data-testid="columns-add"
      />
    </Stack>
  );
}

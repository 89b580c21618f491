// The first rows of a saved view, with the view's columns. A click on a row
// filters the other widgets to what lies under its entity.
import { ScrollArea, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import type { EntityType, PropertyDefinition, Value, ViewRow } from '../../../bindings';
import { formatDateTime } from '../../../shared/format';
import { entityTypesQuery } from '../../entity-types/api';
import { propertyDefinitionsQuery } from '../../properties/api';
import { columnHeader, rowProperty, valueText } from './csv';
import { LimitInput, ViewSelect } from './fields';
import { formatKpiValue } from './kpiModel';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch, WidgetNotice } from './WidgetNotice';

const BUILT_IN_LABELS: Record<string, string> = { name: 'Name', pathLabel: 'Path', type: 'Type', updatedAt: 'Updated' };

export function columnLabel(field: string, definitions: ReadonlyMap<string, PropertyDefinition>): string {
  if (field.startsWith('property:')) {
    const key = field.slice('property:'.length);
    return definitions.get(key)?.name ?? key;
  }
  return BUILT_IN_LABELS[field] ?? columnHeader(field);
}

/** A stored property value as shown: select keys as their labels, numbers formatted, yes/no. */
export function propertyText(value: Value | undefined, definition: PropertyDefinition | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatKpiValue(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  const options = definition?.rules.options;
  if (options && (typeof value === 'string' || Array.isArray(value))) {
    const labelOf = (v: Value) => (typeof v === 'string' ? (options.find((o) => o.key === v)?.label ?? v) : valueText(v));
    return Array.isArray(value) ? value.map(labelOf).join(', ') : labelOf(value);
  }
  return valueText(value);
}

export function cellText(
  field: string,
  row: ViewRow,
  definitions: ReadonlyMap<string, PropertyDefinition>,
  types: ReadonlyMap<string, EntityType>,
): string {
  switch (field) {
    case 'name':
      return row.name;
    case 'pathLabel':
      return row.pathLabel;
    case 'type':
      return types.get(row.entityTypeId)?.name ?? '';
    case 'updatedAt':
      return formatDateTime(row.updatedAt);
  }
  if (!field.startsWith('property:')) return '';
  const key = field.slice('property:'.length);
  return propertyText(rowProperty(row, key), definitions.get(key));
}

export function TableRender({ config, data, onCrossFilter, height }: WidgetRenderProps) {
  const definitionList = useQuery(propertyDefinitionsQuery());
  const typeList = useQuery(entityTypesQuery(false));
  const definitions = useMemo(() => new Map((definitionList.data ?? []).map((d) => [d.key, d])), [definitionList.data]);
  const types = useMemo(() => new Map((typeList.data ?? []).map((t) => [t.id, t])), [typeList.data]);
  if (config.type !== 'table' || data.type !== 'table') return <DataMismatch />;
  const columns = data.columns.length > 0 ? data.columns : ['name'];
  const rows = data.page.rows;
  if (rows.length === 0) return <WidgetNotice>No rows for these filters.</WidgetNotice>;
  const cell = (field: string, row: ViewRow): ReactNode => {
    const text = cellText(field, row, definitions, types);
    return field === 'pathLabel' ? (
      <Text span ff="monospace" size="xs">
        {text}
      </Text>
    ) : (
      text
    );
  };
  return (
    <ScrollArea h={height} type="auto">
      <Table stickyHeader highlightOnHover striped fz="xs" verticalSpacing={4} data-testid="widget-table">
        <Table.Thead>
          <Table.Tr>
            {columns.map((field) => (
              <Table.Th key={field}>{columnLabel(field, definitions)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr
              key={row.id}
              data-testid={`widget-table-row-${row.id}`}
              style={{ cursor: 'pointer' }}
              onClick={() => onCrossFilter({ kind: 'under', entityId: row.id })}
            >
              {columns.map((field, i) => (
                <Table.Td key={field}>
                  {i === 0 ? (
                    <UnstyledButton
                      fz="xs"
                      aria-label={`Filter the dashboard by ${row.name}`}
                      data-testid={`widget-table-filter-${row.id}`}
                      onClick={(event) => {
                        event.stopPropagation();
                        onCrossFilter({ kind: 'under', entityId: row.id });
                      }}
                    >
                      {cell(field, row)}
                    </UnstyledButton>
                  ) : (
                    cell(field, row)
                  )}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

export function TableConfigForm({ value, onChange }: { value: ConfigOf<'table'>; onChange: (next: ConfigOf<'table'>) => void }) {
  return (
    <Stack gap="sm">
      <ViewSelect allowAll={false} value={value.viewId || null} onChange={(viewId) => onChange({ ...value, viewId: viewId ?? '' })} />
      <LimitInput value={value.limit} max={500} onChange={(limit) => onChange({ ...value, limit })} label="Rows" />
    </Stack>
  );
}

// Step (b) of an import: what each column of the file holds, one choice per
// column, started from the mapping the header suggests (or a preset).
import { Alert, Code, List, Select, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMemo } from 'react';
import type { PropertyDefinition } from '../../bindings';
import { FIXED_CHOICES, propertyChoice, type Choices, type ColumnChoice } from './dataModel';

type Props = {
  columns: readonly string[];
  /** The first rows, cells in the order of `columns` (a sample value per column). */
  rows: readonly string[][];
  choices: Choices;
  onChange: (column: string, choice: ColumnChoice) => void;
  definitions: readonly PropertyDefinition[];
  errors: readonly string[];
};

/** The properties a column can fill: live, not the system name, no secret references (never imported). */
export function importableDefinitions(definitions: readonly PropertyDefinition[]): PropertyDefinition[] {
  return definitions.filter((d) => d.deletedAt === null && !d.isSystem && d.valueType !== 'secret_reference');
}

/** The first non-empty value of a column in the sample rows. */
function sampleOf(rows: readonly string[][], index: number): string {
  for (const row of rows) {
    const cell = row[index];
    if (cell !== undefined && cell.trim() !== '') return cell;
  }
  return '';
}

export function MappingEditor({ columns, rows, choices, onChange, definitions, errors }: Props) {
  const data = useMemo(
    () => [
      { group: 'The entity', items: FIXED_CHOICES.map((c) => ({ value: c.value, label: c.label })) },
      {
        group: 'Properties',
        items: importableDefinitions(definitions).map((d) => ({ value: propertyChoice(d.key), label: `${d.name} (${d.key})` })),
      },
    ],
    [definitions],
  );
  // A preset or guess may name a property that no longer exists: keep it visible as chosen.
  const known = new Set(data.flatMap((g) => g.items.map((i) => i.value)));
  const extra = Object.values(choices)
    .filter((c): c is ColumnChoice => c !== '' && !known.has(c))
    .map((c) => ({ value: c, label: `${c.replace(/^property:/, '')} (unknown property)` }));
  const options = extra.length > 0 ? [...data, { group: 'Unknown', items: [...new Map(extra.map((e) => [e.value, e])).values()] }] : data;

  return (
    <>
      <Table withTableBorder verticalSpacing={4} fz="sm" data-testid="import-mapping">
        <Table.Caption>Exactly one column is the external id and one the name; every other column maps to something or is ignored.</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Column of the file</Table.Th>
            <Table.Th>Example</Table.Th>
            <Table.Th w={320}>Holds</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {columns.map((column, index) => (
            <Table.Tr key={column} data-testid={`import-map-row-${column}`}>
              <Table.Td>
                <Code>{column}</Code>
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed" truncate="end" maw={240}>
                  {sampleOf(rows, index)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  aria-label={`What column ${column} holds`}
                  placeholder="Choose…"
                  data={options}
                  value={choices[column] === '' ? null : (choices[column] ?? null)}
                  onChange={(value) => onChange(column, (value ?? '') as ColumnChoice)}
                  searchable
                  clearable
                  error={choices[column] === '' || choices[column] === undefined ? true : undefined}
                  data-testid={`import-map-${column}`}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {errors.length > 0 && (
        <Alert color="red" variant="light" title="The mapping is not complete" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="import-mapping-errors">
          <List size="sm">
            {errors.map((error) => (
              <List.Item key={error}>{error}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </>
  );
}

import { Input, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ViewDocument, ViewType } from '../../../bindings';
import { DEFAULT_PAGE_SIZE, groupByCandidates, MAX_PAGE_SIZE, MIN_PAGE_SIZE, pageSizeOf } from './fields';
import { withMissing } from './options';
import type { Catalog } from './useCatalog';

type Props = {
  document: ViewDocument;
  onChange: (patch: Partial<ViewDocument>) => void;
  catalog: Catalog;
  /** A server error on groupBy, pageSize or viewType. */
  blamed: { field: string; message: string } | null;
};

const VIEW_TYPES: { value: ViewType; label: string }[] = [
  { value: 'table', label: 'Table' },
  { value: 'board', label: 'Board' },
  { value: 'tree', label: 'Tree' },
];

/** Grouping, page size and how the rows are shown. */
export function LayoutEditor({ document, onChange, catalog, blamed }: Props) {
  const pageSize = document.pageSize ?? DEFAULT_PAGE_SIZE;
  // Typed text stays while it is no page size; the document keeps the last good one.
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? String(pageSize);
  const parsed = pageSizeOf(shown);
  const groupBy = document.groupBy ?? null;
  const viewType = document.viewType ?? 'table';
  const candidates = groupByCandidates(catalog.definitions).map((d) => ({ value: d.key, label: d.name }));
  const errorFor = (field: string) => (blamed?.field === field ? blamed.message : null);

  return (
    <Stack gap="md" maw={420}>
      <Select
        label="Group by"
        description="A single-select property; a board shows one column per option"
        placeholder={catalog.loading.definitions ? 'Loading properties…' : 'No grouping'}
        data={withMissing(candidates, groupBy ? [groupBy] : [], (key) => `${key} (cannot group by it)`)}
        value={groupBy}
        onChange={(key) => onChange({ groupBy: key })}
        clearable
        searchable
        nothingFoundMessage="No single-select property"
        comboboxProps={{ withinPortal: false }}
        error={errorFor('groupBy')}
        data-testid="layout-group-by"
      />
      <TextInput
        label="Rows per page"
        description={`${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}`}
        inputMode="numeric"
        value={shown}
        onChange={(e) => {
          const text = e.currentTarget.value;
          const next = pageSizeOf(text);
          setDraft('value' in next && String(next.value) === text.trim() ? null : text);
          if ('value' in next && next.value !== pageSize) onChange({ pageSize: next.value });
        }}
        onBlur={() => setDraft(null)}
        error={'problem' in parsed ? parsed.problem : errorFor('pageSize')}
        w={160}
        data-testid="layout-page-size"
      />
      <Input.Wrapper label="Show as" labelElement="div" error={errorFor('viewType')}>
        <SegmentedControl
          value={viewType}
          onChange={(value) => onChange({ viewType: value as ViewType })}
          data={VIEW_TYPES.map((t) => ({ value: t.value, label: <span data-testid={`layout-view-type-${t.value}`}>{t.label}</span> }))}
          aria-label="Show as"
          data-testid="layout-view-type"
        />
      </Input.Wrapper>
      {viewType === 'board' && groupBy === null && (
        <Text size="sm" c="var(--eco-warning-text)" data-testid="layout-board-hint">
          A board needs a group-by property for its columns.
        </Text>
      )}
    </Stack>
  );
}

import { Alert, Badge, Stack, Tabs, Text } from '@mantine/core';
import { IconAlertTriangle, IconArrowsSort, IconCode, IconColumns, IconFilter, IconLayoutBoard } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { Filter, ViewDocument } from '../../../bindings';
import { appErrorOf, describeError } from '../../../ipc/errors';
import { relationshipTypesQuery } from '../api';
import { ColumnsEditor } from './ColumnsEditor';
import { FilterEditor, type Highlight } from './FilterEditor';
import { JsonEditor } from './JsonEditor';
import { LayoutEditor } from './LayoutEditor';
import { fromFilter, indexOfError, nodeOfPath, pathOfError, positionsOf, relationshipTypesIn, tabOfError, toFilter, type GroupNode } from './model';
import { SortEditor } from './SortEditor';
import { useCatalog } from './useCatalog';

export type BuilderTab = 'filter' | 'columns' | 'sort' | 'layout' | 'json';

type Props = {
  document: ViewDocument;
  onChange: (document: ViewDocument) => void;
  /**
   * What the server said when it ran the document, if it refused it: a
   * Validation error's field marks the row to fix.
   */
  error?: unknown;
};

const filterKey = (filter: Filter | null | undefined) => JSON.stringify(filter ?? null);

/**
 * Makes every part of a view document without writing JSON: the filter as
 * nested groups of conditions, the columns, the sort keys, grouping and
 * layout, and the JSON itself. Conditions still missing something stay here,
 * marked, and are left out of the document until they are complete.
 */
export function ViewBuilder({ document, onChange, error = null }: Props) {
  const catalog = useCatalog();
  const [tab, setTab] = useState<BuilderTab>('filter');
  const [tree, setTree] = useState<GroupNode>(() => fromFilter(document.filter));
  const [focusId, setFocusId] = useState<string | null>(null);
  const built = useMemo(() => toFilter(tree, catalog.byKey), [tree, catalog.byKey]);

  // A filter changed elsewhere (the JSON tab, another view) replaces the
  // tree; the echo of this builder's own change does not.
  const propKey = filterKey(document.filter);
  const [seenKey, setSeenKey] = useState(propKey);
  if (propKey !== seenKey) {
    setSeenKey(propKey);
    if (propKey !== filterKey(built.filter)) setTree(fromFilter(document.filter));
  }

  const editFilter = (change: (root: GroupNode) => GroupNode, focus?: string) => {
    const next = change(tree);
    setTree(next);
    if (focus) setFocusId(focus);
    const filter = toFilter(next, catalog.byKey).filter;
    if (filterKey(filter) !== propKey) onChange({ ...document, filter });
  };

  const positions = useMemo(() => positionsOf(tree), [tree]);
  // The types in use (suggestions: any text is a type) and those already in the filter.
  const inUse = useQuery(relationshipTypesQuery());
  const relationshipTypes = useMemo(() => [...new Set([...(inUse.data ?? []), ...relationshipTypesIn(tree)])], [inUse.data, tree]);

  const appError = appErrorOf(error);
  // Only a refusal of the document is this panel's to show; other failures are the screen's.
  const refused = appError?.type === 'Validation' || appError?.type === 'Forbidden';
  const field = appError?.type === 'Validation' ? appError.data.field : null;
  const message = refused ? describeError(error).message : '';
  const blamedTab = refused ? tabOfError(field) : null;
  const located = pathOfError(field);
  const blamedNode = located ? nodeOfPath(built, located.row) : null;
  const highlight: Highlight | null = blamedNode && located ? { id: blamedNode, part: located.part, message } : null;
  const columnIndex = indexOfError(field, 'columns');
  const sortIndex = indexOfError(field, 'sort');

  const incomplete = built.problems.size;
  const count = built.pathOf.size;
  const badge = (n: number, color = 'gray') =>
    n > 0 ? (
      <Badge size="xs" variant="light" color={color} circle={n < 10}>
        {n}
      </Badge>
    ) : null;
  const marker = (name: BuilderTab) => (blamedTab === name ? <IconAlertTriangle size={14} color="var(--mantine-color-red-6)" aria-label="Has an error" /> : null);

  return (
    <Stack gap="sm" data-testid="view-builder">
      {refused && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} title="The view was refused" data-testid="builder-error">
          {field && (
            <Text span ff="monospace" size="xs" fw={600} data-testid="builder-error-path">
              {field}:{' '}
            </Text>
          )}
          {message}
        </Alert>
      )}
      <Tabs
        value={tab}
        onChange={(value) => {
          if (!value) return;
          setTab(value as BuilderTab);
          // Rows mount again with the tab: none of them should take the focus then.
          setFocusId(null);
        }}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="filter" leftSection={<IconFilter size={14} />} rightSection={marker('filter') ?? badge(incomplete, 'orange')} data-testid="builder-tab-filter">
            Filter
          </Tabs.Tab>
          <Tabs.Tab value="columns" leftSection={<IconColumns size={14} />} rightSection={marker('columns') ?? badge(document.columns?.length ?? 0)} data-testid="builder-tab-columns">
            Columns
          </Tabs.Tab>
          <Tabs.Tab value="sort" leftSection={<IconArrowsSort size={14} />} rightSection={marker('sort') ?? badge(document.sort?.length ?? 0)} data-testid="builder-tab-sort">
            Sort
          </Tabs.Tab>
          <Tabs.Tab value="layout" leftSection={<IconLayoutBoard size={14} />} rightSection={marker('layout')} data-testid="builder-tab-layout">
            Group &amp; layout
          </Tabs.Tab>
          <Tabs.Tab value="json" leftSection={<IconCode size={14} />} data-testid="builder-tab-json">
            JSON
          </Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="filter" pt="sm">
          <Stack gap="xs">
            <Text size="xs" c="dimmed" data-testid="builder-filter-summary">
              {count === 0 ? 'No condition applies yet.' : `${count} part${count === 1 ? '' : 's'} of the filter apply.`}
              {incomplete > 0 ? ` ${incomplete} incomplete, left out until finished.` : ''}
            </Text>
            <FilterEditor root={tree} catalog={catalog} built={built} positions={positions} highlight={highlight} relationshipTypes={relationshipTypes} focusId={focusId} edit={editFilter} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="columns" pt="sm">
          <ColumnsEditor
            columns={document.columns ?? []}
            onChange={(columns) => onChange({ ...document, columns })}
            catalog={catalog}
            blamed={columnIndex !== null ? { index: columnIndex, message } : null}
          />
        </Tabs.Panel>
        <Tabs.Panel value="sort" pt="sm">
          <SortEditor sort={document.sort ?? []} onChange={(sort) => onChange({ ...document, sort })} catalog={catalog} blamed={sortIndex !== null ? { index: sortIndex, message } : null} />
        </Tabs.Panel>
        <Tabs.Panel value="layout" pt="sm">
          <LayoutEditor
            document={document}
            onChange={(patch) => onChange({ ...document, ...patch })}
            catalog={catalog}
            blamed={blamedTab === 'layout' && field ? { field, message } : null}
          />
        </Tabs.Panel>
        <Tabs.Panel value="json" pt="sm">
          <JsonEditor document={document} onChange={onChange} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

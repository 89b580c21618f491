import { CloseButton, Combobox, Group, Loader, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { TreeNode } from '../../../bindings';
import { describeError } from '../../../ipc/errors';
import { NodeIcon } from '../../../shared/nodeIcons';
import { entityQuery } from '../../details/api';
import { searchQuery } from '../../palette/api';

export const UNDER_DEBOUNCE_MS = 200;
const MIN_LENGTH = 2;

type Props = {
  entityId: string | null;
  onChange: (entityId: string | null) => void;
  testId: string;
  error?: string | null;
};

/**
 * The entity an `under` condition names: found by name or dotted path as
 * you type (the palette's search), shown by name once chosen.
 */
export function UnderPicker({ entityId, onChange, testId, error }: Props) {
  // The picked node names itself at once; a loaded document's id is looked up.
  const [picked, setPicked] = useState<TreeNode | null>(null);
  const known = picked?.id === entityId ? picked : null;
  const detail = useQuery({ ...entityQuery(entityId ?? ''), enabled: entityId !== null && known === null });
  const node = known ?? detail.data?.node ?? null;

  if (entityId !== null) {
    return (
      <Group gap={6} wrap="nowrap" flex="1 1 220px" data-testid={`${testId}-chosen`} data-entity-id={entityId}>
        {node && <NodeIcon icon={node.icon} size={16} />}
        <div style={{ minWidth: 0 }}>
          <Text size="sm" truncate="end">
            {node?.name ?? (detail.isError ? 'An entity you cannot see' : entityId)}
          </Text>
          {node && (
            <Text size="xs" c="dimmed" ff="monospace" truncate="end">
              {node.pathLabel}
            </Text>
          )}
        </div>
        <CloseButton size="sm" onClick={() => onChange(null)} aria-label="Choose another entity" data-testid={`${testId}-clear`} />
      </Group>
    );
  }
  return (
    <Search
      testId={testId}
      error={error}
      onPick={(picked) => {
        setPicked(picked);
        onChange(picked.id);
      }}
    />
  );
}

function Search({ testId, error, onPick }: { testId: string; error?: string | null; onPick: (node: TreeNode) => void }) {
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), UNDER_DEBOUNCE_MS);
  const enabled = debounced.length >= MIN_LENGTH;
  const search = useQuery({ ...searchQuery(debounced), enabled });
  const hits = enabled && text.trim().length >= MIN_LENGTH ? (search.data?.hits ?? []) : [];
  const firstHit = hits[0]?.id ?? null;

  // Enter picks the first hit (again whenever the results change).
  useEffect(() => {
    if (firstHit !== null) combobox.selectFirstOption();
  }, [firstHit]);

  let status: string | null = null;
  if (text.trim().length < MIN_LENGTH) status = `Type at least ${MIN_LENGTH} characters`;
  else if (search.isError) status = describeError(search.error).message;
  else if (!search.data || debounced !== text.trim()) status = 'Searching…';
  else if (hits.length === 0) status = 'No matching entity';

  return (
    <Combobox
      store={combobox}
      withinPortal={false}
      onOptionSubmit={(id) => {
        const node = hits.find((hit) => hit.id === id);
        if (!node) return;
        combobox.closeDropdown();
        onPick(node);
      }}
    >
      <Combobox.Target>
        <TextInput
          aria-label="Entity to look under"
          placeholder="Type a name or a.dotted.path"
          value={text}
          error={error}
          flex="1 1 220px"
          leftSection={<IconSearch size={14} />}
          rightSection={search.isFetching ? <Loader size={12} /> : null}
          onChange={(event) => {
            setText(event.currentTarget.value);
            combobox.openDropdown();
          }}
          onClick={() => combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          data-testid={testId}
        />
      </Combobox.Target>
      <Combobox.Dropdown>
        <Combobox.Options mah={260} style={{ overflowY: 'auto' }}>
          {hits.map((node) => (
            <Combobox.Option key={node.id} value={node.id} data-testid={`${testId}-option-${node.id}`}>
              <Group gap="xs" wrap="nowrap">
                <NodeIcon icon={node.icon} size={16} />
                <div style={{ minWidth: 0 }}>
                  <Text size="sm" truncate="end">
                    {node.name}
                  </Text>
                  <Text size="xs" c="dimmed" ff="monospace" truncate="end">
                    {node.typeName} · {node.pathLabel}
                  </Text>
                </div>
              </Group>
            </Combobox.Option>
          ))}
          {status !== null && <Combobox.Empty>{status}</Combobox.Empty>}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}

import { Combobox, Group, Loader, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type Ref } from 'react';
import type { TreeNode } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { NodeIcon } from '../../shared/nodeIcons';
import { searchQuery } from '../palette/api';

export const PICKER_DEBOUNCE_MS = 200;
export const PICKER_MIN_LENGTH = 2;

type Props = {
  /** The visible label; without one, `ariaLabel` names the input. */
  label?: string;
  ariaLabel?: string;
  placeholder?: string;
  /** Entities that cannot be picked (not offered). */
  exclude?: ReadonlySet<string>;
  error?: string | null;
  disabled?: boolean;
  onPick: (node: TreeNode) => void;
  inputRef?: Ref<HTMLInputElement>;
  testId: string;
};

/**
 * Finds an entity by name or dotted path as you type (the palette's search)
 * and picks it with Enter or a click; the input is cleared after a pick.
 */
export function EntityPicker({ label, ariaLabel, placeholder = 'Type a name or a.dotted.path', exclude, error, disabled, onPick, inputRef, testId }: Props) {
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), PICKER_DEBOUNCE_MS);
  const enabled = debounced.length >= PICKER_MIN_LENGTH;
  const search = useQuery({ ...searchQuery(debounced), enabled });
  const hits = enabled && text.trim().length >= PICKER_MIN_LENGTH ? (search.data?.hits ?? []).filter((node) => !exclude?.has(node.id)) : [];
  const firstHit = hits[0]?.id ?? null;

  // The first hit is the one Enter picks (again whenever the results change).
  useEffect(() => {
    if (firstHit !== null) combobox.selectFirstOption();
  }, [firstHit]);

  const pick = (id: string) => {
    const node = hits.find((hit) => hit.id === id);
    if (!node) return;
    setText('');
    combobox.closeDropdown();
    onPick(node);
  };

  let status: string | null = null;
  if (text.trim().length < PICKER_MIN_LENGTH) status = `Type at least ${PICKER_MIN_LENGTH} characters`;
  else if (search.isError) status = describeError(search.error).message;
  else if (!search.data || debounced !== text.trim()) status = 'Searching…';
  else if (hits.length === 0) status = 'No matching entity';

  return (
    <Combobox store={combobox} onOptionSubmit={pick} withinPortal={false}>
      <Combobox.Target>
        <TextInput
          ref={inputRef}
          label={label}
          aria-label={ariaLabel}
          placeholder={placeholder}
          value={text}
          disabled={disabled}
          error={error}
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
        <Combobox.Options mah={280} style={{ overflowY: 'auto' }} data-testid={`${testId}-options`}>
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

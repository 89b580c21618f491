import { Badge, Group, Kbd, Loader, Modal, Stack, Text, TextInput, ThemeIcon } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowBarToUp, IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { TreeNode } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { matchesLabel } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { searchQuery } from './api';
import classes from './CommandPalette.module.css';

export const SEARCH_DEBOUNCE_MS = 250;
export const MIN_QUERY_LENGTH = 3;

/** A choice in the palette: a search hit, or (when picking a parent) the top level. */
export type PaletteChoice = { kind: 'entity'; node: TreeNode } | { kind: 'top-level' };

type Props = {
  title: string;
  placeholder?: string;
  /** Offer "Top level" as the first choice (picking a new parent). */
  offerTopLevel?: boolean;
  /** Why a choice can't be picked (shown, and Enter skips it), or null. */
  disabledReason?: (choice: PaletteChoice) => string | null;
  onPick: (choice: PaletteChoice) => void;
  onClose: () => void;
};

function useEntitySearch(text: string) {
  const [debounced] = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const enabled = debounced.length >= MIN_QUERY_LENGTH;
  const query = useQuery({ ...searchQuery(debounced), enabled });
  return { debounced, enabled, query };
}

/** Searches entities as you type (debounced) and picks one with Enter or a click. */
export function CommandPalette({ title, placeholder = 'Search entities by name, or a.dotted.path', offerTopLevel = false, disabledReason, onPick, onClose }: Props) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const { enabled, query } = useEntitySearch(text);
  const tooShort = text.trim().length < MIN_QUERY_LENGTH;

  const hits = enabled && !tooShort ? (query.data?.hits ?? []) : [];
  const choices: PaletteChoice[] = [...(offerTopLevel ? [{ kind: 'top-level' } as const] : []), ...hits.map((node) => ({ kind: 'entity', node }) as const)];
  const reasons = choices.map((c) => disabledReason?.(c) ?? null);

  useEffect(() => setActive(0), [query.data]);

  const pick = (index: number) => {
    const choice = choices[index];
    if (choice && reasons[index] === null) onPick(choice);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (choices.length === 0) return;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        setActive((i) => Math.min(choices.length - 1, i + 1));
        break;
      case 'ArrowUp':
        event.preventDefault();
        setActive((i) => Math.max(0, i - 1));
        break;
      case 'Enter':
        event.preventDefault();
        pick(active);
        break;
    }
  };

  return (
    <Modal opened onClose={onClose} title={title} size="lg" yOffset="10vh" data-testid="palette">
      <Stack gap="sm">
        <TextInput
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          leftSection={<IconSearch size={16} />}
          rightSection={query.isFetching ? <Loader size={14} /> : null}
          data-autofocus
          aria-label="Search entities"
          aria-controls="palette-results"
          aria-activedescendant={choices.length > 0 ? `palette-option-${active}` : undefined}
          data-testid="palette-input"
        />
        <PaletteStatus tooShort={tooShort} query={query} />
        {choices.length > 0 && (
          <div className={classes.list} role="listbox" id="palette-results" aria-label="Results">
            {choices.map((choice, index) => (
              <PaletteOption
                key={choice.kind === 'entity' ? choice.node.id : 'top-level'}
                index={index}
                choice={choice}
                active={index === active}
                reason={reasons[index]}
                onHover={() => setActive(index)}
                onPick={() => pick(index)}
              />
            ))}
          </div>
        )}
        <Group gap={6} justify="flex-end">
          <Text size="xs" c="dimmed">
            <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> to choose, <Kbd size="xs">Enter</Kbd> to open, <Kbd size="xs">Esc</Kbd> to close
          </Text>
        </Group>
      </Stack>
    </Modal>
  );
}

function PaletteStatus({ tooShort, query }: { tooShort: boolean; query: ReturnType<typeof useEntitySearch>['query'] }) {
  let content: string;
  if (tooShort) content = `Type at least ${MIN_QUERY_LENGTH} characters. A query with a "." searches path labels.`;
  else if (query.isError) {
    const { title, message } = describeError(query.error);
    content = `${title}: ${message}`;
  } else if (!query.data) content = 'Searching…';
  else content = matchesLabel(query.data.total, query.data.totalCapped);
  return (
    <Text size="xs" c={query.isError && !tooShort ? 'red' : 'dimmed'} data-testid="palette-status" aria-live="polite">
      {content}
    </Text>
  );
}

type OptionProps = { index: number; choice: PaletteChoice; active: boolean; reason: string | null; onHover: () => void; onPick: () => void };

function PaletteOption({ index, choice, active, reason, onHover, onPick }: OptionProps) {
  const common = {
    id: `palette-option-${index}`,
    role: 'option',
    className: classes.option,
    'aria-selected': active,
    'aria-disabled': reason !== null,
    title: reason ?? undefined,
    onMouseMove: onHover,
    onMouseDown: (e: MouseEvent) => e.preventDefault(),
    onClick: onPick,
  };
  if (choice.kind === 'top-level') {
    return (
      <div {...common} data-testid="palette-top-level">
        <ThemeIcon variant="light" size="md">
          <IconArrowBarToUp size={16} />
        </ThemeIcon>
        <div className={classes.texts}>
          <Text size="sm" fw={500}>
            Top level
          </Text>
          <Text size="xs" c="dimmed">
            {reason ?? 'Make them roots of the registry'}
          </Text>
        </div>
      </div>
    );
  }
  const { node } = choice;
  return (
    <div {...common} data-testid={`palette-hit-${node.pathLabel}`}>
      <ThemeIcon variant="light" size="md">
        <NodeIcon icon={node.icon} size={16} />
      </ThemeIcon>
      <div className={classes.texts}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={500} truncate="end">
            {node.name}
          </Text>
          <Badge size="xs" variant="light" color="gray">
            {node.typeName}
          </Badge>
        </Group>
        <span className={classes.path}>{reason ?? node.pathLabel}</span>
      </div>
    </div>
  );
}

import { Badge, Group, Kbd, Loader, Modal, Stack, Text, TextInput, ThemeIcon, useMantineColorScheme } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowBarToUp, IconBinaryTree, IconLayoutKanban, IconPlus, IconSearch, IconTable, type TablerIcon } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { SavedView, TreeNode } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { EmptyState } from '../../shared/EmptyState';
import { matchesLabel } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { useWorkspace } from '../../shared/WorkspaceContext';
import { mayManagePeople, sessionQuery } from '../people/api';
import { mayUseVault } from '../vault/api';
import { savedViewsQuery } from '../views/api';
import { searchQuery } from './api';
import classes from './CommandPalette.module.css';
import { availableActions, PALETTE_ACTIONS, type CommandEffect, type PaletteAction } from './commands';

export { availableActions, PALETTE_ACTIONS, type PaletteAction } from './commands';

export const SEARCH_DEBOUNCE_MS = 250;
export const MIN_QUERY_LENGTH = 3;
/** At most this many saved views are listed for one text. */
export const VIEW_LIMIT = 8;

/** A choice in the palette: a search hit, or (when picking a parent) the top level. */
export type PaletteChoice = { kind: 'entity'; node: TreeNode } | { kind: 'top-level' };

/**
 * A command another feature offers through the palette ("Make selected
 * available offline"): it runs once the palette has closed.
 */
export type PaletteCommand = {
  id: string;
  title: string;
  description: string;
  keywords: string;
  icon: TablerIcon;
  /** Why it cannot run now (shown, and Enter skips it), or null. */
  disabledReason: string | null;
  run: () => void;
};

/** Whether the title or keywords hold every word of the text, any case (any for no text). */
function matchesWords(text: string, { title, keywords }: { title: string; keywords: string }): boolean {
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  const haystack = `${title} ${keywords}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** The actions whose title or keywords hold every word of the text, any case; all of them for no text. */
export function matchingActions(text: string, actions: readonly PaletteAction[] = PALETTE_ACTIONS): PaletteAction[] {
  return actions.filter((a) => matchesWords(text, a));
}

/** The commands whose title or keywords hold every word of the text, any case; all of them for no text. */
export function matchingCommands(text: string, extraCommands: readonly PaletteCommand[]): PaletteCommand[] {
  return extraCommands.filter((c) => matchesWords(text, c));
}

/** What the palette lists: the callers' choices, and the saved views and screens it opens itself. */
type Choice =
  | PaletteChoice
  | { kind: 'view'; view: SavedView }
  | { kind: 'new-view' }
  | { kind: 'action'; action: PaletteAction }
  | { kind: 'command'; command: PaletteCommand };

type Props = {
  title: string;
  placeholder?: string;
  /** Offer "Top level" as the first choice (picking a new parent). */
  offerTopLevel?: boolean;
  /**
   * List saved views ("Open view: …") and "New view", which open in the
   * Views screen. By default only when not picking a new parent, which has
   * no use for them.
   */
  offerViews?: boolean;
  /**
   * List the commands of the screens (going to one, its tabs, and what it
   * does: "Dashboards: Edit layout"), as `offerViews` by default.
   */
  offerActions?: boolean;
  /** Commands of other features, listed after the screens when `offerActions`. */
  extraCommands?: readonly PaletteCommand[];
  /** Why a choice can't be picked (shown, and Enter skips it), or null. */
  disabledReason?: (choice: PaletteChoice) => string | null;
  onPick: (choice: PaletteChoice) => void;
  onClose: () => void;
};

/** The live saved views whose name (or key) holds the text, any case; all of them for no text. */
export function matchingViews(views: readonly SavedView[], text: string, limit = VIEW_LIMIT): SavedView[] {
  const query = text.trim().toLowerCase();
  return views
    .filter((v) => v.deletedAt === null && (query === '' || v.name.toLowerCase().includes(query) || (v.key ?? '').toLowerCase().includes(query)))
    .slice(0, limit);
}

/** "New view" is offered for no text, or text that is part of its name. */
export function offersNewView(text: string): boolean {
  const query = text.trim().toLowerCase().replace(/\s+/g, ' ');
  return query === '' || 'new view'.includes(query);
}

const NO_COMMANDS: readonly PaletteCommand[] = [];

function useEntitySearch(text: string) {
  const [debounced] = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const enabled = debounced.length >= MIN_QUERY_LENGTH;
  const query = useQuery({ ...searchQuery(debounced), enabled });
  return { debounced, enabled, query };
}

/** Searches entities as you type (debounced), lists the matching saved views, and picks one with Enter or a click. */
export function CommandPalette({ title, placeholder, offerTopLevel = false, offerViews = !offerTopLevel, offerActions = offerViews, extraCommands = NO_COMMANDS, disabledReason, onPick, onClose }: Props) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const { enabled, query } = useEntitySearch(text);
  const views = useQuery({ ...savedViewsQuery(), enabled: offerViews });
  const workspace = useWorkspace();
  const { openSavedView } = workspace;
  const session = useQuery({ ...sessionQuery, enabled: offerActions });
  const { setColorScheme } = useMantineColorScheme();
  const tooShort = text.trim().length < MIN_QUERY_LENGTH;
  const actions = offerActions
    ? availableActions({ view: workspace.view, mayUseVault: session.data !== undefined && mayUseVault(session.data), mayManagePeople: session.data !== undefined && mayManagePeople(session.data) })
    : [];

  const hits = enabled && !tooShort ? (query.data?.hits ?? []) : [];
  // Views first: they answer at once, so what Enter picks does not shift when the search answers.
  const viewChoices: Choice[] = offerViews
    ? [...matchingViews(views.data ?? [], text).map((view) => ({ kind: 'view', view }) as const), ...(offersNewView(text) ? [{ kind: 'new-view' } as const] : [])]
    : [];
  const actionChoices: Choice[] = offerActions
    ? [...matchingActions(text, actions).map((action) => ({ kind: 'action', action }) as const), ...matchingCommands(text, extraCommands).map((command) => ({ kind: 'command', command }) as const)]
    : [];
  const choices: Choice[] = [...(offerTopLevel ? [{ kind: 'top-level' } as const] : []), ...viewChoices, ...actionChoices, ...hits.map((node) => ({ kind: 'entity', node }) as const)];
  const reasons = choices.map((c) => {
    if (c.kind === 'entity' || c.kind === 'top-level') return disabledReason?.(c) ?? null;
    return c.kind === 'command' ? c.command.disabledReason : null;
  });

  useEffect(() => setActive(0), [query.data]);

  const pick = (index: number) => {
    const choice = choices[index];
    if (!choice || reasons[index] !== null) return;
    if (choice.kind === 'view' || choice.kind === 'new-view') {
      onClose();
      openSavedView(choice.kind === 'view' ? choice.view.id : null);
    } else if (choice.kind === 'action') {
      onClose();
      runEffect(choice.action.effect);
    } else if (choice.kind === 'command') {
      onClose();
      choice.command.run();
    } else onPick(choice);
  };

  const runEffect = (effect: CommandEffect) => {
    switch (effect.kind) {
      case 'go':
        return workspace.setView(effect.view);
      case 'data':
        return workspace.openData(effect.tab);
      case 'request':
        return workspace.requestAction(effect.target, effect.action);
      case 'scheme':
        return setColorScheme(effect.scheme);
    }
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
          onChange={(e) => {
            setText(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          placeholder={placeholder ?? (offerViews ? 'Search entities by name or a.dotted.path, open a saved view, or run a command' : 'Search entities by name, or a.dotted.path')}
          leftSection={<IconSearch size={16} />}
          rightSection={query.isFetching ? <Loader size={14} /> : null}
          data-autofocus
          role="combobox"
          aria-expanded={choices.length > 0}
          aria-autocomplete="list"
          aria-label={offerViews ? 'Search entities, saved views and commands' : 'Search entities'}
          aria-controls="palette-results"
          aria-activedescendant={choices.length > 0 ? `palette-option-${active}` : undefined}
          data-testid="palette-input"
        />
        <PaletteStatus tooShort={tooShort} query={query} />
        {choices.length === 0 && text.trim() !== '' && (tooShort || query.isSuccess) && (
          <EmptyState title={`Nothing matches “${text.trim()}”.`} size="compact" testId="palette-empty">
            {tooShort
              ? 'Type a few more letters to search entities, or a word of a command ("dashboard", "theme", "import").'
              : 'Check the spelling, search part of the name, or a dotted path such as site.building. Deleted entities are in the Trash.'}
          </EmptyState>
        )}
        {choices.length > 0 && (
          <div className={classes.list} role="listbox" id="palette-results" aria-label="Results">
            {choices.map((choice, index) => (
              <PaletteOption
                key={choiceKey(choice)}
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
  if (tooShort) content = `Type at least ${MIN_QUERY_LENGTH} characters to search entities. A query with a "." searches path labels.`;
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

function choiceKey(choice: Choice): string {
  switch (choice.kind) {
    case 'entity':
      return `entity-${choice.node.id}`;
    case 'view':
      return `view-${choice.view.id}`;
    case 'action':
      return `action-${choice.action.id}`;
    case 'command':
      return `action-${choice.command.id}`;
    default:
      return choice.kind;
  }
}

const VIEW_ICONS = { table: IconTable, board: IconLayoutKanban, tree: IconBinaryTree } as const;

type OptionProps = { index: number; choice: Choice; active: boolean; reason: string | null; onHover: () => void; onPick: () => void };

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
  if (choice.kind === 'view') {
    const { view } = choice;
    const Icon = VIEW_ICONS[view.viewType as keyof typeof VIEW_ICONS] ?? IconTable;
    return (
      <div {...common} data-testid={`palette-view-${view.id}`} data-view-name={view.name}>
        <ThemeIcon variant="light" size="md" color="grape">
          <Icon size={16} />
        </ThemeIcon>
        <div className={classes.texts}>
          <Text size="sm" fw={500} truncate="end">
            Open view: {view.name}
          </Text>
          <Text size="xs" c="dimmed" truncate="end">
            {view.description ?? (view.ownerUserId === null ? 'Shared saved view' : 'Your saved view')}
          </Text>
        </div>
      </div>
    );
  }
  if (choice.kind === 'action') {
    const { action } = choice;
    const Icon = action.icon;
    return (
      <div {...common} data-testid={`palette-action-${action.id}`}>
        <ThemeIcon variant="light" size="md" color="cyan">
          <Icon size={16} />
        </ThemeIcon>
        <div className={classes.texts}>
          <Text size="sm" fw={500}>
            {action.title}
          </Text>
          <Text size="xs" c="dimmed">
            {action.description}
          </Text>
        </div>
      </div>
    );
  }
  if (choice.kind === 'command') {
    const { command } = choice;
    const Icon = command.icon;
    return (
      <div {...common} data-testid={`palette-action-${command.id}`}>
        <ThemeIcon variant="light" size="md" color={reason === null ? 'cyan' : 'gray'}>
          <Icon size={16} />
        </ThemeIcon>
        <div className={classes.texts}>
          <Text size="sm" fw={500}>
            {command.title}
          </Text>
          <Text size="xs" c="dimmed">
            {reason ?? command.description}
          </Text>
        </div>
      </div>
    );
  }
  if (choice.kind === 'new-view') {
    return (
      <div {...common} data-testid="palette-new-view">
        <ThemeIcon variant="light" size="md" color="grape">
          <IconPlus size={16} />
        </ThemeIcon>
        <div className={classes.texts}>
          <Text size="sm" fw={500}>
            New view
          </Text>
          <Text size="xs" c="dimmed">
            Start a view of the registry: filter, columns, sort
          </Text>
        </div>
      </div>
    );
  }
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

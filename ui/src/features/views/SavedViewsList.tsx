import { ActionIcon, Button, Center, Group, Loader, Menu, ScrollArea, TextInput, Title, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBinaryTree2, IconCopy, IconDots, IconLayoutKanban, IconPencil, IconPin, IconPlus, IconSearch, IconTable, IconTrash, IconUser, IconUsers } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { SavedView, ViewType } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entityTypesQuery } from '../entity-types/api';
import { sessionQuery } from '../people/api';
import { documentOf, typeDefaultViewsQuery, typeKeyOf, useSetTypeDefaultView } from './api';
import classes from './Views.module.css';
import { viewSections, viewTypeOf } from './viewsModel';

const TYPE_ICONS: Record<ViewType, typeof IconTable> = { table: IconTable, board: IconLayoutKanban, tree: IconBinaryTree2 };
const TYPE_NAMES: Record<ViewType, string> = { table: 'Table', board: 'Board', tree: 'Tree' };

export function ViewTypeIcon({ type, size = 16 }: { type: ViewType; size?: number }) {
  const Icon = TYPE_ICONS[type];
  return <Icon size={size} role="img" aria-label={`${TYPE_NAMES[type]} view`} data-view-type={type} style={{ flex: '0 0 auto' }} />;
}

type Props = {
  views: SavedView[] | undefined;
  pending: boolean;
  error: unknown;
  openedId: string | null;
  onOpen: (id: string) => void;
  onNew: () => void;
  onRename: (view: SavedView) => void;
  onDuplicate: (view: SavedView, shared: boolean) => void;
  onDelete: (view: SavedView) => void;
};

/** The saved views: the person's own, then the shared ones, each searchable by name, key or description. */
export function SavedViewsList({ views, pending, error, openedId, onOpen, onNew, onRename, onDuplicate, onDelete }: Props) {
  const [search, setSearch] = useState('');
  const sections = viewSections(views ?? [], search);
  const none = sections.personal.length === 0 && sections.shared.length === 0;

  const section = (title: string, icon: ReactNode, list: SavedView[], testId: string) =>
    list.length > 0 && (
      <div role="group" aria-label={title} data-testid={testId}>
        <div className={classes.sectionTitle}>
          {icon}
          {title}
        </div>
        {list.map((view) => (
          <ViewItem key={view.id} view={view} active={view.id === openedId} onOpen={onOpen} onRename={onRename} onDuplicate={onDuplicate} onDelete={onDelete} />
        ))}
      </div>
    );

  return (
    <aside className={classes.list} aria-label="Saved views">
      <Group justify="space-between" wrap="nowrap">
        <Title order={5}>Views</Title>
        <Button size="compact-sm" variant="light" leftSection={<IconPlus size={14} />} onClick={onNew} data-testid="views-new">
          New view
        </Button>
      </Group>
      <TextInput
        size="xs"
        placeholder="Search views"
        aria-label="Search views"
        leftSection={<IconSearch size={14} />}
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        data-testid="views-search"
      />
      <ScrollArea className={classes.listScroll}>
        {pending ? (
          <Center p="md">
            <Loader size="sm" />
          </Center>
        ) : error ? (
          <ErrorNotice error={error} subject="Saved views" compact />
        ) : none ? (
          <EmptyState size="compact" title={search.trim() === '' ? 'No saved views yet.' : 'No view matches.'} testId="views-empty">
            {search.trim() === '' ? 'Make one with New view, then Save as…' : 'Search by name, key or description, or clear the search.'}
          </EmptyState>
        ) : (
          <>
            {section('Personal', <IconUser size={12} />, sections.personal, 'views-personal')}
            {section('Shared', <IconUsers size={12} />, sections.shared, 'views-shared')}
          </>
        )}
      </ScrollArea>
    </aside>
  );
}

function ViewItem({
  view,
  active,
  onOpen,
  onRename,
  onDuplicate,
  onDelete,
}: {
  view: SavedView;
  active: boolean;
  onOpen: (id: string) => void;
  onRename: (view: SavedView) => void;
  onDuplicate: (view: SavedView, shared: boolean) => void;
  onDelete: (view: SavedView) => void;
}) {
  return (
    <div className={classes.item} data-active={active ? '' : undefined} data-testid={`view-item-${view.id}`}>
      <UnstyledButton
        className={classes.itemButton}
        onClick={() => onOpen(view.id)}
        aria-current={active ? 'page' : undefined}
        title={view.description ?? undefined}
        data-testid={`view-open-${view.id}`}
      >
        <ViewTypeIcon type={viewTypeOf(view)} />
        <span className={classes.itemName}>{view.name}</span>
      </UnstyledButton>
      <Menu position="bottom-end" shadow="md">
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Actions for ${view.name}`} data-testid={`view-menu-${view.id}`}>
            <IconDots size={14} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => onRename(view)} data-testid="view-rename">
            Rename…
          </Menu.Item>
          <Menu.Item leftSection={<IconCopy size={14} />} onClick={() => onDuplicate(view, false)} data-testid="view-duplicate-personal">
            Duplicate as personal
          </Menu.Item>
          <Menu.Item leftSection={<IconCopy size={14} />} onClick={() => onDuplicate(view, true)} data-testid="view-duplicate-shared">
            Duplicate as shared
          </Menu.Item>
          <TypeViewChoice view={view} />
          <Menu.Divider />
          <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => onDelete(view)} data-testid="view-delete">
            Delete
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </div>
  );
}

/**
 * "Open HVAC units with this view": a shared view about one entity type can
 * be the view that type opens with (a global administrator's choice).
 */
function TypeViewChoice({ view }: { view: SavedView }) {
  const session = useQuery(sessionQuery);
  const types = useQuery(entityTypesQuery(false));
  const defaults = useQuery(typeDefaultViewsQuery());
  const setDefault = useSetTypeDefaultView();
  const key = typeKeyOf(documentOf(view));
  const type = types.data?.find((t) => t.key === key);
  if (!type || view.ownerUserId !== null || !session.data?.person?.isAdmin) return null;
  const chosen = defaults.data?.some((d) => d.entityTypeId === type.id && d.savedViewId === view.id) ?? false;
  const choose = async () => {
    try {
      await setDefault(type.id, chosen ? null : view.id);
      notifications.show({ message: chosen ? `${type.name} opens with a view made from its layout again` : `${type.name} now opens with "${view.name}"` });
    } catch (error) {
      notifications.show({ color: 'red', message: describeError(error).message });
    }
  };
  return (
    <Menu.Item leftSection={<IconPin size={14} />} onClick={() => void choose()} data-testid="view-type-default">
      {chosen ? `Stop opening ${type.name} with this view` : `Open ${type.name} with this view`}
    </Menu.Item>
  );
}

import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, Session, Tag, TagGroup } from '../../bindings';
import { focusedId, renderApp } from '../../test/app';
import { ALICE, callsOf, makeNode, sessionOn, T0, type Handler, type IpcArgs } from '../../test/fixtures';
import { keyFromName } from './TagGroupDialog';

const status: TagGroup = { id: 'g-status', key: 'status', name: 'Status', description: 'Operating state', selectionMode: 'single', createdAt: T0, updatedAt: 'v-status', deletedAt: null };
const old: TagGroup = { ...status, id: 'g-old', key: 'old', name: 'Old', description: null, selectionMode: 'multi', deletedAt: '2025-02-01T00:00:00Z' };
const active: Tag = { id: 'tag-active', groupId: 'g-status', key: 'active', name: 'Active', color: '#2f9e44', updatedAt: 'v-active', deletedAt: null };
const loose: Tag = { id: 'tag-loose', groupId: null, key: 'loose', name: 'Loose', color: null, updatedAt: 'v-loose', deletedAt: null };
const pump = makeNode({ id: 'pump', name: 'Pump 3', pathLabel: 'pump_3' });

const input = (args: IpcArgs) => (args as { input: Record<string, unknown> }).input;
/** Whole-app tests type and wait for debounced searches: room for a busy machine. */
const SLOW = { timeout: 20_000 };

function openTags(handlers: Record<string, Handler> = {}, session?: Session) {
  const app = renderApp({
    roots: [pump],
    session,
    handlers: {
      list_tag_groups: (args) => (args?.includeDeleted ? [old, status] : [status]),
      list_tags: () => [active, loose],
      ...handlers,
    },
  });
  return app;
}

async function showTagsView(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByText('Tags'));
  return screen.findByTestId('tags-admin');
}

describe('tags admin', SLOW, () => {
  it('lists tag groups with their mode and tags with group and colour', async () => {
    const { user } = openTags();
    await showTagsView(user);
    const group = await screen.findByTestId('tag-group-row-status');
    expect(group).toHaveTextContent('Status');
    expect(group).toHaveTextContent('Operating state');
    expect(group).toHaveTextContent('Single choice');
    expect(screen.getByTestId('tag-row-active')).toHaveTextContent('Status');
    expect(screen.getByTestId('tag-row-active')).toHaveTextContent('#2f9e44');
    expect(screen.getByTestId('tag-row-loose')).toHaveTextContent('No group');
  });

  it('creates a tag group, the key proposed from the name', async () => {
    const { calls, user } = openTags({ create_tag_group: (args) => ({ ...status, ...input(args) }) });
    await showTagsView(user);
    await user.click(screen.getByTestId('tag-group-new'));
    await user.type(screen.getByTestId('tag-group-name'), 'Maintenance window');
    expect(screen.getByTestId('tag-group-key')).toHaveValue('maintenance_window');
    await user.click(screen.getByTestId('tag-group-mode-single'));
    await user.click(screen.getByTestId('tag-group-save'));
    await waitFor(() => expect(callsOf(calls, 'create_tag_group')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_tag_group')[0])).toEqual({ key: 'maintenance_window', name: 'Maintenance window', description: null, selectionMode: 'single' });
    await waitFor(() => expect(screen.queryByTestId('tag-group-save')).toBeNull());
  });

  it('edits a group with its version; a deleted group can be restored', async () => {
    const { calls, user } = openTags({ update_tag_group: () => status, restore_tag_group: () => ({ ...old, deletedAt: null }) });
    await showTagsView(user);
    await user.click(await screen.findByTestId('tag-group-edit-status'));
    await user.click(screen.getByTestId('tag-group-mode-multi'));
    await user.click(screen.getByTestId('tag-group-save'));
    await waitFor(() => expect(callsOf(calls, 'update_tag_group')).toHaveLength(1));
    expect(input(callsOf(calls, 'update_tag_group')[0])).toEqual({ id: 'g-status', expectedUpdatedAt: 'v-status', name: 'Status', description: 'Operating state', selectionMode: 'multi' });

    await user.click(screen.getByTestId('tag-groups-show-deleted'));
    await user.click(await screen.findByTestId('tag-group-restore-old'));
    await waitFor(() => expect(callsOf(calls, 'restore_tag_group')).toEqual([{ id: 'g-old' }]));
  });

  it('a refused delete says why', async () => {
    const inUse: AppError = { type: 'InUse', data: { message: '1 live tag is in the group "Status"' } };
    const { calls, user } = openTags({
      delete_tag_group: () => {
        throw inUse;
      },
    });
    await showTagsView(user);
    await user.click(await screen.findByTestId('tag-group-delete-status'));
    expect(await screen.findByText('1 live tag is in the group "Status"')).toBeInTheDocument();
    expect(input(callsOf(calls, 'delete_tag_group')[0])).toEqual({ id: 'g-status', expectedUpdatedAt: 'v-status' });
  });

  it('creates a tag in a group with a swatch colour, and recolours one with its version', async () => {
    const { calls, user } = openTags({ create_tag: (args) => ({ ...active, ...input(args) }), update_tag: () => loose });
    await showTagsView(user);
    await user.click(await screen.findByTestId('tag-group-new-tag-status'));
    await user.type(screen.getByTestId('tag-name'), 'Stand-by');
    expect(screen.getByTestId('tag-key')).toHaveValue('stand_by');
    await user.click(screen.getByTestId('tag-swatch-7048e8'));
    await user.click(screen.getByTestId('tag-save'));
    await waitFor(() => expect(callsOf(calls, 'create_tag')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_tag')[0])).toEqual({ groupId: 'g-status', key: 'stand_by', name: 'Stand-by', color: '#7048e8' });
    await waitFor(() => expect(screen.queryByTestId('tag-save')).toBeNull());

    await user.click(screen.getByTestId('tag-edit-loose'));
    await user.click(screen.getByTestId('tag-swatch-e8590c'));
    await user.click(screen.getByTestId('tag-save'));
    await waitFor(() => expect(callsOf(calls, 'update_tag')).toHaveLength(1));
    expect(input(callsOf(calls, 'update_tag')[0])).toEqual({ id: 'tag-loose', expectedUpdatedAt: 'v-loose', groupId: null, color: '#e8590c' });
  });

  it("lists a tag's entities; choosing one shows it in the registry", async () => {
    const { calls, user } = openTags({ tagged_entities: () => [pump] });
    await showTagsView(user);
    await user.click(await screen.findByTestId('tag-tagged-active'));
    const list = await screen.findByTestId('tagged-entities');
    expect(callsOf(calls, 'tagged_entities')).toEqual([{ tagId: 'tag-active', limit: 500 }]);
    await user.click(within(list).getByTestId('tagged-pump'));
    await waitFor(() => expect(focusedId()).toBe('pump'));
    expect(await screen.findByTestId('node-details')).toHaveTextContent('Pump 3');
  });
});

describe('who may change the tags', SLOW, () => {
  const reason = 'Read-only: only a global administrator changes types, properties and tags';
  /** Every control that changes a tag group or a tag, once deleted groups are shown. */
  const changes = ['tag-group-new', 'tag-new', 'tag-group-new-tag-status', 'tag-group-edit-status', 'tag-group-delete-status', 'tag-group-restore-old', 'tag-edit-active', 'tag-edit-loose'];

  async function showAll(user: ReturnType<typeof renderApp>['user']) {
    await showTagsView(user);
    await user.click(await screen.findByTestId('tag-groups-show-deleted'));
    await screen.findByTestId('tag-group-restore-old');
  }

  it('a person who is no global administrator reads groups, tags and tagged entities, told once why nothing can be changed', async () => {
    const { calls, user } = openTags({ tagged_entities: () => [pump] }, sessionOn('pump', ['read', 'write', 'admin']));
    await showAll(user);
    const notice = await screen.findByTestId('tags-read-only');
    expect(notice).toHaveAttribute('role', 'status');
    expect(notice).toHaveTextContent(reason);
    expect(screen.getAllByTestId('tags-read-only')).toHaveLength(1);
    for (const id of changes) {
      expect(screen.getByTestId(id)).toBeDisabled();
      expect(screen.getByTestId(id)).toHaveAttribute('title', reason);
    }
    await user.click(screen.getByTestId('tag-group-delete-status'));
    expect(callsOf(calls, 'delete_tag_group')).toEqual([]);
    // Reading and browsing go on.
    expect(screen.getByTestId('tag-row-active')).toHaveTextContent('#2f9e44');
    await user.click(screen.getByTestId('tag-tagged-active'));
    expect(await screen.findByTestId('tagged-entities')).toHaveTextContent('Pump 3');
  });

  it('an administrator may change them', async () => {
    const { user } = openTags();
    await showAll(user);
    // Once the session is known (the badge shows it), the view is final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Administrator');
    expect(screen.queryByTestId('tags-read-only')).toBeNull();
    for (const id of changes) {
      expect(screen.getByTestId(id)).toBeEnabled();
      expect(screen.getByTestId(id)).not.toHaveAttribute('title');
    }
  });

  it('nothing can be changed while an administrator views as someone', async () => {
    const { user } = openTags({ viewing_as: () => ALICE });
    await showTagsView(user);
    expect(await screen.findByTestId('tags-read-only')).toHaveTextContent('Viewing as Alice Ng: nothing can be changed');
    expect(await screen.findByTestId('tag-edit-active')).toBeDisabled();
    expect(screen.getByTestId('tag-new')).toHaveAttribute('title', 'Viewing as Alice Ng: nothing can be changed');
  });
});

describe('keyFromName', () => {
  it('makes a lowercase identifier', () => {
    expect(keyFromName('Zone Status')).toBe('zone_status');
    expect(keyFromName('  Éclairage — niveau 2 ')).toBe('eclairage_niveau_2');
    expect(keyFromName('24/7')).toBe('_24_7');
    expect(keyFromName('!!')).toBe('');
  });
});

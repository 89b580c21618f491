import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, EntityGroup, Neighbourhood, RelatedEntity, Relationship, Tag, TagGroup } from '../../bindings';
import { focusedId, renderApp, settle } from '../../test/app';
import { ALICE, callsOf, detailOf, makeNode, sessionOn, T0, type Handler, type IpcArgs } from '../../test/fixtures';

const T1 = '2025-01-02T00:00:00.000000Z';

const device = (id: string, name: string) => makeNode({ id, name, pathLabel: name.toLowerCase().replace(/\W+/g, '_'), typeKey: 'device', typeName: 'Device', icon: 'device-desktop' });
const boiler = device('boiler', 'Boiler 1');
const chiller = device('chiller', 'Chiller 2');
const gateway = device('gateway', 'Gateway 1');
const plant = makeNode({ id: 'plant', name: 'Chiller Plant', pathLabel: 'chiller_plant' });

const tagGroup = (id: string, name: string, selectionMode: TagGroup['selectionMode']): TagGroup => ({
  id,
  key: id,
  name,
  description: null,
  selectionMode,
  createdAt: T0,
  updatedAt: T0,
  deletedAt: null,
});
const status = tagGroup('status', 'Status', 'single');
const zone = tagGroup('zone', 'Zone', 'multi');
const tag = (key: string, name: string, groupId: string | null, color: string | null = null): Tag => ({ id: `tag-${key}`, groupId, key, name, color, updatedAt: T0, deletedAt: null });
const active = tag('active', 'Active', 'status', '#2f9e44');
const maintenance = tag('maintenance', 'Maintenance', 'status', '#e8590c');
const north = tag('north', 'North wing', 'zone', '#1971c2');
const critical = tag('critical', 'Critical', null, '#e03131');
const ALL_TAGS = [active, maintenance, north, critical];

const relationship = (id: string, sourceId: string, targetId: string, relationshipType: string): Relationship => ({ id, sourceId, targetId, relationshipType, createdAt: T0, updatedAt: `v-${id}` });
const feeds = relationship('r-feeds', 'boiler', 'chiller', 'feeds');
const backsUp = relationship('r-backs', 'gateway', 'boiler', 'backs_up');

const input = (args: IpcArgs) => (args as { input: Record<string, unknown> }).input;
/** Whole-app tests type and wait for debounced searches: room for a busy machine. */
const SLOW = { timeout: 20_000 };

type Options = {
  tags?: Tag[];
  handlers?: Record<string, Handler>;
  group?: EntityGroup | null;
  related?: RelatedEntity[];
  hood?: (hops: number) => Neighbourhood;
};

/**
 * The app with four roots and Boiler 1's Links tab open. The fake backend
 * keeps Boiler 1's tags, version and group configuration as edits change them.
 */
async function openLinks({ tags = [], handlers = {}, group = null, related = [], hood }: Options = {}) {
  let carried = tags;
  let version = T0;
  let config = group;
  const app = renderApp({
    roots: [boiler, chiller, gateway, plant],
    handlers: {
      get_entity: (args) => {
        const node = [boiler, chiller, gateway, plant].find((n) => n.id === args?.id)!;
        return detailOf(node.id === 'boiler' ? { ...node, updatedAt: version } : node);
      },
      list_tag_groups: () => [status, zone],
      list_tags: () => ALL_TAGS,
      entity_tags: () => carried,
      edit_entity_tags: (args) => {
        const { add, remove } = input(args) as { add: string[]; remove: string[] };
        carried = [...carried.filter((t) => !remove.includes(t.id)), ...ALL_TAGS.filter((t) => add.includes(t.id))];
        version = T1;
        return { node: { ...boiler, updatedAt: version }, tags: carried };
      },
      entity_group: () => config,
      configure_group: (args) => {
        config = { ...(input(args) as Omit<EntityGroup, 'updatedAt'>), updatedAt: config ? 'g2' : 'g1' };
        return config;
      },
      groups_of: () => [],
      group_members: () => [],
      relationships_of: () => related,
      neighbourhood: (args) => hood?.(Number(args?.hops)) ?? { center: 'boiler', nodes: [boiler], edges: [], truncated: false },
      search_entities: (args) => {
        const query = String(args?.query).toLowerCase();
        const hits = [boiler, chiller, gateway, plant].filter((n) => n.name.toLowerCase().includes(query));
        return { hits, total: hits.length, totalCapped: false };
      },
      ...handlers,
    },
  });
  await app.user.click(await screen.findByTestId('tree-row-boiler_1'));
  await app.user.click(await screen.findByTestId('details-links-tab'));
  await screen.findByTestId('entity-links');
  return app;
}

describe('tags on an entity', SLOW, () => {
  it('adds a tag with the entity version, then removes one with the version that edit returned', async () => {
    const { calls, user } = await openLinks({ tags: [north] });
    const chips = await screen.findByTestId('entity-tags');
    expect(within(chips).getByTestId('tag-row-zone')).toHaveTextContent('North wing');
    expect(within(chips).getByTestId('tag-row-zone')).toHaveTextContent('Multiple choice');

    // Keyboard only: type in the picker, Enter takes the first match.
    await user.click(screen.getByTestId('tag-picker'));
    await user.keyboard('crit');
    expect(await screen.findByTestId('tag-option-critical')).toBeInTheDocument();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(callsOf(calls, 'edit_entity_tags')).toHaveLength(1));
    expect(input(callsOf(calls, 'edit_entity_tags')[0])).toEqual({ entityId: 'boiler', expectedUpdatedAt: T0, add: ['tag-critical'], remove: [] });
    expect(await screen.findByTestId('tag-chip-critical')).toHaveTextContent('Critical');

    // The chip's × is a button: focus it and press Enter.
    screen.getByTestId('tag-remove-north').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(callsOf(calls, 'edit_entity_tags')).toHaveLength(2));
    expect(input(callsOf(calls, 'edit_entity_tags')[1])).toEqual({ entityId: 'boiler', expectedUpdatedAt: T1, add: [], remove: ['tag-north'] });
    await waitFor(() => expect(screen.queryByTestId('tag-chip-north')).toBeNull());
  });

  it('the picker lists tags by group with the group mode, without those carried', async () => {
    const { user } = await openLinks({ tags: [active] });
    await user.click(screen.getByTestId('tag-picker'));
    const options = await screen.findByTestId('tag-picker-options');
    expect(within(options).queryByTestId('tag-option-active')).toBeNull();
    expect(options).toHaveTextContent('StatusSingle choice');
    expect(options).toHaveTextContent('ZoneMultiple choice');
    expect(within(options).getByTestId('tag-option-maintenance')).toHaveTextContent('replaces Active');
  });

  it('in a single-choice group, picking another tag offers to replace the current one, sent as remove + add together', async () => {
    const { calls, user } = await openLinks({ tags: [active, north] });
    await user.click(await screen.findByTestId('tag-picker'));
    await user.click(await screen.findByTestId('tag-option-maintenance'));
    const question = await screen.findByTestId('tag-replace');
    expect(question).toHaveTextContent('Status allows one tag per entity');
    expect(question).toHaveTextContent('Replace “Active” with “Maintenance”?');
    expect(callsOf(calls, 'edit_entity_tags')).toHaveLength(0);
    // The question has the focus: Enter replaces.
    expect(screen.getByTestId('tag-replace-confirm')).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(callsOf(calls, 'edit_entity_tags')).toHaveLength(1));
    expect(input(callsOf(calls, 'edit_entity_tags')[0])).toEqual({ entityId: 'boiler', expectedUpdatedAt: T0, add: ['tag-maintenance'], remove: ['tag-active'] });
    expect(await screen.findByTestId('tag-chip-maintenance')).toBeInTheDocument();
    expect(screen.queryByTestId('tag-chip-active')).toBeNull();
    expect(screen.queryByTestId('tag-replace')).toBeNull();
  });

  it('a Conflict shows a reload notice that refetches the entity and its tags', async () => {
    const conflict: AppError = { type: 'Conflict', data: { message: 'changed', current: { kind: 'entity', row: { ...boiler, updatedAt: T1 } } } };
    const { calls, user } = await openLinks({
      tags: [north],
      handlers: {
        edit_entity_tags: () => {
          throw conflict;
        },
      },
    });
    await user.click(await screen.findByTestId('tag-remove-north'));
    const notice = await screen.findByTestId('conflict-notice');
    expect(notice).toHaveTextContent('Changed by someone else');
    const before = { entity: callsOf(calls, 'get_entity').length, tags: callsOf(calls, 'entity_tags').length };
    await user.click(within(notice).getByTestId('conflict-reload'));
    await waitFor(() => expect(callsOf(calls, 'get_entity').length).toBeGreaterThan(before.entity));
    await waitFor(() => expect(callsOf(calls, 'entity_tags').length).toBeGreaterThan(before.tags));
    expect(screen.queryByTestId('conflict-notice')).toBeNull();
  });
});

describe('groups', SLOW, () => {
  const plantGroup: EntityGroup = { entityId: 'boiler', key: 'plant_room', name: 'Plant room', description: null, allowsMixedTypes: false, updatedAt: 'g1' };

  it('makes an entity a group with no version yet', async () => {
    const { calls, user } = await openLinks();
    await user.click(await screen.findByTestId('group-make'));
    expect(screen.getByTestId('group-name')).toHaveValue('Boiler 1');
    await user.type(screen.getByTestId('group-key'), 'boilers');
    await user.click(screen.getByTestId('group-one-type'));
    await user.click(screen.getByTestId('group-save'));
    await waitFor(() => expect(callsOf(calls, 'configure_group')).toHaveLength(1));
    expect(input(callsOf(calls, 'configure_group')[0])).toEqual({
      entityId: 'boiler',
      expectedUpdatedAt: null,
      key: 'boilers',
      name: 'Boiler 1',
      description: null,
      allowsMixedTypes: false,
    });
    expect(await screen.findByTestId('group-members')).toBeInTheDocument();
  });

  it('lists the groups an entity belongs to; a click selects the group in the tree', async () => {
    const { user } = await openLinks({ handlers: { groups_of: () => [{ ...plantGroup, entityId: 'plant', name: 'Chiller Plant' }] } });
    await user.click(await screen.findByTestId('member-of-plant'));
    await waitFor(() => expect(focusedId()).toBe('plant'));
  });

  it('adds a member found by search; a Validation error shows its message under the picker', async () => {
    const refused: AppError = { type: 'Validation', data: { message: '"Plant room" holds members of one type only', field: 'add', rule: 'type' } };
    const { calls, user } = await openLinks({
      group: plantGroup,
      handlers: {
        group_members: () => [chiller],
        edit_group_members: () => {
          throw refused;
        },
      },
    });
    expect(await screen.findByTestId('group-member-chiller')).toHaveTextContent('Chiller 2');
    await user.type(screen.getByTestId('group-member-picker'), 'plant');
    await user.click(await screen.findByTestId('group-member-picker-option-plant'));
    await waitFor(() => expect(callsOf(calls, 'edit_group_members')).toHaveLength(1));
    expect(input(callsOf(calls, 'edit_group_members')[0])).toEqual({ groupId: 'boiler', add: ['plant'], remove: [] });
    expect(await screen.findByText('"Plant room" holds members of one type only')).toBeInTheDocument();
  });

  it('removes a member with its × and saves an edited configuration with its version', async () => {
    const { calls, user } = await openLinks({
      group: plantGroup,
      handlers: { group_members: () => [chiller], edit_group_members: () => [] },
    });
    await user.click(await screen.findByTestId('group-member-remove-chiller'));
    await waitFor(() => expect(callsOf(calls, 'edit_group_members')).toHaveLength(1));
    expect(input(callsOf(calls, 'edit_group_members')[0])).toEqual({ groupId: 'boiler', add: [], remove: ['chiller'] });

    expect(screen.getByTestId('group-one-type')).toBeChecked();
    await user.click(screen.getByTestId('group-one-type'));
    await user.click(screen.getByTestId('group-save'));
    await waitFor(() => expect(callsOf(calls, 'configure_group')).toHaveLength(1));
    expect(input(callsOf(calls, 'configure_group')[0])).toMatchObject({ entityId: 'boiler', expectedUpdatedAt: 'g1', allowsMixedTypes: true, key: 'plant_room' });
  });
});

describe('relationships', SLOW, () => {
  const related: RelatedEntity[] = [
    { relationship: feeds, direction: 'outgoing', other: chiller },
    { relationship: backsUp, direction: 'incoming', other: gateway },
  ];

  it('lists both ways and removes one with its version', async () => {
    const { calls, user } = await openLinks({ related, handlers: { delete_relationship: () => feeds } });
    const out = await screen.findByTestId('relationship-r-feeds');
    expect(out).toHaveTextContent('feeds');
    expect(out).toHaveTextContent('Chiller 2');
    expect(out).toHaveAccessibleName('Boiler 1 feeds Chiller 2');
    expect(screen.getByTestId('relationship-r-backs')).toHaveAccessibleName('Gateway 1 backs up Boiler 1');
    await user.click(screen.getByTestId('relationship-remove-r-feeds'));
    await waitFor(() => expect(callsOf(calls, 'delete_relationship')).toHaveLength(1));
    expect(input(callsOf(calls, 'delete_relationship')[0])).toEqual({ id: 'r-feeds', expectedUpdatedAt: 'v-r-feeds' });
  });

  it('creates an outgoing and an incoming relationship with the ends the right way round', async () => {
    const { calls, user } = await openLinks({ handlers: { create_relationship: (args) => ({ ...relationship('new', '', '', ''), ...(input(args) as object) }) } });
    await user.type(screen.getByTestId('relationship-type'), 'feeds');
    await user.type(screen.getByTestId('relationship-target'), 'chil');
    await user.click(await screen.findByTestId('relationship-target-option-chiller'));
    expect(screen.getByTestId('relationship-preview')).toHaveTextContent('Boiler 1 feeds Chiller 2');
    await user.click(screen.getByTestId('relationship-add'));
    await waitFor(() => expect(callsOf(calls, 'create_relationship')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_relationship')[0])).toEqual({ sourceId: 'boiler', targetId: 'chiller', relationshipType: 'feeds' });

    // Other → this, with the keyboard: Enter picks the first match and submits from the button.
    await user.click(screen.getByRole('radio', { name: 'Other → Boiler 1' }));
    const type = screen.getByTestId('relationship-type');
    await user.clear(type);
    await user.type(type, 'backs_up');
    await user.click(screen.getByTestId('relationship-target'));
    await user.keyboard('gate');
    expect(await screen.findByTestId('relationship-target-option-gateway')).toBeInTheDocument();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('relationship-add')).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(callsOf(calls, 'create_relationship')).toHaveLength(2));
    expect(input(callsOf(calls, 'create_relationship')[1])).toEqual({ sourceId: 'gateway', targetId: 'boiler', relationshipType: 'backs_up' });
  });

  it('a refused type is shown under the Type input', async () => {
    const refused: AppError = { type: 'Validation', data: { message: 'a relationship type is lowercase letters, digits and underscores', field: 'relationshipType', rule: 'format' } };
    const { user } = await openLinks({
      handlers: {
        create_relationship: () => {
          throw refused;
        },
      },
    });
    await user.type(screen.getByTestId('relationship-type'), 'Feeds');
    await user.type(screen.getByTestId('relationship-target'), 'chil');
    await user.click(await screen.findByTestId('relationship-target-option-chiller'));
    await user.click(screen.getByTestId('relationship-add'));
    expect(await screen.findByText('a relationship type is lowercase letters, digits and underscores')).toBeInTheDocument();
  });
});

describe('neighbourhood graph', SLOW, () => {
  const oneHop: Neighbourhood = { center: 'boiler', nodes: [boiler, chiller, gateway], edges: [feeds, backsUp], truncated: false };
  const twoHops: Neighbourhood = {
    center: 'boiler',
    nodes: [boiler, chiller, gateway, plant],
    edges: [feeds, backsUp, relationship('r-part', 'chiller', 'plant', 'part_of')],
    truncated: true,
  };

  it('draws the entities and relationships, the center highlighted; 2 hops shows more and says when some are left out', async () => {
    const { calls, user } = await openLinks({ hood: (hops) => (hops === 2 ? twoHops : oneHop) });
    const graph = await screen.findByTestId('neighbourhood-graph');
    await waitFor(() => expect(graph.querySelectorAll('.react-flow__node')).toHaveLength(3));
    await waitFor(() => expect(graph.querySelectorAll('.react-flow__edge')).toHaveLength(2));
    expect(within(graph).getByTestId('graph-node-boiler')).toHaveAttribute('aria-current', 'true');
    expect(within(graph).getByTestId('graph-node-chiller')).not.toHaveAttribute('aria-current');
    expect(within(graph).getByTestId('graph-edge-label-r-backs')).toHaveTextContent('backs up');
    expect(callsOf(calls, 'neighbourhood')).toEqual([{ entityId: 'boiler', hops: 1, limit: 40 }]);
    expect(screen.queryByTestId('neighbourhood-truncated')).toBeNull();

    await user.click(screen.getByRole('radio', { name: '2 hops' }));
    await waitFor(() => expect(screen.getByTestId('neighbourhood-graph').querySelectorAll('.react-flow__node')).toHaveLength(4));
    await waitFor(() => expect(screen.getByTestId('neighbourhood-graph').querySelectorAll('.react-flow__edge')).toHaveLength(3));
    expect(screen.getByTestId('neighbourhood-truncated')).toHaveTextContent('More not shown');
    expect(callsOf(calls, 'neighbourhood')).toContainEqual({ entityId: 'boiler', hops: 2, limit: 40 });
  });

  it('a click on a node selects it in the tree', async () => {
    const { user } = await openLinks({ hood: () => oneHop });
    await user.click(await screen.findByTestId('graph-node-gateway'));
    await waitFor(() => expect(focusedId()).toBe('gateway'));
  });

  it('says so when nothing is related', async () => {
    await openLinks();
    expect(await screen.findByTestId('neighbourhood-empty')).toHaveTextContent('Nothing is related to this entity yet.');
  });
});

describe('what the person may change', SLOW, () => {
  const READ_ONLY = "Read-only: you need the 'write' capability on Boiler 1";
  const plantGroup: EntityGroup = { entityId: 'boiler', key: 'plant_room', name: 'Plant room', description: null, allowsMixedTypes: false, updatedAt: 'g1' };
  const related: RelatedEntity[] = [{ relationship: feeds, direction: 'outgoing', other: chiller }];

  /** Every control of the tab that changes something, for a group with a member, a tag and a relationship. */
  function changeControls() {
    return {
      buttons: ['tag-remove-north', 'group-save', 'group-member-remove-chiller', 'relationship-remove-r-feeds', 'relationship-add'].map((id) => screen.getByTestId(id)),
      inputs: [
        screen.getByTestId('tag-picker'),
        screen.getByTestId('group-name'),
        screen.getByTestId('group-key'),
        screen.getByTestId('group-description'),
        screen.getByTestId('group-one-type'),
        screen.getByTestId('group-member-picker'),
        screen.getByTestId('relationship-type'),
        screen.getByTestId('relationship-target'),
        ...within(screen.getByTestId('relationship-direction')).getAllByRole('radio'),
      ],
    };
  }

  it('a person who may only read sees every link, and every change disabled with the reason', async () => {
    const { calls, user } = await openLinks({
      tags: [north],
      group: plantGroup,
      related,
      handlers: { current_session: () => sessionOn('boiler', ['read']), group_members: () => [chiller] },
    });
    expect(await screen.findByTestId('details-read-only')).toHaveTextContent(READ_ONLY);
    expect(await screen.findByTestId('group-member-chiller')).toHaveTextContent('Chiller 2');
    expect(screen.getByTestId('tag-chip-north')).toHaveTextContent('North wing');
    expect(screen.getByTestId('relationship-r-feeds')).toHaveAccessibleName('Boiler 1 feeds Chiller 2');

    const { buttons, inputs } = changeControls();
    for (const button of buttons) {
      expect(button).toBeDisabled();
      expect(button).toHaveAttribute('title', READ_ONLY);
    }
    for (const control of inputs) expect(control).toBeDisabled();
    // A click on a disabled × changes nothing.
    for (const id of ['tag-remove-north', 'group-member-remove-chiller', 'relationship-remove-r-feeds']) await user.click(screen.getByTestId(id));
    await settle();
    expect(['edit_entity_tags', 'edit_group_members', 'delete_relationship'].flatMap((cmd) => callsOf(calls, cmd))).toEqual([]);
    // Following a link is reading: still there.
    await user.click(within(screen.getByTestId('group-member-chiller')).getByRole('button', { name: 'Chiller 2' }));
    await waitFor(() => expect(focusedId()).toBe('chiller'));
  });

  it('a person who may write gets every control', async () => {
    await openLinks({
      tags: [north],
      group: plantGroup,
      related,
      handlers: { current_session: () => sessionOn('boiler', ['read', 'write']), group_members: () => [chiller] },
    });
    // Once the session is known (the badge shows it), the tab is final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Alice Ng');
    expect(await screen.findByTestId('group-member-chiller')).toBeInTheDocument();
    expect(screen.queryByTestId('details-read-only')).toBeNull();
    const { buttons, inputs } = changeControls();
    // Save group and Add relationship wait for something to save.
    for (const button of buttons) expect(button).not.toHaveAttribute('title');
    for (const id of ['tag-remove-north', 'group-member-remove-chiller', 'relationship-remove-r-feeds']) expect(screen.getByTestId(id)).toBeEnabled();
    for (const control of inputs) expect(control).toBeEnabled();
  });

  it('viewing as someone disables making a group too, with that reason', async () => {
    await openLinks({ handlers: { current_session: () => sessionOn('boiler', ['read', 'write']), viewing_as: () => ALICE } });
    const reason = 'Viewing as Alice Ng: nothing can be changed';
    expect(await screen.findByTestId('details-read-only')).toHaveTextContent(reason);
    expect(screen.getByTestId('group-make')).toBeDisabled();
    expect(screen.getByTestId('group-make')).toHaveAttribute('title', reason);
    expect(screen.getByTestId('tag-picker')).toBeDisabled();
    expect(screen.getByTestId('relationship-type')).toBeDisabled();
  });
});

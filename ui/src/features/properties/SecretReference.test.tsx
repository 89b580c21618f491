import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, PropertyPane } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, makeNode, type FakeBackend } from '../../test/fixtures';
import { makeDefinition, makeField, makeGroup, makePane } from '../../test/propertyFixtures';

const SECRET_ID = '0190a1b2-0000-7000-8000-000000000001';
const room = makeNode({ id: 'room-1', name: 'Boiler Room', pathLabel: 'boiler_room', typeKey: 'room', typeName: 'Room', hasChildren: true });
const secret = makeNode({ id: SECRET_ID, parentId: 'room-1', name: 'Controller login', pathLabel: 'boiler_room.controller_login', typeKey: 'secret', typeName: 'Secret' });
const access = makeGroup({ key: 'access', name: 'Access' });
const login = makeField(makeDefinition({ key: 'controller_login', name: 'Controller login', valueType: 'secret_reference' }), { type: 'secret_reference', value: SECRET_ID });
const note = makeField(makeDefinition({ key: 'note', valueType: 'text' }), { type: 'text', value: 'old' });
const pane: PropertyPane = makePane('room-1', [[access, [login, note]]], 'entity-v1');

function renderPane(handlers: FakeBackend['handlers'] = {}) {
  return renderApp({
    roots: [room],
    children: { 'room-1': [secret] },
    handlers: {
      property_pane: () => pane,
      reveal_secret: (args) => ({ secretId: (args as { secretId: string }).secretId, version: 4, value: 'plant-ops-2026' }),
      ...handlers,
    },
  });
}

async function openProperties(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByTestId('tree-row-boiler_room'));
  await user.click(await screen.findByTestId('details-properties-tab'));
  return screen.findByTestId('props-form');
}

describe('the secret reference editor', { timeout: 20_000 }, () => {
  it("shows the secret's name, reveals its value with a reason through the vault, and hides it again", async () => {
    const { user, calls } = renderPane();
    await openProperties(user);
    const field = screen.getByTestId('prop-field-controller_login');
    expect(await within(field).findByTestId('prop-secret-name-controller_login')).toHaveTextContent('Controller login');
    expect(within(field).getByTestId('prop-secret-mask-controller_login')).toHaveTextContent('••••••');

    await user.click(within(field).getByTestId('prop-secret-reveal-controller_login'));
    await user.type(await screen.findByTestId('secret-reveal-reason'), 'replacing the controller{Enter}');
    expect(await within(field).findByTestId('prop-secret-value-controller_login')).toHaveTextContent('plant-ops-2026');
    expect(callsOf(calls, 'reveal_secret')).toEqual([{ secretId: SECRET_ID, version: null, reason: 'replacing the controller' }]);

    await user.click(within(field).getByTestId('prop-secret-hide-controller_login'));
    expect(within(field).queryByTestId('prop-secret-value-controller_login')).toBeNull();
    expect(within(field).getByTestId('prop-secret-reveal-controller_login')).toBeInTheDocument();
  });

  it('a reveal refused as locked opens the unlock dialog', async () => {
    const locked: AppError = { type: 'Vault', data: { kind: 'locked', message: 'the vault is locked' } };
    const { user } = renderPane({
      reveal_secret: () => {
        throw locked;
      },
    });
    await openProperties(user);
    await user.click(await screen.findByTestId('prop-secret-reveal-controller_login'));
    await user.type(await screen.findByTestId('secret-reveal-reason'), 'check{Enter}');
    expect(await screen.findByTestId('vault-unlock-dialog')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('prop-secret-value-controller_login')).toBeNull());
  });

  it('revealing (Enter in its dialog) saves no edit of the pane', async () => {
    const { user, calls } = renderPane();
    await openProperties(user);
    await user.type(screen.getByTestId('prop-input-note'), ' and new');
    await user.click(screen.getByTestId('prop-secret-reveal-controller_login'));
    await user.type(await screen.findByTestId('secret-reveal-reason'), 'check{Enter}');
    expect(await screen.findByTestId('prop-secret-value-controller_login')).toHaveTextContent('plant-ops-2026');
    expect(callsOf(calls, 'set_property_values')).toEqual([]);
    expect(screen.getByTestId('prop-unsaved-note')).toBeInTheDocument();
  });

  it('offers no Reveal while the text is no secret id', async () => {
    const { user } = renderPane();
    await openProperties(user);
    const input = await screen.findByTestId('prop-input-controller_login');
    await user.clear(input);
    await user.type(input, 'not-an-id');
    expect(screen.queryByTestId('prop-secret-reveal-controller_login')).toBeNull();
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { focusedTree, renderApp } from '../../test/app';
import { makeNode, sessionOn } from '../../test/fixtures';
import { availableActions, PALETTE_ACTIONS, SCREEN_TITLES, type PaletteAction } from './commands';

const ids = (actions: readonly PaletteAction[]) => actions.map((a) => a.id);

/** The keys at the top level of the object literal that starts at `text[open]` ('{'). */
function topLevelKeys(text: string, open: number): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (depth === 1 && expectKey) keys.push(text.slice(i + 1, end));
      expectKey = false;
      i = end;
    } else if ('{(['.includes(c)) {
      depth += 1;
      expectKey = depth === 1;
    } else if ('})]'.includes(c)) {
      depth -= 1;
      if (depth === 0) return keys;
    } else if (c === ',' && depth === 1) expectKey = true;
    else if (/[A-Za-z_$]/.test(c) && depth === 1 && expectKey) {
      const name = /^[A-Za-z_$][\w$]*/.exec(text.slice(i))![0];
      keys.push(name);
      expectKey = false;
      i += name.length - 1;
    } else if (!/\s/.test(c)) expectKey = false;
  }
  return keys;
}

/** The actions the app's parts offer to the palette: every `useActionRequests(target, { … })` in the source. */
const sources = import.meta.glob<string>(['../../**/*.{ts,tsx}', '!../../**/*.test.{ts,tsx}', '!../../bindings.ts'], { query: '?raw', import: 'default', eager: true });
function offeredActions(): Set<string> {
  const offered = new Set<string>();
  for (const text of Object.values(sources)) {
    for (const call of text.matchAll(/useActionRequests\('([a-z-]+)',\s*\{/g)) {
      for (const key of topLevelKeys(text, call.index + call[0].length - 1)) offered.add(`${call[1]}:${key}`);
    }
  }
  return offered;
}

describe('the palette’s commands', () => {
  it('have one id each and say what they do', () => {
    expect(new Set(ids(PALETTE_ACTIONS)).size).toBe(PALETTE_ACTIONS.length);
    for (const action of PALETTE_ACTIONS) {
      expect(action.title, action.id).not.toBe('');
      expect(action.description, action.id).not.toBe('');
    }
  });

  it('go to every screen', () => {
    for (const view of Object.keys(SCREEN_TITLES)) expect(ids(PALETTE_ACTIONS), view).toContain(`go-${view}`);
  });

  it('hold the main action of each screen and of the toolbar', () => {
    expect(ids(PALETTE_ACTIONS)).toEqual(
      expect.arrayContaining([
        'registry-new-root',
        'registry-new-child',
        'registry-rename',
        'registry-move',
        'registry-bulk-edit',
        'registry-delete',
        'registry-history',
        'views-save',
        'views-save-as',
        'views-export',
        'views-builder',
        'views-bulk-all',
        'views-delete',
        'dashboards-new',
        'dashboards-edit',
        'dashboards-add-widget',
        'dashboards-save',
        'dashboards-import-readings',
        'workflows-new',
        'workflows-tab-runs',
        'workflows-tab-approvals',
        'workflows-publish',
        'workflows-test-run',
        'data-packs',
        'data-import',
        'data-runs',
        'data-offline',
        'types-new',
        'properties-new-definition',
        'properties-new-group',
        'tags-new-group',
        'tags-new-tag',
        'vault-new-secret',
        'people-add',
        'toolbar-switch-person',
        'toolbar-vault-lock',
        'theme-auto',
        'theme-light',
        'theme-dark',
      ]),
    );
  });

  it('each ask for an action some part of its screen carries out', () => {
    const offered = offeredActions();
    const asked = PALETTE_ACTIONS.flatMap((a) => (a.effect.kind === 'request' ? [`${a.effect.target}:${a.effect.action}`] : []));
    expect(asked.length).toBeGreaterThan(40);
    expect(asked.filter((a) => !offered.has(a)), 'a command no screen answers does nothing').toEqual([]);
  });

  it('list what acts on a screen only while it is shown, and the Vault and People only to those who use them', () => {
    const everyone = { mayUseVault: false, mayManagePeople: false };
    const onRegistry = ids(availableActions({ view: 'registry', ...everyone }));
    expect(onRegistry).toContain('registry-rename');
    expect(onRegistry).toContain('dashboards-new');
    expect(onRegistry).not.toContain('dashboards-edit');
    expect(onRegistry).not.toContain('go-vault');
    expect(onRegistry).not.toContain('people-add');
    const onDashboards = ids(availableActions({ view: 'dashboards', mayUseVault: true, mayManagePeople: true }));
    expect(onDashboards).toContain('dashboards-edit');
    expect(onDashboards).not.toContain('registry-rename');
    expect(onDashboards).toContain('go-vault');
    expect(onDashboards).toContain('people-add');
  });
});

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: false });

async function runCommand(user: ReturnType<typeof renderApp>['user'], text: string, id: string) {
  await user.keyboard('{Control>}k{/Control}');
  const palette = await screen.findByRole('dialog', { name: 'Find an entity, a view or a command' });
  await user.type(within(palette).getByRole('combobox', { name: /Search/ }), text);
  await user.click(await within(palette).findByTestId(`palette-action-${id}`));
  await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Find an entity, a view or a command' })).toBeNull());
}

describe('commands run from the palette', () => {
  it('open another screen’s dialog: "Dashboards: New dashboard" from the registry', async () => {
    const { user } = renderApp({ roots: [site], handlers: { list_dashboards: () => [] } });
    await focusedTree();
    await runCommand(user, 'new dashboard', 'dashboards-new');
    const dialog = await screen.findByRole('dialog', { name: 'New dashboard' });
    expect(within(dialog).getByRole('textbox', { name: 'Name' })).toHaveFocus();
    expect(screen.getByTestId('dashboards-screen')).toBeInTheDocument();
  });

  it('act on the selected entity: "Registry: Rename"', async () => {
    const { user } = renderApp({ roots: [site] });
    await user.click(await screen.findByTestId('tree-row-site'));
    await runCommand(user, 'rename', 'registry-rename');
    expect(await screen.findByTestId('rename-input')).toHaveValue('Site');
  });

  it('say why when nothing is selected', async () => {
    const { user } = renderApp({ roots: [site] });
    await focusedTree();
    await runCommand(user, 'rename', 'registry-rename');
    expect(await screen.findByText('Select an entity in the tree first.')).toBeInTheDocument();
    expect(screen.queryByTestId('rename-input')).toBeNull();
  });

  it('switch the theme', async () => {
    const { user } = renderApp({ roots: [site] });
    await focusedTree();
    await runCommand(user, 'theme dark', 'theme-dark');
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'dark');
    expect(screen.getByRole('button', { name: 'Theme: Dark' })).toBeInTheDocument();
  });

  it('offer the screens a person may use only', async () => {
    const { user } = renderApp({ roots: [site], session: sessionOn('site', ['read']) });
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Find an entity, a view or a command' });
    await user.type(within(palette).getByRole('combobox', { name: /Search/ }), 'go to');
    await within(palette).findByTestId('palette-action-go-trash');
    expect(within(palette).queryByTestId('palette-action-go-people')).toBeNull();
    expect(within(palette).queryByTestId('palette-action-go-vault')).toBeNull();
  });
});

// The window as assistive technology meets it: landmarks, a name for every
// control (icon-only buttons included), dialogs that say what they are and
// take the focus in and back, and the theme choice.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { focusedTree, renderApp } from '../test/app';
import { makeNode } from '../test/fixtures';
import { COLOR_SCHEME_KEY } from './theme';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const room = makeNode({ id: 'room', parentId: 'site', name: 'Boiler Room', pathLabel: 'site.boiler_room', typeName: 'Room' });
const backend = { roots: [site], children: { site: [room] } };

/** Controls with no accessible name: what a screen reader would announce as "button" and nothing more. */
function unnamedControls(): string[] {
  const roles = ['button', 'textbox', 'combobox', 'checkbox', 'switch', 'radio', 'tab', 'menuitem', 'link', 'slider', 'spinbutton'] as const;
  return roles.flatMap((role) => screen.queryAllByRole(role, { name: '' }).map((element) => `${role}: ${element.outerHTML.slice(0, 160)}`));
}

describe('landmarks and names', () => {
  it('names the banner, the screens’ navigation, the main area and the registry’s two panes', async () => {
    renderApp(backend);
    await screen.findByRole('tree', { name: 'Entity registry' });
    expect(screen.getByRole('banner')).toHaveTextContent('Eco Studio');
    expect(screen.getAllByRole('main')).toHaveLength(1);
    const nav = screen.getByRole('navigation', { name: 'Screens' });
    expect(within(nav).getByRole('radio', { name: 'Registry' })).toBeChecked();
    expect(screen.getByRole('region', { name: 'Registry' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Registry tree' })).toContainElement(screen.getByRole('tree'));
    expect(screen.getByRole('region', { name: 'Entity details' })).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Alerts, notifications and account' })).toBeInTheDocument();
  });

  it('names the icon-only buttons', async () => {
    renderApp(backend);
    await screen.findByRole('tree');
    expect(screen.getByRole('button', { name: 'Find an entity' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'New top-level entity' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Theme: System/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Lock the vault' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Notifications' })).toBeInTheDocument();
  });

  it.each(['Registry', 'Views', 'Dashboards', 'Workflows', 'Data', 'Vault', 'Trash', 'Types', 'Properties', 'Tags', 'People'])(
    'leaves no control without a name on %s',
    async (name) => {
      const { user } = renderApp({
        ...backend,
        handlers: {
          list_views: () => [],
          list_dashboards: () => [],
          list_trash: () => [],
          pack_list: () => [],
          import_runs: () => [],
          import_presets: () => [],
          list_property_definitions: () => [],
          list_property_groups: () => [],
          list_tag_groups: () => [],
          list_tags: () => [],
          list_people: () => [],
          list_secrets: () => [],
          list_workflows: () => [],
        },
      });
      await screen.findByRole('tree');
      await user.click(within(screen.getByRole('navigation', { name: 'Screens' })).getByRole('radio', { name }));
      const region = await screen.findByRole('region', { name });
      await waitFor(() => expect(region.textContent).not.toBe(''));
      expect(unnamedControls()).toEqual([]);
    },
  );
});

describe('dialogs', () => {
  it('the palette is a named dialog that takes the focus, and gives it back to the tree', async () => {
    const { user } = renderApp(backend);
    const tree = await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    const dialog = await screen.findByRole('dialog', { name: 'Find an entity, a view or a command' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(within(dialog).getByRole('combobox', { name: 'Search entities, saved views and commands' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(tree).toHaveFocus());
  });

  it('a dialog opened by a button is labelled by its title, and Escape gives the focus back to the button', async () => {
    const { user } = renderApp({ ...backend, handlers: { list_entity_types: () => [] } });
    await screen.findByRole('tree');
    const button = screen.getByRole('button', { name: 'New top-level entity' });
    await user.click(button);
    const dialog = await screen.findByRole('dialog', { name: 'New top-level entity' });
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(button).toHaveFocus());
  });
});

describe('the theme', () => {
  it('follows the system by default, and the header switches it to dark and back, keeping the choice', async () => {
    const { user } = renderApp(backend);
    await screen.findByRole('tree');
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'light');
    await user.click(screen.getByRole('button', { name: 'Theme: System (light)' }));
    const choice = await screen.findByRole('radiogroup', { name: 'Theme' });
    expect(within(choice).getByRole('radio', { name: 'System' })).toBeChecked();
    await user.click(within(choice).getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'dark');
    expect(window.localStorage.getItem(COLOR_SCHEME_KEY)).toBe('dark');
    expect(screen.getByRole('button', { name: 'Theme: Dark' })).toBeInTheDocument();
    await user.click(within(choice).getByRole('radio', { name: 'System' }));
    expect(window.localStorage.getItem(COLOR_SCHEME_KEY)).toBe('auto');
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'light');
  });

  it('starts with the kept choice', async () => {
    window.localStorage.setItem(COLOR_SCHEME_KEY, 'dark');
    renderApp(backend);
    await screen.findByRole('tree');
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'dark');
    expect(screen.getByRole('button', { name: 'Theme: Dark' })).toBeInTheDocument();
  });
});

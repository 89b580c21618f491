// Helpers for tests that render the whole app on a fake backend.
import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../app/App';
import { installBackend, renderWithProviders, type FakeBackend } from './fixtures';

export function renderApp(backend: FakeBackend) {
  const calls = installBackend(backend);
  const user = userEvent.setup();
  const rendered = renderWithProviders(<App />);
  return { calls, user, ...rendered };
}

/** The tree, focused (so keys go to it). */
export async function focusedTree(): Promise<HTMLElement> {
  const tree = await screen.findByRole('tree');
  act(() => tree.focus());
  return tree;
}

export function rowNames(): (string | null)[] {
  return screen.queryAllByRole('treeitem').map((row) => row.getAttribute('data-node-name'));
}

export function selectedNames(): (string | null)[] {
  return screen
    .queryAllByRole('treeitem')
    .filter((row) => row.getAttribute('aria-selected') === 'true')
    .map((row) => row.getAttribute('data-node-name'));
}

/** The id of the focused row (the keyboard cursor, shown in the detail pane). */
export function focusedId(): string | null {
  return document.querySelector('[role="treeitem"][data-focused="true"]')?.getAttribute('data-node-id') ?? null;
}

/** Let pending promises, effects and animation frames run. */
export async function settle(ms = 20) {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });
}

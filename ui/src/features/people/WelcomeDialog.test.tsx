import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/app';
import { callsOf, makeNode } from '../../test/fixtures';

const northwind = makeNode({ id: 'root-nw', name: 'Northwind Energy', pathLabel: 'northwind_energy' });

/** The app on its first run (until the choice is recorded). */
function firstRun(needed = true) {
  let welcome = needed;
  return renderApp({
    roots: [northwind],
    handlers: {
      welcome_needed: () => welcome,
      finish_welcome: () => {
        welcome = false;
        return null;
      },
      list_profiles: () => [],
    },
  });
}

describe('the first-run choice', () => {
  it("stays on this computer's database", async () => {
    const { calls, user } = firstRun();
    expect(await screen.findByTestId('welcome-dialog')).toHaveTextContent("This computer's database");
    await user.click(screen.getByTestId('welcome-local'));
    await waitFor(() => expect(screen.queryByTestId('welcome-dialog')).toBeNull());
    expect(callsOf(calls, 'finish_welcome')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await screen.findByTestId('tree-row-northwind_energy')).toBeInTheDocument();
  });

  it('opens the sign-in dialog on a new server profile', async () => {
    const { calls, user } = firstRun();
    await user.click(await screen.findByTestId('welcome-server'));
    expect(await screen.findByTestId('profile-name')).toBeInTheDocument();
    expect(screen.queryByTestId('welcome-dialog')).toBeNull();
    expect(callsOf(calls, 'finish_welcome')).toHaveLength(1);
    // Cancelling the profile leaves the sign-in dialog; closing that ends it.
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByTestId('sign-in-place')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it("counts Escape as this computer's database", async () => {
    const { calls, user } = firstRun();
    await screen.findByTestId('welcome-dialog');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('welcome-dialog')).toBeNull());
    expect(callsOf(calls, 'finish_welcome')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('is not shown once the choice was made', async () => {
    const { calls } = firstRun(false);
    expect(await screen.findByTestId('tree-row-northwind_energy')).toBeInTheDocument();
    await waitFor(() => expect(callsOf(calls, 'welcome_needed')).toHaveLength(1));
    expect(screen.queryByTestId('welcome-dialog')).toBeNull();
  });
});

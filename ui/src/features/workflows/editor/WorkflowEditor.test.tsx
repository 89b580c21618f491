import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { AppError } from '../../../bindings';
import { CommandError } from '../../../ipc/errors';
import { renderWithProviders } from '../../../test/fixtures';
import type { TestRun, WfValidationError, WorkflowDetail, WorkflowDocument } from '../types';
import type { EditorApi } from './editorApi';
import { fakeApi, makeDetail, sampleDocument, T0, T1, version } from './testFixtures';
import { WorkflowEditor } from './WorkflowEditor';

// Rendering Mantine and React Flow in jsdom is slow when the whole suite runs.
const SLOW = { timeout: 20_000 };

function show(detail: WorkflowDetail = makeDetail(), over: Partial<EditorApi> = {}, onReload?: () => void) {
  const api = fakeApi(over);
  const user = userEvent.setup();
  const rendered = renderWithProviders(<WorkflowEditor detail={detail} api={api} onReload={onReload} />);
  return { api, user, ...rendered };
}

/** The document of the last save. */
function savedDraft(api: ReturnType<typeof fakeApi>): WorkflowDocument {
  const input = api.save.mock.lastCall?.[0];
  if (!input) throw new Error('nothing was saved');
  return input.draft;
}

/** Steps are clicked with fireEvent: user-event's mousedown has no `view`, which React Flow's drag handler needs. */
async function selectStep(id: string) {
  fireEvent.click(await screen.findByTestId(`wf-node-${id}`));
}

const publishButton = () => screen.getByTestId('wf-publish');

describe('workflow editor', SLOW, () => {
  it('adding steps from the palette joins them after the selected step', async () => {
    const { api, user } = show();
    await selectStep('hook');
    await user.click(screen.getByTestId('wf-palette-condition'));
    expect(await screen.findByTestId('wf-node-condition_1')).toBeInTheDocument();
    // The new step is selected: the next one follows its first free outcome, then its second.
    await user.click(screen.getByTestId('wf-palette-notify'));
    await user.click(screen.getByTestId('wf-palette-condition'));
    await selectStep('condition_1');
    await user.click(screen.getByTestId('wf-palette-delay'));
    await user.click(screen.getByTestId('wf-save'));
    await waitFor(() => expect(api.save).toHaveBeenCalledTimes(1));
    const draft = savedDraft(api);
    expect(draft.nodes.map((n) => [n.id, n.position])).toEqual([
      ['tag', { x: 0, y: 0 }],
      ['ask', { x: 0, y: 120 }],
      ['hook', { x: 0, y: 240 }],
      ['condition_1', { x: 0, y: 360 }],
      ['notify_1', { x: 0, y: 480 }],
      ['condition_2', { x: 0, y: 600 }],
      ['delay_1', { x: 0, y: 720 }],
    ]);
    expect(draft.edges.slice(2)).toEqual([
      { from: 'hook', to: 'condition_1', outcome: null },
      { from: 'condition_1', to: 'notify_1', outcome: 'true' },
      { from: 'notify_1', to: 'condition_2', outcome: null },
      { from: 'condition_1', to: 'delay_1', outcome: 'false' },
    ]);
    expect(draft.nodes[6]).toMatchObject({ type: 'delay', config: { seconds: 60 }, name: null, retry: null, timeoutMs: null });
  });

  it('with nothing selected a new step is added on its own', async () => {
    const { api, user } = show();
    await user.click(screen.getByTestId('wf-palette-loop'));
    await user.click(screen.getByTestId('wf-save'));
    await waitFor(() => expect(api.save).toHaveBeenCalled());
    expect(savedDraft(api).edges).toEqual(sampleDocument().edges);
    expect(savedDraft(api).nodes.at(-1)).toMatchObject({ id: 'loop_1', config: { maxIterations: 10 } });
  });

  it('checks the draft a moment after each edit and marks the steps with problems', async () => {
    const problems: WfValidationError[] = [
      { field: 'nodes[2].config.url', rule: 'required', message: 'url is required' },
      { field: 'trigger.events', rule: 'required', message: 'choose at least one entity event' },
    ];
    const { api, user } = show(makeDetail(), { check: vi.fn(async () => problems) });
    const hook = await screen.findByTestId('wf-node-hook');
    await waitFor(() => expect(hook).toHaveAttribute('data-problems', 'true'));
    expect(api.check).toHaveBeenCalledWith(sampleDocument());
    expect(screen.getByTestId('wf-node-tag')).not.toHaveAttribute('data-problems');
    expect(screen.getByTestId('wf-node-hook-problems')).toHaveAttribute('aria-label', 'url is required');

    const list = screen.getByTestId('wf-problems');
    expect(within(list).getByTestId('wf-problem-0')).toHaveTextContent('Step hook');
    expect(within(list).getByTestId('wf-problem-0')).toHaveTextContent('url is required');
    expect(within(list).getByTestId('wf-problem-1')).toHaveTextContent('Trigger');
    expect(screen.getByTestId('wf-trigger')).toHaveTextContent('choose at least one entity event');

    // A problem opens its step, with the message under the field.
    await user.click(within(list).getByTestId('wf-problem-0'));
    expect(await screen.findByTestId('wf-node-inspector')).toBeInTheDocument();
    expect(screen.getByTestId('wf-config-url')).toHaveAccessibleDescription(/url is required/);

    // An edit is checked again after the pause.
    const calls = api.check.mock.calls.length;
    fireEvent.change(screen.getByTestId('wf-config-url'), { target: { value: 'https://example.com/x' } });
    expect(api.check).toHaveBeenCalledTimes(calls);
    await waitFor(() => expect(api.check).toHaveBeenCalledTimes(calls + 1));
    expect(api.check.mock.lastCall?.[0].nodes[2]).toMatchObject({ config: { url: 'https://example.com/x' } });
  });

  it('publishing waits for a clean check and saved changes', async () => {
    let problems: WfValidationError[] = [{ field: 'nodes[0].config.tag', rule: 'required', message: 'tag is required' }];
    const { api, user } = show(makeDetail(), { check: vi.fn(async () => problems) });
    await waitFor(() => expect(screen.getByTestId('wf-publish-hint')).toHaveTextContent('Fix 1 problem first.'));
    expect(publishButton()).toBeDisabled();

    problems = [];
    await selectStep('tag');
    fireEvent.change(await screen.findByTestId('wf-config-tag'), { target: { value: 'review_me' } });
    expect(screen.getByTestId('wf-save-state')).toHaveTextContent('Unsaved changes');
    expect(screen.getByTestId('wf-publish-hint')).toHaveTextContent('Save your changes first');
    expect(publishButton()).toBeDisabled();

    await user.click(screen.getByTestId('wf-save'));
    await waitFor(() => expect(screen.getByTestId('wf-save-state')).toHaveTextContent('Saved'));
    await waitFor(() => expect(publishButton()).toBeEnabled());
    expect(screen.getByTestId('wf-publish-hint')).toHaveTextContent('Publishes the saved draft as version 1.');

    await user.click(publishButton());
    // The version of the record the save returned.
    await waitFor(() => expect(api.publish).toHaveBeenCalledWith({ id: 'wf-1', expectedUpdatedAt: T1 }));
    await waitFor(() => expect(screen.getByTestId('wf-publish-hint')).toHaveTextContent('Version 1 is published'));
    expect(publishButton()).toBeDisabled();
  });

  it('saves the name, description and document against the version it read; Ctrl+S too', async () => {
    const { api, user } = show();
    expect(screen.getByTestId('wf-save')).toBeDisabled();
    fireEvent.change(screen.getByTestId('wf-name'), { target: { value: 'Review updates now' } });
    fireEvent.change(screen.getByTestId('wf-description'), { target: { value: 'Asks before calling out' } });
    await user.click(screen.getByTestId('wf-save'));
    await waitFor(() => expect(api.save).toHaveBeenCalledTimes(1));
    expect(api.save).toHaveBeenCalledWith({ id: 'wf-1', expectedUpdatedAt: T0, name: 'Review updates now', description: 'Asks before calling out', draft: sampleDocument() });
    await waitFor(() => expect(screen.getByTestId('wf-save-state')).toHaveTextContent('Saved'));

    await selectStep('tag');
    fireEvent.change(await screen.findByTestId('wf-config-tag'), { target: { value: 'checked' } });
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    await waitFor(() => expect(api.save).toHaveBeenCalledTimes(2));
    expect(api.save.mock.lastCall?.[0]).toMatchObject({ expectedUpdatedAt: T1 });
    expect(savedDraft(api).nodes[0]).toMatchObject({ id: 'tag', config: { tag: 'checked' } });
  });

  it('a save refused as a conflict says someone else saved and offers to reload', async () => {
    const conflict: AppError = { type: 'Conflict', data: { message: 'changed', current: { kind: 'missing' } } };
    const onReload = vi.fn();
    const { api, user } = show(makeDetail(), { save: vi.fn(async () => Promise.reject(new CommandError(conflict))) }, onReload);
    fireEvent.change(screen.getByTestId('wf-name'), { target: { value: 'Mine' } });
    await user.click(screen.getByTestId('wf-save'));
    expect(await screen.findByTestId('conflict-notice')).toBeInTheDocument();
    expect(screen.getByTestId('wf-conflict-hint')).toHaveTextContent('Someone else saved this workflow');
    expect(api.save).toHaveBeenCalledTimes(1);
    await user.click(screen.getByTestId('conflict-reload'));
    expect(onReload).toHaveBeenCalled();
    expect(screen.getByTestId('wf-name')).toHaveValue('Review updates');
    expect(screen.queryByTestId('conflict-notice')).not.toBeInTheDocument();
  });

  it('takes a newer workflow when there is nothing unsaved, and warns when there is', async () => {
    const api = fakeApi();
    let setDetail: (detail: WorkflowDetail) => void = () => {};
    function Host() {
      const [detail, set] = useState(makeDetail());
      setDetail = set;
      return <WorkflowEditor detail={detail} api={api} />;
    }
    renderWithProviders(<Host />);
    act(() => setDetail(makeDetail({ summary: { name: 'Renamed elsewhere', updatedAt: T1 } })));
    await waitFor(() => expect(screen.getByTestId('wf-name')).toHaveValue('Renamed elsewhere'));

    fireEvent.change(screen.getByTestId('wf-name'), { target: { value: 'Mine' } });
    act(() => setDetail(makeDetail({ summary: { name: 'Again elsewhere', updatedAt: '2026-12-01T11:00:00.000000Z' } })));
    expect(await screen.findByTestId('wf-changed-elsewhere')).toBeInTheDocument();
    expect(screen.getByTestId('wf-name')).toHaveValue('Mine');
    fireEvent.click(screen.getByTestId('wf-reload'));
    expect(screen.getByTestId('wf-name')).toHaveValue('Again elsewhere');
    expect(screen.queryByTestId('wf-changed-elsewhere')).not.toBeInTheDocument();
  });

  it('the enabled switch needs a published version and sends the expected version', async () => {
    const { api, user } = show(makeDetail({ versions: [version(1)], summary: { publishedVersion: 1, hasUnpublishedChanges: false } }));
    const toggle = screen.getByTestId('wf-enabled');
    expect(toggle).not.toBeChecked();
    await user.click(toggle);
    await waitFor(() => expect(api.setEnabled).toHaveBeenCalledWith({ id: 'wf-1', expectedUpdatedAt: T0, enabled: true }));
    await waitFor(() => expect(screen.getByTestId('wf-enabled')).toBeChecked());
  });

  it('the enabled switch is off limits before the first publication', () => {
    show();
    expect(screen.getByTestId('wf-enabled')).toBeDisabled();
  });

  it('a test run of the draft shows each step and the request it would send', async () => {
    const run: TestRun = {
      steps: [
        { nodeId: 'tag', nodeType: 'addTag', outcome: 'done', input: { tag: 'review' }, output: { added: true }, error: null },
        { nodeId: 'ask', nodeType: 'approval', outcome: 'approved', input: { title: 'Approve' }, output: null, error: null },
        {
          nodeId: 'hook',
          nodeType: 'httpRequest',
          outcome: 'done',
          input: { url: 'https://example.com/hook' },
          output: { method: 'POST', url: 'https://example.com/hook', headers: { 'Content-Type': 'application/json' }, body: '{"entity":"pump-1"}' },
          error: null,
        },
      ],
      finished: true,
      note: 'Approvals are taken as approved in a test run.',
    };
    const { api, user } = show(makeDetail(), { testRun: vi.fn(async () => run) });
    await user.click(screen.getByTestId('wf-tab-test'));
    await user.type(screen.getByTestId('wf-test-entity'), 'pump-1');
    await user.click(screen.getByTestId('wf-test-run'));
    await waitFor(() => expect(api.testRun).toHaveBeenCalledWith({ document: sampleDocument(), entityId: 'pump-1' }));

    const steps = await screen.findByTestId('wf-test-steps');
    expect(steps).toHaveTextContent('Approvals are taken as approved in a test run.');
    expect(within(steps).getByTestId('wf-test-step-0')).toHaveTextContent('1. tag');
    expect(within(steps).getByTestId('wf-test-step-0')).toHaveTextContent('Add tag');
    expect(within(steps).getByTestId('wf-test-step-0')).toHaveTextContent('"added": true');
    expect(within(steps).getByTestId('wf-test-outcome-1')).toHaveTextContent('approved');
    const request = within(steps).getByTestId('wf-test-http-2');
    expect(request.textContent).toBe('POST https://example.com/hook\nContent-Type: application/json\n\n{"entity":"pump-1"}');
  });

  it('a failed test step shows its error; a refused run shows why', async () => {
    const run: TestRun = { steps: [{ nodeId: 'tag', nodeType: 'addTag', outcome: null, input: {}, output: null, error: 'no entity' }], finished: false, note: null };
    const refusal: AppError = { type: 'Validation', data: { message: 'the document does not parse', field: 'document', rule: 'format' } };
    const testRun = vi.fn<EditorApi['testRun']>().mockResolvedValueOnce(run).mockRejectedValueOnce(new CommandError(refusal));
    const { user } = show(makeDetail(), { testRun });
    await user.click(screen.getByTestId('wf-test-run'));
    expect(await screen.findByTestId('wf-test-error-0')).toHaveTextContent('no entity');
    expect(screen.getByTestId('wf-test-steps')).toHaveTextContent('The run stopped before its end.');
    await user.click(screen.getByTestId('wf-test-start'));
    expect(await screen.findByText('the document does not parse')).toBeInTheDocument();
  });

  it('compares two versions: steps and connections added, removed and changed', async () => {
    const diff = vi.fn<EditorApi['diff']>(async () => ({
      triggerChanged: true,
      addedNodes: ['hook'],
      removedNodes: ['mail'],
      changedNodes: ['ask'],
      addedEdges: [{ from: 'ask', to: 'hook', outcome: 'approved' }],
      removedEdges: [{ from: 'ask', to: 'mail', outcome: null }],
    }));
    const { user } = show(makeDetail({ versions: [version(1), version(2), version(3)], summary: { publishedVersion: 3 } }), { diff });
    await user.click(screen.getByTestId('wf-tab-versions'));
    const versions = screen.getByTestId('wf-versions');
    expect(within(versions).getAllByRole('listitem').map((item) => item.textContent?.slice(0, 9))).toEqual(['Version 3', 'Version 2', 'Version 1']);
    // The two newest by default; pick version 1 as the start.
    await user.click(screen.getByTestId('wf-diff-from'));
    await user.click(await screen.findByRole('option', { name: 'Version 1' }));
    await user.click(screen.getByTestId('wf-diff-run'));
    await waitFor(() => expect(diff).toHaveBeenCalledWith('ver-1', 'ver-3'));

    const shown = await screen.findByTestId('wf-diff');
    expect(shown).toHaveTextContent('Version 1 → version 3');
    expect(within(shown).getByTestId('wf-diff-trigger')).toHaveTextContent('Trigger changed');
    expect(within(shown).getByTestId('wf-diff-added-nodes')).toHaveTextContent('+ hook');
    expect(within(shown).getByTestId('wf-diff-removed-nodes')).toHaveTextContent('− mail');
    expect(within(shown).getByTestId('wf-diff-changed-nodes')).toHaveTextContent('~ ask');
    expect(within(shown).getByTestId('wf-diff-added-edges')).toHaveTextContent('+ ask —approved→ hook');
    expect(within(shown).getByTestId('wf-diff-removed-edges')).toHaveTextContent('− ask —done→ mail');
  });

  it('shows a version read-only on the canvas, then goes back to the draft', async () => {
    const old: WorkflowDocument = { ...sampleDocument(), nodes: [sampleDocument().nodes[0]], edges: [] };
    const versionOf = vi.fn<EditorApi['version']>(async () => ({ info: version(2), document: old }));
    const { user } = show(makeDetail({ versions: [version(1), version(2)], summary: { publishedVersion: 2 } }), { version: versionOf });
    await user.click(screen.getByTestId('wf-tab-versions'));
    await user.click(screen.getByTestId('wf-version-view-ver-2'));
    expect(versionOf).toHaveBeenCalledWith('ver-2');
    expect(await screen.findByTestId('wf-version-banner')).toHaveTextContent('Version 2, published by Ada Lovelace');
    expect(screen.getByTestId('wf-canvas')).toHaveAttribute('data-readonly');
    await waitFor(() => expect(screen.queryByTestId('wf-node-ask')).not.toBeInTheDocument());
    expect(screen.getByTestId('wf-node-tag')).toBeInTheDocument();
    expect(screen.getByTestId('wf-palette-delay')).toBeDisabled();

    await user.click(screen.getByTestId('wf-version-close'));
    expect(await screen.findByTestId('wf-node-ask')).toBeInTheDocument();
    expect(screen.getByTestId('wf-canvas')).not.toHaveAttribute('data-readonly');
  });

  it('editing a step in the side panel, renaming it and removing it', async () => {
    const { api, user } = show();
    await selectStep('ask');
    fireEvent.change(await screen.findByTestId('wf-node-name'), { target: { value: 'Manager says yes' } });
    const id = screen.getByTestId('wf-node-id');
    fireEvent.change(id, { target: { value: 'manager' } });
    fireEvent.blur(id);
    expect(await screen.findByTestId('wf-node-manager')).toHaveTextContent('Manager says yes');
    await user.click(screen.getByTestId('wf-save'));
    await waitFor(() => expect(api.save).toHaveBeenCalledTimes(1));
    expect(savedDraft(api).edges).toEqual([
      { from: 'tag', to: 'manager', outcome: null },
      { from: 'manager', to: 'hook', outcome: 'approved' },
    ]);

    await user.click(screen.getByTestId('wf-node-remove'));
    await waitFor(() => expect(screen.queryByTestId('wf-node-manager')).not.toBeInTheDocument());
    expect(screen.getByTestId('wf-problems')).toBeInTheDocument();
  });

  it('the trigger form edits the trigger of the draft', async () => {
    const { api, user } = show();
    await user.click(screen.getByTestId('wf-trigger-event-created'));
    await user.click(screen.getByTestId('wf-trigger-kind'));
    await user.click(await screen.findByRole('option', { name: 'On a schedule' }));
    fireEvent.change(screen.getByTestId('wf-trigger-cron'), { target: { value: '*/15 * * * *' } });
    await user.click(screen.getByTestId('wf-save'));
    await waitFor(() => expect(api.save).toHaveBeenCalled());
    expect(savedDraft(api).trigger).toEqual({ kind: 'schedule', cron: '*/15 * * * *', timeZone: expect.any(String) });
  });
});

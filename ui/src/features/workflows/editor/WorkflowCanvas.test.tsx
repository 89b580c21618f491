import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../test/fixtures';
import type { WorkflowDocument } from '../types';
import { sampleDocument } from './testFixtures';
import { edgeOfConnection, movedPositions, WorkflowCanvas, type CanvasSelection } from './WorkflowCanvas';

// Rendering Mantine and React Flow in jsdom is slow when the whole suite runs.
const SLOW = { timeout: 20_000 };

function Harness({ initial, onDocument, nodeProblems }: { initial: WorkflowDocument; onDocument: (doc: WorkflowDocument) => void; nodeProblems?: Map<string, string[]> }) {
  const [document, setDocument] = useState(initial);
  const [selection, setSelection] = useState<CanvasSelection>(null);
  return (
    <>
      <output data-testid="selection">{JSON.stringify(selection)}</output>
      <WorkflowCanvas
        document={document}
        nodeProblems={nodeProblems}
        selection={selection}
        onSelect={setSelection}
        onChange={(edit) =>
          setDocument((doc) => {
            const next = edit(doc);
            onDocument(next);
            return next;
          })
        }
      />
    </>
  );
}

function show(nodeProblems?: Map<string, string[]>) {
  const onDocument = vi.fn<(doc: WorkflowDocument) => void>();
  renderWithProviders(<Harness initial={sampleDocument()} onDocument={onDocument} nodeProblems={nodeProblems} />);
  return { onDocument, user: userEvent.setup() };
}

// Clicks on steps go through fireEvent: user-event's mousedown has no `view`,
// which React Flow's drag handler needs.
const canvas = () => screen.getByTestId('wf-canvas');

describe('workflow canvas', SLOW, () => {
  it('draws each step with its name, type and outcome handles, and each edge with its outcome', async () => {
    show();
    const ask = await screen.findByTestId('wf-node-ask');
    expect(ask).toHaveTextContent('Ask the manager');
    expect(ask).toHaveTextContent('Approval · ask');
    expect(screen.getByTestId('wf-node-tag')).toHaveTextContent('tag');
    expect(screen.getByTestId('wf-handle-ask-approved')).toHaveAttribute('data-handleid', 'approved');
    expect(screen.getByTestId('wf-handle-ask-rejected')).toBeInTheDocument();
    expect(screen.getByTestId('wf-handle-tag-done')).toBeInTheDocument();
    await waitFor(() => expect(canvas().querySelectorAll('.react-flow__edge')).toHaveLength(2));
    expect(screen.getByTestId('wf-edge-label-1')).toHaveTextContent('approved');
    // A "done" edge carries no label.
    expect(screen.queryByTestId('wf-edge-label-0')).not.toBeInTheDocument();
  });

  it('marks steps with problems and lists their messages', async () => {
    show(new Map([['hook', ['url is required', 'the URL starts with http:// or https://']]]));
    const hook = await screen.findByTestId('wf-node-hook');
    expect(hook).toHaveAttribute('data-problems', 'true');
    expect(screen.getByTestId('wf-node-tag')).not.toHaveAttribute('data-problems');
    expect(within(hook).getByTestId('wf-node-hook-problems')).toHaveAttribute('aria-label', 'url is required; the URL starts with http:// or https://');
  });

  it('Delete removes the selected step and its edges', async () => {
    const { onDocument } = show();
    fireEvent.click(await screen.findByTestId('wf-node-ask'));
    expect(screen.getByTestId('selection')).toHaveTextContent('{"kind":"node","id":"ask"}');
    fireEvent.keyDown(screen.getByTestId('wf-node-ask'), { key: 'Delete' });
    expect(onDocument).toHaveBeenLastCalledWith(expect.objectContaining({ edges: [] }));
    expect(onDocument.mock.lastCall?.[0].nodes.map((n) => n.id)).toEqual(['tag', 'hook']);
    await waitFor(() => expect(screen.queryByTestId('wf-node-ask')).not.toBeInTheDocument());
    expect(screen.getByTestId('selection')).toHaveTextContent('null');
  });

  it('a selected edge is removed with the delete button', async () => {
    const { onDocument, user } = show();
    await waitFor(() => expect(canvas().querySelectorAll('.react-flow__edge')).toHaveLength(2));
    await user.click(screen.getByTestId('rf__edge-e1'));
    expect(screen.getByTestId('selection')).toHaveTextContent('{"kind":"edge","index":1}');
    await user.click(screen.getByTestId('wf-delete-selected'));
    expect(onDocument).toHaveBeenLastCalledWith(expect.objectContaining({ edges: [{ from: 'tag', to: 'ask', outcome: null }] }));
  });

  it('keys typed in a text field are not deletions', async () => {
    const { onDocument } = show();
    fireEvent.click(await screen.findByTestId('wf-node-ask'));
    const input = document.createElement('input');
    canvas().appendChild(input);
    fireEvent.keyDown(input, { key: 'Backspace' });
    expect(onDocument).not.toHaveBeenCalled();
  });

  it('read only: no deleting, no connecting', async () => {
    renderWithProviders(<WorkflowCanvas document={sampleDocument()} />);
    expect(await screen.findByTestId('wf-node-ask')).toBeInTheDocument();
    expect(canvas()).toHaveAttribute('data-readonly');
    expect(screen.getByTestId('wf-handle-ask-approved')).not.toHaveClass('connectable');
    expect(screen.queryByTestId('wf-delete-selected')).not.toBeInTheDocument();
  });

  it('a connection from an outcome handle makes an edge with that outcome ("done" as null)', () => {
    expect(edgeOfConnection({ source: 'ask', sourceHandle: 'rejected', target: 'tag', targetHandle: null })).toEqual({ from: 'ask', to: 'tag', outcome: 'rejected' });
    expect(edgeOfConnection({ source: 'tag', sourceHandle: 'done', target: 'hook', targetHandle: null })).toEqual({ from: 'tag', to: 'hook', outcome: null });
  });

  it('dragging moves steps; measuring and selecting do not change the document', () => {
    const moved = movedPositions([
      { type: 'position', id: 'ask', position: { x: 40, y: 130 }, dragging: true },
      { type: 'position', id: 'tag', dragging: false },
      { type: 'select', id: 'hook', selected: true },
      { type: 'dimensions', id: 'hook', dimensions: { width: 220, height: 64 } },
    ]);
    expect(moved).toEqual(new Map([['ask', { x: 40, y: 130 }]]));
  });
});

import { describe, expect, it } from 'vitest';
import { addNode, connect, createNode, freeOutcome, moveNodes, nextNodeId, nodeIdProblem, positionForNewNode, removeEdge, removeNode, replaceNode } from './documentModel';
import { withNewStep } from './NodePalette';
import { messagesByNode, splitNodeProblems, toProblems, triggerFieldProblems } from './problems';
import { sameJson } from './sameJson';
import { sampleDocument, step } from './testFixtures';

describe('document edits', () => {
  it('gives a new node the first free id of its type', () => {
    const doc = sampleDocument();
    expect(nextNodeId(doc, 'delay')).toBe('delay_1');
    const withOne = addNode(doc, createNode('delay', 'delay_1', { x: 0, y: 0 }, { seconds: 1 }), null);
    expect(nextNodeId(withOne, 'delay')).toBe('delay_2');
  });

  it('finds the free outcomes of a node, in order', () => {
    const doc = sampleDocument();
    expect(freeOutcome(doc, 'tag')).toBeNull();
    expect(freeOutcome(doc, 'ask')).toBe('rejected');
    expect(freeOutcome(doc, 'hook')).toBe('done');
    expect(freeOutcome(doc, 'missing')).toBeNull();
  });

  it('places a new node below the lowest, in line with the one it follows', () => {
    const doc = moveNodes(sampleDocument(), new Map([['tag', { x: 300, y: 0 }]]));
    expect(positionForNewNode(doc, null)).toEqual({ x: 0, y: 360 });
    expect(positionForNewNode(doc, 'tag')).toEqual({ x: 300, y: 360 });
    expect(positionForNewNode({ ...doc, nodes: [] }, null)).toEqual({ x: 0, y: 0 });
  });

  it('adds a step from the palette joined to the selected node’s free outcome', () => {
    const added = withNewStep(sampleDocument(), 'notify', 'ask');
    expect(added.id).toBe('notify_1');
    expect(added.document.nodes.at(-1)).toMatchObject({ id: 'notify_1', type: 'notify', position: { x: 0, y: 360 }, config: { to: [], message: expect.any(String) } });
    expect(added.document.edges.at(-1)).toEqual({ from: 'ask', to: 'notify_1', outcome: 'rejected' });
    // "done" is stored as null.
    const next = withNewStep(added.document, 'delay', 'notify_1');
    expect(next.document.edges.at(-1)).toEqual({ from: 'notify_1', to: 'delay_1', outcome: null });
    // No free outcome left: added alone.
    const alone = withNewStep(sampleDocument(), 'delay', 'tag');
    expect(alone.document.edges).toEqual(sampleDocument().edges);
  });

  it('connects one node per outcome, never a node to itself', () => {
    const doc = sampleDocument();
    const rewired = connect(doc, { from: 'tag', to: 'hook', outcome: null });
    expect(rewired.edges).toEqual([
      { from: 'ask', to: 'hook', outcome: 'approved' },
      { from: 'tag', to: 'hook', outcome: null },
    ]);
    expect(connect(doc, { from: 'hook', to: 'hook', outcome: null })).toBe(doc);
    // An explicit "done" is the same outcome as null.
    expect(connect({ ...doc, edges: [{ from: 'tag', to: 'ask', outcome: 'done' }] }, { from: 'tag', to: 'hook', outcome: null }).edges).toEqual([
      { from: 'tag', to: 'hook', outcome: null },
    ]);
  });

  it('removes a node with its edges, or one edge', () => {
    const doc = sampleDocument();
    const withoutAsk = removeNode(doc, 'ask');
    expect(withoutAsk.nodes.map((n) => n.id)).toEqual(['tag', 'hook']);
    expect(withoutAsk.edges).toEqual([]);
    expect(removeEdge(doc, 0).edges).toEqual([{ from: 'ask', to: 'hook', outcome: 'approved' }]);
    expect(doc.nodes).toHaveLength(3);
  });

  it('renaming a node carries its edges over', () => {
    const doc = sampleDocument();
    const ask = doc.nodes[1];
    const renamed = replaceNode(doc, 'ask', { ...ask, id: 'manager' });
    expect(renamed.nodes[1].id).toBe('manager');
    expect(renamed.edges).toEqual([
      { from: 'tag', to: 'manager', outcome: null },
      { from: 'manager', to: 'hook', outcome: 'approved' },
    ]);
  });

  it('checks a new node id', () => {
    const doc = sampleDocument();
    expect(nodeIdProblem(doc, 'ask', 'ask')).toBeNull();
    expect(nodeIdProblem(doc, 'hook', 'ask')).toMatch(/already/);
    expect(nodeIdProblem(doc, 'a b', 'ask')).toMatch(/letters/);
    expect(nodeIdProblem(doc, 'check-2', 'ask')).toBeNull();
  });
});

describe('problems', () => {
  const doc = sampleDocument();
  const problems = toProblems(
    [
      { field: 'nodes[2].config.url', rule: 'required', message: 'url is required' },
      { field: 'nodes[2].config.headers', rule: 'format', message: '"a b" is not a header name' },
      { field: 'nodes[1].retry.factor', rule: 'range', message: 'the back-off factor is 1 to 10' },
      { field: 'nodes[1]', rule: 'reference', message: 'node "ask" cannot be reached from the start' },
      { field: 'edges[1].outcome', rule: 'choice', message: 'bad outcome' },
      { field: 'trigger.events', rule: 'required', message: 'choose at least one entity event' },
      { field: 'trigger.levels[0]', rule: 'choice', message: 'a level is info, warning or critical' },
      { field: 'edges', rule: 'check', message: 'one start node' },
      { field: null, rule: 'format', message: 'not JSON' },
      { field: 'nodes[9].config.url', rule: 'required', message: 'gone' },
    ],
    doc,
  );

  it('ties each problem to what it blames, nodes by id', () => {
    expect(problems.map((p) => p.target)).toEqual([
      { kind: 'node', nodeId: 'hook' },
      { kind: 'node', nodeId: 'hook' },
      { kind: 'node', nodeId: 'ask' },
      { kind: 'node', nodeId: 'ask' },
      { kind: 'edge', index: 1 },
      { kind: 'trigger' },
      { kind: 'trigger' },
      { kind: 'document' },
      { kind: 'document' },
      { kind: 'document' },
    ]);
    expect(messagesByNode(problems)).toEqual(
      new Map([
        ['hook', ['url is required', '"a b" is not a header name']],
        ['ask', ['the back-off factor is 1 to 10', 'node "ask" cannot be reached from the start']],
      ]),
    );
  });

  it('splits a node’s problems by field for its forms', () => {
    expect(splitNodeProblems(problems.filter((p) => p.target.kind === 'node' && p.target.nodeId === 'hook'))).toEqual({
      config: { url: 'url is required', headers: '"a b" is not a header name' },
      common: {},
      general: [],
    });
    expect(splitNodeProblems(problems.filter((p) => p.target.kind === 'node' && p.target.nodeId === 'ask'))).toEqual({
      config: {},
      common: { retry: 'the back-off factor is 1 to 10' },
      general: ['node "ask" cannot be reached from the start'],
    });
    expect(triggerFieldProblems(problems)).toEqual({ events: 'choose at least one entity event', levels: 'a level is info, warning or critical' });
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined keys', () => {
    expect(sameJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson(step({ id: 'x', type: 'delay', config: { seconds: 1 } }), null)).toBe(false);
  });
});

// Edits of a workflow document, as pure functions: each returns a new
// document and leaves the one it was given untouched.
import type { NodeKind, Position, WorkflowDocument, WorkflowEdge, WorkflowNode } from '../types';

export type NodeType = NodeKind['type'];

export type NodeConfig<T extends NodeType = NodeType> = Extract<NodeKind, { type: T }>['config'];

/** The handle (and outcome name) of the plain "next" edge, stored as a null outcome. */
export const DONE = 'done';

/** The outcomes of each node type, in the order their handles are drawn. */
export const NODE_OUTCOMES: Record<NodeType, readonly string[]> = {
  condition: ['true', 'false'],
  approval: ['approved', 'rejected'],
  loop: ['again', DONE],
  setProperty: [DONE],
  addTag: [DONE],
  removeTag: [DONE],
  createChild: [DONE],
  move: [DONE],
  raiseAlert: [DONE],
  resolveAlert: [DONE],
  httpRequest: [DONE],
  delay: [DONE],
  notify: [DONE],
};

/** Vertical distance between a node and one added below it. */
export const NODE_SPACING_Y = 120;

/** The outcome an edge stores for a handle ("done" is stored as null). */
export function outcomeOfHandle(handle: string | null | undefined): string | null {
  return !handle || handle === DONE ? null : handle;
}

/** The handle an edge leaves from. */
export function handleOfOutcome(outcome: string | null): string {
  return outcome ?? DONE;
}

/** A node with its common fields unset. */
export function createNode<T extends NodeType>(type: T, id: string, position: Position, config: NodeConfig<T>): WorkflowNode {
  // TypeScript does not correlate `type` with `config` through the generic.
  return { id, name: null, position, retry: null, timeoutMs: null, type, config } as WorkflowNode;
}

/** A node with another config (of its own type). */
export function withConfig(node: WorkflowNode, config: NodeConfig): WorkflowNode {
  return { ...node, config } as WorkflowNode;
}

/** The first free id "<type>_<n>". */
export function nextNodeId(document: WorkflowDocument, type: NodeType): string {
  const taken = new Set(document.nodes.map((node) => node.id));
  let n = 1;
  while (taken.has(`${type}_${n}`)) n += 1;
  return `${type}_${n}`;
}

/** The first outcome of a node that no edge leaves from yet, or null. */
export function freeOutcome(document: WorkflowDocument, nodeId: string): string | null {
  const node = document.nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const used = new Set(document.edges.filter((e) => e.from === nodeId).map((e) => handleOfOutcome(e.outcome)));
  return NODE_OUTCOMES[node.type].find((outcome) => !used.has(outcome)) ?? null;
}

/** Where a new node goes: below the lowest node, in line with `alignWith` when given. */
export function positionForNewNode(document: WorkflowDocument, alignWith: string | null): Position {
  if (document.nodes.length === 0) return { x: 0, y: 0 };
  const lowest = document.nodes.reduce((low, node) => (node.position.y > low.position.y ? node : low));
  const anchor = document.nodes.find((node) => node.id === alignWith) ?? lowest;
  return { x: anchor.position.x, y: lowest.position.y + NODE_SPACING_Y };
}

/**
 * Adds `node`; when `connectFrom` names a node with a free outcome, also
 * joins that outcome to the new node.
 */
export function addNode(document: WorkflowDocument, node: WorkflowNode, connectFrom: string | null): WorkflowDocument {
  const added = { ...document, nodes: [...document.nodes, node] };
  if (connectFrom === null) return added;
  const outcome = freeOutcome(document, connectFrom);
  return outcome === null ? added : connect(added, { from: connectFrom, to: node.id, outcome: outcomeOfHandle(outcome) });
}

/**
 * Joins an outcome of a node to another node. An outcome leads to one node,
 * so an edge it had is replaced. A node is never joined to itself.
 */
export function connect(document: WorkflowDocument, edge: WorkflowEdge): WorkflowDocument {
  if (edge.from === edge.to) return document;
  const outcome = handleOfOutcome(edge.outcome);
  const others = document.edges.filter((e) => !(e.from === edge.from && handleOfOutcome(e.outcome) === outcome));
  return { ...document, edges: [...others, edge] };
}

/** Removes a node and every edge to or from it. */
export function removeNode(document: WorkflowDocument, id: string): WorkflowDocument {
  return {
    ...document,
    nodes: document.nodes.filter((node) => node.id !== id),
    edges: document.edges.filter((edge) => edge.from !== id && edge.to !== id),
  };
}

export function removeEdge(document: WorkflowDocument, index: number): WorkflowDocument {
  return { ...document, edges: document.edges.filter((_, i) => i !== index) };
}

/** Moves nodes to new positions (by id). */
export function moveNodes(document: WorkflowDocument, positions: ReadonlyMap<string, Position>): WorkflowDocument {
  if (positions.size === 0) return document;
  return {
    ...document,
    nodes: document.nodes.map((node) => {
      const position = positions.get(node.id);
      return position ? { ...node, position } : node;
    }),
  };
}

/** Replaces the node `id`; a new id is carried over to its edges. */
export function replaceNode(document: WorkflowDocument, id: string, node: WorkflowNode): WorkflowDocument {
  const rename = (ref: string) => (ref === id ? node.id : ref);
  return {
    ...document,
    nodes: document.nodes.map((n) => (n.id === id ? node : n)),
    edges: node.id === id ? document.edges : document.edges.map((e) => ({ ...e, from: rename(e.from), to: rename(e.to) })),
  };
}

/** Why `id` cannot name a node of the document (other than `current`), or null. */
export function nodeIdProblem(document: WorkflowDocument, id: string, current: string): string | null {
  if (id === current) return null;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return 'Use 1 to 64 letters, digits, _ or -.';
  if (document.nodes.some((node) => node.id === id)) return `Another step is already called "${id}".`;
  return null;
}

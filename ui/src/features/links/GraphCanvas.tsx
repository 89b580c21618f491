// The drawing of a neighbourhood with React Flow (loaded on first use: it is
// the largest part of the bundle only this view needs).
import '@xyflow/react/dist/style.css';
import { useComputedColorScheme } from '@mantine/core';
import {
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeHandle,
  type NodeProps,
} from '@xyflow/react';
import { memo, useCallback, useMemo } from 'react';
import type { Neighbourhood, TreeNode } from '../../bindings';
import { NodeIcon } from '../../shared/nodeIcons';
import { useTreeController } from '../tree';
import type { Hops } from './api';
import { edgeGeometry, NODE_HEIGHT, NODE_WIDTH, parallelOffsets, radialLayout, type EdgeGeometry } from './graphLayout';
import classes from './Links.module.css';

type EntityNodeData = { node: TreeNode; isCenter: boolean; ring: number; onOpen: (id: string) => void };
type EntityFlowNode = Node<EntityNodeData, 'entity'>;
type RelationEdgeData = EdgeGeometry & { label: string };
type RelationFlowEdge = Edge<RelationEdgeData, 'relation'>;

/** One entity of the graph: a button that selects it in the tree. */
const EntityNode = memo(function EntityNode({ data }: NodeProps<EntityFlowNode>) {
  const { node, isCenter, ring, onOpen } = data;
  // "nopan": pressing a node is a click, not the start of panning the view.
  const className = ['nopan', classes.node, isCenter ? classes.center : '', ring > 1 ? classes.far : ''].join(' ');
  return (
    <>
      <Handle type="target" position={Position.Top} className={classes.handle} isConnectable={false} />
      <button
        type="button"
        className={className}
        onClick={() => onOpen(node.id)}
        aria-label={isCenter ? `${node.name} (${node.typeName}), this entity` : `Select ${node.name} (${node.typeName}) in the tree`}
        aria-current={isCenter || undefined}
        title={node.pathLabel}
        data-testid={`graph-node-${node.id}`}
      >
        <NodeIcon icon={node.icon} size={18} stroke={1.6} />
        <span className={classes.nodeTexts}>
          <span className={classes.nodeName}>{node.name}</span>
          <span className={classes.nodeType}>{node.typeName}</span>
        </span>
      </button>
      <Handle type="source" position={Position.Top} className={classes.handle} isConnectable={false} />
    </>
  );
});

/** A relationship: a line (bowed when it shares its two ends) from border to border, with its type. */
const RelationEdge = memo(function RelationEdge({ id, data, markerEnd, style }: EdgeProps<RelationFlowEdge>) {
  if (!data) return null;
  return (
    <>
      <BaseEdge id={id} path={data.path} markerEnd={markerEnd} style={style} />
      <EdgeLabelRenderer>
        <div className={classes.edgeLabel} style={{ transform: `translate(-50%, -50%) translate(${data.labelX}px, ${data.labelY}px)` }} data-testid={`graph-edge-label-${id}`}>
          {data.label}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});

// Module scope: a new object on every render would make React Flow remount every node.
const nodeTypes = { entity: EntityNode };
const edgeTypes = { relation: RelationEdge };

/** Both handles sit in the node's middle, so edges can be drawn before the nodes are measured. */
const CENTER_HANDLES: NodeHandle[] = [
  { type: 'source', position: Position.Top, x: NODE_WIDTH / 2, y: NODE_HEIGHT / 2, width: 0, height: 0 },
  { type: 'target', position: Position.Top, x: NODE_WIDTH / 2, y: NODE_HEIGHT / 2, width: 0, height: 0 },
];

const EDGE_COLOR = 'var(--eco-icon-muted)';

/** The flow's nodes and edges for a neighbourhood, laid out radially around its center. */
export function graphElements(hood: Neighbourhood, onOpen: (id: string) => void): { nodes: EntityFlowNode[]; edges: RelationFlowEdge[] } {
  const placed = radialLayout({ center: hood.center, nodes: hood.nodes, edges: hood.edges });
  const byId = new Map(hood.nodes.map((node) => [node.id, node]));
  const nodes: EntityFlowNode[] = placed.map((p) => ({
    id: p.id,
    type: 'entity',
    position: { x: p.x, y: p.y },
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    handles: CENTER_HANDLES,
    draggable: false,
    selectable: false,
    connectable: false,
    data: { node: byId.get(p.id)!, isCenter: p.id === hood.center, ring: p.ring, onOpen },
  }));
  const centers = new Map(placed.map((p) => [p.id, { x: p.x + NODE_WIDTH / 2, y: p.y + NODE_HEIGHT / 2 }]));
  const drawn = hood.edges.filter((edge) => centers.has(edge.sourceId) && centers.has(edge.targetId));
  const offsets = parallelOffsets(drawn);
  const edges: RelationFlowEdge[] = drawn.map((edge) => ({
    id: edge.id,
    source: edge.sourceId,
    target: edge.targetId,
    type: 'relation',
    selectable: false,
    focusable: false,
    markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18, color: EDGE_COLOR },
    style: { stroke: EDGE_COLOR, strokeWidth: 1.5 },
    data: {
      label: edge.relationshipType.replace(/_/g, ' '),
      ...edgeGeometry(centers.get(edge.sourceId)!, centers.get(edge.targetId)!, offsets.get(edge.id) ?? 0, edge.sourceId < edge.targetId),
    },
  }));
  return { nodes, edges };
}

/** The graph itself: pan, zoom buttons, and nodes that select their entity in the tree. */
export default function GraphCanvas({ hood, hops }: { hood: Neighbourhood; hops: Hops }) {
  const colorMode = useComputedColorScheme('light');
  const tree = useTreeController();
  const { reveal } = tree;
  const onOpen = useCallback((id: string) => void reveal(id), [reveal]);
  const { nodes, edges } = useMemo(() => graphElements(hood, onOpen), [hood, onOpen]);
  // A new layout is fitted into view afresh.
  const layoutKey = `${hood.center}:${hops}:${nodes.map((n) => n.id).join(',')}`;
  return (
    <div className={classes.graph} data-testid="neighbourhood-graph">
      <ReactFlow
        colorMode={colorMode}
        key={layoutKey}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        fitView
        fitViewOptions={{ padding: 0.08, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        zoomOnScroll={false}
        zoomOnDoubleClick={false}
        preventScrolling={false}
        ariaLabelConfig={{ 'controls.ariaLabel': 'Graph zoom' }}
      >
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

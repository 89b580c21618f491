// A run's workflow drawn read-only with React Flow (loaded on first use),
// each node coloured by how its latest step went.
import '@xyflow/react/dist/style.css';
import { useComputedColorScheme } from '@mantine/core';
import {
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  getSmoothStepPath,
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
import { memo, useMemo, type CSSProperties } from 'react';
import type { WorkflowDocument, WorkflowNode } from '../types';
import classes from '../Workflows.module.css';
import { NODE_STATE_COLOR, NODE_STATE_LABEL, NODE_TYPE_LABEL, nodeLabel, type NodeRunState } from '../workflowsModel';

const NODE_WIDTH = 190;
const NODE_HEIGHT = 56;

type StepNodeData = { node: WorkflowNode; state: NodeRunState; current: boolean; selected: boolean; onSelect: (id: string) => void };
type StepFlowNode = Node<StepNodeData, 'step'>;

/** One node of the run: a button showing its state that selects it. */
const StepNode = memo(function StepNode({ data }: NodeProps<StepFlowNode>) {
  const { node, state, current, selected, onSelect } = data;
  const color = NODE_STATE_COLOR[state];
  return (
    <>
      <Handle type="target" position={Position.Top} className={classes.handle} isConnectable={false} />
      <button
        type="button"
        className={`nopan ${classes.node}`}
        style={{ '--node-border': `var(--mantine-color-${color}-6)`, '--node-fill': `var(--mantine-color-${color}-light)` } as CSSProperties}
        onClick={() => onSelect(node.id)}
        aria-pressed={selected}
        aria-label={`${nodeLabel(node)}: ${NODE_STATE_LABEL[state]}${current ? ', current' : ''}`}
        title={NODE_STATE_LABEL[state]}
        data-state={state}
        data-current={current ? '' : undefined}
        data-testid={`exec-node-${node.id}`}
      >
        <span className={classes.nodeName}>{nodeLabel(node)}</span>
        <span className={classes.nodeType}>
          {NODE_TYPE_LABEL[node.type]} · {NODE_STATE_LABEL[state]}
        </span>
      </button>
      <Handle type="source" position={Position.Bottom} className={classes.handle} isConnectable={false} />
    </>
  );
});

type OutcomeFlowEdge = Edge<{ outcome: string | null }, 'outcome'>;

/** An edge drawn in steps, labelled with the outcome it follows (none for "done"). */
const OutcomeEdge = memo(function OutcomeEdge({ id, data, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition, markerEnd, style }: EdgeProps<OutcomeFlowEdge>) {
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const outcome = data?.outcome ?? null;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      {outcome !== null && (
        <EdgeLabelRenderer>
          <div className={classes.edgeLabel} style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            {outcome}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

// Module scope: a new object on every render would make React Flow remount every node.
const nodeTypes = { step: StepNode };
const edgeTypes = { outcome: OutcomeEdge };

/** Edges leave a node's bottom middle and enter the next one's top middle, so they draw before nodes are measured. */
const HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Top, x: NODE_WIDTH / 2, y: 0, width: 1, height: 1 },
  { type: 'source', position: Position.Bottom, x: NODE_WIDTH / 2, y: NODE_HEIGHT, width: 1, height: 1 },
];

const EDGE_COLOR = 'var(--eco-icon-muted)';

type Props = {
  document: WorkflowDocument;
  states: ReadonlyMap<string, NodeRunState>;
  currentNode: string | null;
  selectedNode: string | null;
  onSelect: (nodeId: string) => void;
};

export default function ExecutionGraph({ document, states, currentNode, selectedNode, onSelect }: Props) {
  const colorMode = useComputedColorScheme('light');
  const nodes = useMemo<StepFlowNode[]>(
    () =>
      document.nodes.map((node) => ({
        id: node.id,
        type: 'step',
        position: node.position,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        handles: HANDLES,
        draggable: false,
        selectable: false,
        connectable: false,
        data: { node, state: states.get(node.id) ?? 'notRun', current: node.id === currentNode, selected: node.id === selectedNode, onSelect },
      })),
    [document.nodes, states, currentNode, selectedNode, onSelect],
  );
  const edges = useMemo<OutcomeFlowEdge[]>(
    () =>
      document.edges.map((edge, index) => ({
        id: `${index}:${edge.from}-${edge.outcome ?? 'done'}-${edge.to}`,
        source: edge.from,
        target: edge.to,
        type: 'outcome',
        data: { outcome: edge.outcome },
        selectable: false,
        focusable: false,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: EDGE_COLOR },
        style: { stroke: EDGE_COLOR, strokeWidth: 1.5 },
      })),
    [document.edges],
  );

  return (
    <div className={classes.graph} data-testid="execution-graph">
      <ReactFlow
        colorMode={colorMode}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        zoomOnDoubleClick={false}
        ariaLabelConfig={{ 'controls.ariaLabel': 'Graph zoom' }}
      >
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

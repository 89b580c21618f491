// The workflow drawn with React Flow: steps with one handle per outcome,
// edges labelled with their outcome. Every change is made to the document
// (the canvas keeps no copy of its own).
import '@xyflow/react/dist/style.css';
import { ActionIcon, Text, ThemeIcon, Tooltip, useComputedColorScheme } from '@mantine/core';
import { IconAlertCircle, IconTrash } from '@tabler/icons-react';
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  getSmoothStepPath,
  Handle,
  MarkerType,
  Panel,
  Position as Side,
  ReactFlow,
  type Connection,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeChange,
  type NodeHandle,
  type NodeProps,
} from '@xyflow/react';
import { memo, useCallback, useMemo, type KeyboardEvent } from 'react';
import type { Position, WorkflowDocument, WorkflowEdge, WorkflowNode } from '../types';
import { connect, handleOfOutcome, moveNodes, NODE_OUTCOMES, outcomeOfHandle, removeEdge, removeNode } from './documentModel';
import classes from './Editor.module.css';
import { nodeModule } from './nodeRegistry';

export type CanvasSelection = { kind: 'node'; id: string } | { kind: 'edge'; index: number } | null;

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 64;
const HANDLE_SIZE = 10;

type StepNodeData = { node: WorkflowNode; problems: readonly string[]; editable: boolean };
type StepFlowNode = Node<StepNodeData, 'step'>;
type OutcomeEdgeData = { outcome: string | null; hasProblem: boolean; index: number };
type OutcomeFlowEdge = Edge<OutcomeEdgeData, 'outcome'>;

/** Where the handle of outcome `i` of `count` sits along the bottom, as a fraction of the width. */
function outcomeOffset(i: number, count: number): number {
  return (i + 1) / (count + 1);
}

/** The handles' places, given up front so edges are drawn without measuring the DOM. */
function handlesOf(outcomes: readonly string[]): NodeHandle[] {
  const half = HANDLE_SIZE / 2;
  return [
    { type: 'target', position: Side.Top, x: NODE_WIDTH / 2 - half, y: -half, width: HANDLE_SIZE, height: HANDLE_SIZE },
    ...outcomes.map(
      (outcome, i): NodeHandle => ({
        id: outcome,
        type: 'source',
        position: Side.Bottom,
        x: NODE_WIDTH * outcomeOffset(i, outcomes.length) - half,
        y: NODE_HEIGHT - half,
        width: HANDLE_SIZE,
        height: HANDLE_SIZE,
      }),
    ),
  ];
}

const StepNode = memo(function StepNode({ data, selected }: NodeProps<StepFlowNode>) {
  const { node, problems, editable } = data;
  const module = nodeModule(node.type);
  const Icon = module.icon;
  const outcomes = module.outcomes;
  return (
    <>
      <Handle type="target" position={Side.Top} isConnectable={editable} className={classes.handle} />
      <div
        className={classes.step}
        data-selected={selected || undefined}
        data-problems={problems.length > 0 || undefined}
        data-testid={`wf-node-${node.id}`}
        aria-label={`${node.name ?? node.id} (${module.label})`}
      >
        <ThemeIcon variant="light" color={module.color} size="md">
          <Icon size={16} />
        </ThemeIcon>
        <div className={classes.stepTexts}>
          <span className={classes.stepName}>{node.name ?? node.id}</span>
          <span className={classes.stepType}>
            {module.label}
            {node.name !== null && ` · ${node.id}`}
          </span>
        </div>
        {problems.length > 0 && (
          <Tooltip label={problems.join('\n')} multiline maw={320} withArrow style={{ whiteSpace: 'pre-line' }}>
            <IconAlertCircle size={18} color="var(--mantine-color-red-6)" aria-label={problems.join('; ')} data-testid={`wf-node-${node.id}-problems`} />
          </Tooltip>
        )}
      </div>
      {outcomes.map((outcome, i) => {
        const left = `${outcomeOffset(i, outcomes.length) * 100}%`;
        return (
          <span key={outcome}>
            <Handle id={outcome} type="source" position={Side.Bottom} isConnectable={editable} className={classes.handle} style={{ left }} data-testid={`wf-handle-${node.id}-${outcome}`} />
            <span className={classes.outcomeLabel} style={{ left }}>
              {outcome}
            </span>
          </span>
        );
      })}
    </>
  );
});

const OutcomeEdge = memo(function OutcomeEdge({ id, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition, data, markerEnd, selected }: EdgeProps<OutcomeFlowEdge>) {
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition, borderRadius: 8 });
  const color = data?.hasProblem ? 'var(--mantine-color-red-6)' : selected ? 'var(--mantine-primary-color-filled)' : 'var(--eco-icon-muted)';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke: color, strokeWidth: selected ? 2.5 : 1.5 }} interactionWidth={16} />
      {data && data.outcome !== null && (
        <EdgeLabelRenderer>
          <div
            className={classes.edgeLabel}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, color }}
            data-testid={`wf-edge-label-${data.index}`}
          >
            {data.outcome}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

// Module scope: new objects on each render would make React Flow remount everything.
const nodeTypes = { step: StepNode };
const edgeTypes = { outcome: OutcomeEdge };

function toFlowNodes(document: WorkflowDocument, nodeProblems: ReadonlyMap<string, readonly string[]>, selection: CanvasSelection, editable: boolean): StepFlowNode[] {
  return document.nodes.map((node) => ({
    id: node.id,
    type: 'step',
    position: node.position,
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
    handles: handlesOf(NODE_OUTCOMES[node.type]),
    selected: selection?.kind === 'node' && selection.id === node.id,
    draggable: editable,
    connectable: editable,
    data: { node, problems: nodeProblems.get(node.id) ?? [], editable },
  }));
}

/** The edges that can be drawn (the others, with unknown ends or outcomes, are listed as problems). */
function toFlowEdges(document: WorkflowDocument, edgeProblems: ReadonlySet<number>, selection: CanvasSelection): OutcomeFlowEdge[] {
  const types = new Map(document.nodes.map((node) => [node.id, node.type]));
  return document.edges.flatMap((edge, index): OutcomeFlowEdge[] => {
    const fromType = types.get(edge.from);
    const handle = handleOfOutcome(edge.outcome);
    if (fromType === undefined || !types.has(edge.to) || !NODE_OUTCOMES[fromType].includes(handle)) return [];
    const hasProblem = edgeProblems.has(index);
    return [
      {
        id: `e${index}`,
        source: edge.from,
        target: edge.to,
        sourceHandle: handle,
        type: 'outcome',
        selected: selection?.kind === 'edge' && selection.index === index,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: hasProblem ? 'var(--mantine-color-red-6)' : 'var(--eco-icon-muted)' },
        data: { outcome: outcomeOfHandle(handle), hasProblem, index },
      },
    ];
  });
}

/** The edge a connection drawn from an outcome's handle to a step makes. */
export function edgeOfConnection(connection: Connection): WorkflowEdge {
  return { from: connection.source, to: connection.target, outcome: outcomeOfHandle(connection.sourceHandle) };
}

/** Where dragged steps now are (other changes, such as measuring, are not the document's). */
export function movedPositions(changes: readonly NodeChange[]): Map<string, Position> {
  const positions = new Map<string, Position>();
  for (const change of changes) {
    if (change.type === 'position' && change.position) positions.set(change.id, { x: change.position.x, y: change.position.y });
  }
  return positions;
}

/** Whether a key press was meant for a text field rather than the canvas. */
function typingIn(target: EventTarget): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

type Props = {
  document: WorkflowDocument;
  /** Problems' messages by node id. */
  nodeProblems?: ReadonlyMap<string, readonly string[]>;
  /** Indexes of edges with problems. */
  edgeProblems?: ReadonlySet<number>;
  selection?: CanvasSelection;
  onSelect?: (selection: CanvasSelection) => void;
  /** Applies an edit to the document; without it the canvas is read-only. */
  onChange?: (edit: (document: WorkflowDocument) => WorkflowDocument) => void;
};

const NO_PROBLEMS: ReadonlyMap<string, readonly string[]> = new Map();
const NO_EDGE_PROBLEMS: ReadonlySet<number> = new Set();

export function WorkflowCanvas({ document, nodeProblems = NO_PROBLEMS, edgeProblems = NO_EDGE_PROBLEMS, selection = null, onSelect, onChange }: Props) {
  const colorMode = useComputedColorScheme('light');
  const editable = onChange !== undefined;
  const nodes = useMemo(() => toFlowNodes(document, nodeProblems, selection, editable), [document, nodeProblems, selection, editable]);
  const edges = useMemo(() => toFlowEdges(document, edgeProblems, selection), [document, edgeProblems, selection]);

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const positions = movedPositions(changes);
      if (positions.size > 0) onChange?.((doc) => moveNodes(doc, positions));
    },
    [onChange],
  );

  const onConnect = useCallback((connection: Connection) => onChange?.((doc) => connect(doc, edgeOfConnection(connection))), [onChange]);

  const deleteSelection = () => {
    if (!onChange || selection === null) return;
    if (selection.kind === 'node') onChange((doc) => removeNode(doc, selection.id));
    else onChange((doc) => removeEdge(doc, selection.index));
    onSelect?.(null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if ((event.key === 'Delete' || event.key === 'Backspace') && !typingIn(event.target)) {
      event.preventDefault();
      deleteSelection();
    }
  };

  return (
    <div className={classes.canvas} data-testid="wf-canvas" data-readonly={editable ? undefined : ''} onKeyDown={onKeyDown}>
      <ReactFlow
        colorMode={colorMode}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onConnect={onConnect}
        isValidConnection={(connection) => connection.source !== connection.target}
        onNodeClick={(_, node) => onSelect?.({ kind: 'node', id: node.id })}
        onEdgeClick={(_, edge) => edge.data && onSelect?.({ kind: 'edge', index: edge.data.index })}
        onPaneClick={() => onSelect?.(null)}
        nodesDraggable={editable}
        nodesConnectable={editable}
        elementsSelectable
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        snapToGrid
        snapGrid={[10, 10]}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
        ariaLabelConfig={{ 'controls.ariaLabel': 'Canvas zoom' }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
        {editable && selection !== null && (
          <Panel position="top-right">
            <Tooltip label={selection.kind === 'node' ? 'Delete the step (Delete)' : 'Delete the connection (Delete)'} withArrow>
              <ActionIcon variant="default" aria-label="Delete the selection" onClick={deleteSelection} data-testid="wf-delete-selected">
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Panel>
        )}
        {document.nodes.length === 0 && (
          <Panel position="top-center">
            <Text size="sm" c="dimmed" data-testid="wf-canvas-empty">
              {editable ? 'Add the first step from the palette.' : 'This version has no steps.'}
            </Text>
          </Panel>
        )}
      </ReactFlow>
    </div>
  );
}

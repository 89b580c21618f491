// The right-hand panel's first tab: the selected step's or connection's
// settings, or, with nothing selected, every problem of the workflow.
import { Alert, Button, Divider, Group, List, Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { IconAlertCircle, IconCircleCheck, IconTrash } from '@tabler/icons-react';
import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from '../types';
import { CommonNodeFields } from './CommonNodeFields';
import { handleOfOutcome, nodeIdProblem, withConfig } from './documentModel';
import classes from './Editor.module.css';
import { nodeModule } from './nodeRegistry';
import { splitNodeProblems, type Problem } from './problems';
import type { CanvasSelection } from './WorkflowCanvas';

function nodeLabel(document: WorkflowDocument, id: string): string {
  const node = document.nodes.find((n) => n.id === id);
  return node?.name ? `${node.name} (${id})` : id;
}

function edgeLabel(document: WorkflowDocument, edge: WorkflowEdge | undefined): string {
  if (!edge) return 'A connection';
  return `${nodeLabel(document, edge.from)} —${handleOfOutcome(edge.outcome)}→ ${nodeLabel(document, edge.to)}`;
}

/** What a problem blames, in words. */
function subjectOf(problem: Problem, document: WorkflowDocument): string {
  switch (problem.target.kind) {
    case 'node':
      return `Step ${nodeLabel(document, problem.target.nodeId)}`;
    case 'edge':
      return `Connection ${edgeLabel(document, document.edges[problem.target.index])}`;
    case 'trigger':
      return 'Trigger';
    case 'document':
      return 'Workflow';
  }
}

function selectionOf(problem: Problem, document: WorkflowDocument): CanvasSelection {
  const target = problem.target;
  if (target.kind === 'node' && document.nodes.some((n) => n.id === target.nodeId)) return { kind: 'node', id: target.nodeId };
  if (target.kind === 'edge' && target.index < document.edges.length) return { kind: 'edge', index: target.index };
  return null;
}

export function ProblemsList({
  problems,
  document,
  upToDate,
  onSelect,
}: {
  problems: readonly Problem[];
  document: WorkflowDocument;
  upToDate: boolean;
  onSelect: (selection: CanvasSelection) => void;
}) {
  return (
    <Stack gap="xs" data-testid="wf-problems" data-up-to-date={upToDate || undefined}>
      <Text size="sm" fw={600}>
        {problems.length === 0 ? 'Problems' : `Problems (${problems.length})`}
      </Text>
      {problems.length === 0 ? (
        <Group gap={6}>
          <IconCircleCheck size={16} color="var(--mantine-color-green-6)" />
          <Text size="sm" c="dimmed">
            {upToDate ? 'None: the workflow can be published.' : 'Checking…'}
          </Text>
        </Group>
      ) : (
        <Stack gap={2} role="list">
          {problems.map((problem, i) => {
            const selection = selectionOf(problem, document);
            return (
              <UnstyledButton
                key={i}
                role="listitem"
                className={classes.problem}
                onClick={() => selection && onSelect(selection)}
                disabled={selection === null}
                data-testid={`wf-problem-${i}`}
              >
                <Text size="xs" fw={600}>
                  {subjectOf(problem, document)}
                  {problem.path && (
                    <Text span size="xs" c="dimmed" ff="monospace">
                      {' '}
                      {problem.path}
                    </Text>
                  )}
                </Text>
                <Text size="sm">{problem.message}</Text>
              </UnstyledButton>
            );
          })}
        </Stack>
      )}
      <Text size="xs" c="dimmed">
        Select a step on the canvas to edit it.
      </Text>
    </Stack>
  );
}

export function NodeInspector({
  node,
  document,
  problems,
  onChange,
  onRemove,
}: {
  node: WorkflowNode;
  document: WorkflowDocument;
  problems: readonly Problem[];
  onChange: (next: WorkflowNode) => void;
  onRemove: () => void;
}) {
  const module = nodeModule(node.type);
  const Icon = module.icon;
  const Form = module.Form;
  const { config, common, general } = splitNodeProblems(problems);
  return (
    <Stack gap="sm" data-testid="wf-node-inspector">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <ThemeIcon variant="light" color={module.color}>
            <Icon size={18} />
          </ThemeIcon>
          <div>
            <Text size="sm" fw={600}>
              {module.label}
            </Text>
            <Text size="xs" c="dimmed">
              {module.description}
            </Text>
          </div>
        </Group>
        <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={onRemove} data-testid="wf-node-remove">
          Remove
        </Button>
      </Group>
      {general.length > 0 && (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={16} />} p="xs" data-testid="wf-node-problems">
          <List size="sm" spacing={2}>
            {general.map((message, i) => (
              <List.Item key={i}>{message}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {/* Keyed by id: the forms keep text being typed (JSON, header rows) per step. */}
      <Form key={node.id} config={node.config} onChange={(next) => onChange(withConfig(node, next))} problems={config} />
      <Divider label="Every step" labelPosition="left" />
      <CommonNodeFields node={node} onChange={onChange} idProblem={(id) => nodeIdProblem(document, id, node.id)} problems={common} />
    </Stack>
  );
}

export function EdgeInspector({
  edge,
  document,
  problems,
  onRemove,
}: {
  edge: WorkflowEdge;
  document: WorkflowDocument;
  problems: readonly Problem[];
  onRemove: () => void;
}) {
  return (
    <Stack gap="sm" data-testid="wf-edge-inspector">
      <Text size="sm" fw={600}>
        Connection
      </Text>
      <Text size="sm">{edgeLabel(document, edge)}</Text>
      <Text size="xs" c="dimmed">
        After {nodeLabel(document, edge.from)} ends with “{handleOfOutcome(edge.outcome)}”, the run goes on with {nodeLabel(document, edge.to)}. Drag from another handle to
        connect it elsewhere.
      </Text>
      {problems.length > 0 && (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={16} />} p="xs">
          <List size="sm" spacing={2}>
            {problems.map((problem, i) => (
              <List.Item key={i}>{problem.message}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group>
        <Button size="compact-sm" variant="light" color="red" leftSection={<IconTrash size={14} />} onClick={onRemove} data-testid="wf-edge-remove">
          Remove connection
        </Button>
      </Group>
    </Stack>
  );
}

// The published versions: view one on the canvas, or compare two.
import { Badge, Button, Group, Select, Stack, Text } from '@mantine/core';
import { IconEye, IconGitCompare } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatDateTime } from '../../../shared/format';
import type { WorkflowDiff, WorkflowDocument, WorkflowEdge, WorkflowVersionInfo } from '../types';
import { handleOfOutcome } from './documentModel';
import type { EditorApi } from './editorApi';

export type ViewedVersion = { info: WorkflowVersionInfo; document: WorkflowDocument };

function edgeText(edge: WorkflowEdge): string {
  return `${edge.from} —${handleOfOutcome(edge.outcome)}→ ${edge.to}`;
}

function DiffLines({ title, color, sign, items, testId }: { title: string; color: string; sign: string; items: string[]; testId: string }) {
  if (items.length === 0) return null;
  return (
    <Stack gap={2} data-testid={testId}>
      <Text size="xs" fw={600}>
        {title}
      </Text>
      {items.map((item) => (
        <Text key={item} size="sm" c={color} ff="monospace">
          {sign} {item}
        </Text>
      ))}
    </Stack>
  );
}

export function DiffView({ diff, from, to }: { diff: WorkflowDiff; from: WorkflowVersionInfo; to: WorkflowVersionInfo }) {
  const unchanged =
    !diff.triggerChanged &&
    diff.addedNodes.length + diff.removedNodes.length + diff.changedNodes.length + diff.addedEdges.length + diff.removedEdges.length === 0;
  return (
    <Stack gap="xs" data-testid="wf-diff">
      <Text size="sm" fw={600}>
        Version {from.version} → version {to.version}
      </Text>
      {unchanged && (
        <Text size="sm" c="dimmed">
          The two versions are the same.
        </Text>
      )}
      {diff.triggerChanged && (
        <Badge color="orange" variant="light" data-testid="wf-diff-trigger">
          Trigger changed
        </Badge>
      )}
      <DiffLines title="Steps added" color="var(--eco-success-text)" sign="+" items={diff.addedNodes} testId="wf-diff-added-nodes" />
      <DiffLines title="Steps removed" color="var(--eco-danger-text)" sign="−" items={diff.removedNodes} testId="wf-diff-removed-nodes" />
      <DiffLines title="Steps changed" color="var(--eco-warning-text)" sign="~" items={diff.changedNodes} testId="wf-diff-changed-nodes" />
      <DiffLines title="Connections added" color="var(--eco-success-text)" sign="+" items={diff.addedEdges.map(edgeText)} testId="wf-diff-added-edges" />
      <DiffLines title="Connections removed" color="var(--eco-danger-text)" sign="−" items={diff.removedEdges.map(edgeText)} testId="wf-diff-removed-edges" />
    </Stack>
  );
}

type Props = {
  versions: readonly WorkflowVersionInfo[];
  api: Pick<EditorApi, 'diff' | 'version'>;
  /** The version shown on the canvas, or null for the draft. */
  viewingId: string | null;
  onView: (version: ViewedVersion) => void;
};

export function VersionsPanel({ versions, api, viewingId, onView }: Props) {
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  const [fromId, setFromId] = useState<string | null>(newestFirst[1]?.id ?? null);
  const [toId, setToId] = useState<string | null>(newestFirst[0]?.id ?? null);
  const compare = useMutation({
    mutationFn: async ({ from, to }: { from: WorkflowVersionInfo; to: WorkflowVersionInfo }) => ({ from, to, diff: await api.diff(from.id, to.id) }),
  });
  const view = useMutation({ mutationFn: (id: string) => api.version(id), onSuccess: onView });

  if (versions.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="wf-versions">
        Not published yet. Publishing makes the saved draft version 1.
      </Text>
    );
  }
  const from = versions.find((v) => v.id === fromId);
  const to = versions.find((v) => v.id === toId);
  const options = newestFirst.map((v) => ({ value: v.id, label: `Version ${v.version}` }));

  return (
    <Stack gap="sm" data-testid="wf-versions">
      <Stack gap={4} role="list">
        {newestFirst.map((version) => (
          <Group key={version.id} justify="space-between" wrap="nowrap" role="listitem" data-testid={`wf-version-${version.id}`}>
            <div>
              <Text size="sm" fw={600}>
                Version {version.version}
              </Text>
              <Text size="xs" c="dimmed">
                {version.publishedByName} · {formatDateTime(version.publishedAt)}
              </Text>
            </div>
            <Button
              size="compact-xs"
              variant={viewingId === version.id ? 'filled' : 'default'}
              leftSection={<IconEye size={12} />}
              onClick={() => view.mutate(version.id)}
              loading={view.isPending && view.variables === version.id}
              data-testid={`wf-version-view-${version.id}`}
            >
              View
            </Button>
          </Group>
        ))}
      </Stack>
      {view.isError && <ErrorNotice error={view.error} subject="Version" compact />}
      {versions.length > 1 && (
        <Stack gap="xs">
          <Group gap="xs" grow>
            <Select label="From" data={options} value={fromId} onChange={setFromId} allowDeselect={false} data-testid="wf-diff-from" />
            <Select label="To" data={options} value={toId} onChange={setToId} allowDeselect={false} data-testid="wf-diff-to" />
          </Group>
          <Group>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconGitCompare size={14} />}
              disabled={!from || !to || from.id === to.id}
              loading={compare.isPending}
              onClick={() => from && to && compare.mutate({ from, to })}
              data-testid="wf-diff-run"
            >
              Compare
            </Button>
          </Group>
          {compare.isError && <ErrorNotice error={compare.error} subject="Comparison" compact />}
          {compare.data && <DiffView diff={compare.data.diff} from={compare.data.from} to={compare.data.to} />}
        </Stack>
      )}
    </Stack>
  );
}

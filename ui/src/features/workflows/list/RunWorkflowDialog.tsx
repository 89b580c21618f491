import { Group, Pill, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { FormDialog } from '../../../shared/FormDialog';
import { EntityPicker } from '../../links';
import { savedViewsQuery } from '../../views';
import { useRunWorkflow } from '../api';
import type { WorkflowSummary } from '../types';

type Target = 'entities' | 'view';
type PickedEntity = { id: string; name: string };

type Props = {
  workflow: WorkflowSummary;
  /** After the runs started (the workflow's id, to show its runs). */
  onStarted: (workflowId: string) => void;
  onClose: () => void;
};

/** Runs the published version on chosen entities, or on the rows of a saved view. */
export function RunWorkflowDialog({ workflow, onStarted, onClose }: Props) {
  const run = useRunWorkflow();
  const [target, setTarget] = useState<Target>('entities');
  const [entities, setEntities] = useState<PickedEntity[]>([]);
  const [viewKey, setViewKey] = useState<string | null>(null);
  const canSubmit = target === 'entities' || viewKey !== null;

  const submit = async () => {
    const started = await run({
      workflowId: workflow.id,
      entityIds: target === 'entities' ? entities.map((e) => e.id) : [],
      viewKey: target === 'view' ? viewKey : null,
    });
    notifications.show({
      color: 'teal',
      title: 'Workflow started',
      message: `${started.length === 1 ? '1 run' : `${started.length} runs`} of "${workflow.name}" started.`,
      autoClose: 4000,
    });
    onStarted(workflow.id);
  };

  return (
    <FormDialog
      title={`Run ${workflow.name}`}
      fields={['entityIds', 'viewKey']}
      canSubmit={canSubmit}
      onSubmit={submit}
      onClose={onClose}
      submitLabel={target === 'entities' && entities.length === 0 ? 'Run without an entity' : 'Run'}
      submitTestId="workflow-run-submit"
    >
      {() => (
        <Stack gap="sm">
          <SegmentedControl
            value={target}
            onChange={(value) => setTarget(value as Target)}
            data={[
              { value: 'entities', label: 'Entities' },
              { value: 'view', label: 'Saved view' },
            ]}
            data-testid="workflow-run-target"
          />
          {target === 'entities' ? (
            <EntityChoice entities={entities} onChange={setEntities} />
          ) : (
            <SavedViewChoice viewKey={viewKey} onChange={setViewKey} />
          )}
        </Stack>
      )}
    </FormDialog>
  );
}

function EntityChoice({ entities, onChange }: { entities: PickedEntity[]; onChange: (entities: PickedEntity[]) => void }) {
  return (
    <Stack gap="xs">
      <EntityPicker
        label="Entities"
        exclude={new Set(entities.map((e) => e.id))}
        onPick={(node) => onChange([...entities, { id: node.id, name: node.name }])}
        testId="workflow-run-entity"
      />
      {entities.length === 0 ? (
        <Text size="xs" c="dimmed">
          One run per entity. With none, the workflow runs once without an entity.
        </Text>
      ) : (
        <Group gap={4} data-testid="workflow-run-entities">
          {entities.map((entity) => (
            <Pill key={entity.id} withRemoveButton onRemove={() => onChange(entities.filter((e) => e.id !== entity.id))} removeButtonProps={{ 'aria-label': `Remove ${entity.name}` }}>
              {entity.name}
            </Pill>
          ))}
        </Group>
      )}
    </Stack>
  );
}

/** Saved views with a key (runs name the view by its key). */
function SavedViewChoice({ viewKey, onChange }: { viewKey: string | null; onChange: (key: string | null) => void }) {
  const views = useQuery(savedViewsQuery());
  const options = (views.data ?? []).flatMap((view) => (view.key !== null && view.deletedAt === null ? [{ value: view.key, label: view.name }] : []));
  return (
    <Select
      label="Saved view"
      description="One run per row of the view. Only views with a key can be chosen."
      placeholder={views.isPending ? 'Loading…' : 'Choose a view'}
      data={options}
      value={viewKey}
      onChange={onChange}
      searchable
      nothingFoundMessage="No view with a key"
      data-testid="workflow-run-view"
    />
  );
}

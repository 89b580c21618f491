import { Select, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fieldError } from '../../../ipc/errors';
import { FormDialog } from '../../../shared/FormDialog';
import { rootsQuery } from '../../tree/api';
import { useCreateWorkflow } from '../api';

/** Asks for a name and, optionally, the root the workflow belongs to; creates it and opens it. */
export function NewWorkflowDialog({ onCreated, onClose }: { onCreated: (id: string) => void; onClose: () => void }) {
  const create = useCreateWorkflow();
  const roots = useQuery(rootsQuery());
  const [name, setName] = useState('');
  const [rootId, setRootId] = useState<string | null>(null);
  const rootOptions = (roots.data ?? []).map((root) => ({ value: root.id, label: root.name }));

  return (
    <FormDialog
      title="New workflow"
      fields={['name', 'rootId']}
      canSubmit={name.trim() !== ''}
      onSubmit={async () => {
        const created = await create({ name: name.trim(), rootId, key: null, description: null });
        onCreated(created.summary.id);
      }}
      onClose={onClose}
      submitLabel="Create"
      submitTestId="workflow-new-submit"
    >
      {(error) => (
        <>
          <TextInput
            label="Name"
            placeholder="Escalate faults"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            data-autofocus
            data-testid="workflow-new-name"
          />
          <Select
            label="Root"
            description="The part of the registry the workflow belongs to; leave empty for the whole registry."
            placeholder="Whole registry"
            data={rootOptions}
            value={rootId}
            onChange={setRootId}
            clearable
            searchable
            error={fieldError(error, 'rootId')}
            data-testid="workflow-new-root"
          />
        </>
      )}
    </FormDialog>
  );
}

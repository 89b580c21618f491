import { Checkbox, Select, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { SavedView, ViewDocument } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { rootsQuery } from '../tree/api';
import { documentOf, useCreateView, useReloadSavedViews, useUpdateView } from './api';

/** The inputs of the save-as form, as the core names them in a Validation error. */
const SAVE_AS_FIELDS = ['name', 'key', 'description', 'shared', 'rootId'] as const;
const RENAME_FIELDS = ['name', 'description'] as const;

/** Saves the document as a new view: name, optional key, shared or personal, optionally pinned to a root. */
export function SaveAsDialog({
  document,
  initialName,
  onSaved,
  onClose,
}: {
  document: ViewDocument;
  initialName: string;
  onSaved: (view: SavedView) => void;
  onClose: () => void;
}) {
  const createView = useCreateView();
  const roots = useQuery(rootsQuery());
  const [name, setName] = useState(initialName);
  const [key, setKey] = useState('');
  const [description, setDescription] = useState('');
  const [shared, setShared] = useState(false);
  const [rootId, setRootId] = useState<string | null>(null);

  const save = async () => {
    const view = await createView({
      name: name.trim(),
      key: key.trim() || null,
      description: description.trim() || null,
      shared,
      rootId,
      document,
    });
    onSaved(view);
  };

  return (
    <FormDialog title="Save view as" fields={SAVE_AS_FIELDS} canSubmit={name.trim() !== ''} onSubmit={save} onClose={onClose} submitLabel="Save" submitTestId="view-save-as-submit">
      {(error) => (
        <>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} required data-autofocus data-testid="view-save-as-name" />
          <TextInput
            label="Key"
            description="Optional: a stable name for the command line and links, e.g. faulty_pumps"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            error={fieldError(error, 'key')}
            data-testid="view-save-as-key"
          />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(error, 'description')}
            autosize
            minRows={1}
            data-testid="view-save-as-description"
          />
          <Checkbox
            label="Shared with everyone who sees its root"
            description="Otherwise only you see it"
            checked={shared}
            onChange={(e) => setShared(e.currentTarget.checked)}
            error={fieldError(error, 'shared')}
            data-testid="view-save-as-shared"
          />
          <Select
            label="Pin to a root"
            description="Optional: only those who see this root see the view"
            placeholder={roots.isPending ? 'Loading roots…' : 'Not pinned'}
            data={(roots.data ?? []).map((root) => ({ value: root.id, label: root.name }))}
            value={rootId}
            onChange={setRootId}
            error={fieldError(error, 'rootId') ?? (roots.isError ? 'The roots could not be read' : undefined)}
            clearable
            searchable
            comboboxProps={{ withinPortal: false }}
            data-testid="view-save-as-root"
          />
        </>
      )}
    </FormDialog>
  );
}

/** Renames a saved view (and edits its description); its saved document stays as it is. */
export function RenameViewDialog({ view, onClose }: { view: SavedView; onClose: () => void }) {
  const updateView = useUpdateView();
  const reload = useReloadSavedViews();
  const [name, setName] = useState(view.name);
  const [description, setDescription] = useState(view.description ?? '');

  const save = () =>
    updateView({ id: view.id, expectedUpdatedAt: view.updatedAt, name: name.trim(), description: description.trim() || null, document: documentOf(view) });

  return (
    <FormDialog
      title={`Rename ${view.name}`}
      fields={RENAME_FIELDS}
      canSubmit={name.trim() !== ''}
      onSubmit={save}
      onReload={() => void reload()}
      onClose={onClose}
      submitLabel="Rename"
      submitTestId="view-rename-submit"
    >
      {(error) => (
        <>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} required data-autofocus data-testid="view-rename-name" />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(error, 'description')}
            autosize
            minRows={1}
            data-testid="view-rename-description"
          />
        </>
      )}
    </FormDialog>
  );
}

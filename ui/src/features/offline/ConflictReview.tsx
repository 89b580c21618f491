// The review of edits made offline that met a change on the server: for each,
// the fields side by side (theirs on the server, mine), and the person's
// choice: keep theirs, keep mine, or edit mine and send that. Nothing leaves
// the outbox until they choose.
import { Badge, Button, Center, Checkbox, Group, Loader, Modal, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconCheck, IconCloudUpload, IconPencil, IconServer } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { ConflictField, Mutation, OutboxEntry, Resolution } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatDateTime } from '../../shared/format';
import { outboxQuery, useResolveConflict } from './api';
import classes from './Offline.module.css';
import { entryEntityName, isEditable, kindLabel, valueDrafts, withEditedName, withEditedValues, type ValueDraft } from './offlineModel';

const CONFLICTS = ['conflict'] as const;

export function ConflictReviewDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title="Edits that need your decision" size="xl" data-testid="conflict-review">
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          These edits were made while offline, and someone changed the same things on the server meanwhile. For each one, keep the server’s version, send yours
          over it, or edit yours first. Nothing is dropped until you choose; closing this leaves them waiting.
        </Text>
        <ConflictList />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Every entry in conflict, oldest first, each as a card. */
export function ConflictList() {
  const conflicts = useQuery(outboxQuery(CONFLICTS));
  if (conflicts.isPending) {
    return (
      <Center p="lg">
        <Loader size="sm" />
      </Center>
    );
  }
  if (conflicts.isError) return <ErrorNotice error={conflicts.error} subject="The edits in conflict could not be read" />;
  if (conflicts.data.length === 0) {
    return (
      <Paper withBorder radius="md" p="lg" data-testid="conflicts-none">
        <Text size="sm">No edit waits for your decision.</Text>
      </Paper>
    );
  }
  return (
    <Stack gap="sm">
      {conflicts.data.map((entry) => (
        <ConflictCard key={entry.seq} entry={entry} />
      ))}
    </Stack>
  );
}

function ConflictCard({ entry }: { entry: OutboxEntry }) {
  const resolve = useResolveConflict();
  const titleId = useId();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState<Resolution['kind'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const name = entryEntityName(entry);

  const send = async (resolution: Resolution) => {
    setBusy(resolution.kind);
    setError(null);
    try {
      // Settled: the card leaves the list when the conflicts are read again.
      await resolve(entry.seq, resolution);
      setEditing(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Paper withBorder radius="md" p="md" role="group" aria-labelledby={titleId} data-testid="conflict-card" data-seq={entry.seq}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Text fw={600} id={titleId} className={classes.wrap}>
              {name}
            </Text>
            <Text size="xs" c="dimmed">
              {kindLabel(entry.mutation.kind)}, edited offline {formatDateTime(entry.createdAt)}
            </Text>
          </Stack>
          <Badge color="orange" variant="light">
            Conflict
          </Badge>
        </Group>
        {entry.reason && (
          <Text size="sm" className={classes.wrap} data-testid="conflict-reason">
            {entry.reason}
          </Text>
        )}
        <FieldsTable fields={entry.fields} />
        {editing ? (
          <ConflictEditor entry={entry} busy={busy === 'edit'} onCancel={() => setEditing(false)} onSave={(mutation) => void send({ kind: 'edit', mutation })} />
        ) : (
          <Group gap="sm">
            <Button
              variant="default"
              leftSection={<IconServer size={16} />}
              onClick={() => void send({ kind: 'keepTheirs' })}
              loading={busy === 'keepTheirs'}
              disabled={busy !== null}
              data-testid="conflict-keep-theirs"
            >
              Keep theirs
            </Button>
            <Button
              leftSection={<IconCloudUpload size={16} />}
              onClick={() => void send({ kind: 'keepMine' })}
              loading={busy === 'keepMine'}
              disabled={busy !== null}
              data-testid="conflict-keep-mine"
            >
              Keep mine
            </Button>
            {isEditable(entry.mutation) && (
              <Button variant="light" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)} disabled={busy !== null} data-testid="conflict-edit">
                Edit…
              </Button>
            )}
          </Group>
        )}
        {error !== null && <ErrorNotice error={error} subject="Your choice could not be sent" compact />}
      </Stack>
    </Paper>
  );
}

function FieldsTable({ fields }: { fields: readonly ConflictField[] }) {
  if (fields.length === 0) return null;
  return (
    <Table withTableBorder layout="fixed" fz="sm" verticalSpacing={6} data-testid="conflict-fields">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="25%">Field</Table.Th>
          <Table.Th>Theirs (on the server)</Table.Th>
          <Table.Th>Mine</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {fields.map((field) => (
          <Table.Tr key={field.key} data-testid={`conflict-field-${field.key}`}>
            <Table.Td className={classes.wrap}>{field.label}</Table.Td>
            <Table.Td className={classes.wrap}>{field.theirs ?? <Text span size="sm" c="dimmed">No value</Text>}</Table.Td>
            <Table.Td className={classes.wrap}>{field.mine ?? <Text span size="sm" c="dimmed">Cleared</Text>}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

type EditorProps = { entry: OutboxEntry; busy: boolean; onCancel: () => void; onSave: (mutation: Mutation) => void };

/** Mine, editable: the values a setValues edit sets (each read by its type), or a rename's name. */
function ConflictEditor({ entry, busy, onCancel, onSave }: EditorProps) {
  const { mutation } = entry;
  const [drafts] = useState<ValueDraft[]>(() => valueDrafts(entry));
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(drafts.map((d) => [d.edit.definitionId, d.text])));
  const [name, setName] = useState(mutation.kind === 'rename' ? mutation.input.name : '');
  const rebuilt = mutation.kind === 'rename' ? withEditedName(mutation, name) : withEditedValues(mutation, texts);
  const errors = rebuilt.ok ? {} : rebuilt.errors;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (rebuilt.ok && !busy) onSave(rebuilt.mutation);
  };

  return (
    <form onSubmit={submit} aria-label={`Edit mine for ${entryEntityName(entry)}`} data-testid="conflict-editor">
      <Stack gap="sm">
        {mutation.kind === 'rename' ? (
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} autoFocus data-testid="conflict-edit-name" />
        ) : (
          drafts.map((draft, index) => {
            const id = draft.edit.definitionId;
            const set = (text: string) => setTexts((before) => ({ ...before, [id]: text }));
            if (draft.edit.value?.type === 'boolean') {
              return (
                <Checkbox
                  key={id}
                  label={draft.label}
                  checked={texts[id] === 'true'}
                  onChange={(e) => set(e.currentTarget.checked ? 'true' : 'false')}
                  autoFocus={index === 0}
                  data-testid={`conflict-edit-value-${id}`}
                />
              );
            }
            return (
              <TextInput
                key={id}
                label={draft.label}
                description={describeInput(draft)}
                value={texts[id] ?? ''}
                onChange={(e) => set(e.currentTarget.value)}
                error={errors[id]}
                autoFocus={index === 0}
                spellCheck={false}
                data-testid={`conflict-edit-value-${id}`}
              />
            );
          })
        )}
        <Group gap="sm">
          <Button type="submit" leftSection={<IconCheck size={16} />} loading={busy} disabled={!rebuilt.ok} data-testid="conflict-edit-save">
            Send this version
          </Button>
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** What an input of a value expects. */
function describeInput(draft: ValueDraft): string {
  switch (draft.edit.value?.type) {
    case 'number':
      return 'A number; leave empty to clear';
    case 'date':
      return 'A date, YYYY-MM-DD; leave empty to clear';
    case 'json':
      return 'JSON; leave empty to clear';
    case 'multi_select':
      return 'Choices separated by commas; leave empty to clear';
    default:
      return 'Leave empty to clear';
  }
}

import { Badge, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { CurrentValue, PaneSection, PropertyPane } from '../../bindings';
import { appErrorOf, fieldError } from '../../ipc/errors';
import { showActionUnavailable } from '../../shared/actionNotice';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { propertyPaneQuery, useReloadPane, useSetPropertyValues } from './api';
import { afterSave, fieldsOf, isDirty, planSave, withText, without, type Edits } from './paneEdits';
import classes from './PropertiesPanel.module.css';
import { controlId, PropertyField } from './PropertyField';

type Props = {
  entityId: string;
  /** The tab is shown (Ctrl+S saves only then). */
  active: boolean;
  /** Shown without editing (the entity is in the trash). */
  readOnly?: boolean;
  /** Why the person may not change the entity (their scope, or viewing as someone): shown without editing, Save says why. */
  refused?: string | null;
  /** How many fields have unsaved edits (for the tab's marker). */
  onUnsavedChange?: (count: number) => void;
};

/** An entity's properties by group, edited in place and saved together. */
export function PropertiesPanel({ entityId, active, readOnly = false, refused = null, onUnsavedChange }: Props) {
  const pane = useQuery(propertyPaneQuery(entityId));
  if (pane.isPending) {
    return (
      <Center p="lg" data-testid="props-loading">
        <Loader size="sm" />
      </Center>
    );
  }
  if (pane.isError) return <ErrorNotice error={pane.error} />;
  return <PaneEditor pane={pane.data} active={active} readOnly={readOnly} refused={refused} onUnsavedChange={onUnsavedChange} />;
}

/** The value conflict a save ran into, if that is what it was. */
function valueConflict(error: unknown): CurrentValue | null {
  const appError = appErrorOf(error);
  return appError?.type === 'Conflict' && appError.data.current.kind === 'propertyValue' ? appError.data.current.row : null;
}

type EditorState = { pane: PropertyPane; active: boolean; readOnly: boolean; refused: string | null; onUnsavedChange?: (count: number) => void };

function PaneEditor({ pane, active, readOnly, refused, onUnsavedChange }: EditorState) {
  const setValues = useSetPropertyValues();
  const reloadPane = useReloadPane();
  const [edits, setEdits] = useState<Edits>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editsRef = useRef(edits);
  editsRef.current = edits;

  // In the trash or not the person's to change: the editors only show the values.
  const locked = readOnly || refused !== null;
  const fields = fieldsOf(pane);
  const unsaved = fields.filter((field) => isDirty(field, edits[field.definition.id])).length;
  const conflict = valueConflict(error);
  const blamed = fields.find((field) => fieldError(error, field.definition.key) !== null || conflict?.definitionId === field.definition.id);

  useEffect(() => onUnsavedChange?.(unsaved), [unsaved, onUnsavedChange]);
  useEffect(() => () => onUnsavedChange?.(0), [onUnsavedChange]);

  // Leaving the entity (another one is selected) drops its edits: say so.
  const unsavedRef = useRef(unsaved);
  unsavedRef.current = unsaved;
  useEffect(
    () => () => {
      const left = unsavedRef.current;
      if (left > 0) {
        notifications.show({
          color: 'orange',
          title: 'Unsaved property edits discarded',
          message: `${left === 1 ? '1 edit' : `${left} edits`} of the entity you left ${left === 1 ? 'was' : 'were'} not saved.`,
        });
      }
    },
    [],
  );

  const save = async (current: Edits = editsRef.current) => {
    // Ctrl+S, Enter and "Use mine" all come here: none sends what cannot be saved.
    if (saving || locked) return;
    const plan = planSave(fields, current);
    if (plan.invalid.length > 0) {
      document.getElementById(controlId(plan.invalid[0].field))?.focus();
      return;
    }
    if (plan.edits.length === 0) return;
    setSaving(true);
    setError(null);
    try {
      const saved = await setValues({ entityId: pane.entityId, edits: plan.edits });
      setEdits((now) => afterSave(now, plan.sent, saved));
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  useHotkeys(
    [
      [
        'mod+S',
        () => {
          if (active) void save();
        },
      ],
    ],
    [],
  );

  // The palette's "Registry: Save properties", as Ctrl+S.
  useActionRequests('registry', {
    'save-properties': active ? () => (unsaved > 0 ? void save() : showActionUnavailable('The properties have no unsaved edits.')) : undefined,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save();
  };

  const cancelAll = () => {
    setEdits({});
    setError(null);
  };

  /** Forget the error when the field it blames is edited again. */
  const clearErrorOf = (definitionId: string, key: string) => {
    if (fieldError(error, key) !== null || conflict?.definitionId === definitionId) setError(null);
  };

  if (pane.sections.length === 0) {
    return (
      <Text c="dimmed" size="sm" p="md" data-testid="props-empty">
        This entity's type shows no properties yet, and it holds no values.
      </Text>
    );
  }

  return (
    <form onSubmit={submit} noValidate data-testid="props-form">
      <Stack gap="xl">
        {pane.sections.map((section) => (
          <Section key={section.group?.id ?? 'ungrouped'} section={section}>
            {section.fields.map((field) => {
              const { id, key } = field.definition;
              return (
                <PropertyField
                  key={id}
                  field={field}
                  edit={edits[id]}
                  saving={saving}
                  readOnly={locked}
                  serverError={fieldError(error, key)}
                  conflict={conflict?.definitionId === id ? conflict : null}
                  onText={(text) => {
                    clearErrorOf(id, key);
                    setEdits((now) => withText(now, field, text));
                  }}
                  onCancel={() => {
                    clearErrorOf(id, key);
                    setEdits((now) => without(now, [id]));
                  }}
                  onKeepTheirs={() => {
                    setError(null);
                    setEdits((now) => without(now, [id]));
                    void reloadPane(pane.entityId);
                  }}
                  onUseMine={() => {
                    if (!conflict) return;
                    const mine = edits[id];
                    if (!mine) return;
                    const next = { ...edits, [id]: { ...mine, base: conflict.updatedAt } };
                    setEdits(next);
                    void save(next);
                  }}
                />
              );
            })}
          </Section>
        ))}
      </Stack>
      {error !== null && blamed === undefined && (
        <Stack mt="md">
          <ErrorNotice error={error} onReload={() => void reloadPane(pane.entityId)} />
        </Stack>
      )}
      {readOnly ? (
        <Text size="sm" c="dimmed" mt="lg" data-testid="props-read-only">
          This entity is in the trash: restore it to edit its properties.
        </Text>
      ) : (
        <Group className={classes.actions} justify="space-between" data-testid="props-actions">
          <Text size="sm" c={unsaved > 0 ? undefined : 'dimmed'} data-testid="props-status">
            {unsaved === 0 ? 'No unsaved changes' : unsaved === 1 ? '1 unsaved change' : `${unsaved} unsaved changes`}
            {unsaved > 0 && refused === null && (
              <Text span size="xs" c="dimmed" ml="xs">
                Ctrl+S saves, Esc undoes a field
              </Text>
            )}
          </Text>
          <Group gap="sm">
            <Button variant="default" onClick={cancelAll} disabled={unsaved === 0 || saving} data-testid="props-cancel">
              Cancel
            </Button>
            <Button
              type="submit"
              leftSection={<IconDeviceFloppy size={16} />}
              loading={saving}
              disabled={unsaved === 0 || refused !== null}
              title={refused ?? undefined}
              data-testid="props-save"
            >
              Save
            </Button>
          </Group>
        </Group>
      )}
    </form>
  );
}

function Section({ section, children }: { section: PaneSection; children: ReactNode }) {
  const { group } = section;
  return (
    <section data-testid={`props-section-${group?.key ?? 'other'}`} aria-label={group?.name ?? 'Other'}>
      <div className={classes.sectionHeader}>
        <Group gap="xs" align="baseline">
          <Title order={5}>{group?.name ?? 'Other'}</Title>
          <Badge size="xs" variant="light" color="gray">
            {section.fields.length}
          </Badge>
        </Group>
        {group?.description && (
          <Text size="xs" c="dimmed">
            {group.description}
          </Text>
        )}
      </div>
      <div className={classes.grid}>{children}</div>
    </section>
  );
}

import { Alert, Button, Group, Kbd, Modal, Stack, Stepper, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { BulkEdit, BulkOutcome, BulkPreview, BulkTarget, PropertyDefinition, PropertyValue, Tag, TreeNode } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel, formatCount } from '../../shared/format';
import { entityTypesQuery } from '../entity-types/api';
import { tagGroupsQuery, tagsQuery } from '../links/api';
import { propertyDefinitionsQuery } from '../properties/api';
import { propertyGroupsQuery } from '../property-admin/api';
import { previewBulkEdit, useApplyBulkEdit } from './api';
import {
  buildEdit,
  buildEditOn,
  describeAction,
  editableDefinitions,
  EMPTY_DRAFT,
  isPropertyAction,
  jobLabel,
  unchangedReason,
  type ActionKind,
  type Draft,
  type DraftField,
  type GivenTarget,
} from './bulkModel';
import { ChooseEdit, type ChooseErrors } from './ChooseEdit';
import { PreviewTable, type PreviewSubject } from './PreviewTable';

/** Above this many targets the edit runs in the background (the core decides; this only words the confirmation). */
const BACKGROUND_ABOVE = 5_000;

type Stage =
  | { kind: 'choose' }
  | { kind: 'preview'; edit: BulkEdit; preview: BulkPreview }
  | { kind: 'confirm'; edit: BulkEdit; preview: BulkPreview }
  | { kind: 'done'; outcome: BulkOutcome };

const STEP_OF: Record<Stage['kind'], number> = { choose: 0, preview: 1, confirm: 2, done: 3 };

/** The input of the first step a refusal from the core belongs under, if any. */
function refusedField(error: unknown, draft: Draft, definition: PropertyDefinition | undefined): DraftField | 'target' | null {
  if (fieldError(error, 'target') !== null) return 'target';
  if (fieldError(error, 'definitionId') !== null) return 'definition';
  if (fieldError(error, 'tagId') !== null) return 'tag';
  if (definition && fieldError(error, definition.key) !== null) return draft.action === 'set' ? 'value' : 'definition';
  return null;
}

/** The message of a refusal under `field`. */
function refusalMessage(error: unknown, field: DraftField | 'target', definition: PropertyDefinition | undefined): string | null {
  const key = { target: 'target', definition: 'definitionId', tag: 'tagId', type: 'target', value: definition?.key ?? '' }[field];
  return fieldError(error, key) ?? (definition ? fieldError(error, definition.key) : null);
}

type Props = { onClose: () => void } & (
  | { nodes: TreeNode[]; target?: never; label?: never }
  /** A target fixed by the caller, named in a sentence ('all 1,234 rows of "Pumps"'). */
  | { target: BulkTarget; label: string; nodes?: never }
);

/**
 * Bulk edit of `nodes` (several: exactly those; one: it, or every entity of
 * a type under it), or of a `target` the caller fixed (a view's rows): choose
 * the edit, preview it, apply it after a confirmation. Enter advances,
 * Escape cancels.
 */
export function BulkEditDialog(props: Props) {
  const { onClose } = props;
  const nodes = props.nodes ?? [];
  const given: GivenTarget | null = props.target ? { target: props.target, label: props.label } : null;
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [stage, setStage] = useState<Stage>({ kind: 'choose' });
  const [busy, setBusy] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [focusField, setFocusField] = useState<DraftField | 'target' | null>(null);
  const request = useRef(0);
  const body = useRef<HTMLDivElement>(null);
  const apply = useApplyBulkEdit();

  const property = isPropertyAction(draft.action);
  const definitionsQuery = useQuery({ ...propertyDefinitionsQuery(), enabled: property });
  const groupsQuery = useQuery({ ...propertyGroupsQuery(false), enabled: property });
  const tagsList = useQuery({ ...tagsQuery(), enabled: !property });
  const tagGroupsList = useQuery({ ...tagGroupsQuery(false), enabled: !property });
  const typesQuery = useQuery({ ...entityTypesQuery(false), enabled: given === null && nodes.length === 1 });

  const definitions = editableDefinitions(definitionsQuery.data ?? []);
  const definition = definitions.find((d) => d.id === draft.definitionId);
  const tags = tagsList.data ?? [];
  const tag: Tag | undefined = tags.find((t) => t.id === draft.tagId);
  const built = given ? buildEditOn(given.target, draft, definitions) : buildEdit(nodes, draft, definitions);
  const value: PropertyValue | null = built.ok && built.edit.action.kind === 'setProperty' ? built.edit.action.value : null;
  const action = describeAction(draft, definition, tag, value);
  const listError = [definitionsQuery, groupsQuery, tagsList, tagGroupsList, typesQuery].find((q) => q.isError)?.error ?? null;

  // Move the keyboard focus to what the stage asks for. The first focus is the
  // modal's (its [data-autofocus] input).
  const opening = useRef(true);
  useEffect(() => {
    if (opening.current) {
      opening.current = false;
      return;
    }
    const timer = setTimeout(() => {
      const root = body.current;
      if (!root) return;
      const target =
        focusField !== null
          ? root.querySelector<HTMLElement>(`[data-bulk-field="${focusField}"]`)
          : root.querySelector<HTMLElement>(`[data-stage-focus="${stage.kind}"]`);
      const focusable = target?.matches('input, button, textarea')
        ? target
        : target?.querySelector<HTMLElement>('input:checked:not([disabled]), input:not([disabled]), textarea, button:not([disabled])');
      focusable?.focus();
    }, 0);
    return () => clearTimeout(timer);
  }, [stage.kind, focusField]);

  const change = (patch: Partial<Draft>) => {
    setDraft((previous) => ({ ...previous, ...patch }));
    setError(null);
    setFocusField(null);
  };

  /** A refusal: under its input back in the first step, or as a notice where it happened. */
  const fail = (caught: unknown) => {
    setError(caught);
    const field = refusedField(caught, draft, definition);
    setFocusField(field);
    if (field !== null) setStage({ kind: 'choose' });
  };

  const runPreview = async () => {
    setAttempted(true);
    if (!built.ok) {
      setFocusField(built.field);
      return;
    }
    const seq = ++request.current;
    setBusy(true);
    setError(null);
    try {
      const preview = await previewBulkEdit(built.edit);
      if (seq !== request.current) return;
      setFocusField(null);
      setStage({ kind: 'preview', edit: built.edit, preview });
    } catch (caught) {
      if (seq === request.current) fail(caught);
    } finally {
      if (seq === request.current) setBusy(false);
    }
  };

  const runApply = async (edit: BulkEdit) => {
    setBusy(true);
    setError(null);
    try {
      const started = await apply(edit, (total) => jobLabel(draft, definition, tag, total));
      if (started.kind === 'background') {
        onClose();
        return;
      }
      setStage({ kind: 'done', outcome: started.outcome });
    } catch (caught) {
      fail(caught);
    } finally {
      setBusy(false);
    }
  };

  const advance = () => {
    if (busy) return;
    switch (stage.kind) {
      case 'choose':
        return void runPreview();
      case 'preview':
        if (stage.preview.changing > 0) setStage({ kind: 'confirm', edit: stage.edit, preview: stage.preview });
        return;
      case 'confirm':
        return void runApply(stage.edit);
      case 'done':
        return onClose();
    }
  };

  const back = () => {
    setError(null);
    setStage(stage.kind === 'confirm' ? { kind: 'preview', edit: stage.edit, preview: stage.preview } : { kind: 'choose' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter' || event.defaultPrevented || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey || event.nativeEvent.isComposing) return;
    const target = event.target as HTMLElement;
    // Buttons and links act on Enter themselves; an open list picks its option.
    if (target.closest('button, a, textarea, [role="button"]') || target.getAttribute('aria-expanded') === 'true') return;
    event.preventDefault();
    advance();
  };

  const errors: ChooseErrors = {};
  if (attempted && !built.ok) errors[built.field] = built.error;
  else if (!built.ok && built.field === 'value' && draft.text !== '') errors.value = built.error;
  const refused = error !== null ? refusedField(error, draft, definition) : null;
  if (refused !== null) errors[refused] = refusalMessage(error, refused, definition) ?? undefined;

  const subject: PreviewSubject | null = property ? (definition ? { kind: 'property', definition } : null) : { kind: 'tag', tag };

  return (
    <Modal
      opened
      onClose={onClose}
      closeOnEscape={!(busy && stage.kind === 'confirm')}
      closeOnClickOutside={!busy}
      title={given ? `Bulk edit ${given.label}` : nodes.length === 1 ? `Bulk edit under ${nodes[0].name}` : `Bulk edit ${formatCount(nodes.length)} entities`}
      size="xl"
      data-testid="bulk-edit-dialog"
    >
      <div ref={body} onKeyDown={onKeyDown}>
        <Stack gap="md">
          <Stepper active={STEP_OF[stage.kind]} size="xs" allowNextStepsSelect={false}>
            <Stepper.Step label="Choose" description="what to change" />
            <Stepper.Step label="Preview" description="who changes" />
            <Stepper.Step label="Apply" description="all or nothing" />
          </Stepper>

          {stage.kind === 'choose' && (
            <div data-stage-focus="choose">
              <ChooseEdit
                nodes={nodes}
                given={given}
                draft={draft}
                onDraft={change}
                definitions={definitions}
                propertyGroups={groupsQuery.data ?? []}
                tags={tags}
                tagGroups={tagGroupsList.data ?? []}
                types={typesQuery.data ?? []}
                loading={{ definitions: definitionsQuery.isPending, tags: tagsList.isPending, types: typesQuery.isPending }}
                errors={errors}
                disabled={busy}
              />
            </div>
          )}

          {(stage.kind === 'preview' || stage.kind === 'confirm') && subject && (
            <Stack gap="sm" data-testid="bulk-preview">
              <PreviewSummary preview={stage.preview} action={action} kind={draft.action} />
              {stage.preview.changing > 0 && <PreviewTable preview={stage.preview} subject={subject} />}
            </Stack>
          )}

          {stage.kind === 'confirm' && (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Apply this edit?" data-testid="bulk-confirm-question">
              <Text size="sm">
                {describeAction(draft, definition, tag, value, stage.preview.changing)}. They all change together, or none do.
                {stage.preview.targets > BACKGROUND_ABOVE ? ' It runs in the background; you can follow it and cancel it in the jobs panel.' : ''}
              </Text>
            </Alert>
          )}

          {stage.kind === 'done' && (
            <Group gap="sm" wrap="nowrap" data-testid="bulk-result">
              <ThemeIcon color="teal" variant="light" radius="xl" size="lg">
                <IconCheck size={18} />
              </ThemeIcon>
              <div>
                <Text fw={600}>{stage.outcome.changed === 0 ? 'No entity changed' : `${entitiesLabel(stage.outcome.changed)} changed`}</Text>
                <Text size="sm" c="dimmed">
                  {action}
                  {stage.outcome.targets > stage.outcome.changed ? ` (${formatCount(stage.outcome.targets - stage.outcome.changed)} already held it)` : ''}.
                </Text>
              </div>
            </Group>
          )}

          {listError !== null && <ErrorNotice error={listError} compact />}
          {error !== null && refused === null && <ErrorNotice error={error} />}

          <Group justify="space-between" gap="sm">
            <Text size="xs" c="dimmed">
              <Kbd size="xs">Enter</Kbd> {stage.kind === 'done' ? 'close' : 'next'} · <Kbd size="xs">Esc</Kbd> {stage.kind === 'done' ? 'close' : 'cancel'}
            </Text>
            <Group gap="sm">
              {stage.kind === 'done' ? (
                <Button onClick={onClose} data-stage-focus="done" data-testid="bulk-close">
                  Close
                </Button>
              ) : (
                <>
                  <Button variant="default" onClick={onClose} disabled={busy && stage.kind === 'confirm'}>
                    Cancel
                  </Button>
                  {stage.kind !== 'choose' && (
                    <Button
                      variant="default"
                      onClick={back}
                      disabled={busy}
                      data-stage-focus={stage.kind === 'preview' && stage.preview.changing === 0 ? 'preview' : undefined}
                      data-testid="bulk-back"
                    >
                      Back
                    </Button>
                  )}
                  {stage.kind === 'choose' && (
                    <Button onClick={advance} loading={busy} data-testid="bulk-preview-button">
                      Preview
                    </Button>
                  )}
                  {stage.kind === 'preview' && (
                    <Button onClick={advance} disabled={stage.preview.changing === 0} data-stage-focus={stage.preview.changing > 0 ? 'preview' : undefined} data-testid="bulk-apply">
                      {stage.preview.changing > 0 ? `Apply to ${entitiesLabel(stage.preview.changing)}…` : 'Apply…'}
                    </Button>
                  )}
                  {stage.kind === 'confirm' && (
                    <Button color="orange" onClick={advance} loading={busy} data-stage-focus="confirm" data-testid="bulk-confirm">
                      Apply
                    </Button>
                  )}
                </>
              )}
            </Group>
          </Group>
        </Stack>
      </div>
    </Modal>
  );
}

/** "12 of 40 entities will change", and what the rest are like; or that nothing will. */
function PreviewSummary({ preview, action, kind }: { preview: BulkPreview; action: string; kind: ActionKind }) {
  const { targets, changing } = preview;
  const rest = targets - changing;
  let headline: string;
  let detail: string;
  if (targets === 0) {
    headline = 'No entity matches';
    detail = 'No live entity is in the target: go back to choose another.';
  } else if (changing === 0) {
    headline = `None of the ${entitiesLabel(targets)} will change`;
    detail = `${action}: ${targets === 1 ? 'it' : `all ${formatCount(targets)}`} ${unchangedReason(kind, targets)}.`;
  } else {
    headline = `${formatCount(changing)} of ${entitiesLabel(targets)} will change`;
    detail = rest > 0 ? `${action}; the other ${formatCount(rest)} ${unchangedReason(kind, rest)}.` : `${action}.`;
  }
  return (
    <div>
      <Text fw={600} size="lg" data-testid="bulk-preview-counts">
        {headline}
      </Text>
      <Text size="sm" c="dimmed" data-testid="bulk-preview-detail">
        {detail}
      </Text>
    </div>
  );
}

import { Group, Kbd, Loader, Text } from '@mantine/core';
import { useEffect, useRef, type FocusEvent, type KeyboardEvent } from 'react';
import type { PropertyDefinition } from '../../../bindings';
import { editors } from '../../properties';
import classes from './TableView.module.css';

type Props = {
  definition: PropertyDefinition;
  /** The control's id (the cell's label points at it). */
  id: string;
  text: string;
  onText: (text: string) => void;
  /** Why the text cannot be saved (a rule), or null. */
  error: string | null;
  /** Someone else changed the value since the row was read. */
  conflict: string | null;
  saving: boolean;
  onSave: () => void;
  onCancel: () => void;
};

/**
 * A property's editor over its cell. Enter saves, Escape cancels, leaving it
 * saves (after a conflict, leaving it keeps their value).
 */
export function CellEditor({ definition, id, text, onText, error, conflict, saving, onSave, onCancel }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const editor = editors[definition.valueType];

  useEffect(() => {
    const first = box.current?.querySelector<HTMLElement>('input:not([type="hidden"]), textarea, button');
    first?.focus();
    if (first instanceof HTMLInputElement && first.type === 'text') first.select();
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    // An open list handles its own keys (Enter picks, Escape closes it).
    const listOpen = target.getAttribute('aria-expanded') === 'true';
    if (event.key === 'Escape' && !listOpen) {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
      return;
    }
    if (event.key === 'Enter' && !listOpen && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      event.stopPropagation();
      onSave();
      return;
    }
    // Keys typed here are the editor's, not the table's.
    event.stopPropagation();
  };

  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    const next = event.relatedTarget as Node | null;
    if (next && box.current?.contains(next)) return;
    if (saving) return;
    if (conflict) onCancel();
    else onSave();
  };

  return (
    <div
      ref={box}
      className={classes.editor}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
      onClick={(event) => event.stopPropagation()}
      onDoubleClick={(event) => event.stopPropagation()}
      onMouseDown={(event) => event.stopPropagation()}
      role="group"
      aria-label={`Edit ${definition.name}`}
      data-testid="view-cell-editor"
    >
      <editor.Editor id={id} definition={definition} text={text} onChange={onText} invalid={error !== null} required={false} disabled={saving} />
      {error !== null && (
        <Text size="xs" c="red" mt={4} role="alert" data-testid="view-cell-error">
          {error}
        </Text>
      )}
      {conflict !== null && (
        <Text size="xs" c="var(--eco-warning-text)" mt={4} role="alert" data-testid="view-cell-conflict">
          {conflict}
        </Text>
      )}
      <Group gap={6} mt={4} wrap="nowrap">
        {saving && <Loader size={12} />}
        <Text size="xs" c="dimmed">
          <Kbd size="xs">Enter</Kbd> {conflict ? 'save yours over theirs' : 'save'} · <Kbd size="xs">Esc</Kbd> {conflict ? 'keep theirs' : 'cancel'}
        </Text>
      </Group>
    </div>
  );
}

// What every value editor provides: a control, and a format/parse pair
// between a stored PropertyValue and the control's text. The pane keeps
// edits as that text, so an edit is "dirty" exactly when its text differs
// from the formatted stored value.
import type { ComponentType } from 'react';
import type { PropertyDefinition, PropertyValue, Rules, ValueType } from '../../../bindings';

/** The text parsed: a value (null clears it), or why the text is not one. */
export type Parsed = { ok: true; value: PropertyValue | null } | { ok: false; error: string };

export type EditorProps = {
  /** The control's id (the field's label points at it). */
  id: string;
  definition: PropertyDefinition;
  text: string;
  onChange: (text: string) => void;
  /** Drawn as invalid; the field shows the message. */
  invalid: boolean;
  /** The value cannot be cleared (no clear button). */
  required: boolean;
  disabled: boolean;
};

export type EditorModule<T extends ValueType = ValueType> = {
  /** The value type it edits (the registry checks each is under its own type). */
  type: T;
  Editor: ComponentType<EditorProps>;
  /** The control's text for a stored value ('' for none). */
  format: (value: PropertyValue | null, rules: Rules) => string;
  /** The value for the control's text; the rules the core checks, checked early. */
  parse: (text: string, rules: Rules) => Parsed;
  /** A value in words, for conflicts ("their value ..."). */
  display: (value: PropertyValue, rules: Rules) => string;
  /** What the control accepts, shown under it (null: nothing to add). */
  hint: (rules: Rules) => string | null;
};

export const ok = (value: PropertyValue | null): Parsed => ({ ok: true, value });
export const fail = (error: string): Parsed => ({ ok: false, error });

/** The payload of `value` when it is of type `type`. */
/** The payload of each value type. */
type Payloads = { [V in PropertyValue as V['type']]: V['value'] };

export function payloadOf<T extends ValueType>(value: PropertyValue | null, type: T): Payloads[T] | null {
  if (value === null || value.type !== type) return null;
  return value.value as Payloads[T];
}

/** Characters as the core counts them (Unicode scalar values). */
export function charCount(text: string): number {
  return [...text].length;
}

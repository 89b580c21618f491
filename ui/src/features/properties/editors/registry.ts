// The editor of each value type. A new value type does not compile until it
// has an editor here, filed under its own type.
import type { PropertyValue, Rules, ValueType } from '../../../bindings';
import { booleanEditor } from './boolean';
import { dateEditor } from './date';
import { ipAddressEditor } from './ipAddress';
import { jsonEditor } from './json';
import { multiSelectEditor } from './multiSelect';
import { numberEditor } from './number';
import { secretReferenceEditor } from './secretReference';
import { singleSelectEditor } from './singleSelect';
import { textEditor } from './text';
import type { EditorModule } from './types';
import { urlEditor } from './url';

const byType = {
  text: textEditor,
  number: numberEditor,
  boolean: booleanEditor,
  date: dateEditor,
  json: jsonEditor,
  ip_address: ipAddressEditor,
  url: urlEditor,
  secret_reference: secretReferenceEditor,
  single_select: singleSelectEditor,
  multi_select: multiSelectEditor,
} satisfies { [T in ValueType]: EditorModule<T> };

export const editors: Record<ValueType, EditorModule> = byType;

/** A value in words ("none" for no value). */
export function displayValue(type: ValueType, value: PropertyValue | null, rules: Rules): string {
  return value === null ? 'none' : editors[type].display(value, rules);
}

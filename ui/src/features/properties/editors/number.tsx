import { TextInput } from '@mantine/core';
import type { Rules } from '../../../bindings';
import { compareDecimals, isPlainDecimal, normalizeDecimal } from './decimal';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

/** The most characters a number may have (the core's limit). */
const MAX_CHARS = 100;

function parse(typed: string, rules: Rules): Parsed {
  if (typed.trim() === '') return ok(null);
  const text = normalizeDecimal(typed);
  if (/^-?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(text)) return fail('Write the number without an exponent');
  if (text.includes(',')) return fail('Use a point for decimals and no thousands separators');
  if (!isPlainDecimal(text)) return fail('Not a number');
  if (text.length > MAX_CHARS) return fail(`At most ${MAX_CHARS} characters`);
  if (rules.integer === true && text.includes('.')) return fail('Must be a whole number');
  if (rules.min != null && compareDecimals(text, rules.min) < 0) return fail(`Must be at least ${rules.min}`);
  if (rules.max != null && compareDecimals(text, rules.max) > 0) return fail(`Must be at most ${rules.max}`);
  return ok({ type: 'number', value: text });
}

function hint(rules: Rules): string | null {
  const kind = rules.integer === true ? 'Whole number' : null;
  const { min, max } = rules;
  const range = min != null && max != null ? `from ${min} to ${max}` : min != null ? `${min} or more` : max != null ? `up to ${max}` : null;
  if (kind && range) return `${kind}, ${range}`;
  if (range) return range[0].toUpperCase() + range.slice(1);
  return kind;
}

/** A text box: numbers stay exact decimal text, never floating point. */
function NumberEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  return (
    <TextInput
      id={id}
      value={text}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={invalid}
      disabled={disabled}
      inputMode={definition.rules.integer === true ? 'numeric' : 'decimal'}
      styles={{ input: { fontVariantNumeric: 'tabular-nums' } }}
      data-testid={`prop-input-${definition.key}`}
    />
  );
}

export const numberEditor: EditorModule<'number'> = {
  type: 'number',
  Editor: NumberEditor,
  format: (value) => payloadOf(value, 'number') ?? '',
  parse,
  display: (value) => payloadOf(value, 'number') ?? '',
  hint,
};

import { Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Rules } from '../../../bindings';
import { charCount, fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

const DEFAULT_MAX_LENGTH = 10_000;

/** The pattern as a JavaScript expression of the whole value; null when JavaScript cannot read it (the core still checks). */
function wholeMatch(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null;
  }
}

function parse(text: string, rules: Rules): Parsed {
  if (text === '') return ok(null);
  const length = charCount(text);
  const max = rules.maxLength ?? DEFAULT_MAX_LENGTH;
  if (length > max) return fail(`At most ${max.toLocaleString('en-US')} characters (${length.toLocaleString('en-US')} now)`);
  if (rules.minLength != null && length < rules.minLength) return fail(`At least ${rules.minLength.toLocaleString('en-US')} characters`);
  if (text.includes('\0')) return fail('Cannot contain a NUL character');
  if (rules.pattern != null && wholeMatch(rules.pattern)?.test(text) === false) return fail(`Must match ${rules.pattern}`);
  return ok({ type: 'text', value: text });
}

function hint(rules: Rules): string | null {
  const parts: string[] = [];
  if (rules.minLength != null && rules.maxLength != null) parts.push(`${rules.minLength}–${rules.maxLength} characters`);
  else if (rules.minLength != null) parts.push(`at least ${rules.minLength} characters`);
  else if (rules.maxLength != null) parts.push(`up to ${rules.maxLength} characters`);
  if (rules.pattern != null) parts.push(`matching ${rules.pattern}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** One line, or a growing text area for a value that already has several lines. */
function TextEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  const [multiline] = useState(() => text.includes('\n'));
  const common = {
    id,
    value: text,
    onChange: (event: { currentTarget: { value: string } }) => onChange(event.currentTarget.value),
    error: invalid,
    disabled,
    'data-testid': `prop-input-${definition.key}`,
  };
  return multiline ? <Textarea {...common} autosize minRows={2} maxRows={12} /> : <TextInput {...common} />;
}

export const textEditor: EditorModule<'text'> = {
  type: 'text',
  Editor: TextEditor,
  format: (value) => payloadOf(value, 'text') ?? '',
  parse,
  display: (value) => payloadOf(value, 'text') ?? '',
  hint,
};

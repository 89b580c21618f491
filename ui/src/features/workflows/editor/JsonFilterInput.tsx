import { Textarea } from '@mantine/core';
import { useState } from 'react';
import type { Filter } from '../../../bindings';

type Props = {
  label: string;
  value: Filter | null;
  onChange: (next: Filter | null) => void;
  /** Whether an empty text stands for "no filter" (else a filter is required). */
  nullable: boolean;
  /** The checker's message for this filter. */
  error?: string;
  description?: string;
  testId: string;
};

type Parsed = { ok: true; filter: Filter | null } | { ok: false; message: string };

export function formatFilter(filter: Filter | null): string {
  return filter === null ? '' : JSON.stringify(filter, null, 2);
}

/**
 * Reads a filter from JSON text. Only its shape as JSON is checked here (an
 * object); whether it is a valid filter is the checker's to say.
 */
export function parseFilter(text: string, nullable: boolean): Parsed {
  if (text.trim() === '') return nullable ? { ok: true, filter: null } : { ok: false, message: 'Write a filter, for example {"all": []}.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'A filter is a JSON object, such as {"text": "pump"}.' };
  }
  return { ok: true, filter: value as Filter };
}

/** A filter in the views' filter language, edited as JSON and read when the field is left. */
export function JsonFilterInput({ label, value, onChange, nullable, error, description, testId }: Props) {
  // The text being edited (and why it does not parse); null shows the value.
  const [editing, setEditing] = useState<{ text: string; problem: string | null } | null>(null);
  const text = editing?.text ?? formatFilter(value);
  return (
    <Textarea
      label={label}
      description={description}
      value={text}
      onChange={(e) => setEditing({ text: e.currentTarget.value, problem: null })}
      onBlur={() => {
        if (editing === null) return;
        const parsed = parseFilter(editing.text, nullable);
        if (parsed.ok) {
          setEditing(null);
          onChange(parsed.filter);
        } else {
          setEditing({ text: editing.text, problem: parsed.message });
        }
      }}
      error={editing?.problem ?? error}
      placeholder={nullable ? 'No filter' : '{"all": []}'}
      autosize
      minRows={3}
      maxRows={12}
      spellCheck={false}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
      data-testid={testId}
    />
  );
}

import { TextInput } from '@mantine/core';
import type { Rules } from '../../../bindings';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** "+01:00" for a local time (its offset that day, daylight saving included). */
function localOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  return `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** The local wall time of an RFC 3339 instant, as a datetime-local input holds it (seconds only when not zero). */
function toLocalInput(instant: string): string | null {
  if (!RFC3339.test(instant)) return null;
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return null;
  const base = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return date.getSeconds() === 0 ? base : `${base}:${pad(date.getSeconds())}`;
}

function format(value: Parameters<EditorModule['format']>[0], rules: Rules): string {
  const stored = payloadOf(value, 'date');
  if (stored === null) return '';
  if (rules.withTime !== true) return stored;
  // A datetime-local input holds no bare date: a stored day shows at midnight.
  if (DATE.test(stored)) return `${stored}T00:00`;
  return toLocalInput(stored) ?? stored;
}

function checkBounds(day: string, rules: Rules): string | null {
  if (rules.min != null && day < rules.min) return `Must be on or after ${rules.min}`;
  if (rules.max != null && day > rules.max) return `Must be on or before ${rules.max}`;
  return null;
}

function parse(typed: string, rules: Rules): Parsed {
  const text = typed.trim();
  if (text === '') return ok(null);
  const date = DATE.exec(text);
  if (date) {
    if (!isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) return fail('Not a date on the calendar');
    const outOfRange = checkBounds(text, rules);
    return outOfRange ? fail(outOfRange) : ok({ type: 'date', value: text });
  }
  if (rules.withTime !== true) return fail('Not a date like 2026-03-01');
  if (RFC3339.test(text)) {
    if (Number.isNaN(new Date(text).getTime())) return fail('Not a time on the calendar');
    const outOfRange = checkBounds(text.slice(0, 10), rules);
    return outOfRange ? fail(outOfRange) : ok({ type: 'date', value: text });
  }
  const local = LOCAL_DATE_TIME.exec(text);
  if (!local) return fail('Not a date and time like 2026-03-01 09:30');
  const [year, month, day, hour, minute, second] = local.slice(1).map((part) => Number(part ?? 0));
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return fail('Not a time on the calendar');
  const when = new Date(year, month - 1, day, hour, minute, second);
  const outOfRange = checkBounds(text.slice(0, 10), rules);
  if (outOfRange) return fail(outOfRange);
  return ok({ type: 'date', value: `${text.slice(0, 16)}:${pad(second)}${localOffset(when)}` });
}

function hint(rules: Rules): string | null {
  const parts: string[] = [];
  if (rules.withTime === true) parts.push(`Your local time (UTC${localOffset(new Date())})`);
  if (rules.min != null && rules.max != null) parts.push(`from ${rules.min} to ${rules.max}`);
  else if (rules.min != null) parts.push(`on or after ${rules.min}`);
  else if (rules.max != null) parts.push(`on or before ${rules.max}`);
  if (parts.length === 0) return null;
  const text = parts.join(', ');
  return text[0].toUpperCase() + text.slice(1);
}

/** The platform's date (or date and time) input, drawn as a Mantine text input. */
function DateEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  const { withTime, min, max } = definition.rules;
  const timed = withTime === true;
  return (
    <TextInput
      id={id}
      type={timed ? 'datetime-local' : 'date'}
      value={text}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={invalid}
      disabled={disabled}
      min={min != null ? (timed ? `${min}T00:00` : min) : undefined}
      max={max != null ? (timed ? `${max}T23:59:59` : max) : undefined}
      step={timed ? 1 : undefined}
      maw={timed ? 260 : 200}
      data-testid={`prop-input-${definition.key}`}
    />
  );
}

function display(value: Parameters<EditorModule['display']>[0]): string {
  const stored = payloadOf(value, 'date') ?? '';
  return DATE.test(stored) ? stored : (toLocalInput(stored)?.replace('T', ' ') ?? stored);
}

export const dateEditor: EditorModule<'date'> = {
  type: 'date',
  Editor: DateEditor,
  format,
  parse,
  display,
  hint,
};

import { TextInput } from '@mantine/core';
import { IconLink } from '@tabler/icons-react';
import type { Rules } from '../../../bindings';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

const DEFAULT_SCHEMES = ['http', 'https'];
const MAX_LENGTH = 4_096;

const schemesOf = (rules: Rules): string[] => rules.schemes ?? DEFAULT_SCHEMES;

/** "https://" or "http:// or https://". */
const prefixes = (schemes: string[]) => orList(schemes.map((scheme) => `${scheme}://`));

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function parse(typed: string, rules: Rules): Parsed {
  const text = typed.trim();
  if (text === '') return ok(null);
  const schemes = schemesOf(rules);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`Not a URL; start with the scheme, e.g. ${schemes[0]}://`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) return fail(`Must start with ${prefixes(schemes)}`);
  if (text.length > MAX_LENGTH) return fail(`At most ${MAX_LENGTH.toLocaleString('en-US')} characters`);
  return ok({ type: 'url', value: text });
}

function hint(rules: Rules): string {
  const schemes = schemesOf(rules);
  return `A URL starting with ${prefixes(schemes)}, e.g. ${schemes[0]}://example.org/`;
}

function UrlEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  return (
    <TextInput
      id={id}
      value={text}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={invalid}
      disabled={disabled}
      leftSection={<IconLink size={16} />}
      placeholder={`${schemesOf(definition.rules)[0]}://`}
      spellCheck={false}
      autoCapitalize="off"
      autoCorrect="off"
      data-testid={`prop-input-${definition.key}`}
    />
  );
}

export const urlEditor: EditorModule<'url'> = {
  type: 'url',
  Editor: UrlEditor,
  format: (value) => payloadOf(value, 'url') ?? '',
  parse,
  display: (value) => payloadOf(value, 'url') ?? '',
  hint,
};

import { Textarea } from '@mantine/core';
import type { Rules } from '../../../bindings';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

const DEFAULT_MAX_BYTES = 65_536;
const DEFAULT_MAX_DEPTH = 32;

/** A JSON document as a tree of its tokens' text (numbers and strings exactly as written). */
type Node = { kind: 'object'; entries: [string, Node][] } | { kind: 'array'; items: Node[] } | { kind: 'scalar'; text: string };

/** Reads valid JSON text into a tree, keeping each scalar's text. */
function readTree(text: string): Node {
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const scalar = (): string => {
    const start = i;
    if (text[i] === '"') {
      i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else {
      while (i < text.length && !/[\s,\]}:]/.test(text[i])) i++;
    }
    return text.slice(start, i);
  };
  const value = (): Node => {
    skip();
    const open = text[i];
    if (open !== '{' && open !== '[') return { kind: 'scalar', text: scalar() };
    i++;
    const entries: [string, Node][] = [];
    const items: Node[] = [];
    skip();
    while (text[i] !== (open === '{' ? '}' : ']')) {
      if (open === '{') {
        skip();
        const key = scalar();
        skip();
        i++; // ':'
        entries.push([key, value()]);
      } else {
        items.push(value());
      }
      skip();
      if (text[i] === ',') i++;
      skip();
    }
    i++;
    return open === '{' ? { kind: 'object', entries } : { kind: 'array', items };
  };
  return value();
}

/** A container of scalars this short stays on one line. */
const INLINE_WIDTH = 60;

function children(node: Node): Node[] {
  return node.kind === 'object' ? node.entries.map(([, child]) => child) : node.kind === 'array' ? node.items : [];
}

function compact(node: Node): string {
  switch (node.kind) {
    case 'scalar':
      return node.text;
    case 'array':
      return `[${node.items.map(compact).join(', ')}]`;
    case 'object':
      return `{${node.entries.map(([key, child]) => `${key}: ${compact(child)}`).join(', ')}}`;
  }
}

function render(node: Node, depth: number): string {
  if (node.kind === 'scalar') return node.text;
  const flat = children(node).every((child) => child.kind === 'scalar' || children(child).length === 0);
  const oneLine = compact(node);
  if (children(node).length === 0 || (flat && oneLine.length <= INLINE_WIDTH)) return oneLine;
  const inner = '  '.repeat(depth + 1);
  const lines =
    node.kind === 'object' ? node.entries.map(([key, child]) => `${inner}${key}: ${render(child, depth + 1)}`) : node.items.map((child) => `${inner}${render(child, depth + 1)}`);
  const [open, close] = node.kind === 'object' ? ['{', '}'] : ['[', ']'];
  return `${open}\n${lines.join(',\n')}\n${'  '.repeat(depth)}${close}`;
}

/**
 * Valid JSON text laid out two spaces a level, short lists of scalars on one
 * line. Only whitespace between tokens changes: numbers keep every digit and
 * strings every escape.
 */
export function prettyJson(text: string): string {
  return render(readTree(text), 0);
}

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => key.includes('\0') || hasNul(item));
  return false;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parse(text: string, rules: Rules): Parsed {
  if (text.trim() === '') return ok(null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^JSON(\.parse| Parse error)?:?\s*/i, '');
    return fail(`Not valid JSON: ${reason}`);
  }
  const bytes = new TextEncoder().encode(text).length;
  const maxBytes = rules.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes > maxBytes) return fail(`At most ${maxBytes.toLocaleString('en-US')} bytes (${bytes.toLocaleString('en-US')} now)`);
  const maxDepth = rules.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (depthOf(parsed) > maxDepth) return fail(`Nested more than ${maxDepth} levels`);
  if (hasNul(parsed)) return fail('Cannot contain a NUL character');
  return ok({ type: 'json', value: text });
}

function hint(rules: Rules): string | null {
  const parts: string[] = [];
  if (rules.maxBytes != null) parts.push(`up to ${rules.maxBytes.toLocaleString('en-US')} bytes`);
  if (rules.maxDepth != null) parts.push(`nested up to ${rules.maxDepth} levels`);
  return parts.length > 0 ? `JSON, ${parts.join(', ')}` : null;
}

/** A monospace text area; the text is checked as JSON while you type. */
function JsonEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  return (
    <Textarea
      id={id}
      value={text}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={invalid}
      disabled={disabled}
      autosize
      minRows={3}
      maxRows={16}
      spellCheck={false}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
      data-testid={`prop-input-${definition.key}`}
    />
  );
}

export const jsonEditor: EditorModule<'json'> = {
  type: 'json',
  Editor: JsonEditor,
  format: (value) => {
    const text = payloadOf(value, 'json');
    if (text === null) return '';
    return isJson(text) ? prettyJson(text) : text;
  },
  parse,
  display: (value) => payloadOf(value, 'json') ?? '',
  hint,
};

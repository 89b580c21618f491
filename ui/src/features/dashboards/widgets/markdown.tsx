// A small Markdown renderer for notes: headings (# to ###), paragraphs,
// **bold**, *italic*, `code`, fenced code, bullet and numbered lists, and
// links shown as their text with the URL beside it (never followed). It
// builds React elements from text, so nothing in a note is ever markup.
import { Code, List, Stack, Text, Title } from '@mantine/core';
import { Fragment, useMemo, type ReactNode } from 'react';

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'link'; children: Inline[]; url: string };

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; inlines: Inline[] }
  | { kind: 'paragraph'; inlines: Inline[] }
  | { kind: 'list'; ordered: boolean; start: number; items: Inline[][] }
  | { kind: 'code'; text: string };

const ESCAPABLE = /[\\`*_[\]()#+\-.!>]/;
const LINK = /^\[([^\]]*)\]\(([^()\s]*)\)/;
const WORD = /[\p{L}\p{N}]/u;

/** The text of `s` as inline pieces; an unmatched marker stays literal text. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && ESCAPABLE.test(s[i + 1])) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ kind: 'code', text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (s.startsWith('**', i) || s.startsWith('__', i)) {
      const marker = s.slice(i, i + 2);
      const end = s.indexOf(marker, i + 2);
      if (end > i + 2 && s[i + 2] !== ' ' && s[end - 1] !== ' ') {
        flush();
        out.push({ kind: 'strong', children: parseInline(s.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if (c === '*' || c === '_') {
      const end = closingEmphasis(s, i, c);
      if (end !== -1) {
        flush();
        out.push({ kind: 'em', children: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const match = LINK.exec(s.slice(i));
      if (match) {
        flush();
        out.push({ kind: 'link', children: parseInline(match[1]), url: match[2] });
        i += match[0].length;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  flush();
  return out;
}

/** Where a single * or _ emphasis opened at `start` closes, or -1 (an underscore inside a word is text). */
function closingEmphasis(s: string, start: number, marker: string): number {
  const next = s[start + 1];
  if (next === undefined || next === ' ' || next === marker) return -1;
  if (marker === '_' && start > 0 && WORD.test(s[start - 1])) return -1;
  for (let j = start + 2; j < s.length; j += 1) {
    if (s[j] !== marker) continue;
    if (s[j + 1] === marker) {
      // A double marker belongs to a bold inside the emphasis.
      j += 1;
      continue;
    }
    if (s[j - 1] === ' ' || s[j - 1] === '\\') continue;
    if (marker === '_' && j + 1 < s.length && WORD.test(s[j + 1])) continue;
    return j;
  }
  return -1;
}

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const FENCE = /^\s*```/;

/** The blocks of a note; blank lines separate paragraphs and lists. */
export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; start: number; items: string[] } | null = null;
  let fence: string[] | null = null;

  const flushParagraph = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', inlines: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  const flushList = () => {
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, start: list.start, items: list.items.map(parseInline) });
    list = null;
  };
  const addItem = (ordered: boolean, start: number, text: string) => {
    flushParagraph();
    if (list && list.ordered !== ordered) flushList();
    if (!list) list = { ordered, start, items: [] };
    list.items.push(text.trim());
  };

  for (const line of source.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence !== null) {
      if (FENCE.test(line)) {
        blocks.push({ kind: 'code', text: fence.join('\n') });
        fence = null;
      } else {
        fence.push(line);
      }
      continue;
    }
    if (FENCE.test(line)) {
      flushParagraph();
      flushList();
      fence = [];
      continue;
    }
    if (line.trim() === '') {
      flushParagraph();
      flushList();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flushParagraph();
      flushList();
      const level = Math.min(heading[1].length, 3) as 1 | 2 | 3;
      blocks.push({ kind: 'heading', level, inlines: parseInline(heading[2]) });
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      addItem(false, 1, bullet[1]);
      continue;
    }
    const numbered = NUMBERED.exec(line);
    if (numbered) {
      addItem(true, Number(numbered[1]), numbered[2]);
      continue;
    }
    const open = list as { items: string[] } | null;
    if (open && /^\s/.test(line)) {
      // An indented line continues the last item.
      open.items[open.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    flushList();
    paragraph.push(line.trim());
  }
  if (fence !== null) blocks.push({ kind: 'code', text: fence.join('\n') });
  flushParagraph();
  flushList();
  return blocks;
}

function inlineText(inlines: Inline[]): string {
  return inlines.map((i) => (i.kind === 'text' || i.kind === 'code' ? i.text : inlineText(i.children))).join('');
}

function renderInlines(inlines: Inline[]): ReactNode {
  return inlines.map((inline, i) => {
    switch (inline.kind) {
      case 'text':
        return <Fragment key={i}>{inline.text}</Fragment>;
      case 'code':
        return <Code key={i}>{inline.text}</Code>;
      case 'strong':
        return <strong key={i}>{renderInlines(inline.children)}</strong>;
      case 'em':
        return <em key={i}>{renderInlines(inline.children)}</em>;
      case 'link': {
        const label = inlineText(inline.children);
        return (
          <Fragment key={i}>
            {renderInlines(inline.children)}
            {inline.url && label !== inline.url && (
              <Text span c="dimmed" size="sm" data-testid="widget-markdown-url">
                {` (${inline.url})`}
              </Text>
            )}
          </Fragment>
        );
      }
    }
  });
}

const TITLE_ORDERS = { 1: 3, 2: 4, 3: 5 } as const;

function renderBlock(block: Block, key: number): ReactNode {
  switch (block.kind) {
    case 'heading':
      return (
        <Title key={key} order={TITLE_ORDERS[block.level]}>
          {renderInlines(block.inlines)}
        </Title>
      );
    case 'paragraph':
      return (
        <Text key={key} size="sm">
          {renderInlines(block.inlines)}
        </Text>
      );
    case 'list':
      return (
        <List key={key} type={block.ordered ? 'ordered' : 'unordered'} start={block.ordered ? block.start : undefined} size="sm" withPadding>
          {block.items.map((item, i) => (
            <List.Item key={i}>{renderInlines(item)}</List.Item>
          ))}
        </List>
      );
    case 'code':
      return (
        <Code key={key} block>
          {block.text}
        </Code>
      );
  }
}

/** A note rendered from its Markdown text. */
export function MarkdownText({ text }: { text: string }) {
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return (
    <Stack gap="xs" data-testid="widget-markdown">
      {blocks.map(renderBlock)}
    </Stack>
  );
}

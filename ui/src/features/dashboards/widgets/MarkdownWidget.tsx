// A note written in Markdown.
import { ScrollArea, Textarea } from '@mantine/core';
import { MarkdownText } from './markdown';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch } from './WidgetNotice';

/** The most characters the core keeps in a note. */
export const MAX_NOTE = 20_000;

export function MarkdownRender({ config, data, height }: WidgetRenderProps) {
  // The note's text is in the config; the data echoes it.
  const text = config.type === 'markdown' ? config.text : data.type === 'markdown' ? data.text : null;
  if (text === null) return <DataMismatch />;
  return (
    <ScrollArea h={height} type="auto" px="xs">
      <MarkdownText text={text} />
    </ScrollArea>
  );
}

export function MarkdownConfigForm({ value, onChange }: { value: ConfigOf<'markdown'>; onChange: (next: ConfigOf<'markdown'>) => void }) {
  return (
    <Textarea
      label="Note"
      description="Markdown: # headings, **bold**, *italic*, `code`, - lists, 1. numbered lists, [links](https://…)"
      value={value.text}
      onChange={(event) => onChange({ ...value, text: event.currentTarget.value })}
      autosize
      minRows={6}
      maxRows={16}
      maxLength={MAX_NOTE}
      error={value.text.length > MAX_NOTE ? `At most ${MAX_NOTE.toLocaleString('en-US')} characters.` : undefined}
      data-testid="widget-config-text"
    />
  );
}

import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installBackend, renderWithProviders } from '../../../test/fixtures';
import { MarkdownText, parseInline, parseMarkdown } from './markdown';

describe('parseInline', () => {
  it('reads bold, italic, code and links', () => {
    expect(parseInline('a **b** *c* `d` [e](https://x.y)')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'strong', children: [{ kind: 'text', text: 'b' }] },
      { kind: 'text', text: ' ' },
      { kind: 'em', children: [{ kind: 'text', text: 'c' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'd' },
      { kind: 'text', text: ' ' },
      { kind: 'link', children: [{ kind: 'text', text: 'e' }], url: 'https://x.y' },
    ]);
  });

  it('nests emphasis and keeps code literal', () => {
    expect(parseInline('**bold *and italic* too**')).toEqual([
      {
        kind: 'strong',
        children: [
          { kind: 'text', text: 'bold ' },
          { kind: 'em', children: [{ kind: 'text', text: 'and italic' }] },
          { kind: 'text', text: ' too' },
        ],
      },
    ]);
    expect(parseInline('*italic **and bold** too*')).toEqual([
      {
        kind: 'em',
        children: [
          { kind: 'text', text: 'italic ' },
          { kind: 'strong', children: [{ kind: 'text', text: 'and bold' }] },
          { kind: 'text', text: ' too' },
        ],
      },
    ]);
    expect(parseInline('`**not bold**`')).toEqual([{ kind: 'code', text: '**not bold**' }]);
  });

  it('leaves unmatched markers, escaped markers and snake_case words as text', () => {
    expect(parseInline('2 * 3 = 6')).toEqual([{ kind: 'text', text: '2 * 3 = 6' }]);
    expect(parseInline('\\*not italic\\*')).toEqual([{ kind: 'text', text: '*not italic*' }]);
    expect(parseInline('power_kw and temp_c')).toEqual([{ kind: 'text', text: 'power_kw and temp_c' }]);
    expect(parseInline('_italic_')).toEqual([{ kind: 'em', children: [{ kind: 'text', text: 'italic' }] }]);
  });
});

describe('parseMarkdown', () => {
  it('reads headings, paragraphs and lists separated by blank lines', () => {
    const blocks = parseMarkdown('# One\n## Two\n### Three\n#### Four\n\nfirst line\nsecond line\n\n- a\n* b\n\n3. c\n4. d\n');
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'heading', 'heading', 'heading', 'paragraph', 'list', 'list']);
    expect(blocks.slice(0, 4).map((b) => (b.kind === 'heading' ? b.level : 0))).toEqual([1, 2, 3, 3]);
    expect(blocks[4]).toEqual({ kind: 'paragraph', inlines: [{ kind: 'text', text: 'first line second line' }] });
    expect(blocks[5]).toMatchObject({ kind: 'list', ordered: false, items: [[{ text: 'a' }], [{ text: 'b' }]] });
    expect(blocks[6]).toMatchObject({ kind: 'list', ordered: true, start: 3, items: [[{ text: 'c' }], [{ text: 'd' }]] });
  });

  it('continues an item on an indented line and reads fenced code as it is', () => {
    const blocks = parseMarkdown('- one\n  more\ntext\n\n```\n# not a heading\n```');
    expect(blocks[0]).toMatchObject({ kind: 'list', items: [[{ text: 'one more' }]] });
    expect(blocks[1]).toMatchObject({ kind: 'paragraph', inlines: [{ text: 'text' }] });
    expect(blocks[2]).toEqual({ kind: 'code', text: '# not a heading' });
  });

  it('reads nothing from an empty note', () => {
    expect(parseMarkdown('')).toEqual([]);
    expect(parseMarkdown('\n\n  \n')).toEqual([]);
  });
});

describe('MarkdownText', () => {
  const show = (text: string) => {
    installBackend({});
    renderWithProviders(<MarkdownText text={text} />);
    return screen.getByTestId('widget-markdown');
  };

  it('renders headings, emphasis, lists and links as elements', () => {
    const note = show('# Plant\n\nAll **good** and *calm*, see [the docs](https://example.org).\n\n1. first\n2. second\n\n- x');
    expect(screen.getByRole('heading', { name: 'Plant' })).toBeInTheDocument();
    expect(note.querySelector('strong')?.textContent).toBe('good');
    expect(note.querySelector('em')?.textContent).toBe('calm');
    expect(note.querySelector('ol')?.getAttribute('start')).toBe('1');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['first', 'second', 'x']);
    expect(note.textContent).toContain('the docs (https://example.org)');
    // Links are text: nothing in a note navigates.
    expect(note.querySelector('a')).toBeNull();
  });

  it('never turns text into markup', () => {
    const note = show('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))');
    expect(note.querySelector('script')).toBeNull();
    expect(note.querySelector('img')).toBeNull();
    expect(note.querySelector('a')).toBeNull();
    expect(note.textContent).toContain('<script>alert(1)</script>');
    expect(note.textContent).toContain('<img src=x onerror="alert(2)">');
  });
});

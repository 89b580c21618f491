import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { installBackend, renderWithProviders } from '../../../test/fixtures';
import { widgetRegistry } from './index';

const Markdown = widgetRegistry.markdown;

describe('the note widget', () => {
  it('renders the note of its config', () => {
    installBackend({});
    const setPngExporter = vi.fn();
    renderWithProviders(
      <Markdown.Render
        config={{ type: 'markdown', text: '## Shift notes\n\n- check **pump 3**\n- <b>not bold</b>' }}
        data={{ type: 'markdown', text: 'older text' }}
        onCrossFilter={vi.fn()}
        setPngExporter={setPngExporter}
        width={300}
        height={200}
      />,
    );
    const note = screen.getByTestId('widget-markdown');
    expect(screen.getByRole('heading', { level: 4, name: 'Shift notes' })).toBeInTheDocument();
    expect(note.querySelector('strong')).toHaveTextContent('pump 3');
    expect(note.querySelector('b')).toBeNull();
    expect(note).toHaveTextContent('<b>not bold</b>');
    expect(note).not.toHaveTextContent('older text');
    expect(setPngExporter).not.toHaveBeenCalled();
  });

  it('edits the note in a labelled text area', () => {
    installBackend({});
    const onChange = vi.fn();
    renderWithProviders(<Markdown.ConfigForm value={{ type: 'markdown', text: 'hi' }} onChange={onChange} />);
    const area = screen.getByRole('textbox', { name: 'Note' });
    expect(area).toHaveAttribute('data-testid', 'widget-config-text');
    fireEvent.change(area, { target: { value: '# Title' } });
    expect(onChange).toHaveBeenCalledWith({ type: 'markdown', text: '# Title' });
  });
});

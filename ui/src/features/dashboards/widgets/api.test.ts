import { describe, expect, it } from 'vitest';
import { callsOf, installBackend } from '../../../test/fixtures';
import { exportContent } from './api';
import { saveExport } from './index';

describe('saving an export', () => {
  it('sends CSV as text and a PNG data URL as base64', () => {
    expect(exportContent({ csv: 'a,b\n' })).toEqual({ kind: 'text', text: 'a,b\n' });
    expect(exportContent({ pngDataUrl: 'data:image/png;base64,iVBORw0KGgo=' })).toEqual({ kind: 'base64', data: 'iVBORw0KGgo=' });
    expect(() => exportContent({ pngDataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' })).toThrow('not a PNG');
  });

  it('returns the path the core wrote', async () => {
    const calls = installBackend({ handlers: { save_widget_export: () => '/home/me/Downloads/power.csv' } });
    await expect(saveExport('power.csv', { csv: 'time,value\n' })).resolves.toBe('/home/me/Downloads/power.csv');
    expect(callsOf(calls, 'save_widget_export')).toEqual([{ fileName: 'power.csv', content: { kind: 'text', text: 'time,value\n' } }]);
  });

  it('throws the refusal', async () => {
    installBackend({
      handlers: {
        save_widget_export: () => {
          throw { type: 'Validation', data: { field: 'fileName', message: 'bad name', rule: 'format' } };
        },
      },
    });
    await expect(saveExport('../x.csv', { csv: '' })).rejects.toThrow('bad name');
  });
});

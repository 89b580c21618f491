import { emit } from '@tauri-apps/api/event';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { AppError, ExportStarted, JobProgress, ViewDocument } from '../../../bindings';
import { LiveUpdatesProvider } from '../../../live/LiveUpdates';
import { callsOf, deferred, installBackend, renderWithProviders, type FakeBackend } from '../../../test/fixtures';
import { JobsPanel, JobsProvider } from '../../jobs';
import { ExportDialog } from '.';
import { exportFileName } from './ExportDialog';

const document: ViewDocument = { version: 2, filter: null, columns: [{ field: 'name' }], viewType: 'table' };

function renderDialog(handlers: FakeBackend['handlers'] = {}) {
  const calls = installBackend({
    handlers: {
      suggest_export_path: (args) => `/home/ada/Downloads/${String(args?.fileName)}`,
      view_count: () => ({ count: 1234, exact: true }),
      export_view: (): ExportStarted => ({ jobId: 'job-1', total: 1234 }),
      cancel_job: () => true,
      ...handlers,
    },
  });
  const onClose = vi.fn();
  const user = userEvent.setup();
  const rendered = renderWithProviders(
    <LiveUpdatesProvider>
      <JobsProvider>
        <ExportDialog document={document} viewName="Boilers (East wing)" onClose={onClose} />
        <JobsPanel />
      </JobsProvider>
    </LiveUpdatesProvider>,
  );
  return { calls, onClose, user, ...rendered };
}

const pathInput = () => screen.getByTestId('export-path') as HTMLInputElement;
const progress = async (payload: JobProgress) => act(async () => void (await emit('job-progress', payload)));

describe('exportFileName', () => {
  it('makes a file name from the view name', () => {
    expect(exportFileName('Boilers (East wing)', 'csv')).toBe('boilers-east-wing.csv');
    expect(exportFileName('  Räume / Übersicht  ', 'json')).toBe('raume-ubersicht.json');
    expect(exportFileName('***', 'csv')).toBe('view.csv');
  });
});

describe('ExportDialog', () => {
  it('suggests a path for the format, and a new one when the format changes', async () => {
    const { calls, user } = renderDialog();
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.csv'));
    expect(screen.getByTestId('export-csv-note')).toHaveTextContent('formulas');
    expect(screen.getByTestId('export-row-count')).toHaveTextContent('1,234 rows');

    await user.click(screen.getByTestId('export-format-json'));
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.json'));
    expect(screen.queryByTestId('export-csv-note')).toBeNull();
    expect(callsOf(calls, 'suggest_export_path')).toEqual([{ fileName: 'boilers-east-wing.csv' }, { fileName: 'boilers-east-wing.json' }]);
  });

  it('keeps a path the person typed when the format changes', async () => {
    const { calls, user } = renderDialog();
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.csv'));
    await user.clear(pathInput());
    await user.type(pathInput(), '/tmp/mine.csv');
    await user.click(screen.getByTestId('export-format-json'));
    expect(pathInput()).toHaveValue('/tmp/mine.csv');
    expect(callsOf(calls, 'suggest_export_path')).toHaveLength(1);
  });

  it('ignores a suggestion that arrives after a newer one was asked for', async () => {
    const slow = deferred<string>();
    const { user } = renderDialog({ suggest_export_path: (args) => (String(args?.fileName).endsWith('.csv') ? slow.promise : '/d/boilers-east-wing.json') });
    await user.click(screen.getByTestId('export-format-json'));
    await waitFor(() => expect(pathInput()).toHaveValue('/d/boilers-east-wing.json'));
    await act(async () => slow.resolve('/d/boilers-east-wing.csv'));
    expect(pathInput()).toHaveValue('/d/boilers-east-wing.json');
  });

  it('starts the export, tracks it as a job and closes; the jobs panel shows progress, Cancel, then where the file went', async () => {
    const { calls, onClose, user } = renderDialog();
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.csv'));
    await user.click(screen.getByTestId('export-format-json'));
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.json'));
    await user.click(screen.getByTestId('export-submit'));

    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(callsOf(calls, 'export_view')).toEqual([{ document, format: 'json', path: '/home/ada/Downloads/boilers-east-wing.json', externalSource: null }]);
    const job = screen.getByTestId('job-job-1');
    expect(job).toHaveTextContent('Exporting "Boilers (East wing)"');
    expect(job).toHaveTextContent('0 / 1,234');
    expect(within(job).getByTestId('job-cancel-job-1')).toBeInTheDocument();

    await progress({ jobId: 'job-1', done: 1000, total: 1234, state: { state: 'running' } });
    expect(job).toHaveTextContent('1,000 / 1,234');
    await progress({ jobId: 'job-1', done: 1234, total: 1234, state: { state: 'exported', rows: 1234, path: '/home/ada/Downloads/boilers-east-wing.json' } });
    expect(screen.getByTestId('job-path-job-1')).toHaveTextContent('Saved to /home/ada/Downloads/boilers-east-wing.json');
  });

  it('with "Include external ids", passes the source system (csv unless changed)', async () => {
    const { calls, onClose, user } = renderDialog();
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.csv'));
    expect(screen.queryByTestId('export-external-source')).toBeNull();
    const include = screen.getByRole('checkbox', { name: 'Include external ids' });
    expect(include).not.toBeChecked();
    expect(screen.getByTestId('export-dialog')).toHaveTextContent('import it back');
    await user.click(include);
    const source = screen.getByRole('textbox', { name: 'Source' });
    expect(source).toHaveValue('csv');
    await user.clear(source);
    expect(screen.getByTestId('export-submit')).toBeDisabled();
    await user.type(source, 'erp_sap');
    await user.click(screen.getByTestId('export-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(callsOf(calls, 'export_view')).toEqual([{ document, format: 'csv', path: '/home/ada/Downloads/boilers-east-wing.csv', externalSource: 'erp_sap' }]);
  });

  it('unchecking "Include external ids" exports without them', async () => {
    const { calls, onClose, user } = renderDialog();
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.csv'));
    await user.click(screen.getByTestId('export-external-ids'));
    await user.click(screen.getByTestId('export-external-ids'));
    await user.click(screen.getByTestId('export-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(callsOf(calls, 'export_view')[0]).toMatchObject({ externalSource: null });
  });

  it('shows a refused path under the path field and stays open', async () => {
    const { onClose, user } = renderDialog({
      export_view: () => {
        throw { type: 'Validation', data: { message: 'the folder to export into does not exist', field: 'path', rule: 'state' } } satisfies AppError;
      },
    });
    await waitFor(() => expect(pathInput()).toHaveValue('/home/ada/Downloads/boilers-east-wing.csv'));
    await user.click(screen.getByTestId('export-submit'));

    await waitFor(() => expect(pathInput()).toHaveAttribute('aria-invalid', 'true'));
    expect(pathInput()).toHaveAccessibleDescription(/the folder to export into does not exist/);
    expect(screen.queryByTestId('error-notice')).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.queryByTestId('jobs-panel')).toBeNull();

    // Changing the path clears the complaint.
    await user.type(pathInput(), 'x');
    expect(pathInput()).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('shows other refusals as a notice in the dialog', async () => {
    const { onClose, user } = renderDialog({
      export_view: () => {
        throw { type: 'Database', data: { message: 'connection lost' } } satisfies AppError;
      },
    });
    await waitFor(() => expect(pathInput()).not.toHaveValue(''));
    await user.click(screen.getByTestId('export-submit'));
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('connection lost');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('cannot export without a path', async () => {
    const { user } = renderDialog();
    await waitFor(() => expect(pathInput()).not.toHaveValue(''));
    await user.clear(pathInput());
    expect(screen.getByTestId('export-submit')).toBeDisabled();
  });
});

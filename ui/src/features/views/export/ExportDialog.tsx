// Exporting a view's rows to a file. The export runs as a background job:
// once it starts, the dialog closes and the jobs panel shows its progress,
// Cancel, and where the file went.
import { Button, Group, Loader, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ExportFormat, ViewDocument } from '../../../bindings';
import { fieldError } from '../../../ipc/errors';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatCount } from '../../../shared/format';
import { useJobs } from '../../jobs';
import { exportView, suggestExportPath, viewCountQuery } from '../api';

/** A file name for a view: its name in lower case, words joined by "-" ("view" when nothing is left). */
export function exportFileName(viewName: string, format: ExportFormat): string {
  const slug = viewName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'view'}.${format}`;
}

type Props = { document: ViewDocument; viewName: string; onClose: () => void };

export function ExportDialog({ document, viewName, onClose }: Props) {
  const { track } = useJobs();
  const count = useQuery(viewCountQuery(document));
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [path, setPath] = useState('');
  const [edited, setEdited] = useState(false);
  const [suggesting, setSuggesting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Only the latest suggestion counts (the format can change while one is on its way).
  const latest = useRef(0);

  useEffect(() => {
    if (edited) return;
    const ticket = ++latest.current;
    setSuggesting(true);
    suggestExportPath(exportFileName(viewName, format))
      .then((suggested) => {
        if (ticket === latest.current) setPath(suggested);
      })
      // No suggestion: the person types a path.
      .catch(() => null)
      .finally(() => {
        if (ticket === latest.current) setSuggesting(false);
      });
  }, [edited, format, viewName]);

  const target = path.trim();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || target === '') return;
    setBusy(true);
    setError(null);
    try {
      const started = await exportView(document, format, target);
      track(started.jobId, started.total, `Exporting "${viewName}"`);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const pathError = fieldError(error, 'path');
  const rows = count.data;
  return (
    <Modal opened onClose={onClose} title={`Export "${viewName}"`} centered data-testid="export-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          {rows && (
            <Text size="sm" c="dimmed" data-testid="export-row-count">
              {rows.exact ? '' : 'About '}
              {formatCount(rows.count)} {rows.count === 1 ? 'row' : 'rows'}, with the view's columns, filter and sort.
            </Text>
          )}
          <Radio.Group label="Format" value={format} onChange={(value) => setFormat(value as ExportFormat)}>
            <Stack gap={6} mt={6}>
              <Radio value="csv" label="CSV" data-testid="export-format-csv" />
              <Radio value="json" label="JSON" data-testid="export-format-json" />
            </Stack>
          </Radio.Group>
          {format === 'csv' && (
            <Text size="xs" c="dimmed" data-testid="export-csv-note">
              Cells a spreadsheet would run as formulas (starting with =, +, -, @) are saved with a leading ' so they stay text.
            </Text>
          )}
          <TextInput
            label="Save to"
            description="The full path of the file to write"
            value={path}
            onChange={(e) => {
              setPath(e.currentTarget.value);
              setEdited(true);
              if (pathError) setError(null);
            }}
            error={pathError}
            rightSection={suggesting ? <Loader size={14} /> : null}
            spellCheck={false}
            data-autofocus
            data-testid="export-path"
          />
          {error !== null && pathError === null && <ErrorNotice error={error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose} data-testid="export-cancel">
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={target === '' || busy} data-testid="export-submit">
              Export
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

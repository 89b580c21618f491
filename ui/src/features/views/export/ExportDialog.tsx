// Exporting a view's rows to a file. The export runs as a background job:
// once it starts, the dialog closes and the jobs panel shows its progress,
// Cancel, and where the file went. With external ids, the file can be edited
// in a spreadsheet and imported back onto the same entities (Data → Import).
import { Button, Checkbox, Group, Loader, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
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
  const [withIds, setWithIds] = useState(false);
  const [source, setSource] = useState('csv');
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
  const externalSource = withIds ? source.trim() : null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || target === '' || externalSource === '') return;
    setBusy(true);
    setError(null);
    try {
      const started = await exportView(document, format, target, externalSource);
      track(started.jobId, started.total, `Exporting "${viewName}"`);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const pathError = fieldError(error, 'path');
  const sourceError = fieldError(error, 'externalSource') ?? (externalSource === '' ? 'Name the source system' : null);
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
          <Stack gap={6}>
            <Checkbox
              label="Include external ids"
              description="Adds an externalId column first: each row's id in the source system below. Edit the file in a spreadsheet, then import it back (Data → Import) onto the same entities."
              checked={withIds}
              onChange={(e) => setWithIds(e.currentTarget.checked)}
              data-testid="export-external-ids"
            />
            {withIds && (
              <TextInput
                label="Source"
                description="The system the external ids come from, e.g. csv or erp_sap"
                value={source}
                onChange={(e) => setSource(e.currentTarget.value)}
                error={sourceError}
                spellCheck={false}
                data-testid="export-external-source"
              />
            )}
          </Stack>
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
          {error !== null && pathError === null && fieldError(error, 'externalSource') === null && <ErrorNotice error={error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose} data-testid="export-cancel">
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={target === '' || externalSource === '' || busy} data-testid="export-submit">
              Export
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// Importing readings from a CSV or JSON file. The import runs as a
// background job: once it starts, the dialog closes and the jobs panel shows
// its progress, Cancel, and what it stored or refused.
import { Button, Group, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { OnBadRows } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useJobs } from '../jobs';
import { importReadings } from './api';

/** The last part of a path ("meters.csv"). */
export function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? path;
}

export function ImportReadingsDialog({ onClose }: { onClose: () => void }) {
  const { track } = useJobs();
  const [path, setPath] = useState('');
  const [onBadRows, setOnBadRows] = useState<OnBadRows>('abort');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const target = path.trim();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || target === '') return;
    setBusy(true);
    setError(null);
    try {
      const started = await importReadings(target, onBadRows);
      track(started.jobId, started.total, `Importing readings from "${fileNameOf(target)}"`);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const pathError = fieldError(error, 'path');
  return (
    <Modal opened onClose={onClose} title="Import readings" centered data-testid="import-readings-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            A .csv file whose header names entity, metric, time and value (unit is optional), or a .json or .jsonl file of records with those fields. The entity is
            its id or path label. Readings stored before are not added again.
          </Text>
          <TextInput
            label="File"
            description="The full path of the file to read"
            value={path}
            onChange={(e) => {
              setPath(e.currentTarget.value);
              if (pathError) setError(null);
            }}
            error={pathError}
            spellCheck={false}
            data-autofocus
            data-testid="import-readings-path"
          />
          <Radio.Group label="On bad rows" value={onBadRows} onChange={(value) => setOnBadRows(value as OnBadRows)}>
            <Stack gap={6} mt={6}>
              <Radio value="abort" label="Abort everything (store nothing)" data-testid="import-readings-abort" />
              <Radio value="skip" label="Skip bad rows (store every good one)" data-testid="import-readings-skip" />
            </Stack>
          </Radio.Group>
          {error !== null && pathError === null && <ErrorNotice error={error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose} data-testid="import-readings-cancel">
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={target === '' || busy} data-testid="import-readings-start">
              Start
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

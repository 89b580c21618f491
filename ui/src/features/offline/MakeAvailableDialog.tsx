// "Make available offline": what keeping a subtree on this computer would
// download, then the download's progress (with Stop), then how it ended.
import { Alert, Button, Group, Loader, Modal, Progress, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCloudDownload, IconPlayerStop } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { OfflineProgress } from '../../bindings';
import { describeAppError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel, formatCount } from '../../shared/format';
import { entityQuery } from '../details/api';
import { offlineOverviewQuery, startDownload, stopDownload, subtreeSizeQuery } from './api';
import classes from './Offline.module.css';
import { formatMegabytes } from './offlineModel';
import type { OfflineTarget } from './OfflineProvider';

type Props = {
  target: OfflineTarget;
  /** The latest progress of this subtree's download (null: none yet). */
  progress: OfflineProgress | null;
  /** Called just before a download starts (an earlier one's progress is forgotten). */
  onStart: () => void;
  onClose: () => void;
};

export function MakeAvailableDialog({ target, progress, onStart, onClose }: Props) {
  const entity = useQuery({ ...entityQuery(target.id), enabled: target.name === null });
  const name = target.name ?? entity.data?.node.name ?? null;
  const [started, setStarted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = progress?.state.state === 'running';
  const phase = started || running ? (progress && !running ? 'ended' : 'running') : 'size';

  const download = async () => {
    setBusy(true);
    setError(null);
    onStart();
    setStarted(true);
    try {
      await startDownload(target.id);
    } catch (e) {
      setStarted(false);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={name ? `Make “${name}” available offline` : 'Make available offline'} centered size="md" data-testid="offline-dialog">
      {phase === 'size' && <SizeStep rootId={target.id} name={name} busy={busy} error={error} onDownload={() => void download()} onClose={onClose} />}
      {phase === 'running' && <RunningStep rootId={target.id} progress={progress} onClose={onClose} />}
      {phase === 'ended' && progress && <EndStep progress={progress} name={name} onClose={onClose} />}
    </Modal>
  );
}

type SizeStepProps = { rootId: string; name: string | null; busy: boolean; error: unknown; onDownload: () => void; onClose: () => void };

function SizeStep({ rootId, name, busy, error, onDownload, onClose }: SizeStepProps) {
  const size = useQuery(subtreeSizeQuery(rootId));
  const overview = useQuery(offlineOverviewQuery());
  const kept = overview.data?.status.scopes.some((scope) => scope.rootId === rootId && scope.state === 'ready') ?? false;
  return (
    <Stack gap="md">
      <Text size="sm">
        Keeps {name ? `“${name}”` : 'this entity'} and everything under it on this computer, so you can read and edit it while the server cannot be reached. Edits made
        offline are sent when the server is back.
      </Text>
      {size.isPending ? (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            Measuring what it takes…
          </Text>
        </Group>
      ) : size.isError ? (
        <ErrorNotice error={size.error} subject="The size could not be measured" />
      ) : (
        <dl className={classes.sizeList} data-testid="offline-size">
          <div>
            <dt>Entities</dt>
            <dd>{formatCount(size.data.entities)}</dd>
          </div>
          <div>
            <dt>Values</dt>
            <dd>{formatCount(size.data.values)}</dd>
          </div>
          <div>
            <dt>On disk, about</dt>
            <dd>{formatMegabytes(size.data.bytes)}</dd>
          </div>
        </dl>
      )}
      {kept && (
        <Text size="sm" c="dimmed" data-testid="offline-already-kept">
          Already kept on this computer: downloading again brings it up to date.
        </Text>
      )}
      {error !== null && <ErrorNotice error={error} subject="The download could not start" />}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button leftSection={<IconCloudDownload size={16} />} onClick={onDownload} loading={busy} disabled={!size.isSuccess} data-testid="offline-download" data-autofocus>
          Download
        </Button>
      </Group>
    </Stack>
  );
}

function RunningStep({ rootId, progress, onClose }: { rootId: string; progress: OfflineProgress | null; onClose: () => void }) {
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const total = progress?.total ?? 0;
  const done = progress?.done ?? 0;
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;

  const stop = async () => {
    setStopping(true);
    setError(null);
    try {
      await stopDownload(rootId);
    } catch (e) {
      setError(e);
      setStopping(false);
    }
  };

  return (
    <Stack gap="md">
      <Progress value={total > 0 ? percent : 100} animated striped={total === 0} size="lg" aria-label="Download progress" data-testid="offline-progress" />
      <Text size="sm" aria-live="polite" data-testid="offline-progress-text">
        {total > 0 ? `${formatCount(done)} of ${entitiesLabel(total)} downloaded (${percent}%)` : 'Starting the download…'}
      </Text>
      <Text size="xs" c="dimmed">
        You can close this window: the download goes on, and the Offline tab of the Data screen shows what is kept.
      </Text>
      {error !== null && <ErrorNotice error={error} subject="The download could not be stopped" />}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
        <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} />} onClick={() => void stop()} loading={stopping} autoFocus data-testid="offline-stop">
          Stop
        </Button>
      </Group>
    </Stack>
  );
}

function EndStep({ progress, name, onClose }: { progress: OfflineProgress; name: string | null; onClose: () => void }) {
  const { state } = progress;
  const subject = name ? `“${name}”` : 'The subtree';
  let body;
  switch (state.state) {
    case 'done':
      body = (
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="Available offline">
          {subject} is kept on this computer: {entitiesLabel(state.scope.entities)} and {formatCount(state.scope.values)} values.
        </Alert>
      );
      break;
    case 'cancelled':
      body = (
        <Alert color="gray" variant="light" title="Stopped">
          The download was stopped; nothing of it was kept.
        </Alert>
      );
      break;
    case 'failed': {
      const { title, message } = describeAppError(state.error);
      body = (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={`The download failed: ${title}`}>
          {message}
        </Alert>
      );
      break;
    }
    case 'running':
      body = null;
      break;
  }
  return (
    <Stack gap="md">
      <div data-testid="offline-done" data-state={state.state}>
        {body}
      </div>
      <Group justify="flex-end">
        <Button onClick={onClose} autoFocus>
          Close
        </Button>
      </Group>
    </Stack>
  );
}

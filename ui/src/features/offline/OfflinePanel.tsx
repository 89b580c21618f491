// The Offline tab of the Data screen: the subtrees kept on this computer (bring
// them up to date, remove one), the cache file, and the outbox of edits made
// offline (filter by status, send now, review conflicts, export the refused
// and conflicting ones to a JSON file).
import { Alert, Badge, Button, Center, Checkbox, Code, Group, Loader, Modal, Paper, SegmentedControl, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCloudOff, IconCloudUpload, IconFileExport, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import type { OfflineScope, OfflineStatus, OutboxStatus, RefreshReport } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel, formatCount, formatDateTime } from '../../shared/format';
import { exportOutbox, offlineOverviewQuery, outboxQuery, suggestExportPath, useRefreshKept, useRemoveKept } from './api';
import classes from './Offline.module.css';
import { conflictsSentence, editsLabel, entryEntityName, formatMegabytes, formatSince, kindLabel, replaySentence, STATUS_COLORS, STATUS_LABELS } from './offlineModel';
import { useOfflineActions } from './OfflineProvider';

export function OfflinePanel() {
  const overview = useQuery(offlineOverviewQuery());
  return (
    <Stack gap="lg" maw={1300} data-testid="offline-panel">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={2}>
          <Title order={3}>Offline</Title>
          <Text size="sm" c="dimmed">
            Subtrees kept on this computer can be read and edited while the server cannot be reached. Edits made then wait in the outbox and are sent when it answers
            again. To keep a subtree, right-click it in the registry and choose “Make available offline…”.
          </Text>
        </Stack>
        {overview.data &&
          (overview.data.connection.online ? (
            <Badge color="teal" variant="light" data-testid="offline-connection">
              Online
            </Badge>
          ) : (
            <Badge color="orange" variant="filled" data-testid="offline-connection">
              {overview.data.connection.since ? `Offline since ${formatSince(overview.data.connection.since)}` : 'Offline'}
            </Badge>
          ))}
      </Group>
      {overview.isPending ? (
        <Center p="xl">
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm" c="dimmed">
              Loading what is kept offline…
            </Text>
          </Group>
        </Center>
      ) : overview.isError ? (
        <Stack gap="xs">
          <ErrorNotice error={overview.error} subject="What is kept offline could not be read" />
          <Group>
            <Button size="xs" variant="light" onClick={() => void overview.refetch()}>
              Try again
            </Button>
          </Group>
        </Stack>
      ) : (
        <>
          <KeptSection status={overview.data.status} online={overview.data.connection.online} />
          <OutboxSection status={overview.data.status} />
        </>
      )}
    </Stack>
  );
}

// ---- the kept subtrees ----

function KeptSection({ status, online }: { status: OfflineStatus; online: boolean }) {
  const refreshKept = useRefreshKept();
  const [refreshing, setRefreshing] = useState(false);
  const [report, setReport] = useState<RefreshReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<OfflineScope | null>(null);

  const refresh = async () => {
    setRefreshing(true);
    setError(null);
    setReport(null);
    try {
      setReport(await refreshKept());
    } catch (e) {
      setError(e);
    } finally {
      setRefreshing(false);
    }
  };

  return (
    <Stack gap="sm" component="section" aria-labelledby="offline-kept-title">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={4} id="offline-kept-title">
            Kept on this computer
          </Title>
          <Text size="sm" c="dimmed" data-testid="offline-cache">
            Cache file <Code className={classes.wrap}>{status.path}</Code>, {formatMegabytes(status.fileBytes)}.{' '}
            {status.lastRefresh ? `Last brought up to date ${formatDateTime(status.lastRefresh)}.` : 'Not brought up to date yet.'}
          </Text>
        </Stack>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconRefresh size={14} />}
          onClick={() => void refresh()}
          loading={refreshing}
          disabled={status.scopes.length === 0 || !online}
          title={online ? 'Reads every kept subtree again from the server' : 'Needs the server'}
          data-testid="offline-refresh"
        >
          Refresh all now
        </Button>
      </Group>
      {report && (
        <Alert color="teal" variant="light" withCloseButton onClose={() => setReport(null)} data-testid="offline-refresh-report">
          Brought up to date: {entitiesLabel(report.updated)} read again, {formatCount(report.removed)} removed from the cache.
          {report.revoked.length > 0 && ` Access was lost to ${formatCount(report.revoked.length)} subtree(s); their data was removed from this computer.`}
        </Alert>
      )}
      {error !== null && <ErrorNotice error={error} subject="The kept subtrees could not be brought up to date" />}
      {status.scopes.length === 0 ? (
        <EmptyState title="Nothing is kept on this computer yet." icon={IconCloudOff} framed testId="offline-scopes-empty">
          In the registry, right-click an entity and choose “Make available offline…”, or use the command palette (Ctrl+K).
        </EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table highlightOnHover verticalSpacing="xs" fz="sm" data-testid="offline-scopes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th ta="right">Entities</Table.Th>
                <Table.Th ta="right">Values</Table.Th>
                <Table.Th>Refreshed</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {status.scopes.map((scope) => (
                <Table.Tr key={scope.rootId} data-testid="offline-scope-row" data-root-id={scope.rootId} data-state={scope.state}>
                  <Table.Td className={classes.wrap}>{scope.name}</Table.Td>
                  <Table.Td className={classes.wrap} ff="monospace">
                    {scope.pathLabel}
                  </Table.Td>
                  <Table.Td>
                    {scope.state === 'ready' ? (
                      <Badge color="teal" variant="light">
                        Ready
                      </Badge>
                    ) : (
                      <Stack gap={2}>
                        <Badge color="red" variant="light">
                          Revoked
                        </Badge>
                        {scope.reason && (
                          <Text size="xs" c="dimmed" className={classes.wrap}>
                            {scope.reason}
                          </Text>
                        )}
                      </Stack>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{formatCount(scope.entities)}</Table.Td>
                  <Table.Td ta="right">{formatCount(scope.values)}</Table.Td>
                  <Table.Td>{formatDateTime(scope.refreshedAt)}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrash size={12} />}
                      onClick={() => setRemoving(scope)}
                      aria-label={`Remove ${scope.name} from this computer`}
                      data-testid="offline-scope-remove"
                    >
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {removing && <RemoveDialog scope={removing} onClose={() => setRemoving(null)} />}
    </Stack>
  );
}

function RemoveDialog({ scope, onClose }: { scope: OfflineScope; onClose: () => void }) {
  const remove = useRemoveKept();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await remove(scope.rootId);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={`Remove “${scope.name}” from this computer?`} centered data-testid="offline-remove-dialog">
      <Stack gap="md">
        <Text size="sm">
          Its {entitiesLabel(scope.entities)} will no longer be readable while offline. Nothing changes on the server, and edits waiting to be sent stay in the outbox.
        </Text>
        {error !== null && <ErrorNotice error={error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={() => void confirm()} loading={busy} data-testid="offline-remove-confirm">
            Remove
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

// ---- the outbox ----

type Filter = 'all' | OutboxStatus;

const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'pending', label: STATUS_LABELS.pending },
  { value: 'conflict', label: STATUS_LABELS.conflict },
  { value: 'refused', label: STATUS_LABELS.refused },
  { value: 'applied', label: STATUS_LABELS.applied },
  { value: 'discarded', label: STATUS_LABELS.discarded },
];

function OutboxSection({ status }: { status: OfflineStatus }) {
  const { sync, openReview } = useOfflineActions();
  const [filter, setFilter] = useState<Filter>('all');
  const entries = useQuery(outboxQuery(filter === 'all' ? [] : [filter]));
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  const sendNow = async () => {
    setSending(true);
    setSent(null);
    setError(null);
    try {
      const report = await sync();
      setSent(report.stopped !== null ? `The server did not answer: ${report.stopped}` : replaySentence(report));
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };

  return (
    <Stack gap="sm" component="section" aria-labelledby="offline-outbox-title">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={4} id="offline-outbox-title">
            Outbox
          </Title>
          <Text size="sm" c="dimmed">
            {status.pending > 0 ? `${editsLabel(status.pending)} waiting to be sent.` : 'No edit is waiting to be sent.'}
            {status.refused > 0 && ` ${editsLabel(status.refused)} refused by the server (kept here; export them to keep a record).`}
          </Text>
        </Stack>
        <Group gap="xs">
          <Button variant="default" size="xs" leftSection={<IconFileExport size={14} />} onClick={() => setExporting(true)} data-testid="offline-export">
            Export…
          </Button>
          <Button size="xs" leftSection={<IconCloudUpload size={14} />} onClick={() => void sendNow()} loading={sending} data-testid="offline-send-now">
            Send now
          </Button>
        </Group>
      </Group>
      {status.conflicts > 0 && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="offline-conflicts-alert">
          <Group justify="space-between" gap="sm">
            <Text size="sm">{conflictsSentence(status.conflicts)}: they meet changes made on the server meanwhile.</Text>
            <Button size="compact-sm" variant="light" color="orange" onClick={openReview} data-testid="offline-tab-review-open">
              Review
            </Button>
          </Group>
        </Alert>
      )}
      <div aria-live="polite">
        {sent && (
          <Text size="sm" data-testid="offline-send-report">
            {sent}
          </Text>
        )}
      </div>
      {error !== null && <ErrorNotice error={error} subject="The edits could not be sent" />}
      <SegmentedControl size="xs" value={filter} onChange={(value) => setFilter(value as Filter)} data={FILTERS} aria-label="Show the edits" data-testid="offline-outbox-filter" className={classes.filter} />
      {entries.isPending ? (
        <Center p="lg">
          <Loader size="sm" />
        </Center>
      ) : entries.isError ? (
        <ErrorNotice error={entries.error} subject="The outbox could not be read" />
      ) : entries.data.length === 0 ? (
        <EmptyState title={filter === 'all' ? 'The outbox is empty.' : `No edit is “${STATUS_LABELS[filter]}”.`} size="compact" framed testId="offline-outbox-empty">
          {filter === 'all' ? 'Edits made while the server cannot be reached wait here until they are sent.' : 'Choose another status above to see those edits.'}
        </EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table highlightOnHover verticalSpacing="xs" fz="sm" data-testid="offline-outbox">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>Edit</Table.Th>
                <Table.Th>Entity</Table.Th>
                <Table.Th>Made</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th ta="right">Attempts</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.data.map((entry) => (
                <Table.Tr key={entry.seq} data-testid="offline-outbox-row" data-seq={entry.seq} data-status={entry.status}>
                  <Table.Td>
                    <Badge color={STATUS_COLORS[entry.status]} variant="light">
                      {STATUS_LABELS[entry.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{kindLabel(entry.mutation.kind)}</Table.Td>
                  <Table.Td className={classes.wrap}>{entryEntityName(entry)}</Table.Td>
                  <Table.Td>{formatDateTime(entry.createdAt)}</Table.Td>
                  <Table.Td className={classes.wrap}>{entry.reason ?? ''}</Table.Td>
                  <Table.Td ta="right">{formatCount(entry.attempts)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {exporting && <ExportDialog onClose={() => setExporting(false)} />}
    </Stack>
  );
}

/** The file name an export of the outbox suggests. */
export const EXPORT_FILE_NAME = 'eco-studio-outbox.json';

/** Writes the refused and conflicting edits (or one of them) to a JSON file, at a suggested or typed path. */
function ExportDialog({ onClose }: { onClose: () => void }) {
  const [path, setPath] = useState('');
  const [refused, setRefused] = useState(true);
  const [conflicts, setConflicts] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    suggestExportPath(EXPORT_FILE_NAME)
      .then((suggested) => {
        // Unless the person typed one meanwhile.
        if (current) setPath((before) => (before === '' ? suggested : before));
      })
      // No suggestion: the person types a path.
      .catch(() => null);
    return () => {
      current = false;
    };
  }, []);

  const statuses: OutboxStatus[] = [...(refused ? (['refused'] as const) : []), ...(conflicts ? (['conflict'] as const) : [])];
  const target = path.trim();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || target === '' || statuses.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const count = await exportOutbox(target, statuses);
      notifications.show({ color: 'teal', title: 'Outbox exported', message: `${editsLabel(count)} written to ${target}` });
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const pathError = fieldError(error, 'path');
  return (
    <Modal opened onClose={onClose} title="Export edits from the outbox" centered data-testid="offline-export-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Writes the chosen edits, with what each one changes and why it was not applied, to a JSON file.
          </Text>
          <Stack gap={6}>
            <Checkbox label="Refused by the server" checked={refused} onChange={(e) => setRefused(e.currentTarget.checked)} data-testid="offline-export-refused" />
            <Checkbox label="In conflict" checked={conflicts} onChange={(e) => setConflicts(e.currentTarget.checked)} data-testid="offline-export-conflicts" />
          </Stack>
          <TextInput
            label="Save to"
            description="The full path of the file to write"
            value={path}
            onChange={(e) => {
              setPath(e.currentTarget.value);
              if (pathError) setError(null);
            }}
            error={pathError}
            spellCheck={false}
            data-autofocus
            data-testid="offline-export-path"
          />
          {error !== null && pathError === null && <ErrorNotice error={error} subject="The export failed" />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={busy || target === '' || statuses.length === 0} data-testid="offline-export-submit">
              Export
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

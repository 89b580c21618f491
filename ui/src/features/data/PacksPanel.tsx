// The domain packs built into the app: what each brings, whether it is
// installed (and at which version), installing, upgrading and uninstalling.
import { Alert, Badge, Button, Center, Code, Collapse, Group, List, Loader, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconChevronDown, IconChevronRight, IconCircleCheck, IconPackages, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { InstallReport, PackInfo, UninstallReport } from '../../bindings';
import { appErrorOf } from '../../ipc/errors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel, formatCount, formatDateTime } from '../../shared/format';
import { packsQuery, useInstallPack, useUninstallPack } from './api';
import { contentSections, inUseCount, packState, type PackState } from './dataModel';

const STATE_BADGE: Record<PackState, { label: string; color: string }> = {
  notInstalled: { label: 'Not installed', color: 'gray' },
  installed: { label: 'Installed', color: 'teal' },
  updateAvailable: { label: 'Update available', color: 'orange' },
};

/** What the last install or uninstall did, shown above the list. */
type Outcome = { kind: 'installed'; name: string; report: InstallReport } | { kind: 'uninstalled'; name: string; report: UninstallReport };

export function PacksPanel() {
  const packs = useQuery(packsQuery());
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [uninstalling, setUninstalling] = useState<PackInfo | null>(null);

  return (
    <Stack gap="md" maw={1100} data-testid="packs-panel">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={3}>Domain packs</Title>
          <Text size="sm" c="dimmed">
            A pack brings the entity types, properties, tags, views, dashboards and workflows of one domain, and sample rows. Installing again upgrades it; things
            that existed before are adopted, not replaced.
          </Text>
        </Stack>
        <Button variant="default" size="xs" leftSection={<IconRefresh size={14} />} onClick={() => void packs.refetch()} loading={packs.isFetching} data-testid="packs-refresh">
          Refresh
        </Button>
      </Group>
      {outcome?.kind === 'installed' && <InstallReportAlert name={outcome.name} report={outcome.report} onClose={() => setOutcome(null)} />}
      {outcome?.kind === 'uninstalled' && <UninstallReportAlert name={outcome.name} report={outcome.report} onClose={() => setOutcome(null)} />}
      {packs.isPending ? (
        <Center p="xl">
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm" c="dimmed">
              Loading packs…
            </Text>
          </Group>
        </Center>
      ) : packs.isError ? (
        <Stack gap="xs" data-testid="packs-error">
          <ErrorNotice error={packs.error} subject="The packs could not be read" />
          <Group>
            <Button size="xs" variant="light" onClick={() => void packs.refetch()}>
              Try again
            </Button>
          </Group>
        </Stack>
      ) : packs.data.length === 0 ? (
        <EmptyState title="No packs are built into this version of Eco Studio." icon={IconPackages} framed testId="packs-empty">
          Packs come with the app: update Eco Studio to get them. You can still build types and properties by hand on the Types and Properties screens.
        </EmptyState>
      ) : (
        <Stack gap="sm" role="list" aria-label="Packs">
          {packs.data.map((pack) => (
            <PackRow key={pack.key} pack={pack} onInstalled={(report) => setOutcome({ kind: 'installed', name: pack.name, report })} onUninstall={() => setUninstalling(pack)} />
          ))}
        </Stack>
      )}
      {uninstalling && (
        <UninstallDialog
          pack={uninstalling}
          onClose={() => setUninstalling(null)}
          onDone={(report) => {
            setOutcome({ kind: 'uninstalled', name: uninstalling.name, report });
            setUninstalling(null);
          }}
        />
      )}
    </Stack>
  );
}

function PackRow({ pack, onInstalled, onUninstall }: { pack: PackInfo; onInstalled: (report: InstallReport) => void; onUninstall: () => void }) {
  const install = useInstallPack();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);
  const contentsId = useId();
  const state = packState(pack);
  const badge = STATE_BADGE[state];
  const sections = pack.contents ? contentSections(pack.contents) : [];

  const runInstall = async () => {
    setBusy(true);
    setError(null);
    try {
      onInstalled(await install(pack.key));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const canInstall = state === 'notInstalled' && pack.availableVersion !== null;
  return (
    <Paper withBorder radius="md" p="md" role="listitem" aria-label={pack.name} data-testid={`pack-row-${pack.key}`} data-state={state}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={4}>
            <Group gap="xs">
              <IconPackages size={18} aria-hidden />
              <Title order={4}>{pack.name}</Title>
              <Code>{pack.key}</Code>
              <Badge variant="light" color={badge.color} data-testid={`pack-state-${pack.key}`}>
                {badge.label}
              </Badge>
            </Group>
            {pack.description && (
              <Text size="sm" c="dimmed">
                {pack.description}
              </Text>
            )}
            <Group gap="lg">
              <Text size="xs" data-testid={`pack-available-${pack.key}`}>
                Built-in version: <b>{pack.availableVersion ?? 'none (installed from a folder)'}</b>
              </Text>
              <Text size="xs" data-testid={`pack-installed-${pack.key}`}>
                {pack.installedVersion === null ? (
                  'Not installed'
                ) : (
                  <>
                    Installed: <b>{pack.installedVersion}</b>
                    {pack.installedAt && ` on ${formatDateTime(pack.installedAt)}`}
                  </>
                )}
              </Text>
            </Group>
          </Stack>
          <Group gap="xs" wrap="nowrap">
            {canInstall && (
              <Button size="xs" loading={busy} onClick={() => void runInstall()} aria-label={`Install ${pack.name}`} data-testid={`pack-install-${pack.key}`}>
                Install
              </Button>
            )}
            {state === 'updateAvailable' && (
              <Button size="xs" color="orange" loading={busy} onClick={() => void runInstall()} aria-label={`Upgrade ${pack.name} to ${pack.availableVersion}`} data-testid={`pack-upgrade-${pack.key}`}>
                Upgrade
              </Button>
            )}
            {state !== 'notInstalled' && (
              <Button size="xs" variant="default" color="red" disabled={busy} onClick={onUninstall} aria-label={`Uninstall ${pack.name}`} data-testid={`pack-uninstall-${pack.key}`}>
                Uninstall
              </Button>
            )}
          </Group>
        </Group>
        {error !== null && <ErrorNotice error={error} subject={`${pack.name} was not installed`} compact />}
        {pack.installedVersion !== null && (
          <div>
            <Button
              size="compact-xs"
              variant="subtle"
              leftSection={open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
              onClick={() => setOpen((o) => !o)}
              aria-expanded={open}
              aria-controls={contentsId}
              data-testid={`pack-contents-toggle-${pack.key}`}
            >
              Contents
            </Button>
            <Collapse in={open}>
              <div id={contentsId} data-testid={`pack-contents-${pack.key}`}>
                {sections.length === 0 ? (
                  <Text size="xs" c="dimmed" mt={4}>
                    This pack owns nothing in the registry.
                  </Text>
                ) : (
                  <Stack gap={6} mt={4}>
                    {sections.map((section) => (
                      <div key={section.label}>
                        <Text size="xs" fw={600}>
                          {section.label} ({formatCount(section.items.length)})
                        </Text>
                        <Group gap={4}>
                          {section.items.map((item) => (
                            <Code key={item}>{item}</Code>
                          ))}
                        </Group>
                      </div>
                    ))}
                  </Stack>
                )}
              </div>
            </Collapse>
          </div>
        )}
      </Stack>
    </Paper>
  );
}

/** At most this many names of each list are spelled out. */
const LISTED = 12;

function NameList({ label, names, testId }: { label: string; names: string[]; testId: string }) {
  if (names.length === 0) return null;
  const shown = names.slice(0, LISTED);
  return (
    <Text size="sm" data-testid={testId}>
      {label} {formatCount(names.length)}: {shown.join(', ')}
      {names.length > LISTED && ` and ${formatCount(names.length - LISTED)} more`}
    </Text>
  );
}

function InstallReportAlert({ name, report, onClose }: { name: string; report: InstallReport; onClose: () => void }) {
  const title =
    report.previousVersion === null
      ? `Installed ${name} ${report.version}`
      : report.previousVersion === report.version
        ? `Reinstalled ${name} ${report.version}`
        : `Upgraded ${name} from ${report.previousVersion} to ${report.version}`;
  const nothing = report.created.length === 0 && report.updated.length === 0 && report.adopted.length === 0;
  return (
    <Alert color="teal" variant="light" title={title} icon={<IconCircleCheck size={18} />} withCloseButton closeButtonLabel="Dismiss" onClose={onClose} data-testid="pack-install-report">
      <Stack gap={4}>
        <NameList label="Created" names={report.created} testId="pack-report-created" />
        <NameList label="Updated" names={report.updated} testId="pack-report-updated" />
        <NameList label="Adopted (kept as they were)" names={report.adopted} testId="pack-report-adopted" />
        {nothing && <Text size="sm">Everything it brings was there already.</Text>}
        <Text size="sm" data-testid="pack-report-samples">
          Sample rows: {formatCount(report.sampleCreated)} created, {formatCount(report.sampleUpdated)} updated, {formatCount(report.sampleUnchanged)} unchanged
        </Text>
        {report.notes.length > 0 && (
          <List size="sm" data-testid="pack-report-notes">
            {report.notes.map((note) => (
              <List.Item key={note}>{note}</List.Item>
            ))}
          </List>
        )}
      </Stack>
    </Alert>
  );
}

function UninstallReportAlert({ name, report, onClose }: { name: string; report: UninstallReport; onClose: () => void }) {
  return (
    <Alert color="teal" variant="light" title={`Uninstalled ${name}`} icon={<IconCircleCheck size={18} />} withCloseButton closeButtonLabel="Dismiss" onClose={onClose} data-testid="pack-uninstall-report">
      <Stack gap={4}>
        <NameList label="Removed" names={report.removed} testId="pack-report-removed" />
        {report.entitiesDeleted > 0 && <Text size="sm">{entitiesLabel(report.entitiesDeleted)} soft-deleted (see the Trash).</Text>}
        {report.notes.length > 0 && (
          <List size="sm">
            {report.notes.map((note) => (
              <List.Item key={note}>{note}</List.Item>
            ))}
          </List>
        )}
      </Stack>
    </Alert>
  );
}

/** Confirms an uninstall; while entities of the pack's types live, offers to soft-delete them with it. */
function UninstallDialog({ pack, onClose, onDone }: { pack: PackInfo; onClose: () => void; onDone: (report: UninstallReport) => void }) {
  const uninstall = useUninstallPack();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inUse = appErrorOf(error);
  const inUseMessage = inUse?.type === 'InUse' ? inUse.data.message : null;
  const count = inUseMessage === null ? null : inUseCount(inUseMessage);

  const run = async (deleteEntities: boolean) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await uninstall(pack.key, deleteEntities));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={`Uninstall ${pack.name}`} centered data-testid="pack-uninstall-dialog">
      <Stack gap="md">
        <Text size="sm">
          Uninstall "{pack.name}"? The types, properties, views, dashboards and workflows it brought are removed. Things it adopted (they existed before) are kept.
        </Text>
        {inUseMessage !== null && (
          <Alert color="orange" variant="light" title="Its types are still in use" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="pack-in-use">
            <Stack gap={4}>
              <Text size="sm">{inUseMessage}</Text>
              <Text size="sm">
                Uninstall it with its entities to soft-delete them as well (they go to the Trash), or cancel and move or delete them yourself first.
              </Text>
            </Stack>
          </Alert>
        )}
        {error !== null && inUseMessage === null && <ErrorNotice error={error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} data-testid="pack-uninstall-cancel">
            Cancel
          </Button>
          {inUseMessage === null ? (
            <Button color="red" loading={busy} onClick={() => void run(false)} data-testid="pack-uninstall-confirm">
              Uninstall
            </Button>
          ) : (
            <Button color="red" loading={busy} onClick={() => void run(true)} data-testid="pack-uninstall-delete">
              {count === null ? 'Uninstall and soft-delete its entities' : `Uninstall and delete its ${entitiesLabel(count)}`}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}

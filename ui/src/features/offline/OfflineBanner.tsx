// The line at the top of the window that says, in plain words, when the app
// works offline (and from what), when edits made offline need a decision, and
// when a replay has just sent edits. A live region, so screen readers hear it.
import { ActionIcon, Button, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCloudOff, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { OfflineOverview } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { useWorkspace } from '../../shared/WorkspaceContext';
import { offlineOverviewQuery } from './api';
import classes from './Offline.module.css';
import { conflictsSentence, editsLabel, offlineSentence, replaySentence } from './offlineModel';
import { useOfflineActions, useOfflineReplay, type ReplayNotice } from './OfflineProvider';

export function OfflineBanner() {
  const overview = useQuery(offlineOverviewQuery());
  const { notice, dismiss } = useOfflineReplay();
  const data = overview.data;
  let content = null;
  if (data && !data.connection.online) content = <OfflineLine overview={data} />;
  else if (data && data.status.conflicts > 0) content = <ConflictsLine conflicts={data.status.conflicts} />;
  else if (notice) content = <ReplayLine notice={notice} onDismiss={dismiss} />;
  return (
    <div role="status" aria-live="polite" className={classes.live}>
      {content}
    </div>
  );
}

function OfflineLine({ overview }: { overview: OfflineOverview }) {
  const { sync, openReview } = useOfflineActions();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const conflicts = overview.status.conflicts;

  const tryNow = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const report = await sync();
      if (report.stopped !== null) setOutcome(`Still no answer from the server: ${report.stopped}`);
    } catch (e) {
      setOutcome(`Still offline: ${describeError(e).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={`${classes.banner} ${classes.offline}`} data-testid="offline-banner">
      <IconCloudOff size={18} className={classes.bannerIcon} aria-hidden="true" />
      <Text size="sm" className={classes.bannerText}>
        {offlineSentence(overview)}
        {conflicts > 0 && ` ${conflictsSentence(conflicts)}.`}
        {outcome && (
          <Text span size="sm" fw={500} data-testid="offline-try-outcome">
            {' '}
            {outcome}
          </Text>
        )}
      </Text>
      <div className={classes.bannerActions}>
        {conflicts > 0 && (
          <Button size="compact-sm" variant="subtle" color="orange" onClick={openReview} data-testid="offline-review-open">
            Review
          </Button>
        )}
        <Button size="compact-sm" variant="filled" color="orange" onClick={() => void tryNow()} loading={busy} data-testid="offline-try-now">
          Try now
        </Button>
      </div>
    </div>
  );
}

function ConflictsLine({ conflicts }: { conflicts: number }) {
  const { openReview } = useOfflineActions();
  return (
    <div className={`${classes.banner} ${classes.conflicts}`} data-testid="offline-conflicts">
      <IconAlertTriangle size={16} className={classes.bannerIcon} aria-hidden="true" />
      <Text size="sm" className={classes.bannerText}>
        {conflictsSentence(conflicts)}: they were made offline and someone changed the same things meanwhile.
      </Text>
      <div className={classes.bannerActions}>
        <Button size="compact-sm" variant="light" color="orange" onClick={openReview} data-testid="offline-review-open">
          Review
        </Button>
      </div>
    </div>
  );
}

function ReplayLine({ notice, onDismiss }: { notice: ReplayNotice; onDismiss: () => void }) {
  const { openData } = useWorkspace();
  const { report } = notice;
  return (
    <div className={`${classes.banner} ${classes.replayed}`} data-testid="offline-replayed">
      <IconCircleCheck size={16} className={classes.bannerIcon} aria-hidden="true" />
      <Text size="sm" className={classes.bannerText}>
        Back online: {replaySentence(report)}
      </Text>
      <div className={classes.bannerActions}>
        {report.refused > 0 && (
          <Button size="compact-sm" variant="subtle" color="teal" onClick={() => openData('offline')} aria-label={`See the ${editsLabel(report.refused)} refused`}>
            Details
          </Button>
        )}
        <ActionIcon size="sm" variant="subtle" color="teal" onClick={onDismiss} aria-label="Dismiss">
          <IconX size={14} />
        </ActionIcon>
      </div>
    </div>
  );
}

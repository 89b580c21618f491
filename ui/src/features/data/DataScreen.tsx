// Data: domain packs (install, upgrade, uninstall), importing rows from a
// CSV or JSON file onto the registry (a preview of what changes, then a
// background job), the log of import runs, and what is kept offline.
import { Tabs } from '@mantine/core';
import { IconCloudOff, IconFileImport, IconHistory, IconPackages } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useWorkspace, type DataTab } from '../../shared/WorkspaceContext';
import { useJobs } from '../jobs';
import { OfflinePanel } from '../offline';
import { useRefreshRuns } from './api';
import classes from './Data.module.css';
import { ImportPanel } from './ImportPanel';
import { ImportRunsPanel } from './ImportRunsPanel';
import { PacksPanel } from './PacksPanel';

/** The run log is read again each time an import of rows ends (started here or elsewhere). */
function useRefreshRunsOnImportEnd() {
  const { jobs } = useJobs();
  const refreshRuns = useRefreshRuns();
  const key = jobs
    .filter((job) => job.rowsImported !== null)
    .map((job) => job.jobId)
    .join(',');
  // Those seen when the screen opened (or since) do not count again.
  const seen = useRef(new Set(key === '' ? [] : key.split(',')));
  useEffect(() => {
    const ended = key === '' ? [] : key.split(',');
    const fresh = ended.filter((id) => !seen.current.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) seen.current.add(id);
    void refreshRuns();
  }, [key, refreshRuns]);
}

export function DataScreen() {
  const { dataTab, setDataTab } = useWorkspace();
  // A tab's content mounts when first shown, then stays (the import form keeps its file and mapping).
  const [shown, setShown] = useState<ReadonlySet<DataTab>>(() => new Set([dataTab]));
  useEffect(() => setShown((before) => (before.has(dataTab) ? before : new Set([...before, dataTab]))), [dataTab]);
  useRefreshRunsOnImportEnd();

  return (
    <div className={classes.screen} data-testid="data-screen">
      <Tabs value={dataTab} onChange={(value) => setDataTab((value ?? 'packs') as DataTab)} className={classes.tabs}>
        <Tabs.List className={classes.tabList} aria-label="Data">
          <Tabs.Tab value="packs" leftSection={<IconPackages size={14} />} data-testid="data-tab-packs">
            Packs
          </Tabs.Tab>
          <Tabs.Tab value="import" leftSection={<IconFileImport size={14} />} data-testid="data-tab-import">
            Import
          </Tabs.Tab>
          <Tabs.Tab value="runs" leftSection={<IconHistory size={14} />} data-testid="data-tab-runs">
            Import runs
          </Tabs.Tab>
          <Tabs.Tab value="offline" leftSection={<IconCloudOff size={14} />} data-testid="offline-tab">
            Offline
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="packs" className={classes.tabPanel}>
          {shown.has('packs') && <PacksPanel />}
        </Tabs.Panel>
        <Tabs.Panel value="import" className={classes.tabPanel}>
          {shown.has('import') && <ImportPanel onShowRuns={() => setDataTab('runs')} />}
        </Tabs.Panel>
        <Tabs.Panel value="runs" className={classes.tabPanel}>
          {shown.has('runs') && <ImportRunsPanel onImport={() => setDataTab('import')} />}
        </Tabs.Panel>
        <Tabs.Panel value="offline" className={classes.tabPanel}>
          {shown.has('offline') && <OfflinePanel />}
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}

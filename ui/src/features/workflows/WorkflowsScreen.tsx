import { Tabs } from '@mantine/core';
import { IconCheckbox, IconHistory, IconRoute } from '@tabler/icons-react';
import { useState } from 'react';
import { showActionUnavailable } from '../../shared/actionNotice';
import { useActionRequests, usePane } from '../../shared/WorkspaceContext';
import { ApprovalsInbox } from './approvals/ApprovalsInbox';
import { OpenWorkflow } from './list/OpenWorkflow';
import { WorkflowsTab } from './list/WorkflowsTab';
import { ExecutionPage } from './runs/ExecutionPage';
import { NO_RUN_FILTER, RunsTab, type RunFilter } from './runs/RunsTab';
import classes from './Workflows.module.css';

export type WorkflowsTabName = 'workflows' | 'runs' | 'approvals';
const TABS: readonly WorkflowsTabName[] = ['workflows', 'runs', 'approvals'];
const EDITOR_ACTIONS = ['save', 'publish', 'test-run'] as const;

/** What the screen shows: its tabs, one workflow in the editor, or one run. */
type Page = { kind: 'tabs' } | { kind: 'workflow'; id: string } | { kind: 'execution'; id: string };

type Props = {
  /** The tab shown first (when the workspace keeps none). */
  initialTab?: WorkflowsTabName;
  /** A run to show first (a notification's link). */
  initialExecutionId?: string | null;
};

/** Workflows: the list and the editor, the runs with their steps, and the approvals inbox. */
export function WorkflowsScreen({ initialTab = 'workflows', initialExecutionId = null }: Props) {
  // The tab is kept by the workspace (a restart opens it again); `initialTab` until one is chosen.
  const [tab, setTab] = usePane<WorkflowsTabName>('workflows.tab', initialTab, TABS);
  const [page, setPage] = useState<Page>(initialExecutionId === null ? { kind: 'tabs' } : { kind: 'execution', id: initialExecutionId });
  const [runFilter, setRunFilter] = useState<RunFilter>(NO_RUN_FILTER);
  const backToTabs = () => setPage({ kind: 'tabs' });
  const openExecution = (id: string) => setPage({ kind: 'execution', id });
  const showTab = (name: WorkflowsTabName) => () => {
    setPage({ kind: 'tabs' });
    setTab(name);
  };
  const onList = page.kind === 'tabs' && tab === 'workflows';
  useActionRequests('workflows', {
    'tab-workflows': showTab('workflows'),
    'tab-runs': showTab('runs'),
    'tab-approvals': showTab('approvals'),
    // "New workflow" is the list's: go there first (it answers once shown).
    new: onList
      ? undefined
      : () => {
          showTab('workflows')();
          return false;
        },
    // The open workflow's own commands are its editor's.
    ...(page.kind === 'workflow' ? {} : Object.fromEntries(EDITOR_ACTIONS.map((action) => [action, () => showActionUnavailable('Open a workflow from the list first.')]))),
  });

  return (
    <div className={classes.screen} data-testid="workflows-screen">
      {page.kind === 'workflow' ? (
        <OpenWorkflow key={page.id} id={page.id} onBack={backToTabs} />
      ) : page.kind === 'execution' ? (
        <ExecutionPage key={page.id} id={page.id} onBack={backToTabs} onOpenExecution={openExecution} />
      ) : (
        <Tabs value={tab} onChange={(value) => setTab((value ?? 'workflows') as WorkflowsTabName)} className={classes.tabs} keepMounted={false}>
          <Tabs.List className={classes.tabList}>
            <Tabs.Tab value="workflows" leftSection={<IconRoute size={14} />} data-testid="workflows-tab-workflows">
              Workflows
            </Tabs.Tab>
            <Tabs.Tab value="runs" leftSection={<IconHistory size={14} />} data-testid="workflows-tab-runs">
              Runs
            </Tabs.Tab>
            <Tabs.Tab value="approvals" leftSection={<IconCheckbox size={14} />} data-testid="workflows-tab-approvals">
              Approvals
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="workflows" className={classes.tabPanel}>
            <WorkflowsTab
              onOpenWorkflow={(id) => setPage({ kind: 'workflow', id })}
              onRunsStarted={(workflowId) => {
                setRunFilter({ ...NO_RUN_FILTER, workflowId });
                setTab('runs');
              }}
            />
          </Tabs.Panel>
          <Tabs.Panel value="runs" className={classes.tabPanel}>
            <RunsTab filter={runFilter} onFilterChange={setRunFilter} onOpenExecution={openExecution} />
          </Tabs.Panel>
          <Tabs.Panel value="approvals" className={classes.tabPanel}>
            <ApprovalsInbox onOpenExecution={openExecution} />
          </Tabs.Panel>
        </Tabs>
      )}
    </div>
  );
}

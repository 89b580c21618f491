import { Button, Center, Loader } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { useEditorApi, workflowQuery } from '../api';
import { WorkflowEditor } from '../editor/WorkflowEditor';
import classes from '../Workflows.module.css';

/** One workflow in the editor (which shows its name and actions), with the way back to the list. */
export function OpenWorkflow({ id, onBack }: { id: string; onBack: () => void }) {
  const detail = useQuery(workflowQuery(id));
  const api = useEditorApi();
  return (
    <div className={classes.page} data-testid="workflow-page">
      <div className={classes.pageHeader}>
        <Button size="compact-sm" variant="subtle" leftSection={<IconArrowLeft size={14} />} onClick={onBack} data-testid="workflow-back">
          Workflows
        </Button>
      </div>
      {detail.isPending ? (
        <Center p="xl">
          <Loader size="sm" />
        </Center>
      ) : detail.isError ? (
        <div className={classes.pageBody}>
          <ErrorNotice error={detail.error} subject="Workflow" />
        </div>
      ) : (
        <div className={classes.editorBody}>
          <WorkflowEditor detail={detail.data} api={api} onReload={() => void detail.refetch()} />
        </div>
      )}
    </div>
  );
}

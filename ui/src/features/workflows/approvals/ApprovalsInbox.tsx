import { Center, Group, Loader, Stack, Switch } from '@mantine/core';
import { IconCheckbox } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '../../../shared/EmptyState';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { approvalsQuery } from '../api';
import { ApprovalCard } from './ApprovalCard';

/** The approval requests the person can see: the pending ones, or all with "Show decided". */
export function ApprovalsInbox({ onOpenExecution }: { onOpenExecution: (executionId: string) => void }) {
  const [showDecided, setShowDecided] = useState(false);
  const approvals = useQuery(approvalsQuery(!showDecided));
  return (
    <Stack gap="sm" data-testid="approvals-inbox">
      <Group justify="flex-end">
        <Switch label="Show decided" checked={showDecided} onChange={(e) => setShowDecided(e.currentTarget.checked)} data-testid="approvals-show-decided" />
      </Group>
      {approvals.isPending ? (
        <Center p="md">
          <Loader size="sm" />
        </Center>
      ) : approvals.isError ? (
        <ErrorNotice error={approvals.error} subject="Approvals" />
      ) : approvals.data.length === 0 ? (
        <EmptyState title={showDecided ? 'No approval requests.' : 'Nothing waits for an approval.'} icon={IconCheckbox} framed testId="approvals-empty">
          A workflow's approval step asks here for a vote when it reaches you.
        </EmptyState>
      ) : (
        approvals.data.map((request) => <ApprovalCard key={request.id} request={request} onOpenExecution={onOpenExecution} />)
      )}
    </Stack>
  );
}

import { ActionIcon, Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { describeAppError } from '../../ipc/errors';
import { formatCount } from '../../shared/format';
import { importSummary, jobPercent, rewrapSummary, rowsImportSummary, type JobView } from './jobsModel';
import { useJobs } from './JobsProvider';

/** A small floating panel listing background jobs with progress and Cancel. */
export function JobsPanel() {
  const { jobs } = useJobs();
  if (jobs.length === 0) return null;
  return (
    <Paper withBorder shadow="md" radius="md" p="sm" w={340} pos="fixed" bottom={16} left={16} style={{ zIndex: 300 }} role="region" aria-label="Background jobs" data-testid="jobs-panel">
      <Stack gap="sm">
        <Text size="xs" fw={600} c="dimmed" tt="uppercase">
          Background jobs
        </Text>
        {jobs.map((job) => (
          <JobItem key={job.jobId} job={job} />
        ))}
      </Stack>
    </Paper>
  );
}

const STATUS_TEXT: Record<JobView['status'], string> = {
  running: 'Running',
  committed: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

const STATUS_COLOR: Record<JobView['status'], string> = {
  running: 'teal',
  committed: 'teal',
  cancelled: 'gray',
  failed: 'red',
};

function JobItem({ job }: { job: JobView }) {
  const { cancel, dismiss } = useJobs();
  const running = job.status === 'running';
  return (
    <Stack gap={4} data-testid={`job-${job.jobId}`} data-status={job.status}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" fw={500} truncate="end">
          {job.label}
        </Text>
        {running ? (
          <Button size="compact-xs" variant="light" color="red" loading={job.cancelling} onClick={() => void cancel(job.jobId)} data-testid={`job-cancel-${job.jobId}`}>
            Cancel
          </Button>
        ) : (
          <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Dismiss ${job.label}`} onClick={() => dismiss(job.jobId)}>
            <IconX size={14} />
          </ActionIcon>
        )}
      </Group>
      <Progress value={running ? jobPercent(job) : 100} color={STATUS_COLOR[job.status]} animated={running} size="sm" aria-label={`${job.label} progress`} />
      <Text size="xs" c={job.status === 'failed' ? 'red' : 'dimmed'}>
        {STATUS_TEXT[job.status]} · {formatCount(job.done)} / {formatCount(job.total)}
        {job.error ? ` · ${describeAppError(job.error).message}` : ''}
      </Text>
      {job.rewrap && (
        <Text size="xs" c={job.rewrap.remaining > 0 ? 'var(--eco-warning-text)' : 'dimmed'} data-testid={`job-rewrap-${job.jobId}`}>
          {rewrapSummary(job.rewrap)}
        </Text>
      )}
      {job.imported && (
        <Text size="xs" c={job.imported.committed ? 'dimmed' : 'red'} data-testid={`job-imported-${job.jobId}`}>
          {importSummary(job.imported)}
        </Text>
      )}
      {job.rowsImported && (
        <Text size="xs" c={job.status === 'failed' ? 'red' : 'dimmed'} data-testid={`job-rows-imported-${job.jobId}`}>
          {rowsImportSummary(job.rowsImported)}
        </Text>
      )}
      {job.path && (
        <Text size="xs" c="dimmed" truncate="start" title={job.path} data-testid={`job-path-${job.jobId}`}>
          Saved to {job.path}
        </Text>
      )}
    </Stack>
  );
}

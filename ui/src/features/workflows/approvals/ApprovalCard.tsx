import { Anchor, Badge, Button, Card, Group, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatDateTime, formatRelative } from '../../../shared/format';
import { useVoteApproval } from '../api';
import type { ApprovalRequest, ApprovalVote, VoteDecision } from '../types';
import { APPROVAL_STATUS_COLOR, approveCount } from '../workflowsModel';

type Props = {
  request: ApprovalRequest;
  /** Opens the run waiting on this request; without it no link is shown. */
  onOpenExecution?: (executionId: string) => void;
};

/** One approval request: what it is about, the votes so far, and Approve / Reject for those who may vote. */
export function ApprovalCard({ request, onOpenExecution }: Props) {
  const vote = useVoteApproval();
  const [comment, setComment] = useState('');
  const [voting, setVoting] = useState<VoteDecision | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pending = request.status === 'pending';
  const mayVote = pending && request.canVote;

  const cast = async (decision: VoteDecision) => {
    setVoting(decision);
    setError(null);
    try {
      await vote({ requestId: request.id, decision, comment: comment.trim() === '' ? null : comment.trim() });
      setComment('');
      notifications.show({ color: 'teal', title: decision === 'approve' ? 'Approved' : 'Rejected', message: `Your vote on "${request.title}" is recorded.`, autoClose: 4000 });
    } catch (e) {
      setError(e);
    } finally {
      setVoting(null);
    }
  };

  return (
    <Card withBorder padding="sm" role="group" aria-label={request.title} data-testid={`approval-${request.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Text fw={600}>{request.title}</Text>
            <Text size="xs" c="dimmed">
              {request.workflowName}
              {request.entityName !== null && ` · ${request.entityName}`}
              {onOpenExecution && (
                <>
                  {' · '}
                  <Anchor component="button" type="button" size="xs" onClick={() => onOpenExecution(request.executionId)} data-testid={`approval-open-run-${request.id}`}>
                    Open run
                  </Anchor>
                </>
              )}
            </Text>
          </div>
          <Badge variant="light" color={APPROVAL_STATUS_COLOR[request.status]} data-testid={`approval-status-${request.id}`}>
            {request.status}
          </Badge>
        </Group>
        <Group gap="lg">
          <Text size="sm" data-testid={`approval-votes-${request.id}`}>
            Approvals {approveCount(request)}/{request.required}
          </Text>
          {request.deadlineAt !== null && (
            <Text size="sm" c="dimmed" title={formatDateTime(request.deadlineAt)} data-testid={`approval-deadline-${request.id}`}>
              Deadline {formatRelative(request.deadlineAt)} (then {request.onDeadline})
            </Text>
          )}
        </Group>
        {request.votes.length > 0 && (
          <Stack gap={2} data-testid={`approval-vote-list-${request.id}`}>
            {request.votes.map((v) => (
              <VoteLine key={`${v.userId}-${v.createdAt}`} vote={v} />
            ))}
          </Stack>
        )}
        {pending && (
          <>
            {mayVote && (
              <Textarea
                size="xs"
                placeholder="Comment (optional)"
                aria-label={`Comment on ${request.title}`}
                autosize
                minRows={1}
                value={comment}
                onChange={(e) => setComment(e.currentTarget.value)}
                data-testid={`approval-comment-${request.id}`}
              />
            )}
            <Group gap="xs">
              <Button
                size="xs"
                color="teal"
                leftSection={<IconCheck size={14} />}
                disabled={!mayVote || voting !== null}
                loading={voting === 'approve'}
                onClick={() => void cast('approve')}
                data-testid={`approval-approve-${request.id}`}
              >
                Approve
              </Button>
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<IconX size={14} />}
                disabled={!mayVote || voting !== null}
                loading={voting === 'reject'}
                onClick={() => void cast('reject')}
                data-testid={`approval-reject-${request.id}`}
              >
                Reject
              </Button>
              {!request.canVote && (
                <Text size="xs" c="dimmed">
                  You are not among its approvers, or you have voted.
                </Text>
              )}
            </Group>
          </>
        )}
        {error !== null && <ErrorNotice error={error} compact />}
      </Stack>
    </Card>
  );
}

function VoteLine({ vote }: { vote: ApprovalVote }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Badge size="xs" variant="dot" color={vote.decision === 'approve' ? 'teal' : 'red'}>
        {vote.decision === 'approve' ? 'Approved' : 'Rejected'}
      </Badge>
      <Text size="xs">
        {vote.userName} · {formatRelative(vote.createdAt)}
        {vote.comment !== null && <Text span size="xs" c="dimmed">{` — ${vote.comment}`}</Text>}
      </Text>
    </Group>
  );
}

import { Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import type { TablerIcon } from '@tabler/icons-react';
import type { ReactNode } from 'react';

type Props = {
  /** What is empty, as a sentence ("No dashboards yet."). */
  title: string;
  /** What to do about it: the next step, in words. */
  children?: ReactNode;
  icon?: TablerIcon;
  /** Buttons for the next step. */
  actions?: ReactNode;
  /** `compact`: in a side list or a panel (no icon, left-aligned); `page`: the body of a screen. */
  size?: 'compact' | 'page';
  /** Drawn in a bordered box (where a table would be). */
  framed?: boolean;
  testId?: string;
};

/**
 * The one way an empty list, tree, tab or result says so: what is empty, and
 * what to do next.
 */
export function EmptyState({ title, children, icon: Icon, actions, size = 'page', framed = false, testId }: Props) {
  const compact = size === 'compact';
  const body = (
    <Stack gap={compact ? 4 : 'xs'} align={compact ? 'flex-start' : 'center'} ta={compact ? 'left' : 'center'} p={compact ? 'xs' : 'xl'} data-testid={framed ? undefined : testId} data-empty-state="">
      {Icon && !compact && (
        <ThemeIcon variant="light" color="gray" size={44} radius="xl" aria-hidden>
          <Icon size={24} stroke={1.6} />
        </ThemeIcon>
      )}
      <Text size="sm" fw={compact ? 400 : 600} c={compact ? 'dimmed' : undefined}>
        {title}
      </Text>
      {children && (
        <Text size="sm" c="dimmed" maw={compact ? undefined : 460}>
          {children}
        </Text>
      )}
      {actions && (
        <Group gap="xs" mt={compact ? 4 : 'xs'} justify={compact ? 'flex-start' : 'center'}>
          {actions}
        </Group>
      )}
    </Stack>
  );
  if (!framed) return body;
  return (
    <Paper withBorder radius="md" data-testid={testId}>
      {body}
    </Paper>
  );
}

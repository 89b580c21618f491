import { Card, Center, Tabs, Text } from '@mantine/core';
import { IconHistory, IconInfoCircle, IconLink } from '@tabler/icons-react';
import { useWorkspace, type DetailTab } from '../../shared/WorkspaceContext';
import { EntityLinks } from '../links';
import { useTreeController } from '../tree';
import { EntityHistory } from './EntityHistory';
import { EntityOverview } from './EntityOverview';

/** The detail pane of the focused entity: Overview, Links and History tabs. */
export function EntityDetailsPane() {
  const { selection } = useTreeController();
  const { detailTab, setDetailTab } = useWorkspace();
  const id = selection.focusId;

  if (id === null) {
    return (
      <Center h="100%" data-testid="details-empty">
        <Text c="dimmed">Select an entity in the tree to see its details.</Text>
      </Center>
    );
  }

  return (
    <Card withBorder radius="md" padding="lg" maw={860}>
      {selection.ids.size > 1 && (
        <Text size="sm" c="dimmed" mb="sm" data-testid="details-multi">
          {selection.ids.size.toLocaleString('en-US')} entities selected — showing the focused one.
        </Text>
      )}
      <Tabs value={detailTab} onChange={(tab) => setDetailTab((tab as DetailTab | null) ?? 'overview')} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="overview" leftSection={<IconInfoCircle size={16} />}>
            Overview
          </Tabs.Tab>
          <Tabs.Tab value="links" leftSection={<IconLink size={16} />} data-testid="details-links-tab">
            Links
          </Tabs.Tab>
          <Tabs.Tab value="history" leftSection={<IconHistory size={16} />} data-testid="details-history-tab">
            History
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <EntityOverview id={id} />
        </Tabs.Panel>
        <Tabs.Panel value="links">
          <EntityLinks id={id} />
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <EntityHistory id={id} />
        </Tabs.Panel>
      </Tabs>
    </Card>
  );
}

import { Badge, Box, Card, Tabs, Text } from '@mantine/core';
import { IconForms, IconHistory, IconInfoCircle, IconLink } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '../../shared/EmptyState';
import { ReadOnlyNotice } from '../../shared/ReadOnlyNotice';
import { showActionUnavailable } from '../../shared/actionNotice';
import { useActionRequests, useWorkspace, type DetailTab } from '../../shared/WorkspaceContext';
import { EntityLinks } from '../links';
import { useCapabilities } from '../people';
import { PropertiesPanel } from '../properties';
import { useTreeController } from '../tree';
import { entityQuery } from './api';
import { EntityHistory } from './EntityHistory';
import { EntityOverview } from './EntityOverview';

/** The detail pane of the focused entity: Overview, Properties, Links and History tabs. */
export function EntityDetailsPane() {
  const { selection } = useTreeController();
  const { detailTab, setDetailTab } = useWorkspace();
  const [unsaved, setUnsaved] = useState(0);
  const id = selection.focusId;
  const entity = useQuery({ ...entityQuery(id ?? ''), enabled: id !== null });
  const { whyNot } = useCapabilities();
  // Every change made here needs write on the entity's root (the database
  // checks it too): the tabs show it read-only and this pane says why, once.
  const refused = entity.data ? whyNot(entity.data.node, 'write') : null;

  // Saving is the Properties tab's (while it shows); otherwise there is nothing to save.
  useActionRequests('registry', {
    'save-properties': id === null || detailTab !== 'properties' ? () => showActionUnavailable('Open the Properties tab of an entity and edit a value first.') : undefined,
  });

  if (id === null) {
    return (
      <EmptyState title="Nothing selected." icon={IconInfoCircle} testId="details-empty">
        Select an entity in the tree to see its details: its properties, links and history. Ctrl+K finds one by name.
      </EmptyState>
    );
  }

  return (
    <Card withBorder radius="md" padding="lg" maw={860} style={{ overflow: 'visible' }}>
      {selection.ids.size > 1 && (
        <Text size="sm" c="dimmed" mb="sm" data-testid="details-multi">
          {selection.ids.size.toLocaleString('en-US')} entities selected — showing the focused one.
        </Text>
      )}
      {refused !== null && (
        <Box mb="sm">
          <ReadOnlyNotice reason={refused} testId="details-read-only" />
        </Box>
      )}
      <Tabs value={detailTab} onChange={(tab) => setDetailTab((tab as DetailTab | null) ?? 'overview')} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="overview" leftSection={<IconInfoCircle size={16} />}>
            Overview
          </Tabs.Tab>
          <Tabs.Tab
            value="properties"
            leftSection={<IconForms size={16} />}
            rightSection={
              unsaved > 0 ? (
                <Badge size="xs" circle color="blue" aria-label={`${unsaved} unsaved`} data-testid="details-properties-unsaved">
                  {unsaved}
                </Badge>
              ) : undefined
            }
            data-testid="details-properties-tab"
          >
            Properties
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
        {/* Kept mounted while another tab shows, so unsaved edits survive a look at the history. */}
        <Tabs.Panel value="properties" keepMounted={unsaved > 0 || detailTab === 'properties'}>
          <PropertiesPanel
            key={id}
            entityId={id}
            active={detailTab === 'properties'}
            readOnly={entity.data !== undefined && entity.data.deletedAt !== null}
            refused={refused}
            onUnsavedChange={setUnsaved}
          />
        </Tabs.Panel>
        <Tabs.Panel value="links">
          <EntityLinks id={id} refused={refused} />
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <EntityHistory id={id} refused={refused} />
        </Tabs.Panel>
      </Tabs>
    </Card>
  );
}

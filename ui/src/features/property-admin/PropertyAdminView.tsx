import { ScrollArea, Stack, Tabs, Title } from '@mantine/core';
import { IconForms, IconLayoutList, IconStack2 } from '@tabler/icons-react';
import { ReadOnlyNotice } from '../../shared/ReadOnlyNotice';
import { useActionRequests, usePane, type ActionHandler } from '../../shared/WorkspaceContext';
import { useDefinitionsRefusal } from '../people';
import { DefinitionsPanel } from './DefinitionsPanel';
import { GroupsPanel } from './GroupsPanel';
import { TypeLayoutPanel } from './TypeLayoutPanel';

type Part = 'definitions' | 'groups' | 'layouts';
const PARTS: readonly Part[] = ['definitions', 'groups', 'layouts'];

/** The property schema: its groups, its definitions and the layout of each entity type (read-only but for administrators). */
export function PropertyAdminView() {
  // Kept by the workspace: a restart opens the same tab.
  const [part, setPart] = usePane<Part>('properties.tab', 'definitions', PARTS);
  // The schema is global: only an administrator changes it (the database checks it too).
  const refused = useDefinitionsRefusal();
  const show = (next: Part) => () => setPart(next);
  // "New property" and "New group" are their tab's: go there first (the tab answers once shown).
  const via = (home: Part): ActionHandler | undefined =>
    part === home
      ? undefined
      : () => {
          setPart(home);
          return false;
        };
  useActionRequests('properties', {
    'tab-definitions': show('definitions'),
    'tab-groups': show('groups'),
    'tab-layouts': show('layouts'),
    'new-definition': via('definitions'),
    'new-group': via('groups'),
  });
  return (
    <ScrollArea h="100%">
      <Stack p="lg" gap="md" maw={1200}>
        <Title order={3}>Properties</Title>
        {refused !== null && <ReadOnlyNotice reason={refused} testId="property-admin-read-only" />}
        <Tabs value={part} onChange={(v) => v && setPart(v as Part)} keepMounted={false} data-testid="property-admin-tabs">
          <Tabs.List>
            <Tabs.Tab value="definitions" leftSection={<IconForms size={16} />} data-testid="property-admin-tab-definitions">
              Definitions
            </Tabs.Tab>
            <Tabs.Tab value="groups" leftSection={<IconStack2 size={16} />} data-testid="property-admin-tab-groups">
              Groups
            </Tabs.Tab>
            <Tabs.Tab value="layouts" leftSection={<IconLayoutList size={16} />} data-testid="property-admin-tab-layouts">
              Type layouts
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="definitions" pt="md">
            <DefinitionsPanel refused={refused} />
          </Tabs.Panel>
          <Tabs.Panel value="groups" pt="md">
            <GroupsPanel refused={refused} />
          </Tabs.Panel>
          <Tabs.Panel value="layouts" pt="md">
            <TypeLayoutPanel refused={refused} />
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </ScrollArea>
  );
}

// Every action of every screen, as the palette lists it. A command either
// goes somewhere (a screen, a tab), switches the colour scheme, or asks a
// screen or the toolbar to carry out one of its own actions (the screen
// answers through `useActionRequests`, so the palette and the button it
// stands for do the same thing). Pure data: `CommandPalette.tsx` runs them.
import type { MantineColorScheme } from '@mantine/core';
import {
  IconArrowsMove,
  IconBell,
  IconBinaryTree2,
  IconBox,
  IconCheckbox,
  IconClipboardCopy,
  IconCloudOff,
  IconCopy,
  IconDeviceDesktop,
  IconDeviceFloppy,
  IconDownload,
  IconEyeOff,
  IconEdit,
  IconFileImport,
  IconFilter,
  IconFilterOff,
  IconForms,
  IconHistory,
  IconId,
  IconInbox,
  IconInfoCircle,
  IconLayoutDashboard,
  IconLayoutKanban,
  IconLayoutList,
  IconLink,
  IconListDetails,
  IconLock,
  IconMoon,
  IconPackages,
  IconPencil,
  IconPlayerPlay,
  IconPlus,
  IconRefresh,
  IconRocket,
  IconRoute,
  IconStack2,
  IconSun,
  IconSwitchHorizontal,
  IconTable,
  IconTag,
  IconTags,
  IconTrash,
  IconUserPlus,
  type TablerIcon,
} from '@tabler/icons-react';
import type { ActionTarget, DataTab, WorkspaceView } from '../../shared/WorkspaceContext';

/** What a command does when picked. */
export type CommandEffect =
  | { kind: 'go'; view: WorkspaceView }
  | { kind: 'data'; tab: DataTab }
  | { kind: 'request'; target: ActionTarget; action: string }
  | { kind: 'scheme'; scheme: MantineColorScheme };

export type PaletteAction = {
  id: string;
  title: string;
  description: string;
  keywords: string;
  icon: TablerIcon;
  effect: CommandEffect;
  /**
   * Listed only while this screen is shown: the command acts on what the
   * screen shows (the open view, the selected entity). Without it, the
   * command is listed everywhere.
   */
  onScreen?: WorkspaceView;
  /** Listed only to those who may use that screen. */
  needs?: 'vault' | 'people';
};

/** The names of the screens as the view switch shows them. */
export const SCREEN_TITLES: Record<WorkspaceView, string> = {
  registry: 'Registry',
  views: 'Views',
  dashboards: 'Dashboards',
  workflows: 'Workflows',
  data: 'Data',
  vault: 'Vault',
  trash: 'Trash',
  types: 'Types',
  properties: 'Properties',
  tags: 'Tags',
  people: 'People',
};

const SCREEN_DESCRIPTIONS: Record<WorkspaceView, string> = {
  registry: 'The tree of every entity, with the details of the selected one',
  views: 'Saved views: tables, boards and trees of filtered entities',
  dashboards: 'Widgets over metrics, alerts and counts of the registry',
  workflows: 'Automations, their runs and the approvals waiting for you',
  data: 'Domain packs, importing files, the import runs, offline copies',
  vault: 'Secrets and the keys of each root',
  trash: 'Deleted entities: restore or purge them',
  types: 'Entity types and the view each opens with',
  properties: 'Property definitions, groups and the layout of each type',
  tags: 'Tag groups and tags',
  people: 'People, their roles and what they may do under each root',
};

const SCREEN_ICONS: Record<WorkspaceView, TablerIcon> = {
  registry: IconBinaryTree2,
  views: IconTable,
  dashboards: IconLayoutDashboard,
  workflows: IconRoute,
  data: IconPackages,
  vault: IconLock,
  trash: IconTrash,
  types: IconBox,
  properties: IconForms,
  tags: IconTags,
  people: IconUserPlus,
};

const NEEDS: Partial<Record<WorkspaceView, PaletteAction['needs']>> = { vault: 'vault', people: 'people' };

const goTo = (view: WorkspaceView): PaletteAction => ({
  id: `go-${view}`,
  title: `Go to ${SCREEN_TITLES[view]}`,
  description: SCREEN_DESCRIPTIONS[view],
  keywords: `screen open show switch ${view} ${SCREEN_TITLES[view]}`,
  icon: SCREEN_ICONS[view],
  effect: { kind: 'go', view },
  ...(NEEDS[view] ? { needs: NEEDS[view] } : {}),
});

type Spec = Omit<PaletteAction, 'effect' | 'id'> & { action: string };

/** Commands a screen carries out itself; `onScreen` when they act on what it shows. */
function screenCommands(target: ActionTarget, specs: readonly Spec[]): PaletteAction[] {
  return specs.map(({ action, ...rest }) => ({ id: `${target}-${action}`, ...rest, effect: { kind: 'request', target, action } }));
}

const registry = (spec: Omit<Spec, 'onScreen'>): Spec => ({ ...spec, onScreen: 'registry' });
const views = (spec: Omit<Spec, 'onScreen'>): Spec => ({ ...spec, onScreen: 'views' });
const dashboards = (spec: Omit<Spec, 'onScreen'>): Spec => ({ ...spec, onScreen: 'dashboards' });
const workflows = (spec: Omit<Spec, 'onScreen'>): Spec => ({ ...spec, onScreen: 'workflows' });

/** Every command of the palette, in the order it lists them. */
export const PALETTE_ACTIONS: readonly PaletteAction[] = [
  // The Data screen's tabs come first: importing is what people look for most.
  {
    id: 'data-packs',
    title: 'Data: Packs',
    description: 'Install, upgrade or uninstall domain packs',
    keywords: 'data packs domain install upgrade uninstall',
    icon: IconPackages,
    effect: { kind: 'data', tab: 'packs' },
  },
  {
    id: 'data-import',
    title: 'Data: Import a file',
    description: 'Import rows from a CSV or JSON file, with a preview of the changes',
    keywords: 'data import csv json file sync external ids',
    icon: IconFileImport,
    effect: { kind: 'data', tab: 'import' },
  },
  {
    id: 'data-runs',
    title: 'Data: Import runs',
    description: 'The latest imports of rows and what each changed',
    keywords: 'data import runs log history',
    icon: IconHistory,
    effect: { kind: 'data', tab: 'runs' },
  },
  {
    id: 'data-offline',
    title: 'Data: Offline',
    description: 'What is kept on this computer, and the edits waiting to be sent',
    keywords: 'data offline cache outbox kept subtrees disconnected',
    icon: IconCloudOff,
    effect: { kind: 'data', tab: 'offline' },
  },

  ...(['registry', 'views', 'dashboards', 'workflows', 'data', 'vault', 'trash', 'types', 'properties', 'tags', 'people'] as const).map(goTo),

  // The registry: the tree's own keys and context menu, on the selection.
  ...screenCommands('registry', [
    registry({ action: 'new-root', title: 'Registry: New top-level entity', description: 'Create a root of the registry (a tenant)', keywords: 'new create add root top level entity tenant', icon: IconPlus }),
    registry({ action: 'new-child', title: 'Registry: New child…', description: 'Create an entity under the selected one (Ctrl+N)', keywords: 'new create add child entity insert', icon: IconPlus }),
    registry({ action: 'rename', title: 'Registry: Rename', description: 'Rename the selected entity in place (F2)', keywords: 'rename name edit entity', icon: IconPencil }),
    registry({ action: 'move', title: 'Registry: Move to…', description: 'Choose a new parent for the selection', keywords: 'move parent reparent entity selection', icon: IconArrowsMove }),
    registry({ action: 'bulk-edit', title: 'Registry: Bulk edit…', description: 'Set or clear a property, add or remove a tag, on the selection (Ctrl+E)', keywords: 'bulk edit selection property tag many', icon: IconListDetails }),
    registry({ action: 'delete', title: 'Registry: Delete', description: 'Move the selection to the trash (Delete)', keywords: 'delete remove trash entity selection', icon: IconTrash }),
    registry({ action: 'copy-id', title: 'Registry: Copy ID', description: 'Copy the selected entity’s ID to the clipboard', keywords: 'copy id uuid clipboard', icon: IconId }),
    registry({ action: 'copy-path', title: 'Registry: Copy path', description: 'Copy the selected entity’s dotted path to the clipboard', keywords: 'copy path label clipboard', icon: IconClipboardCopy }),
    registry({ action: 'overview', title: 'Registry: Show overview', description: 'The selected entity’s breadcrumb, size and alerts', keywords: 'details overview entity tab', icon: IconInfoCircle }),
    registry({ action: 'properties', title: 'Registry: Show properties', description: 'Edit the selected entity’s properties', keywords: 'details properties values edit tab', icon: IconForms }),
    registry({ action: 'save-properties', title: 'Registry: Save properties', description: 'Save every property edit of the selected entity at once (Ctrl+S)', keywords: 'save properties values edits', icon: IconDeviceFloppy }),
    registry({ action: 'links', title: 'Registry: Show links', description: 'The selected entity’s tags, groups and relationships', keywords: 'details links tags groups relationships graph tab', icon: IconLink }),
    registry({ action: 'history', title: 'Registry: Show history', description: 'Every change of the selected entity, and restoring a past state', keywords: 'details history audit changes restore tab', icon: IconHistory }),
  ]),

  // Views: the open view (a new one is "New view", listed with the saved views).
  ...screenCommands('views', [
    views({ action: 'builder', title: 'Views: Filter & columns', description: 'Show or hide the builder of the open view', keywords: 'view filter columns sort group builder conditions', icon: IconFilter }),
    views({ action: 'show-table', title: 'Views: Show as a table', description: 'Rows and columns; resize, reorder, sort, edit cells', keywords: 'view table rows columns', icon: IconTable }),
    views({ action: 'show-board', title: 'Views: Show as a board', description: 'Cards in columns by a single-select property', keywords: 'view board kanban cards columns', icon: IconLayoutKanban }),
    views({ action: 'show-tree', title: 'Views: Show as a tree', description: 'The matches under their ancestors', keywords: 'view tree hierarchy ancestors', icon: IconBinaryTree2 }),
    views({ action: 'save', title: 'Views: Save', description: 'Save the open view (Ctrl+S)', keywords: 'view save store', icon: IconDeviceFloppy }),
    views({ action: 'save-as', title: 'Views: Save as…', description: 'Save a copy, shared or personal', keywords: 'view save as copy share personal', icon: IconDeviceFloppy }),
    views({ action: 'export', title: 'Views: Export…', description: 'Write the view’s rows to a CSV or JSON file', keywords: 'view export download csv json file', icon: IconDownload }),
    views({ action: 'bulk-selected', title: 'Views: Bulk edit the selected rows…', description: 'Edit the rows selected in the table', keywords: 'view bulk edit selected rows', icon: IconListDetails }),
    views({ action: 'bulk-all', title: 'Views: Bulk edit every row…', description: 'Edit every entity the view matches', keywords: 'view bulk edit all rows every', icon: IconListDetails }),
    views({ action: 'rename', title: 'Views: Rename…', description: 'Rename the open saved view', keywords: 'view rename name', icon: IconPencil }),
    views({ action: 'duplicate-personal', title: 'Views: Duplicate as personal', description: 'A copy of the open view that only you see', keywords: 'view duplicate copy personal', icon: IconCopy }),
    views({ action: 'duplicate-shared', title: 'Views: Duplicate as shared', description: 'A copy of the open view everyone sees', keywords: 'view duplicate copy shared', icon: IconCopy }),
    views({ action: 'delete', title: 'Views: Delete', description: 'Delete the open saved view (it can be restored)', keywords: 'view delete remove', icon: IconTrash }),
  ]),

  // Dashboards.
  ...screenCommands('dashboards', [
    { action: 'new', title: 'Dashboards: New dashboard', description: 'Start an empty dashboard', keywords: 'dashboard new create add', icon: IconPlus },
    { action: 'import-readings', title: 'Dashboards: Import readings…', description: 'Load meter readings from a CSV or JSON file', keywords: 'dashboard import readings metrics csv json file meter', icon: IconFileImport },
    dashboards({ action: 'edit', title: 'Dashboards: Edit layout', description: 'Move, resize, add and remove the widgets of the open dashboard', keywords: 'dashboard edit layout widgets grid', icon: IconEdit }),
    dashboards({ action: 'add-widget', title: 'Dashboards: Add widget…', description: 'Add a KPI, chart, table, alerts list, tree-map or note', keywords: 'dashboard add widget chart kpi table', icon: IconPlus }),
    dashboards({ action: 'save', title: 'Dashboards: Save', description: 'Save the open dashboard (Ctrl+S)', keywords: 'dashboard save store', icon: IconDeviceFloppy }),
    dashboards({ action: 'refresh', title: 'Dashboards: Refresh', description: 'Read every widget again', keywords: 'dashboard refresh reload update', icon: IconRefresh }),
    dashboards({ action: 'clear-filters', title: 'Dashboards: Clear filters', description: 'Remove the filters set by clicks in the widgets', keywords: 'dashboard clear filters cross reset', icon: IconFilterOff }),
    dashboards({ action: 'delete', title: 'Dashboards: Delete', description: 'Delete the open dashboard (it can be restored)', keywords: 'dashboard delete remove', icon: IconTrash }),
  ]),

  // Workflows.
  ...screenCommands('workflows', [
    { action: 'tab-workflows', title: 'Workflows: Workflows', description: 'The list of workflows', keywords: 'workflows list automations tab', icon: IconRoute },
    { action: 'tab-runs', title: 'Workflows: Runs', description: 'Executions and their steps', keywords: 'workflows runs executions history tab', icon: IconHistory },
    { action: 'tab-approvals', title: 'Workflows: Approvals', description: 'The approvals waiting for your vote', keywords: 'workflows approvals inbox vote approve reject tab', icon: IconCheckbox },
    { action: 'new', title: 'Workflows: New workflow…', description: 'Start a workflow with its trigger', keywords: 'workflow new create automation', icon: IconPlus },
    workflows({ action: 'save', title: 'Workflows: Save draft', description: 'Save the open workflow’s draft (Ctrl+S)', keywords: 'workflow save draft', icon: IconDeviceFloppy }),
    workflows({ action: 'publish', title: 'Workflows: Publish', description: 'Publish the saved draft as a new version', keywords: 'workflow publish version release', icon: IconRocket }),
    workflows({ action: 'test-run', title: 'Workflows: Test run', description: 'Run the draft without writing anything', keywords: 'workflow test run dry try', icon: IconPlayerPlay }),
  ]),

  // Screens with one thing to create.
  ...screenCommands('types', [{ action: 'new', title: 'Types: New type…', description: 'Define an entity type', keywords: 'type entity new create define', icon: IconPlus }]),
  ...screenCommands('properties', [
    { action: 'tab-definitions', title: 'Properties: Definitions', description: 'The properties entities can have', keywords: 'properties definitions schema tab', icon: IconForms },
    { action: 'tab-groups', title: 'Properties: Groups', description: 'The groups properties are shown in', keywords: 'properties groups tab', icon: IconStack2 },
    { action: 'tab-layouts', title: 'Properties: Type layouts', description: 'Which properties each entity type shows, in order', keywords: 'properties type layouts order tab', icon: IconLayoutList },
    { action: 'new-definition', title: 'Properties: New property…', description: 'Define a property with its type and rules', keywords: 'property new create define definition', icon: IconPlus },
    { action: 'new-group', title: 'Properties: New group…', description: 'A group to show properties in', keywords: 'property group new create', icon: IconPlus },
  ]),
  ...screenCommands('tags', [
    { action: 'new-group', title: 'Tags: New tag group…', description: 'A group of tags, single or multiple choice', keywords: 'tag group new create', icon: IconTags },
    { action: 'new-tag', title: 'Tags: New tag…', description: 'A tag in one of the groups', keywords: 'tag new create label', icon: IconTag },
  ]),
  ...screenCommands('vault', [{ action: 'new-secret', title: 'Vault: New secret…', description: 'Store a secret under an entity', keywords: 'vault secret new create password token', icon: IconPlus, needs: 'vault' }]),
  ...screenCommands('people', [{ action: 'add', title: 'People: Add person…', description: 'Create a person with a role of their own, or link an existing role', keywords: 'people person add user role new', icon: IconUserPlus, needs: 'people' }]),

  // The toolbar.
  ...screenCommands('toolbar', [
    { action: 'switch-person', title: 'Switch person…', description: 'Sign in as someone else, or on another database', keywords: 'sign in switch person user login database server profile', icon: IconSwitchHorizontal },
    { action: 'stop-view-as', title: 'Stop viewing as someone else', description: 'Back to the registry as you see it, with your own rights', keywords: 'view as stop people person read-only back', icon: IconEyeOff },
    { action: 'vault-lock', title: 'Lock or unlock the vault', description: 'Lock: forget the keys now. Unlock: type the passphrase', keywords: 'vault lock unlock passphrase keys', icon: IconLock },
    { action: 'alerts', title: 'Show open alerts', description: 'The newest open alerts and their entities', keywords: 'alerts open bell critical warning', icon: IconBell },
    { action: 'notifications', title: 'Show notifications', description: 'Workflow notifications, and mark them read', keywords: 'notifications inbox workflow messages unread', icon: IconInbox },
  ]),

  // The colour scheme (also in the header).
  { id: 'theme-auto', title: 'Theme: System', description: 'Light or dark as the system prefers', keywords: 'theme appearance colour color scheme system auto', icon: IconDeviceDesktop, effect: { kind: 'scheme', scheme: 'auto' } },
  { id: 'theme-light', title: 'Theme: Light', description: 'Dark text on light surfaces', keywords: 'theme appearance colour color scheme light day', icon: IconSun, effect: { kind: 'scheme', scheme: 'light' } },
  { id: 'theme-dark', title: 'Theme: Dark', description: 'Light text on dark surfaces', keywords: 'theme appearance colour color scheme dark night', icon: IconMoon, effect: { kind: 'scheme', scheme: 'dark' } },
];

/** What decides which commands are listed: the screen shown, and who is signed in. */
export type CommandContext = { view: WorkspaceView | null; mayUseVault: boolean; mayManagePeople: boolean };

/** The commands listed in this context, in catalogue order. */
export function availableActions(context: CommandContext, actions: readonly PaletteAction[] = PALETTE_ACTIONS): PaletteAction[] {
  return actions.filter((action) => {
    if (action.onScreen !== undefined && action.onScreen !== context.view) return false;
    if (action.needs === 'vault' && !context.mayUseVault) return false;
    if (action.needs === 'people' && !context.mayManagePeople) return false;
    return true;
  });
}

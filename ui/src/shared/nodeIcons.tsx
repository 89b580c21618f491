import {
  IconAlertOctagon,
  IconAlertTriangle,
  IconBattery,
  IconBolt,
  IconBooks,
  IconBox,
  IconBriefcase,
  IconBuilding,
  IconBuildingFactory,
  IconBuildingFactory2,
  IconCalendarEvent,
  IconChartLine,
  IconChecks,
  IconCircleDot,
  IconClipboardList,
  IconCloud,
  IconCpu,
  IconDatabase,
  IconDeviceDesktop,
  IconDoor,
  IconDroplet,
  IconFolder,
  IconGauge,
  IconGitBranch,
  IconKey,
  IconLayoutGrid,
  IconLeaf,
  IconListNumbers,
  IconLock,
  IconMapPin,
  IconPlayerPlay,
  IconPlug,
  IconRocket,
  IconRouter,
  IconServer,
  IconSitemap,
  IconSnowflake,
  IconSolarPanel,
  IconStack,
  IconStack2,
  IconSun,
  IconTarget,
  IconTemperature,
  IconTemplate,
  IconTool,
  IconTruck,
  IconUser,
  IconUsers,
  IconWind,
  IconWorld,
  type IconProps,
  type TablerIcon,
} from '@tabler/icons-react';

/**
 * Registry of icon names (as stored on entity types, kebab-case like the
 * Tabler names) to icon components. Unknown or missing names fall back to
 * FALLBACK_ICON.
 */
const NODE_ICONS: Readonly<Record<string, TablerIcon>> = {
  'alert-octagon': IconAlertOctagon,
  'alert-triangle': IconAlertTriangle,
  battery: IconBattery,
  bolt: IconBolt,
  books: IconBooks,
  box: IconBox,
  briefcase: IconBriefcase,
  building: IconBuilding,
  'building-factory': IconBuildingFactory,
  'building-factory-2': IconBuildingFactory2,
  'calendar-event': IconCalendarEvent,
  'chart-line': IconChartLine,
  checks: IconChecks,
  'clipboard-list': IconClipboardList,
  cloud: IconCloud,
  cpu: IconCpu,
  database: IconDatabase,
  'device-desktop': IconDeviceDesktop,
  door: IconDoor,
  droplet: IconDroplet,
  folder: IconFolder,
  gauge: IconGauge,
  'git-branch': IconGitBranch,
  key: IconKey,
  'layout-grid': IconLayoutGrid,
  leaf: IconLeaf,
  'list-numbers': IconListNumbers,
  lock: IconLock,
  'map-pin': IconMapPin,
  'player-play': IconPlayerPlay,
  plug: IconPlug,
  rocket: IconRocket,
  router: IconRouter,
  server: IconServer,
  sitemap: IconSitemap,
  snowflake: IconSnowflake,
  'solar-panel': IconSolarPanel,
  stack: IconStack,
  'stack-2': IconStack2,
  sun: IconSun,
  target: IconTarget,
  temperature: IconTemperature,
  template: IconTemplate,
  tool: IconTool,
  truck: IconTruck,
  user: IconUser,
  users: IconUsers,
  wind: IconWind,
  world: IconWorld,
};

export const FALLBACK_ICON: TablerIcon = IconCircleDot;

export function resolveNodeIcon(name: string | null | undefined): TablerIcon {
  if (!name) return FALLBACK_ICON;
  const key = name.trim().toLowerCase().replace(/^icon-/, '');
  return Object.prototype.hasOwnProperty.call(NODE_ICONS, key) ? NODE_ICONS[key] : FALLBACK_ICON;
}

export function knownIconNames(): string[] {
  return Object.keys(NODE_ICONS);
}

type NodeIconProps = IconProps & { icon: string | null | undefined };

export function NodeIcon({ icon, ...rest }: NodeIconProps) {
  const Component = resolveNodeIcon(icon);
  return <Component data-icon={Component === FALLBACK_ICON ? 'fallback' : (icon ?? undefined)} {...rest} />;
}

import {
  IconBattery,
  IconBolt,
  IconBox,
  IconBuilding,
  IconBuildingFactory,
  IconBuildingFactory2,
  IconCircleDot,
  IconCpu,
  IconDatabase,
  IconDeviceDesktop,
  IconDoor,
  IconDroplet,
  IconFolder,
  IconGauge,
  IconKey,
  IconLeaf,
  IconMapPin,
  IconPlug,
  IconServer,
  IconSitemap,
  IconSolarPanel,
  IconStack,
  IconStack2,
  IconTemperature,
  IconUser,
  IconUsers,
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
  battery: IconBattery,
  bolt: IconBolt,
  box: IconBox,
  building: IconBuilding,
  'building-factory': IconBuildingFactory,
  'building-factory-2': IconBuildingFactory2,
  cpu: IconCpu,
  database: IconDatabase,
  'device-desktop': IconDeviceDesktop,
  door: IconDoor,
  droplet: IconDroplet,
  folder: IconFolder,
  gauge: IconGauge,
  key: IconKey,
  leaf: IconLeaf,
  'map-pin': IconMapPin,
  plug: IconPlug,
  server: IconServer,
  sitemap: IconSitemap,
  'solar-panel': IconSolarPanel,
  stack: IconStack,
  'stack-2': IconStack2,
  temperature: IconTemperature,
  user: IconUser,
  users: IconUsers,
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

import { render } from '@testing-library/react';
import * as Tabler from '@tabler/icons-react';
import { describe, expect, it } from 'vitest';
import { FALLBACK_ICON, knownIconNames, NodeIcon, resolveNodeIcon } from './nodeIcons';

/** The icon names the built-in domain packs give their entity types. */
const PACK_ICONS = [
  'alert-octagon',
  'alert-triangle',
  'bolt',
  'books',
  'box',
  'briefcase',
  'building',
  'building-factory-2',
  'calendar-event',
  'chart-line',
  'checks',
  'clipboard-list',
  'cloud',
  'droplet',
  'folder',
  'gauge',
  'git-branch',
  'key',
  'layout-grid',
  'leaf',
  'list-numbers',
  'lock',
  'map-pin',
  'player-play',
  'plug',
  'rocket',
  'router',
  'server',
  'snowflake',
  'sun',
  'target',
  'temperature',
  'template',
  'tool',
  'truck',
  'users',
  'wind',
];

/** "building-factory-2" → IconBuildingFactory2, the Tabler export of that name. */
const tablerExport = (name: string) => `Icon${name.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase())}`;

describe('node icons: the packs’ icon names', () => {
  it('maps every icon name a pack uses to its own Tabler icon', () => {
    const icons = Tabler as unknown as Record<string, unknown>;
    for (const name of PACK_ICONS) {
      expect(knownIconNames()).toContain(name);
      const component = resolveNodeIcon(name);
      expect(component, name).not.toBe(FALLBACK_ICON);
      expect(component, name).toBe(icons[tablerExport(name)]);
    }
    expect(new Set(PACK_ICONS.map(resolveNodeIcon)).size).toBe(PACK_ICONS.length);
  });

  it('keeps the earlier names and the fallback', () => {
    for (const name of ['battery', 'cpu', 'database', 'device-desktop', 'door', 'sitemap', 'solar-panel', 'stack', 'stack-2', 'user', 'world', 'building-factory']) {
      expect(resolveNodeIcon(name), name).not.toBe(FALLBACK_ICON);
    }
    expect(resolveNodeIcon('Alert-Octagon')).toBe(resolveNodeIcon('alert-octagon'));
    expect(resolveNodeIcon('icon-truck')).toBe(resolveNodeIcon('truck'));
    expect(resolveNodeIcon('no-such-icon')).toBe(FALLBACK_ICON);
  });

  it('renders a pack icon by name', () => {
    const { container } = render(<NodeIcon icon="git-branch" />);
    expect(container.querySelector('svg[data-icon="git-branch"]')).not.toBeNull();
  });
});

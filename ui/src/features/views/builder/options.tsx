// The choices of the builder's selects: properties by group (those a use
// refuses shown disabled, with why), entity types, and tags by tag group.
import { ColorSwatch, Group, Text, type ComboboxItem, type ComboboxItemGroup, type ComboboxLikeRenderOptionInput } from '@mantine/core';
import type { EntityType, PropertyDefinition, PropertyGroup, Tag, TagGroup, ValueType } from '../../../bindings';

export const VALUE_TYPE_LABEL: Record<ValueType, string> = {
  text: 'text',
  number: 'number',
  boolean: 'yes / no',
  date: 'date',
  json: 'JSON',
  ip_address: 'IP address',
  url: 'URL',
  secret_reference: 'secret',
  single_select: 'single select',
  multi_select: 'multi select',
};

/** A property option: its value, and why it cannot be chosen when it cannot. */
export type PropertyItem = ComboboxItem & { valueType: ValueType; reason: string | null; masked?: boolean };

/**
 * Definitions by property group (in the groups' order, then those without
 * one), by name. `refusal` says why one cannot be chosen (null: it can);
 * `hidden` leaves one out altogether.
 */
type ItemOptions = {
  valueFor?: (d: PropertyDefinition) => string;
  refusal?: (d: PropertyDefinition) => string | null;
  hidden?: (d: PropertyDefinition) => boolean;
  masked?: (d: PropertyDefinition) => boolean;
};

export function propertyItems(definitions: readonly PropertyDefinition[], groups: readonly PropertyGroup[], options: ItemOptions = {}): ComboboxItemGroup<PropertyItem>[] {
  const { valueFor = (d: PropertyDefinition) => d.key, refusal = () => null, hidden = () => false, masked = () => false } = options;
  const shown = definitions.filter((d) => !hidden(d)).sort((a, b) => a.name.localeCompare(b.name));
  const item = (d: PropertyDefinition): PropertyItem => {
    const reason = refusal(d);
    return { value: valueFor(d), label: d.name, valueType: d.valueType, reason, disabled: reason !== null, masked: masked(d) };
  };
  const ordered = [...groups].sort((a, b) => a.displayOrder - b.displayOrder);
  const result = ordered.map((g) => ({ group: g.name, items: shown.filter((d) => d.groupId === g.id).map(item) })).filter((g) => g.items.length > 0);
  const known = new Set(groups.map((g) => g.id));
  const others = shown.filter((d) => d.groupId === null || !known.has(d.groupId));
  if (others.length > 0) result.push({ group: groups.length > 0 ? 'Other properties' : 'Properties', items: others.map(item) });
  return result;
}

/** A property option with its type, and why it is disabled. */
export function renderPropertyOption({ option }: ComboboxLikeRenderOptionInput<ComboboxItem>) {
  const item = option as PropertyItem;
  return (
    <Group gap="xs" justify="space-between" wrap="nowrap" w="100%">
      <Text size="sm">{item.label}</Text>
      {item.valueType && (
        <Text size="xs" c="dimmed" ta="right">
          {item.reason ?? (item.masked ? `${VALUE_TYPE_LABEL[item.valueType]}, masked` : VALUE_TYPE_LABEL[item.valueType])}
        </Text>
      )}
    </Group>
  );
}

export const typeItems = (types: readonly EntityType[]): ComboboxItem[] =>
  [...types].sort((a, b) => a.name.localeCompare(b.name)).map((t) => ({ value: t.key, label: t.name }));

/** Tags by tag group; tags without one last. */
export function tagItems(tags: readonly Tag[], groups: readonly TagGroup[]): ComboboxItemGroup<ComboboxItem>[] {
  const live = tags.filter((t) => t.deletedAt === null).sort((a, b) => a.name.localeCompare(b.name));
  const item = (t: Tag): ComboboxItem => ({ value: t.id, label: t.name });
  const result = groups
    .filter((g) => g.deletedAt === null)
    .map((g) => ({ group: g.name, items: live.filter((t) => t.groupId === g.id).map(item) }))
    .filter((g) => g.items.length > 0);
  const known = new Set(groups.filter((g) => g.deletedAt === null).map((g) => g.id));
  const others = live.filter((t) => t.groupId === null || !known.has(t.groupId));
  if (others.length > 0) result.push({ group: 'No group', items: others.map(item) });
  return result;
}

export function TagDot({ color }: { color: string | null | undefined }) {
  return <ColorSwatch component="span" color={color ?? 'var(--mantine-color-gray-4)'} size={10} withShadow={false} style={{ flex: '0 0 auto' }} />;
}

/** Values the document holds that the choices lack still show (by their raw key or id). */
export function withMissing(
  choices: readonly (ComboboxItem | ComboboxItemGroup<ComboboxItem>)[],
  values: readonly string[],
  label = (v: string) => `${v} (unknown)`,
): (ComboboxItem | ComboboxItemGroup<ComboboxItem>)[] {
  const present = new Set<string>();
  for (const entry of choices) {
    if ('group' in entry) for (const item of entry.items) present.add(item.value);
    else present.add(entry.value);
  }
  const missing = values.filter((v) => !present.has(v));
  if (missing.length === 0) return [...choices];
  return [...choices, { group: 'Not found', items: missing.map((v) => ({ value: v, label: label(v) })) }];
}

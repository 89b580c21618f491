import { Checkbox, MultiSelect, Select, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import type { EntityEventKind, Trigger } from '../types';
import { JsonFilterInput } from './JsonFilterInput';
import { ALERT_LEVELS } from './nodeForms';
import type { FieldProblems } from './problems';

type TriggerKind = Trigger['kind'];

const KINDS: { value: TriggerKind; label: string }[] = [
  { value: 'manual', label: 'Started by a person' },
  { value: 'entityEvent', label: 'An entity changes' },
  { value: 'schedule', label: 'On a schedule' },
  { value: 'alertRaised', label: 'An alert is raised' },
];

const EVENTS: { value: EntityEventKind; label: string }[] = [
  { value: 'created', label: 'Created' },
  { value: 'updated', label: 'Updated' },
  { value: 'deleted', label: 'Deleted' },
  { value: 'moved', label: 'Moved' },
  { value: 'propertyChanged', label: 'A property changed' },
];

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The time zones to offer, with `current` among them. */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = known.includes('UTC') ? known : ['UTC', ...known];
  return current === '' || zones.includes(current) ? zones : [current, ...zones];
}

/** A trigger of `kind` with its fields at their defaults. */
export function defaultTrigger(kind: TriggerKind): Trigger {
  switch (kind) {
    case 'manual':
      return { kind };
    case 'entityEvent':
      return { kind, events: ['updated'], properties: [], filter: null, includeWorkflowChanges: false };
    case 'schedule':
      return { kind, cron: '0 8 * * 1-5', timeZone: localTimeZone() };
    case 'alertRaised':
      return { kind, levels: ['critical'], filter: null };
  }
}

type Props = { trigger: Trigger; onChange: (next: Trigger) => void; problems: FieldProblems };

export function TriggerForm({ trigger, onChange, problems }: Props) {
  return (
    <Stack gap="xs" data-testid="wf-trigger">
      <Select
        label="Runs when"
        data={KINDS}
        value={trigger.kind}
        onChange={(kind) => kind && kind !== trigger.kind && onChange(defaultTrigger(kind as TriggerKind))}
        allowDeselect={false}
        error={problems.kind}
        data-testid="wf-trigger-kind"
      />
      <TriggerFields trigger={trigger} onChange={onChange} problems={problems} />
    </Stack>
  );
}

function TriggerFields({ trigger, onChange, problems }: Props) {
  switch (trigger.kind) {
    case 'manual':
      return (
        <Text size="xs" c="dimmed">
          Someone runs it on an entity, or on each row of a saved view.
        </Text>
      );
    case 'entityEvent':
      return (
        <>
          <Checkbox.Group
            label="Events"
            value={trigger.events}
            onChange={(events) => onChange({ ...trigger, events: events as EntityEventKind[] })}
            error={problems.events}
            data-testid="wf-trigger-events"
          >
            <Stack gap={4} mt={4}>
              {EVENTS.map((event) => (
                <Checkbox key={event.value} value={event.value} label={event.label} size="xs" data-testid={`wf-trigger-event-${event.value}`} />
              ))}
            </Stack>
          </Checkbox.Group>
          {trigger.events.includes('propertyChanged') && (
            <TagsInput
              label="Properties"
              description="Only changes of these keys (none: any property)."
              value={trigger.properties}
              onChange={(properties) => onChange({ ...trigger, properties })}
              error={problems.properties}
              data-testid="wf-trigger-properties"
            />
          )}
          <JsonFilterInput
            label="Only entities matching"
            description="A filter in the views' filter language, as JSON. Empty: every entity of the root."
            value={trigger.filter}
            nullable
            onChange={(filter) => onChange({ ...trigger, filter })}
            error={problems.filter}
            testId="wf-trigger-filter"
          />
          <Switch
            label="Also on changes made by workflows"
            description="Off, a workflow cannot set itself off again."
            checked={trigger.includeWorkflowChanges}
            onChange={(e) => onChange({ ...trigger, includeWorkflowChanges: e.currentTarget.checked })}
            data-testid="wf-trigger-include-workflow-changes"
          />
        </>
      );
    case 'schedule':
      return (
        <>
          <TextInput
            label="Schedule (cron)"
            description="minute hour day-of-month month day-of-week, e.g. 0 8 * * 1-5"
            value={trigger.cron}
            onChange={(e) => onChange({ ...trigger, cron: e.currentTarget.value })}
            error={problems.cron}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            data-testid="wf-trigger-cron"
          />
          <Select
            label="Time zone"
            data={timeZones(trigger.timeZone)}
            value={trigger.timeZone}
            onChange={(timeZone) => timeZone && onChange({ ...trigger, timeZone })}
            searchable
            allowDeselect={false}
            limit={50}
            error={problems.timeZone}
            data-testid="wf-trigger-time-zone"
          />
          <Text size="xs" c="dimmed">
            A scheduled run has no entity: steps that act on one cannot be used.
          </Text>
        </>
      );
    case 'alertRaised':
      return (
        <>
          <MultiSelect
            label="Levels"
            description="None: any level."
            data={ALERT_LEVELS.map((level) => ({ value: level, label: level[0].toUpperCase() + level.slice(1) }))}
            value={trigger.levels}
            onChange={(levels) => onChange({ ...trigger, levels })}
            error={problems.levels}
            data-testid="wf-trigger-levels"
          />
          <JsonFilterInput
            label="Only on entities matching"
            description="A filter in the views' filter language, as JSON. Empty: every entity of the root."
            value={trigger.filter}
            nullable
            onChange={(filter) => onChange({ ...trigger, filter })}
            error={problems.filter}
            testId="wf-trigger-filter"
          />
        </>
      );
  }
}

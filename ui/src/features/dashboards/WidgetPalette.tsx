// Adding a widget (choose its kind, then its title and settings) or editing
// one (its title and settings). The settings are the kind's own form.
import { Button, Group, Modal, SimpleGrid, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { WidgetConfig } from '../../bindings';
import classes from './Dashboards.module.css';
import { allModules, moduleOf } from './registry';
import type { WidgetModule } from './widgets';

type Props = {
  /** The widget edited; null to add a new one. */
  initial: { title: string | null; config: WidgetConfig } | null;
  onSubmit: (title: string | null, config: WidgetConfig) => void;
  onClose: () => void;
};

export function WidgetPalette({ initial, onSubmit, onClose }: Props) {
  const [chosen, setChosen] = useState<{ title: string; config: WidgetConfig } | null>(initial ? { title: initial.title ?? '', config: initial.config } : null);
  const module = chosen ? moduleOf(chosen.config.type) : null;

  return (
    <Modal
      opened
      onClose={onClose}
      centered
      size={chosen ? 'lg' : 'xl'}
      title={initial ? `Edit "${initial.title?.trim() || module?.label || 'widget'}"` : chosen && module ? `Add ${module.label}` : 'Add a widget'}
      data-testid="widget-palette"
    >
      {chosen === null ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          {allModules().map((m) => (
            <UnstyledButton
              key={m.type}
              className={classes.paletteItem}
              onClick={() => setChosen({ title: '', config: m.defaultConfig() })}
              data-testid={`widget-palette-${m.type}`}
            >
              <Text size="sm" fw={600}>
                {m.label}
              </Text>
              <Text size="xs" c="dimmed">
                {m.description}
              </Text>
            </UnstyledButton>
          ))}
        </SimpleGrid>
      ) : module === null ? (
        <Text size="sm" c="dimmed">
          This kind of widget ({chosen.config.type}) cannot be edited in this version of Eco Studio.
        </Text>
      ) : (
        <ConfigStep
          module={module}
          value={chosen}
          onChange={setChosen}
          submitLabel={initial ? 'Apply' : 'Add widget'}
          onBack={initial ? null : () => setChosen(null)}
          onSubmit={() => {
            onSubmit(chosen.title.trim() || null, chosen.config);
            onClose();
          }}
          onClose={onClose}
        />
      )}
    </Modal>
  );
}

type Chosen = { title: string; config: WidgetConfig };

function ConfigStep({
  module,
  value,
  onChange,
  submitLabel,
  onBack,
  onSubmit,
  onClose,
}: {
  module: WidgetModule;
  value: Chosen;
  onChange: (next: Chosen) => void;
  submitLabel: string;
  onBack: (() => void) | null;
  onSubmit: () => void;
  onClose: () => void;
}) {
  const Form = module.ConfigForm;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit} data-testid="widget-config-form">
      <Stack gap="md">
        <Text size="xs" c="dimmed">
          {module.description}
        </Text>
        <TextInput
          label="Title"
          placeholder={module.label}
          value={value.title}
          onChange={(e) => onChange({ ...value, title: e.currentTarget.value })}
          data-autofocus
          data-testid="widget-title"
        />
        <Form value={value.config} onChange={(config) => onChange({ ...value, config })} />
        <Group justify="space-between" gap="sm">
          {onBack ? (
            <Button variant="subtle" leftSection={<IconArrowLeft size={14} />} onClick={onBack} data-testid="widget-palette-back">
              Other widgets
            </Button>
          ) : (
            <span />
          )}
          <Group gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" data-testid="widget-config-submit">
              {submitLabel}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}

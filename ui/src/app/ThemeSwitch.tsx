import { ActionIcon, Group, Popover, Radio, Stack, Tooltip, useComputedColorScheme, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { IconDeviceDesktop, IconMoon, IconSun, type TablerIcon } from '@tabler/icons-react';
import { useState } from 'react';
import { COLOR_SCHEME_CHOICES, colorSchemeLabel } from '../shared/colorScheme';

const ICONS: Record<MantineColorScheme, TablerIcon> = { auto: IconDeviceDesktop, light: IconSun, dark: IconMoon };

/** The header's theme choice: as the system prefers, light or dark (kept for the next start). */
export function ThemeSwitch() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const shown = useComputedColorScheme('light');
  const [opened, setOpened] = useState(false);
  const label = `Theme: ${colorSchemeLabel(colorScheme)}${colorScheme === 'auto' ? ` (${shown})` : ''}`;
  const Icon = ICONS[colorScheme];
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" shadow="md" withArrow trapFocus returnFocus>
      <Popover.Target>
        <Tooltip label={label} withArrow openDelay={300} disabled={opened}>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} aria-expanded={opened} onClick={() => setOpened((o) => !o)} data-testid="theme-switch">
            <Icon size={18} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown>
        <Radio.Group label="Theme" value={colorScheme} onChange={(value) => setColorScheme(value as MantineColorScheme)}>
          <Stack gap="xs" mt="xs">
            {COLOR_SCHEME_CHOICES.map(({ value, label: name }) => {
              const ChoiceIcon = ICONS[value];
              return (
                <Radio
                  key={value}
                  value={value}
                  label={
                    <Group gap={6} wrap="nowrap">
                      <ChoiceIcon size={16} aria-hidden />
                      {name}
                    </Group>
                  }
                  data-testid={`theme-${value}`}
                />
              );
            })}
          </Stack>
        </Radio.Group>
      </Popover.Dropdown>
    </Popover>
  );
}

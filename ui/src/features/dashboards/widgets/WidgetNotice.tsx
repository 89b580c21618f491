// What a widget body shows when it has nothing to draw.
import { Center, Text } from '@mantine/core';

export function WidgetNotice({ children, testId = 'widget-empty' }: { children: string; testId?: string }) {
  return (
    <Center h="100%" p="sm" data-testid={testId}>
      <Text size="sm" c="dimmed" ta="center">
        {children}
      </Text>
    </Center>
  );
}

/** Shown when the data does not match the widget (a dashboard mid-change). */
export function DataMismatch() {
  return <WidgetNotice testId="widget-mismatch">This widget's data is being refreshed.</WidgetNotice>;
}

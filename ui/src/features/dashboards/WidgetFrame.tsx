import { ActionIcon, Center, Loader, Modal, Paper, Text, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconArrowsMaximize, IconFileSpreadsheet, IconGripVertical, IconPencil, IconPhoto, IconTrash } from '@tabler/icons-react';
import { Component, memo, useCallback, useRef, useState, type ReactNode } from 'react';
import type { CrossFilter, WidgetConfig, WidgetData } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { bodySizeOf, crossFilterLabel, widgetTitle, type DraftWidget, type WidgetInputs } from './dashboardModel';
import classes from './Dashboards.module.css';
import { moduleOf } from './registry';
import { useSeen, useWidgetData } from './useWidgetData';
import { saveExport, type WidgetModule } from './widgets';

/** What a frame asks of the dashboard; one stable object for every frame. */
export type FrameActions = {
  crossFilter: (sourceId: string, filter: CrossFilter, label: string) => void;
  fullScreen: (widgetId: string) => void;
  edit: (widgetId: string) => void;
  remove: (widgetId: string) => void;
};

type Props = {
  widget: DraftWidget;
  inputs: WidgetInputs;
  refetchInterval: number | false;
  editing: boolean;
  /** The grid's width: the body's size when it cannot be measured. */
  gridWidth: number;
  actions: FrameActions;
};

type PngExporter = () => string | null;

async function writeExport(fileName: string, content: { csv: string } | { pngDataUrl: string }) {
  try {
    const path = await saveExport(fileName, content);
    notifications.show({ color: 'teal', title: 'Exported', message: `Saved to ${path}` });
  } catch (error) {
    const { title, message } = describeError(error);
    notifications.show({ color: 'red', title: `Could not export "${fileName}": ${title}`, message });
  }
}

function exportCsv(module: WidgetModule, config: WidgetConfig, data: WidgetData | undefined, title: string) {
  const csv = data ? module.toCsv(data, config) : null;
  if (csv !== null) void writeExport(`${title}.csv`, { csv });
  else notifications.show({ color: 'gray', message: 'This widget has no table to export.' });
}

function exportPng(exporter: PngExporter | null, title: string) {
  const pngDataUrl = exporter?.();
  if (pngDataUrl) void writeExport(`${title}.png`, { pngDataUrl });
  else notifications.show({ color: 'red', message: 'This widget has no picture to export yet.' });
}

/**
 * One widget on the grid: its header (drag handle while editing, title,
 * full screen, exports, edit and remove) and its body, which fetches the
 * widget's data and draws it at the body's measured size.
 */
export const WidgetFrame = memo(function WidgetFrame({ widget, inputs, refetchInterval, editing, gridWidth, actions }: Props) {
  const module = moduleOf(widget.config.type);
  const { ref, width: measuredWidth, height: measuredHeight } = useElementSize();
  const fallback = bodySizeOf(widget.layout, gridWidth);
  // A hidden screen measures 0: keep the last size the widget was shown at.
  const shown = useRef<{ width: number; height: number } | null>(null);
  if (measuredWidth > 0 && measuredHeight > 0) shown.current = { width: measuredWidth, height: measuredHeight };
  const width = shown.current?.width ?? fallback.width;
  const height = shown.current?.height ?? fallback.height;
  const [seenRef, seen] = useSeen<HTMLDivElement>();
  const query = useWidgetData(inputs, width, refetchInterval, seen);
  const title = widgetTitle(widget, module?.label ?? 'Widget');
  const id = widget.id;

  const pngExporter = useRef<PngExporter | null>(null);
  const [hasPng, setHasPng] = useState(false);
  const setPngExporter = useCallback((fn: PngExporter | null) => {
    pngExporter.current = fn;
    setHasPng(fn !== null);
  }, []);

  const data = useRef<WidgetData | undefined>(undefined);
  data.current = query.data;
  const onCrossFilter = useCallback((filter: CrossFilter) => actions.crossFilter(id, filter, crossFilterLabel(filter, data.current)), [actions, id]);

  return (
    <Paper ref={seenRef} withBorder radius="md" className={classes.frame} role="group" aria-label={title} data-testid={`widget-${id}`} data-type={widget.config.type} data-fetching={query.isFetching || undefined} data-seen={seen || undefined}>
      <div className={classes.frameHeader}>
        {editing && (
          <span className={`dashboard-drag-handle ${classes.dragHandle}`} title="Drag to move" aria-hidden data-testid={`widget-drag-${id}`}>
            <IconGripVertical size={14} />
          </span>
        )}
        <Text size="sm" fw={600} truncate="end" className={classes.frameTitle} title={title}>
          {title}
        </Text>
        {query.isFetching && !query.isPending && <Loader size={10} aria-label="Refreshing" />}
        <div className={classes.frameActions}>
          <FrameButton label="Full screen" onClick={() => actions.fullScreen(id)} testId={`widget-fullscreen-${id}`} disabled={module === null}>
            <IconArrowsMaximize size={14} />
          </FrameButton>
          <FrameButton label="Export CSV" onClick={() => module && exportCsv(module, widget.config, query.data, title)} testId={`widget-csv-${id}`} disabled={module === null || query.data === undefined}>
            <IconFileSpreadsheet size={14} />
          </FrameButton>
          <FrameButton label="Export PNG" onClick={() => exportPng(pngExporter.current, title)} testId={`widget-png-${id}`} disabled={!hasPng}>
            <IconPhoto size={14} />
          </FrameButton>
          {editing && (
            <>
              <FrameButton label="Edit widget" onClick={() => actions.edit(id)} testId={`widget-edit-${id}`}>
                <IconPencil size={14} />
              </FrameButton>
              <FrameButton label="Remove widget" onClick={() => actions.remove(id)} testId={`widget-remove-${id}`} color="red">
                <IconTrash size={14} />
              </FrameButton>
            </>
          )}
        </div>
      </div>
      <div ref={ref} className={classes.frameBody}>
        <WidgetBody
          id={id}
          module={module}
          config={widget.config}
          query={query}
          width={width}
          height={height}
          onCrossFilter={onCrossFilter}
          setPngExporter={setPngExporter}
        />
      </div>
    </Paper>
  );
});

function FrameButton({ label, onClick, testId, disabled, color = 'gray', children }: { label: string; onClick: () => void; testId: string; disabled?: boolean; color?: string; children: ReactNode }) {
  return (
    <Tooltip label={label} withArrow openDelay={400}>
      <ActionIcon size="sm" variant="subtle" color={color} aria-label={label} onClick={onClick} disabled={disabled} data-testid={testId}>
        {children}
      </ActionIcon>
    </Tooltip>
  );
}

type BodyProps = {
  id: string;
  module: WidgetModule | null;
  config: WidgetConfig;
  query: ReturnType<typeof useWidgetData>;
  width: number;
  height: number;
  onCrossFilter: (filter: CrossFilter) => void;
  setPngExporter: (fn: PngExporter | null) => void;
};

/** The drawn widget, or why it cannot be drawn. */
function WidgetBody({ id, module, config, query, width, height, onCrossFilter, setPngExporter }: BodyProps) {
  if (module === null) {
    return (
      <Center h="100%">
        <Text size="sm" c="dimmed">
          This kind of widget ({config.type}) is not known to this version of Eco Studio.
        </Text>
      </Center>
    );
  }
  if (query.isError) {
    return (
      <div data-testid={`widget-error-${id}`}>
        <ErrorNotice error={query.error} compact />
      </div>
    );
  }
  if (query.data === undefined) {
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  }
  const Render = module.Render;
  return (
    <RenderBoundary id={id} data={query.data}>
      <Render config={config} data={query.data} onCrossFilter={onCrossFilter} setPngExporter={setPngExporter} width={width} height={height} />
    </RenderBoundary>
  );
}

/** A widget that fails to draw shows why in its own frame; the others go on. New data tries again. */
class RenderBoundary extends Component<{ id: string; data: WidgetData; children: ReactNode }, { error: unknown; data: WidgetData }> {
  state = { error: null as unknown, data: this.props.data };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: { data: WidgetData }, state: { error: unknown; data: WidgetData }) {
    return props.data === state.data ? null : { error: null, data: props.data };
  }

  render() {
    if (this.state.error !== null) {
      return (
        <div data-testid={`widget-error-${this.props.id}`}>
          <ErrorNotice error={this.state.error} subject="Could not draw this widget" compact />
        </div>
      );
    }
    return this.props.children;
  }
}

/** One widget large, over the dashboard; Escape closes it. */
export function FullScreenWidget({
  widget,
  inputs,
  refetchInterval,
  onCrossFilter,
  onClose,
}: {
  widget: DraftWidget;
  inputs: WidgetInputs;
  refetchInterval: number | false;
  onCrossFilter: FrameActions['crossFilter'];
  onClose: () => void;
}) {
  const module = moduleOf(widget.config.type);
  const { ref, width: measuredWidth, height: measuredHeight } = useElementSize();
  const width = measuredWidth > 0 ? measuredWidth : Math.max(320, window.innerWidth - 64);
  const height = measuredHeight > 0 ? measuredHeight : Math.max(240, window.innerHeight - 120);
  const query = useWidgetData(inputs, width, refetchInterval);
  const title = widgetTitle(widget, module?.label ?? 'Widget');
  const data = useRef<WidgetData | undefined>(undefined);
  data.current = query.data;
  const pngExporter = useRef<PngExporter | null>(null);
  const setPngExporter = useCallback((fn: PngExporter | null) => {
    pngExporter.current = fn;
  }, []);
  const crossFilter = useCallback((filter: CrossFilter) => onCrossFilter(widget.id, filter, crossFilterLabel(filter, data.current)), [onCrossFilter, widget.id]);

  return (
    <Modal opened onClose={onClose} fullScreen title={title} classNames={{ content: classes.fullScreenContent, body: classes.fullScreenBody }} data-testid="widget-fullscreen-modal">
      <div ref={ref} className={classes.fullScreenInner}>
        <WidgetBody id={widget.id} module={module} config={widget.config} query={query} width={width} height={height} onCrossFilter={crossFilter} setPngExporter={setPngExporter} />
      </div>
    </Modal>
  );
}

import { memo, useMemo, useRef } from 'react';
import { GridLayout, useContainerWidth, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import { FALLBACK_GRID_WIDTH, GRID_COLUMNS, GRID_MARGIN, gridLayoutOf, ROW_HEIGHT, type DraftWidget, type GridItem, type WidgetInputs } from './dashboardModel';
import classes from './Dashboards.module.css';
import { minSizeOf } from './registry';
import { WidgetFrame, type FrameActions } from './WidgetFrame';

type Props = {
  widgets: DraftWidget[];
  inputs: ReadonlyMap<string, WidgetInputs>;
  editing: boolean;
  refetchInterval: number | false;
  actions: FrameActions;
  /** A drag or resize ended (edit mode): the grid's new layout. */
  onLayout: (layout: readonly GridItem[]) => void;
};

const GRID_CONFIG = { cols: GRID_COLUMNS, rowHeight: ROW_HEIGHT, margin: [GRID_MARGIN, GRID_MARGIN] as const };
const RESIZE_HANDLES = ['se', 's', 'e'] as const;

/** The widgets on a 12-column grid as wide as the pane; dragged (by the grip) and resized only while editing. */
export const DashboardGrid = memo(function DashboardGrid({ widgets, inputs, editing, refetchInterval, actions, onLayout }: Props) {
  const { width, containerRef } = useContainerWidth();
  // A hidden screen measures 0: keep the last width it was shown at.
  const lastWidth = useRef(FALLBACK_GRID_WIDTH);
  if (width > 0) lastWidth.current = width;
  const gridWidth = lastWidth.current;
  const layout = useMemo(() => gridLayoutOf(widgets, minSizeOf), [widgets]);
  const dragConfig = useMemo(() => ({ enabled: editing, handle: '.dashboard-drag-handle' }), [editing]);
  const resizeConfig = useMemo(() => ({ enabled: editing, handles: RESIZE_HANDLES }), [editing]);
  const stop = (next: Layout) => onLayout(next);

  return (
    <div ref={containerRef} className={classes.grid} data-editing={editing || undefined} data-testid="dashboard-grid">
      <GridLayout width={gridWidth} layout={layout} gridConfig={GRID_CONFIG} dragConfig={dragConfig} resizeConfig={resizeConfig} onDragStop={stop} onResizeStop={stop}>
        {widgets.map((widget) => {
          const widgetInputs = inputs.get(widget.id);
          return (
            <div key={widget.id} className={classes.gridItem}>
              {widgetInputs && (
                <WidgetFrame widget={widget} inputs={widgetInputs} refetchInterval={refetchInterval} editing={editing} gridWidth={gridWidth} actions={actions} />
              )}
            </div>
          );
        })}
      </GridLayout>
    </div>
  );
});

// The contract between the dashboard screen and its widgets: what a widget
// module provides and what its renderer is given.
import type { ComponentType } from 'react';
import type { CrossFilter, WidgetConfig, WidgetData } from '../../../bindings';

export type WidgetType = WidgetConfig['type'];

export type ConfigOf<T extends WidgetType> = Extract<WidgetConfig, { type: T }>;

/** Which dashboard inputs a widget's data depends on (so a change re-runs only those widgets). */
export type WidgetDeps = { range: boolean; root: boolean; filterKinds: CrossFilter['kind'][] };

export type WidgetRenderProps = {
  config: WidgetConfig;
  data: WidgetData;
  /** A click on a bar, slice, point, tile or row that should filter the other widgets. */
  onCrossFilter: (filter: CrossFilter) => void;
  /** The widget registers a function that returns its picture as a PNG data URL (or null when it has none). */
  setPngExporter: (fn: (() => string | null) | null) => void;
  /** Pixel size the widget body has (charts resize to it). */
  width: number;
  height: number;
};

export type WidgetModule<T extends WidgetType = WidgetType> = {
  type: T;
  label: string;
  description: string;
  /** Grid cells; the same minimums the core checks on save. */
  minSize: { w: number; h: number };
  defaultSize: { w: number; h: number };
  defaultConfig: () => ConfigOf<T>;
  ConfigForm: ComponentType<{ value: ConfigOf<T>; onChange: (next: ConfigOf<T>) => void }>;
  Render: ComponentType<WidgetRenderProps>;
  deps: (config: ConfigOf<T>) => WidgetDeps;
  /** The widget's data as CSV text (header line first), or null when it has no data to export (markdown). */
  toCsv: (data: WidgetData, config: ConfigOf<T>) => string | null;
};

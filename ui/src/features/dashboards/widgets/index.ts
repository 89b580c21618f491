// The dashboard widgets: one module per widget type (renderer, config
// form, sizes, data dependencies, CSV), and saving an export.
export type { ConfigOf, WidgetDeps, WidgetModule, WidgetRenderProps, WidgetType } from './types';
export { widgetModule, widgetRegistry } from './registry';
export { saveExport } from './api';

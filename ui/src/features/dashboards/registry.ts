// The screen's view of the widget registry: a widget kind's module (null for
// a kind this build does not know), what a config depends on, its minimum size.
import type { WidgetConfig } from '../../bindings';
import { NO_DEPS, type Deps, type Size } from './dashboardModel';
import { widgetModule, widgetRegistry, type WidgetModule, type WidgetType } from './widgets';

export function moduleOf(type: string): WidgetModule | null {
  if (!Object.prototype.hasOwnProperty.call(widgetRegistry, type)) return null;
  return widgetModule(type as WidgetType);
}

/** Every widget kind, in the registry's order. */
export function allModules(): WidgetModule[] {
  return (Object.keys(widgetRegistry) as WidgetType[]).map((type) => widgetModule(type));
}

export function depsOf(config: WidgetConfig): Deps {
  return moduleOf(config.type)?.deps(config) ?? NO_DEPS;
}

export function minSizeOf(config: WidgetConfig): Size {
  return moduleOf(config.type)?.minSize ?? { w: 1, h: 1 };
}

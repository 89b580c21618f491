// Which dashboard inputs each widget's data depends on, following what the
// core reads for it: the range, the root and the kinds of cross-filter.
import type { CrossFilter } from '../../../bindings';
import type { ConfigOf, WidgetDeps } from './types';

const ENTITY_FILTERS: CrossFilter['kind'][] = ['property', 'entityType', 'under'];
const ALL_FILTERS: CrossFilter['kind'][] = ['property', 'entityType', 'under', 'time'];

export function kpiDeps(config: ConfigOf<'kpi'>): WidgetDeps {
  switch (config.source.kind) {
    case 'view':
      return { range: config.compare, root: true, filterKinds: [...ENTITY_FILTERS] };
    case 'metric':
      return { range: true, root: true, filterKinds: [...ALL_FILTERS] };
    case 'alerts':
      return { range: config.compare, root: true, filterKinds: ['under'] };
  }
}

export function groupDeps(config: ConfigOf<'bar'> | ConfigOf<'pie'>): WidgetDeps {
  if (config.source.kind === 'metricTop') return { range: true, root: true, filterKinds: [...ALL_FILTERS] };
  return { range: false, root: true, filterKinds: [...ENTITY_FILTERS] };
}

export function timeSeriesDeps(): WidgetDeps {
  return { range: true, root: true, filterKinds: [...ALL_FILTERS] };
}

export function tableDeps(): WidgetDeps {
  return { range: false, root: true, filterKinds: [...ENTITY_FILTERS] };
}

export function alertsDeps(): WidgetDeps {
  return { range: false, root: true, filterKinds: ['under'] };
}

export function treemapDeps(): WidgetDeps {
  return { range: false, root: true, filterKinds: [...ENTITY_FILTERS] };
}

export function markdownDeps(): WidgetDeps {
  return { range: false, root: false, filterKinds: [] };
}

// What the rest of the app uses of dashboards: the screen, and the metrics
// and dashboards lists (queries).
export { dashboardsQuery, metricsQuery } from './api';
export { DashboardsScreen } from './DashboardsScreen';

export { ViewTreeView } from './ViewTreeView';
export { buildForest } from './forest';

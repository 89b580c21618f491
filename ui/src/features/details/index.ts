export { EntityDetailsPane } from './EntityDetailsPane';

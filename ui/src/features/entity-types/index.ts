export { TypesView } from './TypesView';

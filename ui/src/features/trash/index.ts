export { TrashView } from './TrashView';

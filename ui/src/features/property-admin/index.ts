export { PropertyAdminView } from './PropertyAdminView';

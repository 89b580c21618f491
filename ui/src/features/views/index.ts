// What the rest of the app uses of saved views.
export { savedViewsQuery } from './api';

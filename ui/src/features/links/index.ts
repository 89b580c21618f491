// What the rest of the app uses of links: the detail pane's Links tab and the
// Tags admin view.
export { EntityLinks } from './EntityLinks';
export { TagsAdminView } from './TagsAdminView';

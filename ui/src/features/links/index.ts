// What the rest of the app uses of links: the detail pane's Links tab, the
// Tags admin view, and the entity picker (the view builder's "under").
export { EntityLinks } from './EntityLinks';
export { TagsAdminView } from './TagsAdminView';
export { EntityPicker } from './EntityPicker';

// What the rest of the app uses of bulk edit: its dialog.
export { BulkEditDialog } from './BulkEditDialog';

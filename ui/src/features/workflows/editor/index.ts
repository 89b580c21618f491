// What the workflows screen uses of the editor.
export type { EditorApi } from './editorApi';
export { WorkflowEditor } from './WorkflowEditor';

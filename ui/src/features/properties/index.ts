export { PropertiesPanel } from './PropertiesPanel';
export { RestorePropertiesButton } from './RestorePropertiesButton';
export { displayValue, editors } from './editors/registry';
export { MASK } from './editors/secretReference';
export type { EditorModule, EditorProps, Parsed } from './editors/types';

export { PropertiesPanel } from './PropertiesPanel';
export { RestorePropertiesButton } from './RestorePropertiesButton';

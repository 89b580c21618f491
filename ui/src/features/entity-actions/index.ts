export { DeleteEntitiesDialog } from './DeleteEntitiesDialog';
export { MoveEntitiesDialog } from './MoveEntitiesDialog';
export { NewEntityDialog } from './NewEntityDialog';

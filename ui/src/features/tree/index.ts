// What the rest of the app uses of the tree: the panel, its shared state,
// and the move rules the dialogs word their questions with.
export { RegistryTree } from './RegistryTree';
export { TreeControllerProvider, useTreeController, type TreeController } from './TreeController';
export { describeNodes, moveQuestion, validateDrop } from './dropRules';

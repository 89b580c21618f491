// What the rest of the app uses of Offline: the provider (events and the
// offline dialogs), the banner, the Data screen's Offline tab, the actions the
// tree and the palette offer, and the entities with edits waiting.
export { OfflineBanner } from './OfflineBanner';
export { OfflinePanel } from './OfflinePanel';
export { OfflineProvider, useOfflineActions, usePendingEntities, type OfflineTarget } from './OfflineProvider';
export { useOfflineCommands } from './useOfflineCommands';

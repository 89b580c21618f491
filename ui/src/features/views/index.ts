// What the rest of the app uses of saved views: the screen, and the list of
// saved views (the palette opens them with openSavedView).
export { savedViewsQuery } from './api';
export { ViewsScreen } from './ViewsScreen';
export { useOpenTypeView } from './api';

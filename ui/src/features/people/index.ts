// People and permissions: the People view, and who the app is signed in as.
export { PeopleView } from './PeopleView';
export { SessionBadge } from './SessionBadge';
export { mayManagePeople, sessionQuery, useCapabilities, useDefinitionsRefusal } from './api';

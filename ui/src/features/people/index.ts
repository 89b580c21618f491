// People and permissions: the People view, and who the app is signed in as.
export { PeopleView } from './PeopleView';
export { SessionBadge } from './SessionBadge';
export { SignInRequestsProvider } from './signInRequests';
export { WelcomeDialog } from './WelcomeDialog';
export { mayManagePeople, sessionQuery, useCapabilities, useDefinitionsRefusal } from './api';

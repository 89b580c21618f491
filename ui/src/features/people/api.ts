// People and their scopes: who the app is signed in as, the people of the
// database, and what each may do on which root. Every change is applied to
// this window as `reloaded`: a scope decides what the tree shows.
import { queryOptions } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { commands, type Capability, type ConnectionProfile, type ConnectionReport, type GrantScope, type NewPerson, type Person, type Session, type SignIn, type TreeNode } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';
import { rootsQuery as treeRootsQuery } from '../tree/api';

export const sessionQuery = queryOptions({
  queryKey: queryKeys.session,
  queryFn: async () => unwrap(await commands.currentSession()),
  staleTime: 60_000,
});

/** The person an administrator is viewing the registry as, if any. */
export const viewingAsQuery = queryOptions({
  queryKey: queryKeys.viewingAs,
  queryFn: async () => unwrap(await commands.viewingAs()),
  staleTime: 60_000,
});

export const peopleQuery = queryOptions({
  queryKey: queryKeys.people,
  queryFn: async () => unwrap(await commands.listPeople()),
});

export const scopesQuery = (userId: string) =>
  queryOptions({
    queryKey: queryKeys.scopes(userId),
    queryFn: async () => unwrap(await commands.listScopes(userId)),
  });

/** Every capability, in the order the screens show them, with what it allows. */
export const CAPABILITIES: { value: Capability; label: string; help: string }[] = [
  { value: 'read', label: 'Read', help: 'See the root and everything under it' },
  { value: 'write', label: 'Write', help: 'Create, rename, move, delete and edit properties, tags and links' },
  { value: 'admin', label: 'Admin', help: "Manage people's scopes on this root" },
  { value: 'purge', label: 'Purge', help: 'Remove deleted entities for good' },
  { value: 'secrets:read', label: 'Read secrets', help: 'Reveal secret values' },
  { value: 'secrets:write', label: 'Write secrets', help: 'Store and rotate secret values' },
  { value: 'workflows:run', label: 'Run workflows', help: 'Start workflows on entities here' },
  { value: 'workflows:edit', label: 'Edit workflows', help: 'Change the workflows of this root' },
];

/** A global administrator, or a maintenance role. */
export const isAdministrator = (session: Session | undefined) => !!session && (session.bypassesSecurity || !!session.person?.isAdmin);

/** Whether the session may open the People view: it administers something. */
export const mayManagePeople = (session: Session | undefined) =>
  isAdministrator(session) || !!session?.roots.some((root) => root.capabilities.includes('admin'));

function usePeopleMutation<Args extends unknown[], T>(run: (...args: Args) => Promise<T>) {
  const applier = useChangeApplier();
  return useCallback(
    async (...args: Args): Promise<T> => {
      const result = await run(...args);
      applier.applyLocal({ kind: 'reloaded' });
      return result;
    },
    [applier, run],
  );
}

const addPerson = async (input: NewPerson) => unwrap(await commands.addPerson(input));
const deactivatePerson = async (id: string) => unwrap(await commands.deactivatePerson(id));
const grantScope = async (input: GrantScope) => unwrap(await commands.grantScope(input));
const revokeScope = async (id: string) => unwrap(await commands.revokeScope(id));

export const useAddPerson = () => usePeopleMutation(addPerson);
export const useDeactivatePerson = () => usePeopleMutation(deactivatePerson);
export const useGrantScope = () => usePeopleMutation(grantScope);
export const useRevokeScope = () => usePeopleMutation(revokeScope);

/** The servers this computer's user signs in to (no passwords). */
export const profilesQuery = queryOptions({
  queryKey: queryKeys.profiles,
  queryFn: async () => unwrap(await commands.listProfiles()),
});

export const saveProfile = async (profile: ConnectionProfile, replacing: string | null = null) => unwrap(await commands.saveProfile(profile, replacing));
export const removeProfile = async (name: string) => unwrap(await commands.removeProfile(name));

/** The names of the profiles whose password the OS keychain keeps. */
export const profilePasswordsQuery = queryOptions({
  queryKey: queryKeys.profilePasswords,
  queryFn: async () => unwrap(await commands.profilePasswords()),
});

export const rememberProfilePassword = async (name: string, password: string) => unwrap(await commands.rememberProfilePassword(name, password));
export const forgetProfilePassword = async (name: string) => unwrap(await commands.forgetProfilePassword(name));

/** Connects once with `profile` (saved or not); no password: the kept one. */
export const testConnection = async (profile: ConnectionProfile, password: string | null): Promise<ConnectionReport> =>
  unwrap(await commands.testConnection(profile, password));

/** Whether to offer the first-run choice between this computer's database and a server. */
export const welcomeQuery = queryOptions({
  queryKey: queryKeys.welcome,
  queryFn: () => commands.welcomeNeeded(),
  staleTime: Infinity,
});

/** Records that the first-run choice was made. */
export const finishWelcome = async () => unwrap(await commands.finishWelcome());

const signIn = async (input: SignIn) => unwrap(await commands.signIn(input));
/** Switches the window to another person: everything shown is read again. */
export const useSignIn = () => usePeopleMutation(signIn);

/** The roots the signed-in person sees (the tree's own query). */
export const rootsQuery = treeRootsQuery();

const startViewAs = async (id: string) => unwrap(await commands.startViewAs(id));
const stopViewAs = async () => unwrap(await commands.stopViewAs());
/** Start or stop viewing as a person: everything shown is read again. */
export const useStartViewAs = () => usePeopleMutation(startViewAs);
export const useStopViewAs = () => usePeopleMutation(stopViewAs);

/** Why nothing at all can be changed: an administrator views the registry as `viewing`. */
function viewingAsRefusal(viewing: Person | null | undefined): string | null {
  return viewing ? `Viewing as ${viewing.displayName}: nothing can be changed` : null;
}

const DEFINITIONS_READ_ONLY = 'Read-only: only a global administrator changes types, properties and tags';

/**
 * Why the global definitions (entity types, property groups and definitions,
 * type layouts, tag groups and tags) cannot be changed, or null: only global
 * administrators (and maintenance roles) change them, and nobody while
 * viewing as someone. While the session is not known yet nothing is refused
 * here (the database decides anyway).
 */
function definitionsRefusal(session: Session | undefined, viewing: Person | null | undefined): string | null {
  const viewingAs = viewingAsRefusal(viewing);
  if (viewingAs !== null) return viewingAs;
  if (!session || isAdministrator(session)) return null;
  return DEFINITIONS_READ_ONLY;
}

/** {@link definitionsRefusal} for the signed-in person. */
export function useDefinitionsRefusal(): string | null {
  const session = useQuery(sessionQuery);
  const viewing = useQuery(viewingAsQuery);
  return definitionsRefusal(session.data, viewing.data);
}

/**
 * Where a capability is asked for: a tree node, or anything else that knows
 * its place in the tree (a row of the trash).
 */
export type Placed = Pick<TreeNode, 'id' | 'parentId' | 'name' | 'pathLabel'>;

/**
 * What the signed-in person may do where: `whyNot(node, cap)` is null when
 * they hold `cap` on the node's root (`node` null: the top level, which is
 * administrators'), else the reason to show. While the session is not
 * known yet nothing is refused here (the database decides anyway).
 */
export function useCapabilities() {
  const session = useQuery(sessionQuery);
  const viewing = useQuery(viewingAsQuery);
  // The tree keeps the roots fresh; looking at them must not fetch them again.
  const roots = useQuery({ ...rootsQuery, refetchOnMount: false });
  return useMemo(() => {
    const whyNot = (node: Placed | null, cap: Capability): string | null => {
      const viewingAs = viewingAsRefusal(viewing.data);
      if (viewingAs !== null) return viewingAs;
      if (!session.data || isAdministrator(session.data)) return null;
      if (node === null) return 'Only a global administrator can create top-level entities';
      const label = node.pathLabel.split('.')[0];
      // A root in the trash is no longer among the roots: it is its own root.
      const root = roots.data?.find((r) => r.pathLabel === label) ?? (node.parentId === null ? node : undefined);
      if (!root) return null;
      const held = session.data.roots.find((r) => r.rootId === root.id)?.capabilities ?? [];
      return held.includes(cap) ? null : `Read-only: you need the '${cap}' capability on ${root.name}`;
    };
    return { whyNot };
  }, [session.data, viewing.data, roots.data]);
}

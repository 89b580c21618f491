import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

/** A wish to open the sign-in dialog from outside the session badge. */
export type SignInRequest = { newProfile: boolean };

type SignInRequests = {
  pending: SignInRequest | null;
  request: (request: SignInRequest) => void;
  clear: () => void;
};

const Requests = createContext<SignInRequests | null>(null);

/**
 * Lets something outside the workspace (the first-run choice) open the
 * sign-in dialog the session badge shows, inside the live updates.
 */
export function SignInRequestsProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<SignInRequest | null>(null);
  const value = useMemo(() => ({ pending, request: setPending, clear: () => setPending(null) }), [pending]);
  return <Requests.Provider value={value}>{children}</Requests.Provider>;
}

/** The pending request and the way to make one (null outside the provider). */
export const useSignInRequests = (): SignInRequests | null => useContext(Requests);

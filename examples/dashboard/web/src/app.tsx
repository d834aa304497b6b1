import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { createApiClient, errorCode, TaskpulseProvider } from './api.ts';
import { Dashboard } from './components/dashboard.tsx';
import { SignIn } from './components/sign-in.tsx';
import { loadSession, type Session, saveSession } from './session.ts';

const unauthorized = (error: unknown) => errorCode(error) === 'UNAUTHORIZED';

/**
 * One signed-in user: a query cache and an API client of their own, dropped with them when
 * they sign out, so that nothing fetched for one user is ever shown to the next.
 */
function SignedIn({
  session,
  onSignOut,
}: {
  session: Session;
  onSignOut: (notice?: string) => void;
}) {
  const signOutRef = useRef(onSignOut);
  signOutRef.current = onSignOut;
  const [queryClient] = useState(() => {
    const expired = (error: unknown) => {
      if (unauthorized(error)) {
        signOutRef.current('Your demo session has expired. Pick a user to sign in again.');
      }
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError: expired }),
      mutationCache: new MutationCache({ onError: expired }),
      defaultOptions: {
        queries: {
          // the live stream marks figures stale when they change; no polling
          staleTime: 60_000,
          // the client retries what is worth retrying (no answer, 503) itself
          retry: false,
        },
        mutations: { retry: false },
      },
    });
  });
  const [client] = useState(() => createApiClient(() => session.token));
  return (
    <QueryClientProvider client={queryClient}>
      <TaskpulseProvider client={client} queryClient={queryClient}>
        <Dashboard session={session} onSignOut={onSignOut} />
      </TaskpulseProvider>
    </QueryClientProvider>
  );
}

/** The page: the demo sign-in, then the dashboard of the signed-in user. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [signInClient] = useState(() => new QueryClient());
  const signOut = useCallback((reason?: string) => {
    saveSession(null);
    setNotice(reason);
    setSession(null);
  }, []);
  if (!session) {
    return (
      <QueryClientProvider client={signInClient}>
        <SignIn
          notice={notice}
          onSignedIn={(next) => {
            saveSession(next);
            setNotice(undefined);
            setSession(next);
          }}
        />
      </QueryClientProvider>
    );
  }
  return <SignedIn key={session.user.id} session={session} onSignOut={signOut} />;
}

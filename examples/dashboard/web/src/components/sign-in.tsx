import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api.ts';
import { fetchDemoUsers, type Session, signIn } from '../session.ts';

/** Pick a demo user. Demo only: the example server signs a token for whoever asks. */
export function SignIn({
  notice,
  onSignedIn,
}: {
  notice?: string;
  onSignedIn: (session: Session) => void;
}) {
  const users = useQuery({
    queryKey: ['demo-users'],
    queryFn: ({ signal }) => fetchDemoUsers(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const choose = async (userId: string) => {
    setBusy(userId);
    setError(undefined);
    try {
      onSignedIn(await signIn(userId));
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(undefined);
    }
  };
  return (
    <main className="sign-in" id="main">
      <h1>taskpulse demo</h1>
      <p>
        A live dashboard over the taskpulse SDK. Pick a demo user to sign in as. There is no
        password: <strong>this sign-in exists for the demo only</strong>, and a real app gets its
        tokens from its identity provider.
      </p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {users.error ? (
        <div className="query-error" role="alert">
          <p>Could not load the demo users. {errorMessage(users.error)}</p>
          <button type="button" onClick={() => void users.refetch()}>
            Try again
          </button>
        </div>
      ) : !users.data ? (
        <p className="loading" role="status">
          Loading the demo users…
        </p>
      ) : (
        <ul className="users" aria-label="Demo users">
          {users.data.map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className="user"
                onClick={() => void choose(user.id)}
                disabled={busy !== undefined}
              >
                <span className="user-name">
                  {busy === user.id ? `Signing in as ${user.name}…` : `Sign in as ${user.name}`}
                </span>
                <span className="user-email">{user.email}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </main>
  );
}

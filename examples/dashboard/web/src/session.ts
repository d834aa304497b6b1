/**
 * The demo session: a token from the example server's demo sign-in, kept in sessionStorage so
 * that each browser tab can be a different user and nothing outlives the tab.
 */

/** A demo user, as `GET /demo/users` lists it. */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** A signed-in demo user and their token. */
export interface Session {
  readonly token: string;
  readonly user: DemoUser;
  /** When the token expires (ISO-8601). */
  readonly expiresAt: string;
}

const KEY = 'taskpulse-demo-session';

/** The session of this tab, when there is one that has not expired. */
export function loadSession(): Session | null {
  try {
    const stored = sessionStorage.getItem(KEY);
    if (!stored) return null;
    const session = JSON.parse(stored) as Session;
    if (!session.token || Date.parse(session.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

/** Keeps (or, with null, forgets) the session of this tab. */
export function saveSession(session: Session | null): void {
  try {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage may be unavailable (private mode): the session then lasts until reload
  }
}

async function readError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    return body.error?.message ?? `The server answered ${response.status}.`;
  } catch {
    return `The server answered ${response.status}.`;
  }
}

/** The demo users one can sign in as. */
export async function fetchDemoUsers(signal?: AbortSignal): Promise<DemoUser[]> {
  const response = await fetch('/demo/users', { signal: signal ?? null });
  if (!response.ok) throw new Error(await readError(response));
  return ((await response.json()) as { users: DemoUser[] }).users;
}

/** Signs in as a demo user (demo only: no password). */
export async function signIn(userId: string): Promise<Session> {
  const response = await fetch('/demo/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(await readError(response));
  return (await response.json()) as Session;
}

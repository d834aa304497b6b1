/**
 * The app's own sign-in: a signed, HTTP-only session cookie (HMAC-SHA256 through Hono's cookie
 * helpers) that names one of the app's accounts. taskpulse knows nothing of it: the API's
 * `resolveUser` maps a session to the identity claims taskpulse provisions its user from.
 *
 * The accounts are a fixed demo list and signing in needs no password: the app listens on
 * 127.0.0.1 unless told otherwise. A real app checks a password or an identity provider here.
 */
import type { Context } from 'hono';
import { deleteCookie, setSignedCookie } from 'hono/cookie';
import { parseSigned } from 'hono/utils/cookie';

/** One of the app's accounts. Its `id` becomes taskpulse's user id (the `sub`). */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

/** The app's accounts. */
export const ACCOUNTS: readonly Account[] = [
  { id: 'host|ada', email: 'ada@example.com', name: 'Ada Lovelace' },
  { id: 'host|grace', email: 'grace@example.com', name: 'Grace Hopper' },
];

/** The name of the session cookie. */
export const SESSION_COOKIE = 'host_session';

/** How long a session lasts. */
const SESSION_SECONDS = 8 * 60 * 60;

/** A signed-in account, as the session cookie carries it. */
export interface Session extends Account {
  /** When the session ends (seconds since the epoch). */
  readonly expiresAt: number;
}

/** Issues, reads and ends sessions signed with `secret`. */
export function createSessions(secret: string) {
  if (secret.length < 32) throw new Error('The session secret must be at least 32 characters.');
  return {
    /** Signs `account` in: sets the session cookie on the response. */
    async start(c: Context, account: Account): Promise<Session> {
      const session: Session = {
        ...account,
        expiresAt: Math.floor(Date.now() / 1000) + SESSION_SECONDS,
      };
      await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(session), secret, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        maxAge: SESSION_SECONDS,
        secure: new URL(c.req.url).protocol === 'https:',
      });
      return session;
    },
    /** Signs out: clears the cookie. */
    end(c: Context): void {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
    },
    /** The session a request's cookie carries, if it is validly signed, known and not expired. */
    async read(headers: Headers): Promise<Session | null> {
      const cookie = headers.get('cookie');
      if (!cookie) return null;
      const value = (await parseSigned(cookie, secret, SESSION_COOKIE))[SESSION_COOKIE];
      if (typeof value !== 'string') return null;
      let session: Session;
      try {
        session = JSON.parse(value) as Session;
      } catch {
        return null;
      }
      const account = ACCOUNTS.find((candidate) => candidate.id === session.id);
      if (!account || !(session.expiresAt > Date.now() / 1000)) return null;
      return { ...account, expiresAt: session.expiresAt };
    },
  };
}

/** What {@link createSessions} returns. */
export type Sessions = ReturnType<typeof createSessions>;

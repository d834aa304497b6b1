/**
 * Demo sign-in: issues signed tokens for the three demo users, with no password. This is what
 * makes the reference app runnable without an identity provider, and it is for the demo ONLY:
 * anyone who can reach the server can sign in as any demo user. A real app gets its tokens
 * from its identity provider and configures trpc-server's `auth` to verify them.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_USERS } from '@taskpulse/core';
import { SignJWT } from 'jose';

/** The issuer of demo tokens; the API accepts no other. */
export const DEMO_ISSUER = 'taskpulse-dashboard-demo';
/** The audience of demo tokens; the API accepts no other. */
export const DEMO_AUDIENCE = 'taskpulse-dashboard';
/** How long a demo token lives, in seconds (8 hours). */
export const DEMO_TOKEN_TTL_SECONDS = 8 * 60 * 60;

/** A demo user, as the sign-in page lists it. */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** The demo users one can sign in as. */
export const demoUsers: readonly DemoUser[] = DEMO_USERS.map(({ id, name, email }) => ({
  id,
  name,
  email,
}));

/** What `POST /demo/sign-in` answers. */
export interface DemoSession {
  readonly token: string;
  readonly user: DemoUser;
  /** When the token expires (ISO-8601). */
  readonly expiresAt: string;
}

const SECRET_FILE = 'jwt-secret';

/**
 * The HS256 secret: `TASKPULSE_JWT_SECRET` when given, else one generated on the first start
 * and kept in `dataDir/jwt-secret` (readable by its owner only), so that tokens survive a
 * restart of the demo.
 */
export async function loadOrCreateSecret(
  dataDir: string,
  fromEnv: string | undefined,
): Promise<{ secret: string; source: 'env' | 'file' | 'generated' }> {
  if (fromEnv !== undefined && fromEnv !== '') return { secret: fromEnv, source: 'env' };
  const file = join(dataDir, SECRET_FILE);
  const generated = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    return { secret: generated, source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = (await readFile(file, 'utf8')).trim();
  if (stored.length < 32) {
    throw new Error(
      `${file} holds no usable secret (at least 32 characters): delete it to get a new one.`,
    );
  }
  return { secret: stored, source: 'file' };
}

/** Signs a demo token for `user` with the secret. */
export async function signDemoToken(
  user: DemoUser,
  secret: string,
  now: Date = new Date(),
): Promise<DemoSession> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expires = issuedAt + DEMO_TOKEN_TTL_SECONDS;
  // the demo's addresses are its own: issued as verified (OpenID Connect's email_verified)
  const token = await new SignJWT({ name: user.name, email: user.email, email_verified: true })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(DEMO_ISSUER)
    .setAudience(DEMO_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret));
  return { token, user, expiresAt: new Date(expires * 1000).toISOString() };
}

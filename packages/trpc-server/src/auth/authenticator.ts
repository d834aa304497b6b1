import { TaskpulseError, type UserClaims, userClaimsSchema } from '@taskpulse/core';
import { TRPCError } from '@trpc/server';
import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthRequest, IdentityClaims, TaskpulseAuthOptions } from './options.ts';
import { readToken } from './token.ts';
import { createKeySetVerifier, createSecretVerifier, type TokenVerifier } from './verify-token.ts';

/** Finds out who makes a request: the claims a user is provisioned from. */
export type Authenticator = (request: AuthRequest) => Promise<UserClaims>;

const { id: idSchema, email: emailSchema, name: nameSchema } = userClaimsSchema.shape;

/**
 * The claims a user row is provisioned from. `sub` must be a valid user id, else the caller is
 * `UNAUTHORIZED`; an `email` or `name` that does not fit is left out rather than failing the
 * call over a detail the caller cannot change. The email is verified only with
 * `email_verified: true`, or when the source's emails are always verified.
 */
export function toUserClaims(
  claims: IdentityClaims,
  { emailsAlwaysVerified = false }: { emailsAlwaysVerified?: boolean | undefined } = {},
): UserClaims {
  if (!idSchema.safeParse(claims.sub).success) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: "The token's subject (sub) is not a valid user id.",
    });
  }
  const email = emailSchema.safeParse(claims.email);
  const name = nameSchema.safeParse(claims.name);
  return {
    id: claims.sub,
    email: email.success ? email.data : null,
    emailVerified: email.success && (emailsAlwaysVerified || claims.email_verified === true),
    name: name.success ? name.data : null,
  };
}

function countModes(options: TaskpulseAuthOptions): string[] {
  return (['secret', 'jwksUrl', 'jwks', 'resolveUser'] as const).filter(
    (mode) =>
      mode in options && (options as unknown as Record<string, unknown>)[mode] !== undefined,
  );
}

/**
 * Creates the authenticator described by `options`: a JWT verifier (shared secret, JWKS URL or
 * local key set) that reads `Authorization: Bearer`, or the app's own `resolveUser`. A bad
 * configuration is a `VALIDATION` error naming the option.
 */
export function createAuthenticator(options: TaskpulseAuthOptions): Authenticator {
  const modes = countModes(options);
  if (modes.length !== 1) {
    throw new TaskpulseError(
      'VALIDATION',
      `Invalid auth options: give exactly one of secret, jwksUrl, jwks or resolveUser${modes.length > 1 ? ` (got ${modes.join(', ')})` : ''}.`,
      {
        issues: [{ path: ['auth'], message: 'exactly one of secret, jwksUrl, jwks, resolveUser' }],
      },
    );
  }
  if (
    options.emailsAlwaysVerified !== undefined &&
    typeof options.emailsAlwaysVerified !== 'boolean'
  ) {
    throw new TaskpulseError(
      'VALIDATION',
      'Invalid auth option emailsAlwaysVerified: must be true or false.',
      { issues: [{ path: ['auth', 'emailsAlwaysVerified'], message: 'must be a boolean' }] },
    );
  }
  const emailTrust = { emailsAlwaysVerified: options.emailsAlwaysVerified };
  if ('resolveUser' in options) {
    const { resolveUser } = options;
    if (typeof resolveUser !== 'function') {
      throw new TaskpulseError(
        'VALIDATION',
        'Invalid auth option resolveUser: must be a function.',
      );
    }
    return async (request) => {
      const claims = await resolveUser(request);
      if (claims === null || claims === undefined) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in: this call needs a user.' });
      }
      return toUserClaims(claims, emailTrust);
    };
  }
  const verify: TokenVerifier =
    'secret' in options ? createSecretVerifier(options) : createKeySetVerifier(options);
  const remember = verifiedTokenCache(options);
  return async (request) => {
    const token = readToken(request);
    if (token === undefined) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'Sign in: send the token as "Authorization: Bearer <token>".',
      });
    }
    const known = remember?.cache.get(token);
    if (known) return known;
    const claims = toUserClaims(await verify(token), emailTrust);
    if (remember) {
      // never past the token's own expiry: an expired token must be refused, cached or not
      const { exp } = decodeJwt(token);
      const untilExpiry =
        exp === undefined
          ? remember.ttlMs
          : exp * 1000 - Date.now() - (options.clockToleranceSeconds ?? 5) * 1000;
      const ttl = Math.min(remember.ttlMs, untilExpiry);
      if (ttl > 0) remember.cache.set(token, claims, { ttl });
    }
    return claims;
  };
}

/** The cache of verified tokens that `verifiedTokens` describes, or none. */
function verifiedTokenCache(options: Exclude<TaskpulseAuthOptions, { resolveUser: unknown }>) {
  const { verifiedTokens = {} } = options;
  if (verifiedTokens === false) return undefined;
  const max = verifiedTokens.max ?? 10_000;
  const ttlMs = verifiedTokens.ttlMs ?? 60_000;
  if (!Number.isInteger(max) || max < 1 || !Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new TaskpulseError(
      'VALIDATION',
      'Invalid auth option verifiedTokens: max and ttlMs must be positive integers.',
      {
        issues: [
          { path: ['auth', 'verifiedTokens'], message: 'max and ttlMs must be positive integers' },
        ],
      },
    );
  }
  return { cache: new LRUCache<string, UserClaims>({ max, ttl: ttlMs }), ttlMs };
}

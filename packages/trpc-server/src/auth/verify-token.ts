import { TaskpulseError } from '@taskpulse/core';
import { TRPCError } from '@trpc/server';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type {
  HmacAlgorithm,
  IdentityClaims,
  JwksAuthOptions,
  JwksUrlAuthOptions,
  PublicKeyAlgorithm,
  SecretAuthOptions,
} from './options.ts';

/** Verifies a JWT and returns its identity claims; throws a `TRPCError` otherwise. */
export type TokenVerifier = (token: string) => Promise<IdentityClaims>;

const HMAC: readonly HmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];
const PUBLIC_KEY: readonly PublicKeyAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const MIN_SECRET_BYTES = 32;

function invalidOption(path: string[], message: string): TaskpulseError {
  return new TaskpulseError('VALIDATION', `Invalid auth option ${path.join('.')}: ${message}`, {
    issues: [{ path, message }],
  });
}

/** The allow-list, checked against the key's family: no HS/RS confusion, never `none`. */
function allowList<A extends string>(
  given: readonly string[] | undefined,
  family: readonly A[],
  fallback: A[],
  kind: string,
): A[] {
  if (given === undefined) return fallback;
  if (given.length === 0) throw invalidOption(['auth', 'algorithms'], 'must not be empty');
  for (const algorithm of given) {
    if (!family.includes(algorithm as A)) {
      throw invalidOption(
        ['auth', 'algorithms'],
        `"${algorithm}" cannot be used with ${kind}; use one of ${family.join(', ')}`,
      );
    }
  }
  return [...(given as A[])];
}

/** Thrown by the key lookup when the key set itself cannot be had (network, timeout, bad JSON). */
class KeySetUnavailable extends Error {}

const unauthorized = (message: string, cause?: unknown) =>
  new TRPCError({ code: 'UNAUTHORIZED', message, cause });

/** Turns a jose failure into the error the caller gets; never the token, never jose's text. */
function verificationError(error: unknown): TRPCError {
  if (error instanceof KeySetUnavailable) {
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message:
        "Tokens cannot be verified right now: the identity provider's key set cannot be reached. Try again in a moment.",
      cause: error.cause,
    });
  }
  if (error instanceof errors.JWTExpired) {
    return unauthorized('The token has expired: sign in again.', error);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthorized('The token is not valid yet.', error);
    if (error.claim === 'iss' || error.claim === 'aud') {
      return unauthorized('The token was not issued for this service.', error);
    }
    if (error.claim === 'sub') {
      return unauthorized('The token has no subject (sub): it names no user.', error);
    }
    if (error.claim === 'exp') {
      return unauthorized(
        'The token has no expiry (exp): ask its issuer for one that expires.',
        error,
      );
    }
  }
  return unauthorized('The token is invalid: sign in again.', error);
}

function claimsOf(payload: JWTPayload): IdentityClaims {
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw unauthorized('The token has no subject (sub): it names no user.');
  }
  // `exp: 1e309` parses as Infinity, which jose lets through as "expires after now"
  if (payload.exp !== undefined && !Number.isFinite(payload.exp)) {
    throw unauthorized('The token has an expiry (exp) that is not a finite time.');
  }
  return {
    sub: payload.sub,
    email: typeof payload.email === 'string' ? payload.email : null,
    email_verified: payload.email_verified === true,
    name: typeof payload.name === 'string' ? payload.name : null,
  };
}

function verifier(
  key: Uint8Array | JWTVerifyGetKey,
  algorithms: string[],
  checks: SecretAuthOptions | JwksAuthOptions | JwksUrlAuthOptions,
): TokenVerifier {
  const clockTolerance = checks.clockToleranceSeconds ?? 5;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw invalidOption(['auth', 'clockToleranceSeconds'], 'must be between 0 and 300');
  }
  const options = {
    algorithms,
    clockTolerance,
    requiredClaims: checks.requireExpiration === false ? ['sub'] : ['sub', 'exp'],
    ...(checks.issuer === undefined ? {} : { issuer: checks.issuer }),
    ...(checks.audience === undefined ? {} : { audience: checks.audience }),
  };
  return async (token) => {
    try {
      const { payload } =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options);
      return claimsOf(payload);
    } catch (error) {
      if (error instanceof TRPCError) throw error;
      throw verificationError(error);
    }
  };
}

/** HS256 (or another HMAC algorithm) with a shared secret. */
export function createSecretVerifier(options: SecretAuthOptions): TokenVerifier {
  const secret =
    typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
    throw invalidOption(
      ['auth', 'secret'],
      `must be at least ${MIN_SECRET_BYTES} bytes (256 bits); generate one with \`openssl rand -base64 48\``,
    );
  }
  return verifier(
    secret,
    allowList(options.algorithms, HMAC, ['HS256'], 'a shared secret'),
    options,
  );
}

/** RS256/ES256 (or another public-key algorithm) with keys from a JWKS URL or a local key set. */
export function createKeySetVerifier(options: JwksUrlAuthOptions | JwksAuthOptions): TokenVerifier {
  const algorithms = allowList(
    options.algorithms,
    PUBLIC_KEY,
    ['RS256', 'ES256'],
    'public keys (a JWKS)',
  );
  let keys: JWTVerifyGetKey;
  if ('jwksUrl' in options) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw invalidOption(['auth', 'jwksUrl'], 'must be a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw invalidOption(['auth', 'jwksUrl'], 'must be an https:// (or http://) URL');
    }
    const remote = createRemoteJWKSet(url, {
      timeoutDuration: options.jwksTimeoutMs ?? 5_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    });
    keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // a key set that names no such key is the token's fault; anything else is the provider's
        if (
          error instanceof errors.JWKSNoMatchingKey ||
          error instanceof errors.JWKSMultipleMatchingKeys
        ) {
          throw error;
        }
        throw new KeySetUnavailable('the key set cannot be fetched', { cause: error });
      }
    };
  } else {
    keys = createLocalJWKSet(options.jwks);
  }
  return verifier(keys, algorithms, options);
}

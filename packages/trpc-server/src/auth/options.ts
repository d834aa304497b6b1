import type { JSONWebKeySet } from 'jose';

/** HMAC algorithms, for a shared secret. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
/** Public-key algorithms, for keys from a JWKS. */
export type PublicKeyAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** The identity a verified caller is provisioned from. */
export interface IdentityClaims {
  /** The identity provider's subject: the user's id. Required. */
  sub: string;
  /**
   * Kept on the user row when it is a valid email and verified (`email_verified: true`, or
   * `emailsAlwaysVerified`); otherwise ignored.
   */
  email?: string | null | undefined;
  /**
   * Whether the identity provider verified `email` (OpenID Connect's `email_verified`). Only
   * `true` counts: anyone can put any address in an unverified claim.
   */
  email_verified?: boolean | null | undefined;
  /** Kept on the user row when present (up to 200 characters). */
  name?: string | null | undefined;
}

/** What authentication sees of a request. */
export interface AuthRequest {
  /** The request's headers (`authorization`, `cookie`, …). */
  readonly headers: Headers;
  /**
   * tRPC connection params (sent by `httpSubscriptionLink`), or null. A `token` in them is
   * accepted for subscriptions, since a browser's EventSource cannot send headers.
   */
  readonly connectionParams: Readonly<Record<string, string | undefined>> | null;
  /** The kind of call the request makes. */
  readonly type: 'query' | 'mutation' | 'subscription' | 'unknown';
  /** The client's IP address, when known. */
  readonly ip: string | undefined;
}

/** How far the `email` claims of an identity source are trusted. */
export interface EmailTrust {
  /**
   * Every `email` this source gives is verified, whatever `email_verified` says (a provider
   * that verifies every address before it issues it, or an app's own accounts): take it as
   * verified. Otherwise an email is kept only with `email_verified: true`.
   * @default false
   */
  emailsAlwaysVerified?: boolean;
}

/** Checks made on every verified token, whatever its key. */
export interface TokenChecks extends EmailTrust {
  /** The expected `iss`: a token from any other issuer is refused. @default no check */
  issuer?: string | string[];
  /** The expected `aud`: a token for any other audience is refused. @default no check */
  audience?: string | string[];
  /** Clock skew allowed when checking `exp`, `nbf` and `iat`, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /**
   * Refuse tokens without an expiry (`exp`): a token that never expires cannot be revoked by
   * time. Turn off only for an issuer that cannot set one.
   * @default true
   */
  requireExpiration?: boolean;
  /**
   * Remembers tokens that verified, so that a client sending the same token again costs no
   * signature check: at most `max` tokens, each for `ttlMs` and never past its own `exp`
   * (less the clock tolerance). Keep `ttlMs` short where keys are revoked by removing them
   * from a key set. `false` verifies every request.
   * @default { max: 10000, ttlMs: 60000 }
   */
  verifiedTokens?: { max?: number; ttlMs?: number } | false;
}

/** Tokens signed with a shared secret (HMAC). */
export interface SecretAuthOptions extends TokenChecks {
  /** The shared secret, at least 32 bytes (the reference app reads `TASKPULSE_JWT_SECRET`). */
  secret: string | Uint8Array;
  /** Accepted algorithms; only HMAC ones are allowed here. @default ['HS256'] */
  algorithms?: HmacAlgorithm[];
}

/** Tokens signed with keys that an identity provider publishes as a JWKS at a URL. */
export interface JwksUrlAuthOptions extends TokenChecks {
  /** Where the JSON Web Key Set is served, e.g. `https://issuer.example/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** Accepted algorithms; only public-key ones are allowed here. @default ['RS256', 'ES256'] */
  algorithms?: PublicKeyAlgorithm[];
  /** How long to wait for the key set. @default 5000 */
  jwksTimeoutMs?: number;
  /** How long a fetched key set is used before it is fetched again. @default 600000 */
  jwksCacheMaxAgeMs?: number;
}

/** Tokens signed with keys from a key set the app holds. */
export interface JwksAuthOptions extends TokenChecks {
  /** The public keys, as a JSON Web Key Set. */
  jwks: JSONWebKeySet;
  /** Accepted algorithms; only public-key ones are allowed here. @default ['RS256', 'ES256'] */
  algorithms?: PublicKeyAlgorithm[];
}

/** Authentication done by the app itself (sessions, another token format, …). */
export interface ResolveUserAuthOptions extends EmailTrust {
  /**
   * Returns the caller's verified claims, or null when the request is not authenticated (the
   * call is then `UNAUTHORIZED`). Throw a `TRPCError` or `TaskpulseError` to answer otherwise.
   */
  resolveUser(request: AuthRequest): Promise<IdentityClaims | null> | IdentityClaims | null;
}

/**
 * How callers are authenticated. Tokens come as `Authorization: Bearer <JWT>` (or, for
 * subscriptions, as the `token` connection param); `sub` is required, `name` is kept on the
 * user, and `email` when it is verified (`email_verified: true`, or `emailsAlwaysVerified`). Exactly one of `secret`, `jwksUrl`, `jwks` or `resolveUser`.
 *
 * @example
 * ```ts
 * { secret: process.env.TASKPULSE_JWT_SECRET! }
 * { jwksUrl: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com/', audience: 'taskpulse' }
 * { resolveUser: async ({ headers }) => sessions.claimsFor(headers.get('cookie')) }
 * ```
 */
export type TaskpulseAuthOptions =
  | SecretAuthOptions
  | JwksUrlAuthOptions
  | JwksAuthOptions
  | ResolveUserAuthOptions;

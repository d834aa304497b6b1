/** Tokens for tests: HS256 with the test secret, and key pairs for JWKS tests. */
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** The shared secret the HTTP tests' servers verify HS256 tokens with. */
export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!!';

/** An HS256 token for `claims` (with `sub`), valid for an hour unless the claims say otherwise. */
export async function signHs256(
  claims: JWTPayload,
  options: { secret?: string; expiresIn?: string | number; header?: Record<string, unknown> } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({
    alg: 'HS256',
    typ: 'JWT',
    ...options.header,
  });
  if (claims.iat === undefined) jwt.setIssuedAt();
  if (claims.exp === undefined) jwt.setExpirationTime(options.expiresIn ?? '1h');
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** A token with `alg: none`: no signature at all. */
export function unsignedToken(claims: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iat: now, exp: now + 3600, ...claims })}.`;
}

/** A key pair whose public half is served as a JWK with `kid`. */
export interface TestKey {
  readonly alg: 'RS256' | 'ES256';
  readonly kid: string;
  readonly publicJwk: JWK;
  sign(claims: JWTPayload): Promise<string>;
}

export async function createTestKey(alg: 'RS256' | 'ES256', kid = `${alg}-key`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    publicJwk,
    sign: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
  };
}

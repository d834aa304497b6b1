import { createPublicKey } from 'node:crypto';
import { isTaskpulseError } from '@taskpulse/core';
import { TRPCError } from '@trpc/server';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJwksServer } from '../../test/jwks-server.ts';
import { createTestKey, signHs256, type TestKey, unsignedToken } from '../../test/tokens.ts';
import { createKeySetVerifier, createSecretVerifier } from './verify-token.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the token to be refused');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('createSecretVerifier', () => {
  const verify = createSecretVerifier({ secret: SECRET, issuer: 'iss', audience: 'aud' });
  const sign = (claims: Record<string, unknown>, secret = SECRET) =>
    signHs256({ iss: 'iss', aud: 'aud', ...claims }, { secret });

  it('returns sub, email and name of a valid token', async () => {
    expect(await verify(await sign({ sub: 'u1', email: 'u1@example.com', name: 'U' }))).toEqual({
      sub: 'u1',
      email: 'u1@example.com',
      email_verified: false,
      name: 'U',
    });
  });

  it('reads email_verified: only the boolean true counts', async () => {
    const verified = async (value: unknown) =>
      (await verify(await sign({ sub: 'u1', email: 'u1@example.com', email_verified: value })))
        .email_verified;
    expect(await verified(true)).toBe(true);
    for (const value of [false, 'true', 1, null, undefined, {}]) {
      expect(await verified(value), String(value)).toBe(false);
    }
  });

  it('tolerates a few seconds of clock skew, not more', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verify(await sign({ sub: 'u1', nbf: now + 3 }))).resolves.toMatchObject({
      sub: 'u1',
    });
    expect((await failure(verify(await sign({ sub: 'u1', nbf: now + 60 })))).message).toMatch(
      /not valid yet/,
    );
  });

  it.each([
    ['expired', { sub: 'u1', exp: Math.floor(Date.now() / 1000) - 60 }, /expired/],
    ['for another audience', { sub: 'u1', aud: 'other' }, /not issued for this service/],
    ['from another issuer', { sub: 'u1', iss: 'other' }, /not issued for this service/],
    ['without sub', { email: 'x@example.com' }, /subject/],
  ])('refuses a token %s as UNAUTHORIZED', async (_, claims, message) => {
    const error = await failure(verify(await sign(claims)));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toMatch(message);
  });

  it('refuses a token that never expires, unless told not to require an expiry', async () => {
    const forever = await new SignJWT({ sub: 'u1', iss: 'iss', aud: 'aud' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    const error = await failure(verify(forever));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toMatch(/exp/);
    const lenient = createSecretVerifier({
      secret: SECRET,
      issuer: 'iss',
      audience: 'aud',
      requireExpiration: false,
    });
    await expect(lenient(forever)).resolves.toMatchObject({ sub: 'u1' });
  });

  it('refuses an expiry of 1e309 (Infinity once parsed)', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const { createHmac } = await import('node:crypto');
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = Buffer.from('{"sub":"u1","iss":"iss","aud":"aud","exp":1e309}').toString(
      'base64url',
    );
    const signature = createHmac('sha256', SECRET)
      .update(`${header}.${payload}`)
      .digest('base64url');
    const error = await failure(verify(`${header}.${payload}.${signature}`));
    expect(error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a wrong signature, alg none and an RS256 token', async () => {
    const wrong = await sign({ sub: 'u1' }, 'another-secret-of-at-least-thirty-two-bytes');
    expect((await failure(verify(wrong))).code).toBe('UNAUTHORIZED');
    const none = unsignedToken({ sub: 'u1', iss: 'iss', aud: 'aud' });
    expect((await failure(verify(none))).code).toBe('UNAUTHORIZED');
    const rsa = await createTestKey('RS256');
    const rs256 = await rsa.sign({ sub: 'u1', iss: 'iss', aud: 'aud' });
    expect((await failure(verify(rs256))).code).toBe('UNAUTHORIZED');
  });

  it('refuses a secret shorter than 32 bytes and non-HMAC algorithms at creation', () => {
    expect(() => createSecretVerifier({ secret: 'short' })).toThrow(/at least 32 bytes/);
    try {
      createSecretVerifier({ secret: SECRET, algorithms: ['RS256' as 'HS256'] });
      expect.unreachable();
    } catch (error) {
      expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
      expect((error as Error).message).toMatch(/"RS256" cannot be used with a shared secret/);
    }
  });
});

describe('createKeySetVerifier', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;

  beforeAll(async () => {
    rsa = await createTestKey('RS256', 'rsa-1');
    ec = await createTestKey('ES256', 'ec-1');
    jwks = await startJwksServer([rsa.publicJwk, ec.publicJwk]);
  });
  afterAll(() => jwks.close());

  it('verifies RS256 and ES256 tokens against a JWKS URL, fetching it once', async () => {
    const verify = createKeySetVerifier({ jwksUrl: jwks.url, audience: 'api' });
    expect(await verify(await rsa.sign({ sub: 'rsa-user', aud: 'api' }))).toMatchObject({
      sub: 'rsa-user',
    });
    expect(await verify(await ec.sign({ sub: 'ec-user', aud: 'api' }))).toMatchObject({
      sub: 'ec-user',
    });
    expect(jwks.fetches).toBe(1);
  });

  it('verifies against a local key set', async () => {
    const verify = createKeySetVerifier({ jwks: { keys: [ec.publicJwk] } });
    expect(await verify(await ec.sign({ sub: 'local' }))).toMatchObject({ sub: 'local' });
    expect((await failure(verify(await rsa.sign({ sub: 'local' })))).code).toBe('UNAUTHORIZED');
  });

  it('refuses HS256 signed with the RSA public key (algorithm confusion)', async () => {
    const verify = createKeySetVerifier({ jwksUrl: jwks.url });
    // the attacker knows the public key, and signs HS256 with its PEM text as the secret
    const pem = createPublicKey({
      key: rsa.publicJwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    }).export({
      type: 'spki',
      format: 'pem',
    });
    const forged = await new SignJWT({ sub: 'attacker' })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(String(pem)));
    expect((await failure(verify(forged))).code).toBe('UNAUTHORIZED');
  });

  it('refuses a token signed by a key the set does not hold', async () => {
    const stranger = await createTestKey('RS256', 'unknown-kid');
    const verify = createKeySetVerifier({ jwksUrl: jwks.url });
    expect((await failure(verify(await stranger.sign({ sub: 'x' })))).code).toBe('UNAUTHORIZED');
  });

  it('answers SERVICE_UNAVAILABLE when the key set cannot be fetched', async () => {
    const broken = await startJwksServer([]);
    broken.setBroken(true);
    try {
      const verify = createKeySetVerifier({ jwksUrl: broken.url });
      const error = await failure(verify(await rsa.sign({ sub: 'x' })));
      expect(error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await broken.close();
    }
  });

  it('refuses HMAC algorithms and non-URLs at creation', () => {
    expect(() =>
      createKeySetVerifier({ jwksUrl: jwks.url, algorithms: ['HS256' as 'RS256'] }),
    ).toThrow(/"HS256" cannot be used with public keys/);
    expect(() => createKeySetVerifier({ jwksUrl: 'not a url' })).toThrow(/must be a URL/);
    expect(() => createKeySetVerifier({ jwksUrl: 'file:///etc/passwd' })).toThrow(/https/);
  });
});

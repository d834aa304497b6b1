import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticator.ts';
import type { AuthRequest } from './options.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';
const request = (token: string): AuthRequest => ({
  headers: new Headers({ authorization: `Bearer ${token}` }),
  connectionParams: null,
  type: 'query',
  ip: undefined,
});
const sign = (expiresAt: number) =>
  new SignJWT({ sub: 'u1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(SECRET));
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? 'error',
  );

describe('verified tokens', () => {
  it('never serves a remembered token past its expiry', async () => {
    const authenticate = createAuthenticator({ secret: SECRET, clockToleranceSeconds: 0 });
    const token = await sign(Math.floor(Date.now() / 1000) + 2);
    expect(await authenticate(request(token))).toMatchObject({ id: 'u1' });
    expect(await authenticate(request(token))).toMatchObject({ id: 'u1' }); // remembered
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await outcome(authenticate(request(token)))).toBe('UNAUTHORIZED');
  });

  it('remembers nothing with verifiedTokens: false, and refuses a bad setting', async () => {
    const authenticate = createAuthenticator({ secret: SECRET, verifiedTokens: false });
    const token = await sign(Math.floor(Date.now() / 1000) + 60);
    expect(await authenticate(request(token))).toMatchObject({ id: 'u1' });
    expect(() => createAuthenticator({ secret: SECRET, verifiedTokens: { max: 0 } })).toThrow(
      /verifiedTokens/,
    );
  });

  it('does not remember a token that failed', async () => {
    const authenticate = createAuthenticator({ secret: SECRET });
    const forged = `${(await sign(Math.floor(Date.now() / 1000) + 60)).slice(0, -4)}AAAA`;
    expect(await outcome(authenticate(request(forged)))).toBe('UNAUTHORIZED');
    expect(await outcome(authenticate(request(forged)))).toBe('UNAUTHORIZED');
  });
});

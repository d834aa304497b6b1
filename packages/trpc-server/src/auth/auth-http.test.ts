import { createPublicKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { type JwksServer, startJwksServer } from '../../test/jwks-server.ts';
import { createTestKey, signHs256, TEST_SECRET, type TestKey } from '../../test/tokens.ts';
import { createTaskpulseRouter, createTaskpulseRuntime, type TaskpulseBuilders } from '../index.ts';

const whoamiProcedures = (b: TaskpulseBuilders) => ({
  whoami: b.authed.subscription(async function* ({ ctx }) {
    yield { id: ctx.caller.id };
  }),
});

/** Reads a subscription's SSE stream to its end (the generator above returns at once). */
async function readStream(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  return response.text();
}

describe.skipIf(!postgresAvailable)('JWKS authentication over HTTP [postgres]', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let jwks: JwksServer;
  beforeAll(async () => {
    rsa = await createTestKey('RS256', 'rsa-http');
    ec = await createTestKey('ES256', 'ec-http');
    jwks = await startJwksServer([rsa.publicJwk, ec.publicJwk]);
  });
  afterAll(() => jwks.close());

  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: { jwksUrl: jwks.url, issuer: 'https://id.test/', audience: 'taskpulse' },
      logger: logs.logger,
    }),
  });
  const claims = (sub: string) => ({ sub, iss: 'https://id.test/', aud: 'taskpulse' });

  it.each(['RS256', 'ES256'] as const)('accepts a %s token from the key set', async (alg) => {
    const key = alg === 'RS256' ? rsa : ec;
    const response = await call(api.url, 'me', { token: await key.sign(claims(`${alg}-user`)) });
    expect(response.status).toBe(200);
    expect(response.body.result.data.id).toBe(`${alg}-user`);
  });

  it('refuses HS256 signed with the RSA public key, and creates no user', async () => {
    const pem = createPublicKey({
      key: rsa.publicJwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    }).export({ type: 'spki', format: 'pem' });
    const forged = await new SignJWT(claims('confused'))
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(String(pem)));
    const response = await call(api.url, 'me', { token: forged });
    expect(response.status).toBe(401);
    expect(await api.tp.fork().execute("select id from users where id = 'confused'")).toEqual([]);
  });

  it('refuses a token signed with a key outside the set', async () => {
    const stranger = await createTestKey('ES256', 'ec-http');
    const response = await call(api.url, 'me', { token: await stranger.sign(claims('stranger')) });
    expect(response.status).toBe(401);
  });
});

describe.skipIf(!postgresAvailable)('custom resolveUser over HTTP [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: {
        // an app's own session check: here, a header that names the user
        resolveUser: ({ headers }) => {
          const session = headers.get('x-test-session');
          return session ? { sub: session, name: `Session ${session}` } : null;
        },
      },
      logger: logs.logger,
    }),
  });

  it('provisions the user resolveUser names', async () => {
    const response = await call(api.url, 'me', { headers: { 'x-test-session': 'sess-user' } });
    expect(response.status).toBe(200);
    expect(response.body.result.data).toMatchObject({ id: 'sess-user', name: 'Session sess-user' });
  });

  it('answers UNAUTHORIZED when resolveUser returns null', async () => {
    const response = await call(api.url, 'me');
    expect(response.status).toBe(401);
    expect(response.body.error.data.code).toBe('UNAUTHORIZED');
  });
});

describe.skipIf(!postgresAvailable)('tokens in connection params [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => {
      const runtime = createTaskpulseRuntime({
        taskpulse: tp,
        auth: { secret: TEST_SECRET },
        logger: logs.logger,
      });
      return { runtime, router: createTaskpulseRouter(runtime, whoamiProcedures) };
    },
  });
  const withParams = (path: string, params: unknown) =>
    `${api.url}/trpc/${path}?connectionParams=${encodeURIComponent(JSON.stringify(params))}`;

  it('authenticates a subscription by the token in its connection params', async () => {
    const token = await signHs256({ sub: 'sse-user' });
    const text = await readStream(withParams('whoami', { token }));
    expect(text).toContain('"id":"sse-user"');
  });

  it('refuses a subscription without a token', async () => {
    const text = await readStream(withParams('whoami', {}));
    expect(text).toContain('UNAUTHORIZED');
    expect(text).not.toContain('sse-user');
  });

  it('does not take a token from connection params for a query', async () => {
    const token = await signHs256({ sub: 'query-user' });
    const response = await fetch(withParams('me', { token }));
    expect(response.status).toBe(401);
  });
});

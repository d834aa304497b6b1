import { TaskpulseErrorCode } from '@taskpulse/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { sampleValue } from '../../test/metrics.ts';
import { testProcedures } from '../../test/procedures.ts';
import { signHs256, TEST_SECRET, unsignedToken } from '../../test/tokens.ts';
import { createTaskpulseRouter, createTaskpulseRuntime } from '../index.ts';

const ISSUER = 'https://id.taskpulse.test/';
const AUDIENCE = 'taskpulse-api';

const token = (sub: string, extra: Record<string, unknown> = {}) =>
  signHs256({ sub, iss: ISSUER, aud: AUDIENCE, ...extra });

describe.skipIf(!postgresAvailable)('taskpulse server over HTTP [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => {
      const runtime = createTaskpulseRuntime({
        taskpulse: tp,
        auth: { secret: TEST_SECRET, issuer: ISSUER, audience: AUDIENCE },
        logger: logs.logger,
        production: true,
      });
      return { runtime, router: createTaskpulseRouter(runtime, testProcedures), maxBatchSize: 5 };
    },
  });

  const userRows = (id: string) =>
    api.tp.fork().execute('select id, email, name from users where id = ?', [id]);

  beforeEach(() => api.logs.clear());

  describe('me', () => {
    it('provisions the user on the first call and follows changed claims afterwards', async () => {
      expect(await userRows('auth0|ada')).toEqual([]);
      const first = await call(api.url, 'me', {
        token: await token('auth0|ada', {
          email: 'ada@example.com',
          email_verified: true,
          name: 'Ada',
        }),
      });
      expect(first.status).toBe(200);
      expect(first.body.result.data).toMatchObject({
        id: 'auth0|ada',
        email: 'ada@example.com',
        name: 'Ada',
      });
      // plain JSON on the wire: the date is an ISO string
      expect(first.body.result.data.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(await userRows('auth0|ada')).toEqual([
        { id: 'auth0|ada', email: 'ada@example.com', name: 'Ada' },
      ]);

      const renamed = await call(api.url, 'me', {
        token: await token('auth0|ada', {
          email: 'ada@lovelace.dev',
          email_verified: true,
          name: 'Ada L.',
        }),
      });
      expect(renamed.body.result.data).toMatchObject({ email: 'ada@lovelace.dev', name: 'Ada L.' });
      expect(await userRows('auth0|ada')).toEqual([
        { id: 'auth0|ada', email: 'ada@lovelace.dev', name: 'Ada L.' },
      ]);
    });

    it('keeps the user when a claim does not fit the schema, dropping that claim', async () => {
      const response = await call(api.url, 'me', {
        token: await token('odd-claims', { email: 'not an email', email_verified: true, name: 42 }),
      });
      expect(response.status).toBe(200);
      expect(await userRows('odd-claims')).toEqual([{ id: 'odd-claims', email: null, name: null }]);
    });

    it('authenticates a batch once and answers every call of it', async () => {
      const response = await fetch(`${api.url}/trpc/me,health,me?batch=1`, {
        headers: { authorization: `Bearer ${await token('batcher')}` },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { result: { data: unknown } }[];
      expect(body).toHaveLength(3);
      expect(body[0]?.result.data).toMatchObject({ id: 'batcher' });
      expect(body[1]?.result.data).toEqual({ status: 'ok', database: 'up' });
    });
  });

  describe('health and plain routes', () => {
    it('answers health without a token', async () => {
      const response = await call(api.url, 'health');
      expect(response.status).toBe(200);
      expect(response.body.result.data).toEqual({ status: 'ok', database: 'up' });
    });

    it('serves /health/live, /health/ready and 404 for anything else', async () => {
      const live = await fetch(`${api.url}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${api.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', database: 'up' });
      expect((await fetch(`${api.url}/nothing-here`)).status).toBe(404);
      expect((await fetch(`${api.url}/health/live`, { method: 'POST' })).status).toBe(405);
    });

    it('answers an unknown procedure with NOT_FOUND', async () => {
      const response = await call(api.url, 'no.such.procedure');
      expect(response.status).toBe(404);
      expect(response.body.error.data.code).toBe('NOT_FOUND');
    });
  });

  describe('authentication', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<Record<string, string>>][] = [
      ['no Authorization header', async () => ({})],
      ['a header that is not Bearer', async () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
      ['a token that is not a JWT', async () => ({ authorization: 'Bearer not.a.jwt' })],
      [
        'an expired token',
        async () => ({
          authorization: `Bearer ${await token('rejected', { iat: now() - 7200, exp: now() - 3600 })}`,
        }),
      ],
      [
        'a token not valid yet',
        async () => ({ authorization: `Bearer ${await token('rejected', { nbf: now() + 3600 })}` }),
      ],
      [
        'a token signed with another secret',
        async () => ({
          authorization: `Bearer ${await signHs256(
            { sub: 'rejected', iss: ISSUER, aud: AUDIENCE },
            { secret: 'another-secret-that-is-long-enough-for-hs256' },
          )}`,
        }),
      ],
      [
        'an unsigned token (alg: none)',
        async () => ({
          authorization: `Bearer ${unsignedToken({ sub: 'rejected', iss: ISSUER, aud: AUDIENCE })}`,
        }),
      ],
      [
        'a token without sub',
        async () => ({
          authorization: `Bearer ${await signHs256({ iss: ISSUER, aud: AUDIENCE, email: 'rejected@example.com' })}`,
        }),
      ],
      [
        'a token for another audience',
        async () => ({ authorization: `Bearer ${await token('rejected', { aud: 'other-api' })}` }),
      ],
      [
        'a token from another issuer',
        async () => ({
          authorization: `Bearer ${await token('rejected', { iss: 'https://evil.test/' })}`,
        }),
      ],
      [
        'a token whose sub is not a valid user id',
        async () => ({ authorization: `Bearer ${await token('x'.repeat(300))}` }),
      ],
    ];

    it.each(cases)('answers %s with UNAUTHORIZED and creates no user', async (_, headers) => {
      const sent = await headers();
      const response = await fetch(`${api.url}/trpc/me`, { headers: sent });
      expect(response.status).toBe(401);
      const body = (await response.json()) as {
        error: { message: string; data: { code: string } };
      };
      expect(body.error.data.code).toBe('UNAUTHORIZED');
      const credential = sent.authorization?.split(' ')[1];
      if (credential) expect(JSON.stringify(body)).not.toContain(credential);
      expect(
        await api.tp
          .fork()
          .execute("select id from users where id = 'rejected' or email = 'rejected@example.com'"),
      ).toEqual([]);
      for (const line of api.logs.raw) if (credential) expect(line).not.toContain(credential);
    });

    it('says why, without echoing the token', async () => {
      const expired = await call(api.url, 'me', {
        token: await token('late', { iat: now() - 7200, exp: now() - 3600 }),
      });
      expect(expired.body.error.message).toMatch(/expired/);
      const missing = await call(api.url, 'me');
      expect(missing.body.error.message).toMatch(/Authorization: Bearer/);
    });
  });

  describe('errors', () => {
    it('answers invalid input with BAD_REQUEST naming the path of each bad field', async () => {
      const response = await call(api.url, 'test.echo', {
        method: 'POST',
        token: await token('validator'),
        input: { title: '', nested: { count: 1.5 } },
      });
      expect(response.status).toBe(400);
      const { error } = response.body;
      expect(error.data.code).toBe('BAD_REQUEST');
      expect(error.data.issues.map((issue: { path: unknown[] }) => issue.path)).toEqual(
        expect.arrayContaining([['title'], ['nested', 'count']]),
      );
      expect(error.message).toContain('title:');
      expect(error.message).toContain('nested.count:');
    });

    it('checks the token before the input', async () => {
      const response = await call(api.url, 'test.echo', { method: 'POST', input: { title: '' } });
      expect(response.status).toBe(401);
    });

    it.each(
      Object.values(TaskpulseErrorCode).map((code) => [
        code,
        {
          VALIDATION: [400, 'BAD_REQUEST'],
          UNAUTHORIZED: [401, 'UNAUTHORIZED'],
          NOT_FOUND: [404, 'NOT_FOUND'],
          FORBIDDEN: [403, 'FORBIDDEN'],
          CONFLICT: [409, 'CONFLICT'],
          UNAVAILABLE: [503, 'SERVICE_UNAVAILABLE'],
          INTERNAL: [500, 'INTERNAL_SERVER_ERROR'],
        }[code],
      ]),
    )('answers a core %s error with %j', async (code, expected) => {
      const response = await call(api.url, 'test.fail', { input: { code } });
      expect([response.status, response.body.error.data.code]).toEqual(expected);
      expect(response.body.error.data.stack).toBeUndefined();
      if (code === 'VALIDATION') {
        expect(response.body.error.data.issues).toEqual([
          { path: ['due', 'at'], message: 'must be in the future' },
        ]);
      }
    });

    it('never sends SQL, data or a stack for a crash (production mode)', async () => {
      const response = await call(api.url, 'test.crash');
      expect(response.status).toBe(500);
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/SELECT|password|victim/);
      expect(response.body.error.data.stack).toBeUndefined();
      // the details are in the logs, for the operator
      const failure = api.logs.lines.find((line) => line.msg === 'procedure failed');
      expect(failure).toMatchObject({ procedure: 'test.crash', level: 50 });
    });

    it.each<[string, { method: string; path: string; body?: string }]>([
      ['a body that is not JSON', { method: 'POST', body: '{"title": ', path: 'test.echo' }],
      ['a query input that is not JSON', { method: 'GET', path: 'test.fail?input=%7Bnope' }],
      [
        'a batch whose input is not an object',
        { method: 'GET', path: `test.fail,test.fail?batch=1&input=${encodeURIComponent('"x"')}` },
      ],
      [
        'a batch that mixes queries and mutations',
        { method: 'POST', path: 'me,test.echo?batch=1', body: '{}' },
      ],
      ['a mutation sent as GET', { method: 'GET', path: 'test.echo' }],
      ['an empty JSON body', { method: 'POST', path: 'test.echo', body: '' }],
      ['a body that is JSON null', { method: 'POST', path: 'test.echo', body: 'null' }],
      ['a path with broken URL-encoding', { method: 'GET', path: '%E0%A4%A' }],
      ['a method tRPC does not speak', { method: 'PUT', path: 'test.echo', body: '{}' }],
      ['connection params that are not JSON', { method: 'GET', path: 'me?connectionParams=%7B' }],
    ])('answers %s with a 4xx, never INTERNAL_SERVER_ERROR', async (_, request) => {
      const response = await fetch(`${api.url}/trpc/${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${await token('bad-input')}`,
          'content-type': 'application/json',
        },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(JSON.stringify(await response.json())).not.toContain('INTERNAL_SERVER_ERROR');
    });
  });

  describe('limits', () => {
    it('refuses a batch larger than maxBatchSize with BAD_REQUEST', async () => {
      const paths = Array.from({ length: 6 }, () => 'health').join(',');
      const response = await fetch(`${api.url}/trpc/${paths}?batch=1`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('BAD_REQUEST');
    });

    it('refuses a body larger than maxBodySize with 413 PAYLOAD_TOO_LARGE', async () => {
      const response = await fetch(`${api.url}/trpc/test.echo`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token('big-body')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024), nested: { count: 1 } }),
      });
      expect(response.status).toBe(413);
      expect(JSON.stringify(await response.json())).toContain('PAYLOAD_TOO_LARGE');
    });
  });

  describe('request ids and logs', () => {
    it('echoes a sane x-request-id and replaces any other', async () => {
      const sane = await fetch(`${api.url}/trpc/health`, {
        headers: { 'x-request-id': 'req-7.a:b' },
      });
      expect(sane.headers.get('x-request-id')).toBe('req-7.a:b');
      const insane = await fetch(`${api.url}/trpc/health`, {
        headers: { 'x-request-id': 'a b<script>' },
      });
      expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const plain = await fetch(`${api.url}/health/live`);
      expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      // browsers must not guess the type of an API answer
      for (const response of [sane, insane, plain]) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('logs one line per request with id, user, procedures and outcome, never the token or input', async () => {
      const secretToken = await token('logged-user');
      const response = await fetch(`${api.url}/trpc/test.echo,test.echo?batch=1`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secretToken}`,
          'content-type': 'application/json',
          'x-request-id': 'log-test-1',
        },
        body: JSON.stringify({
          0: { title: 'TOP', nested: { count: 1 } },
          1: { title: 'TOPSECRET-TITLE', nested: { count: 1 } },
        }),
      });
      expect(response.status).toBe(207);
      await new Promise((resolve) => setImmediate(resolve));
      const lines = api.logs.lines.filter((line) => line.requestId === 'log-test-1');
      const requestLines = lines.filter((line) => line.msg === 'request');
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({
        requestId: 'log-test-1',
        userId: 'logged-user',
        procedures: ['test.echo', 'test.echo'],
        outcomes: expect.arrayContaining(['ok', 'BAD_REQUEST']),
        outcome: 'BAD_REQUEST',
        method: 'POST',
        status: 207,
      });
      expect(typeof requestLines[0]?.durationMs).toBe('number');
      const everything = api.logs.raw.join('\n');
      expect(everything).not.toContain(secretToken);
      expect(everything).not.toContain('TOPSECRET-TITLE');
    });

    it('logs a successful call as ok', async () => {
      await call(api.url, 'me', {
        token: await token('happy-logger'),
        headers: { 'x-request-id': 'log-test-2' },
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        api.logs.lines.find((line) => line.requestId === 'log-test-2' && line.msg === 'request'),
      ).toMatchObject({
        userId: 'happy-logger',
        procedures: ['me'],
        outcome: 'ok',
        status: 200,
      });
    });
  });

  describe('metrics', () => {
    it('serves Prometheus text in which the request counter for me increases', async () => {
      const before = await (await fetch(`${api.url}/metrics`)).text();
      const labels = { procedure: 'me', outcome: 'ok' };
      const counted = sampleValue(before, 'taskpulse_requests_total', labels);
      await call(api.url, 'me', { token: await token('metered') });
      const response = await fetch(`${api.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const after = await response.text();
      expect(sampleValue(after, 'taskpulse_requests_total', labels)).toBe(counted + 1);
      expect(
        sampleValue(after, 'taskpulse_requests_total', {
          procedure: 'me',
          outcome: 'UNAUTHORIZED',
        }),
      ).toBeGreaterThan(0);
    });
  });
});

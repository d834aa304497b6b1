import { describe, expect, it } from 'vitest';
import { postgresAvailable, useTestApi } from '../../test/api.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseFetchHandler } from '../index.ts';
import { corsAnswer, resolveCors } from './cors.ts';

const app = 'http://app.test:5173';
const preflightHeaders = (origin: string, requestHeaders = 'authorization, content-type') => ({
  origin,
  'access-control-request-method': 'POST',
  'access-control-request-headers': requestHeaders,
});

/** Runs the same checks against the Node server and the fetch handler. */
function corsSuite(
  name: string,
  send: () => (path: string, init?: RequestInit) => Promise<Response>,
) {
  describe(name, () => {
    it('answers a preflight from an allowed origin with 204 and the allowed methods and headers (was 415)', async () => {
      for (const path of ['/trpc/tasks.create', '/trpc/dashboard.live', '/mcp', '/health/ready']) {
        const response = await send()(path, { method: 'OPTIONS', headers: preflightHeaders(app) });
        expect(response.status, path).toBe(204);
        expect(response.headers.get('access-control-allow-origin')).toBe(app);
        expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
        const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase();
        for (const header of ['authorization', 'content-type', 'idempotency-key', 'trpc-accept']) {
          expect(allowed.split(', ')).toContain(header);
        }
        expect(response.headers.get('access-control-max-age')).toBe('600');
        expect(response.headers.get('vary')).toMatch(/Origin/);
        expect(await response.text()).toBe('');
      }
    });

    it('gives a preflight from another origin no allow headers', async () => {
      const response = await send()('/trpc/tasks.create', {
        method: 'OPTIONS',
        headers: preflightHeaders('http://evil.test'),
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/Origin/);
    });

    it('allows and exposes on actual answers of an allowed origin, errors and SSE included', async () => {
      const token = await signHs256({ sub: 'cors-user' });
      const ok = await send()('/trpc/me', {
        headers: { origin: app, authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(app);
      const exposed = ok.headers.get('access-control-expose-headers')!.toLowerCase().split(', ');
      for (const header of ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy']) {
        expect(exposed).toContain(header);
      }
      expect(ok.headers.get('vary')).toMatch(/Origin/);

      const unauthorized = await send()('/trpc/me', { headers: { origin: app } });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get('access-control-allow-origin')).toBe(app);

      const params = encodeURIComponent(JSON.stringify({ token }));
      const abort = new AbortController();
      const live = await send()(`/trpc/dashboard.live?connectionParams=${params}`, {
        headers: { origin: app },
        signal: abort.signal,
      });
      expect(live.headers.get('content-type')).toContain('text/event-stream');
      expect(live.headers.get('access-control-allow-origin')).toBe(app);
      abort.abort();
      await live.body?.cancel().catch(() => {});

      const health = await send()('/health/live', { headers: { origin: app } });
      expect(health.headers.get('access-control-allow-origin')).toBe(app);
    });

    it('sends no allow header to another origin, and Vary: Origin without any Origin', async () => {
      const other = await send()('/health/live', { headers: { origin: 'http://evil.test' } });
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const none = await send()('/health/live');
      expect(none.headers.get('access-control-allow-origin')).toBeNull();
      expect(none.headers.get('vary')).toMatch(/Origin/);
    });
  });
}

describe.skipIf(!postgresAvailable)('CORS [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      cors: { origin: [app] },
    }),
  });
  corsSuite('Node server', () => (path, init) => fetch(`${api.url}${path}`, init));

  let handler: ReturnType<typeof createTaskpulseFetchHandler> | undefined;
  corsSuite('fetch handler', () => {
    handler ??= createTaskpulseFetchHandler({
      taskpulse: api.tp,
      auth: { secret: TEST_SECRET },
      logger: api.logs.logger,
      cors: { origin: (origin) => origin === app },
    });
    const h = handler;
    return (path, init) => h(new Request(`http://api.test${path}`, init));
  });

  describe('same origin only (the default)', () => {
    const plain = useTestApi();
    it('sends no CORS header, and answers a cross-origin preflight 204 without allowing it', async () => {
      const preflight = await fetch(`${plain.url}/trpc/tasks.create`, {
        method: 'OPTIONS',
        headers: preflightHeaders(app),
      });
      expect(preflight.status).toBe(204);
      expect(
        [...preflight.headers.keys()].filter((key) => key.startsWith('access-control')),
      ).toEqual([]);
      const answer = await fetch(`${plain.url}/health/live`, { headers: { origin: app } });
      expect([...answer.headers.keys()].filter((key) => key.startsWith('access-control'))).toEqual(
        [],
      );
    });
  });
});

describe('cors option', () => {
  it('allows any origin with "*", as "*"', () => {
    const cors = resolveCors({ origin: '*' });
    expect(corsAnswer(cors, 'GET', 'http://x.test', null).headers).toMatchObject({
      'access-control-allow-origin': '*',
      vary: 'Origin',
    });
  });

  it('echoes the origin with credentials', () => {
    const cors = resolveCors({ origin: [app], credentials: true });
    expect(corsAnswer(cors, 'GET', app, null).headers).toMatchObject({
      'access-control-allow-origin': app,
      'access-control-allow-credentials': 'true',
    });
  });

  it('a function that throws allows nothing', () => {
    const cors = resolveCors({
      origin: () => {
        throw new Error('boom');
      },
    });
    expect(corsAnswer(cors, 'GET', app, null).headers).toEqual({ vary: 'Origin' });
  });

  it.each([
    [{ origin: [] }, /cors.origin/],
    [{ origin: ['https://app.example.com/'] }, /is not an origin/],
    [{ origin: ['app.example.com'] }, /is not an origin/],
    [{ origin: ['https://app.example.com/path'] }, /is not an origin/],
    [{ origin: ['HTTPS://APP.example.com'] }, /is not an origin/],
    [{ origin: '*', credentials: true }, /cors.credentials/],
    [{ origin: [app], maxAgeSeconds: -1 }, /cors.maxAgeSeconds/],
  ])('refuses %j, naming what is wrong', (options, message) => {
    expect(() => resolveCors(options as never)).toThrow(message);
  });
});

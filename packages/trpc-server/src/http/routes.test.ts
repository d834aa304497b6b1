import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../core/test/databases.ts';
import { captureLogs } from '../../test/logs.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseFetchHandler,
  createTaskpulseRuntime,
  createTaskpulseServer,
  type TaskpulseRouteFactory,
} from '../index.ts';

/** A route that echoes what it learnt of the request, and fails or streams on demand. */
const echoRoute: TaskpulseRouteFactory = (runtime) => ({
  paths: ['/echo', '/echo/stream'],
  handle: async (request, context) => {
    if (new URL(request.url).pathname === '/echo/stream') {
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of ['one\n', 'two\n']) controller.enqueue(encoder.encode(part));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    }
    if (request.headers.get('x-fail') === 'yes') throw new Error('secret internals');
    let body: string;
    try {
      body = await request.text();
    } catch (error) {
      return new Response(JSON.stringify({ code: (error as { code?: string }).code }), {
        status: 413,
      });
    }
    let user: string | undefined;
    try {
      user = (await context.request.authenticate()).caller.id;
      await context.rateLimit('user', user);
    } catch (error) {
      return new Response(JSON.stringify({ code: (error as { code?: string }).code }), {
        status: 401,
      });
    }
    context.recordCall({ procedure: 'echo', outcome: 'ok', durationMs: 1 });
    return Response.json({
      method: request.method,
      body,
      user,
      ip: context.request.ip,
      requestId: context.request.requestId,
      loopback: context.loopback ?? 'unknown',
      ready: typeof runtime.isReady,
    });
  },
});

/** The README's example: a route that lets authentication's errors through. */
const helloRoute: TaskpulseRouteFactory = () => ({
  paths: ['/hello'],
  handle: async (_request, context) => {
    const { user } = await context.request.authenticate();
    return Response.json({ hello: user.id });
  },
});

describe('routes beside the API', () => {
  const db = useTestDatabase('pglite');
  const logs = captureLogs();
  let token: string;
  beforeAll(async () => {
    token = await signHs256({ sub: 'route-user' });
  });

  describe('in the Node server', () => {
    let server: ReturnType<typeof createTaskpulseServer>;
    let url: string;
    beforeAll(async () => {
      server = createTaskpulseServer({
        taskpulse: db.tp,
        auth: { secret: TEST_SECRET },
        logger: logs.logger,
        maxBodySize: 64,
        rateLimit: false,
        routes: [echoRoute, helloRoute],
      });
      ({ url } = await server.listen(0, '127.0.0.1'));
    });
    afterAll(async () => {
      await server?.close();
    });

    it('serves the route with the runtime: authentication, ip, request id, one log line', async () => {
      const response = await fetch(`${url}/echo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'route-1' },
        body: 'hello',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('route-1');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.json()).toEqual({
        method: 'POST',
        body: 'hello',
        user: 'route-user',
        ip: '127.0.0.1',
        requestId: 'route-1',
        loopback: true,
        ready: 'function',
      });
      expect(
        logs.lines.filter((line) => line.requestId === 'route-1' && line.msg === 'request'),
      ).toEqual([
        expect.objectContaining({
          method: 'POST',
          status: 200,
          userId: 'route-user',
          procedures: ['echo'],
          outcome: 'ok',
        }),
      ]);
    });

    it('answers what authenticate() throws with its status, not 500', async () => {
      const anonymous = await fetch(`${url}/hello`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      expect(await anonymous.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/^Sign in/) },
      });
      const signedIn = await fetch(`${url}/hello`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await signedIn.json()).toEqual({ hello: 'route-user' });
    });

    it('streams a response body', async () => {
      const response = await fetch(`${url}/echo/stream`);
      expect(await response.text()).toBe('one\ntwo\n');
    });

    it('refuses a body over maxBodySize, declared or not', async () => {
      const declared = await fetch(`${url}/echo`, { method: 'POST', body: 'x'.repeat(65) });
      expect(declared.status).toBe(413);
      const streamed = await fetch(`${url}/echo`, {
        method: 'POST',
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('x'.repeat(100)));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(await streamed.json()).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('answers 500 without the cause when the route throws, and logs it', async () => {
      const response = await fetch(`${url}/echo`, { headers: { 'x-fail': 'yes' } });
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain('secret internals');
      expect(logs.raw.some((line) => line.includes('secret internals'))).toBe(true);
    });

    it('names the routes in the 404 of an unknown path', async () => {
      const response = await fetch(`${url}/nowhere`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        '/metrics, /me/export, /echo, /echo/stream, /hello',
      );
      // what an app's own server sends to the handler
      for (const [path, served] of [
        ['/trpc/me', true],
        ['/health/ready', true],
        ['/metrics', true],
        ['/openapi.json', true],
        ['/me/export', true],
        ['/echo/stream', true],
        ['/nowhere', false],
        ['/echo/other', false],
      ] as const) {
        expect([path, server.serves(path)]).toEqual([path, served]);
      }
    });

    it('knows when it listens on all interfaces rather than loopback', async () => {
      const open = createTaskpulseServer({
        taskpulse: db.tp,
        auth: { secret: TEST_SECRET },
        logger: pino({ level: 'silent' }),
        rateLimit: false,
        routes: [echoRoute],
      });
      const { port } = await open.listen(0, '0.0.0.0');
      try {
        const response = await fetch(`http://127.0.0.1:${port}/echo`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(((await response.json()) as { loopback: boolean }).loopback).toBe(false);
      } finally {
        await open.close();
      }
    });
  });

  describe('in the fetch handler', () => {
    it('serves the route the same way, not knowing the listening address', async () => {
      const runtime = createTaskpulseRuntime({
        taskpulse: db.tp,
        auth: { secret: TEST_SECRET },
        logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
        rateLimit: false,
      });
      const handler = createTaskpulseFetchHandler({
        runtime,
        routes: [echoRoute],
        maxBodySize: 64,
        getClientIp: () => '203.0.113.9',
      });
      try {
        const response = await handler(
          new Request('http://taskpulse.test/echo', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'x-request-id': 'fetch-route' },
            body: 'hi',
          }),
        );
        expect(response.headers.get('x-request-id')).toBe('fetch-route');
        expect(await response.json()).toMatchObject({
          body: 'hi',
          user: 'route-user',
          ip: '203.0.113.9',
          loopback: 'unknown',
        });
        const tooLarge = await handler(
          new Request('http://taskpulse.test/echo', { method: 'POST', body: 'x'.repeat(65) }),
        );
        expect(tooLarge.status).toBe(413);
      } finally {
        await handler.close();
        await runtime.close();
      }
    });
  });

  it('refuses two routes on one path, and a route on a path the API answers', () => {
    const options = { taskpulse: db.tp, auth: { secret: TEST_SECRET }, rateLimit: false as const };
    expect(() => createTaskpulseServer({ ...options, routes: [echoRoute, echoRoute] })).toThrow(
      /\/echo is answered twice/,
    );
    const onTrpc: TaskpulseRouteFactory = () => ({
      paths: ['/trpc/me'],
      handle: async () => new Response(),
    });
    expect(() => createTaskpulseFetchHandler({ ...options, routes: [onTrpc] })).toThrow(
      /\/trpc\/me is answered twice/,
    );
  });
});

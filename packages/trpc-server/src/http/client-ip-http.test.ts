import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable, useTestApi } from '../../test/api.ts';
import { TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseFetchHandler,
  createTaskpulseServer,
  type TaskpulseServer,
} from '../index.ts';
import type { TrustProxy } from './client-ip.ts';
import { resolveHttpOptions } from './options.ts';

/**
 * Real HTTP through real proxies on loopback: each client and each proxy connects from its own
 * 127.0.0.x address (Linux routes all of 127/8 to lo), so that the server sees distinct peers.
 */

/** GETs `url` from the local address `from`, with these headers; the status. */
async function get(url: string, from: string, headers: Record<string, string> = {}) {
  const req = request(url, { localAddress: from, headers });
  req.end();
  const [response] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  response.resume();
  await once(response, 'end');
  return response.statusCode ?? 0;
}

/**
 * A reverse proxy to `target`, connecting from `from`: `append` as nginx's
 * `$proxy_add_x_forwarded_for`, `overwrite` as `proxy_set_header X-Forwarded-For $remote_addr`.
 */
async function startProxy(target: string, from: string, mode: 'append' | 'overwrite') {
  const server: Server = createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    const sent = req.headers['x-forwarded-for'];
    const forwardedFor = mode === 'append' && sent ? `${sent}, ${peer}` : peer;
    const upstream = request(new URL(req.url ?? '/', target), {
      method: req.method,
      localAddress: from,
      headers: { ...req.headers, 'x-forwarded-for': forwardedFor },
    });
    upstream.on('response', (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const budget = { points: 3, durationSeconds: 60 };
const health = '/trpc/health';

describe.skipIf(!postgresAvailable)('the per-IP rate limit behind real proxies [postgres]', () => {
  const api = useTestApi();
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  async function serve(trustProxy: TrustProxy): Promise<string> {
    const server: TaskpulseServer = createTaskpulseServer({
      taskpulse: api.tp,
      auth: { secret: TEST_SECRET },
      logger: api.logs.logger,
      trustProxy,
      rateLimit: { ip: budget },
    });
    const { url } = await server.listen(0, '127.0.0.1');
    closers.push(() => server.close());
    return url;
  }

  /**
   * Client A spends its budget sending a new spoofed X-Forwarded-For each time, then is
   * refused; client B, on another address, still gets through.
   */
  async function expectOwnBuckets(entry: string, a: string, b: string) {
    for (let i = 1; i <= 3; i += 1) {
      expect(await get(`${entry}${health}`, a, { 'x-forwarded-for': `6.6.6.${i}` })).toBe(200);
    }
    expect(await get(`${entry}${health}`, a, { 'x-forwarded-for': '6.6.6.99' })).toBe(429);
    expect(await get(`${entry}${health}`, a)).toBe(429);
    expect(await get(`${entry}${health}`, b, { 'x-forwarded-for': '6.6.6.1' })).toBe(200);
  }

  const cases: {
    name: string;
    trust: TrustProxy;
    chain: { from: string; mode: 'append' | 'overwrite' }[];
  }[] = [
    { name: 'nginx appending, 1 hop', trust: 1, chain: [{ from: '127.0.0.1', mode: 'append' }] },
    { name: 'nginx appending, true', trust: true, chain: [{ from: '127.0.0.1', mode: 'append' }] },
    {
      name: 'nginx appending, its address',
      trust: ['127.0.0.1'],
      chain: [{ from: '127.0.0.1', mode: 'append' }],
    },
    {
      name: 'an overwriting proxy, 1 hop',
      trust: 1,
      chain: [{ from: '127.0.0.1', mode: 'overwrite' }],
    },
    {
      name: 'balancer then nginx, both appending, 2 hops',
      trust: 2,
      chain: [
        { from: '127.0.0.50', mode: 'append' },
        { from: '127.0.0.1', mode: 'append' },
      ],
    },
    {
      name: 'balancer then nginx, both appending, a CIDR',
      trust: '127.0.0.1, 127.0.0.48/29',
      chain: [
        { from: '127.0.0.50', mode: 'append' },
        { from: '127.0.0.1', mode: 'append' },
      ],
    },
    {
      name: 'overwriting balancer then appending nginx, 2 hops',
      trust: 2,
      chain: [
        { from: '127.0.0.50', mode: 'overwrite' },
        { from: '127.0.0.1', mode: 'append' },
      ],
    },
  ];

  let client = 10;
  for (const { name, trust, chain } of cases) {
    it(`${name}: each client has its own bucket, whatever it sends`, async () => {
      const server = await serve(trust);
      // build the chain from the server outwards: the last proxy reaches the server
      let target = server;
      for (const { from, mode } of [...chain].reverse()) {
        const proxy = await startProxy(target, from, mode);
        closers.push(proxy.close);
        target = proxy.url;
      }
      const a = `127.0.0.${client++}`;
      const b = `127.0.0.${client++}`;
      await expectOwnBuckets(target, a, b);
    });
  }

  it('a client reaching the server around its proxies is its own address', async () => {
    const server = await serve(['127.0.0.1']);
    const a = `127.0.0.${client++}`;
    const b = `127.0.0.${client++}`;
    await expectOwnBuckets(server, a, b);
  });

  it('the fetch handler takes the right-most untrusted entry', async () => {
    const handler = createTaskpulseFetchHandler({
      taskpulse: api.tp,
      auth: { secret: TEST_SECRET },
      logger: api.logs.logger,
      trustProxy: 1,
      rateLimit: { ip: budget },
    });
    closers.push(() => handler.close());
    const from = (forwardedFor: string) =>
      handler(
        new Request(`http://api.test${health}`, { headers: { 'x-forwarded-for': forwardedFor } }),
      );
    for (let i = 1; i <= 3; i += 1) {
      expect((await from(`6.6.6.${i}, 203.0.113.1`)).status).toBe(200);
    }
    expect((await from('6.6.6.9, 203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.1, 203.0.113.2')).status).toBe(200);
  });
});

describe('trustProxy option', () => {
  it('a bad value is refused when the options are read, naming it', () => {
    expect(() => resolveHttpOptions({ trustProxy: '10.0.0.0/99' })).toThrow(
      /Invalid HTTP option trustProxy: invalid range on address: 10.0.0.0\/99/,
    );
  });
});

/**
 * The client against taskpulse's procedures mounted under a key of a host app's own tRPC
 * router, served at a base path of its own: calls, errors and live figures, over real HTTP.
 */
import type { AddressInfo } from 'node:net';
import { createTaskpulse, type Taskpulse, type UserDto } from '@taskpulse/core';
import { createTaskpulseRuntime, type TaskpulseRuntime } from '@taskpulse/trpc-server';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createTestDatabase } from '../../core/test/databases.ts';
import { captureLogs } from '../../trpc-server/test/logs.ts';
import { signHs256, TEST_SECRET } from '../../trpc-server/test/tokens.ts';
import {
  createTaskpulseClient,
  getTaskpulseErrorCode,
  type TaskpulseMountKey,
} from '../src/index.ts';
import { type HostRouter, hostRouter } from './host-router.ts';
import { watchLive } from './live.ts';
import { postgresAvailable } from './server.ts';

describe.skipIf(!postgresAvailable)('the client against a mounted router [postgres]', () => {
  const logs = captureLogs('warn');
  let tp: Taskpulse;
  let runtime: TaskpulseRuntime;
  let drop: () => Promise<void>;
  let server: ReturnType<typeof createHTTPServer>;
  let url: string;
  const requested: string[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    tp = await createTaskpulse({ database: { url: database.url }, migrate: true });
    runtime = createTaskpulseRuntime({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      rateLimit: false,
    });
    server = createHTTPServer({
      router: hostRouter(runtime),
      basePath: '/api/trpc/',
      createContext: ({ req, info }) => {
        requested.push(req.url ?? '');
        return { taskpulse: runtime.createContext({ headers: req.headers, info }) };
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await runtime?.close();
    await tp?.close();
    await drop?.();
  });

  const mounted = async (sub: string, mountedAt: TaskpulseMountKey<HostRouter> = 'taskpulse') =>
    createTaskpulseClient<HostRouter>({
      url,
      basePath: '/api/trpc',
      mountedAt,
      token: await signHs256({ sub, name: sub }),
      EventSource,
      retry: false,
    });

  it('calls the mounted procedures at <url><basePath>/<key>.<procedure>, typed as taskpulse’s', async () => {
    const client = await mounted('mira');
    requested.length = 0;
    const [me, task] = await Promise.all([
      client.me.query(),
      client.tasks.create.mutate({ title: 'through the host router' }),
    ]);
    expectTypeOf(me).toEqualTypeOf<UserDto>();
    expect(me).toMatchObject({ id: 'mira', name: 'mira' });
    expect(await client.tasks.get.query({ id: task.id })).toMatchObject({ title: task.title });
    expect((await client.dashboard.statistics.query()).total).toBe(1);
    expect(requested.map((path) => path.split('?')[0])).toEqual(
      expect.arrayContaining(['/api/trpc/taskpulse.me', '/api/trpc/taskpulse.tasks.create']),
    );
    // the host's own procedures are beside them, on the same endpoint
    const host = createTRPCClient<HostRouter>({
      links: [httpBatchLink({ url: `${url}/api/trpc` })],
    });
    expect(await host.ping.query()).toBe('pong');
  });

  it('reaches a router mounted deeper, under a dotted key', async () => {
    const client = await mounted('mira', 'api.tasks');
    expect((await client.tasks.list.query({ scope: 'owned' })).items).toHaveLength(1);
  });

  it('answers errors with taskpulse’s codes and the mounted path', async () => {
    const client = await mounted('mira');
    const error = await client.tasks.get
      .query({ id: '00000000-0000-7000-8000-000000000000' })
      .catch((caught: unknown) => caught);
    expect(getTaskpulseErrorCode(error)).toBe('NOT_FOUND');
    expect((error as { data?: { path?: string } }).data?.path).toBe('taskpulse.tasks.get');
  });

  it('streams live figures from the mounted router', async () => {
    const client = await mounted('luca');
    const live = watchLive(client, { timeZone: 'UTC' });
    try {
      expect((await live.until(() => true)).statistics.total).toBe(0);
      await client.tasks.create.mutate({ title: 'seen live, mounted' });
      await live.until((last) => last.statistics.total === 1);
    } finally {
      live.stop();
    }
  });

  it('gets NOT_FOUND for every procedure when the mount key is left out', async () => {
    const unmounted = createTaskpulseClient({
      url,
      basePath: '/api/trpc',
      token: await signHs256({ sub: 'mira' }),
      retry: false,
    });
    expect(
      getTaskpulseErrorCode(await unmounted.me.query().catch((caught: unknown) => caught)),
    ).toBe('NOT_FOUND');
  });
});

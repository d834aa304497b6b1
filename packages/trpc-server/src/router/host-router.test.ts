import type { AddressInfo } from 'node:net';
import { createTaskpulse, type Taskpulse } from '@taskpulse/core';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../core/test/databases.ts';
import { postgresAvailable } from '../../test/api.ts';
import { createHostApp, type HostRouter, hostMiddlewareCalls } from '../../test/host-app.ts';
import { captureLogs } from '../../test/logs.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseRuntime } from '../index.ts';

describe.skipIf(!postgresAvailable)('taskpulse mounted in a host tRPC app [postgres]', () => {
  const logs = captureLogs();
  let tp: Taskpulse;
  let drop: () => Promise<void>;
  let server: ReturnType<typeof createHTTPServer>;
  let url: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    tp = await createTaskpulse({ database: { url: database.url }, migrate: true });
    const runtime = createTaskpulseRuntime({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
    });
    server = createHTTPServer({
      router: createHostApp(runtime),
      createContext: ({ req, info }) => ({
        appUser: typeof req.headers['x-app-user'] === 'string' ? req.headers['x-app-user'] : null,
        // once per HTTP request: one entity manager and one authentication per batch
        taskpulse: runtime.createContext({
          headers: req.headers,
          ip: req.socket.remoteAddress,
          info,
        }),
      }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await tp?.close();
    await drop?.();
  });

  const client = (headers: Record<string, string> = {}) =>
    createTRPCClient<HostRouter>({ links: [httpBatchLink({ url, headers: () => headers })] });

  it("serves the host's procedures and taskpulse's under taskpulse., in one batch", async () => {
    const token = await signHs256({ sub: 'hosted-user', name: 'Hosted' });
    const api = client({ authorization: `Bearer ${token}`, 'x-app-user': 'host-session' });
    const [hello, me, health] = await Promise.all([
      api.hello.query({ name: 'Ada' }),
      api.taskpulse.me.query(),
      api.taskpulse.health.query(),
    ]);
    expect(hello).toBe('hello Ada, from host-session');
    expect(me).toMatchObject({ id: 'hosted-user', name: 'Hosted' });
    expect(health).toEqual({ status: 'ok', database: 'up' });
    expect(await tp.fork().execute("select id from users where id = 'hosted-user'")).toEqual([
      { id: 'hosted-user' },
    ]);
    // taskpulse's procedures ran behind the host's middleware
    expect(hostMiddlewareCalls).toEqual(
      expect.arrayContaining(['taskpulse.me', 'taskpulse.health']),
    );
    // without the host's HTTP layer, each taskpulse call logs a line of its own
    expect(logs.lines.filter((line) => line.msg === 'taskpulse call')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          procedure: 'taskpulse.me',
          userId: 'hosted-user',
          outcome: 'ok',
        }),
      ]),
    );
  });

  it("answers taskpulse's errors the taskpulse way, the host's the host's way", async () => {
    const anonymous = client();
    const error = await anonymous.taskpulse.me.query().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    const clientError = error as TRPCClientError<HostRouter>;
    expect(clientError.data?.code).toBe('UNAUTHORIZED');
    expect(clientError.data).not.toHaveProperty('formattedByHost');
    expect(clientError.data).not.toHaveProperty('stack');

    const hostError = (await anonymous.hello
      .query({ name: 3 as unknown as string })
      .catch((caught: unknown) => caught)) as TRPCClientError<HostRouter>;
    expect(hostError.data?.code).toBe('BAD_REQUEST');
    expect(hostError.data).toHaveProperty('formattedByHost', true);
  });
});

import type { AddressInfo } from 'node:net';
import { createTaskpulse, type Taskpulse, type UserDto } from '@taskpulse/core';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { type inferRouterInputs, type inferRouterOutputs, initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase } from '../../../core/test/databases.ts';
import { postgresAvailable } from '../../test/api.ts';
import { captureLogs } from '../../test/logs.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseHostRouter,
  createTaskpulseRuntime,
  type Health,
  type TaskpulseRequestContext,
  type TaskpulseRuntime,
} from '../index.ts';

/** A host app's own context: its own session, and taskpulse's request context beside it. */
interface HostContext {
  appUser: string | null;
  taskpulse: TaskpulseRequestContext;
}

const hostMiddlewareCalls: string[] = [];

/** A host app with its own tRPC instance, context, error formatter and procedures. */
function createHostApp(runtime: TaskpulseRuntime) {
  const t = initTRPC.context<HostContext>().create({
    errorFormatter: ({ shape }) => ({ ...shape, data: { ...shape.data, formattedByHost: true } }),
  });
  // the host's own base procedure, with a middleware of its own
  const audited = t.procedure.use(({ path, next }) => {
    hostMiddlewareCalls.push(path);
    return next();
  });
  return t.router({
    hello: t.procedure
      .input(z.object({ name: z.string() }))
      .query(({ input, ctx }) => `hello ${input.name}, from ${ctx.appUser ?? 'nobody'}`),
    taskpulse: createTaskpulseHostRouter(
      { router: t.router, procedure: audited },
      { runtime, context: (ctx) => ctx.taskpulse },
    ),
  });
}

type HostRouter = ReturnType<typeof createHostApp>;

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

  it('types the mounted procedures for clients', () => {
    type Outputs = inferRouterOutputs<HostRouter>;
    type Inputs = inferRouterInputs<HostRouter>;
    expectTypeOf<Outputs['taskpulse']['me']>().toEqualTypeOf<UserDto>();
    expectTypeOf<Outputs['taskpulse']['health']>().toEqualTypeOf<Health>();
    expectTypeOf<Inputs['taskpulse']['me']>().toEqualTypeOf<void>();
    expectTypeOf<Outputs['hello']>().toEqualTypeOf<string>();
    expectTypeOf<Inputs['hello']>().toEqualTypeOf<{ name: string }>();
    const api = client();
    expectTypeOf(api.taskpulse.me.query).returns.resolves.toEqualTypeOf<UserDto>();
    expectTypeOf(api.taskpulse.health.query).returns.resolves.toEqualTypeOf<Health>();
  });
});

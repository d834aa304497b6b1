/** A host app embedding taskpulse's router under `taskpulse`, for the host-router tests. */
import { initTRPC } from '@trpc/server';
import { z } from 'zod';
import {
  createTaskpulseHostRouter,
  type TaskpulseRequestContext,
  type TaskpulseRuntime,
} from '../src/index.ts';

/** A host app's own context: its own session, and taskpulse's request context beside it. */
export interface HostContext {
  appUser: string | null;
  taskpulse: TaskpulseRequestContext;
}

export const hostMiddlewareCalls: string[] = [];

/** A host app with its own tRPC instance, context, error formatter and procedures. */
export function createHostApp(runtime: TaskpulseRuntime) {
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

export type HostRouter = ReturnType<typeof createHostApp>;

/** A host app's tRPC router with taskpulse's procedures mounted twice, for the mounted-client tests. */
import {
  createTaskpulseHostRouter,
  type TaskpulseRequestContext,
  type TaskpulseRuntime,
} from '@taskpulse/trpc-server';
import { initTRPC } from '@trpc/server';

export interface HostContext {
  taskpulse: TaskpulseRequestContext;
}

/** A host app's router: its own procedure, and taskpulse's under `taskpulse` and `api.tasks`. */
export function hostRouter(runtime: TaskpulseRuntime) {
  const t = initTRPC.context<HostContext>().create();
  const taskpulse = () =>
    createTaskpulseHostRouter(t, { runtime, context: (ctx) => ctx.taskpulse });
  return t.router({
    ping: t.procedure.query(() => 'pong' as const),
    taskpulse: taskpulse(),
    api: t.router({ tasks: taskpulse() }),
  });
}
export type HostRouter = ReturnType<typeof hostRouter>;

import {
  initTRPC,
  type TRPCBuiltRouter,
  type TRPCCreateRouterOptions,
  type TRPCDecorateCreateRouterOptions,
} from '@trpc/server';
import type { TaskpulseRequestContext } from '../context/index.ts';
import type { TaskpulseErrorShape } from '../errors/index.ts';
import type { TaskpulseRuntime } from '../runtime/index.ts';
import { createTaskpulseBuilders, type TaskpulseBuilders } from './builders.ts';
import { type TaskpulseProcedures, taskpulseProcedures } from './procedures.ts';

/** The root types of the standalone router: its context, meta, error shape, no transformer. */
export interface TaskpulseRootTypes {
  ctx: TaskpulseRequestContext;
  meta: object;
  errorShape: TaskpulseErrorShape;
  transformer: false;
}

/** The standalone taskpulse router, with `TExtra` procedures added by `extend`. */
export type TaskpulseRouter<TExtra extends TRPCCreateRouterOptions = Record<never, never>> =
  TRPCBuiltRouter<
    TaskpulseRootTypes,
    TRPCDecorateCreateRouterOptions<TaskpulseProcedures & TExtra>
  >;

/**
 * The taskpulse router for a standalone server, on a tRPC instance of its own: its context is
 * a {@link TaskpulseRequestContext} (`runtime.createContext()`), plain JSON on the wire (no
 * transformer: dates are ISO strings), errors formatted by `runtime.formatError`.
 *
 * `extend` adds procedures of the app's own, built with the same builders (same auth, rate
 * limits, metrics and error handling).
 *
 * @example
 * ```ts
 * const router = createTaskpulseRouter(runtime);
 * export type AppRouter = typeof router;
 * ```
 */
export function createTaskpulseRouter<
  TExtra extends TRPCCreateRouterOptions = Record<never, never>,
>(runtime: TaskpulseRuntime, extend?: (b: TaskpulseBuilders) => TExtra): TaskpulseRouter<TExtra> {
  const t = initTRPC.context<TaskpulseRequestContext>().create({
    errorFormatter: (opts) => runtime.formatError(opts),
    isDev: !runtime.production,
    sse: {
      // keeps proxies from closing a quiet stream, and lets the client notice a dead one
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 30_000 },
    },
  });
  const b = createTaskpulseBuilders(t, runtime, (ctx: TaskpulseRequestContext) => ctx);
  const extra = extend?.(b) ?? ({} as TExtra);
  return t.router({ ...taskpulseProcedures(b), ...extra });
}

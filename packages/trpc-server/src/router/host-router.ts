import type {
  AnyTRPCRootTypes,
  inferProcedureBuilderResolverOptions,
  TRPCBuiltRouter,
  TRPCDecorateCreateRouterOptions,
  TRPCRouterBuilder,
} from '@trpc/server';
import type { TaskpulseRequestContext } from '../context/index.ts';
import type { TaskpulseRuntime } from '../runtime/index.ts';
import { type AnyProcedureBuilder, createTaskpulseBuilders } from './builders.ts';
import { type TaskpulseProcedures, taskpulseProcedures } from './procedures.ts';

/** Options of {@link createTaskpulseHostRouter}. */
export interface TaskpulseHostRouterOptions<TContext> {
  /** The runtime the procedures run on. */
  runtime: TaskpulseRuntime;
  /**
   * Finds the request's taskpulse context in the host app's context. Make it once per request
   * with `runtime.createContext()` in the host's `createContext`, and return it here.
   */
  context: (ctx: TContext) => TaskpulseRequestContext;
}

/**
 * The taskpulse procedures built on a host app's own tRPC instance, to mount under a key of
 * its router. tRPC cannot merge routers made with different contexts, so the procedures are
 * built from the host's `t` (or `{ router: t.router, procedure: someHostProcedure }` to run
 * them behind host middlewares), and find their request context through `context`.
 *
 * Errors of these procedures are formatted the taskpulse way whatever the host's
 * `errorFormatter`; the host answers `Retry-After` if it wants to (see `retryAfterSeconds`),
 * and serves health and metrics itself (`runtime.isReady()`, `runtime.metrics`).
 *
 * @example
 * ```ts
 * const t = initTRPC.context<HostContext>().create();
 * const runtime = createTaskpulseRuntime({ taskpulse: tp, auth: { secret } });
 * export const appRouter = t.router({
 *   hello: t.procedure.query(() => 'hi'),
 *   taskpulse: createTaskpulseHostRouter(t, { runtime, context: (ctx) => ctx.taskpulse }),
 * });
 * // createContext: ({ req, info }) => ({ …, taskpulse: runtime.createContext({ headers: req.headers, info }) })
 * ```
 */
export function createTaskpulseHostRouter<
  TRoot extends AnyTRPCRootTypes,
  TProcedure extends AnyProcedureBuilder,
>(
  t: { readonly router: TRPCRouterBuilder<TRoot>; readonly procedure: TProcedure },
  options: TaskpulseHostRouterOptions<inferProcedureBuilderResolverOptions<TProcedure>['ctx']>,
): TRPCBuiltRouter<TRoot, TRPCDecorateCreateRouterOptions<TaskpulseProcedures>> {
  const b = createTaskpulseBuilders(t, options.runtime, options.context);
  return t.router(taskpulseProcedures(b));
}
